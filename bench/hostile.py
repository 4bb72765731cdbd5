"""Hostile requests against a running server: the time to refuse each class, the longest the event loop
was held while they arrive, and the server's memory before, during and after the burst (issue 12).

One demo server process (``python -m server serve --seed-demo``, on ``memory://``) takes every class but
the rate limit, which a second process started beside it with ``RATE_LIMIT_POINTS=1`` (and a window of an
hour) refuses once its caller's one point is spent. For each class this process (the client) sends N
requests (50; ``--quick``: 10), each on a fresh connection, alternating in every round with a trivial
``{ __typename }`` on a fresh connection (:func:`bench.common.side_by_side_async`). The median (and p99)
of the per-round differences, the class's client-side time minus the trivial request's, is the server
time the class costs beyond a request that does nothing (``extra_p50_ms``, ``extra_p99_ms``); ``ratio``
is the median of the per-round ratios. HTTP classes are sent unauthenticated (counted by address for
the rate limit). Subscriptions: each round opens a WebSocket (graphql-transport-ws) as another demo
employee and sends 100 ``praisePosted`` subscriptions with a deep selection back to back; those that fit
the person's live budget stay open, the others are refused; the figure is the time from the first
subscribe to the last answer per answer, against a ``ping`` → ``pong`` on the same socket; then one
``postPraise`` and the time until every open subscription has its event.

While the burst runs, a thread sends ``{ __typename }`` (as the demo manager, over one keep-alive
connection) every 5 ms: ``loop_max_gap_ms`` is the longest the server took to answer one of those
(what a request held on the event loop costs every other request), per class ``loop_max_ms``, and
``loop_idle_max_ms`` the same during 2 s with the probe alone (the machine's floor). Another thread
samples the server's resident memory (``VmRSS``) every 50 ms: before the burst, its peak, and 2 s after
the burst ended (``rss_after_over_before``: target ≤ 1.1).

    .venv/bin/python -m bench.hostile [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import connect

from bench import loop_watch
from bench.common import (
    demo_process,
    median_ratio,
    percentile,
    process_rss_kib,
    record,
    side_by_side_async,
    store_label,
)
from bench.probes import PROBE_EVERY, MemorySampler, Probe, exchange
from models.demo.org import build_organization
from models.feedback.rules import DEFAULT_VALUES
from server.auth import mint_token
from server.config import DEV_JWT_SECRET

TRIVIAL = {"query": "{ __typename }"}
FIFTY_MB = 50 * 1024 * 1024
SUBSCRIPTIONS = 100
DEEP_PRAISE = ("subscription { praisePosted { id message author { id name } recipients { id name manager { id name } "
               "reports { id name } } } }")  # 342 objects per event: fourteen fit one person's live budget


def fan_out(levels: int = 5, spreads: int = 10) -> str:
    """Fragment F0 spreads F1 ten times, F1 spreads F2 ten times, …: ``spreads ** levels`` expansions."""
    fragments = [f"fragment F{i} on Query {{ {' '.join(f'...F{i + 1}' for _ in range(spreads))} }}"
                 for i in range(levels)]
    fragments.append(f"fragment F{levels} on Query {{ a1: __typename a2: __typename }}")
    return "{ ...F0 } " + " ".join(fragments)


def json_body(payload: Any) -> bytes:
    return json.dumps(payload).encode()


def nested(levels: int) -> str:
    return "[" * levels + "]" * levels


def hostile_bodies() -> dict[str, bytes]:
    """Each HTTP class's body, encoded once before anything is measured."""
    return {
        "fragment_fan_out": json_body({"query": fan_out()}),
        "over_cost_budget": json_body({"query": "{ departments { employees { department { employees { department { "
                                                "employees { id } } } } } } }"}),
        "page_size_by_default": json_body({"query": "query($n: Int = 1000) { employees(first: $n) { totalCount } }"}),
        "query_of_comments_99k": json_body({"query": "#" * 98_980 + "\n{ __typename }"}),  # over the text limit
        "string_variable_200k": json_body({"query": "query($s: String) { employees(filter: {search: $s}) { "
                                                    "totalCount } }", "variables": {"s": "x" * 200_000}}),
        "list_variable_10k": json_body({"query": 'mutation($l: [ID!]!) { nominatePeers(reviewId: "r", peerIds: $l) '
                                                 "{ errors { code } } }", "variables": {"l": ["x"] * 10_000}}),
        "deep_variables_10k": ('{"query": "query($v: String) { __typename }", "variables": {"v": '
                               + nested(10_000) + "}}").encode(),
        "invalid_utf8": b'{"query": "\xff\xfe"}',
        "unknown_fragment": json_body({"query": "{ ...Anything }"}),
        "several_operations": json_body({"query": "query A { __typename } query B { __typename }"}),
    }


