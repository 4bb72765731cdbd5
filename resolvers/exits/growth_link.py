"""The extension point for the growth domain (built in parallel on another branch).

When ``resolvers/growth/access.py`` exists, two things are read through it here and nowhere else:

* :func:`growth_checklist_items`: the leaver's mentorships (as mentor or mentee) and the succession slots they
  fill, as ``ChecklistKind.MENTORSHIP`` / ``ChecklistKind.SUCCESSION_SLOT`` items with a suggested new owner;
* :func:`growth_plans`: whether each leaver had a growth plan (the attrition report's "no growth plan" signal).

Until then both answer "nothing known": no items, and ``None`` (unknown) for every plan, so preventable regretted
attrition counts lapsed check-ins only. Mentorships recorded on the employee (``mentorId``, the org chart's
field) are listed already, from the org chart.
"""

from __future__ import annotations

from collections.abc import Sequence

from models.core.documents import Document
from resolvers.core.context import Context


async def growth_checklist_items(context: Context, exit_id: str, leaver: Document) -> list[Document]:
    """Mentorships and succession slots from the growth domain: none until its accessor exists."""
    return []


async def growth_plans(context: Context, employee_ids: Sequence[str]) -> dict[str, bool | None]:
    """Whether each person had a growth plan: unknown (``None``) until the growth domain's accessor exists."""
    return dict.fromkeys(employee_ids)
