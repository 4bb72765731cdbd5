"""The schema is a contract: the SDL the built schema prints is the committed ``schema.graphql``.

A deliberate API change regenerates the file (``make schema``) in the same commit; anything else that
changes the SDL (a rename, a moved type, a lost description) fails here.
"""

from __future__ import annotations

from pathlib import Path

from schema.schema import build_schema

COMMITTED = Path(__file__).resolve().parents[2] / "schema.graphql"


def test_built_schema_is_the_committed_sdl() -> None:
    # given the committed SDL, when the schema is built, then it prints exactly that text
    built = build_schema().as_str() + "\n"
    assert built == COMMITTED.read_text(), "the schema changed: run `make schema` and commit schema.graphql"
