"""A promotion increase (issue 16): a promotion decision from the growth domain carried by a merit proposal.

:func:`promotions_of` reads the person's approved (or applied) promotions through
``resolvers/growth/access.py`` (growth sits below compensation in the domain order: a plain accessor call, visible
as the growth rules let the proposer see them); :func:`promotion_increase` picks from them what a proposal records
in ``proposal.promotion``:
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


async def promotions_of(context: Context, employee_id: str) -> list[dict[str, Any]]:
    """The person's approved and applied promotions the viewer may see, newest first (growth's accessor)."""
    return await growth_access.approved_promotions(context, employee_id)


def promotion_increase(cycle: Mapping[str, Any], promotions: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The newest of ``promotions`` (:func:`promotions_of`) effective within ``cycle``, as a proposal records it,
    or ``None``."""
    start, until = cycle.get("periodStart") or "", cycle.get("effectiveDate") or cycle.get("periodEnd") or ""
    for promotion in promotions:  # newest first
        if start <= promotion["effectiveOn"] <= until:
            return {"decisionId": promotion["_id"], "positionId": promotion["toPositionId"],
                    "fromPositionId": promotion.get("fromPositionId"), "effectiveOn": promotion["effectiveOn"],
                    "percent": None}
    return None
