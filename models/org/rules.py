"""The organisation domain: document shapes, ids and the pure rules on them."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from enum import StrEnum
from typing import Any

from models.core.documents import Document
from models.core.errors import ErrorCode, FieldError

EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class EmployeeStatus(StrEnum):
    ACTIVE = "active"
    ON_LEAVE = "on_leave"
    TERMINATED = "terminated"


class OrgChange(StrEnum):
    """What an org-chart event reports."""

    EMPLOYEE_CREATED = "employee_created"
    EMPLOYEE_UPDATED = "employee_updated"
    MANAGER_CHANGED = "manager_changed"
    DEPARTMENT_CHANGED = "department_changed"
    EMPLOYEE_TERMINATED = "employee_terminated"
    DEPARTMENT_SAVED = "department_saved"
    POSITION_SAVED = "position_saved"


def normalize_email(email: str) -> str:
    return email.strip().lower()


def check_email(value: str | None, field: str = "email") -> list[FieldError]:
    if value is None:
        return [FieldError(field, ErrorCode.REQUIRED, "email is required")]
    if not EMAIL_PATTERN.match(value.strip()):
        return [FieldError(field, ErrorCode.INVALID, f"{value!r} is not an email address")]
    return []


def check_hire_date(value: date | None, today: date) -> list[FieldError]:
    if value is None:
        return [FieldError("hireDate", ErrorCode.REQUIRED, "hireDate is required")]
    if value.year < 1900 or value > date(today.year + 1, today.month, min(today.day, 28)):
        return [FieldError("hireDate", ErrorCode.INVALID, "hireDate must lie between 1900 and a year from now")]
    return []


def chain_of(manager: Mapping[str, Any] | None) -> list[str]:
    """The management chain (root first) of someone who reports to ``manager``."""
    if manager is None:
        return []
    return [*manager.get("managerChain", []), manager["_id"]]


def would_cycle(employee_id: str, new_manager: Mapping[str, Any] | None) -> bool:
    """True when reporting to ``new_manager`` makes ``employee_id`` their own (indirect) manager."""
    if new_manager is None:
        return False
    return new_manager["_id"] == employee_id or employee_id in new_manager.get("managerChain", [])


def would_cycle_in(node_id: str, new_parent: Mapping[str, Any] | None, parents: Mapping[str, str | None]) -> bool:
    """True when ``new_parent`` lies in the subtree of ``node_id`` (``parents``: id → parent id).

    Walks the parent links themselves, so it holds even where derived chains are stale.
    """
    current = new_parent["_id"] if new_parent else None
    seen: set[str] = set()
    while current is not None and current not in seen:
        if current == node_id:
            return True
        seen.add(current)
        current = parents.get(current)
    return False


department_would_cycle = would_cycle_in


def rebuild_chains(root: Mapping[str, Any] | None, subtree: Iterable[Mapping[str, Any]]) -> dict[str, list[str]]:
    """Recompute ``managerChain`` below ``root`` (``None``: the whole organisation) from ``managerId``.

    ``managerId`` is the truth and ``managerChain`` is derived from it, so this can be run
    again at any time and converges: that is what makes re-parenting safe to repeat after
    a failure part-way. Returns id → new chain for the documents whose chain changed.
    """
    by_manager: dict[str | None, list[Mapping[str, Any]]] = {}
    for doc in subtree:
        by_manager.setdefault(doc.get("managerId"), []).append(doc)
    changed: dict[str, list[str]] = {}
    stack: list[tuple[str | None, list[str]]] = [(root["_id"] if root else None, chain_of(root))]
    while stack:
        manager_id, chain = stack.pop()
        for doc in by_manager.get(manager_id, []):
            if list(doc.get("managerChain", [])) != chain:
                changed[doc["_id"]] = chain
            stack.append((doc["_id"], [*chain, doc["_id"]]))
    return changed


def status_entry(status: EmployeeStatus, at: Any, by: str | None, note: str | None = None) -> Document:
    return {"status": status.value, "at": at, "byId": by, "note": note}
