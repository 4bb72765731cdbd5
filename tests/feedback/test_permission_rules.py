"""Every rule of ``models/feedback/permissions.py`` as a table: who may see or do what, decided on small
in-memory documents (no server, no store).

The viewers: the person the feedback is about, their manager, a skip-level manager, a peer on the same
team, an HR admin outside the chain, and someone from another organisation who carries the manager's id
and every role there (so a rule that forgot the organisation would let them through).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import pytest

from models.core.viewer import Role, Viewer
from models.feedback import permissions
from models.feedback.permissions import (
    can_change_feedback,
    can_count_feedback_received,
    can_manage_feedback_settings,
    can_read_anonymous_feedback,
    can_read_feedback_about,
    can_see_feedback,
    can_see_feedback_request,
    can_see_follow_up,
    can_see_follow_up_stats,
    can_see_follow_ups_of,
    can_see_praise,
    can_see_request_answers,
    can_see_request_exists,
    may_follow_up,
    may_request_feedback_about,
)

Document = dict[str, Any]
ORG, OTHER_ORG = "org-a", "org-b"


def employee(id: str, *chain: str, roles: tuple[str, ...] = ("employee",)) -> Document:
    """An employee document; ``chain`` is the management chain, nearest manager first."""
    return {"_id": id, "organizationId": ORG, "name": id.title(), "status": "active",
            "managerId": chain[0] if chain else None, "managerChain": list(chain), "roles": list(roles)}


def document(**fields: Any) -> Document:
    return {"_id": "doc", "organizationId": ORG, **fields}


PERSON = employee("person", "manager", "skip")

# Column order of every expected row below.
VIEWERS = {
    "the person": Viewer("person", ORG, frozenset({Role.EMPLOYEE})),
    "their manager": Viewer("manager", ORG, frozenset({Role.EMPLOYEE, Role.MANAGER})),
    "a skip-level manager": Viewer("skip", ORG, frozenset({Role.EMPLOYEE, Role.MANAGER})),
    "a peer": Viewer("peer", ORG, frozenset({Role.EMPLOYEE})),
    "an HR admin": Viewer("hr", ORG, frozenset({Role.EMPLOYEE, Role.HR_ADMIN})),
    "another organisation": Viewer("manager", OTHER_ORG, frozenset(Role)),
}

PRIVATE = document(authorId="peer", recipientId="person", visibility="private")
SHARED = document(authorId="peer", recipientId="person", visibility="recipient_and_manager")
NOTE = document(authorId="peer", recipientId="person", visibility="manager_only")
OWN = document(authorId="person", recipientId="peer", visibility="private")
REQUEST = document(requesterId="manager", subjectId="person", respondentIds=["peer"], anonymous=False)
ANONYMOUS_REQUEST = document(requesterId="manager", subjectId="manager", respondentIds=["person", "peer"],
                             anonymous=True)
ANONYMOUS_ITEM = document(managerId="manager", period="2026-Q3", release=1, rank=0)
PEER_OWNED = document(employeeId="person", ownerId="peer", createdById="manager")
SELF_OWNED = document(employeeId="person", ownerId="person", createdById="person")
PRAISE = document(authorId="peer", recipientIds=["person"], message="Thanks", value="Teamwork")

Decide = Callable[[Viewer], bool]
# (rule, situation, decision, expected for each viewer in VIEWERS' order:
#   person, manager, skip-level, peer, HR admin, another organisation)
TABLE: list[tuple[str, str, Decide, tuple[bool, bool, bool, bool, bool, bool]]] = [
    ("can_see_feedback", "private feedback from a peer to the person",
     lambda v: can_see_feedback(v, PRIVATE, PERSON), (True, False, False, True, False, False)),
    ("can_see_feedback", "shared feedback (recipient and managers) from a peer to the person",
     lambda v: can_see_feedback(v, SHARED, PERSON), (True, True, True, True, False, False)),
    ("can_see_feedback", "a note to the person's managers from a peer",
     lambda v: can_see_feedback(v, NOTE, PERSON), (False, True, True, True, False, False)),
    ("can_see_feedback", "shared feedback whose recipient could not be read",
     lambda v: can_see_feedback(v, SHARED, None), (True, False, False, True, False, False)),
    ("can_change_feedback", "feedback a peer gave the person",
     lambda v: can_change_feedback(v, SHARED), (False, False, False, True, False, False)),
    ("can_change_feedback", "feedback the person gave a peer",
     lambda v: can_change_feedback(v, OWN), (True, False, False, False, False, False)),
    ("can_read_feedback_about", "the person",
     lambda v: can_read_feedback_about(v, PERSON), (False, True, True, False, False, False)),
    ("may_request_feedback_about", "the person as the subject",
     lambda v: may_request_feedback_about(v, PERSON), (True, True, True, False, False, False)),
    ("can_see_feedback_request", "the manager asks a peer about the person",
     lambda v: can_see_feedback_request(v, REQUEST), (False, True, False, True, False, False)),
    ("can_see_feedback_request", "the manager asks the team for anonymous feedback",
     lambda v: can_see_feedback_request(v, ANONYMOUS_REQUEST), (True, True, False, True, False, False)),
    ("can_see_request_answers", "the manager asks a peer about the person",
     lambda v: can_see_request_answers(v, REQUEST), (False, True, False, False, False, False)),
    ("can_see_request_answers", "the manager asks the team for anonymous feedback",
     lambda v: can_see_request_answers(v, ANONYMOUS_REQUEST), (False, False, False, False, False, False)),
    ("can_read_anonymous_feedback", "a released anonymous item sent to the manager",
     lambda v: can_read_anonymous_feedback(v, ANONYMOUS_ITEM), (False, True, False, False, False, False)),
    ("can_see_follow_ups_of", "the person",
     lambda v: can_see_follow_ups_of(v, PERSON), (True, True, True, False, False, False)),
    ("can_see_follow_up", "a follow-up about the person, owned by a peer, set by the manager",
     lambda v: can_see_follow_up(v, PEER_OWNED, PERSON), (True, True, True, True, False, False)),
    ("can_see_follow_up", "a follow-up the person set themselves",
     lambda v: can_see_follow_up(v, SELF_OWNED, PERSON), (True, True, True, False, False, False)),
    ("can_see_follow_up", "a follow-up the person set, whose person could not be read",
     lambda v: can_see_follow_up(v, SELF_OWNED, None), (True, False, False, False, False, False)),
    ("may_follow_up", "feedback the person received",
     lambda v: may_follow_up(v, PERSON), (True, True, True, False, False, False)),
    # A role alone decides: another organisation's HR admin sees their own organisation's counts (every
    # read is scoped to the viewer's organisation), never these.
    ("can_see_follow_up_stats", "the follow-up counts per department",
     can_see_follow_up_stats, (False, False, False, False, True, True)),
    ("can_manage_feedback_settings", "the anonymity threshold, values and competencies",
     can_manage_feedback_settings, (False, False, False, False, True, True)),
    ("can_see_praise", "a peer's praise of the person",
     lambda v: can_see_praise(v, PRAISE), (True, True, True, True, True, False)),
    # For other domains (exits' checklist and attrition report): that a request exists, and counts only.
    ("can_see_request_exists", "the manager asks a peer about the person",
     lambda v: can_see_request_exists(v, REQUEST), (False, True, False, True, True, False)),
    ("can_count_feedback_received", "the feedback the person received",
     lambda v: can_count_feedback_received(v, PERSON), (True, True, True, False, True, False)),
]

ROWS = [pytest.param(decide, viewer, expected, id=f"{rule}: {situation}: {viewer}")
        for rule, situation, decide, answers in TABLE
        for viewer, expected in zip(VIEWERS, answers, strict=True)]


@pytest.mark.parametrize(("decide", "viewer_name", "expected"), ROWS)
def test_rule_decides_as_the_table_says(decide: Decide, viewer_name: str, expected: bool) -> None:
    # given one kind of viewer and the row's small in-memory documents
    viewer = VIEWERS[viewer_name]
    # when the rule decides
    decision = decide(viewer)
    # then exactly the table's answer
    assert decision is expected


def test_the_table_covers_every_rule() -> None:
    # given every rule function the permissions module defines
    rules = {name for name, value in vars(permissions).items()
             if inspect.isfunction(value) and value.__module__ == permissions.__name__}
    # when the table's rows are read
    covered = {rule for rule, *_ in TABLE}
    # then each rule has rows, and every row names a rule of the module
    assert covered == rules
