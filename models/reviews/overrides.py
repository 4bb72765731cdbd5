"""Review template overrides (pure): which template a cycle's launch gives each person.

A cycle has one template (``reviewCycles.templateId``). HR admins (or a pilot, through
``resolvers/reviews/access.py``) may override it for a department or for one person
(``reviewTemplateOverrides``: ``{_id: "<organisation>:<unit>:<id>", unit: "department" | "employee", unitId,
templateId}``; who set it is in the audit trail). When a launch creates a person's review, the template is the person's
override, else their own department's (not a parent's), else the cycle's. A review keeps the template it was
created with: an override set later applies to reviews (and forms) created after it, never to issued ones.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any


class OverrideUnit(StrEnum):
    """What a review template override is set for."""

    DEPARTMENT = "department"
    EMPLOYEE = "employee"


def override_id(organization_id: str, unit: OverrideUnit | str, unit_id: str) -> str:
    """One override per (organisation, unit, id): its deterministic id, so that setting one twice upserts it."""
    return f"{organization_id}:{OverrideUnit(unit).value}:{unit_id}"


def template_id_for(employee: Mapping[str, Any], overrides: Mapping[tuple[str, str], str],
                    cycle_template_id: str) -> str:
    """The template of ``employee``'s new review: their own override, their department's, else the cycle's.
    ``overrides`` maps (unit, unit id) to a template id."""
    own = overrides.get((OverrideUnit.EMPLOYEE.value, employee["_id"]))
    if own is not None:
        return own
    department = employee.get("departmentId")
    if department is not None:
        found = overrides.get((OverrideUnit.DEPARTMENT.value, department))
        if found is not None:
            return found
    return cycle_template_id
