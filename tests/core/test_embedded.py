"""The embedded store's ``_id`` fast path answers exactly as the engine's scan does.

Every query runs on two engine collections holding the same documents, the engine's own and a
:class:`KeyedCollection`, and must give the same documents in the same order (and the same counts,
the same writes); the keyed one must read by key, not scan, when the filter names ids plainly.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from typing import Any

import mongomock_ng
import pytest
from bson import ObjectId
from mongomock_ng.store import CollectionStore
from pymongo import ReturnDocument

from store.core.database import open_database
from store.core.embedded import EmbeddedClient, KeyedCollection, id_keys, keyed
from store.core.repository import TenantCollection

Document = dict[str, Any]
OID_1, OID_2, OID_MISSING = ObjectId(), ObjectId(), ObjectId()


def documents() -> list[Document]:
    """Two organisations' documents with string ids, inserted out of id order, and a few other id types."""
    docs: list[Document] = [
        {"_id": f"e{i}", "organizationId": "A" if i % 3 else "B", "name": f"N{(i * 7) % 11}", "n": i % 5,
         "tags": ["x"] if i % 4 == 0 else ["y", "z"], "nested": {"k": i % 2}}
        for i in range(1, 25)
    ]
    random.Random(3).shuffle(docs)
    docs += [
        {"_id": OID_1, "organizationId": "A", "name": "oid one", "n": 1},
        {"_id": OID_2, "organizationId": "A", "name": "oid two", "n": 2},
        {"_id": 7, "organizationId": "A", "name": "int seven", "n": 7},
        {"_id": 7.5, "organizationId": "A", "name": "float", "n": 3},
        {"_id": {"a": 1}, "organizationId": "A", "name": "embedded", "n": 4},
        {"_id": str(OID_1), "organizationId": "A", "name": "the string of an ObjectId", "n": 0},
    ]
    return docs


def pair() -> tuple[Any, Any]:
    """(the engine's collection, a keyed one), each holding :func:`documents`."""
    plain = mongomock_ng.MongoClient()["db"]["c"]
    fast = keyed(mongomock_ng.MongoClient()["db"]["c"])
    assert type(plain) is not KeyedCollection and type(fast) is KeyedCollection
    for collection in (plain, fast):
        collection.insert_many(documents())
    return plain, fast


SOME = ["e5", "e1", "missing", "e12", "e5"]
FAST_FILTERS: list[Document] = [
    {"_id": "e3"},
    {"_id": "missing"},
    {"_id": {"$in": SOME}},
    {"_id": {"$in": ["e2"]}},
    {"_id": {"$in": []}},
    {"_id": {"$in": ["missing", "gone"]}},
    {"_id": {"$in": ["e1", "e1", "e1"]}},
    {"_id": {"$in": ("e4", "e2")}},
    {"_id": {"$in": SOME}, "organizationId": "A"},
    {"_id": {"$in": SOME}, "organizationId": "B"},
    {"_id": "e3", "organizationId": "A"},
    {"_id": "e3", "organizationId": "B"},
    {"_id": {"$eq": "e4"}},
    {"_id": {"$eq": "e4", "$in": ["e1"]}},
    {"_id": {"$in": SOME, "$nin": ["e1"]}},
    {"_id": {"$in": SOME, "$ne": "e12"}},
    {"_id": {"$in": SOME, "$gte": "e12"}},
    {"_id": {"$in": SOME}, "n": {"$gt": 1}},
    {"_id": {"$in": SOME}, "$or": [{"n": 0}, {"tags": "x"}]},
    {"n": {"$lt": 4}, "_id": {"$in": SOME}},
    {"_id": {"$in": SOME}, "nested.k": 1},
    {"_id": {"$in": SOME}, "tags": {"$size": 2}},
    {"_id": {"$in": SOME}, "$expr": {"$gt": ["$n", 0]}},
    {"_id": {"$in": [*SOME, OID_1, OID_MISSING]}},
    {"_id": OID_2},
    {"_id": OID_MISSING},
    {"_id": {"$in": [str(OID_1)]}},
    {"_id": {"$in": ["e1"], "x": 1}},  # not an operator document: equality with an embedded document
]
SCANNED_FILTERS: list[Document] = [
    {},
    {"organizationId": "A"},
    {"_id": 7},
    {"_id": 7.0},
    {"_id": True},
    {"_id": {"$in": [7, "e1"]}},
    {"_id": {"$in": [7.5, OID_1]}},
    {"_id": {"a": 1}},
    {"_id": None},
    {"_id": {"$in": [None, "e1"]}},
    {"_id": re.compile("^e1")},
    {"_id": {"$in": [re.compile("^e2"), "e1"]}},
    {"_id": {"$ne": "e1"}, "n": 4},
    {"_id": {"$gt": "e2"}},
    {"_id": {"$not": {"$in": ["e1"]}}, "n": 0},
    {"$or": [{"_id": "e1"}, {"_id": "e2"}]},
]
SORTS: list[list[tuple[str, int]] | None] = [None, [("n", -1), ("_id", 1)], [("name", 1)], [("$natural", -1)]]
PROJECTIONS: list[dict[str, int] | None] = [None, {"name": 1}, {"name": 1, "_id": 0}, {"tags": 0, "nested": 0}]


def results(collection: Any, filter: Document) -> Iterator[Any]:
    """What the store's calls return for ``filter``, as one stream to compare."""
    for sort in SORTS:
        for projection in PROJECTIONS:
            yield list(collection.find(filter, projection, sort=sort))
        yield list(collection.find(filter, sort=sort).limit(2))
        yield list(collection.find(filter, sort=sort).skip(1).limit(2))
        yield collection.find_one(filter, sort=sort)
    yield collection.count_documents(filter)
    yield collection.count_documents(filter, skip=1, limit=1)
    yield collection.distinct("name", filter)


