"""Fan-out per live stream, at 10,000 idle subscribers, and as the number of distinct groups grows.

The client is this process; Perfgraph and the floor (a plain Starlette WebSocket server sending one
pre-serialised text) run in processes of their own (bench/fanout_servers.py), as in bench/fanout.py.

1. streams: for ``praisePosted``, ``goalProgressChanged`` (one goal everyone sees), ``reviewFormChanged``
   (many readers of one form: its reviewer, the reviewee's managers above, the HR admins, each with many
   connections) and ``orgChartChanged``, 1,000 subscribers and one real mutation per round; from the
   event's publication (right after the commit) to each receipt, against the floor sending the same text
   to as many plain sockets. Rounds alternate Perfgraph / floor; the ratio is the median of the per-round
   p99 ratios.
2. idle: 10,000 idle ``orgChartChanged`` subscribers in one fresh server process, its resident memory per
   subscriber, and the fan-out p99 at 10,000; then as many plain WebSocket connections and the floor's p99
   (one after the other: this client may hold 20,000 sockets at most).
3. groups: 1,000 subscribers in 1, 10, 100 and 1,000 distinct groups of equal size (operations named apart,
   so each group runs its own execution); events published at a fixed rate; delivered events per second of
   server CPU.

    .venv/bin/python -m bench.fanout_streams [--quick]
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from websockets.asyncio.client import connect

from bench.common import median_ratio, percentile, record, store_label
from bench.fanout import CEO, DEMO, PEOPLE, TARGET, Receivers, Server, server, token
from models.demo.goals import build_goals
from models.demo.reviews import demo_review_documents

BY_ID = {e["_id"]: e for e in DEMO.employees}
HR_ADMIN = BY_ID[DEMO.personas["hr_admin"]]
ORG_CHART = ("subscription Chart($root: ID!) { orgChartChanged(rootId: $root) { kind version "
             "employees { id name title } } }")
PRAISE = ("subscription { praisePosted { id message value author { name } recipients { name } "
          "reactions { kind count } } }")
GOAL_PROGRESS = ("subscription($goal: ID!) { goalProgressChanged(goalId: $goal) { kind progress "
                 "goal { id title progress } } }")
FORM = "subscription($form: ID!) { reviewFormChanged(formId: $form) { kind formId questionId value version } }"
CONNECTIONS_PER_PERSON = "1000"  # the bench's servers let one person hold this many sockets (one reader, many tabs)


def public_goal() -> tuple[str, str]:
    """A goal everyone sees alike (visible to everyone, rolling up children all visible to everyone), with a key
    result and children rolled up if there is one: (goal id, key result id)."""
    goals = build_goals(DEMO)

    def alike(goal: dict[str, Any]) -> bool:
        kids = [k for k in goals if k.get("parentId") == goal["_id"]] if goal.get("rollUpChildren") else []
        return goal["visibility"] == "everyone" and all(alike(k) for k in kids)

    candidates = [g for g in goals if g.get("keyResults") and alike(g)]
    goal = next((g for g in candidates if g.get("rollUpChildren")), candidates[0])
    return goal["_id"], goal["keyResults"][0]["_id"]


def managers_of(employee_id: str) -> list[str]:
    chain, manager = [], BY_ID[employee_id].get("managerId")
    while manager:
        chain.append(manager)
        manager = BY_ID[manager].get("managerId")
    return chain


def busy_form() -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A manager's form being filled in, and everyone who may read it."""
    docs = demo_review_documents(DEMO)
    form = next(f for f in docs["reviewForms"] if f["kind"] == "manager" and f["state"] == "in_progress"
                and len(managers_of(f["revieweeId"])) >= 3)
    readers = {form["reviewerId"], *managers_of(form["revieweeId"]),
               *(e["_id"] for e in PEOPLE if "hr_admin" in e["roles"])}
    return form, [BY_ID[r] for r in sorted(readers) if BY_ID[r]["status"] != "terminated"]


async def graphql(target: Server, person: dict[str, Any], query: str, variables: dict[str, Any]) -> dict[str, Any]:
    response = await target.http.post("/graphql", headers={"Authorization": f"Bearer {token(person)}"},
                                      json={"query": query, "variables": variables})
    body = response.json()
    assert not body.get("errors"), body
    return body["data"]


@dataclass
class Stream:
    """One live stream as the benchmark drives it: who subscribes, to what, and the mutation that fires it."""

    name: str
    query: str
    variables: dict[str, Any]
    people: list[dict[str, Any]]
    channel_kind: str
    fire: Callable[[Server, int], Awaitable[None]]


