"""What a goals list is filtered by: plain values from the API, turned into a query by the store."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class GoalFilterSpec:
    """The ``goals`` query's filter; ``department_id`` covers the department's goals and its people's."""

    owner_id: str | None = None
    department_id: str | None = None
    level: str | None = None
    statuses: tuple[str, ...] = ()
    period_start: str | None = None  # "YYYY-MM-DD": goals whose [startDate, dueDate] overlaps the period
    period_end: str | None = None
    include_archived: bool = False
