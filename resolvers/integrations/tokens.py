"""Integration tokens (HR admins) and how an HTTP request signs in with one.

A request of an integration acts for its organisation as HR would, through the same org-domain rules:
:func:`integration_context` builds the request's :class:`Context` with a viewer that is the token (its id
``integration:<token id>``, the HR admin role), so every read and write is tenant-scoped exactly as a
GraphQL request's is, and another organisation's ids are unknown to it.
"""

from __future__ import annotations

import math
from typing import Any

from models.core import clock
from models.core.documents import Document, new_id
from models.core.errors import ErrorCode
from models.core.viewer import Role, Viewer
from models.integrations.permissions import can_manage_integrations
from models.integrations.tokens import (
    ROTATION_GRACE,
    TokenKind,
    accepts,
    check_token_name,
    hash_secret,
    hint_of,
    new_secret,
)
from realtime import Bus
from resolvers.core.context import Context, require_role
from resolvers.core.outcome import Outcome
from store.core.database import Database
from store.core.repository import TenantStore
from store.integrations import repository as tokens_store
from store.loaders import Loaders

ONLY_HR_ADMINS = "only HR admins may manage integrations"
VIEWER_PREFIX = "integration:"


async def integration_tokens(context: Context) -> list[Document]:
    signed_in = await require_role(context, can_manage_integrations, ONLY_HR_ADMINS)
    return await tokens_store.tokens(signed_in.store)


async def create_token(context: Context, kind: TokenKind, name: str | None) -> Outcome:
    """A new token; ``extra["secret"]``: its secret, shown this once (one insert)."""
    signed_in = await require_role(context, can_manage_integrations, ONLY_HR_ADMINS)
    secret = new_secret()
    errors = check_token_name(name)
    if errors:
        return Outcome(errors=errors)
    now = clock.now()
    doc = await tokens_store.insert_token(signed_in.store, {
        "_id": new_id(), "kind": kind.value, "name": (name or "").strip(), "secretHash": hash_secret(secret),
        "hint": hint_of(secret), "createdAt": now, "createdById": signed_in.viewer.employee_id,
        "rotatedAt": None, "revokedAt": None, "previousHash": None, "previousValidUntil": None,
    })
    return Outcome(doc, extra={"secret": secret})


async def rotate_token(context: Context, id: str) -> Outcome:
    """A new secret for a live token; the previous one keeps working for ``ROTATION_GRACE``. One conditional
    write on the secret read: a token revoked or rotated meanwhile is not rotated (again) from stale state."""
    signed_in = await require_role(context, can_manage_integrations, ONLY_HR_ADMINS)
    secret, now = new_secret(), clock.now()
    current = await signed_in.store.integrationTokens.get(id)
    if current is None:
        return Outcome.refused("id", ErrorCode.NOT_FOUND, f"no integration token {id!r} in your organisation")
    doc = await tokens_store.update_live_token(signed_in.store, id, {
        "secretHash": hash_secret(secret), "hint": hint_of(secret), "rotatedAt": now,
        "previousHash": current["secretHash"], "previousValidUntil": now + ROTATION_GRACE,
    }, secret_hash=current["secretHash"])
    if doc is None:
        latest = await signed_in.store.integrationTokens.get(id)
        if latest is not None and latest.get("revokedAt") is None:
            return Outcome.refused("id", ErrorCode.CONFLICT, "the token was rotated meanwhile; rotate it again")
        return Outcome.refused("id", ErrorCode.INACTIVE, "the token has been revoked")
    return Outcome(doc, extra={"secret": secret})


async def revoke_token(context: Context, id: str) -> Outcome:
    """Revoke a token at once (its current and previous secrets); revoking again is refused."""
    signed_in = await require_role(context, can_manage_integrations, ONLY_HR_ADMINS)
    if await signed_in.store.integrationTokens.get(id) is None:
        return Outcome.refused("id", ErrorCode.NOT_FOUND, f"no integration token {id!r} in your organisation")
    doc = await tokens_store.update_live_token(signed_in.store, id, {"revokedAt": clock.now(),
                                                                      "previousValidUntil": None})
    if doc is None:
        return Outcome.refused("id", ErrorCode.INACTIVE, "the token has already been revoked")
    return Outcome(doc)


async def token_of(database: Database, secret: str, kind: TokenKind) -> Document | None:
    """The live token this secret opens for an endpoint of ``kind``, or ``None``."""
    if not secret:
        return None
    digest = hash_secret(secret)
    token = await tokens_store.token_by_digest(database, digest)
    return token if token is not None and accepts(token, digest, kind, clock.now()) else None


def integration_context(database: Database, bus: Bus, token: Document) -> Context:
    """The context of one request made with ``token``: its organisation's store and loaders, and a viewer
    standing for the token with HR's role (what the org domain's rules ask for)."""
    store = TenantStore(database, token["organizationId"])
    viewer = Viewer(VIEWER_PREFIX + token["_id"], token["organizationId"], frozenset({Role.HR_ADMIN}))

    def no_jwt(credentials: str | None) -> Any:
        raise ValueError("integration requests carry no JWT")

    return Context(database=database, bus=bus, decode=no_jwt, viewer=viewer, expires_at=math.inf, store=store,
                   loaders=Loaders(store))
