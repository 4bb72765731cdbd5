"""Who sees what of the organisation: the org chart for everyone in it, personal fields for the person,
their management chain and HR admins. Plain functions; nothing here reads the store."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from models.core.errors import ErrorCode, FieldError
from models.core.viewer import Role, Viewer, same_organization
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


def role_change_errors(viewer: Viewer, before: Iterable[str], after: Iterable[str]) -> list[FieldError]:
    """Granting or withdrawing ``compensation_admin`` (pay, the strictest data) is for compensation admins
    only: an HR admin cannot give themselves, or anyone, access to pay."""
    if (Role.COMPENSATION_ADMIN.value in set(before)) == (Role.COMPENSATION_ADMIN.value in set(after)):
        return []
    if viewer.is_compensation_admin:
        return []
    return [FieldError("roles", ErrorCode.FORBIDDEN, "only compensation admins grant or withdraw compensation_admin")]


def can_manage_org(viewer: Viewer) -> bool:
    """Creating and changing employees, departments and positions: HR admins."""
    return viewer.is_hr_admin


def may_sign_in(employee: Mapping[str, Any] | None) -> bool:
    """A token is honoured only while its employee exists and has not been terminated."""
    return employee is not None and employee.get("status") != EmployeeStatus.TERMINATED.value


