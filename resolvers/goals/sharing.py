"""Whom one execution of ``goalProgressChanged`` may serve (realtime/groups.py).

A goal everyone may see, whose progress rolls up only goals everyone may see (``models.goals.permissions.
seen_alike``), shows every viewer the same progress: its subscribers whose selection is the same for everyone
(schema/core/audience.py) share one execution as the organisation. That is decided when each subscribes, as
the goal is then; the shared execution checks it again on every event, and once the goal (or one below it)
stops being visible to everyone it ends the stream with ``SUBSCRIBE_AGAIN``: subscribing again decides anew,
and each subscriber who may still see the goal then runs alone.

Any other goal is shared by its reader class (``models.goals.permissions.reader_class``), with the same
selection rule: every HR admin alike; the owner (their own subscriptions); and the managers above the owner,
when each goal it rolls up is seen by all of them or by none (``seen_alike_by_chain``). The class's execution
runs as one of them (the chain: its first subscriber, without roles; HR: nobody in particular, an HR admin) and
checks on every event, as the goal, its owner and the goals below are stored then, that it still serves the
class (else ``SUBSCRIBE_AGAIN``); before each delivery each member must still belong to it: above the owner as
the event's read found them (or the owner, or an HR admin as last re-read), else ``SUBSCRIBE_AGAIN`` for that
member alone. Someone who sees the goal only because everyone does, and the goal is not alike for everyone,
runs alone.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from graphql import GraphQLError

from models.core.documents import Document
from models.core.viewer import Role, Viewer
from models.goals.permissions import (
    CHAIN_CLASS,
    HR_CLASS,
    OWNER_CLASS,
    reader_class,
    seen_alike,
    seen_alike_by_chain,
)
from models.goals.rules import counts_in_roll_up
from realtime import Bus
from realtime.groups import Audience
from resolvers.core.audience import (
    LEFT,
    NOBODY_IN_PARTICULAR,
    Recheck,
    check_members,
    expiry,
    person_of,
    regranted,
    shared_context,
)
from resolvers.core.context import Context
from resolvers.core.errors import SubscribeAgain, Unauthenticated
from resolvers.core.streams import ACTIVE_SECONDS, READ_AHEAD, RECHECK_SECONDS
from resolvers.goals.queries import goal_loaders, owner, owners

NO_LONGER_ALIKE = "this goal is no longer the same for everyone in the organisation: subscribe again"
CLASS_CHANGED = "how you stand to this goal changed: subscribe again"
GOAL_READERS = "goals.readers"  # the group context's extra: the reader class its one execution serves


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


@dataclass(eq=False)
class GoalReaders:
    """The reader class one execution serves: ``kind`` (``models.goals.permissions``), the goal and the person
    behind it when the class was formed, the employee the execution runs as, and ``members_now``: the employee ids
    that belong to the class as the latest event's read found them (the owner's managers, or the owner)."""

    kind: str
    goal_id: str
    owner_id: str
    runs_as: str
    members_now: frozenset[str] = field(default_factory=frozenset)

    def admits(self, viewer: Viewer | None) -> bool:
        if viewer is None:
            return False
        if self.kind == HR_CLASS:
            return viewer.is_hr_admin
        return not viewer.is_hr_admin and viewer.employee_id in self.members_now


def readers_of(context: Context) -> GoalReaders | None:
    """The class a shared execution of ``goalProgressChanged`` serves; ``None`` for the organisation or one
    subscriber."""
    readers = context.extras.get(GOAL_READERS) if context.on_names is not None else None
    return readers if isinstance(readers, GoalReaders) else None


def _members(kind: str, person: Document | None) -> frozenset[str]:
    if person is None:
        return frozenset()
    return frozenset([person["_id"]]) if kind == OWNER_CLASS else frozenset(person.get("managerChain", []))


async def still_serves(context: Context, readers: GoalReaders, goal: Document) -> bool:
    """On each event, as stored now: the execution's viewer still sees ``goal`` as its class does, the goal's
    person is the one the class was formed around, and (the chain) the goals below are seen alike by the chain.
    Records who belongs to the class now (:attr:`GoalReaders.members_now`)."""
    viewer = (await context.authenticate())
    person = await owner(context, goal)
    if readers.kind == HR_CLASS:
        return True
    if person is None or person["_id"] != readers.owner_id or reader_class(viewer, goal, person) != readers.kind:
        return False
    if readers.kind == CHAIN_CLASS:
        below = await rolled_up(context, goal)
        if not seen_alike_by_chain(person, zip(below, await owners(context, below), strict=True)):
            return False
    readers.members_now = _members(readers.kind, person)
    return True


async def goal_reader_audience(context: Context, goal_id: object) -> Audience | None:
    """The audience of a ``goalProgressChanged`` subscription to ``goal_id`` by its reader class, or ``None``: the
    subscriber runs alone (not signed in, no such goal, sees it only as everyone does, or the goals below are not
    seen alike by the owner's managers)."""
    if not isinstance(goal_id, str):
        return None
    try:
        viewer = await context.authenticate()
    except Unauthenticated:
        return None
    goal = await (await goal_loaders(context)).by_id.load(goal_id)
    if goal is None:
        return None
    person = await owner(context, goal)
    kind = reader_class(viewer, goal, person)
    if kind is None:
        return None
    if kind == CHAIN_CLASS:
        below = await rolled_up(context, goal)
        if not seen_alike_by_chain(person, zip(below, await owners(context, below), strict=True)):
            return None
    owner_id = person["_id"] if person is not None else ""
    runs_as = NOBODY_IN_PARTICULAR if kind == HR_CLASS else viewer.employee_id
    readers = GoalReaders(kind, goal_id, owner_id, runs_as, _members(kind, person))
    roles = frozenset({Role.HR_ADMIN}) if kind == HR_CLASS else frozenset()
    organization_id = viewer.organization_id

    def class_context(bus: Bus, recheck: Recheck) -> Context:
        return shared_context(context, bus, recheck, Viewer(runs_as, organization_id, roles), {GOAL_READERS: readers})

    async def in_class(group: Context, members: list[Context], names: Collection[str]) -> list[GraphQLError | None]:
        errors = await check_members(group, members, names)
        return [SubscribeAgain(CLASS_CHANGED) if error is None and not readers.admits(member.viewer) else error
                for member, error in zip(members, errors, strict=True)]

    # The owner's subscriptions are theirs alone; the chain's are those formed around this owner.
    key = ("goal-readers", organization_id, goal_id, kind, owner_id if kind != HR_CLASS else "")
    # Before each delivery each member must still be in the class as the event's read found it.
    return Audience(key, class_context, in_class, check_all=standing, check_all_seconds=RECHECK_SECONDS,
                    read_ahead=READ_AHEAD, active_seconds=ACTIVE_SECONDS, expires=expiry, person=person_of)


async def standing(members: list[Context]) -> list[GraphQLError | None]:
    """Each member still employed (else ``UNAUTHENTICATED``), with the roles the store grants now, in one read."""
    return [None if viewer else Unauthenticated(LEFT) for viewer in await regranted(members)]
