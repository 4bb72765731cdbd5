"""The two servers the fan-out benchmarks talk to, each in a process of its own, under uvicorn as `make serve`
runs it (WebSocket compression off):

* ``perfgraph``: the real app on the embedded store with the demo organisation, plus a few ``/bench`` routes:
  the time each org-chart event was published (the commit happened just before), a publisher at a given
  rate, and subscribe cycles run in process through Strawberry's ``schema.subscribe`` for comparison;
* ``plain``: the floor — a Starlette app that keeps plain WebSocket connections and, on request, sends one
  pre-serialised text to all of them.

    .venv/bin/python -m bench.fanout_servers perfgraph|plain PORT

Clocks: ``time.perf_counter`` is CLOCK_MONOTONIC on Linux, the same clock in every process of the machine,
so the client compares its receipt times with these.
"""

from __future__ import annotations

import asyncio
import gc
import os
import sys
import time
import tracemalloc
from collections import Counter
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketDisconnect

from bench.common import profile_endpoint
from models.demo.org import build_organization
from realtime import Bus
from realtime.groups import SubscriptionGroups
from resolvers.core.context import Context
from resolvers.org.mutations import org_chart_channel
from server.app import create_app
from server.auth import bearer_token, decode_token
from server.config import Settings
from store.core.database import Database
from store.core.seed import seed

DEMO = build_organization()
CHANNEL = org_chart_channel(DEMO.organization["_id"])


