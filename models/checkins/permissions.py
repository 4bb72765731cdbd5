"""Who may read and change check-ins (plain functions; nothing here reads the store)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from models.core.viewer import Role, Viewer, same_organization
from models.org.permissions import manages

# Check-ins. A series and each of its occurrences carry ``employeeId`` and ``managerId``:
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
    """Its author only."""
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
    """The participation report: HR admins."""
    return viewer.is_hr_admin


def can_subscribe_check_in(viewer: Viewer, check_in: Mapping[str, Any]) -> bool:
    """Live edits go to the two participants only."""
    return is_check_in_participant(viewer, check_in)


