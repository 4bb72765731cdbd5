"""The notifications tests' helpers: a webhook receiver on loopback, a server whose settings allow it, and
the documents the tests send."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from resolvers.notifications.worker import DeliveryWorker
from tests.conftest import RunningServer, settings_for_tests, start_server, stop_server


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    path: str


@dataclass
class Receiver:
    """Answers each request with the next of ``answers`` (status, headers), then 200; keeps what came."""

    answers: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    port: int = 0
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"

    async def handle(self, request: Request) -> Response:
        self.received.append(Received(dict(request.headers), await request.body(), request.url.path))
        self.arrived.set()
        status, headers = self.answers.pop(0) if self.answers else (200, {})
        return Response("ok", status_code=status, headers=headers)


@asynccontextmanager
async def receiver(*answers: tuple[int, dict[str, str]]) -> AsyncIterator[Receiver]:
    """A webhook receiver on a free loopback port, in the test's event loop."""
    target = Receiver(list(answers))
    app = Starlette(routes=[Route("/{path:path}", target.handle, methods=["POST", "GET"])])
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off")
    config.load()
    server = uvicorn.Server(config)
    server.lifespan = config.lifespan_class(config)
    await server.startup()
    target.port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield target
    finally:
        await server.shutdown()


@asynccontextmanager
async def webhook_server(**settings: Any) -> AsyncIterator[RunningServer]:
    """A test server whose settings allow webhooks to loopback (the development setting)."""
    uvicorn_server, running = await start_server(settings_for_tests(webhook_private_urls=True, **settings))
    try:
        yield running
    finally:
        await stop_server(uvicorn_server, running)


def worker(server: RunningServer, **options: Any) -> DeliveryWorker:
    """A delivery worker on the server's store, run by hand (``await worker.run_once()``)."""
    return DeliveryWorker(server.database, allow_private=True, **options)


SAVE_ENDPOINT = """
mutation Save($id: ID, $input: WebhookEndpointInput!) {
  saveWebhookEndpoint(id: $id, input: $input) {
    endpoint { id url description eventTypes enabled disabledReason previousSecretUntil }
    secret errors { field code message }
  }
}
"""
ENDPOINTS = "{ webhookEndpoints { id url eventTypes enabled disabledReason } }"
DELIVERIES = """
query Deliveries($endpointId: ID, $first: Int = 20, $after: String) {
  webhookDeliveries(endpointId: $endpointId, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { id endpointId messageId eventType body status attemptCount nextAttemptAt replayOf
                   attempts { status error } } }
  }
}
"""
REPLAY = """
mutation Replay($id: ID!) {
  replayWebhookDelivery(deliveryId: $id) { delivery { id messageId status replayOf } errors { field code message } }
}
"""
NOTIFICATIONS = """
query Notifications($unread: Boolean, $first: Int = 20, $after: String) {
  notifications(unread: $unread, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { id kind text subjectType subjectId read } }
  }
}
"""
MARK_READ = """
mutation Mark($ids: [ID!]) { markNotificationsRead(ids: $ids) { count errors { field code message } } }
"""
CREATE_EMPLOYEE = """
mutation Create($input: CreateEmployeeInput!) {
  createEmployee(input: $input) { employee { id } errors { field code message } }
}
"""


def new_person(n: int = 1) -> dict[str, Any]:
    return {"input": {"name": f"Webhook Person {n}", "email": f"webhook.person{n}@northwind.example",
                      "hireDate": "2024-03-04"}}


async def save_endpoint(server: RunningServer, url: str, types: list[str] | None = None,
                        who: str = "hr_admin") -> dict[str, Any]:
    body = await server.client(who).data(SAVE_ENDPOINT, {"input": {
        "url": url, "description": "HRIS sync", "eventTypes": types or ["EMPLOYEE_CREATED"]}})
    payload = body["saveWebhookEndpoint"]
    assert payload["errors"] == [], payload
    return payload


async def create_person(server: RunningServer, n: int = 1) -> str:
    body = await server.client("hr_admin").data(CREATE_EMPLOYEE, new_person(n))
    assert body["createEmployee"]["errors"] == [], body
    return body["createEmployee"]["employee"]["id"]
