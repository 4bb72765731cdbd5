"""Who reads the audit trail, and its filter."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from models.core.viewer import Viewer


@dataclass(frozen=True)
class AuditFilterSpec:
    object_id: str | None = None
    actor_id: str | None = None
    object_type: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def can_read_audit_log(viewer: Viewer) -> bool:
    """The whole organisation's trail: HR admins."""
    return viewer.is_hr_admin


def can_read_history(viewer: Viewer, employee_id: str) -> bool:
    """An employee's history (every change to their record, who made it): HR admins and the person."""
    return viewer.is_hr_admin or viewer.employee_id == employee_id