def perfgraph_app() -> ASGIApp:
    settings = Settings.from_env()
    published: dict[int, float] = {}
    last_published: dict[str, float] = {}  # per channel kind (``praise``, ``review-form``, …): the latest event
    deliver = SubscriptionGroups._deliver

    async def timed_deliver(self: SubscriptionGroups, group: Any, result: Any) -> None:
        """A group's delivery, its start and end recorded (``delivery_start``, ``delivery_end``): the execution
        before it, the writes to every member in it."""
        last_published["delivery_start"] = time.perf_counter()
        await deliver(self, group, result)
        last_published["delivery_end"] = time.perf_counter()

    SubscriptionGroups._deliver = timed_deliver  # type: ignore[method-assign]

    async def on_startup(database: Database) -> None:
        await seed(database, DEMO)

    app = create_app(settings, on_startup=on_startup, subscriber_queue_size=1024,
                     max_connections_per_viewer=int(os.environ.get("BENCH_CONNECTIONS_PER_VIEWER", "10")))

    def bus() -> Bus:
        bus: Bus = app.state.bus
        if not hasattr(bus, "bench_original_publish"):  # record when each org-chart event leaves
            original = bus.publish

            async def publish(channel: str, message: dict[str, Any]) -> None:
                now = time.perf_counter()
                if channel == CHANNEL:
                    published[message["version"]] = now
                last_published[channel.split(":", 1)[0]] = now
                await original(channel, message)

            bus.bench_original_publish = original  # type: ignore[attr-defined]
            bus.publish = publish  # type: ignore[method-assign]
        return bus

    async def published_at(request: Request) -> JSONResponse:
        bus()
        return JSONResponse({str(k): v for k, v in published.items()})

    async def publish(request: Request) -> JSONResponse:
        """Publish ``count`` org-chart events naming ``employeeId`` at ``rate`` per second, from ``version``."""
        body = await request.json()
        return JSONResponse({"seconds": await publish_events(body["count"], body["rate"], body["version"],
                                                             body["employeeId"])})

    async def publish_events(count: int, rate: float, version: int, employee_id: str) -> float:
        target, interval = bus(), 1 / rate
        start = time.perf_counter()
        for n in range(count):
            delay = start + n * interval - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            await target.publish(CHANNEL, {"kind": "employee_updated", "employeeIds": [employee_id],
                                           "scope": None, "version": version + n})
        return time.perf_counter() - start

    ticker: list[asyncio.Task[float]] = []

    async def tick(request: Request) -> JSONResponse:
        """Start (``rate`` > 0) or stop (``rate`` 0) a background publisher of org-chart events."""
        body = await request.json()
        while ticker:
            ticker.pop().cancel()
        if body["rate"] > 0:
            ticker.append(asyncio.create_task(publish_events(10**9, body["rate"], body["version"],
                                                             body["employeeId"])))
        return JSONResponse({"ticking": bool(ticker)})

    async def cycles(request: Request) -> JSONResponse:
        """``count`` subscribe → first event → complete cycles through ``schema.subscribe``, in process."""
        body = await request.json()
        schema, database = app.state.schema, app.state.database

        def decode(credentials: str | None) -> Any:
            return decode_token(settings.jwt_secret, bearer_token(credentials))

        start = time.perf_counter()
        for _ in range(body["count"]):
            context = Context(database=database, bus=bus(), decode=decode, credentials=f"Bearer {body['token']}")
            stream = await schema.subscribe(body["query"], variable_values=body["variables"], context_value=context)
            result = await anext(stream)
            assert not result.errors, result.errors
            await stream.aclose()
        return JSONResponse({"seconds": time.perf_counter() - start})

    async def members(request: Request) -> JSONResponse:
        """The groups' counts, and ``subscribers``: every live subscription, grouped or run alone (a group holds
        one bus subscription for all its members)."""
        groups, on_bus = app.state.subscriptions.stats(), bus().stats()["subscribers"]
        return JSONResponse({**groups, "subscribers": groups["members"] + on_bus - groups["live_groups"]})

    snapshots: list[tuple[tracemalloc.Snapshot, Counter[str]]] = []

    async def heap(request: Request) -> JSONResponse:
        """With BENCH_TRACEMALLOC set: the first call keeps a baseline; later calls return what was allocated since,
        per ``per`` subscribers, by source line (``lines``) and live objects by type (``types``)."""
        if not tracemalloc.is_tracing():
            return JSONResponse({"error": "start the server with BENCH_TRACEMALLOC=1"}, status_code=400)
        gc.collect()
        types = Counter(f"{type(o).__module__}.{type(o).__qualname__}" for o in gc.get_objects())
        snapshot = tracemalloc.take_snapshot().filter_traces([tracemalloc.Filter(False, tracemalloc.__file__)])
        if not snapshots:
            snapshots.append((snapshot, types))
            return JSONResponse({"baseline": True})
        per = float(request.query_params.get("per", "1"))
        base, base_types = snapshots[0]
        group = request.query_params.get("by", "lineno")
        stats = snapshot.compare_to(base, group)
        total = sum(s.size_diff for s in stats)
        top = [{"where": " < ".join(f"{f.filename.rsplit('/', 1)[-1]}:{f.lineno}" for f in reversed(s.traceback)),
                "bytes": round(s.size_diff / per),
                "count": round(s.count_diff / per, 2)} for s in stats[:60]]
        grown = {k: round((v - base_types.get(k, 0)) / per, 2) for k, v in types.items()
                 if v - base_types.get(k, 0) >= per / 2}
        return JSONResponse({"bytes_per": round(total / per), "lines": top,
                             "types": dict(sorted(grown.items(), key=lambda kv: -kv[1]))})

    profile = profile_endpoint(35, 50)

    async def last(request: Request) -> JSONResponse:
        """When the latest event of each channel kind was published."""
        bus()
        return JSONResponse(last_published)

    routes = Starlette(routes=[Route("/bench/published", published_at), Route("/bench/members", members),
                               Route("/bench/last", last), Route("/bench/heap", heap),
                               Route("/bench/publish", publish, methods=["POST"]),
                               Route("/bench/tick", tick, methods=["POST"]),
                               Route("/bench/cycles", cycles, methods=["POST"]),
                               Route("/bench/profile", profile, methods=["POST"])])

    async def dispatch(scope: Scope, receive: Receive, send: Send) -> None:
        """The ``/bench`` routes beside the app, not around it: everything else (each WebSocket, the lifespan)
        reaches the app as served, with nothing of the bench's own on its call stack for the connection's life."""
        if scope["type"] == "http" and scope["path"].startswith("/bench/"):
            await routes(scope, receive, send)
        else:
            await app(scope, receive, send)

    return dispatch


def plain_app() -> Starlette:
    connections: set[WebSocket] = set()

    async def endpoint(websocket: WebSocket) -> None:
        await websocket.accept()
        connections.add(websocket)
        try:
            while True:
                await websocket.receive_text()
        except WebSocketDisconnect:
            pass
        finally:
            connections.discard(websocket)

    async def broadcast(request: Request) -> JSONResponse:
        text = (await request.json())["text"]
        started = time.perf_counter()
        for websocket in list(connections):
            await websocket.send_text(text)
        return JSONResponse({"t0": started, "connections": len(connections)})

    return Starlette(routes=[WebSocketRoute("/ws", endpoint), Route("/broadcast", broadcast, methods=["POST"]),
                             Route("/health", lambda _: JSONResponse({"status": "ok"}))])


def main() -> None:
    if os.environ.get("BENCH_TRACEMALLOC"):
        tracemalloc.start(int(os.environ["BENCH_TRACEMALLOC"]))
    kind, port = sys.argv[1], int(sys.argv[2])
    deflate = sys.argv[3:] == ["deflate"]  # WS_COMPRESSION=1 as served: uvicorn's permessage-deflate
    app: ASGIApp = perfgraph_app() if kind == "perfgraph" else plain_app()
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", ws_per_message_deflate=deflate,
                lifespan="on" if kind == "perfgraph" else "off", backlog=4096)


if __name__ == "__main__":
    main()
