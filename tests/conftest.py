"""Fixtures: a real uvicorn server in the test's event loop, seeded with two organisations.

The store is a real server: the embedded SecantusDB (one per test process), or the MongoDB replica set
at ``MONGODB_URL``. Each running server gets a database of its own, restored to the seeded state after
use (tests/stores.py). ``BROADCAST_URL`` selects the bus likewise.
"""

from __future__ import annotations

import asyncio
import functools
import os
import random
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest
import strawberry
import uvicorn
from websockets.exceptions import InvalidState

from models.demo.org import DemoOrganization
from schema.schema import build_schema
from server.app import create_app
from server.auth import mint_token
from server.config import Settings
from server.protocol import HEADER_SECONDS, with_header_deadline
from store.core.database import INDEXES, Database
from tests.client import GraphQLClient, close_shared_clients
from tests.stores import GLOBEX, NORTHWIND, POOL, store_url


def published(server: RunningServer, monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dict[str, Any]]]:
    """Every ``(channel, message)`` the server publishes from now on, in order (its bus's ``publish`` wrapped for
    the test; the messages still go out)."""
    seen: list[tuple[str, dict[str, Any]]] = []
    original = server.bus.publish

    async def recording(channel: str, message: dict[str, Any]) -> None:
        seen.append((channel, message))
        await original(channel, message)

    monkeypatch.setattr(server.bus, "publish", recording)
    return seen


def fixed_moment(window: int) -> Callable[[], float]:
    """A rate limiter's clock standing still in the middle of a window chosen at random: a test's counts neither
    roll over into the next window (windows are aligned on the clock) nor meet an earlier run's (kept in Redis)."""
    moment = (random.getrandbits(32) + 1) * window + window / 2
    return lambda: moment


def settings_for_tests(**overrides: Any) -> Settings:
    # no background worker unless a test asks for one (tests/notifications): it would write while others count
    return Settings(mongodb_url=store_url(), mongodb_db="perfgraph_test",
                    broadcast_url=os.environ.get("BROADCAST_URL") or "memory://", **{"worker": False, **overrides})


class RunningServer:
    """A live server on a free loopback port, with the demo organisations and helpers."""

    def __init__(self, settings: Settings, database: Database, port: int, app: Any) -> None:
        self.settings = settings
        self.database = database
        self.port = port
        self.app = app
        self.url = f"http://127.0.0.1:{port}/graphql"
        self.ws_url = f"ws://127.0.0.1:{port}/graphql"
        self.demo = NORTHWIND
        self.other = GLOBEX

    @property
    def bus(self) -> Any:
        return self.app.state.bus

    def token(self, who: str, org: DemoOrganization = NORTHWIND, *, ttl: int = 3600,
              roles: list[str] | None = None) -> str:
        """A token for a persona name ("employee", "manager", "hr_admin") or an employee id."""
        employee_id = org.personas.get(who, who)
        employee = next(e for e in org.employees if e["_id"] == employee_id)
        return mint_token(self.settings.jwt_secret, employee_id, org.organization["_id"],
                          employee["roles"] if roles is None else roles, ttl)

    async def snapshot(self, collections: tuple[str, ...] | None = None) -> dict[str, list[dict[str, Any]]]:
        """Every document of every collection (or of ``collections``), both organisations, in id order:
        compare one taken before a refused write with one taken after to prove nothing changed."""
        names = collections or tuple(INDEXES)
        found = await asyncio.gather(*(getattr(self.database, name).find({}).to_list(None) for name in names))
        return {name: sorted(documents, key=lambda d: d["_id"]) for name, documents in zip(names, found, strict=True)}

    async def stored_employees(self) -> dict[str, dict[str, Any]]:
        """Northwind's employees as stored now, by id."""
        org_id = self.demo.organization["_id"]
        return {d["_id"]: d for d in await self.database.employees.find({"organizationId": org_id}).to_list(None)}

    def live_subscriptions(self) -> int:
        """Subscriptions an event published now reaches: members of live groups, and the others (one
        bus subscription each, besides the groups' own)."""
        groups = self.app.state.subscriptions.stats()
        return groups["members"] + self.bus.stats()["subscribers"] - groups["live_groups"]

    async def wait_subscribers(self, count: int) -> None:
        """Until ``count`` subscriptions are live: an event published from then on reaches them."""
        async with asyncio.timeout(5):
            while self.live_subscriptions() != count:
                await asyncio.sleep(0.01)

    def client(self, who: str | None = None, org: DemoOrganization = NORTHWIND) -> GraphQLClient:
        return GraphQLClient(self.url, self.token(who, org) if who else None)


