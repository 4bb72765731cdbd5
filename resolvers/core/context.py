"""The one typed context every resolver receives (viewer, tenant store, loaders and bus), and sign-in:
:func:`require` gives a resolver the signed-in viewer with its store and loaders, :func:`require_role`
the same for a viewer a rule allows, or refuses."""

from __future__ import annotations

import asyncio
import inspect
import math
import time
import weakref
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from strawberry.dataloader import DataLoader

from models.core.documents import Document
from models.core.viewer import Role, Viewer
from models.org.permissions import may_sign_in
from realtime import Bus
from realtime.ratelimit import RateLimiter
from resolvers.core.errors import Forbidden, Unauthenticated
from store.core.database import Database
from store.core.loaders import MAX_BATCH
from store.core.repository import TenantStore
from store.loaders import Loaders


@dataclass(slots=True)
class Context:
    """Built once per HTTP request and once per WebSocket connection, and copied for each operation on a
    connection (:meth:`for_operation`).

    ``credentials`` is what the client sent (``Bearer …``); it is checked lazily, the first
    time a resolver needs the viewer, and the result is kept. ``decode`` turns a credential into
    claims or raises with the reason.
    """

    database: Database
    bus: Bus
    decode: Callable[[str | None], Any]
    credentials: str | None = None
    request: Any = None
    response: Any = None
    connection_params: dict[str, Any] | None = None
    viewer: Viewer | None = None
    expires_at: float = 0.0
    store: TenantStore | None = None
    loaders: Loaders | None = None
    auth_error: str | None = None
    claimed_roles: frozenset[Role] = frozenset()
    # when the sign-in's read of the viewer's standing started (loop time): a subscription's first standing
    standing_read_at: float = -math.inf
    extras: dict[str, Any] = field(default_factory=dict)
    rate_limiter: RateLimiter | None = None  # cost points per caller and window (schema/core/limits.py)
    # Set when one execution serves a group of subscribers: a stream calls it with the people an event
    # names, so that members among them are checked again (resolvers/subscription_audience.py).
    on_names: Callable[[list[str]], Awaitable[None]] | None = None

    async def authenticate(self) -> Viewer:
        """The viewer, or :class:`Unauthenticated` with the reason; checked once per context."""
        if (viewer := self.signed_in_at(time.time())) is not None:
            return viewer
        if self.viewer is not None:
            raise Unauthenticated("the token has expired")
        if self.auth_error is None:
            self.auth_error = await self._sign_in()
        if self.viewer is None:
            raise Unauthenticated(self.auth_error or "not signed in")
        return self.viewer

    def signed_in_at(self, now: float) -> Viewer | None:
        """The viewer if signed in with a token still valid at ``now`` (no read, no wait); else ``None``."""
        return self.viewer if self.viewer is not None and self.expires_at > now else None

    async def _sign_in(self) -> str | None:
        try:
            claims = self.decode(self.credentials)
            if inspect.isawaitable(claims):  # a token that needs the identity provider's keys (server/auth.py)
                claims = await claims
        except Exception as error:  # the decoder's own exception type carries the reason
            return str(error)
        store = TenantStore(self.database, claims.organization_id)
        self.standing_read_at = asyncio.get_running_loop().time()
        # Read directly, not through the loader (whose batch waits for the next turn of the event
        # loop), then handed to the loader: a resolver loading the viewer (``me``) reads nothing more.
        employee = await store.employees.get(claims.employee_id)
        if not may_sign_in(employee):
            return "the token's employee does not exist or has left the organisation"
        loaders = Loaders(store)
        loaders.employee_by_id.prime(claims.employee_id, employee)
        self.claimed_roles = claims.roles
        self.viewer = Viewer(claims.employee_id, claims.organization_id, granted_roles(claims.roles, employee))
        self.expires_at = claims.expires_at
        self.store, self.loaders = store, loaders
        return None

    def for_operation(self) -> Context:
        """A context of its own for one operation on a WebSocket connection: the connection's sign-in, with
        loaders and extras of its own, so that one subscription's events (each replaces its context's
        loaders, and may re-read the viewer) never change what another operation on the connection reads."""
        return replace(self, loaders=Loaders(self.store) if self.store is not None else None, extras=dict(self.extras))

    def fresh_loaders(self) -> Loaders:
        """New loaders after a committed write: nested fields of the payload read the state after it."""
        self.loaders = Loaders(signed_in_store(self))
        return self.loaders

    async def read_standing(self) -> Document | None:
        """The subscriber as the store holds them now (what :meth:`recheck` applies)."""
        viewer = await self.authenticate()
        return await standing_loader(self.database, viewer.organization_id).load(viewer.employee_id)

    async def refresh(self) -> Viewer:
        """For each subscription event: the token still valid (else :class:`Unauthenticated`) and fresh
        loaders (no stale cache)."""
        viewer = await self.authenticate()
        self.fresh_loaders()
        return viewer

    async def recheck(self, employee: Document | None) -> Viewer:
        """:meth:`refresh`, then the viewer checked against their standing as :meth:`read_standing` read it: a
        subscriber who has left the organisation since the connection opened gets :class:`Unauthenticated`
        instead of the event, and their roles are granted again. When to re-read is the one policy of
        ``resolvers/core/streams.py``."""
        viewer = await self.refresh()
        assert self.loaders is not None
        self.loaders.employee_by_id.prime(viewer.employee_id, employee)  # the event's resolvers read nothing more
        if not may_sign_in(employee):
            self.viewer = None
            self.auth_error = "the subscriber has left the organisation"
            raise Unauthenticated(self.auth_error)
        self.viewer = viewer = replace(viewer, roles=granted_roles(self.claimed_roles, employee))
        return viewer


