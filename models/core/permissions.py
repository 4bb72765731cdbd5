"""Who may see and do what: plain functions, used by queries, nested fields and subscriptions alike.

Every rule takes the viewer and the documents involved and answers yes or no; nothing here
reads the store. Callers load what the rule needs (documents carry their ``managerChain``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from models.org.rules import EmployeeStatus, Role


@dataclass(frozen=True)
class Viewer:
    """The authenticated person a request or a subscription acts for."""

    employee_id: str
    organization_id: str
    roles: frozenset[Role]

    @property
    def is_hr_admin(self) -> bool:
        return Role.HR_ADMIN in self.roles


def same_organization(viewer: Viewer, document: Mapping[str, Any]) -> bool:
    return document.get("organizationId") == viewer.organization_id


def can_see_org_chart(viewer: Viewer, employee: Mapping[str, Any]) -> bool:
    """Names, titles, departments and reporting lines: everyone in the organisation."""
    return same_organization(viewer, employee)


def can_see_personal(viewer: Viewer, employee: Mapping[str, Any]) -> bool:
    """Email, hire date and status history: the person, their management chain, HR admins."""
    if not same_organization(viewer, employee):
        return False
    return (
        viewer.is_hr_admin
        or employee["_id"] == viewer.employee_id
        or viewer.employee_id in employee.get("managerChain", [])
    )


def manages(viewer: Viewer, employee: Mapping[str, Any]) -> bool:
    """The viewer is above ``employee`` in the management chain (direct or indirect manager)."""
    return same_organization(viewer, employee) and viewer.employee_id in employee.get("managerChain", [])


def can_manage_org(viewer: Viewer) -> bool:
    """Creating and changing employees, departments and positions: HR admins."""
    return viewer.is_hr_admin


def may_sign_in(employee: Mapping[str, Any] | None) -> bool:
    """A token is honoured only while its employee exists and has not been terminated."""
    return employee is not None and employee.get("status") != EmployeeStatus.TERMINATED.value


# Check-ins (issue 3). A series and each of its occurrences carry ``employeeId`` and ``managerId``:
# those two are the participants. ``employee`` below is the series' employee document (its
# ``managerChain`` names who may read). Private notes are their author's alone: no rule lets anyone
# else read them, HR admins and the other participant included.

def is_check_in_participant(viewer: Viewer, check_in: Mapping[str, Any]) -> bool:
    """The employee or the manager of a series (or of one of its occurrences)."""
    return same_organization(viewer, check_in) and viewer.employee_id in (check_in.get("employeeId"),
                                                                          check_in.get("managerId"))


def can_read_check_in(viewer: Viewer, check_in: Mapping[str, Any], employee: Mapping[str, Any] | None) -> bool:
    """The two participants, the employee's management chain and HR admins (never private notes)."""
    if is_check_in_participant(viewer, check_in):
        return True
    if not same_organization(viewer, check_in):
        return False
    return viewer.is_hr_admin or (employee is not None and manages(viewer, employee))


def can_edit_check_in(viewer: Viewer, check_in: Mapping[str, Any]) -> bool:
    """Talking points, answers, rating, action items, linked goals, completing: the participants only."""
    return is_check_in_participant(viewer, check_in)


def can_see_private_note(viewer: Viewer, note: Mapping[str, Any]) -> bool:
    return same_organization(viewer, note) and note.get("authorId") == viewer.employee_id


def can_manage_check_in_settings(viewer: Viewer) -> bool:
    """Department cadences and check-in templates: HR admins."""
    return viewer.is_hr_admin


def can_start_check_in_series(viewer: Viewer, employee: Mapping[str, Any]) -> bool:
    """The employee's current manager or an HR admin."""
    return same_organization(viewer, employee) and (viewer.is_hr_admin
                                                    or employee.get("managerId") == viewer.employee_id)


def can_set_series_cadence(viewer: Viewer, series: Mapping[str, Any]) -> bool:
    """The series' manager or an HR admin."""
    return same_organization(viewer, series) and (viewer.is_hr_admin or series.get("managerId") == viewer.employee_id)


def can_list_overdue_check_ins(viewer: Viewer) -> bool:
    """Managers (for the people below them) and HR admins (everyone)."""
    return viewer.is_hr_admin or Role.MANAGER in viewer.roles


def can_see_check_in_participation(viewer: Viewer) -> bool:
    return viewer.is_hr_admin


def can_subscribe_check_in(viewer: Viewer, check_in: Mapping[str, Any]) -> bool:
    """Live edits go to the two participants only."""
    return is_check_in_participant(viewer, check_in)


