"""The embedded store: an in-process MongoDB engine (mongomock-ng) behind an async facade.

The facade offers exactly the subset of :class:`pymongo.AsyncMongoClient` that ``store/`` uses,
with the same call shapes: ``find()`` returns a cursor (not awaited) with ``sort``, ``limit``,
``skip``, ``to_list`` and ``async for``; every other collection method is awaited; results are
PyMongo's result classes. Each call runs to completion inside the event loop, so one call is
atomic, as a single-document write is on a real server; nothing here offers transactions.
"""

from __future__ import annotations

import pickle
from collections.abc import Mapping, Sequence
from typing import Any

import mongomock_ng


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
        return EmbeddedCollection(self._database[name])

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