def code_of(errors: list[dict[str, Any]]) -> str:
    """The first error's ``extensions.code``, or the start of its message when it has none."""
    first = errors[0] if errors and isinstance(errors[0], dict) else {}
    return (first.get("extensions") or {}).get("code") or f"no code ({str(first.get('message'))[:40]!r})"


def error_code(answer: bytes) -> str:
    """The first error's code (or ``data`` for an answer without errors)."""
    try:
        errors = json.loads(answer).get("errors")
    except (ValueError, AttributeError):
        return f"not JSON: {answer[:60]!r}"
    return code_of(errors) if errors else "data"


async def subscriptions_round(port: int, token: str) -> tuple[list[float], float, float, dict[str, int], float | None]:
    """One WebSocket, :data:`SUBSCRIPTIONS` deep ``praisePosted`` subscriptions sent back to back: the seconds
    to each answer received within 2 s (the refusals), from the first subscribe to the last answer per
    answer, a ping → pong on the same socket, the codes, and the seconds from a ``postPraise`` to the
    last open subscription's event."""
    async with connect(f"ws://127.0.0.1:{port}/graphql", subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
                       compression=None, open_timeout=10, max_size=None) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}}))
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        started = time.perf_counter()
        await ws.send(json.dumps({"type": "ping"}))
        assert json.loads(await ws.recv())["type"] == "pong"
        ping = time.perf_counter() - started
        sent: dict[str, float] = {}
        for n in range(SUBSCRIPTIONS):
            sent[str(n)] = time.perf_counter()
            await ws.send(json.dumps({"id": str(n), "type": "subscribe", "payload": {"query": DEEP_PRAISE}}))
        refusals: list[float] = []
        codes: dict[str, int] = {}
        answered: set[str] = set()
        last_answer = 0.0
        try:
            async with asyncio.timeout(2):
                while len(answered) < SUBSCRIPTIONS:
                    message = json.loads(await ws.recv())
                    refusals.append(time.perf_counter() - sent[message["id"]])
                    answered.add(message["id"])
                    last_answer = time.perf_counter()
                    payload = message.get("payload")
                    errors = payload if isinstance(payload, list) else (payload or {}).get("errors") or [{}]
                    code = f"{message['type']}:{code_of(errors)}"
                    codes[code] = codes.get(code, 0) + 1
        except TimeoutError:
            pass
        per_answer = (last_answer - sent["0"]) / len(refusals) if refusals else 0.0
        live = SUBSCRIPTIONS - len(answered)
        codes["open"] = live
        delivery = None
        if live:
            demo = build_organization()
            mutation = ("mutation($input: PostPraiseInput!) { postPraise(input: $input) { errors { code } } }")
            variables = {"input": {"recipientIds": [demo.personas["manager"]], "message": "Thanks!",
                                   "value": DEFAULT_VALUES[0]}}
            started = time.perf_counter()
            # over HTTP: the open subscriptions may fill the connection's operations (shared ones count one
            # object each against the live budget, so up to the per-connection cap stay open)
            async with httpx.AsyncClient(timeout=30) as http:
                posted = await http.post(f"http://127.0.0.1:{port}/graphql", json={
                    "query": mutation, "variables": variables}, headers={"Authorization": f"Bearer {token}"})
            assert posted.status_code == 200 and posted.json()["data"]["postPraise"]["errors"] == [], posted.text
            events = 0
            async with asyncio.timeout(30):
                while events < live:
                    message = json.loads(await ws.recv())
                    events += message["type"] == "next"
            delivery = time.perf_counter() - started
        return refusals, per_answer, ping, codes, delivery


