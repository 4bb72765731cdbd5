"""Who may see and do what with feedback, requests, anonymous feedback, follow-ups and praise."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from models.core.viewer import Viewer, same_organization
from models.org.permissions import manages

# Feedback, praise and follow-ups. ``recipient`` / ``employee`` below are employee documents
# (their ``managerChain`` says who manages them now). Attributed feedback is readable by its author,
# by its recipient unless it is a ``manager_only`` note, and by the recipient's management chain unless
# it is ``private``; HR admins get no extra reach. Anonymous upward feedback carries no author at all;
# only the manager it was sent to may read it (once released), HR admins included in "nobody else".

def can_see_feedback(viewer: Viewer, feedback: Mapping[str, Any], recipient: Mapping[str, Any] | None) -> bool:
    """Attributed feedback: its author; its recipient unless it is a note to their managers; the recipient's management
    chain unless it is private."""
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




def can_see_request_exists(viewer: Viewer, request: Mapping[str, Any]) -> bool:
    """That a request is open, its due date and who asked whom (never its question or answers): the requester,
    the people asked and HR admins (who reassign a leaver's open work)."""
    return can_see_feedback_request(viewer, request) or (same_organization(viewer, request) and viewer.is_hr_admin)


def can_count_feedback_received(viewer: Viewer, recipient: Mapping[str, Any]) -> bool:
    """How many attributed items someone received (a count, never an item): the person, their management chain
    and HR admins (the attrition report's join with earlier signals)."""
    return same_organization(viewer, recipient) and (
        viewer.is_hr_admin or recipient["_id"] == viewer.employee_id or manages(viewer, recipient))
