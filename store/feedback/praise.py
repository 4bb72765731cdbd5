"""Praise reads and writes: the wall (newest first) and one reaction per person, changed conditionally."""

from __future__ import annotations

from models.core.pagination import Window
from store.core.pagination import Page, keyset_page
from store.core.repository import TenantStore
from store.feedback.repository import NEWEST_FIRST


async def praise_wall(store: TenantStore, window: Window, value: str | None = None) -> Page:
    """The organisation's praise newest first, optionally of one value."""
    return await keyset_page(store.praise, {"value": value} if value else {}, NEWEST_FIRST, window)


async def set_reaction(store: TenantStore, praise_id: str, employee_id: str, current: str | None,
                       new: str | None) -> bool:
    """Move the person's reaction from ``current`` to ``new`` (``None``: none), only if it still is ``current``.

    The reactions are a map keyed by the person, so whatever the interleaving one person never holds two.
    """
    collection = store.praise
    field = f"reactions.{employee_id}"
    where = {field: current} if current is not None else {field: {"$exists": False}}
    update = {"$set": {field: new}} if new is not None else {"$unset": {field: ""}}
    result = await collection.collection.update_one(collection.scope({**where, "_id": praise_id}), update)
    return result.modified_count == 1
