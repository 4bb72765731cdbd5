"""Uploaded import files (``imports``) and what earlier imports created or matched (``importLinks``:
one per kind and external id, so running a file again finds what it made)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pymongo import UpdateOne
from pymongo.errors import BulkWriteError, DuplicateKeyError

from models.core.documents import Document
from store.core.repository import Duplicate, TenantStore


async def insert_import(store: TenantStore, document: Document) -> Document:
    return await store.imports.insert(document)


async def get_import(store: TenantStore, id: str) -> Document | None:
    return await store.imports.get(id)


async def claim_run(store: TenantStore, id: str, now: datetime) -> bool:
    """Mark the import running unless it already is (one conditional write): two runs never overlap."""
    return await store.imports.update(id, {"status": "running", "runStartedAt": now},
                                      where={"status": {"$ne": "running"}})


async def finish_run(store: TenantStore, id: str, report: Mapping[str, Any], now: datetime) -> None:
    await store.imports.update(id, {"status": "done", "lastRun": dict(report), "finishedAt": now})


def link_id(organization_id: str, kind: str, external_id: str) -> str:
    """A link's ``_id``: one per organisation, kind and external id."""
    return f"{organization_id}:{kind}:{external_id}"


async def links(store: TenantStore) -> dict[tuple[str, str], str]:
    return {(d["kind"], d["externalId"]): d["targetId"]
            for d in await store.importLinks.find(projection={"kind": 1, "externalId": 1, "targetId": 1})}


async def save_link(store: TenantStore, kind: str, external_id: str, target_id: str, now: datetime) -> None:
    """Record (inside the caller's transaction) that ``external_id`` of ``kind`` is ``target_id``."""
    scoped = store.importLinks
    try:
        await scoped.collection.update_one(
            scoped.scope({"kind": kind, "externalId": external_id}),
            {"$set": {"targetId": target_id, "updatedAt": now},
             "$setOnInsert": {"_id": link_id(scoped.organization_id, kind, external_id)}}, upsert=True)
    except DuplicateKeyError as error:
        raise Duplicate(str(error)) from None


async def save_links(store: TenantStore, links: list[tuple[str, str, str]], now: datetime) -> None:
    """:func:`save_link` for many (kind, external id, target id) at once: one bulk write."""
    if not links:
        return
    scoped = store.importLinks
    # one read by ``_id`` (organisation, kind and external id): the primary index answers it whatever the number
    # of links the organisation already has (a filter on the external id alone scans them on some servers)
    taken = await scoped.find({"_id": {"$in": sorted({link_id(scoped.organization_id, kind, external_id)
                                                      for kind, external_id, _ in links})}}, projection={"_id": 1})
    if not taken:  # the usual case: all new, one insert
        try:
            await scoped.collection.insert_many([
                {"_id": link_id(scoped.organization_id, kind, external_id), "organizationId": scoped.organization_id,
                 "kind": kind, "externalId": external_id, "targetId": target_id, "updatedAt": now}
                for kind, external_id, target_id in links], ordered=True)
        except (DuplicateKeyError, BulkWriteError) as error:
            raise Duplicate(str(error)[:200]) from None
        return
    requests = [UpdateOne(scoped.scope({"kind": kind, "externalId": external_id}),
                          {"$set": {"targetId": target_id, "updatedAt": now},
                           "$setOnInsert": {"_id": link_id(scoped.organization_id, kind, external_id)}}, upsert=True)
                for kind, external_id, target_id in links]
    try:
        await scoped.collection.bulk_write(requests, ordered=True)
    except (DuplicateKeyError, BulkWriteError) as error:
        raise Duplicate(str(error)[:200]) from None
