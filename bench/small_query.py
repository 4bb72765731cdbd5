"""``{ me { name } }`` through uvicorn with Strawberry's parse and validation caches on and off.

Two server processes serve the demo organisation on loopback, one built with ``build_schema(caches=True)``
(the default) and one with ``caches=False``; both run the code path of ``python -m server serve
--seed-demo``, as the employee persona. Rounds alternate between them (on off, off on, …): 10 rounds of
1,500 requests each (``--quick``: 4 of 600), sent by this process over 8 concurrent keep-alive HTTP/1.1
connections (raw asyncio streams with one pre-encoded request, so the client costs far less than the
server). The machine has two cores, so the primary figure is the server's CPU time per request
(``*_server_cpu_us``: utime + stime from ``/proc/<pid>/stat``, 10 ms ticks); requests per second are
context, and ``*_server_busy`` (server CPU seconds per wall second) shows how busy the server was. Each
request signs in with one store read: the server's CPU includes PyMongo's side of it, and the embedded
store's process (a child of the server, on ``memory://``) does the rest, ``*_store_cpu_us`` per request.
``cpu_ratio_off_over_on`` is the median of the per-round ratios of CPU per request without caches over
CPU per request with caches (the target is ≥ 3).

    .venv/bin/python -m bench.small_query [--quick]

``--serve --caches on|off`` is the server side (``PORT`` from the environment), started by the
benchmark itself.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass

from bench.common import (
    child_pids,
    demo_process,
    median_ratio,
    process_cpu_seconds,
    record,
    side_by_side_async,
    store_label,
)
from models.demo.org import build_organization
from server.__main__ import configure_logging
from server.__main__ import serve as serve_demo
from server.auth import mint_token
from server.config import DEV_JWT_SECRET, Settings

QUERY = "{ me { name } }"


@dataclass(frozen=True)
class Server:
    port: int
    pid: int

    def cpu_seconds(self) -> float:
        """User plus system CPU time of the server process so far (10 ms ticks)."""
        return process_cpu_seconds(self.pid)

    def store_cpu_seconds(self) -> float:
        """The same for the processes it started: its embedded store (none with ``MONGODB_URL``)."""
        return sum(process_cpu_seconds(child) for child in child_pids(self.pid))


def serve(caches: bool) -> None:
    """``python -m server serve --seed-demo``, with the schema built with ``caches``."""
    configure_logging()
    serve_demo(Settings.from_env(), seed_demo=True, schema_options={"caches": caches})


UNREACHED_LIMIT = str(10**12)  # cost points per window: the limiter runs, no benchmark reaches it


@contextmanager
def server_process(*, caches: bool = True) -> Iterator[Server]:
    """A demo server process (see :func:`serve`) on a free port; yields it once ``/health`` answers. One caller
    sends request after request: its rate limit still runs (and costs what it costs) but is set high enough
    never to refuse them."""
    with demo_process(["bench.small_query", "--serve", "--caches", "on" if caches else "off"],
                      RATE_LIMIT_POINTS=UNREACHED_LIMIT) as (port, pid):
        yield Server(port, pid)


def post_request(port: int, token: str, payload: dict[str, object]) -> bytes:
    """One pre-encoded keep-alive GraphQL POST."""
    body = json.dumps(payload).encode()
    head = (f"POST /graphql HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {token}\r\n"
            f"Content-Type: application/json\r\nAccept: application/json\r\nContent-Length: {len(body)}\r\n\r\n")
    return head.encode() + body


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    length = next(int(line.split(":", 1)[1]) for line in lines if line.lower().startswith("content-length:"))
    return int(lines[0].split()[1]), await reader.readexactly(length)


async def connection_loop(port: int, request: bytes, count: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        for _ in range(count):
            writer.write(request)
            status, body = await read_response(reader)
            if status != 200:
                raise RuntimeError(f"HTTP {status}: {body[:200]!r}")
    finally:
        writer.close()


async def drive(port: int, request: bytes, requests: int, connections: int) -> float:
    """Send ``requests`` requests over ``connections`` concurrent connections; the wall time."""
    shares = [requests // connections + (n < requests % connections) for n in range(connections)]
    started = time.perf_counter()
    await asyncio.gather(*(connection_loop(port, request, share) for share in shares))
    return time.perf_counter() - started


async def fetch(port: int, request: bytes) -> dict[str, object]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(request)
    status, body = await read_response(reader)
    writer.close()
    return {"status": status, **json.loads(body)}


async def run(quick: bool) -> dict[str, object]:
    rounds, requests, connections = (4, 600, 8) if quick else (10, 1500, 8)
    demo = build_organization()
    viewer = next(e for e in demo.employees if e["_id"] == demo.personas["employee"])
    token = mint_token(DEV_JWT_SECRET, viewer["_id"], demo.organization["_id"], viewer["roles"])
    with ExitStack() as stack:  # both servers start (import, seed) at once
        servers = {"caches_on": stack.enter_context(server_process(caches=True)),
                   "caches_off": stack.enter_context(server_process(caches=False))}
        requests_of = {name: post_request(s.port, token, {"query": QUERY}) for name, s in servers.items()}
        for name, server in servers.items():
            answer = await fetch(server.port, requests_of[name])
            # the answer, whatever extensions (the request's cost) come with it
            assert (answer["status"], answer["data"]) == (200, {"me": {"name": viewer["name"]}}), (name, answer)
            await drive(server.port, requests_of[name], requests // 2, connections)  # warm up
        wall: dict[str, list[float]] = {name: [] for name in servers}
        store_cpu: dict[str, list[float]] = {name: [] for name in servers}

        def measure(name: str) -> Callable[[], Awaitable[float]]:
            async def one_round() -> float:
                server = servers[name]
                before, store_before = server.cpu_seconds(), server.store_cpu_seconds()
                wall[name].append(await drive(server.port, requests_of[name], requests, connections))
                store_cpu[name].append((server.store_cpu_seconds() - store_before) / requests)
                return (server.cpu_seconds() - before) / requests
            return one_round

        cpu = await side_by_side_async({name: measure(name) for name in servers}, rounds)
    figures: dict[str, object] = {"rounds": rounds, "requests_per_round": requests, "connections": connections}
    for name in servers:
        figures[f"{name}_server_cpu_us"] = round(statistics.median(cpu[name]) * 1e6)
        figures[f"{name}_requests_per_s"] = round(requests / statistics.median(wall[name]))
        figures[f"{name}_server_busy"] = round(statistics.median(
            c * requests / w for c, w in zip(cpu[name], wall[name], strict=True)), 2)
        if any(store_cpu[name]):  # the embedded store's process, beside the server's
            figures[f"{name}_store_cpu_us"] = round(statistics.median(store_cpu[name]) * 1e6)
    figures["cpu_ratio_off_over_on"] = median_ratio(cpu["caches_off"], cpu["caches_on"])
    figures["throughput_ratio_on_over_off"] = median_ratio(wall["caches_off"], wall["caches_on"])
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.small_query", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer and shorter rounds")
    parser.add_argument("--serve", action="store_true", help="run one server (used by the benchmark)")
    parser.add_argument("--caches", choices=("on", "off"), default="on")
    args = parser.parse_args()
    if args.serve:
        serve(args.caches == "on")
    else:
        record("small_query_caches", asyncio.run(run(args.quick)), store=store_label())


if __name__ == "__main__":
    main()