async def streams(target: Server) -> list[Stream]:
    goal_id, key_result_id = public_goal()
    form, readers = busy_form()
    reviewer = BY_ID[form["reviewerId"]]
    shown = await graphql(target, reviewer, "query($id: ID!) { reviewForm(id: $id) { questions { key kind } "
                                            "answers { questionId version } } }", {"id": form["_id"]})
    question = next(q["key"] for q in shown["reviewForm"]["questions"] if q["kind"] == "TEXT")
    versions = {a["questionId"]: a["version"] for a in shown["reviewForm"]["answers"]}
    version = [versions.get(question, 0)]
    employee, manager = BY_ID[DEMO.personas["employee"]], BY_ID[DEMO.personas["manager"]]

    async def praise(perfgraph: Server, n: int) -> None:
        data = await graphql(perfgraph, employee, "mutation($in: PostPraiseInput!) { postPraise(input: $in) { "
                                                  "errors { code } } }",
                             {"in": {"recipientIds": [manager["_id"]], "message": f"Thanks {n}", "value": "Ownership"}})
        assert data["postPraise"]["errors"] == [], data

    async def progress(perfgraph: Server, n: int) -> None:
        data = await graphql(perfgraph, HR_ADMIN, "mutation($kr: ID!, $v: Float!) { updateKeyResultProgress("
                                                  "keyResultId: $kr, value: $v) { errors { code } } }",
                             {"kr": key_result_id, "v": float(n)})
        assert data["updateKeyResultProgress"]["errors"] == [], data

    async def answer(perfgraph: Server, n: int) -> None:
        data = await graphql(perfgraph, reviewer, "mutation($f: ID!, $q: String!, $v: JSON, $b: Int!) { "
                                                  "updateReviewAnswer(formId: $f, questionId: $q, value: $v, "
                                                  "baseVersion: $b) { answer { version } errors { code } } }",
                             {"f": form["_id"], "q": question, "v": f"Draft {n}", "b": version[0]})
        assert data["updateReviewAnswer"]["errors"] == [], data
        version[0] = data["updateReviewAnswer"]["answer"]["version"]

    async def rename(perfgraph: Server, n: int) -> None:
        data = await graphql(perfgraph, HR_ADMIN, "mutation($id: ID!, $name: String!) { updateEmployee(id: $id, "
                                                  "input: {name: $name}) { errors { code } } }",
                             {"id": TARGET, "name": f"Renamed {n}"})
        assert data["updateEmployee"]["errors"] == [], data

    return [Stream("praisePosted", PRAISE, {}, PEOPLE, "praise", praise),
            Stream("goalProgressChanged", GOAL_PROGRESS, {"goal": goal_id}, PEOPLE, "goal-progress", progress),
            Stream("reviewFormChanged", FORM, {"form": form["_id"]}, readers, "review-form", answer),
            Stream("orgChartChanged", ORG_CHART, {"root": CEO}, PEOPLE, "org-chart", rename)]


async def subscribe(target: Server, receivers: Receivers, count: int, query: str, variables: dict[str, Any],
                    people: list[dict[str, Any]], name_of: Callable[[int], str] | None = None) -> None:
    """``count`` more sockets, each with one subscription (plain: just open), 50 connecting at a time; returns
    once the server counts them all live."""
    gate, start = asyncio.Semaphore(50), len(receivers.sockets)

    async def one(n: int) -> None:
        async with gate:
            if target.kind == "plain":
                ws = await connect(f"ws://127.0.0.1:{target.port}/ws", compression=None, ping_interval=None,
                                   open_timeout=120)
            else:
                ws = await connect(f"ws://127.0.0.1:{target.port}/graphql", compression=None, ping_interval=None,
                                   subprotocols=["graphql-transport-ws"], open_timeout=120)  # type: ignore[list-item]
                await ws.send(json.dumps({"type": "connection_init",
                                          "payload": {"authorization": f"Bearer {token(people[n % len(people)])}"}}))
                ack = json.loads(await ws.recv())
                assert ack["type"] == "connection_ack", ack
                text = query if name_of is None else query.replace("subscription Chart", f"subscription {name_of(n)}")
                await ws.send(json.dumps({"id": "1", "type": "subscribe",
                                          "payload": {"query": text, "variables": variables}}))
            receivers.sockets.append(ws)
            receivers.tasks.append(asyncio.create_task(receivers.read(ws)))

    await asyncio.gather(*(one(n) for n in range(start, start + count)))
    if target.kind == "perfgraph":
        async with asyncio.timeout(300):
            while (await target.http.get("/bench/members")).json()["subscribers"] < len(receivers.sockets):
                await asyncio.sleep(0.2)