# Feedback, praise and follow-ups (issue 4). ``recipient`` / ``employee`` below are employee documents
# (their ``managerChain`` says who manages them now). Attributed feedback is readable by its author,
# by its recipient unless it is a ``manager_only`` note, and by the recipient's management chain unless
# it is ``private``; HR admins get no extra reach. Anonymous upward feedback carries no author at all;
# only the manager it was sent to may read it (once released), HR admins included in "nobody else".

def can_see_feedback(viewer: Viewer, feedback: Mapping[str, Any], recipient: Mapping[str, Any] | None) -> bool:
    if not same_organization(viewer, feedback):
        return False
    if feedback.get("authorId") == viewer.employee_id:
        return True
    visibility = feedback.get("visibility")
    if feedback.get("recipientId") == viewer.employee_id:
        return visibility != "manager_only"
    return visibility != "private" and recipient is not None and manages(viewer, recipient)


def can_change_feedback(viewer: Viewer, feedback: Mapping[str, Any]) -> bool:
    """Editing (within the window) and retracting: the author only."""
    return same_organization(viewer, feedback) and feedback.get("authorId") == viewer.employee_id


def can_read_feedback_about(viewer: Viewer, employee: Mapping[str, Any]) -> bool:
    """``feedbackAbout``: the person's management chain (what they may see of their reports)."""
    return manages(viewer, employee)


def may_request_feedback_about(viewer: Viewer, subject: Mapping[str, Any]) -> bool:
    """About yourself, or about someone you manage."""
    return same_organization(viewer, subject) and (subject["_id"] == viewer.employee_id or manages(viewer, subject))


def can_see_feedback_request(viewer: Viewer, request: Mapping[str, Any]) -> bool:
    """The requester and the people asked."""
    return same_organization(viewer, request) and (
        request.get("requesterId") == viewer.employee_id or viewer.employee_id in request.get("respondentIds", []))


def can_see_request_answers(viewer: Viewer, request: Mapping[str, Any]) -> bool:
    """Who was asked, who answered and the answers: the requester, and never for an anonymous request."""
    return (same_organization(viewer, request) and request.get("requesterId") == viewer.employee_id
            and not request.get("anonymous"))


def can_read_anonymous_feedback(viewer: Viewer, item: Mapping[str, Any]) -> bool:
    """Released anonymous upward feedback: the manager it was sent to, nobody else."""
    return same_organization(viewer, item) and item.get("managerId") == viewer.employee_id


def can_see_follow_ups_of(viewer: Viewer, employee: Mapping[str, Any]) -> bool:
    """``employee { openFollowUps }``: the person and their management chain."""
    return same_organization(viewer, employee) and (employee["_id"] == viewer.employee_id or manages(viewer, employee))


def can_see_follow_up(viewer: Viewer, follow_up: Mapping[str, Any], employee: Mapping[str, Any] | None) -> bool:
    """Its owner, its creator, the person it concerns and their management chain; changing it likewise."""
    if not same_organization(viewer, follow_up):
        return False
    if viewer.employee_id in (follow_up.get("ownerId"), follow_up.get("createdById")):
        return True
    return employee is not None and can_see_follow_ups_of(viewer, employee)


def may_follow_up(viewer: Viewer, recipient: Mapping[str, Any]) -> bool:
    """Spawning action items from feedback the viewer can see: its recipient and their management chain."""
    return same_organization(viewer, recipient) and (recipient["_id"] == viewer.employee_id
                                                     or manages(viewer, recipient))


def can_see_follow_up_stats(viewer: Viewer) -> bool:
    """Per-department counts of open and overdue follow-ups: HR admins."""
    return viewer.is_hr_admin


def can_manage_feedback_settings(viewer: Viewer) -> bool:
    """The anonymity threshold, values and competencies: HR admins."""
    return viewer.is_hr_admin


def can_see_praise(viewer: Viewer, praise: Mapping[str, Any]) -> bool:
    """Praise is public within the organisation."""
    return same_organization(viewer, praise)


# Goals (issue 3). ``owner`` below is the person behind a goal: its owning employee, or for a department
# goal the department's head (None when there is none: then only HR admins reach what is not shared
# with everyone). Visibility: ``everyone`` the organisation; ``management_chain`` the owner, the owner's
# managers (direct and indirect) and HR admins; ``private`` the owner and HR admins. Editing needs
# seeing, and then: the owner and their managers; HR admins all goals; company goals HR admins only.

def _owner_or_above(viewer: Viewer, owner: Mapping[str, Any] | None) -> bool:
    return owner is not None and same_organization(viewer, owner) and (
        owner["_id"] == viewer.employee_id or manages(viewer, owner))


def can_see_goal(viewer: Viewer, goal: Mapping[str, Any], owner: Mapping[str, Any] | None) -> bool:
    if not same_organization(viewer, goal):
        return False
    if viewer.is_hr_admin or goal.get("visibility") == "everyone":
        return True
    if owner is None or not same_organization(viewer, owner):
        return False
    if owner["_id"] == viewer.employee_id:
        return True
    return goal.get("visibility") == "management_chain" and manages(viewer, owner)


