"""Which type an id is: a few finds, sent together, over the collections that hold objects with ids.

Each :class:`Place` is a collection (and, for an object kept inside another document, the path of its id
there). :func:`lookups` plans one find per collection on ``_id`` (every place of it whose documents are named by
the ids: documents of their own, their parents for nested objects with composite ids and for views) and one per
nested path whose ids are ids of their own (``keyResults._id``), each on an index and scoped to the organisation by
its :class:`~store.core.repository.TenantCollection`, projecting only ``_id``, the nested paths and the ``via``
fields. :func:`locate` sends them concurrently and gives each id to the first place holding it, so the number of
finds depends on the places alone, never on how many ids are asked. No ``$or`` and no ``$unionWith``: the
embedded server (SecantusDB) answers a filter with a top-level ``$or``, and every ``$unionWith`` part whatever its
``$match``, by a scan of the whole collection.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from models.core.ids import KEY_SEPARATOR
from store.core.repository import TenantStore

__all__ = ["KEY_SEPARATOR", "Located", "Lookup", "Place", "locate", "lookups", "values_at"]


@dataclass(frozen=True)
class Place:
    """Where objects of one type live: ``collection``, and ``path`` (``"_id"``: documents of their own;
    ``"keyResults._id"``: inside a document of the collection). ``composite``: the API id is the holding
    document's id, a colon and the value at ``path``. ``via``: a field of the document naming the document
    its domain reads it through (a follow-up's ``feedbackId``), found by the same find. ``view``: the
    separator of a view's id, ``<document id><view><key>``, where the key names another object the document
    shows (a goal in the tree below a root goal): only the document is matched, its domain finds the key."""

    tag: str
    collection: str
    path: str = "_id"
    composite: bool = False
    via: str | None = None
    view: str | None = None

    @property
    def nested(self) -> bool:
        return self.path != "_id"

    @property
    def by_document(self) -> bool:
        """Whether the ids name the documents holding the objects (their own ids, or their parents' ids)."""
        return not self.nested or self.composite or self.view is not None


@dataclass(frozen=True)
class Lookup:
    """One find of :func:`locate`: the organisation's documents of ``collection`` matching ``filter``, as
    ``projection``."""

    collection: str
    filter: dict[str, Any]
    projection: dict[str, int]


@dataclass(frozen=True)
class Located:
    """An id found: its type tag and the id of the document its domain reads it through (the document
    holding it, itself, or the one its ``via`` field names)."""

    tag: str
    document_id: str


def _split(ids: Sequence[str], by: str = KEY_SEPARATOR) -> tuple[list[str], list[str]]:
    parents, keys = [], []
    for id in ids:
        parent, separator, key = id.partition(by)
        if separator and parent and key:
            parents.append(parent)
            keys.append(key)
    return parents, keys


def _documents(place: Place, ids: list[str]) -> list[str]:
    """The ids of the documents of ``place`` that may hold one of ``ids``."""
    if place.view:
        return _split(ids, place.view)[0]
    return _split(ids)[0] if place.composite else ids


def lookups(ids: Sequence[str], places: Sequence[Place]) -> list[Lookup]:
    """The finds locating ``ids`` at ``places``: per collection (in the order of ``places``), one on ``_id`` for
    the places :attr:`Place.by_document` (none when no id can name one of its documents), then one per other
    nested path; each projects what matching any place of its collection needs."""
    wanted = list(dict.fromkeys(ids))
    by_collection: dict[str, list[Place]] = {}
    for place in places:
        by_collection.setdefault(place.collection, []).append(place)
    plan: list[Lookup] = []
    for collection, held in by_collection.items():
        projection = {"_id": 1, **{p.path: 1 for p in held if p.nested}, **{p.via: 1 for p in held if p.via}}
        documents = list(dict.fromkeys(id for p in held if p.by_document for id in _documents(p, wanted)))
        if documents:
            plan.append(Lookup(collection, {"_id": {"$in": documents}}, projection))
        for path in dict.fromkeys(p.path for p in held if not p.by_document):
            plan.append(Lookup(collection, {path: {"$in": wanted}}, projection))
    return plan


def _held(place: Place, row: dict[str, Any], wanted: list[str], parents: set[str]) -> list[str]:
    """The ids of objects of ``place`` that ``row`` holds (``parents``: the documents a view's ids name)."""
    if place.view:
        return [id for id in wanted if id.startswith(f"{row['_id']}{place.view}")] if row["_id"] in parents else []
    if not place.nested:
        return [row["_id"]]
    inner = [str(v) for v in values_at(row, place.path.split("."))]
    return [f"{row['_id']}{KEY_SEPARATOR}{v}" for v in inner] if place.composite else inner


def values_at(document: Any, path: list[str]) -> Iterator[Any]:
    """The values at a dotted path, through arrays (as MongoDB reads ``keyResults._id``)."""
    if isinstance(document, list):
        for item in document:
            yield from values_at(item, path)
    elif not path:
        yield document
    elif isinstance(document, dict) and path[0] in document:
        yield from values_at(document[path[0]], path[1:])


async def locate(store: TenantStore, ids: Sequence[str], places: Sequence[Place]) -> dict[str, Located]:
    """id → where it is, for the ``ids`` of the organisation held at one of ``places``: the finds of
    :func:`lookups` sent together, then each id given to the first place (in ``places``' order) holding it."""
    wanted = list(dict.fromkeys(ids))
    if not wanted or not places:
        return {}
    plan = lookups(wanted, places)
    answers = await asyncio.gather(*(getattr(store, lookup.collection).find(lookup.filter, projection=lookup.projection)
                                     for lookup in plan))
    rows: dict[str, dict[Any, dict[str, Any]]] = {}  # collection → its documents found, by _id, in the order found
    for lookup, found in zip(plan, answers, strict=True):
        for row in found:
            rows.setdefault(lookup.collection, {}).setdefault(row["_id"], row)
    asked = set(wanted)
    located: dict[str, Located] = {}
    for place in places:
        parents = set(_split(wanted, place.view)[0]) if place.view else set()
        for row in rows.get(place.collection, {}).values():
            for id in _held(place, row, wanted, parents):
                if id in asked and id not in located:
                    located[id] = Located(place.tag, str(row.get(place.via)) if place.via else row["_id"])
    return located
