"""The viewer every rule is asked about: the authenticated person a request or a subscription acts for."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Role(StrEnum):
    EMPLOYEE = "employee"
    MANAGER = "manager"
    HR_ADMIN = "hr_admin"
    # Pay: bands, merit cycles, budgets, exports. HR admins do not hold it by default (issue 16).
    COMPENSATION_ADMIN = "compensation_admin"


@dataclass(frozen=True)
class Viewer:
    """The authenticated person a request or a subscription acts for."""

    employee_id: str
    organization_id: str
    roles: frozenset[Role]

    @property
    def is_hr_admin(self) -> bool:
        return Role.HR_ADMIN in self.roles

    @property
    def is_compensation_admin(self) -> bool:
        return Role.COMPENSATION_ADMIN in self.roles


def same_organization(viewer: Viewer, document: Mapping[str, Any]) -> bool:
    return document.get("organizationId") == viewer.organization_id

