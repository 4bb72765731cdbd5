"""The notifications domain's accessor for other domains: the goal-update reminder cadence (``staleGoalWeeks``)
of a department or a person, which a pilot (``resolvers/pilots``) sets and restores with this domain's rules
(``models/notifications/reminders.py``). The shape of ``earlier`` is ``{"departments": {id: weeks or None},
"employees": {id: weeks or None}}`` (``None``: none of its own, the organisation's applies)."""

from __future__ import annotations

from models.core.errors import ErrorCode, FieldError
from models.notifications.reminders import DEPARTMENT, EMPLOYEE, check_stale_goal_weeks
from resolvers.core.context import Context, require
from store.notifications import reminders as reminder_store

PARTS = {"departments": DEPARTMENT, "employees": EMPLOYEE}
Settings = dict[str, dict[str, int | None]]


async def check_stale_goal_weeks_value(context: Context, value: str | None) -> tuple[str | None, list[FieldError]]:
    """A pilot's value: a whole number of weeks, 1 to 52, in its stored (text) form; else INVALID on ``value``."""
    await require(context)
    try:
        weeks = int((value or "").strip())
    except ValueError:
        return None, [FieldError("value", ErrorCode.INVALID, "a goal-update reminder cadence is a number of weeks")]
    errors = check_stale_goal_weeks(weeks, "value")
    return (None, errors) if errors else (str(weeks), [])


async def current_stale_goal_weeks(context: Context, department_ids: list[str], employee_ids: list[str]) -> Settings:
    """The departments' and people's own staleGoalWeeks as now (read in the pilot's transaction)."""
    store = (await require(context)).store
    return {"departments": await reminder_store.overrides_of(store, DEPARTMENT, department_ids),
            "employees": await reminder_store.overrides_of(store, EMPLOYEE, employee_ids)}


async def apply_stale_goal_weeks(context: Context, values: dict[str, dict[str, str | int | None]]) -> None:
    """Write ``values`` (the shape of :func:`current_stale_goal_weeks`, weeks as numbers or their text; ``None``
    removes one); the scheduler's next run reminds by them."""
    store = (await require(context)).store
    for part, unit in PARTS.items():
        if values.get(part):
            await reminder_store.set_overrides(store, unit, {id: None if weeks is None else int(weeks)
                                                             for id, weeks in values[part].items()})
