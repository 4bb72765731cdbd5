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
- Transactions (``TenantStore.transaction``): a contribution adds the hash and inserts the item in one
  transaction, so both land or neither (a failure in between costs nobody their item, and one author
  never counts twice). A release is a second transaction: it reads the threshold, the release counter
  and the pending items, marks exactly those items (each only while still pending) and claims the next
  release number with a compare-and-set, all or nothing. Two concurrent releases conflict and one is
  retried on fresh data, so a batch never holds fewer distinct authors than the threshold of its time
  and no item belongs to two releases. A release lost after a contribution committed leaves the items
  pending; the next contribution (or a threshold change) releases them.
"""

from __future__ import annotations

import secrets
from typing import Any

from pymongo import UpdateOne
from pymongo.errors import DuplicateKeyError

from models.core.documents import Document, new_id
from store.core.repository import TenantStore
from store.feedback.repository import load_settings

RELEASE_ORDER = [("release", 1), ("rank", 1)]
RELEASE_ATTEMPTS = 3


class Raced(Exception):
    """A write inside a release found the data changed since it was read: the transaction is undone."""


async def contribute(store: TenantStore, contributor: str, item: Document) -> bool:
    """The hash added to the item's (manager, period) set and the item inserted pending, in one
    transaction; False when the hash was there already (nothing written)."""
    contributors, items = store.anonymousContributors, store.anonymousFeedback
    key = {"managerId": item["managerId"], "period": item["period"]}

    async def step() -> bool:
        if await contributors.count({**key, "contributors": contributor}):
            return False
        added = await contributors.collection.update_one(
            contributors.scope({**key, "contributors": {"$ne": contributor}}),
            {"$push": {"contributors": {"$each": [contributor], "$sort": 1}}})
        if added.matched_count == 0:  # the first contribution of (manager, period)
            await contributors.collection.insert_one(
                contributors.scope({**key, "_id": new_id(), "contributors": [contributor], "releases": 0}))
        await items.collection.insert_one(items.scope({**item, "release": None, "rank": None}))
        return True

    try:
        return await store.transaction(step)
    except DuplicateKeyError:  # a concurrent first contribution created the set: decide again on it
        return await store.transaction(step)


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
        {"$match": collection.scope({"managerId": manager_id})}, {"$group": {"_id": "$period"}},
        {"$sort": {"_id": -1}}])
    return [row["_id"] for row in rows]


async def release_if_ready(store: TenantStore, manager_id: str, period: str) -> list[str]:
    """Release the pending items of (manager, period) as one batch if there are at least as many as the
    organisation's threshold, in one transaction.

    Returns the ids released (empty when nothing was). Each item is from a distinct author (one per
    author and period), and the contributor set is checked too.
    """
    contributors, items = store.anonymousContributors, store.anonymousFeedback
    key = {"managerId": manager_id, "period": period}

    async def step() -> list[str]:
        threshold = (await load_settings(store))["anonymityThreshold"]
        found = await contributors.find(key, limit=1, projection={"releases": 1, "contributors": 1})
        if not found or len(found[0].get("contributors", [])) < threshold:
            return []
        releases = found[0].get("releases", 0)
        pending = await items.find({**key, "release": None}, projection={"_id": 1}, sort=[("_id", 1)])
        if len(pending) < threshold:
            return []
        ids = [doc["_id"] for doc in pending]
        secrets.SystemRandom().shuffle(ids)
        marked = await items.collection.bulk_write(
            [UpdateOne(items.scope({"_id": id, "release": None}), {"$set": {"release": releases + 1, "rank": rank}})
             for rank, id in enumerate(ids)], ordered=True)
        if marked.modified_count != len(ids):
            raise Raced("an item was released meanwhile")
        if await contributors.collection.find_one_and_update(
                contributors.scope({**key, "releases": releases}), {"$inc": {"releases": 1}}) is None:
            raise Raced("another release claimed the number")
        return ids

    for _ in range(RELEASE_ATTEMPTS):
        try:
            return await store.transaction(step)
        except Raced:  # another release got there first: decide again on what it left
            continue
    return []


async def groups_ready(store: TenantStore, threshold: int) -> list[tuple[str, str]]:
    """(manager, period) pairs with at least ``threshold`` pending items, e.g. after the threshold was lowered."""
    collection = store.anonymousFeedback
    rows = await collection.collection.aggregate([
        {"$match": collection.scope({"release": None})},
        {"$group": {"_id": {"managerId": "$managerId", "period": "$period"}, "count": {"$sum": 1}}},
        {"$sort": {"_id.managerId": 1, "_id.period": 1}},
    ])
    return [(row["_id"]["managerId"], row["_id"]["period"]) for row in rows if row["count"] >= threshold]


def scrubbed(item: Document) -> dict[str, Any]:
    """The fields an anonymous item may ever carry (defence in depth for anything built from it)."""
    allowed = ("_id", "organizationId", "managerId", "period", "day", "text", "tags", "direction", "release", "rank")
    return {key: item[key] for key in allowed if key in item}
