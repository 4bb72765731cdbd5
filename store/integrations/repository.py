"""The integrations domain's collections: ``integrationTokens`` and ``scimUsers`` (a person's SCIM
identity, ``_id`` the employee's id). People themselves are the org domain's: never written here."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from pymongo.errors import DuplicateKeyError

from models.core.documents import Document
from store.core.database import Database
from store.core.repository import Duplicate, TenantStore


async def token_by_digest(database: Database, digest: str) -> Document | None:
    """The token whose current or previous secret hashes to ``digest``, whatever its organisation: the one
    read not scoped to an organisation, because it is how a request without a sign-in learns its own
    (as a JWT's signature does for people)."""
    return await database.integrationTokens.find_one({"$or": [{"secretHash": digest}, {"previousHash": digest}]})


async def tokens(store: TenantStore, limit: int = 100) -> list[Document]:
    """The latest ``limit`` tokens of the organisation, newest first."""
    return await store.integrationTokens.find(sort=[("createdAt", -1), ("_id", -1)], limit=limit)


async def insert_token(store: TenantStore, document: Document) -> Document:
    return await store.integrationTokens.insert(document)


async def update_live_token(store: TenantStore, id: str, changes: Mapping[str, Any], *,
                            secret_hash: str | None = None) -> Document | None:
    """Set ``changes`` on a token not yet revoked (and, given ``secret_hash``, whose secret is still that
    one): one conditional write; the token after, or ``None`` when the condition failed."""
    where: dict[str, Any] = {"revokedAt": None}
    if secret_hash is not None:
        where["secretHash"] = secret_hash
    found = await store.integrationTokens.update(id, changes, where=where)
    return await store.integrationTokens.get(id) if found else None


async def identities(store: TenantStore, ids: Iterable[str]) -> dict[str, Document]:
    return {doc["_id"]: doc for doc in await store.scimUsers.by_ids(ids)}


async def identities_where(store: TenantStore, *, user_name_key: str | None = None,
                           external_id: str | None = None) -> list[Document]:
    query: dict[str, Any] = {}
    if user_name_key is not None:
        query["userNameKey"] = user_name_key
    if external_id is not None:
        query["externalId"] = external_id
    return await store.scimUsers.find(query, sort=[("_id", 1)])


async def save_identity(store: TenantStore, employee_id: str, fields: Mapping[str, Any], now: datetime) -> None:
    """Create or replace one person's SCIM identity (inside the caller's transaction); :class:`Duplicate`
    when another person of the organisation has that userName or externalId."""
    scoped = store.scimUsers
    document = {**fields, "_id": employee_id, "organizationId": scoped.organization_id, "updatedAt": now}
    try:
        await scoped.collection.replace_one(scoped.scope({"_id": employee_id}), document, upsert=True)
    except DuplicateKeyError as error:
        raise Duplicate(str(error)) from None


async def identity(store: TenantStore, employee_id: str) -> Document | None:
    return await store.scimUsers.get(employee_id)


async def deleted_identities(store: TenantStore) -> list[str]:
    """The people SCIM deleted (hidden from SCIM from then on)."""
    return [d["_id"] for d in await store.scimUsers.find({"deletedAt": {"$ne": None}}, projection={"_id": 1})]
