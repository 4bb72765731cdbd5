"""Shared bench helpers: a server process on a free port, the store it runs on, the time spent in store calls,
percentiles, the results file."""

from __future__ import annotations

import cProfile
import io
import json
import os
import pstats
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from importlib.metadata import version
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from pymongo import MongoClient
from pymongo.errors import PyMongoError
from starlette.requests import Request
from starlette.responses import JSONResponse

from store.core.database import MEMORY, CountingCollection, CountingCursor, is_embedded

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results.json"
EMBEDDED_STORE = f"embedded SecantusDB {version('secantusdb')}"  # where the in-process benchmarks run


def server_env(**env: str) -> dict[str, str]:
    """The environment of a benchmark's server process: ``MONGODB_URL`` and ``BROADCAST_URL`` as set here,
    else ``memory://`` (the embedded server with nothing kept: a run never touches ``make serve``'s data)."""
    return {**os.environ, "MONGODB_URL": os.environ.get("MONGODB_URL") or MEMORY,
            "BROADCAST_URL": os.environ.get("BROADCAST_URL") or "memory://", **env}


def store_label(url: str | None = None) -> str:
    """Which store a server process of the benchmarks runs on (``url``: its ``MONGODB_URL``): the embedded
    server, or MongoDB's version and host (no credentials)."""
    url = server_env()["MONGODB_URL"] if url is None else url
    if is_embedded(url):
        return EMBEDDED_STORE + ("" if url.startswith(MEMORY) else " (data kept on disk)")
    host = urlsplit(url).netloc.rpartition("@")[2]
    try:
        with MongoClient(url, serverSelectionTimeoutMS=5000) as client:
            return f"MongoDB {client.admin.command('buildInfo')['version']} at {host}"
    except PyMongoError:
        return f"MongoDB at {host}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def demo_process(module: list[str], **env: str) -> Iterator[tuple[int, int]]:
    """``python -m <module…>`` serving on a free port (``PORT``, with :func:`server_env`); yields (port, pid)
    once ``/health`` answers, and stops it at the end. If it ends first, the error quotes its last line."""
    port = free_port()
    with tempfile.TemporaryFile() as output:
        process = subprocess.Popen([sys.executable, "-m", *module], cwd=ROOT, env=server_env(PORT=str(port), **env),
                                   stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    if process.poll() is not None or time.monotonic() > deadline:
                        output.seek(0)
                        last = output.read().decode(errors="replace").strip().splitlines()[-1:] or ["no output"]
                        raise RuntimeError(f"the server ({' '.join(module)}) did not start: {last[0][:300]}") from None
                    time.sleep(0.1)
            yield port, process.pid
        finally:
            process.terminate()
            process.wait(10)


@contextmanager
def server_process(**env: str) -> Iterator[int]:
    """``python -m server serve --seed-demo`` on a free port; yields the port once it answers."""
    with demo_process(["server", "serve", "--seed-demo"], **env) as (port, _):
        yield port


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def summary_ms(values: list[float]) -> dict[str, float]:
    return {"p50_ms": round(percentile(values, 50) * 1000, 2), "p99_ms": round(percentile(values, 99) * 1000, 2),
            "mean_ms": round(statistics.fmean(values) * 1000, 2), "samples": len(values)}


def record(name: str, figures: dict[str, Any], *, store: str = EMBEDDED_STORE) -> None:
    """Print one benchmark's figures and merge them into bench/results.json (not committed), with the store
    they were measured on (:data:`EMBEDDED_STORE` for a benchmark in process, :func:`store_label` for one
    against server processes)."""
    figures = {"store": store, **figures}
    print(f"{name}: " + ", ".join(f"{k}={v}" for k, v in figures.items()), flush=True)
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results[name] = figures
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")


def side_by_side(variants: dict[str, Callable[[], float]], rounds: int) -> dict[str, list[float]]:
    """Run every variant once per round, alternating the order (A B, B A, …) so that drift on a shared
    machine falls on all of them alike. Each variant measures itself and returns one figure."""
    figures: dict[str, list[float]] = {name: [] for name in variants}
    names = list(variants)
    for n in range(rounds):
        for name in names if n % 2 == 0 else reversed(names):
            figures[name].append(variants[name]())
    return figures


async def side_by_side_async(variants: dict[str, Callable[[], Awaitable[float]]],
                             rounds: int) -> dict[str, list[float]]:
    """:func:`side_by_side` for coroutines."""
    figures: dict[str, list[float]] = {name: [] for name in variants}
    names = list(variants)
    for n in range(rounds):
        for name in names if n % 2 == 0 else reversed(names):
            figures[name].append(await variants[name]())
    return figures


def median_ratio(numerators: list[float], denominators: list[float]) -> float:
    """The median of the per-round ratios: what a side-by-side comparison reports."""
    return round(statistics.median(a / b for a, b in zip(numerators, denominators, strict=True)), 3)


def process_cpu_seconds(pid: int) -> float:
    """User plus system CPU time of process ``pid`` so far (``/proc/<pid>/stat`` fields 14 and 15)."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def child_pids(pid: int) -> list[int]:
    """The processes process ``pid`` started (its embedded store's, for a server on ``memory://``)."""
    children: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        children += [int(child) for child in (task / "children").read_text().split()]
    return children


def process_rss_kib(pid: int) -> int:
    """Resident memory of process ``pid`` in KiB (``VmRSS`` of ``/proc/<pid>/status``)."""
    with open(f"/proc/{pid}/status") as status:
        return int(next(line.split()[1] for line in status if line.startswith("VmRSS:")))


class StoreClock:
    """The wall time during which at least one store call is in flight (concurrent calls counted once), from
    the call to its answer: the client's encoding and decoding, the round trip and the server's work."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.in_flight = 0
        self.since = 0.0

    def reset(self) -> None:
        self.seconds = 0.0

    def timed(self, call: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        async def timed_call(*args: Any, **kwargs: Any) -> Any:
            if self.in_flight == 0:
                self.since = time.perf_counter()
            self.in_flight += 1
            try:
                return await call(*args, **kwargs)
            finally:
                self.in_flight -= 1
                if self.in_flight == 0:
                    self.seconds += time.perf_counter() - self.since
        return timed_call


@contextmanager
def store_clock() -> Iterator[StoreClock]:
    """Every store call of this process timed on one :class:`StoreClock` while the block runs: the counted
    collection's and cursor's calls wrapped here, in the benchmark's process (the store code is unchanged)."""
    clock = StoreClock()
    originals = {(CountingCollection, "find_one"): CountingCollection.find_one,
                 (CountingCollection, "aggregate"): CountingCollection.aggregate,
                 (CountingCursor, "to_list"): CountingCursor.to_list}
    dynamic = CountingCollection.__getattr__  # every other call (writes, counts, …)

    def timed_attribute(collection: CountingCollection, name: str) -> Any:
        return clock.timed(dynamic(collection, name))

    try:
        for (owner, name), method in originals.items():
            setattr(owner, name, clock.timed(method))
        CountingCollection.__getattr__ = timed_attribute  # type: ignore[method-assign]
        yield clock
    finally:
        for (owner, name), method in originals.items():
            setattr(owner, name, method)
        CountingCollection.__getattr__ = dynamic  # type: ignore[method-assign]


def profile_endpoint(own: int, cumulative: int) -> Callable[[Request], Awaitable[JSONResponse]]:
    """A bench server's ``/bench/profile``: ``{"on": true}`` starts profiling the process's event loop (cProfile);
    ``{"on": false}`` stops it and returns the ``own`` functions with the most time of their own and the
    ``cumulative`` with the most in total."""
    profiler: list[cProfile.Profile] = []

    async def profile(request: Request) -> JSONResponse:
        if (await request.json())["on"]:
            profiler[:] = [cProfile.Profile()]
            profiler[0].enable()
            return JSONResponse({"profiling": True})
        profiler[0].disable()
        out = io.StringIO()
        stats = pstats.Stats(profiler[0], stream=out)
        stats.sort_stats("tottime").print_stats(own)
        stats.sort_stats("cumulative").print_stats(cumulative)
        return JSONResponse({"stats": out.getvalue().replace(os.getcwd(), "")})

    return profile
