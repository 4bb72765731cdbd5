"""The extension point for a promotion increase (issue 16): a promotion decision from the growth domain
can carry an increase on top of the merit increase.

The growth domain (promotions) is built on another branch. Once it lands, :func:`promotion_increase` reads
the person's promotion decision through ``resolvers/growth/access.py`` (growth sits below compensation in
the domain order, so this is a plain accessor call, no hook needed) and returns what a proposal records
in ``proposal.promotion``: ``{"decisionId", "percent", "positionId"}``, counted on the promotion budget
(``promotionBudgetPercent`` of the cycle). Until then there is no promotion decision to read and every
proposal records ``promotion: null``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from resolvers.core.context import Context


async def promotion_increase(context: Context, cycle: Mapping[str, Any],
                             participant: Mapping[str, Any]) -> dict[str, Any] | None:
    """The promotion increase a growth-domain decision carries for ``participant`` in ``cycle`` (none yet)."""
    return None
