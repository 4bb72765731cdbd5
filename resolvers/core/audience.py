"""Whom a subscriber may share one execution of its subscription with (see realtime/groups.py).

Two kinds of audience:

* the organisation — a subscription that selects only what everyone in the organisation sees alike
  (org-chart fields, praise: schema/core/audience.py) shows them all the same result, so it runs once, as
  an organisation-wide viewer that is nobody in particular; each member's own standing is checked apart:
  the token's expiry before every delivery, a fresh read of the member when an event names them (they may
  have left), and, as a stream re-reads its own subscriber, every member's standing at most once a
  :data:`~resolvers.core.streams.RECHECK_SECONDS` before a delivery, in one read for the whole group;
* the session — any other selection is shared only by subscriptions made with the same token and
  granted the same roles, so the group's execution, with all its per-viewer rules, is theirs.

Only the subscriptions of ``schema.core.audience.SHAREABLE_SUBSCRIPTIONS`` are shared; the others run once
per subscriber, as Strawberry runs them.
"""

from __future__ import annotations

import math
import time
from collections.abc import Awaitable, Callable, Collection, Iterable
from dataclasses import replace

from graphql import GraphQLError

from models.core.documents import Document
from models.core.viewer import Viewer
from models.org.permissions import may_sign_in
from realtime import Bus
from realtime.groups import Audience
from resolvers.core.context import Context, granted_roles
from resolvers.core.errors import Unauthenticated
from resolvers.core.streams import ACTIVE_SECONDS, READ_AHEAD, RECHECK_SECONDS
from store.core.repository import TenantStore
from store.loaders import Loaders

NOBODY_IN_PARTICULAR = ""  # the organisation-wide viewer's employee id: no event names it

Recheck = Callable[[Iterable[str]], Awaitable[None]]


async def audience_of(context: Context, *, org_wide: bool) -> Audience | None:
    """The audience of a subscription that may be shared (``org_wide``: it selects only what everyone in
    the organisation sees alike), or ``None`` when the subscriber is not signed in (the usual path then
    reports why)."""
    try:
        viewer = await context.authenticate()
    except Unauthenticated:
        return None
    if org_wide:
        organization_id = viewer.organization_id

        def organization_context(bus: Bus, recheck: Recheck) -> Context:
            return shared_context(context, bus, recheck, Viewer(NOBODY_IN_PARTICULAR, organization_id, frozenset()))

        return Audience(("organization", organization_id), organization_context, check_members,
                        check_all=still_employed, check_all_seconds=RECHECK_SECONDS, read_ahead=READ_AHEAD,
                        active_seconds=ACTIVE_SECONDS, expires=expiry, check_before_delivery=False,
                        person=person_of)

    def session_context(bus: Bus, recheck: Recheck) -> Context:
        return replace(context, bus=bus, request=None, response=None, connection_params=None,
                       loaders=Loaders(context.store) if context.store else None, extras={})

    # The same token, and the roles the store grants now: a connection opened after a change of roles
    # does not join a group that runs with the old ones.
    return Audience(("session", context.credentials, viewer.roles), session_context)


def shared_context(context: Context, bus: Bus, recheck: Recheck, viewer: Viewer,
                   extras: dict[str, object] | None = None) -> Context:
    """The context a group's one execution runs with: ``viewer`` (signed in for ever: each member's own token is
    checked apart), loaders of its own on the viewer's organisation, ``recheck`` called with the people an event
    names (so the stream re-reads none of its own), and ``extras`` the stream may read."""
    store = TenantStore(context.database, viewer.organization_id)
    return Context(database=context.database, bus=bus, decode=context.decode, viewer=viewer, expires_at=math.inf,
                   store=store, loaders=Loaders(store), on_names=recheck, extras=dict(extras or {}))


async def check_members(group: Context, members: list[Context], names: Collection[str]) -> list[GraphQLError | None]:
    """The members of a group whose execution runs with ``group``: each token's expiry, and when an event names
    people (``names``), the members among them re-read as :func:`regranted` does, all in one read through the
    event's loaders (the execution's own read of them is the same read): one who has left is refused
    ``UNAUTHENTICATED``."""
    errors: list[GraphQLError | None] = []
    named: list[int] = []
    now = time.time()
    for n, member in enumerate(members):
        try:
            viewer = member.signed_in_at(now) or await member.authenticate()  # usually no wait: one pass for all
        except Unauthenticated as error:
            errors.append(error)
            continue
        errors.append(None)
        if viewer.employee_id in names:
            named.append(n)
    for n, viewer in zip(named, await regranted([members[n] for n in named], group.loaders), strict=True):
        if viewer is None:
            errors[n] = Unauthenticated(LEFT)
    return errors


def person_of(member: Context) -> str | None:
    """Who a member is, as events name people (``Audience.person``): its employee id."""
    return member.viewer.employee_id if member.viewer is not None else None


def expiry(member: Context) -> float:
    """When a member's token expires (``Audience.expires``)."""
    return member.expires_at


LEFT = "the subscriber has left the organisation"


async def still_employed(members: list[Context]) -> list[GraphQLError | None]:
    """The members of one organisation-wide group, each still employed there or refused (``UNAUTHENTICATED``,
    as a stream refuses its own subscriber who left): one read for them all."""
    if not members:
        return []
    return [None if employee else Unauthenticated(LEFT) for employee in await reread(members, own_loaders(members))]


async def regranted(members: list[Context], loaders: Loaders | None = None) -> list[Viewer | None]:
    """The members of one group, each still employed with the roles the store grants now (their viewers updated
    to them), in one read (through ``loaders`` if given, else loaders of its own); ``None`` for a member who has
    left."""
    if not members:
        return []
    loaders = loaders if loaders is not None else own_loaders(members)
    viewers: list[Viewer | None] = []
    for member, employee in zip(members, await reread(members, loaders), strict=True):
        if employee is None or member.viewer is None:
            viewers.append(None)
            continue
        member.viewer = replace(member.viewer, roles=granted_roles(member.claimed_roles, employee))
        viewers.append(member.viewer)
    return viewers


def own_loaders(members: list[Context]) -> Loaders:
    """Loaders of their own on the organisation of a group's members (``members`` not empty)."""
    first = members[0]
    return Loaders(TenantStore(first.database, first.viewer.organization_id if first.viewer else ""))


async def reread(members: list[Context], loaders: Loaders) -> list[Document | None]:
    """Each member's employee record as stored now, in one read; ``None`` for a member who has left, whose context
    is marked so (refused ``UNAUTHENTICATED`` from then on)."""
    ids = [member.viewer.employee_id if member.viewer else "" for member in members]
    employees = await loaders.employee_by_id.load_many(ids)
    found: list[Document | None] = []
    for member, employee in zip(members, employees, strict=True):
        if member.viewer is None or not may_sign_in(employee):
            member.viewer, member.auth_error = None, LEFT
            found.append(None)
        else:
            found.append(employee)
    return found
