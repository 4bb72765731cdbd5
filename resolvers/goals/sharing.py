"""Whether one execution of ``goalProgressChanged`` may serve everyone in the organisation (realtime/groups.py).

A goal everyone may see, whose progress rolls up only goals everyone may see (``models.goals.permissions.
seen_alike``), shows every viewer the same progress: its subscribers whose selection is the same for everyone
(schema/core/audience.py) share one execution as the organisation. That is decided when each subscribes, as
the goal is then; the shared execution checks it again on every event, and once the goal (or one below it)
stops being visible to everyone it ends the stream with ``SUBSCRIBE_AGAIN``: subscribing again decides anew,
and each subscriber who may still see the goal then runs alone.
"""

from __future__ import annotations

from models.core.documents import Document
from models.goals.permissions import seen_alike
from models.goals.rules import counts_in_roll_up
from resolvers.core.context import Context
from resolvers.goals.queries import goal_loaders

NO_LONGER_ALIKE = "this goal is no longer the same for everyone in the organisation: subscribe again"


async def rolled_up(context: Context, goal: Document) -> list[Document]:
    """Every goal the progress of ``goal`` reads below it, whoever may see them (one read per level)."""
    loaders = await goal_loaders(context)
    found: list[Document] = []
    frontier, seen = ([goal] if goal.get("rollUpChildren") else []), {goal["_id"]}
    while frontier:
        lists = await loaders.by_parent_id.load_many([g["_id"] for g in frontier])
        frontier = []
        for kid in (kid for kids in lists for kid in kids):
            found.append(kid)
            if kid.get("rollUpChildren") and counts_in_roll_up(kid) and kid["_id"] not in seen:
                seen.add(kid["_id"])
                frontier.append(kid)
    return found


async def is_seen_alike(context: Context, goal: Document) -> bool:
    """``seen_alike`` for ``goal`` as stored now."""
    return seen_alike(goal, await rolled_up(context, goal))


async def shared_goal(context: Context, goal_id: object) -> bool:
    """When subscribing: may a subscription to ``goal_id`` run once for the whole organisation?"""
    if not isinstance(goal_id, str):
        return False
    goal = await (await goal_loaders(context)).by_id.load(goal_id)
    return goal is not None and await is_seen_alike(context, goal)