@pytest.mark.parametrize("filter", FAST_FILTERS + SCANNED_FILTERS)
def test_reads_match_the_engine(filter: Document) -> None:
    plain, fast = pair()
    assert list(results(fast, filter)) == list(results(plain, filter))


@pytest.fixture
def scans(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many times the engine reads every document of a collection (appended to, one per scan)."""
    counted: list[int] = []
    every = CollectionStore.documents

    def documents(store: CollectionStore) -> Any:
        counted.append(1)
        return every.fget(store)  # type: ignore[attr-defined]

    monkeypatch.setattr(CollectionStore, "documents", property(documents))
    return counted


@pytest.mark.parametrize("filter", FAST_FILTERS)
def test_id_filters_are_read_by_key(filter: Document, scans: list[int]) -> None:
    _, fast = pair()
    assert id_keys(filter) is not None
    del scans[:]
    list(results(fast, filter))
    assert scans == []


@pytest.mark.parametrize("filter", SCANNED_FILTERS)
def test_other_filters_are_scanned(filter: Document, scans: list[int]) -> None:
    _, fast = pair()
    assert id_keys(filter) is None
    del scans[:]
    list(fast.find(filter))
    assert scans == [1]


def test_writes_match_the_engine() -> None:
    plain, fast = pair()

    def updated(result: Any) -> tuple[int, int, Any]:
        return result.matched_count, result.modified_count, result.upserted_id

    def apply(collection: Any) -> list[Any]:
        out: list[Any] = [
            updated(collection.update_one({"_id": "e3", "organizationId": "A"}, {"$set": {"n": 9}})),
            updated(collection.update_one({"_id": "e3", "organizationId": "B"}, {"$set": {"n": 8}})),
            updated(collection.update_many({"_id": {"$in": SOME}, "n": {"$lt": 9}}, {"$inc": {"n": 10}})),
            updated(collection.update_one({"_id": "new"}, {"$set": {"n": 1}}, upsert=True)),
            collection.find_one_and_update({"_id": {"$in": ["e7", "e8"]}}, {"$set": {"name": "Z"}},
                                           sort=[("name", -1)], return_document=ReturnDocument.AFTER),
            collection.find_one_and_update({"_id": "missing"}, {"$set": {"name": "Z"}}),
            collection.delete_one({"_id": "e9", "n": -1}).deleted_count,
            collection.delete_many({"_id": {"$in": ["e10", "e11", "missing"]}}).deleted_count,
        ]
        collection.insert_one({"_id": "e10", "organizationId": "A", "name": "again", "n": 0})  # now last
        out.append(list(collection.find({"_id": {"$in": ["e10", "e1", "new", "e2"]}})))
        out.append(list(collection.find({}, sort=[("$natural", 1)])))
        return out

    assert apply(fast) == apply(plain)


def outcome(collection: Any, filter: Document) -> Any:
    try:
        return list(collection.find(filter))
    except mongomock_ng.OperationFailure as error:
        return type(error)


@pytest.mark.parametrize("filter", [
    {"n": {"$in": 5}, "_id": "e1"}, {"n": {"$in": 5}, "_id": "missing"}, {"n": {"$unknown": 1}, "_id": "e1"},
    {"_id": "e1", "n": {"$in": 5}}, {"_id": {"$in": ["e1", "e2"]}, "$bogus": 1}, {"_id": "e1", "n": {"$unknown": 1}},
    {"_id": {"$in": []}, "$bogus": 1}, {"$bogus": 1, "_id": "missing"},
])
def test_malformed_filters_fail_as_on_the_engine(filter: Document) -> None:
    """A filter the engine refuses is refused (the ``_id`` condition first: only if a document has the id;
    the engine tests conditions in order and stops at the first that fails)."""
    plain, fast = pair()
    assert outcome(fast, filter) == outcome(plain, filter)
    assert outcome(keyed(mongomock_ng.MongoClient()["db"]["empty"]), filter) \
        == outcome(mongomock_ng.MongoClient()["db"]["empty"], filter)


async def test_the_embedded_client_reads_by_key(scans: list[int]) -> None:
    client = EmbeddedClient()
    raw = client["db"]["employees"]
    assert type(raw._collection) is KeyedCollection
    await raw.insert_many([{"_id": id, "organizationId": "A", "name": id} for id in ("b", "a", "c")])
    clone = client.clone()
    for collection in (raw, clone["db"]["employees"]):
        assert type(collection._collection) is KeyedCollection
        del scans[:]
        assert await collection.find_one({"_id": "a"}) == {"_id": "a", "organizationId": "A", "name": "a"}
        assert [d["_id"] for d in await collection.find({"_id": {"$in": ["c", "a", "b"]}}).to_list(None)] \
            == ["b", "a", "c"]
        assert await collection.count_documents({"_id": {"$in": ["a", "zz"]}}) == 1
        assert scans == []


async def test_tenant_reads_by_id_count_one_store_call() -> None:
    database = await open_database("memory://", "test_embedded")
    await database.employees.insert_many([{"_id": f"p{i}", "organizationId": "A" if i % 2 else "B", "name": str(i),
                                           "email": f"{i}@x"}
                                          for i in range(10)])
    employees = TenantCollection(database.employees, "A")
    database.stats.reset()
    assert await employees.get("p1", {"name": 1}) == {"_id": "p1", "name": "1"}
    assert await employees.get("p2") is None  # another organisation's
    assert [d["_id"] for d in await employees.by_ids(["p5", "p2", "p3", "p5"])] == ["p3", "p5"]
    assert await employees.count({"_id": {"$in": ["p1", "p2", "p3"]}}) == 2
    assert database.stats.calls == 4
