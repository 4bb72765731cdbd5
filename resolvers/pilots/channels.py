"""The pilots domain's bus channel and its events (pilot ids only; a survey answer publishes nothing: an event at
the moment someone answers would tell a subscriber who it was)."""

from __future__ import annotations

from models.pilots.rules import PilotChange
from resolvers.core.context import Context, require
from resolvers.core.publish import publish_after_commit


def pilots_channel(organization_id: str) -> str:
    return f"pilots:{organization_id}"


async def publish_pilot_change(context: Context, kind: PilotChange, pilot_id: str) -> None:
    """After the commit: ``{kind, pilotId}`` (``pilotComparisonChanged`` listens)."""
    organization_id = (await require(context)).viewer.organization_id
    await publish_after_commit(context, pilots_channel(organization_id), {"kind": kind.value, "pilotId": pilot_id})
