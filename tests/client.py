"""Small clients for the tests: GraphQL over HTTP and both WebSocket subscription protocols."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect

TRANSPORT_WS = "graphql-transport-ws"
LEGACY_WS = "graphql-ws"


_clients: dict[asyncio.AbstractEventLoop, httpx.AsyncClient] = {}


def shared_client() -> httpx.AsyncClient:
    """One HTTP client per event loop (a test's), its connections kept alive: building a client costs
    tens of milliseconds, far more than a request to a loopback server."""
    loop = asyncio.get_running_loop()
    client = _clients.get(loop)
    if client is None:
        client = _clients[loop] = httpx.AsyncClient(timeout=30)
    return client


async def close_shared_clients() -> None:
    """Close the running loop's client (the server fixture does, before its loop ends)."""
    client = _clients.pop(asyncio.get_running_loop(), None)
    if client is not None:
        await client.aclose()


class GraphQLClient:
    def __init__(self, url: str, token: str | None = None) -> None:
        self.url = url
        self.token = token

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    async def post(self, query: str, variables: dict[str, Any] | None = None, **kwargs: Any) -> httpx.Response:
        return await shared_client().post(self.url, json={"query": query, "variables": variables or {}},
                                          headers={**self.headers(), **kwargs.pop("headers", {})}, **kwargs)

    async def execute(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """The JSON body of a POST; asserts the transport worked (status 200)."""
        response = await self.post(query, variables)
        assert response.status_code == 200, response.text
        return response.json()

    async def data(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """The ``data`` of a query that must succeed without any error."""
        body = await self.execute(query, variables)
        assert "errors" not in body, body["errors"]
        return body["data"]


class Subscriber:
    """One WebSocket connection speaking either protocol, with a single operation."""

    def __init__(self, ws: ClientConnection, protocol: str) -> None:
        self.ws = ws
        self.protocol = protocol
        self.ids = itertools.count(1)

    async def send(self, message: dict[str, Any]) -> None:
        await self.ws.send(json.dumps(message))

    async def receive(self, timeout: float = 5) -> dict[str, Any]:
        async with asyncio.timeout(timeout):
            while True:
                message = json.loads(await self.ws.recv())
                if message.get("type") not in {"ka", "ping", "pong"}:
                    return message

    async def subscribe(self, query: str, variables: dict[str, Any] | None = None) -> str:
        op_id = str(next(self.ids))
        kind = "subscribe" if self.protocol == TRANSPORT_WS else "start"
        await self.send({"id": op_id, "type": kind, "payload": {"query": query, "variables": variables or {}}})
        return op_id

    async def next_payload(self, timeout: float = 5) -> dict[str, Any]:
        """The payload of the next ``next``/``data`` message (fails on anything else)."""
        message = await self.receive(timeout)
        assert message["type"] in {"next", "data"}, message
        return message["payload"]

    async def nothing_within(self, seconds: float) -> bool:
        try:
            message = await self.receive(seconds)
        except TimeoutError:
            return True
        raise AssertionError(f"expected no message, got {message}")


@asynccontextmanager
async def websocket(url: str, token: str | None, protocol: str = TRANSPORT_WS,
                    init: bool = True, **options: Any) -> AsyncIterator[Subscriber]:
    """``options`` go to websockets' ``connect`` (a socket of one's own, keep-alive pings, …)."""
    async with connect(url, subprotocols=[protocol], compression=None, open_timeout=5,  # type: ignore[list-item]
                       **options) as ws:
        subscriber = Subscriber(ws, protocol)
        if init:
            payload = {"authorization": f"Bearer {token}"} if token else {}
            await subscriber.send({"type": "connection_init", "payload": payload})
            ack = await subscriber.receive()
            assert ack["type"] == "connection_ack", ack
        yield subscriber


def answer(body: dict[str, Any]) -> dict[str, Any]:
    """The body of an executed operation without its ``extensions.cost`` (checked to be well formed),
    for tests comparing whole answers."""
    rest = dict(body)
    extensions = dict(rest.pop("extensions", {}))
    cost = extensions.pop("cost")
    assert set(cost) <= {"requested", "actual", "budget", "remaining"} and cost["requested"] <= cost["budget"], cost
    if extensions:
        rest["extensions"] = extensions
    return rest


def refused(body: dict[str, Any]) -> list[tuple[str | None, str, str]]:
    """How a mutation refused: no top-level error, a payload empty but for its ``errors``, whose
    (field, code, message) come back."""
    assert "errors" not in body, body
    (payload,) = body["data"].values()
    assert all(value in (None, [], False) for key, value in payload.items() if key != "errors"), payload
    return [(error.get("field"), error["code"], error.get("message")) for error in payload["errors"]]


def refused_codes(body: dict[str, Any]) -> list[str]:
    """The codes of a refused mutation's payload errors (see :func:`refused`)."""
    return [code for _, code, _ in refused(body)]
