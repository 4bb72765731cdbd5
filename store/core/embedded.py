"""The embedded store: an in-process MongoDB engine (mongomock-ng) behind an async facade.

The facade offers exactly the subset of :class:`pymongo.AsyncMongoClient` that ``store/`` uses,
with the same call shapes: ``find()`` returns a cursor (not awaited) with ``sort``, ``limit``,
``skip``, ``to_list`` and ``async for``; every other collection method is awaited; results are
PyMongo's result classes. Each call runs to completion inside the event loop, so one call is
atomic, as a single-document write is on a real server; nothing here offers transactions.

The engine matches a filter by testing every document of the collection. A filter that names its
documents by ``_id`` (an id, or ``{"$in": [...]}`` of ids, with any other conditions) is answered
from those documents alone: :class:`KeyedCollection` fetches them by key from the engine's storage
and lets the engine test the whole filter on them, so sort, projection, limits and every other
condition behave exactly as in a scan, as an ``_id`` index lookup does on a real server.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import mongomock_ng
from bson import ObjectId
from mongomock_ng.collection import Collection as EngineCollection
from mongomock_ng.filtering import filter_applies
from mongomock_ng.profiler import get_profiler

# The id types read by key: a stored document's key is its ``_id``, and a document matches one of these
# exactly when its ``_id`` is an equal value of the same type. Anything else (numbers, whose 1, 1.0 and
# True share a key; embedded documents, stored under a hashed form; regular expressions) is scanned.
KEY_TYPES = (str, ObjectId)


def id_keys(filter: Any) -> list[Any] | None:
    """The ids a filter restricts its matches to, if it names them plainly: a top-level ``_id`` equal
    to an id, or ``{"$eq": id}`` or ``{"$in": [id, ...]}`` (other operators and top-level conditions
    may accompany them); ``None`` for any other filter."""
    if not isinstance(filter, Mapping) or "_id" not in filter:
        return None
    condition = filter["_id"]
    if type(condition) in KEY_TYPES:
        return [condition]
    if not isinstance(condition, Mapping):
        return None
    if "$eq" in condition and type(condition["$eq"]) in KEY_TYPES:
        return [condition["$eq"]]
    values = condition.get("$in")
    if type(values) in (list, tuple) and all(type(value) in KEY_TYPES for value in values):
        return list(values)
    return None


class KeyedCollection(EngineCollection):
    """The engine's collection, reading the documents of a filter on ``_id`` by key.

    ``_iter_documents`` is where every engine operation (find, count, update, delete, …) gets the
    documents its filter matches; here it tests the filter on the named documents only, in the
    engine's natural order, and scans as before for any other filter (or when the engine's query
    profiler is on, so that its report stays the engine's own).
    """

    def _iter_documents(self, filter: Any) -> Iterator[dict[str, Any]]:
        keys = id_keys(filter)
        if keys is None or get_profiler().enabled:
            return super()._iter_documents(filter)
        store = self._store
        store._remove_expired_documents()  # as reading ``store.documents`` does (TTL indexes)
        with store._rwlock.reader():
            documents = store._documents
            present = [key for key in dict.fromkeys(keys) if key in documents]
            if len(present) <= 1:
                found = [documents[key] for key in present]
            else:  # several: in natural (insertion) order, as a scan returns them
                wanted = set(present)
                found = [document for key, document in documents.items() if key in wanted]
        if not found:
            filter_applies(filter, {})  # a malformed filter fails as it does on an empty collection
        return (document for document in found if filter_applies(filter, document))


def keyed(collection: Any) -> Any:
    """The engine's collection object, made a :class:`KeyedCollection` (the engine caches one per name)."""
    if type(collection) is EngineCollection:
        collection.__class__ = KeyedCollection
    return collection


