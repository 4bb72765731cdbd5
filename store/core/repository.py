"""Tenant-scoped access to a collection: every filter and every write carries ``organizationId``.

This is the one base rule that keeps organisations apart: code above the store never builds a
filter without going through a :class:`TenantCollection`, so no query path can reach another
organisation's documents, whatever id a client sends.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

from pymongo import UpdateOne
from pymongo.errors import DocumentTooLarge, DuplicateKeyError

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

    async def replace_if_older(self, id: str, version: int, fields: Mapping[str, Any]) -> bool:
        """Document ``id`` replaced by ``fields`` as of ``version``, in one conditional write that replaces only
        an older version (a concurrent writer's of the same or a newer version stays); ``False`` if it kept
        nothing (that, or more than the 16 MB a document may hold)."""
        try:
            await self.collection.replace_one(
                self.scope({"_id": id, "version": {"$lt": version}}),
                {**fields, "_id": id, "organizationId": self.organization_id, "version": version}, upsert=True)
        except (DuplicateKeyError, DocumentTooLarge):
            return False
        return True

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

    async def find_together(self, parts: Sequence[tuple[str, Mapping[str, Any]]]) -> list[list[Document]]:
        """The documents of several collections of the organisation in one round trip: each part is a collection
        and a filter; one aggregate on the first part's collection adds every other part with ``$unionWith``
        (each part matched in the organisation, a small result: no sort, no limit). Returns each part's documents,
        in the order of ``parts``. The embedded server answers the first part's match from an index but scans the
        collection of every other part (MongoDB uses their indexes too): the first part is the large collection,
        the others small ones (a participant among thousands first, then its cycle: ≈ 2 ms; the other way round,
        ≈ 180 ms at 1,000 participants)."""
        if not parts:
            return []
        tag = "_part"  # a field no stored document has: which part a row came from, removed before returning

        def part(index: int, name: str, filter: Mapping[str, Any]) -> list[dict[str, Any]]:
            return [{"$match": getattr(self, name).scope(filter)}, {"$addFields": {tag: {"$literal": index}}}]

        (first, filter), *others = parts
        pipeline = part(0, first, filter)
        pipeline += [{"$unionWith": {"coll": getattr(self, name).collection.name,
                                     "pipeline": part(index, name, other)}}
                     for index, (name, other) in enumerate(others, start=1)]
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
        """The organisation's change counter, incremented once per committed org mutation."""
        document = await self.database.organizations.find_one_and_update(
            {"_id": self.organization_id}, {"$inc": {"version": 1}}, return_document=True,
        )
        return int(document["version"]) if document else 0
