"""The growth event channels: one per person's growth plan and one per position's succession plan, their
changes published after they commit."""

from __future__ import annotations

from typing import Any

from models.growth.rules import GrowthPlanChange
from models.growth.succession import SuccessionChange
from resolvers.core.context import SignedIn
from resolvers.core.publish import publish_after_commit
from store.growth import repository as growth_store


def plan_channel(organization_id: str, employee_id: str) -> str:
    """The bus channel of one person's growth plan."""
    return f"growth-plan:{organization_id}:{employee_id}"


async def plan_changed(signed_in: SignedIn, employee_id: str, kind: GrowthPlanChange, **extra: Any) -> None:
    """After a committed write: one event for the plan's readers (the stream checks each of them)."""
    message = {"employeeId": employee_id, "kind": kind.value, "byId": signed_in.viewer.employee_id, **extra}
    await publish_after_commit(signed_in.context, plan_channel(signed_in.viewer.organization_id, employee_id),
                               message)


def succession_channel(organization_id: str, position_id: str) -> str:
    """The bus channel of one position's succession plan."""
    return f"succession:{organization_id}:{position_id}"


async def succession_published(signed_in: SignedIn, position_id: str, kind: SuccessionChange, **extra: Any) -> None:
    await publish_after_commit(signed_in.context, succession_channel(signed_in.viewer.organization_id, position_id),
                               {"positionId": position_id, "kind": kind.value, "byId": signed_in.viewer.employee_id,
                                **extra})


async def succession_readiness_changed(signed_in: SignedIn, employee_id: str, position_id: str) -> None:
    """After an assessment: a push to that position's plan if the person is among its successors."""
    for plan in await growth_store.plans_naming(signed_in.store, employee_id):
        if plan["positionId"] == position_id:
            await succession_published(signed_in, position_id, SuccessionChange.READINESS_CHANGED,
                                       employeeId=employee_id)
