"""Two server processes sharing Redis: deliveries per second with two processes against one, and the latency
of an event published on one process and received on the other.

A throw-away ``redis-server`` on a free port; Perfgraph processes (uvicorn, bench/fanout_servers.py) with
``BROADCAST_URL`` pointing at it, each on its own embedded store seeded with the same demo organisation (the
figure is the bus's and the fan-out's, not the store's). Subscribers: ``orgChartChanged`` sockets, split
evenly between the processes. Events: org-chart events published at rising rates on the first process
(``/bench/publish``), until the p99 from publication to receipt passes :data:`BOUND_MS` or an event is not
delivered to everyone. On this shared 2-core machine the one client process reading every socket saturates
before the servers do: ``deliveries_per_server_cpu_s`` is the servers' own cost.

    .venv/bin/python -m bench.fanout_redis [--quick]
"""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

from bench.common import free_port, percentile, record, store_label
from bench.fanout import CEO, PEOPLE, TARGET, Receivers, Server, server
from bench.fanout_streams import CONNECTIONS_PER_PERSON, ORG_CHART, subscribe

BOUND_MS = 1000


@asynccontextmanager
async def redis_server() -> AsyncIterator[str]:
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError("redis-server is not installed: this benchmark needs one")
    port = free_port()
    process = await asyncio.create_subprocess_exec(binary, "--port", str(port), "--save", "", "--appendonly", "no",
                                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", port)
                writer.close()
                break
            except OSError:
                await asyncio.sleep(0.1)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        await process.wait()


def version_of(text: str) -> int | None:
    message = json.loads(text)
    return message.get("payload", {}).get("data", {}).get("orgChartChanged", {}).get("version")


async def rising(publisher: Server, servers: list[Server], receivers: list[Receivers], rates: list[int],
                 seconds: float, version: int) -> dict[str, Any]:
    """Events at each rate in turn on ``publisher``; deliveries per second over every receiver, the p99 per
    server (by publication time on ``publisher``), the servers' CPU."""
    steps, best = [], 0
    total = sum(len(r.sockets) for r in receivers)
    for rate in rates:
        count = max(1, int(rate * seconds))
        for r in receivers:
            r.expect(count * len(r.sockets))
        cpu, wall = sum(s.cpu_seconds() for s in servers), time.perf_counter()
        await publisher.http.post("/bench/publish", json={"count": count, "rate": rate, "version": version,
                                                          "employeeId": TARGET})
        timed_out = False
        try:
            for r in receivers:
                await r.wait(timeout=30)
        except TimeoutError:
            timed_out = True
        wall, cpu = time.perf_counter() - wall, sum(s.cpu_seconds() for s in servers) - cpu
        published = (await publisher.http.get("/bench/published")).json()
        p99s = []
        for r in receivers:
            values = [t - published[str(v)] for t, text in r.arrivals if (v := version_of(text)) is not None
                      and str(v) in published]
            p99s.append(round(percentile(values, 99) * 1000, 1) if values else None)
        delivered = sum(len(r.arrivals) for r in receivers)
        step = {"events_per_s": rate, "delivered": delivered, "expected": count * total,
                "deliveries_per_s": round(delivered / wall), "server_cores_busy": round(cpu / wall, 2),
                "deliveries_per_server_cpu_s": round(delivered / cpu) if cpu else None,
                "p99_ms_per_process": p99s}
        steps.append(step)
        version += count
        if timed_out or delivered < count * total:
            break
        best = max(best, step["deliveries_per_s"])  # every event delivered to everyone, however late
        if any(p is None or p > BOUND_MS for p in p99s):
            break
    return {"steps": steps, "best_deliveries_per_s": best, "bound_ms": BOUND_MS}


async def run(quick: bool) -> None:
    subscribers = 1000
    rates, seconds = ([10, 20, 40, 80] if quick else [10, 20, 40, 80, 160, 320]), (2 if quick else 3)
    env = {"BENCH_CONNECTIONS_PER_VIEWER": CONNECTIONS_PER_PERSON}
    async with redis_server() as url, AsyncExitStack() as stack:
        env["BROADCAST_URL"] = url
        first = await stack.enter_async_context(server("perfgraph", **env))
        second = await stack.enter_async_context(server("perfgraph", **env))
        alone = Receivers()
        await subscribe(first, alone, subscribers, ORG_CHART, {"root": CEO}, PEOPLE)
        await rising(first, [first, second], [alone], [5], 1, 6_000_000)  # warm-up
        one = await rising(first, [first, second], [alone], rates, seconds, 7_000_000)
        print(f"  one process: {one}", flush=True)
        await alone.close()
        here, there = Receivers(), Receivers()
        await subscribe(first, here, subscribers // 2, ORG_CHART, {"root": CEO}, PEOPLE)
        await subscribe(second, there, subscribers - subscribers // 2, ORG_CHART, {"root": CEO}, PEOPLE)
        await rising(first, [first, second], [here, there], [5], 1, 6_500_000)  # warm-up
        two = await rising(first, [first, second], [here, there], rates, seconds, 8_000_000)
        print(f"  two processes: {two}", flush=True)
        # the latency across processes, at a gentle rate: published on the first, received on the second
        across = await rising(first, [first, second], [here, there], [5], 4, 9_000_000)
        await here.close()
        await there.close()
    figures = {"subscribers": subscribers, "one_process": one, "two_processes": two,
               "two_over_one": round(two["best_deliveries_per_s"]
                                     / max(1, one["best_deliveries_per_s"]), 2),
               "cross_process_p99_ms": across["steps"][0]["p99_ms_per_process"][1],
               "same_process_p99_ms": across["steps"][0]["p99_ms_per_process"][0]}
    record("fan_out_redis", figures, store=store_label())


def main() -> None:
    asyncio.run(run("--quick" in sys.argv))


if __name__ == "__main__":
    main()
