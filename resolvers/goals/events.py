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


OWNERS_SEEN = "goals.owners"  # a request's context extra: goal id → (its department, that department's head)


def saw_owner(signed_in: SignedIn, goal: Document, person: Document | None) -> None:
    """Note, for the request's event, the head behind a department's ``goal`` that deciding on it read."""
    if goal.get("ownerDepartmentId") and not goal.get("ownerEmployeeId") and person is not None:
        signed_in.context.extras.setdefault(OWNERS_SEEN, {})[goal["_id"]] = (goal["ownerDepartmentId"], person["_id"])


def owned_by(goal: Document, seen: dict[str, tuple[str, str]] | None = None) -> list[str] | None:
    """Who owns ``goal``, as an event names it: ``["employee", id]``, ``["department", id]`` or ``None``; a
    department's with its head, ``["department", id, headId]``, when ``seen`` (:func:`saw_owner`) has it for that
    department."""
    if goal.get("ownerEmployeeId"):
        return ["employee", goal["ownerEmployeeId"]]
    department = goal.get("ownerDepartmentId")
    if not department:
        return None
    known = (seen or {}).get(goal["_id"])
    return ["department", department, known[1]] if known and known[0] == department else ["department", department]


async def publish_goal_change(signed_in: SignedIn, kind: GoalChange, goal: Document,
                              key_result_id: str | None = None, also: Sequence[Document] = ()) -> None:
    """After a committed change: tell subscribers which goals' progress may have moved.

    ``goalIds`` is the changed goal, then its ancestors (nearest first), then ``also`` (the old
    ancestors after a re-alignment); ``ownerIds`` their owners, and ``ownerOf`` each goal's (``[kind, id]``, see
    :func:`owned_by`; a department's with its head when deciding on the change read it, no read added for it here),
    so that receivers read the owner, and a department's head, beside the goal, not after it. The event goes to each of
    those goals' channels and to each of their owners' (at once); subscribers read the goals again and check
    visibility.
    """
    loaders = signed_in.context.fresh_loaders()  # the ancestors as they are after the write
    docs: list[Document] = []
    for doc in [goal, *await goal_store.ancestors(loaders.goals, goal), *also]:
        if all(doc["_id"] != d["_id"] for d in docs):
            docs.append(doc)
    seen = signed_in.context.extras.get(OWNERS_SEEN)
    owners = sorted({d[k] for d in docs for k in ("ownerEmployeeId", "ownerDepartmentId") if d.get(k)})
    message = {"kind": kind.value, "goalIds": [d["_id"] for d in docs], "ownerIds": owners,
               "ownerOf": {d["_id"]: owned_by(d, seen if d["_id"] == goal["_id"] else None) for d in docs},
               "changedGoalId": goal["_id"], "keyResultId": key_result_id, "byId": signed_in.viewer.employee_id}
    organization_id = signed_in.viewer.organization_id
    channels = [goal_channel(organization_id, d["_id"]) for d in docs]
    channels += [owner_channel(organization_id, owner) for owner in owners]
    await asyncio.gather(*(publish_after_commit(signed_in.context, channel, message) for channel in channels))
