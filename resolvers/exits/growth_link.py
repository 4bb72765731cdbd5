"""The exit checklist's and the attrition report's link to the growth domain, read through
``resolvers/growth/access.py`` only (growth sits below exits in the domain order):

* :func:`growth_checklist_items`: the leaver's active mentorships (as mentor or mentee) and the succession slots
  they fill, as ``ChecklistKind.MENTORSHIP`` / ``ChecklistKind.SUCCESSION_SLOT`` items, each with the leaver's
  manager as suggested new owner (who finds a new mentor, or names another successor). The accessor answers only
  to people who oversee the leaver (their management chain and HR admins); anyone else gets no growth items.
* :func:`growth_plans`: whether each leaver had a growth plan (the attrition report's "no growth plan" signal),
  ``None`` (unknown) for a leaver whose plan the viewer may not read.
* :func:`last_role_changes`: the day of each leaver's last promotion or position change up to their last day: the
  org chart's position history (HR's changes and applied promotions) and growth's decided promotions (approved or
  applied, by effective date), the latest of those the viewer may see.

Mentorships recorded on the employee (``mentorId``, the org chart's field) are listed from the org chart.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from models.core.documents import Document
from models.exits.rules import ChecklistKind, checklist_item
from resolvers.core.context import Context
from resolvers.core.errors import Forbidden
from resolvers.growth import access as growth_access
from resolvers.org import access as org_access


async def growth_checklist_items(context: Context, exit_id: str, leaver: Document) -> list[Document]:
    """Mentorships and succession slots of ``leaver`` the viewer may see, as checklist items."""
    try:
        work = await growth_access.open_work_of(context, leaver["_id"])
    except Forbidden:
        return []
    suggested = leaver.get("managerId")
    others = [m["menteeId"] for m in work.mentoring] + [m["mentorId"] for m in work.mentored_by]
    names = {e["_id"]: e["name"] for e in await org_access.employees(context, others)} if others else {}
    items = [checklist_item(exit_id, ChecklistKind.MENTORSHIP, m["_id"],
                            f"Mentoring {names.get(m['menteeId'], 'a colleague')}", suggested)
             for m in work.mentoring]
    items += [checklist_item(exit_id, ChecklistKind.MENTORSHIP, m["_id"],
                             f"Mentored by {names.get(m['mentorId'], 'a colleague')}", suggested)
              for m in work.mentored_by]
    if work.succession_slots:
        titles = {p["_id"]: p["title"] for p in await org_access.positions(context)}
        for slot in work.succession_slots:
            title = titles.get(slot["positionId"], "a position")
            rank = f" (rank {slot['rank']})" if slot.get("rank") is not None else ""
            items.append(checklist_item(exit_id, ChecklistKind.SUCCESSION_SLOT, slot["positionId"],
                                        f"Successor for {title}{rank}", suggested))
    return items


async def growth_plans(context: Context, employee_ids: Sequence[str]) -> dict[str, bool | None]:
    """Whether each person had a growth plan; ``None`` where the viewer may not know."""
    return await growth_access.have_growth_plans(context, employee_ids) if employee_ids else {}


async def last_role_changes(context: Context, last_days: Mapping[str, date]) -> dict[str, date | None]:
    """Each leaver's last promotion or position change on or before their last day (``last_days``: employee id →
    last day); ``None`` where there was none the viewer may see. Two batched reads whatever the number of leavers."""
    if not last_days:
        return {}
    ids = list(last_days)
    moved = await org_access.last_position_changes(context, ids)
    promoted = await growth_access.decided_promotion_dates(context, ids)
    found: dict[str, date | None] = {}
    for id, last_day in last_days.items():
        days = [d for d in promoted.get(id, []) if d <= last_day]
        at = moved.get(id)
        if at is not None and at.date() <= last_day:
            days.append(at.date())
        found[id] = max(days) if days else None
    return found
