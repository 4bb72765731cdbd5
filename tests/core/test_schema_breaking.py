"""No breaking API change slips in: graphql-core's ``find_breaking_changes`` compares the built schema with
the committed ``schema.graphql`` and with the one where this branch left ``main`` (the contract clients were
built against, when this checkout has that branch). A deliberate break is listed, reviewed, in
``schema-breaking-allowed.txt`` (one ``TYPE: description`` line each, as the failure prints them)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from graphql import GraphQLSchema, find_breaking_changes
from graphql import build_schema as build_sdl

from schema.schema import build_schema

ROOT = Path(__file__).resolve().parents[2]
ALLOWED = ROOT / "schema-breaking-allowed.txt"


def baselines() -> dict[str, str]:
    """The SDL to compare with, by where it comes from."""
    found = {"schema.graphql": (ROOT / "schema.graphql").read_text()}
    base = git("merge-base", "HEAD", "main")
    if base is not None and (shown := git("show", f"{base.strip()}:schema.graphql")) is not None:
        found[f"{base.strip()[:10]}:schema.graphql (where this branch left main)"] = shown
    return found


def git(*args: str) -> str | None:
    done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)
    return done.stdout if done.returncode == 0 else None


def allowed() -> set[str]:
    lines = ALLOWED.read_text().splitlines() if ALLOWED.exists() else []
    return {line.strip() for line in lines if line.strip() and not line.startswith("#")}


def breaking(old: GraphQLSchema, new: GraphQLSchema) -> list[str]:
    return sorted(f"{change.type.name}: {change.description}" for change in find_breaking_changes(old, new))


def test_the_built_schema_breaks_nothing_clients_rely_on() -> None:
    built = build_schema()._schema
    for source, sdl in baselines().items():
        unlisted = [change for change in breaking(build_sdl(sdl), built) if change not in allowed()]
        assert unlisted == [], f"breaking changes against {source} (list them in {ALLOWED.name} once reviewed)"


def test_the_check_finds_a_removed_field_and_a_narrowed_argument() -> None:
    # given the committed contract and a version of it that drops a field and makes an argument required
    old = (ROOT / "schema.graphql").read_text()
    new = old.replace('  """Each new praise in your organisation."""\n  praisePosted: Praise!\n', "", 1) \
        .replace("orgChartChanged(", "orgChartChanged(x: Int!, ", 1)
    # then both are reported as breaking
    assert breaking(build_sdl(old), build_sdl(new)) == [
        "FIELD_REMOVED: Field Subscription.praisePosted was removed.",
        "REQUIRED_ARG_ADDED: A required argument Subscription.orgChartChanged(x:) was added.",
    ]
