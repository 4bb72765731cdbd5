"""A promotion increase (issue 16): a promotion decision from the growth domain carried by a merit proposal.

:func:`promotion_increase` reads the person's approved (or applied) promotions through
``resolvers/growth/access.py`` (growth sits below compensation in the domain order: a plain accessor call, visible
as the growth rules let the proposer see them) and returns what a proposal records in ``proposal.promotion``:
``{"decisionId", "positionId", "fromPositionId", "effectiveOn", "percent"}`` for the newest promotion effective
in the cycle (after its ``periodStart``, on or before its ``effectiveDate``), else ``None``. A growth decision
carries no pay figure, so ``percent`` is ``None``: the increase that goes with the promotion is not set yet (it is
what would be counted on the cycle's ``promotionBudgetPercent``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from resolvers.core.context import Context
from resolvers.growth import access as growth_access


async def promotion_increase(context: Context, cycle: Mapping[str, Any],
                             participant: Mapping[str, Any]) -> dict[str, Any] | None:
    """The promotion decision the growth domain holds for ``participant`` within ``cycle``, or ``None``."""
    start, until = cycle.get("periodStart") or "", cycle.get("effectiveDate") or cycle.get("periodEnd") or ""
    for promotion in await growth_access.approved_promotions(context, participant["employeeId"]):  # newest first
        if start <= promotion["effectiveOn"] <= until:
            return {"decisionId": promotion["_id"], "positionId": promotion["toPositionId"],
                    "fromPositionId": promotion.get("fromPositionId"), "effectiveOn": promotion["effectiveOn"],
                    "percent": None}
    return None