@functools.cache
def shared_schema(**options: Any) -> strawberry.Schema:
    """One schema per set of options in this test process: building it costs more than the rest of a test
    server's start, and a schema holds no state of its app (each app opens its own store, bus and groups)."""
    return build_schema(**options)


async def seeded_database(settings: Settings) -> Database:
    """A database of its own for one server, holding both organisations as seeded (see tests/stores.py)."""
    return await POOL.acquire(settings.mongodb_url)


async def start_server(settings: Settings, *, header_seconds: float = HEADER_SECONDS,
                       database: Database | None = None, **app_options: Any) -> tuple[uvicorn.Server, RunningServer]:
    """A uvicorn server on a free loopback port, started in this event loop (its lifespan run), with the
    serving protocol (``header_seconds``: its deadline for a request's headers). ``database``: another running
    server's (two servers of one deployment; stop this one with ``release=False``), else one of its own."""
    shared = database is not None
    database = database or await seeded_database(settings)
    app = create_app(settings, database=database, schema_factory=shared_schema, **app_options)
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on",
                            ws_per_message_deflate=False, http=with_header_deadline(header_seconds))
    config.load()
    server = uvicorn.Server(config)
    server.lifespan = config.lifespan_class(config)
    # uvicorn's serve() without its main loop, which checks for shutdown only every 0.1 s
    await server.startup()
    if server.should_exit:
        if not shared:
            await POOL.release(database)
        raise RuntimeError("the test server did not start")
    port = server.servers[0].sockets[0].getsockname()[1]
    return server, RunningServer(settings, database, port, app)


async def stop_server(server: uvicorn.Server, running: RunningServer, *, release: bool = True) -> None:
    """Shut it down (connections, then the lifespan) and hand its database back restored (``release``: unless
    another server still uses it)."""
    await close_shared_clients()  # first: the server then has no idle keep-alive connection to wait for
    await quick_shutdown(server)
    if release:
        await POOL.release(running.database)


async def quick_shutdown(server: uvicorn.Server, seconds: float = 30.0) -> None:
    """uvicorn's ``Server.shutdown`` without its fixed 0.1 s pause (a tenth of a second a test): stop
    accepting, ask every connection to close, wait (polling every 5 ms) until the connections and their
    tasks are gone (one already closing is left to finish), then the lifespan's shutdown."""
    for listening in server.servers:
        listening.close()
    for connection in list(server.server_state.connections):
        try:
            connection.shutdown()
        except InvalidState:  # a WebSocket already closing (uvicorn's sans-I/O protocol refuses a second close)
            pass
    async with asyncio.timeout(seconds):
        while server.server_state.connections or server.server_state.tasks:
            await asyncio.sleep(0.005)
    await server.lifespan.shutdown()


@asynccontextmanager
async def running_server(**app_options: Any) -> AsyncIterator[RunningServer]:
    uvicorn_server, running = await start_server(settings_for_tests(), **app_options)
    try:
        yield running
    finally:
        await stop_server(uvicorn_server, running)


@pytest.fixture
async def server() -> AsyncIterator[RunningServer]:
    async with running_server() as running:
        yield running
