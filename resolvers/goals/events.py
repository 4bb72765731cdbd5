"""The goal-progress channels and their event: which goals' progress a committed change may have moved.

One channel per goal and one per owner (an employee or a department), so that a subscriber wakes only for
events about the goal or owner it follows, never for every goal change of the organisation."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from models.core.documents import Document
from models.goals.rules import GoalChange
from resolvers.core.context import SignedIn
from resolvers.core.publish import publish_after_commit
from store.goals import repository as goal_store


def goal_channel(organization_id: str, goal_id: str) -> str:
    """Events that may have moved the progress of one goal (``goalProgressChanged(goalId)``)."""
    return f"goal-progress:{organization_id}:goal:{goal_id}"


def owner_channel(organization_id: str, owner_id: str) -> str:
    """Events about goals an employee or a department owns (``goalProgressChanged(ownerId)``)."""
    return f"goal-progress:{organization_id}:owner:{owner_id}"


def owned_by(goal: Document) -> list[str] | None:
    """Who owns ``goal``, as an event names it: ``["employee", id]``, ``["department", id]`` or ``None``."""
    if goal.get("ownerEmployeeId"):
        return ["employee", goal["ownerEmployeeId"]]
    return ["department", goal["ownerDepartmentId"]] if goal.get("ownerDepartmentId") else None


async def publish_goal_change(signed_in: SignedIn, kind: GoalChange, goal: Document,
                              key_result_id: str | None = None, also: Sequence[Document] = ()) -> None:
    """After a committed change: tell subscribers which goals' progress may have moved.

    ``goalIds`` is the changed goal, then its ancestors (nearest first), then ``also`` (the old
    ancestors after a re-alignment); ``ownerIds`` their owners, and ``ownerOf`` each goal's (``[kind, id]``, see
    :func:`owned_by`), so that receivers read the owner beside the goal, not after it. The event goes to each of
    those goals' channels and to each of their owners' (at once); subscribers read the goals again and check
    visibility.
    """
    loaders = signed_in.context.fresh_loaders()  # the ancestors as they are after the write
    docs: list[Document] = []
    for doc in [goal, *await goal_store.ancestors(loaders.goals, goal), *also]:
        if all(doc["_id"] != d["_id"] for d in docs):
            docs.append(doc)
    owners = sorted({d[k] for d in docs for k in ("ownerEmployeeId", "ownerDepartmentId") if d.get(k)})
    message = {"kind": kind.value, "goalIds": [d["_id"] for d in docs], "ownerIds": owners,
               "ownerOf": {d["_id"]: owned_by(d) for d in docs},
               "changedGoalId": goal["_id"], "keyResultId": key_result_id, "byId": signed_in.viewer.employee_id}
    organization_id = signed_in.viewer.organization_id
    channels = [goal_channel(organization_id, d["_id"]) for d in docs]
    channels += [owner_channel(organization_id, owner) for owner in owners]
    await asyncio.gather(*(publish_after_commit(signed_in.context, channel, message) for channel in channels))
