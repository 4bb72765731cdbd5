"""Subscriptions at scale: fan-out latency, memory per idle subscriber, sustained delivery, subscribe cycles.

This process is the client; the servers run in processes of their own (bench/fanout_servers.py): Perfgraph
(uvicorn, embedded store, demo organisation) and the floor, a plain Starlette WebSocket server that sends a
pre-serialised text. Subscribers are real graphql-transport-ws sockets, each signed in as one of the 200
employees in turn, all selecting org-chart fields of ``orgChartChanged`` at the top of the organisation.

4. fan-out: one rename mutation per round; from the event's publication (right after the commit) to each
   subscriber's receipt, against the floor sending the same message text to as many plain sockets.
   Rounds alternate Perfgraph / floor; the ratio is the median of the per-round p99 ratios.
5. memory: the server's resident memory per idle subscription at 1,000 (and 5,000) subscribers, against
   plain WebSocket connections (compression off on both); and what WS_COMPRESSION=1 adds per subscriber
   (permessage-deflate negotiated) against the same server without it.
6. sustained: events published at rising rates to 1,000 subscribers until p99 passes 250 ms; deliveries
   per second per core = deliveries / the server process's CPU seconds. And subscribe → first event →
   complete cycles over one socket against the same cycles through ``schema.subscribe`` in the server.

    .venv/bin/python -m bench.fanout [--quick]
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect

from bench.common import (
    ROOT,
    free_port,
    median_ratio,
    percentile,
    process_cpu_seconds,
    process_rss_kib,
    record,
    server_env,
    store_label,
)
from models.demo.org import build_organization
from server.auth import mint_token
from server.config import DEV_JWT_SECRET

DEMO = build_organization()
PEOPLE = [e for e in DEMO.employees if e["status"] != "terminated"]
CEO = next(e["_id"] for e in DEMO.employees if e.get("managerId") is None)
TARGET = DEMO.personas["employee"]
SUBSCRIPTION = ("subscription($root: ID!) { orgChartChanged(rootId: $root) { kind version "
                "employees { id name title } } }")
RENAME = "mutation($id: ID!, $name: String!) { updateEmployee(id: $id, input: {name: $name}) { errors { code } } }"


def token(person: dict[str, Any]) -> str:
    return mint_token(DEV_JWT_SECRET, person["_id"], DEMO.organization["_id"], person["roles"])


@dataclass
class Server:
    kind: str
    port: int
    pid: int
    http: httpx.AsyncClient
    deflate: bool = False

    def rss_kib(self) -> int:
        return process_rss_kib(self.pid)

    def cpu_seconds(self) -> float:
        return process_cpu_seconds(self.pid)


@asynccontextmanager
async def server(kind: str, *, deflate: bool = False, **env: str) -> AsyncIterator[Server]:
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.fanout_servers", kind, str(port), *(["deflate"] if deflate else []), cwd=ROOT,
        env=server_env(**env))
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=120) as http:
            for _ in range(600):
                try:
                    if (await http.get("/health")).status_code == 200:
                        break
                except httpx.TransportError:
                    await asyncio.sleep(0.1)
            else:
                raise RuntimeError(f"the {kind} server did not start")
            yield Server(kind, port, process.pid, http, deflate)
    finally:
        process.terminate()
        await process.wait()


@dataclass
class Receivers:
    """Open sockets; every text received is noted with its arrival time."""

    arrivals: list[tuple[float, str]] = field(default_factory=list)
    sockets: list[ClientConnection] = field(default_factory=list)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    expected: int = 0
    complete: asyncio.Event = field(default_factory=asyncio.Event)

    async def read(self, ws: ClientConnection) -> None:
        async for text in ws:
            self.arrivals.append((time.perf_counter(), str(text)))
            if len(self.arrivals) == self.expected:
                self.complete.set()

    def expect(self, count: int) -> None:
        self.arrivals, self.expected = [], count
        self.complete.clear()

    async def wait(self, timeout: float = 60) -> None:
        async with asyncio.timeout(timeout):
            await self.complete.wait()

    async def close(self) -> None:
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*(ws.close() for ws in self.sockets), return_exceptions=True)
        self.sockets, self.tasks = [], []


async def open_sockets(target: Server, receivers: Receivers, count: int) -> None:
    """``count`` more sockets: subscribed (Perfgraph) or just open (plain), 50 connecting at a time, asking for
    permessage-deflate when the server offers it."""
    gate = asyncio.Semaphore(50)
    start = len(receivers.sockets)
    compression = "deflate" if target.deflate else None

    async def one(n: int) -> None:
        async with gate:
            if target.kind == "plain":
                ws = await connect(f"ws://127.0.0.1:{target.port}/ws", compression=None, ping_interval=None)
            else:
                ws = await connect(f"ws://127.0.0.1:{target.port}/graphql", compression=compression,
                                   ping_interval=None, subprotocols=["graphql-transport-ws"])  # type: ignore[list-item]
                person = PEOPLE[n % len(PEOPLE)]
                await ws.send(json.dumps({"type": "connection_init",
                                          "payload": {"authorization": f"Bearer {token(person)}"}}))
                await ws.recv()
                await ws.send(json.dumps({"id": "1", "type": "subscribe",
                                          "payload": {"query": SUBSCRIPTION, "variables": {"root": CEO}}}))
            receivers.sockets.append(ws)
            receivers.tasks.append(asyncio.create_task(receivers.read(ws)))

    await asyncio.gather(*(one(n) for n in range(start, start + count)))
    if target.kind == "perfgraph":  # the server counts live members
        async with asyncio.timeout(120):
            while (await target.http.get("/bench/members")).json()["members"] != len(receivers.sockets):
                await asyncio.sleep(0.1)


def latencies(arrivals: list[tuple[float, str]], t0: float) -> list[float]:
    return [t - t0 for t, _ in arrivals]


async def fan_out(perfgraph: Server, plain: Server, ours: Receivers, floor: Receivers,
                  rounds: int) -> dict[str, Any]:
    admin = next(e for e in PEOPLE if e["_id"] == DEMO.personas["hr_admin"])
    headers = {"Authorization": f"Bearer {token(admin)}"}
    text, per_round, pooled = "", {"perfgraph": [], "floor": []}, {"perfgraph": [], "floor": []}
    for n in range(rounds + 1):  # round 0 warms up and captures the message text for the floor
        for variant in ("perfgraph", "floor") if n % 2 else ("floor", "perfgraph"):
            if variant == "floor" and not text:
                continue
            receivers = ours if variant == "perfgraph" else floor
            receivers.expect(len(receivers.sockets))
            if variant == "perfgraph":
                response = await perfgraph.http.post("/graphql", headers=headers, json={
                    "query": RENAME, "variables": {"id": TARGET, "name": f"Renamed {n}"}})
                assert response.json()["data"]["updateEmployee"]["errors"] == [], response.text
                await receivers.wait()
                version = json.loads(receivers.arrivals[0][1])["payload"]["data"]["orgChartChanged"]["version"]
                t0 = (await perfgraph.http.get("/bench/published")).json()[str(version)]
                text = text or receivers.arrivals[0][1]
            else:
                t0 = (await plain.http.post("/broadcast", json={"text": text})).json()["t0"]
                await receivers.wait()
            if n:
                values = latencies(receivers.arrivals, t0)
                per_round[variant].append(percentile(values, 99))
                pooled[variant] += values
    figures: dict[str, Any] = {"subscribers": len(ours.sockets), "rounds": rounds,
                               "p99_ratio_vs_floor": median_ratio(per_round["perfgraph"], per_round["floor"])}
    for variant, values in pooled.items():
        figures[f"{variant}_p50_ms"] = round(percentile(values, 50) * 1000, 2)
        figures[f"{variant}_p99_ms"] = round(percentile(values, 99) * 1000, 2)
    return figures


async def memory(target: Server, receivers: Receivers, count: int, baseline: int) -> dict[str, float]:
    """KiB of server memory per idle socket once ``count`` are open, above ``baseline`` (none open)."""
    await open_sockets(target, receivers, count - len(receivers.sockets))
    await asyncio.sleep(1)
    return {f"kib_per_connection_at_{count}": round((target.rss_kib() - baseline) / count, 1)}


async def sustained(perfgraph: Server, ours: Receivers, rates: list[int], seconds: float) -> dict[str, Any]:
    version, steps, best = 1_000_000, [], 0.0
    for rate in rates:
        count = max(1, int(rate * seconds))
        ours.expect(count * len(ours.sockets))
        cpu, wall = perfgraph.cpu_seconds(), time.perf_counter()
        await perfgraph.http.post("/bench/publish", json={"count": count, "rate": rate, "version": version,
                                                          "employeeId": TARGET})
        try:
            await ours.wait(timeout=30)
        except TimeoutError:
            steps.append({"rate": rate, "delivered": len(ours.arrivals), "expected": ours.expected})
            break
        cpu, wall = perfgraph.cpu_seconds() - cpu, time.perf_counter() - wall
        published = (await perfgraph.http.get("/bench/published")).json()
        values = [t - published[str(json.loads(m)["payload"]["data"]["orgChartChanged"]["version"])]
                  for t, m in ours.arrivals]
        per_core = ours.expected / cpu if cpu else float("inf")
        steps.append({"events_per_s": rate, "deliveries_per_s": round(ours.expected / wall),
                      "server_cores_busy": round(cpu / wall, 2), "deliveries_per_s_per_core": round(per_core),
                      "p99_ms": round(percentile(values, 99) * 1000, 1)})
        version += count
        if percentile(values, 99) > 0.25:
            break
        best = max(best, per_core)
    return {"steps": steps, "best_deliveries_per_s_per_core_within_250ms": round(best)}


async def subscribe_cycles(perfgraph: Server, cycles: int, rounds: int) -> dict[str, Any]:
    person = next(e for e in PEOPLE if e["_id"] == TARGET)
    body = {"query": SUBSCRIPTION, "variables": {"root": CEO}, "token": token(person), "count": cycles}
    ws = await connect(f"ws://127.0.0.1:{perfgraph.port}/graphql", compression=None, ping_interval=None,
                       subprotocols=["graphql-transport-ws"])  # type: ignore[list-item]
    await ws.send(json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {body['token']}"}}))
    await ws.recv()
    await perfgraph.http.post("/bench/tick", json={"rate": 1000, "version": 2_000_000, "employeeId": TARGET})
    ids = iter(range(1, 10**9))

    async def over_websocket() -> float:
        start = time.perf_counter()
        for _ in range(cycles):
            op = str(next(ids))
            await ws.send(json.dumps({"id": op, "type": "subscribe", "payload": {
                "query": SUBSCRIPTION, "variables": body["variables"]}}))
            while json.loads(await ws.recv()).get("id") != op:
                pass
            await ws.send(json.dumps({"id": op, "type": "complete"}))
        return (time.perf_counter() - start) / cycles

    async def in_process() -> float:
        return (await perfgraph.http.post("/bench/cycles", json=body)).json()["seconds"] / cycles

    try:
        figures = {"websocket": [], "in_process": []}
        for n in range(rounds):
            for name in ("websocket", "in_process") if n % 2 == 0 else ("in_process", "websocket"):
                figures[name].append(await (over_websocket() if name == "websocket" else in_process()))
    finally:
        await perfgraph.http.post("/bench/tick", json={"rate": 0})
        await ws.close()
    return {"websocket_cycles_per_s": round(1 / min(figures["websocket"])),
            "in_process_cycles_per_s": round(1 / min(figures["in_process"])),
            "transport_cost_ratio": median_ratio(figures["websocket"], figures["in_process"])}


async def run(quick: bool) -> None:
    subscribers, rounds, store = 1000, 6 if quick else 20, store_label()
    async with server("perfgraph") as perfgraph, server("plain") as plain:
        record("subscribe_cycles", await subscribe_cycles(perfgraph, 50 if quick else 200, 4 if quick else 8),
               store=store)
        ours, floor = Receivers(), Receivers()
        await asyncio.sleep(1)
        bases = perfgraph.rss_kib(), plain.rss_kib()
        mine = await memory(perfgraph, ours, subscribers, bases[0])
        theirs = await memory(plain, floor, subscribers, bases[1])
        record("fan_out", await fan_out(perfgraph, plain, ours, floor, rounds), store=store)
        record("sustained_delivery", await sustained(perfgraph, ours, [5, 10, 20, 40] if quick else
                                                     [5, 10, 20, 40, 80, 160, 320], 2 if quick else 3), store=store)
        if not quick:
            mine |= await memory(perfgraph, ours, 5000, bases[0])
            theirs |= await memory(plain, floor, 5000, bases[1])
        figures: dict[str, Any] = {f"perfgraph_{k}": v for k, v in mine.items()}
        figures |= {f"plain_{k}": v for k, v in theirs.items()}
        for key, value in mine.items():
            figures[f"ratio_{key.rsplit('_', 1)[1]}"] = round(value / theirs[key], 2)
        record("memory_per_subscriber", figures, store=store)
        await ours.close()
        await floor.close()
    record("ws_compression_memory", await compression_memory(subscribers), store=store)


async def compression_memory(subscribers: int) -> dict[str, Any]:
    """What WS_COMPRESSION=1 costs: KiB per idle subscriber with permessage-deflate negotiated, beside the same
    server without it, measured one after the other in this run."""
    figures: dict[str, Any] = {}
    for deflate in (False, True):
        async with server("perfgraph", deflate=deflate) as target:
            receivers = Receivers()
            await asyncio.sleep(1)
            baseline = target.rss_kib()
            measured = await memory(target, receivers, subscribers, baseline)
            figures[f"{'deflate' if deflate else 'plain'}_kib_per_subscriber"] = next(iter(measured.values()))
            await receivers.close()
    plain, deflate = figures["plain_kib_per_subscriber"], figures["deflate_kib_per_subscriber"]
    figures["deflate_over_plain"] = round(deflate / plain, 2)
    return figures


def main() -> None:
    asyncio.run(run("--quick" in sys.argv))


if __name__ == "__main__":
    main()
