"""Fixtures: a real uvicorn server in the test's event loop, seeded with two organisations.

Set ``MONGODB_URL`` to run the suite against a real MongoDB (each test gets its own database,
dropped afterwards); by default the embedded store is used. ``BROADCAST_URL`` likewise.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
import uvicorn

from models.demo.org import DemoOrganization, build_organization
from server.app import create_app
from server.auth import mint_token
from server.config import Settings
from store.core.database import INDEXES, Database, open_database
from store.core.embedded import EmbeddedClient
from store.core.seed import seed
from tests.client import GraphQLClient

NORTHWIND = build_organization()
GLOBEX = build_organization(name="Globex", slug="globex", employee_count=20, seed=7)


def test_settings(**overrides: Any) -> Settings:
    return Settings(
        mongodb_url=os.environ.get("MONGODB_URL") or "memory://",
        mongodb_db=(os.environ.get("MONGODB_URL") and f"perfgraph_test_{uuid.uuid4().hex[:12]}") or "perfgraph_test",
        broadcast_url=os.environ.get("BROADCAST_URL") or "memory://",
        **overrides,
    )


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
        state = {}
        for name in collections or tuple(INDEXES):
            documents = await getattr(self.database, name).find({}).to_list(None)
            state[name] = sorted(documents, key=lambda d: d["_id"])
        return state

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


_template: EmbeddedClient | None = None


async def seeded_database(settings: Settings) -> Database:
    """Both organisations, seeded. The embedded store is seeded once per session and cloned for
    each test (seeding every domain takes over a second); a real MongoDB is seeded per test."""
    global _template
    if not settings.embedded_store:
        database = await open_database(settings.mongodb_url, settings.mongodb_db)
        for demo in (NORTHWIND, GLOBEX):
            await seed(database, demo)
        return database
    if _template is None:
        template = await open_database("memory://", settings.mongodb_db)
        for demo in (NORTHWIND, GLOBEX):
            await seed(template, demo)
        _template = template.client
    database = Database(_template.clone(), settings.mongodb_db)
    database.stats.reset()
    return database


async def start_server(settings: Settings,
                       **app_options: Any) -> tuple[uvicorn.Server, asyncio.Task[None], RunningServer]:
    database = await seeded_database(settings)
    app = create_app(settings, database=database, **app_options)
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on",
                            ws_per_message_deflate=False)
    server = uvicorn.Server(config)
    server.install_signal_handlers = lambda: None  # type: ignore[method-assign]
    task = asyncio.create_task(server.serve())
    async with asyncio.timeout(10):
        while not server.started:
            if task.done():
                task.result()
            await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    return server, task, RunningServer(settings, database, port, app)


@asynccontextmanager
async def running_server(**app_options: Any) -> AsyncIterator[RunningServer]:
    settings = test_settings()
    uvicorn_server, task, running = await start_server(settings, **app_options)
    try:
        yield running
    finally:
        uvicorn_server.should_exit = True
        await asyncio.wait_for(task, 10)
        if not settings.embedded_store:
            await running.database.client.drop_database(settings.mongodb_db)
        await running.database.close()


@pytest.fixture
async def server() -> AsyncIterator[RunningServer]:
    async with running_server() as running:
        yield running
