"""HR admins: a department's or a person's own goal-update reminder cadence (``staleGoalWeeks`` over the
organisation's; ``models/notifications/reminders.py: stale_goal_weeks_of``). A pilot sets the same through
``resolvers/notifications/access.py``."""

from __future__ import annotations

from models.core.documents import Document
from models.core.errors import ErrorCode, FieldError
from models.notifications.reminders import DEPARTMENT, check_stale_goal_weeks
from resolvers.core.context import Context, require_role
from resolvers.core.outcome import Outcome
from resolvers.notifications.reminders import can_configure_reminders
from store.notifications import reminders as reminder_store

HR_ONLY = "only HR admins configure reminders"


async def overrides(context: Context) -> list[Document]:
    """Every department's and person's own staleGoalWeeks, departments first."""
    signed_in = await require_role(context, can_configure_reminders, HR_ONLY)
    return await reminder_store.all_overrides(signed_in.store)


async def set_stale_goal_weeks(context: Context, unit: str, unit_id: str, weeks: int | None) -> Outcome:
    """Set (``None``: remove) one department's or person's staleGoalWeeks; NOT_FOUND for an unknown department or
    a person unknown or gone, INVALID outside 1 to 52; nothing written on refusal."""
    signed_in = await require_role(context, can_configure_reminders, HR_ONLY)
    field = "departmentId" if unit == DEPARTMENT else "employeeId"
    loader = signed_in.loaders.department_by_id if unit == DEPARTMENT else signed_in.loaders.employee_by_id
    found = await loader.load(unit_id)
    errors = [] if weeks is None else check_stale_goal_weeks(weeks)
    if found is None or found.get("status") == "terminated":
        errors.insert(0, FieldError(field, ErrorCode.NOT_FOUND, f"no {unit} {unit_id!r} in your organisation"))
    if errors:
        return Outcome(errors=errors)
    await reminder_store.set_overrides(signed_in.store, unit, {unit_id: weeks})
    current = (await reminder_store.overrides_of(signed_in.store, unit, [unit_id]))[unit_id]
    return Outcome({"unit": unit, "unitId": unit_id, "staleGoalWeeks": current})
