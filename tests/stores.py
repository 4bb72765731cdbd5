"""The test store: a real server, and a database of its own for each running test server.

Without ``MONGODB_URL`` each test process (each pytest-xdist worker) starts one embedded SecantusDB with
nothing kept on disk, stopped when the session ends. With ``MONGODB_URL`` (a MongoDB replica set) the
suite uses that server; its databases are named after the process and dropped at the end.

Seeding both demo organisations takes over a second on a server, so it happens once per process: the
seeded documents are kept in memory (as their BSON bytes), and each database handed out holds them. A
test's writes are counted per collection (``StoreStats.written``); when its server stops, only those
collections are restored, and the database goes back to the pool for the next test. Restoring one reads
it whole (raw BSON, nothing decoded) and rewrites only the documents whose bytes differ from the seeded
ones — the server deletes and inserts documents a few milliseconds each, so refilling a collection of
a few hundred took seconds, and comparing takes a few milliseconds. A changed seeded document is replaced
(half the cost of deleting and inserting it), a collection holding nothing seeded is emptied at once.
"""

from __future__ import annotations

import asyncio
import atexit
import os
import subprocess
import time
import uuid
from typing import Any

from bson.codec_options import CodecOptions
from bson.raw_bson import RawBSONDocument
from pymongo import DeleteOne, MongoClient, ReplaceOne
from pymongo.errors import BulkWriteError, PyMongoError

from models.demo.org import DemoOrganization, build_organization
from store.core.database import INDEXES, Database, open_database
from store.core.embedded import MEMORY, die_with_parent, free_port, server_program
from store.core.seed import seed

NORTHWIND = build_organization()
GLOBEX = build_organization(name="Globex", slug="globex", employee_count=20, seed=7)
DEMOS: tuple[DemoOrganization, ...] = (NORTHWIND, GLOBEX)
PREFIX = f"perfgraph_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
RAW = CodecOptions(document_class=RawBSONDocument)

_url: str | None = os.environ.get("MONGODB_URL") or None
_process: subprocess.Popen[bytes] | None = None


def store_url() -> str:
    """The server the tests use: ``MONGODB_URL``, else this process's embedded server (started once)."""
    global _url, _process
    if _url is None:
        port = free_port()
        _process = subprocess.Popen(
            [server_program(), "--host", "127.0.0.1", "--port", str(port), "--storage-path", MEMORY,
             "--log-level", "WARNING"], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, start_new_session=True, preexec_fn=die_with_parent)
        url = f"mongodb://127.0.0.1:{port}/?directConnection=true"
        _wait_for(url)
        _url = url
    return _url


def _wait_for(url: str, seconds: float = 30.0) -> None:
    client: MongoClient[Any] = MongoClient(url, serverSelectionTimeoutMS=200)
    deadline = time.monotonic() + seconds
    try:
        while True:
            try:
                client.admin.command("ping")
                return
            except PyMongoError:
                if time.monotonic() > deadline or (_process is not None and _process.poll() is not None):
                    raise RuntimeError("the embedded test database did not start") from None
                time.sleep(0.05)
    finally:
        client.close()


def _stop() -> None:
    if _process is not None and _process.poll() is None:
        _process.terminate()
        try:
            _process.wait(10)
        except subprocess.TimeoutExpired:
            _process.kill()
    if os.environ.get("MONGODB_URL"):
        client: MongoClient[Any] = MongoClient(os.environ["MONGODB_URL"])
        try:
            for name in client.list_database_names():
                if name.startswith(PREFIX):
                    client.drop_database(name)
        finally:
            client.close()


class DatabasePool:
    """Seeded databases, reused: each goes back restored to the seeded state."""

    def __init__(self) -> None:
        self.seeded_raw: dict[str, dict[Any, bytes]] = {}  # collection → _id → the seeded document's BSON
        self.free: list[str] = []
        self.count = 0

    async def acquire(self, url: str) -> Database:
        if self.free:
            database = await open_database(url, self.free.pop(), indexes=False)
        else:
            self.count += 1
            database = await open_database(url, f"{PREFIX}_{self.count}")
            if not self.seeded_raw:
                await self._seed(database)
            else:
                await self._fill(database, INDEXES)
        database.stats.reset()
        database.stats.written.clear()
        return database

    async def release(self, database: Database) -> None:
        """The collections the test wrote to, restored; the database back in the pool."""
        try:
            await self._fill(database, database.stats.written)
            self.free.append(database.name)
        finally:
            await database.close()

    async def restore(self, database: Database) -> None:
        """The collections written since the last restore (or since it was handed out) back to the seeded
        state, for a server that serves several tests (tests/core/test_visibility.py)."""
        await self._fill(database, database.stats.written)
        database.stats.reset()
        database.stats.written.clear()

    async def _fill(self, database: Database, names: Any) -> None:
        """Each collection of ``names`` back to its seeded documents, all of them at once: the documents
        added since are deleted, the changed ones replaced by their seeded bytes, the missing ones inserted."""
        await asyncio.gather(*(self._refill(database, name) for name in sorted(names)))

    async def _refill(self, database: Database, name: str) -> None:
        seeded = self.seeded_raw.get(name, {})
        collection = database.client[database.name].get_collection(name, codec_options=RAW)
        added: list[Any] = []  # not seeded: deleted
        changed: list[Any] = []  # seeded, with other bytes now: replaced by the seeded document
        present: set[Any] = set()
        for document in await collection.find({}).to_list(None):
            id = document["_id"]
            present.add(id)
            if id not in seeded:
                added.append(id)
            elif seeded[id] != document.raw:
                changed.append(id)
        if added and len(added) == len(present):
            await collection.delete_many({})  # nothing to keep: a third of the time of deleting them by id
        elif added:
            await collection.bulk_write([DeleteOne({"_id": id}) for id in added])
        missing = [RawBSONDocument(raw) for id, raw in seeded.items() if id not in present]
        if changed:
            # a replacement costs half a deletion and an insertion; it fails only where a unique key
            # the seeded document holds is held by another changed one now: then delete and insert them all
            try:
                await collection.bulk_write([ReplaceOne({"_id": id}, RawBSONDocument(seeded[id])) for id in changed],
                                            ordered=False)
            except BulkWriteError:
                await collection.delete_many({"_id": {"$in": changed}})
                missing += [RawBSONDocument(seeded[id]) for id in changed]
        if missing:
            await collection.insert_many(missing, ordered=False)

    async def _seed(self, database: Database) -> None:
        """Seed the first database, and keep what it holds then for every later one."""
        for demo in DEMOS:
            await seed(database, demo)
        for name in INDEXES:  # as the server sends them back, to compare byte for byte
            raw = database.client[database.name].get_collection(name, codec_options=RAW)
            self.seeded_raw[name] = {d["_id"]: d.raw for d in await raw.find({}).to_list(None)}


POOL = DatabasePool()
atexit.register(_stop)  # this process's embedded server stopped, or its databases at MONGODB_URL dropped
