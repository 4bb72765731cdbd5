"""Shared helpers of the feedback tests: the seed, people with the right relationships, snapshots."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

from models.demo.feedback import demo_feedback
from models.demo.org import DemoOrganization
from store.core.database import Database
from tests.client import Subscriber
from tests.conftest import NORTHWIND, RunningServer

Document = dict[str, Any]
MARKER = """
mutation($input: GiveFeedbackInput!) { giveFeedback(input: $input) { feedback { id } errors { code } } }"""

SEED = demo_feedback(NORTHWIND)
ORG_ID = NORTHWIND.organization["_id"]
DOMAIN_COLLECTIONS = ("feedback", "feedbackRequests", "anonymousFeedback", "anonymousContributors",
                      "feedbackSettings", "praise", "followUps")
UNKNOWN_ID = "0" * 24
PEOPLE = {e["_id"]: e for e in NORTHWIND.employees}
ACTIVE = [e for e in NORTHWIND.employees if e["status"] == "active"]


def person(id_or_persona: str) -> Document:
    return PEOPLE[NORTHWIND.personas.get(id_or_persona, id_or_persona)]


def reports_of(manager_id: str) -> list[Document]:
    return [e for e in ACTIVE if e["managerId"] == manager_id]


def teammates(employee: Document) -> list[Document]:
    return [e for e in reports_of(employee["managerId"]) if e["_id"] != employee["_id"]]


def outsider(*people: Document) -> Document:
    """An active person outside the teams and management chains of ``people``, and no HR admin."""
    involved = {p["_id"] for p in people} | {m for p in people for m in p["managerChain"]}
    teams = {p["managerId"] for p in people}
    return next(e for e in ACTIVE if e["_id"] not in involved and "hr_admin" not in e["roles"]
                and e["managerId"] not in teams and not set(e["managerChain"]) & {p["_id"] for p in people})


def manager_with_reports(count: int, *, avoid: tuple[str, ...] = ()) -> Document:
    """An active manager (not an HR admin) with at least ``count`` active direct reports."""
    return next(e for e in ACTIVE if len(reports_of(e["_id"])) >= count and e["_id"] not in avoid
                and "hr_admin" not in e["roles"])


def error(field: str | None, code: str, message: str | None = None) -> dict[str, Any]:
    return {"field": field, "code": code, **({"message": message} if message else {})}


def codes(errors: list[dict[str, Any]]) -> list[tuple[str | None, str]]:
    return [(e["field"], e["code"]) for e in errors]


async def snapshot(server: RunningServer) -> dict[str, list[Document]]:
    """Every document of every collection, both organisations (the server's own snapshot helper)."""
    return await server.snapshot()


async def clear_domain(server: RunningServer) -> None:
    """Start from an organisation without any feedback-domain document (settings back to defaults)."""
    for name in DOMAIN_COLLECTIONS:
        await getattr(server.database, name).delete_many({"organizationId": ORG_ID})


async def stored(server: RunningServer, collection: str, **filter: Any) -> list[Document]:
    return await getattr(server.database, collection).find({"organizationId": ORG_ID, **filter}).to_list(None)


def dumps(value: Any) -> str:
    return json.dumps(value, default=str)


@contextmanager
def recorded_events(server: RunningServer) -> Iterator[list[tuple[str, Any]]]:
    """Every (channel, message) the server publishes while the block runs."""
    bus = server.bus
    original = bus.publish
    seen: list[tuple[str, Any]] = []

    async def publish(channel: str, message: Any) -> None:
        seen.append((channel, message))
        await original(channel, message)

    bus.publish = publish
    try:
        yield seen
    finally:
        bus.publish = original


@asynccontextmanager
async def watching(database: Database, collection: str, method: str) -> AsyncIterator[asyncio.Event]:
    """An event set when ``method`` is next called on ``collection`` (passing on to any gate already set,
    e.g. a :func:`tests.interleave.hold`)."""
    called = asyncio.Event()
    inner = database.stats.gate

    async def gate(name: str, method_called: str) -> None:
        if (name, method_called) == (collection, method):
            called.set()
        if inner is not None:
            await inner(name, method_called)

    database.stats.gate = gate
    try:
        yield called
    finally:
        database.stats.gate = inner


async def first_of(task: asyncio.Task[Any], event: asyncio.Event) -> None:
    """Until ``task`` has finished or ``event`` is set, whichever comes first."""
    waiting = asyncio.create_task(event.wait())
    await asyncio.wait([task, waiting], return_when=asyncio.FIRST_COMPLETED)
    waiting.cancel()


async def marker_comes_first(server: RunningServer, socket: Subscriber, recipient: str, author: str,
                             org: DemoOrganization = NORTHWIND) -> None:
    """``author`` gives ``recipient`` (subscribed to ``feedbackReceived`` on ``socket``) a private marker;
    the next event there must be that marker, so nothing else arrived before it."""
    body = await server.client(author, org).data(MARKER, {"input": {"recipientId": recipient, "text": "marker",
                                                                    "visibility": "PRIVATE"}})
    marker = body["giveFeedback"]["feedback"]["id"]
    event = (await socket.next_payload())["data"]["feedbackReceived"]
    assert event["kind"] == "FEEDBACK" and event.get("feedback", {"id": marker})["id"] == marker, event
