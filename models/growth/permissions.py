"""Who sees and does what in the growth domain. Plain functions; nothing here reads the store.

* Career tracks: everyone in the organisation reads them; HR admins save them.
* A growth plan (targets, actions, progress): the person, their management chain and HR admins; a
  mentor of theirs (an active mentorship) only while the person shares the plan with their mentors.
  The person sets their targets (HR admins too); the person, their managers, HR admins and a mentor
  the plan is shared with save development actions.
* Readiness (for any position) and its evidence: the person, their management chain and HR admins;
  the managers above the person and HR admins assess it (never the person themselves).
* Succession plans (and so bench strength and risks): HR admins and the management chain above the
  position (above any of its incumbents); never the incumbents or the successors themselves. The same
  people save them.
* Potential ratings: the person's management chain and HR admins read and set them; never the person.
* Candidate rankings for a position: HR admins and the chain above the position; a manager's ranking
  holds only the people below them (whose ratings they may see).
* Mentor suggestions for a person: the person, their management chain and HR admins. They show only
  that a suggested mentor's last shared review meets a level, never the mentor's levels.
* Mentorships: the pair, the mentee's management chain and HR admins read them; session notes only
  the pair, never anyone else. The mentee, their managers and HR admins start one; the pair, the
  mentee's managers and HR admins end it; the pair logs sessions.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from models.core.viewer import Viewer, same_organization


def can_save_track(viewer: Viewer) -> bool:
    return viewer.is_hr_admin


def oversees(viewer: Viewer, employee: Mapping[str, Any]) -> bool:
    """The person themselves, their management chain and HR admins."""
    if not same_organization(viewer, employee):
        return False
    return (viewer.is_hr_admin or employee["_id"] == viewer.employee_id
            or viewer.employee_id in employee.get("managerChain", []))


def can_read_plan(viewer: Viewer, employee: Mapping[str, Any], plan: Mapping[str, Any] | None,
                  mentor_ids: Collection[str]) -> bool:
    """``mentor_ids``: the person's mentors in active mentorships."""
    if oversees(viewer, employee):
        return True
    return (same_organization(viewer, employee) and viewer.employee_id in mentor_ids
            and plan is not None and bool(plan.get("sharedWithMentors")))


def can_set_targets(viewer: Viewer, employee: Mapping[str, Any]) -> bool:
    return same_organization(viewer, employee) and (viewer.is_hr_admin or employee["_id"] == viewer.employee_id)


def can_save_action(viewer: Viewer, employee: Mapping[str, Any], plan: Mapping[str, Any] | None,
                    mentor_ids: Collection[str]) -> bool:
    return can_read_plan(viewer, employee, plan, mentor_ids)


def may_own_action(owner_id: str, employee: Mapping[str, Any], mentor_ids: Collection[str]) -> bool:
    """An action is owned by the person, one of their managers or one of their mentors."""
    return owner_id == employee["_id"] or owner_id in employee.get("managerChain", []) or owner_id in mentor_ids


def can_read_mentorship(viewer: Viewer, mentorship: Mapping[str, Any], mentee: Mapping[str, Any]) -> bool:
    if not same_organization(viewer, mentee) or not same_organization(viewer, mentorship):
        return False
    return viewer.employee_id == mentorship["mentorId"] or oversees(viewer, mentee)


def can_read_session_notes(viewer: Viewer, mentorship: Mapping[str, Any]) -> bool:
    """Only the pair: not their managers, not HR admins."""
    return same_organization(viewer, mentorship) and viewer.employee_id in (mentorship["mentorId"],
                                                                            mentorship["menteeId"])


def can_start_mentorship(viewer: Viewer, mentee: Mapping[str, Any]) -> bool:
    return oversees(viewer, mentee)


def can_end_mentorship(viewer: Viewer, mentorship: Mapping[str, Any], mentee: Mapping[str, Any]) -> bool:
    return can_read_mentorship(viewer, mentorship, mentee)


def can_log_session(viewer: Viewer, mentorship: Mapping[str, Any]) -> bool:
    return can_read_session_notes(viewer, mentorship)


def can_see_mentor_suggestions(viewer: Viewer, mentee: Mapping[str, Any]) -> bool:
    """Mentor suggestions for a person: the person, their management chain and HR admins."""
    return oversees(viewer, mentee)


def can_read_readiness(viewer: Viewer, employee: Mapping[str, Any]) -> bool:
    return oversees(viewer, employee)


def can_assess_readiness(viewer: Viewer, employee: Mapping[str, Any]) -> bool:
    return same_organization(viewer, employee) and (
        viewer.is_hr_admin or viewer.employee_id in employee.get("managerChain", []))


def can_save_growth_settings(viewer: Viewer) -> bool:
    """Staleness of evidence and the weights of the candidate ranking: HR admins."""
    return viewer.is_hr_admin


def can_see_succession(viewer: Viewer, incumbents: Collection[Mapping[str, Any]]) -> bool:
    """HR admins, and anyone above an incumbent of the position in the management chain."""
    if viewer.is_hr_admin:
        return True
    return any(same_organization(viewer, i) and viewer.employee_id in i.get("managerChain", []) for i in incumbents)


def can_rate_talent(viewer: Viewer, employee: Mapping[str, Any]) -> bool:
    """Managers above the person and HR admins, never the person themselves."""
    return same_organization(viewer, employee) and employee["_id"] != viewer.employee_id and (
        viewer.is_hr_admin or viewer.employee_id in employee.get("managerChain", []))


def can_rank_for(viewer: Viewer, employee: Mapping[str, Any]) -> bool:
    """Whom a ranking may include for this viewer: HR admins everyone, a manager the people below them."""
    return same_organization(viewer, employee) and (
        viewer.is_hr_admin or viewer.employee_id in employee.get("managerChain", []))