def loop_held_by_class(probe: Probe, phases: list[tuple[str, float]]) -> dict[str, float]:
    """The longest probe answer (ms) among the probes sent while each class was being sent."""
    held: dict[str, float] = {}
    for answered, latency in zip(probe.answered, probe.latencies, strict=True):
        sent = answered - latency
        current = [name for name, start in phases if start <= sent]
        if current:
            held[current[-1]] = max(held.get(current[-1], 0.0), round(latency * 1000, 2))
    return held


def longest_callbacks(watched: list[tuple[float, float, float, str]],
                      walls: list[tuple[str, float]]) -> dict[str, tuple[float, float, str]]:
    """Per phase, the single event-loop callback the server ran (bench/loop_watch.py) that cost the most CPU:
    its CPU milliseconds, its milliseconds on the clock and what ran, counted in the phase it ended in."""
    longest: dict[str, tuple[float, float, str]] = {}
    for at, ms, cpu, what in watched:
        current = [name for name, start in walls if start <= at]
        if current and cpu > longest.get(current[-1], (0.0, 0.0, ""))[0]:
            longest[current[-1]] = (round(cpu, 2), round(ms, 2), what)
    return longest


def summary(client: list[float], trivial: list[float]) -> dict[str, Any]:
    """A class's client-side times against the trivial request's of the same rounds: the median and the p99
    of the per-round differences are the server time the class costs beyond a request that does nothing."""
    extra = [a - b for a, b in zip(client, trivial, strict=True)]
    return {"p50_ms": round(percentile(client, 50) * 1000, 2), "p99_ms": round(percentile(client, 99) * 1000, 2),
            "trivial_p50_ms": round(percentile(trivial, 50) * 1000, 2),
            "extra_p50_ms": round(statistics.median(extra) * 1000, 2),
            "extra_p99_ms": round(percentile(extra, 99) * 1000, 2)}


