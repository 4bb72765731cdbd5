"""Which domain owns each piloted practice, and the three calls a pilot makes on it through that domain's
accessor (never a copy of its rules): check the piloted value, read the setting as it is for the cohort (what
reverting restores), and write settings (the piloted value, or the recorded earlier ones).

- ``CHECK_IN_CADENCE``, ``CHECK_IN_TEMPLATE``: ``resolvers/checkins/access.py`` (a department's cadence or
  template, a person's series' cadence);
- ``REVIEW_TEMPLATE``: ``resolvers/reviews/access.py`` (a department's or a person's review template override,
  used by cycle launches for the reviews they create afterwards);
- ``GOAL_UPDATE_REMINDER``: ``resolvers/notifications/access.py`` (a department's or a person's own
  ``staleGoalWeeks``: how long a goal may go without an update before its owner is reminded).
"""

from __future__ import annotations

from typing import Any

from models.core.errors import FieldError
from models.pilots.rules import Practice
from resolvers.checkins import access as checkins
from resolvers.core.context import Context
from resolvers.notifications import access as notifications
from resolvers.reviews import access as reviews

Settings = dict[str, dict[str, Any]]


async def check_value(context: Context, practice: str, value: str | None, *,
                      people: bool) -> tuple[str | None, list[FieldError]]:
    """The stored form of the piloted value, or typed errors on ``value`` (or ``cohort``)."""
    if practice == Practice.REVIEW_TEMPLATE.value:
        return await reviews.check_template_value(context, value)
    if practice == Practice.GOAL_UPDATE_REMINDER.value:
        return await notifications.check_stale_goal_weeks_value(context, value)
    return await checkins.check_setting_value(context, practice, value, people=people)


async def current(context: Context, practice: str, department_ids: list[str], employee_ids: list[str]) -> Settings:
    """The practice's settings for the cohort as they are now (read in the pilot's transaction)."""
    if practice == Practice.REVIEW_TEMPLATE.value:
        return await reviews.current_template_overrides(context, department_ids, employee_ids)
    if practice == Practice.GOAL_UPDATE_REMINDER.value:
        return await notifications.current_stale_goal_weeks(context, department_ids, employee_ids)
    return await checkins.current_settings(context, practice, department_ids, employee_ids)


async def apply(context: Context, practice: str, values: Settings) -> None:
    """Write ``values`` (the shape :func:`current` returns) through the owning domain."""
    if practice == Practice.REVIEW_TEMPLATE.value:
        await reviews.apply_template_overrides(context, values)
    elif practice == Practice.GOAL_UPDATE_REMINDER.value:
        await notifications.apply_stale_goal_weeks(context, values)
    else:
        await checkins.apply_settings(context, practice, values)
