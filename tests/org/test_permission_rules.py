"""The org chart's permission rules as a table: who sees a person's place in the chart and their personal
fields, who manages them, who changes the organisation, whose token is honoured.

Pure functions on small in-memory documents (no server): models/org/permissions.py and
models/core/viewer.py's ``same_organization``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from models.core.documents import Document
from models.core.viewer import Role, Viewer, same_organization
from models.org.permissions import can_manage_org, can_see_org_chart, can_see_personal, manages, may_sign_in

NORTHWIND, GLOBEX = "northwind", "globex"
EMPLOYEE, MANAGER, HR = Role.EMPLOYEE, Role.MANAGER, Role.HR_ADMIN


def person(id: str, chain: list[str], organization: str = NORTHWIND, status: str = "active") -> Document:
    return {"_id": id, "organizationId": organization, "name": id.title(), "status": status,
            "managerId": chain[-1] if chain else None, "managerChain": chain}


# The person every rule is asked about: below the CEO, a skip-level manager and their manager.
THE_PERSON = person("person", ["ceo", "skip", "manager"])

VIEWERS: dict[str, Viewer] = {
    "the person": Viewer("person", NORTHWIND, frozenset({EMPLOYEE})),
    "their manager": Viewer("manager", NORTHWIND, frozenset({EMPLOYEE, MANAGER})),
    "their skip-level manager": Viewer("skip", NORTHWIND, frozenset({EMPLOYEE, MANAGER})),
    "a peer": Viewer("peer", NORTHWIND, frozenset({EMPLOYEE})),
    "their own report": Viewer("report", NORTHWIND, frozenset({EMPLOYEE})),
    "a manager in another branch": Viewer("elsewhere", NORTHWIND, frozenset({EMPLOYEE, MANAGER})),
    "an HR admin": Viewer("hr", NORTHWIND, frozenset({EMPLOYEE, HR})),
    "another organisation's HR admin": Viewer("outsider", GLOBEX, frozenset({EMPLOYEE, MANAGER, HR})),
    # the manager's id, but signed in to another organisation: ids never cross organisations
    "another organisation's viewer with the manager's id": Viewer("manager", GLOBEX, frozenset({EMPLOYEE, MANAGER})),
}
RULES: dict[str, Callable[[Viewer, Any], bool]] = {
    "can_see_org_chart": can_see_org_chart,
    "can_see_personal": can_see_personal,
    "manages": manages,
    "same_organization": same_organization,
}

# viewer → (can_see_org_chart, can_see_personal, manages, same_organization) of THE_PERSON
ABOUT_THE_PERSON: dict[str, tuple[bool, bool, bool, bool]] = {
    "the person": (True, True, False, True),
    "their manager": (True, True, True, True),
    "their skip-level manager": (True, True, True, True),
    "a peer": (True, False, False, True),
    "their own report": (True, False, False, True),
    "a manager in another branch": (True, False, False, True),
    "an HR admin": (True, True, False, True),
    "another organisation's HR admin": (False, False, False, False),
    "another organisation's viewer with the manager's id": (False, False, False, False),
}
ROWS = [(viewer, rule, expected[i]) for viewer, expected in ABOUT_THE_PERSON.items()
        for i, rule in enumerate(RULES)]


@pytest.mark.parametrize(("viewer", "rule", "expected"), ROWS)
def test_what_each_viewer_may_do_about_a_person(viewer: str, rule: str, expected: bool) -> None:
    # given a person three levels down and one kind of viewer
    who = VIEWERS[viewer]
    # when the rule is asked about the person
    decision = RULES[rule](who, THE_PERSON)
    # then it decides exactly as the table says
    assert decision is expected


@pytest.mark.parametrize(("viewer", "expected"), [
    ("the person", False),
    ("their manager", False),
    ("their skip-level manager", False),
    ("a peer", False),
    ("their own report", False),
    ("a manager in another branch", False),
    ("an HR admin", True),
    # the role alone decides; which organisation it changes is the tenant store's to keep apart
    ("another organisation's HR admin", True),
    ("another organisation's viewer with the manager's id", False),
])
def test_only_hr_admins_may_change_the_organisation(viewer: str, expected: bool) -> None:
    # given one kind of viewer / when asked whether they may change the organisation
    decision = can_manage_org(VIEWERS[viewer])
    # then only an HR admin may
    assert decision is expected


@pytest.mark.parametrize(("employee", "expected"), [
    (person("person", [], status="active"), True),
    (person("person", [], status="on_leave"), True),
    (person("person", [], status="terminated"), False),
    (None, False),
], ids=["active", "on leave", "terminated", "no such employee"])
def test_a_token_is_honoured_while_its_employee_has_not_left(employee: Document | None, expected: bool) -> None:
    # given the stored employee a token names (or none)
    # when asked whether they may sign in
    decision = may_sign_in(employee)
    # then only someone who exists and has not left may
    assert decision is expected


def test_a_document_without_an_organisation_belongs_to_nobody() -> None:
    # given a document that names no organisation
    document = {"_id": "x"}
    # when an HR admin's organisation is compared with it
    decision = same_organization(VIEWERS["an HR admin"], document)
    # then it is not theirs
    assert decision is False
