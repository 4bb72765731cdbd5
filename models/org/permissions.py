"""Who sees what of the organisation: the org chart for everyone in it, personal fields for the person,
their management chain and HR admins. Plain functions; nothing here reads the store."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from models.core.viewer import Viewer, same_organization
from models.org.rules import EmployeeStatus


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


