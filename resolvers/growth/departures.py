"""growth's departure step (org's hook, ``resolvers/org/access.on_departure``): when someone is leaving (terminated
today, or an end date set ahead; through the API, SCIM or an import), every succession plan listing them as a
successor gets a ``successionChanged`` push (``SUCCESSOR_LEFT``) once org's change is committed, so the plan's
readers see its bench strength and risks as they are now. Reads only, inside org's transaction: a retried run
reads the same plans. A withdrawn departure (``last_day`` ``None``) pushes nothing."""

from __future__ import annotations

from datetime import date

from models.core.documents import Document
from models.growth.succession import SuccessionChange
from resolvers.core.context import Context, require
from resolvers.growth.channels import succession_published
from resolvers.org import access as org_access
from store.growth import repository as growth_store


@org_access.on_departure
async def successor_leaving(context: Context, employee: Document, last_day: date | None
                            ) -> org_access.AfterCommit | None:
    """The positions whose succession plans name ``employee``; a push to each after the commit."""
    if last_day is None:
        return None
    signed_in = await require(context)
    positions = [plan["positionId"] for plan in await growth_store.plans_naming(signed_in.store, employee["_id"])]
    if not positions:
        return None

    async def then() -> None:
        for position_id in positions:
            await succession_published(signed_in, position_id, SuccessionChange.SUCCESSOR_LEFT,
                                       employeeId=employee["_id"])
    return then