async def drained(target: Server) -> None:
    """Wait until the server holds no subscription any more (the previous stream's sockets closed)."""
    async with asyncio.timeout(120):
        while (await target.http.get("/bench/members")).json()["subscribers"]:
            await asyncio.sleep(0.2)


async def side_by_side(perfgraph: Server, plain: Server, ours: Receivers, floor: Receivers, rounds: int,
                       fire: Callable[[int], Awaitable[None]], channel_kind: str) -> dict[str, Any]:
    """Rounds alternating Perfgraph (one mutation) and the floor (the same text to as many plain sockets)."""
    text, per_round, pooled = "", {"perfgraph": [], "floor": []}, {"perfgraph": [], "floor": []}
    to_delivery: list[float] = []  # per round: from the publication to the start of the group's delivery
    delivering: list[float] = []  # and the delivery itself (the writes to every member)
    for n in range(rounds + 1):  # round 0 warms up and captures the message text for the floor
        for variant in ("perfgraph", "floor") if n % 2 else ("floor", "perfgraph"):
            if variant == "floor" and not text:
                continue
            receivers = ours if variant == "perfgraph" else floor
            receivers.expect(len(receivers.sockets))
            if variant == "perfgraph":
                await fire(n)
                await receivers.wait(timeout=120)
                last = (await perfgraph.http.get("/bench/last")).json()
                t0 = last[channel_kind]
                if n:
                    to_delivery.append(last["delivery_start"] - t0)
                    delivering.append(last["delivery_end"] - last["delivery_start"])
                text = text or receivers.arrivals[0][1]
                assert '"errors"' not in text, text[:300]
            else:
                t0 = (await plain.http.post("/broadcast", json={"text": text})).json()["t0"]
                await receivers.wait(timeout=120)
            if n:
                values = [t - t0 for t, _ in receivers.arrivals]
                per_round[variant].append(percentile(values, 99))
                pooled[variant] += values
    figures: dict[str, Any] = {"subscribers": len(ours.sockets), "rounds": rounds,
                               "p99_ratio_vs_floor": median_ratio(per_round["perfgraph"], per_round["floor"]),
                               "to_delivery_ms": round(statistics.median(to_delivery) * 1000, 2),
                               "delivery_ms": round(statistics.median(delivering) * 1000, 2)}
    for variant, values in pooled.items():
        figures[f"{variant}_p50_ms"] = round(percentile(values, 50) * 1000, 1)
        figures[f"{variant}_p99_ms"] = round(percentile(values, 99) * 1000, 1)
    return figures


async def per_stream(perfgraph: Server, plain: Server, count: int, rounds: int) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    floor = Receivers()
    await subscribe(plain, floor, count, "", {}, [])
    for spec in await streams(perfgraph):
        ours = Receivers()
        await subscribe(perfgraph, ours, count, spec.query, spec.variables, spec.people)
        figures[spec.name] = await side_by_side(perfgraph, plain, ours, floor, rounds,
                                                lambda n, spec=spec: spec.fire(perfgraph, n), spec.channel_kind)
        figures[spec.name]["people"] = len(spec.people)
        print(f"  {spec.name}: {figures[spec.name]}", flush=True)
        await ours.close()
        await drained(perfgraph)
    await floor.close()
    return figures


