"""The store on a real server: the embedded database's process, replica-set check, index migration,
transactions and the counting wrapper's interleaving hook."""

from __future__ import annotations

import asyncio
import logging
import subprocess
from pathlib import Path

import pytest
from pymongo import AsyncMongoClient

from store.core.database import INDEXES, StoreUnavailable, open_database
from store.core.embedded import EmbeddedServer, free_port, server_program
from store.core.repository import TenantStore
from tests.interleave import hold
from tests.stores import store_url


async def test_the_embedded_database_keeps_its_data_across_restarts(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    # given the embedded database with its data in a directory of its own
    monkeypatch.setenv("PERFGRAPH_DATA", str(tmp_path / "db"))
    first = await open_database("embedded://", "perfgraph")
    assert first.embedded is not None and first.embedded.where == str(tmp_path / "db")
    await first.organizations.insert_one({"_id": "org-1", "name": "Kept", "slug": "kept"})
    # when it stops (its child process with it) and starts again
    process = first.embedded.process
    await first.close()
    assert process is not None and process.returncode is not None
    second = await open_database("embedded://", "perfgraph")
    try:
        # then what was written is still there
        assert await second.organizations.find_one({"_id": "org-1"}) == {"_id": "org-1", "name": "Kept", "slug": "kept"}
    finally:
        await second.close()


async def test_a_standalone_server_is_refused_with_one_line() -> None:
    # given a server that is not a replica set
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        server_program(), "--host", "127.0.0.1", "--port", str(port), "--storage-path", ":memory:", "--standalone",
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"mongodb://127.0.0.1:{port}/?directConnection=true"
        client: AsyncMongoClient = AsyncMongoClient(url, serverSelectionTimeoutMS=200)
        async with asyncio.timeout(30):
            while True:
                try:
                    await client.admin.command("ping")
                    break
                except Exception:
                    await asyncio.sleep(0.05)
        await client.close()
        # when Perfgraph opens it / then it refuses, saying how to start a replica set
        with pytest.raises(StoreUnavailable) as refused:
            await open_database(url, "perfgraph")
        assert str(refused.value) == (
            "MongoDB is a standalone server; Perfgraph needs a replica set for its transactions "
            "(start mongod with --replSet rs0, then run rs.initiate() once in mongosh)")
    finally:
        process.terminate()
        await process.wait()


async def test_an_index_redefined_under_its_name_is_migrated(caplog: pytest.LogCaptureFixture) -> None:
    # given a database whose "org_manager" index on employees has another definition than ours
    url, name = store_url(), "perfgraph_index_migration"
    client: AsyncMongoClient = AsyncMongoClient(url)
    await client.drop_database(name)
    await client[name]["employees"].create_index([("managerId", 1)], name="org_manager")
    await client.close()
    # when Perfgraph opens it
    caplog.set_level(logging.WARNING, logger="perfgraph.store")
    database = await open_database(url, name)
    try:
        # then the index has our definition, and the log says it was migrated
        indexes = await database.employees.index_information()
        keys, _ = next(spec for spec in INDEXES["employees"] if spec[1]["name"] == "org_manager")
        assert indexes["org_manager"]["key"] == keys
        assert [r.getMessage() for r in caplog.records if r.name == "perfgraph.store"] == [
            "index employees.org_manager changed its definition: dropping and recreating it"]
    finally:
        await database.client.drop_database(name)
        await database.close()


async def test_an_index_no_longer_used_is_dropped_where_an_earlier_version_created_it(
        caplog: pytest.LogCaptureFixture) -> None:
    # given a database an earlier version created, with the unique participant index since retired
    url, name = store_url(), "perfgraph_index_retired"
    client: AsyncMongoClient = AsyncMongoClient(url)
    await client.drop_database(name)
    await client[name]["meritParticipants"].create_index(
        [("organizationId", 1), ("cycleId", 1), ("employeeId", 1)], unique=True, name="org_cycle_employee")
    await client.close()
    # when Perfgraph opens it
    caplog.set_level(logging.WARNING, logger="perfgraph.store")
    database = await open_database(url, name)
    try:
        # then the retired index is gone, ours are there, and the log says what was dropped
        indexes = await database.meritParticipants.index_information()
        assert sorted(indexes) == sorted(["_id_", *(o["name"] for _, o in INDEXES["meritParticipants"])])
        assert [r.getMessage() for r in caplog.records if r.name == "perfgraph.store"] == [
            "index meritParticipants.org_cycle_employee is no longer used: dropped"]
        # and opening it again drops nothing more
        caplog.clear()
        await database.create_indexes()
        assert [r.getMessage() for r in caplog.records if r.name == "perfgraph.store"] == []
    finally:
        await database.client.drop_database(name)
        await database.close()


async def test_a_transaction_writes_all_or_nothing_and_retries_a_conflict() -> None:
    # given a store and a document that five concurrent transactions each change
    url, name = store_url(), "perfgraph_transactions"
    database = await open_database(url, name)
    store = TenantStore(database, "org-1")
    await database.client.drop_database(name)
    await database.employees.insert_one({"_id": "a", "organizationId": "org-1", "email": "a@x.test", "n": 0})

    async def step() -> None:
        await database.employees.update_one({"_id": "a"}, {"$inc": {"n": 1}})
        await asyncio.sleep(0.02)  # the others start meanwhile and conflict on the same document
        await database.departments.insert_one({"organizationId": "org-1", "name": "d"})

    async def failing() -> None:
        await database.employees.update_one({"_id": "a"}, {"$inc": {"n": 100}})
        raise ValueError("stop half-way")

    try:
        # when they run at once, and one more fails half-way
        await asyncio.gather(*(store.transaction(step) for _ in range(5)))
        with pytest.raises(ValueError):
            await store.transaction(failing)
        # then every one of the five landed whole, and nothing of the failed one did
        assert (await database.employees.find_one({"_id": "a"}))["n"] == 5
        assert await database.departments.count_documents({}) == 5
    finally:
        await database.client.drop_database(name)
        await database.close()


async def test_hold_parks_one_operation_at_a_chosen_call() -> None:
    # given a store and two writers
    url, name = store_url(), "perfgraph_hold"
    database = await open_database(url, name, indexes=False)
    order: list[str] = []

    async def write(label: str) -> None:
        await database.departments.insert_one({"_id": label, "organizationId": "o", "name": label})
        order.append(label)

    try:
        async with hold(database, "departments", "insert_one") as held:
            # when the first is held at its insert and the second runs meanwhile
            first = asyncio.create_task(write("first"))
            await held.reached.wait()
            await write("second")
        await first
        # then the second finished before the first
        assert order == ["second", "first"]
    finally:
        await database.client.drop_database(name)
        await database.close()


async def test_stopping_the_embedded_server_twice_is_harmless() -> None:
    server = EmbeddedServer(None)
    await server.start()
    await server.stop()
    await server.stop()
    assert server.process is None