_standing: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, weakref.WeakKeyDictionary[
    Database, dict[str, DataLoader[str, Document | None]]]] = weakref.WeakKeyDictionary()


def standing_loader(database: Database, organization_id: str) -> DataLoader[str, Document | None]:
    """The people of an organisation as they stand now, for subscribers re-checked by an event: it keeps nothing
    (every load reads the store again), but the subscribers an event reaches at once, re-checked in the same turn
    of the event loop, share one read (one batch) instead of one each."""
    by_database = _standing.setdefault(asyncio.get_running_loop(), weakref.WeakKeyDictionary())
    by_organization = by_database.setdefault(database, {})
    loader = by_organization.get(organization_id)
    if loader is None:
        people = TenantStore(database, organization_id).employees

        async def batch(ids: Sequence[str]) -> list[Document | None]:
            found = {doc["_id"]: doc for doc in await people.by_ids(ids)}
            return [found.get(id) for id in ids]

        loader = by_organization[organization_id] = DataLoader(load_fn=batch, cache=False, max_batch_size=MAX_BATCH)
    return loader


def granted_roles(claimed: frozenset[Role], employee: Document) -> frozenset[Role]:
    """The token's roles that the store still grants the employee."""
    return claimed & frozenset(Role(r) for r in employee.get("roles", []) if r in Role._value2member_map_)


def signed_in_store(context: Context) -> TenantStore:
    if context.store is None:
        raise Unauthenticated(context.auth_error or "not signed in")
    return context.store


@dataclass(frozen=True, slots=True)
class SignedIn:
    """A signed-in viewer with the organisation's store and the request's current loaders."""

    context: Context
    viewer: Viewer

    @property
    def store(self) -> TenantStore:
        return signed_in_store(self.context)

    @property
    def loaders(self) -> Loaders:
        """The current loaders (replaced after each committed write, so never kept across one)."""
        loaders = self.context.loaders
        if loaders is None:
            raise Unauthenticated(self.context.auth_error or "not signed in")
        return loaders


async def require(context: Context) -> SignedIn:
    """The signed-in viewer, or :class:`Unauthenticated` with the reason."""
    return SignedIn(context, await context.authenticate())


async def require_role(context: Context, allowed: Callable[[Viewer], bool], refusal: str) -> SignedIn:
    """The signed-in viewer if the rule ``allowed`` (from ``models``) lets them, else :class:`Forbidden`
    with ``refusal``; a mutation returns that refusal as a ``FORBIDDEN`` payload error."""
    signed_in = await require(context)
    if not allowed(signed_in.viewer):
        raise Forbidden(refusal)
    return signed_in