async def idle(perfgraph: Server, plain: Server, count: int, rounds: int) -> dict[str, Any]:
    """``count`` idle subscribers, then one rename per round to all of them; then as many plain connections and
    the same text to all of them. One after the other, not side by side: this client may hold 20,000 sockets."""
    await asyncio.sleep(1)
    bases = perfgraph.rss_kib(), plain.rss_kib()
    ours = Receivers()
    await subscribe(perfgraph, ours, count, ORG_CHART, {"root": CEO}, PEOPLE)
    await asyncio.sleep(2)
    mine = (perfgraph.rss_kib() - bases[0]) / count
    spec = next(s for s in await streams(perfgraph) if s.name == "orgChartChanged")
    text, p99s = "", {"perfgraph": [], "floor": []}
    for n in range(rounds + 1):  # round 0 warms up and captures the text
        ours.expect(count)
        await spec.fire(perfgraph, 1000 + n)
        await ours.wait(timeout=300)
        t0 = (await perfgraph.http.get("/bench/last")).json()["org-chart"]
        text = text or ours.arrivals[0][1]
        if n:
            p99s["perfgraph"].append(percentile([t - t0 for t, _ in ours.arrivals], 99))
    await ours.close()
    await drained(perfgraph)
    floor = Receivers()
    await subscribe(plain, floor, count, "", {}, [])
    await asyncio.sleep(2)
    theirs = (plain.rss_kib() - bases[1]) / count
    for n in range(rounds + 1):
        floor.expect(count)
        t0 = (await plain.http.post("/broadcast", json={"text": text})).json()["t0"]
        await floor.wait(timeout=300)
        if n:
            p99s["floor"].append(percentile([t - t0 for t, _ in floor.arrivals], 99))
    await floor.close()
    median = {k: statistics.median(v) for k, v in p99s.items()}
    return {"subscribers": count, "perfgraph_kib_per_subscriber": round(mine, 1),
            "plain_kib_per_connection": round(theirs, 1), "ratio": round(mine / theirs, 2),
            "fan_out": {"rounds": rounds, "perfgraph_p99_ms": round(median["perfgraph"] * 1000, 1),
                        "floor_p99_ms": round(median["floor"] * 1000, 1),
                        "p99_ratio_vs_floor": round(median["perfgraph"] / median["floor"], 3),
                        "note": "median of per-round p99s; Perfgraph's rounds, then the floor's"}}


async def groups(perfgraph: Server, count: int, sizes: list[int], rate: int, seconds: float) -> dict[str, Any]:
    """Deliveries per second of server CPU with ``count`` subscribers split into ``n`` groups, for each ``n``."""
    figures: dict[str, Any] = {"subscribers": count, "events_per_s": rate}
    version = 5_000_000
    for n in sizes:
        ours = Receivers()
        await subscribe(perfgraph, ours, count, ORG_CHART, {"root": CEO}, PEOPLE, name_of=lambda k, n=n: f"G{k % n}")
        live = (await perfgraph.http.get("/bench/members")).json()["live_groups"]
        events = max(1, int(rate * seconds))
        ours.expect(events * count)
        cpu, wall = perfgraph.cpu_seconds(), time.perf_counter()
        await perfgraph.http.post("/bench/publish", json={"count": events, "rate": rate, "version": version,
                                                          "employeeId": TARGET})
        try:
            await ours.wait(timeout=120)
        except TimeoutError:
            pass
        cpu, wall = perfgraph.cpu_seconds() - cpu, time.perf_counter() - wall
        figures[f"groups_{n}"] = {"live_groups": live, "delivered": len(ours.arrivals),
                                  "deliveries_per_s": round(len(ours.arrivals) / wall),
                                  "deliveries_per_cpu_s": round(len(ours.arrivals) / cpu) if cpu else None,
                                  "server_cores_busy": round(cpu / wall, 2)}
        print(f"  groups {n}: {figures[f'groups_{n}']}", flush=True)
        version += events
        await ours.close()
        await drained(perfgraph)
    one, most = figures[f"groups_{sizes[0]}"], figures[f"groups_{sizes[-1]}"]
    if one["deliveries_per_cpu_s"] and most["deliveries_per_cpu_s"]:
        figures["per_core_ratio_most_over_one_group"] = round(
            most["deliveries_per_cpu_s"] / one["deliveries_per_cpu_s"], 3)
    return figures


async def run(quick: bool, only: set[str]) -> None:
    env = {"BENCH_CONNECTIONS_PER_VIEWER": CONNECTIONS_PER_PERSON}
    if not only or only & {"streams", "groups"}:
        async with server("perfgraph", **env) as perfgraph, server("plain") as plain:
            store = store_label()
            if not only or "streams" in only:
                record("fan_out_streams", await per_stream(perfgraph, plain, 1000, 4 if quick else 20), store=store)
            if not only or "groups" in only:
                record("fan_out_groups", await groups(perfgraph, 1000, [1, 10, 100, 1000], 5 if quick else 10,
                                                      2 if quick else 4), store=store)
    if not only or "idle" in only:
        # fresh processes: memory freed by the phases above would be reused and understate the idle figure
        async with server("perfgraph", **env) as perfgraph, server("plain") as plain:
            record("idle_subscribers", await idle(perfgraph, plain, 2000 if quick else 10_000, 2 if quick else 6),
                   store=store_label())


def main() -> None:
    args = sys.argv[1:]
    asyncio.run(run("--quick" in args, {a for a in args if not a.startswith("--")}))


if __name__ == "__main__":
    main()
