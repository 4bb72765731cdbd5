"""Tenant-scoped access to a collection: every filter and every write carries ``organizationId``.

This is the one base rule that keeps organisations apart: code above the store never builds a
filter without going through a :class:`TenantCollection`, so no query path can reach another
organisation's documents, whatever id a client sends.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

from pymongo import UpdateOne
from pymongo.errors import BulkWriteError, DocumentTooLarge, DuplicateKeyError

from models.core import clock
from models.core.documents import new_id
from store.core.database import CountingCollection, Database
from store.core.transactions import in_transaction, record_event

Document = dict[str, Any]
Projection = Mapping[str, int] | None
Result = TypeVar("Result")


class Duplicate(Exception):
    """A unique index refused the write (e.g. an email already used in the organisation)."""


# Query operators no index answers. SecantusDB (the embedded store) plans a filter that joins one of them to an
# indexed equality as a scan of the whole collection: at 5,000 people, {managerId: {$in: 6 ids}, status: {$ne:
# "terminated"}} took 600 ms where {managerId: {$in: 6 ids}} took 2 ms. MongoDB plans both on the index.
UNINDEXED = frozenset({"$ne", "$nin", "$exists", "$not", "$regex", "$elemMatch", "$size", "$type", "$mod", "$all"})


def split_for_index(filter: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """``filter`` as the clauses an index can answer and the rest (operators of :data:`UNINDEXED`,
    ``$or``/``$and``/``$expr``); both together match exactly what ``filter`` matches."""
    indexed: dict[str, Any] = {}
    rest: dict[str, Any] = {}
    for key, value in filter.items():
        unindexed = key.startswith("$") or (isinstance(value, Mapping) and any(op in UNINDEXED for op in value))
        (rest if unindexed else indexed)[key] = value
    return indexed, rest


def match_stages(filter: Mapping[str, Any]) -> list[dict[str, Any]]:
    """``$match`` stages for ``filter``: the indexed clauses first, then the rest, when something beside the
    organisation narrows the first (each server then finds the candidates on an index and filters them)."""
    indexed, rest = split_for_index(filter)
    if not rest or len(indexed) < 2:
        return [{"$match": dict(filter)}]
    return [{"$match": indexed}, {"$match": rest}]


MAPS_FORMAT = "maps"  # the format of a versioned map document: its maps are fields whose keys are ids
REMOVED = object()  # in :meth:`TenantCollection.patch_maps_at`'s changes: the entry is removed


def usable_key(key: str) -> bool:
    """Whether ``key`` (an id) can name a field that an update may set by its path: not empty, no ``.``,
    no leading ``$``, no NUL."""
    return bool(key) and "." not in key and not key.startswith("$") and "\0" not in key


def kept_maps(document: Document | None, names: Sequence[str]) -> dict[str, dict[str, Any]] | None:
    """The maps ``names`` of a versioned map document (:meth:`TenantCollection.replace_maps_if_older`), or
    ``None`` for none or one in another format (a list-format document of an older release: to be rebuilt)."""
    if document is None or document.get("format") != MAPS_FORMAT:
        return None
    maps: dict[str, dict[str, Any]] = {}
    for name in names:
        entries = document.get(name)
        if not isinstance(entries, dict):
            return None
        maps[name] = entries
    return maps


class TenantCollection:
    def __init__(self, collection: CountingCollection, organization_id: str) -> None:
        self.collection = collection
        self.organization_id = organization_id

    def scope(self, filter: Mapping[str, Any] | None = None) -> dict[str, Any]:
        return {**(filter or {}), "organizationId": self.organization_id}

    async def get(self, id: str, projection: Projection = None) -> Document | None:
        return await self.collection.find_one(self.scope({"_id": id}), projection)

    async def by_ids(self, ids: Iterable[str], projection: Projection = None) -> list[Document]:
        return await self.find({"_id": {"$in": list(ids)}}, projection=projection)

    def match(self, filter: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        """The ``$match`` stages that begin a pipeline over the organisation's documents matching ``filter``
        (indexed clauses first: :func:`match_stages`)."""
        return match_stages(self.scope(filter))

    async def find(self, filter: Mapping[str, Any] | None = None, *, sort: Sequence[tuple[str, int]] | None = None,
                   limit: int = 0, projection: Projection = None, skip: int = 0) -> list[Document]:
        scoped = self.scope(filter)
        stages = match_stages(scoped)
        if len(stages) > 1:  # an index finds the candidates, the second stage filters them: one round trip
            if sort:
                stages.append({"$sort": dict(sort)})
            if skip:
                stages.append({"$skip": skip})
            if limit:
                stages.append({"$limit": limit})
            if projection:
                stages.append({"$project": dict(projection)})
            return await self.collection.aggregate(stages, counted_as="find")
        cursor = self.collection.find(scoped, projection)
        if sort:
            cursor = cursor.sort(list(sort))
        if skip:
            cursor = cursor.skip(skip)
        if limit:
            cursor = cursor.limit(limit)
        return await cursor.to_list(None)

    async def count(self, filter: Mapping[str, Any] | None = None) -> int:
        stages = self.match(filter)
        if len(stages) == 1:
            return await self.collection.count_documents(self.scope(filter))
        rows = await self.collection.aggregate([*stages, {"$count": "n"}], counted_as="count_documents")
        return rows[0]["n"] if rows else 0

    async def insert(self, document: Document) -> Document:
        document = {**document, "organizationId": self.organization_id}
        try:
            await self.collection.insert_one(document)
        except DuplicateKeyError as error:
            raise Duplicate(str(error)) from None
        return document

    async def insert_all(self, documents: Sequence[Document]) -> list[Document]:
        """Insert ``documents`` in one round trip, in order. :class:`Duplicate` if a unique index refuses one (in
        a transaction nothing of it is kept; outside one, those before it are)."""
        scoped = [{**document, "organizationId": self.organization_id} for document in documents]
        if not scoped:
            return scoped
        try:
            await self.collection.insert_many(scoped, ordered=True)
        except BulkWriteError as error:  # what insert_many raises for a duplicate, in a transaction or not
            if any(e.get("code") == 11000 for e in error.details.get("writeErrors", ())):
                raise Duplicate("a unique index refused one of the documents") from None
            raise
        return scoped

    async def update(self, id: str, changes: Mapping[str, Any], *, push: Mapping[str, Any] | None = None,
                     where: Mapping[str, Any] | None = None) -> bool:
        """Set ``changes`` (and ``$push`` ``push``) on one document; ``where`` adds conditions."""
        update: dict[str, Any] = {"$set": dict(changes)}
        if push:
            update["$push"] = dict(push)
        try:
            result = await self.collection.update_one(self.scope({**(where or {}), "_id": id}), update)
        except DuplicateKeyError as error:
            raise Duplicate(str(error)) from None
        return result.matched_count == 1

    async def replace_maps_if_older(self, id: str, version: int, maps: Mapping[str, Mapping[str, Any]], *,
                                    limit: int) -> bool:
        """Versioned map document ``id`` (each of ``maps`` a field whose keys are ids, see :func:`kept_maps`) replaced
        as of ``version``, in one conditional write that replaces only an older version or a document not in the
        map format (a list-format one of an older release); ``False`` if it kept nothing: a newer one stands, an
        id cannot be a field name (:func:`usable_key`), or there are more than ``limit`` entries in all."""
        size = sum(len(entries) for entries in maps.values())
        if size > limit or not all(usable_key(key) for entries in maps.values() for key in entries):
            return False
        document = {**{name: dict(entries) for name, entries in maps.items()}, "format": MAPS_FORMAT, "size": size}
        try:
            await self.collection.replace_one(
                self.scope({"_id": id, "$or": [{"version": {"$lt": version}}, {"format": {"$ne": MAPS_FORMAT}}]}),
                {**document, "_id": id, "organizationId": self.organization_id, "version": version}, upsert=True)
        except (DuplicateKeyError, DocumentTooLarge):
            return False
        return True

    async def patch_maps_at(self, id: str, version: int, changes: Mapping[str, Mapping[str, Any]], *,
                            limit: int) -> bool:
        """Versioned map document ``id``, if it is at ``version`` (in the map format), moved to ``version + 1`` with
        each entry of ``changes`` (map → key → value; the value :data:`REMOVED` removes the entry) set, in one
        conditional update; made inside the transaction that moved the counter from ``version`` to
        ``version + 1``, so it commits with the change. ``False`` if it changed nothing: the document was at
        another version or missing (whoever reads it next finds it stale and rebuilds it), a key cannot be a
        field name, or the entries could pass ``limit`` (``size`` counts every entry set since the last rebuild,
        an upper bound of the entries held)."""
        if not all(usable_key(key) for entries in changes.values() for key in entries):
            return False
        set_: dict[str, Any] = {"version": version + 1}
        unset: dict[str, str] = {}
        added = 0
        for name, entries in changes.items():
            for key, value in entries.items():
                if value is REMOVED:
                    unset[f"{name}.{key}"] = ""
                else:
                    set_[f"{name}.{key}"] = value
                    added += 1
        update: dict[str, Any] = {"$set": set_, "$inc": {"size": added}}
        if unset:
            update["$unset"] = unset
        result = await self.collection.update_one(
            self.scope({"_id": id, "version": version, "format": MAPS_FORMAT, "size": {"$lte": limit - added}}),
            update)
        return result.matched_count == 1

    async def update_each(self, changes: Mapping[str, Mapping[str, Any]]) -> int:
        """One bulk write setting ``changes[id]`` on each document; returns how many changed."""
        if not changes:
            return 0
        requests = [UpdateOne(self.scope({"_id": id}), {"$set": dict(fields)}) for id, fields in changes.items()]
        result = await self.collection.bulk_write(requests, ordered=True)
        return result.modified_count


class TenantStore:
    """The collections of one organisation, as one request or one subscriber sees them.

    ``store.employees`` (any collection of ``store.database.INDEXES``) is that collection scoped
    to the organisation.
    """

    def __init__(self, database: Database, organization_id: str) -> None:
        self.database = database
        self.organization_id = organization_id
        self._scoped: dict[str, TenantCollection] = {}

    def __getattr__(self, name: str) -> TenantCollection:
        if name.startswith("_"):
            raise AttributeError(name)
        scoped = self.__dict__["_scoped"]
        if name not in scoped:
            scoped[name] = TenantCollection(getattr(self.database, name), self.organization_id)
        return scoped[name]

    async def transaction(self, step: Callable[[], Awaitable[Result]]) -> Result:
        """``step()`` as one multi-document transaction (store/core/transactions.py): all or nothing,
        retried whole on a write conflict. Publish events after it returns, never inside ``step``."""
        return await in_transaction(self.database.client, step)

    def record_event(self, type: str, data: Mapping[str, Any]) -> None:
        """Inside ``transaction(step)``: an event for webhook subscribers (``type`` such as ``employee.created``,
        ``data`` the ids it concerns), written to the outbox when the attempt ends, so it commits with the
        change. Raises :class:`~store.core.transactions.OutsideTransaction` outside a transaction."""
        record_event(self.database.outbox, {
            "_id": new_id(), "organizationId": self.organization_id, "type": type, "data": dict(data),
            "createdAt": clock.now(), "dispatched": False,
        })

    async def find_together(self, parts: Sequence[tuple[str, Mapping[str, Any]]
                                           | tuple[str, Mapping[str, Any], Mapping[str, Any]]]) -> list[list[Document]]:
        """The documents of several collections of the organisation in one round trip: each part is a collection,
        a filter and optionally a projection (``$project``: the fields kept); one aggregate on the first part's
        collection adds every other part with ``$unionWith`` (each part matched in the organisation, a small
        result: no sort, no limit). Returns each part's documents, in the order of ``parts``. The embedded
        server answers the first part's match from an index but scans the collection of every other part
        (MongoDB uses their indexes too): the first part is the large collection, the others small ones (a
        participant among thousands first, then its cycle: ≈ 2 ms; the other way round, ≈ 180 ms at 1,000
        participants)."""
        if not parts:
            return []
        tag = "_part"  # a field no stored document has: which part a row came from, removed before returning

        def part(index: int, name: str, filter: Mapping[str, Any], *kept: Mapping[str, Any]) -> list[dict[str, Any]]:
            return [{"$match": getattr(self, name).scope(filter)}, *({"$project": dict(k)} for k in kept),
                    {"$addFields": {tag: {"$literal": index}}}]

        (first, *spec), *others = parts
        pipeline = part(0, first, *spec)
        pipeline += [{"$unionWith": {"coll": getattr(self, other[0]).collection.name,
                                     "pipeline": part(index, *other)}}
                     for index, other in enumerate(others, start=1)]
        found: list[list[Document]] = [[] for _ in parts]
        for row in await getattr(self, first).collection.aggregate(pipeline):
            found[row.pop(tag)].append(row)
        return found

    async def organization(self) -> Document | None:
        return await self.database.organizations.find_one({"_id": self.organization_id})

    async def version(self) -> int:
        """The organisation's change counter as it stands (0 before the first org mutation)."""
        document = await self.database.organizations.find_one({"_id": self.organization_id}, {"version": 1})
        return int(document.get("version", 0)) if document else 0

    async def bump_version(self) -> int:
        """The organisation's change counter, incremented once per committed org mutation. Org changes call it
        only through ``store.org.repository.bump_version(store, changed)``, which passes what changed and
        keeps the roster current with the counter."""
        document = await self.database.organizations.find_one_and_update(
            {"_id": self.organization_id}, {"$inc": {"version": 1}}, return_document=True,
        )
        return int(document["version"]) if document else 0
