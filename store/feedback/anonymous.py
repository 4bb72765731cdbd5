"""Anonymous upward feedback: items without authors, per-(manager, period) contributor sets, releases.

Design (what makes the anonymity real):

- ``anonymousFeedback`` items hold ``{_id, organizationId, managerId, period, day, text, tags, direction,
  release, rank}`` and nothing else: no author id, no request id, no exact time (``day`` only), and a
  random ``_id`` (:func:`models.core.documents.new_id`, no timestamp inside as an ObjectId would have).
- ``anonymousContributors`` holds one document per (manager, period): ``{managerId, period, contributors,
  releases}``. ``contributors`` is the sorted set of HMAC-SHA256 hashes of ``org|manager|period|author``
  under a server-side key. It holds no item id and no time, and is kept sorted, so nothing in it says
  which hash came first or which item belongs to which hash; the same author's hashes for two managers
  or two periods differ, so HR cannot link one author's contributions either. It serves two purposes:
  one anonymous item per author per manager and period (so the distinct-author threshold cannot be
  reached alone), and "has the viewer already answered this anonymous request" (tested only with the
  viewer's own hash).
- Since each author contributes at most one item per (manager, period), the pending items of a period
  come from as many distinct authors as there are items. They are released to the manager as a batch
  once at least the organisation's threshold (≥ 3) are pending; each release gets a number and each
  item a random rank inside it (the order within a release is shuffled; insertion order is never used).
- Write order without transactions: the hash is added first (a conditional ``$push`` that fails for a
  repeat), then the item is inserted, then a release is attempted. A crash after the first step costs
  that author their item for the period but can never let one author count twice. A release claims
  the next release number with a compare-and-set on ``releases`` before marking items, so two
  concurrent releases never split a batch below the threshold; a crash after the claim leaves the items
  pending, and the next contribution (or a threshold change) releases them.
"""

from __future__ import annotations

import secrets
from typing import Any

from pymongo.errors import DuplicateKeyError

from models.core.documents import Document, new_id
from store.core.repository import TenantStore

RELEASE_ORDER = [("release", 1), ("rank", 1)]


async def has_contributed(store: TenantStore, manager_id: str, period: str, contributor: str) -> bool:
    """Whether the hash is in the (manager, period) contributor set already."""
    return await store.anonymousContributors.count({"managerId": manager_id, "period": period,
                                                    "contributors": contributor}) > 0


async def add_contributor(store: TenantStore, manager_id: str, period: str, contributor: str) -> bool:
    """Add the hash to the (manager, period) set; False when it was there already (nothing written)."""
    collection = store.anonymousContributors
    key = collection.scope({"managerId": manager_id, "period": period})
    try:
        await collection.collection.update_one(
            key, {"$setOnInsert": {"_id": new_id(), "contributors": [], "releases": 0}}, upsert=True)
    except DuplicateKeyError:  # a concurrent first contribution created it: the set exists now
        pass
    result = await collection.collection.update_one(
        {**key, "contributors": {"$ne": contributor}},
        {"$push": {"contributors": {"$each": [contributor], "$sort": 1}}})
    return result.modified_count == 1


async def insert_item(store: TenantStore, item: Document) -> Document:
    """A new anonymous item, pending (no release yet)."""
    return await store.anonymousFeedback.insert({**item, "release": None, "rank": None})


async def pending_count(store: TenantStore, manager_id: str, period: str) -> int:
    """How many items of (manager, period) wait for a release."""
    return await store.anonymousFeedback.count({"managerId": manager_id, "period": period, "release": None})


async def released_items(store: TenantStore, manager_id: str, period: str) -> list[Document]:
    """The released items of (manager, period), release by release, in their shuffled order."""
    return await store.anonymousFeedback.find(
        {"managerId": manager_id, "period": period, "release": {"$ne": None}}, sort=RELEASE_ORDER)


async def periods_of(store: TenantStore, manager_id: str) -> list[str]:
    """Every period with anonymous feedback to the manager, newest first."""
    collection = store.anonymousFeedback
    rows = await collection.collection.aggregate([
        {"$match": collection.scope({"managerId": manager_id})}, {"$group": {"_id": "$period"}}])
    return sorted((row["_id"] for row in rows), reverse=True)


async def release_if_ready(store: TenantStore, manager_id: str, period: str, threshold: int) -> list[str]:
    """Release the pending items of (manager, period) as one batch if there are at least ``threshold``.

    Returns the ids released (empty when nothing was). Each item is from a distinct author (one per
    author and period), and the contributor set is checked too.
    """
    collection = store.anonymousContributors
    key = {"managerId": manager_id, "period": period}
    found = await collection.find(key, limit=1, projection={"releases": 1, "contributors": 1})
    if not found or len(found[0].get("contributors", [])) < threshold:
        return []
    releases = found[0].get("releases", 0)
    pending = await store.anonymousFeedback.find({**key, "release": None}, projection={"_id": 1})
    if len(pending) < threshold:
        return []
    claimed = await collection.collection.find_one_and_update(
        collection.scope({**key, "releases": releases}), {"$inc": {"releases": 1}})
    if claimed is None:  # another release got there first; these items wait for the next batch
        return []
    ids = [doc["_id"] for doc in pending]
    secrets.SystemRandom().shuffle(ids)
    await store.anonymousFeedback.update_each({id: {"release": releases + 1, "rank": rank}
                                               for rank, id in enumerate(ids)})
    return ids


async def groups_ready(store: TenantStore, threshold: int) -> list[tuple[str, str]]:
    """(manager, period) pairs with at least ``threshold`` pending items, e.g. after the threshold was lowered."""
    collection = store.anonymousFeedback
    rows = await collection.collection.aggregate([
        {"$match": collection.scope({"release": None})},
        {"$group": {"_id": {"managerId": "$managerId", "period": "$period"}, "count": {"$sum": 1}}},
    ])
    return sorted((row["_id"]["managerId"], row["_id"]["period"]) for row in rows if row["count"] >= threshold)


def scrubbed(item: Document) -> dict[str, Any]:
    """The fields an anonymous item may ever carry (defence in depth for anything built from it)."""
    allowed = ("_id", "organizationId", "managerId", "period", "day", "text", "tags", "direction", "release", "rank")
    return {key: item[key] for key in allowed if key in item}