def may_own_goal(viewer: Viewer, level: str | None, owner: Mapping[str, Any] | None) -> bool:
    """Creating (and editing) a goal of ``level`` owned by ``owner``."""
    if viewer.is_hr_admin:
        return True
    return level != "company" and _owner_or_above(viewer, owner)


def can_edit_goal(viewer: Viewer, goal: Mapping[str, Any], owner: Mapping[str, Any] | None) -> bool:
    """A manager does not edit a report's private goal: they cannot see it."""
    return can_see_goal(viewer, goal, owner) and may_own_goal(viewer, goal.get("level"), owner)


def may_set_private(viewer: Viewer, owner: Mapping[str, Any] | None) -> bool:
    """Only the owner and HR admins make a goal private (nobody hides a goal from themselves)."""
    return viewer.is_hr_admin or (owner is not None and same_organization(viewer, owner)
                                  and owner["_id"] == viewer.employee_id)


def visible_goals_query(viewer: Viewer, managed_ids: Iterable[str],
                        departments: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """:func:`can_see_goal` as a filter on the ``goals`` collection, for lists (counts and cursors).

    ``managed_ids``: everyone below the viewer (direct and indirect, leavers included);
    ``departments``: the organisation's departments with their ``headId``. Empty for HR admins.
    """
    if viewer.is_hr_admin:
        return {}
    managed = sorted(set(managed_ids))
    departments = list(departments)
    headed = sorted(d["_id"] for d in departments if d.get("headId") == viewer.employee_id)
    below = sorted(d["_id"] for d in departments if d.get("headId") in set(managed))
    clauses: list[dict[str, Any]] = [{"visibility": "everyone"}, {"ownerEmployeeId": viewer.employee_id}]
    if managed:
        clauses.append({"visibility": "management_chain", "ownerEmployeeId": {"$in": managed}})
    if headed:
        clauses.append({"ownerEmployeeId": None, "ownerDepartmentId": {"$in": headed}})
    if below:
        clauses.append({"visibility": "management_chain", "ownerEmployeeId": None,
                        "ownerDepartmentId": {"$in": below}})
    return {"$or": clauses}


# Performance reviews (issue 5). ``review`` carries ``state``; ``form`` carries ``kind``
# (self/manager/peer/upward), ``reviewerId`` and ``state``; ``reviewee`` is the reviewed employee's
# document (its ``managerChain`` says who manages them now); ``template`` carries ``peerVisibility`` /
# ``upwardVisibility`` (named/anonymous/hidden). The reviewer of a form and HR admins read it all; the
# reviewee's management chain reads every form; the reviewee reads their own (self) form, the manager's
# form only once the review is shared, and peer/upward forms only when shared and the template names
# reviewers (anonymous answers come as an aggregate, and only with ANONYMITY_THRESHOLD answers).

REVIEW_SHARED = frozenset({"shared", "acknowledged"})
REVIEW_ANONYMITY_THRESHOLD = 3


def can_manage_reviews(viewer: Viewer) -> bool:
    """The competency framework, review templates, cycles, expected levels and reopening forms: HR admins."""
    return viewer.is_hr_admin


def review_relations(viewer: Viewer, reviewee: Mapping[str, Any]) -> frozenset[str]:
    """How the viewer relates to a reviewee: ``reviewee``, ``manager`` (anyone above), ``hr_admin``."""
    if not same_organization(viewer, reviewee):
        return frozenset()
    relations = set()
    if reviewee["_id"] == viewer.employee_id:
        relations.add("reviewee")
    if manages(viewer, reviewee):
        relations.add("manager")
    if viewer.is_hr_admin:
        relations.add("hr_admin")
    return frozenset(relations)


def can_see_review(viewer: Viewer, review: Mapping[str, Any], reviewee: Mapping[str, Any]) -> bool:
    """The review itself (state, history, its forms list): the reviewee, their managers, HR admins."""
    return same_organization(viewer, review) and bool(review_relations(viewer, reviewee))


def can_see_review_score(viewer: Viewer, review: Mapping[str, Any], reviewee: Mapping[str, Any]) -> bool:
    """Scores and calibration: managers and HR admins; the reviewee once the review is shared."""
    relations = review_relations(viewer, reviewee) if same_organization(viewer, review) else frozenset()
    return bool(relations - {"reviewee"}) or ("reviewee" in relations and review.get("state") in REVIEW_SHARED)


def _feedback_visibility(form: Mapping[str, Any], template: Mapping[str, Any]) -> str:
    key = "upwardVisibility" if form.get("kind") == "upward" else "peerVisibility"
    return str(template.get(key) or "anonymous")


def can_read_review_form(viewer: Viewer, form: Mapping[str, Any], review: Mapping[str, Any],
                         reviewee: Mapping[str, Any], template: Mapping[str, Any]) -> bool:
    if not (same_organization(viewer, form) and same_organization(viewer, review)):
        return False
    if form.get("reviewerId") == viewer.employee_id:
        return True
    relations = review_relations(viewer, reviewee)
    if relations - {"reviewee"}:
        return True
    if "reviewee" not in relations or review.get("state") not in REVIEW_SHARED:
        return False
    if form.get("kind") == "manager":
        return True
    return form.get("kind") in ("peer", "upward") and _feedback_visibility(form, template) == "named"


def can_read_review_answer(viewer: Viewer, form: Mapping[str, Any], review: Mapping[str, Any],
                           reviewee: Mapping[str, Any], template: Mapping[str, Any],
                           question: Mapping[str, Any]) -> bool:
    """One answer: readable form, and the question's ``readers`` include the viewer's audience."""
    if not can_read_review_form(viewer, form, review, reviewee, template):
        return False
    if form.get("reviewerId") == viewer.employee_id or viewer.is_hr_admin:
        return True
    readers = set(question.get("readers") or [])
    relations = review_relations(viewer, reviewee)
    return ("manager" in relations and "manager" in readers) or ("reviewee" in relations and "reviewee" in readers)


def can_see_review_feedback(viewer: Viewer, kind: str, review: Mapping[str, Any], reviewee: Mapping[str, Any],
                            template: Mapping[str, Any], answered: int) -> bool:
    """Peer or upward answers as an unnamed aggregate: managers and HR admins; the reviewee once shared,
    unless the template hides them, and for anonymous answers only when enough people answered."""
    relations = review_relations(viewer, reviewee) if same_organization(viewer, review) else frozenset()
    if relations - {"reviewee"}:
        return True
    if "reviewee" not in relations or review.get("state") not in REVIEW_SHARED:
        return False
    visibility = _feedback_visibility({"kind": kind}, template)
    return visibility == "named" or (visibility == "anonymous" and answered >= REVIEW_ANONYMITY_THRESHOLD)


def can_edit_review_form(viewer: Viewer, form: Mapping[str, Any], review: Mapping[str, Any],
                         reviewee: Mapping[str, Any]) -> bool:
    """Answering: the reviewer (on any of their devices) until the form is submitted and while the review
    is not shared; during calibration also the reviewee's managers and HR admins, on the manager's form."""
    if not (same_organization(viewer, form) and same_organization(viewer, review)):
        return False
    if form.get("state") == "submitted" or review.get("state") in REVIEW_SHARED:
        return False
    if form.get("reviewerId") == viewer.employee_id:
        return True
    relations = review_relations(viewer, reviewee) - {"reviewee"}
    return review.get("state") == "calibration" and form.get("kind") == "manager" and bool(relations)


def can_submit_review_form(viewer: Viewer, form: Mapping[str, Any]) -> bool:
    return same_organization(viewer, form) and form.get("reviewerId") == viewer.employee_id


def can_move_review(viewer: Viewer, review: Mapping[str, Any], reviewee: Mapping[str, Any],
                    allowed: frozenset[str]) -> bool:
    """``allowed``: the relations the workflow table lets make this move (models/reviews.py)."""
    return same_organization(viewer, review) and bool(review_relations(viewer, reviewee) & allowed)


def can_calibrate_review(viewer: Viewer, review: Mapping[str, Any], reviewee: Mapping[str, Any]) -> bool:
    """A calibrated rating: the reviewee's managers and HR admins, never the reviewee."""
    return same_organization(viewer, review) and bool(review_relations(viewer, reviewee) - {"reviewee"})


def can_nominate_peers(viewer: Viewer, review: Mapping[str, Any], reviewee: Mapping[str, Any]) -> bool:
    """Choosing the peers who review someone: the reviewee, their managers and HR admins."""
    return same_organization(viewer, review) and bool(review_relations(viewer, reviewee))


def can_follow_cycle(viewer: Viewer) -> bool:
    """Cycle progress and overdue forms: HR admins (everyone), managers (the people below them)."""
    return viewer.is_hr_admin or Role.MANAGER in viewer.roles


def can_see_cycle_scores(viewer: Viewer) -> bool:
    """Rating distributions of a whole cycle, before and after calibration, live: HR admins."""
    return viewer.is_hr_admin


def can_see_competency_profile(viewer: Viewer, employee: Mapping[str, Any]) -> bool:
    """Expected and assessed competency levels are personal: the person, their managers, HR admins."""
    return can_see_personal(viewer, employee)
