"""The compensation rules of models/compensation/permissions.py as tables, for every pay-bearing type: a
person's pay, a participant (snapshot, proposal, trail), a budget, a statement, who proposes.

The cast of tests/cast.py: ``skip`` manages ``boss``, who manages ``subject`` and ``peer``; ``hr`` is an HR
admin (without pay); ``comp`` is a compensation admin; ``outsider`` and ``outsider_hr`` belong to another
organisation (``outsider_hr`` holding compensation_admin there)."""

from __future__ import annotations

import pytest

from models.compensation.permissions import (
    can_manage_compensation,
    can_propose,
    can_see_budget,
    can_see_participant,
    can_see_pay,
    can_see_statement,
)
from models.core.viewer import Role, Viewer
from tests.cast import ORG, Document, cast, cells, viewer_in

PEOPLE: dict[str, Document] = {**cast("subject", "boss"), "comp": {"_id": "comp", "organizationId": ORG,
                                                                  "managerId": None, "managerChain": []}}
VIEWERS = tuple(PEOPLE)  # subject boss skip peer hr outsider outsider_hr comp
SUBJECT = PEOPLE["subject"]


def viewer(name: str) -> Viewer:
    base = viewer_in(PEOPLE, name, managers=("boss", "skip"))
    if name in {"comp", "outsider_hr"}:
        return Viewer(base.employee_id, base.organization_id, base.roles | {Role.COMPENSATION_ADMIN})
    return base


def cycle(phase: str) -> Document:
    return {"_id": f"cycle-{phase}", "organizationId": ORG, "phase": phase}


PARTICIPANT = {"_id": "p", "organizationId": ORG, "employeeId": "subject", "managerChain": ["skip", "boss"]}
Y, N = True, False
#                      subject boss skip peer hr  outsider outsider_hr comp
PAY = {
    "cycle open":       (Y,     Y,   Y,   N,   N,  N,       N,          Y),
    "no cycle open":    (Y,     N,   N,   N,   N,  N,       N,          Y),
}
PARTICIPANTS = {
    "proposals":        (N,     Y,   Y,   N,   N,  N,       N,          Y),
    "review":           (N,     Y,   Y,   N,   N,  N,       N,          Y),
    "approved":         (N,     N,   N,   N,   N,  N,       N,          Y),
    "shared":           (N,     N,   N,   N,   N,  N,       N,          Y),
}
STATEMENTS = {
    "review":           (N,     N,   N,   N,   N,  N,       N,          N),
    "shared":           (Y,     N,   N,   N,   N,  N,       N,          N),
    "exported":         (Y,     N,   N,   N,   N,  N,       N,          N),
}
BOSS_BUDGET = {  # the budget of "boss"
    "proposals":        (N,     Y,   Y,   N,   N,  N,       N,          Y),
    "approved":         (N,     N,   N,   N,   N,  N,       N,          Y),
}
PROPOSERS = {
    "a proposal":       (N,     Y,   Y,   N,   N,  N,       N,          N),
}
MANAGE = {
    "bands, cycles":    (N,     N,   N,   N,   N,  N,       Y,          Y),
}


@pytest.mark.parametrize(("case", "name", "expected"), cells(PAY, VIEWERS))
def test_who_sees_a_persons_pay(case: str, name: str, expected: bool) -> None:
    assert can_see_pay(viewer(name), SUBJECT, cycle_open=case == "cycle open") is expected


@pytest.mark.parametrize(("phase", "name", "expected"), cells(PARTICIPANTS, VIEWERS))
def test_who_sees_a_participant(phase: str, name: str, expected: bool) -> None:
    assert can_see_participant(viewer(name), cycle(phase), PARTICIPANT) is expected


@pytest.mark.parametrize(("phase", "name", "expected"), cells(STATEMENTS, VIEWERS))
def test_who_sees_a_statement(phase: str, name: str, expected: bool) -> None:
    assert can_see_statement(viewer(name), cycle(phase), PARTICIPANT) is expected


@pytest.mark.parametrize(("phase", "name", "expected"), cells(BOSS_BUDGET, VIEWERS))
def test_who_sees_a_managers_budget(phase: str, name: str, expected: bool) -> None:
    assert can_see_budget(viewer(name), cycle(phase), PEOPLE["boss"]["managerChain"], "boss") is expected


@pytest.mark.parametrize(("case", "name", "expected"), cells(PROPOSERS, VIEWERS))
def test_who_proposes(case: str, name: str, expected: bool) -> None:
    assert can_propose(viewer(name), cycle("proposals"), PARTICIPANT) is expected


@pytest.mark.parametrize(("case", "name", "expected"), cells(MANAGE, VIEWERS))
def test_who_manages_compensation(case: str, name: str, expected: bool) -> None:
    # the role alone decides; another organisation's compensation admin reaches nothing here through the
    # store, which scopes every read to their own organisation
    assert can_manage_compensation(viewer(name)) is expected
