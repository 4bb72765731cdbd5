"""The cast of the pure permission tables: a person, their manager, a skip-level manager, a peer, an HR
admin, and two people of another organisation (one an HR admin), as in-memory documents and viewers."""

from __future__ import annotations

from typing import Any

from models.core.viewer import Role, Viewer

Document = dict[str, Any]
ORG, OTHER_ORG = "acme", "globex"


def person(id: str, chain: list[str], organization_id: str = ORG) -> Document:
    """An employee whose managers (nearest first) are ``chain``."""
    return {"_id": id, "organizationId": organization_id, "managerId": chain[0] if chain else None,
            "managerChain": chain}


def cast(subject: str, manager: str) -> dict[str, Document]:
    """``subject`` below ``manager`` below "skip"; "peer" beside the subject; "hr"; "outsider", "outsider_hr"."""
    return {
        subject: person(subject, [manager, "skip"]),
        manager: person(manager, ["skip"]),
        "skip": person("skip", []),
        "peer": person("peer", [manager, "skip"]),
        "hr": person("hr", []),
        "outsider": person("outsider", [], OTHER_ORG),
        "outsider_hr": person("outsider_hr", [], OTHER_ORG),
    }


def viewer_in(people: dict[str, Document], name: str, managers: tuple[str, ...]) -> Viewer:
    """``name`` signed in: everyone an employee, ``managers`` managers too, the "…hr" ones HR admins."""
    roles = {Role.EMPLOYEE}
    if name in managers:
        roles.add(Role.MANAGER)
    if name.endswith("hr"):
        roles.add(Role.HR_ADMIN)
    return Viewer(name, people[name]["organizationId"], frozenset(roles))


def cells(table: dict[str, tuple[Any, ...]], viewers: tuple[str, ...]) -> list[tuple[str, str, Any]]:
    """(row, viewer, expected) for each cell of a table whose columns are ``viewers``."""
    return [(case, name, expected) for case, row in table.items() for name, expected in zip(viewers, row, strict=True)]