class EmbeddedCursor:
    def __init__(self, collection: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        self._collection = collection
        self._args = args
        self._kwargs = kwargs
        self._sort: list[tuple[str, int]] | None = None
        self._limit = 0
        self._skip = 0

    def sort(self, key_or_list: str | Sequence[tuple[str, int]], direction: int | None = None) -> EmbeddedCursor:
        self._sort = [(key_or_list, direction or 1)] if isinstance(key_or_list, str) else list(key_or_list)
        return self

    def limit(self, limit: int) -> EmbeddedCursor:
        self._limit = limit
        return self

    def skip(self, skip: int) -> EmbeddedCursor:
        self._skip = skip
        return self

    def _run(self) -> list[dict[str, Any]]:
        cursor = self._collection.find(*self._args, **self._kwargs)
        if self._sort:
            cursor = cursor.sort(self._sort)
        if self._skip:
            cursor = cursor.skip(self._skip)
        if self._limit:
            cursor = cursor.limit(self._limit)
        return list(cursor)

    async def to_list(self, length: int | None = None) -> list[dict[str, Any]]:
        documents = self._run()
        return documents if length is None else documents[:length]

    def __aiter__(self) -> Any:
        return self._iterate()

    async def _iterate(self) -> Any:
        for document in self._run():
            yield document


class EmbeddedCommandCursor:
    def __init__(self, documents: list[dict[str, Any]]) -> None:
        self._documents = documents

    async def to_list(self, length: int | None = None) -> list[dict[str, Any]]:
        return self._documents if length is None else self._documents[:length]


class EmbeddedCollection:
    def __init__(self, collection: Any) -> None:
        self._collection = collection
        self.name: str = collection.name

    def find(self, *args: Any, **kwargs: Any) -> EmbeddedCursor:
        return EmbeddedCursor(self._collection, args, kwargs)

    async def aggregate(self, pipeline: list[Mapping[str, Any]], **kwargs: Any) -> EmbeddedCommandCursor:
        return EmbeddedCommandCursor(list(self._collection.aggregate(pipeline, **kwargs)))

    async def find_one(self, *args: Any, **kwargs: Any) -> dict[str, Any] | None:
        return self._collection.find_one(*args, **kwargs)

    async def insert_one(self, document: dict[str, Any], **kwargs: Any) -> Any:
        return self._collection.insert_one(document, **kwargs)

    async def insert_many(self, documents: list[dict[str, Any]], **kwargs: Any) -> Any:
        return self._collection.insert_many(documents, **kwargs)

    async def update_one(self, *args: Any, **kwargs: Any) -> Any:
        return self._collection.update_one(*args, **kwargs)

    async def update_many(self, *args: Any, **kwargs: Any) -> Any:
        return self._collection.update_many(*args, **kwargs)

    async def find_one_and_update(self, *args: Any, **kwargs: Any) -> dict[str, Any] | None:
        return self._collection.find_one_and_update(*args, **kwargs)

    async def bulk_write(self, requests: list[Any], **kwargs: Any) -> Any:
        return self._collection.bulk_write(requests, **kwargs)

    async def delete_many(self, *args: Any, **kwargs: Any) -> Any:
        return self._collection.delete_many(*args, **kwargs)

    async def count_documents(self, *args: Any, **kwargs: Any) -> int:
        return self._collection.count_documents(*args, **kwargs)

    async def create_index(self, keys: Any, **kwargs: Any) -> str:
        return self._collection.create_index(keys, **kwargs)

    async def drop(self) -> None:
        self._collection.drop()


class EmbeddedDatabase:
    def __init__(self, database: Any) -> None:
        self._database = database
        self.name: str = database.name

    def __getitem__(self, name: str) -> EmbeddedCollection:
        return EmbeddedCollection(keyed(self._database[name]))

    def get_collection(self, name: str) -> EmbeddedCollection:
        return self[name]

    async def command(self, command: str, **kwargs: Any) -> dict[str, Any]:
        if command == "ping":
            return {"ok": 1.0}
        raise NotImplementedError(f"the embedded store does not run the {command!r} command")


class EmbeddedClient:
    """Stands in for ``AsyncMongoClient`` when ``MONGODB_URL`` is unset or ``memory://``."""

    def __init__(self) -> None:
        self._client = mongomock_ng.MongoClient()
        self.admin = EmbeddedDatabase(self._client["admin"])

    def __getitem__(self, name: str) -> EmbeddedDatabase:
        return EmbeddedDatabase(self._client[name])

    def get_database(self, name: str) -> EmbeddedDatabase:
        return self[name]

    def clone(self) -> EmbeddedClient:
        """A new client holding a copy of every database: the tests seed one template and clone it
        for each test instead of seeding again (there is no such call on a real server)."""
        clone = EmbeddedClient()
        for db_name, db_store in self._client._store._databases.items():
            target = clone._client._store[db_name]
            for name, source in db_store._collections.items():
                copied = target[name]
                copied._documents = pickle.loads(pickle.dumps(source._documents, pickle.HIGHEST_PROTOCOL))
                copied.indexes = pickle.loads(pickle.dumps(source.indexes, pickle.HIGHEST_PROTOCOL))
                copied.options = dict(source.options)
                copied._is_force_created = source._is_force_created
        return clone

    async def drop_database(self, name: str) -> None:
        self._client.drop_database(name)

    async def close(self) -> None:
        self._client.close()
