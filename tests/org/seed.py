"""The demo seed as the org tests expect the API to present it: people, personas and expected shapes."""

from __future__ import annotations

from typing import Any

from models.core.documents import Document
from models.demo.org import DemoOrganization

UNKNOWN_ID = "0" * 24  # an id no organisation uses


def people(org: DemoOrganization) -> dict[str, Document]:
    return {e["_id"]: e for e in org.employees}


def persona(org: DemoOrganization, name: str) -> Document:
    return people(org)[org.personas[name]]


def by_name(docs: list[Document]) -> list[Document]:
    return sorted(docs, key=lambda d: (d["name"], d["_id"]))


def not_terminated(org: DemoOrganization) -> list[Document]:
    return by_name([e for e in org.employees if e["status"] != "terminated"])


def reports_of(org: DemoOrganization, manager_id: str) -> list[Document]:
    return [e for e in not_terminated(org) if e["managerId"] == manager_id]


def ceo(org: DemoOrganization) -> Document:
    [root] = [e for e in org.employees if e["managerId"] is None]
    return root


def ref(doc: Document | None) -> dict[str, str] | None:
    return None if doc is None else {"id": doc["_id"], "name": doc["name"]}


def codes(body: Document) -> list[tuple[list[Any], str]]:
    """(path, code) of each top-level error of a response."""
    return [(e["path"], e["extensions"]["code"]) for e in body.get("errors", [])]