async def run(quick: bool) -> dict[str, Any]:
    rounds = 10 if quick else 50
    demo = build_organization()
    by_id = {e["_id"]: e for e in demo.employees}

    def token(persona: str) -> str:
        return token_of(by_id[demo.personas[persona]])

    def token_of(person: dict[str, Any]) -> str:
        return mint_token(DEV_JWT_SECRET, person["_id"], demo.organization["_id"], person["roles"])

    # each subscription round signs in as another person: rate points and live budgets are per person
    subscribers = [token_of(e) for e in demo.employees if e["_id"] not in demo.personas.values()
                   and e["status"] == "active"]

    bodies = hostile_bodies()
    fifty_mb = b'{"query": "{ __typename }", "pad": "' + b"x" * (FIFTY_MB - 40) + b'"}'
    trivial = json_body(TRIVIAL)
    watched = Path(tempfile.mkdtemp(prefix="perfgraph-loop-")) / "callbacks.txt"
    with ExitStack() as stack:  # both servers start (import, seed) at once
        port, pid = stack.enter_context(demo_process(["bench.loop_watch", "serve", "--seed-demo"],
                                                     LOOP_WATCH_FILE=str(watched)))
        limited_port, _ = stack.enter_context(demo_process(["server", "serve", "--seed-demo"],
                                                           RATE_LIMIT_POINTS="1", RATE_LIMIT_WINDOW="3600"))
        _, status, answer = await exchange(limited_port, trivial)  # its caller's one point, spent
        assert status == 200, answer
        classes: dict[str, Callable[[], Awaitable[tuple[float, int, bytes]]]] = {
            name: (lambda body=body: exchange(port, body)) for name, body in bodies.items()}
        sent = itertools.count()  # under the text limit, so parsed and validated: a new text each time (no cache)
        classes["query_of_comments_24k"] = lambda: exchange(port, json_body(
            {"query": f"# {next(sent):08}" + "#" * 24_880 + "\n{ __typename }"}))
        classes["body_50mb"] = lambda: exchange(port, fifty_mb)
        classes["body_50mb_chunked"] = lambda: exchange(port, fifty_mb, chunked=True)
        classes["rate_limited"] = lambda: exchange(limited_port, trivial)
        seen: dict[str, set[str]] = {name: set() for name in classes}
        statuses: dict[str, set[int]] = {name: set() for name in classes}

        def timed(name: str) -> Callable[[], Awaitable[float]]:
            async def once() -> float:
                elapsed, status, answer = await classes[name]()
                seen[name].add(error_code(answer))
                statuses[name].add(status)
                return elapsed
            return once

        async def baseline() -> float:
            elapsed, status, answer = await exchange(port, trivial)
            assert status == 200 and error_code(answer) == "data", answer
            return elapsed

        for _ in range(5):  # warm up: connections, caches, the first request's imports
            await baseline()
            for name in classes:
                await timed(name)()
        await subscriptions_round(port, subscribers.pop())
        await asyncio.sleep(1)

        probe, memory = Probe(port, token("manager")), MemorySampler(pid)
        rss_before = process_rss_kib(pid)
        probe.start()
        memory.start()
        figures: dict[str, Any] = {"rounds": rounds, "classes": {}}
        phases: list[tuple[str, float]] = [("idle", time.perf_counter())]  # each phase's start
        walls: list[tuple[str, float]] = [("idle", time.time())]  # the same, on the clock loop_watch writes
        await asyncio.sleep(2)  # the probe alone: the floor a loaded machine gives its answers
        burst_started = time.perf_counter()
        for name in classes:
            phases.append((name, time.perf_counter()))
            walls.append((name, time.time()))
            times = await side_by_side_async({name: timed(name), "trivial": baseline}, rounds)
            figures["classes"][name] = {**summary(times[name], times["trivial"]),
                                        "ratio": median_ratio(times[name], times["trivial"]),
                                        "answers": " ".join(f"{s}" for s in sorted(statuses[name])) + " "
                                        + " ".join(sorted(seen[name]))}
        sub_refusals: list[float] = []
        pings: list[float] = []
        per_answers: list[float] = []
        deliveries: list[float] = []
        codes: dict[str, int] = {}
        phases.append(("subscriptions_100_deep", time.perf_counter()))
        walls.append(("subscriptions_100_deep", time.time()))
        for _ in range(max(2, rounds // 5)):
            refusals, per_answer, ping, round_codes, delivery = await subscriptions_round(port, subscribers.pop())
            sub_refusals += refusals
            per_answers.append(per_answer)
            pings.append(ping)
            codes = round_codes
            if delivery is not None:
                deliveries.append(delivery)
        burst_seconds = time.perf_counter() - burst_started
        phases.append(("idle_after", time.perf_counter()))
        walls.append(("idle_after", time.time()))
        await asyncio.sleep(2)  # the probe alone again: the floor, after the burst
        rss_after = process_rss_kib(pid)
        probe.stop.set()
        memory.stop.set()
        probe.join(5)
        memory.join(5)
    if sub_refusals:
        figures["classes"]["subscriptions_100_deep"] = {  # the refusals come back to back: per answer
            "p50_ms": round(percentile(sub_refusals, 50) * 1000, 2),
            "p99_ms": round(percentile(sub_refusals, 99) * 1000, 2),
            "trivial_p50_ms": round(percentile(pings, 50) * 1000, 2),
            "extra_p50_ms": round(statistics.median(per_answers) * 1000, 2),
            "extra_p99_ms": round(max(per_answers) * 1000, 2),
            "ratio": round(statistics.median(per_answers) / statistics.median(pings), 3),
            "answers": " ".join(f"{code}={count}" for code, count in sorted(codes.items())),
            "post_praise_delivery_ms": round(statistics.median(deliveries) * 1000, 2) if deliveries else None}
    held_by = loop_held_by_class(probe, phases)
    idle, idle_after = held_by.pop("idle", 0.0), held_by.pop("idle_after", 0.0)
    for name, held in held_by.items():
        figures["classes"][name]["loop_max_ms"] = held
    watched_lines = list(loop_watch.read(str(watched)))
    callbacks = longest_callbacks(watched_lines, walls)
    for name, (cpu, _, _) in callbacks.items():
        if name in figures["classes"]:
            figures["classes"][name]["callback_max_cpu_ms"] = cpu
    during = {name: held for name, held in callbacks.items() if name in figures["classes"]}
    longest = max(during.items(), key=lambda item: item[1][0], default=("none", (0.0, 0.0, "")))
    clock_max = max((ms for at, ms, _, _ in watched_lines if walls[1][1] <= at < walls[-1][1]), default=0.0)
    worst = max(figures["classes"].items(), key=lambda item: item[1]["extra_p99_ms"])
    gaps = [b - a - PROBE_EVERY for a, b in zip(probe.answered, probe.answered[1:], strict=False)]
    figures.update({
        "worst_class": worst[0], "worst_extra_p99_ms": worst[1]["extra_p99_ms"],
        "worst_extra_p50_ms": max(c["extra_p50_ms"] for c in figures["classes"].values()),
        "burst_seconds": round(burst_seconds, 1), "probes": len(probe.latencies),
        "loop_max_gap_ms": max(held_by.values()), "loop_worst_class": max(held_by, key=held_by.__getitem__),
        "loop_idle_max_ms": idle, "loop_idle_after_max_ms": idle_after,
        "loop_floor_ms": max(idle, idle_after),
        "loop_beyond_floor_ms": round(max(held_by.values()) - max(idle, idle_after), 2),
        "callback_max_cpu_ms": longest[1][0], "callback_max_clock_ms": longest[1][1],
        "callback_max_class": longest[0], "callback_max_what": longest[1][2],
        "callback_clock_max_ms": round(clock_max, 2),
        "callback_idle_max_cpu_ms": max((callbacks[n][0] for n in ("idle", "idle_after") if n in callbacks),
                                        default=0.0),
        "loop_p99_probe_ms": round(percentile(probe.latencies, 99) * 1000, 2),
        "loop_max_interval_ms": round(max(gaps, default=0) * 1000, 2),
        "rss_before_kib": rss_before, "rss_peak_kib": max(memory.samples),
        "rss_after_kib": rss_after, "rss_peak_over_before": round(max(memory.samples) / rss_before, 3),
        "rss_after_over_before": round(rss_after / rss_before, 3)})
    return figures


def table(figures: dict[str, Any]) -> str:
    rows = [("class", "p50 ms", "p99 ms", "trivial p50", "extra p50", "extra p99", "ratio", "probe max",
             "callback cpu", "answers")]
    for name, c in figures["classes"].items():
        rows.append((name, *(str(c.get(k)) for k in ("p50_ms", "p99_ms", "trivial_p50_ms", "extra_p50_ms",
                                                      "extra_p99_ms", "ratio", "loop_max_ms", "callback_max_cpu_ms")),
                     c["answers"]))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.hostile", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="10 requests per class instead of 50")
    args = parser.parse_args()
    figures = asyncio.run(run(args.quick))
    print(table(figures), flush=True)
    print(f"event loop: longest probe wait {figures['loop_max_gap_ms']} ms during {figures['loop_worst_class']}, "
          f"floor (probe alone, before and after) {figures['loop_floor_ms']} ms, beyond it "
          f"{figures['loop_beyond_floor_ms']} ms; the callback costing the most CPU "
          f"{figures['callback_max_cpu_ms']} ms "
          f"({figures['callback_max_clock_ms']} ms on the clock; {figures['callback_max_class']}: "
          f"{figures['callback_max_what']}), the longest on the clock {figures['callback_clock_max_ms']} ms, "
          f"{figures['callback_idle_max_cpu_ms']} ms with the probe alone", flush=True)
    record("hostile_requests", figures, store=store_label())


if __name__ == "__main__":
    main()
