"""The growth event channels: one per person's growth plan, its changes published after they commit."""

from __future__ import annotations

from typing import Any

from models.growth.rules import GrowthPlanChange
from resolvers.core.context import SignedIn
from resolvers.core.publish import publish_after_commit


def plan_channel(organization_id: str, employee_id: str) -> str:
    """The bus channel of one person's growth plan."""
    return f"growth-plan:{organization_id}:{employee_id}"


async def plan_changed(signed_in: SignedIn, employee_id: str, kind: GrowthPlanChange, **extra: Any) -> None:
    """After a committed write: one event for the plan's readers (the stream checks each of them)."""
    message = {"employeeId": employee_id, "kind": kind.value, "byId": signed_in.viewer.employee_id, **extra}
    await publish_after_commit(signed_in.context, plan_channel(signed_in.viewer.organization_id, employee_id),
                               message)
