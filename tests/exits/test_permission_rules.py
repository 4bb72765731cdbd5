"""Every rule of ``models/exits/permissions.py`` as a table, decided on small in-memory documents: the leaver,
their manager, the assigned interviewer, a colleague, an HR admin, and someone of another organisation who
carries the interviewer's id and every role there (a rule that forgot the organisation would let them through)."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import pytest

from models.core.viewer import Role, Viewer
from models.exits import permissions
from models.exits.permissions import (
    can_answer_survey,
    can_manage_exits,
    can_record_interview,
    can_see_attrition_report,
    can_see_exit_record,
    can_work_checklist,
    report_scope,
)

ORG, OTHER_ORG = "org-a", "org-b"
RECORD: dict[str, Any] = {"_id": "exit", "organizationId": ORG, "employeeId": "leaver", "interviewerId": "interviewer"}
VIEWERS = {
    "the leaver": Viewer("leaver", ORG, frozenset({Role.EMPLOYEE})),
    "their manager": Viewer("manager", ORG, frozenset({Role.EMPLOYEE, Role.MANAGER})),
    "the interviewer": Viewer("interviewer", ORG, frozenset({Role.EMPLOYEE})),
    "a colleague": Viewer("colleague", ORG, frozenset({Role.EMPLOYEE})),
    "an HR admin": Viewer("hr", ORG, frozenset({Role.EMPLOYEE, Role.HR_ADMIN})),
    "another organisation": Viewer("interviewer", OTHER_ORG, frozenset(Role)),
}
Decide = Callable[[Viewer], Any]
TABLE: list[tuple[str, Decide, tuple[Any, ...]]] = [
    ("can_manage_exits", can_manage_exits, (False, False, False, False, True, True)),
    ("can_see_exit_record", lambda v: can_see_exit_record(v, RECORD), (False, False, True, False, True, False)),
    ("can_record_interview", lambda v: can_record_interview(v, RECORD), (False, False, True, False, True, False)),
    ("can_work_checklist", lambda v: can_work_checklist(v, RECORD), (False, False, True, False, True, False)),
    # a role alone decides: another organisation's report is of its own organisation (every read is scoped)
    ("can_see_attrition_report", can_see_attrition_report, (False, True, False, False, True, True)),
    ("report_scope", report_scope, ("leaver", "manager", "interviewer", "colleague", None, None)),
    ("can_answer_survey", lambda v: can_answer_survey(v, RECORD), (True, False, False, False, False, False)),
]
ROWS = [pytest.param(decide, viewer, expected, id=f"{rule}: {viewer}")
        for rule, decide, answers in TABLE for viewer, expected in zip(VIEWERS, answers, strict=True)]


@pytest.mark.parametrize(("decide", "viewer_name", "expected"), ROWS)
def test_rule_decides_as_the_table_says(decide: Decide, viewer_name: str, expected: Any) -> None:
    assert decide(VIEWERS[viewer_name]) == expected


def test_the_table_covers_every_rule() -> None:
    rules = {name for name, value in vars(permissions).items()
             if inspect.isfunction(value) and value.__module__ == permissions.__name__}
    assert {rule for rule, *_ in TABLE} == rules
