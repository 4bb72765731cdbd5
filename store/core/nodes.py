"""Which type an id is: one aggregate over every collection that holds objects with ids.

Each :class:`Place` is a collection (and, for an object kept inside another document, the path of its id
there); the lookup starts on the first place's collection and adds every other one with ``$unionWith``,
each part matching the organisation and the ids asked for and projecting only ``_id``, the nested ids and
a type tag, so finding the types of up to a page of ids costs one round trip whatever their types.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from models.core.ids import KEY_SEPARATOR
from store.core.repository import TenantStore

__all__ = ["KEY_SEPARATOR", "Located", "Place", "locate", "values_at"]


@dataclass(frozen=True)
class Place:
    """Where objects of one type live: ``collection``, and ``path`` (``"_id"``: documents of their own;
    ``"keyResults._id"``: inside a document of the collection). ``composite``: the API id is the holding
    document's id, a colon and the value at ``path``. ``via``: a field of the document naming the document
    its domain reads it through (a follow-up's ``feedbackId``), found in the same round trip. ``view``: the
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


def _part(store: TenantStore, place: Place, ids: list[str]) -> list[dict[str, Any]]:
    """The pipeline of one place: its documents holding one of ``ids``, as ``_id``, the tag and nested ids."""
    collection = getattr(store, place.collection)
    if place.view:
        match = {"_id": {"$in": _split(ids, place.view)[0]}}
    elif place.composite:
        parents, keys = _split(ids)
        match = {"_id": {"$in": parents}, place.path: {"$in": keys}}
    else:
        match = {place.path: {"$in": ids}}
    projection: dict[str, Any] = {"_id": 1, "tag": {"$literal": place.tag}}
    if place.nested:
        projection[place.path] = 1
    if place.via:
        projection[place.via] = 1
    return [{"$match": collection.scope(match)}, {"$project": projection}]


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
    """id → where it is, for the ``ids`` of the organisation held at one of ``places``; one aggregate."""
    wanted = list(dict.fromkeys(ids))
    if not wanted or not places:
        return {}
    first, *others = places
    pipeline = _part(store, first, wanted)
    pipeline += [{"$unionWith": {"coll": getattr(store, p.collection).collection.name,
                                 "pipeline": _part(store, p, wanted)}} for p in others]
    rows = await getattr(store, first.collection).collection.aggregate(pipeline)
    by_tag = {place.tag: place for place in places}
    found: dict[str, Located] = {}
    asked = set(wanted)
    for row in rows:
        place = by_tag[row["tag"]]
        if place.view:
            held = [id for id in wanted if id.startswith(f"{row['_id']}{place.view}")]
        elif not place.nested:
            held = [row["_id"]]
        else:
            inner = [str(v) for v in values_at(row, place.path.split("."))]
            held = [f"{row['_id']}{KEY_SEPARATOR}{v}" for v in inner] if place.composite else inner
        for id in held:
            if id in asked and id not in found:
                found[id] = Located(place.tag, str(row.get(place.via)) if place.via else row["_id"])
    return found
