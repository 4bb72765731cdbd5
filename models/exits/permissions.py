"""Who sees what of exits (plain functions; nothing here reads the store).

Exit records (the named interview, HR's classification, reasons, the checklist): HR admins and the record's
assigned interviewer. Managers: the attrition report for the people below them, thresholded (never an
individual's reasons or answers). The leaver: their own candid survey, until they submit it. The candid
answers themselves: nobody; only aggregates over at least k leavers reach a report.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from models.core.viewer import Role, Viewer, same_organization


def can_manage_exits(viewer: Viewer) -> bool:
    """The reason taxonomy, templates, settings, classifying and scheduling: HR admins."""
    return viewer.is_hr_admin


def can_see_exit_record(viewer: Viewer, record: Mapping[str, Any]) -> bool:
    """HR admins and the assigned interviewer."""
    return same_organization(viewer, record) and (viewer.is_hr_admin or
                                                  record.get("interviewerId") == viewer.employee_id)


def can_record_interview(viewer: Viewer, record: Mapping[str, Any]) -> bool:
    """The named interview's answers: HR admins and the assigned interviewer."""
    return can_see_exit_record(viewer, record)


def can_work_checklist(viewer: Viewer, record: Mapping[str, Any]) -> bool:
    """Ticking off and reassigning the leaver's open work: HR admins and the assigned interviewer."""
    return can_see_exit_record(viewer, record)


def can_see_attrition_report(viewer: Viewer) -> bool:
    """HR admins (the whole organisation) and managers (the people below them)."""
    return viewer.is_hr_admin or Role.MANAGER in viewer.roles


def report_scope(viewer: Viewer) -> str | None:
    """Whose leavers a report covers: ``None`` for the whole organisation (HR admins), else the manager's id
    (the people who had them in their management chain)."""
    return None if viewer.is_hr_admin else viewer.employee_id


def can_answer_survey(viewer: Viewer, record: Mapping[str, Any]) -> bool:
    """The leaver, on their own record only."""
    return same_organization(viewer, record) and record.get("employeeId") == viewer.employee_id
