"""goalProgressChanged: after each committed change, the new progress of the changed goal and of each of
its ancestors, to each subscriber allowed to see that goal (checked per event, per subscriber, with the
re-check policy of ``resolvers/core/streams.py``). A goal everyone sees alike may be served by one execution
for the whole organisation (``resolvers/goals/sharing.py``)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from models.core.viewer import Viewer
from models.goals.permissions import can_see_goal
from resolvers.core.context import Context, SignedIn, require
from resolvers.core.errors import BadUserInput, SubscribeAgain
from resolvers.core.streams import stream
from resolvers.goals import queries
from resolvers.goals.events import goal_channel, owner_channel
from resolvers.goals.sharing import CLASS_CHANGED, NO_LONGER_ALIKE, is_seen_alike, readers_of, still_serves


def concerns(message: dict[str, Any], goal_id: str | None, owner_id: str | None) -> bool:
    """Cheap pre-filter before any read: is the subscribed goal or owner named in the event?"""
    if goal_id is not None:
        return goal_id in message.get("goalIds", [])
    return owner_id in message.get("ownerIds", [])


def owned_by(goal: dict[str, Any], owner_id: str) -> bool:
    """Whether ``owner_id`` (an employee or a department) owns ``goal``."""
    return owner_id in (goal.get("ownerEmployeeId"), goal.get("ownerDepartmentId"))


async def _check_subscription(signed_in: SignedIn, goal_id: str | None, owner_id: str | None) -> None:
    if (goal_id is None) == (owner_id is None):
        raise BadUserInput("give exactly one of goalId and ownerId")
    if goal_id is not None:
        if await queries.goal(signed_in.context, goal_id) is None:
            raise BadUserInput(f"no goal {goal_id!r} in your organisation")
        return
    loaders = signed_in.loaders
    person = await loaders.employee_by_id.load(owner_id)
    department = None if person else await loaders.department_by_id.load(owner_id)
    if person is None and department is None:
        raise BadUserInput(f"no employee or department {owner_id!r} in your organisation")


async def goal_progress_changed(context: Context, goal_id: str | None,
                                owner_id: str | None) -> AsyncIterator[dict[str, Any]]:
    """Yields ``{goal, progress, kind, changedGoalId, keyResultId}`` per goal of each event that the
    subscription selects: ``goalId`` the goal itself (changed, or below it changed); ``ownerId`` (an
    employee or a department) each of the event's goals it owns."""
    signed_in = await require(context)
    await _check_subscription(signed_in, goal_id, owner_id)

    async def events(viewer: Viewer, message: dict[str, Any]) -> AsyncIterator[dict[str, Any]]:
        loaders = await queries.goal_loaders(context)
        wanted = [goal_id] if goal_id is not None else list(message["goalIds"])
        owned = message.get("ownerOf") or {}
        found, _ = await asyncio.gather(loaders.by_id.load_many(wanted),
                                        queries.prefetch_owners(context, [owned.get(id) for id in wanted]))
        docs = [d for d in found if d is not None]
        if owner_id is not None:
            docs = [d for d in docs if owned_by(d, owner_id)]
        # One execution serving the organisation (resolvers/goals/sharing.py) holds only while the goal is alike
        # for everyone; after that, subscribing again lets each subscriber who still may see it run alone.
        # A reader class's (the same module) holds while its execution still sees the goal as the class does.
        readers = readers_of(context)
        if readers is not None:
            if docs and not await still_serves(context, readers, docs[0]):
                raise SubscribeAgain(CLASS_CHANGED)
        elif context.on_names is not None and docs and not await is_seen_alike(context, docs[0]):
            raise SubscribeAgain(NO_LONGER_ALIKE)
        people = await queries.owners(context, docs)
        shown = [d for d, person in zip(docs, people, strict=True) if can_see_goal(viewer, d, person)]
        changed = message.get("changedGoalId")
        changed_visible = changed in {d["_id"] for d in shown} or (
            changed is not None and await queries.goal(context, changed) is not None)
        for doc in shown:
            yield {"goal": doc, "progress": await queries.progress(context, doc), "kind": message["kind"],
                   "changedGoalId": changed if changed_visible else None,
                   "keyResultId": message.get("keyResultId") if changed_visible else None}

    organization_id = signed_in.viewer.organization_id
    channel = goal_channel(organization_id, goal_id) if goal_id is not None else \
        owner_channel(organization_id, str(owner_id))
    async for event in stream(context, channel, events, wants=lambda m: concerns(m, goal_id, owner_id)):
        yield event
