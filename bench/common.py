"""Shared bench helpers: a server process on a free port, percentiles, the results file."""

from __future__ import annotations

import json
import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results.json"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def server_process(**env: str) -> Iterator[int]:
    """``python -m server serve --seed-demo`` on a free port; yields the port once it answers."""
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "server", "serve", "--seed-demo"], cwd=ROOT,
                               env={**os.environ, "PORT": str(port), **env},
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            raise RuntimeError("the server did not start")
        yield port
    finally:
        process.terminate()
        process.wait(10)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def summary_ms(values: list[float]) -> dict[str, float]:
    return {"p50_ms": round(percentile(values, 50) * 1000, 2), "p99_ms": round(percentile(values, 99) * 1000, 2),
            "mean_ms": round(statistics.fmean(values) * 1000, 2), "samples": len(values)}


def record(name: str, figures: dict[str, Any]) -> None:
    """Print one benchmark's figures and merge them into bench/results.json (not committed)."""
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


def process_rss_kib(pid: int) -> int:
    """Resident memory of process ``pid`` in KiB (``VmRSS`` of ``/proc/<pid>/status``)."""
    with open(f"/proc/{pid}/status") as status:
        return int(next(line.split()[1] for line in status if line.startswith("VmRSS:")))
