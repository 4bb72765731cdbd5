"""How far the org chart query sits above the framework's floor.

The org chart of the 200-person demo organisation from its CEO, three levels below the root (50
people), selecting name, title, department name and reports, the same JSON from four variants:

(a) full stack: POST over one keep-alive HTTP/1.1 connection (a pre-encoded request on a raw
    asyncio stream, so that the client costs little) to a uvicorn server process on loopback;
    ``a_server_cpu_ms`` is that process's CPU time per request (utime + stime, ``/proc``), its store
    ``MONGODB_URL`` or, by default, its own embedded server (whose work is not in that CPU time);
(b) ``schema.execute`` in this process: the app's schema (``build_schema()``), the embedded server
    (SecantusDB, a child process: every read a real round trip) seeded with the demo organisation, a
    fresh :class:`Context` per request as the HTTP view builds one (so each request signs in: JWT
    decode and one store read);
(c) bare graphql-core: ``graphql.execute`` of the same (parsed and validated once) document over an
    SDL schema of just these fields, default resolvers, the data as pre-linked nested dicts;
(d) the floor: a hand-written function building the same dict from the same nested dicts.

For context, ``b_store_ms`` times the store work of (b) alone (a fresh Context signing in, then the
``orgChart`` resolver's reads: root, subtree, positions, departments), and ``b_execution_over_c`` is
time(c) / (time(b) − time(b_store)) per round: (b) without its store work against (c).

The four are checked once to produce identical data, then alternated round by round (A B C D,
D C B A, …); in each round a variant runs for a fixed time and reports its time per request.
Ratios are throughput ratios, the median of the per-round ratios: ``b_over_c`` is the throughput of
(b) over that of (c), i.e. time(c) / time(b) (target ≥ 0.6); ``a_over_b`` = time(b) / time(a)
(target ≥ 0.8); ``c_over_d`` = time(d) / time(c). Milliseconds per request are the medians.

    .venv/bin/python -m bench.framework_floor [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import graphql

from bench.common import EMBEDDED_STORE, median_ratio, record, side_by_side_async, store_label
from bench.small_query import Server, post_request, read_response, server_process
from models.demo.org import DemoOrganization, build_organization
from realtime import create_bus
from resolvers.core.context import Context
from resolvers.core.projection import employee_projection
from resolvers.org import queries as org
from schema.schema import build_schema
from server.auth import bearer_token, decode_token, mint_token
from server.config import DEV_JWT_SECRET
from store.core.database import Database, open_database
from store.core.seed import seed

DEPTH = 3
EMPLOYEE = "employee { name title department { name } }"
QUERY = ("query OrgChart($root: ID!) { orgChart(rootId: $root, depth: 3) { " + EMPLOYEE
         + " reports { " + EMPLOYEE + " reports { " + EMPLOYEE + " reports { " + EMPLOYEE + " } } } } }")
SDL = """
type Query { orgChart(rootId: ID, depth: Int = 3): OrgChartNode }
type OrgChartNode { employee: Employee! reports: [OrgChartNode!]! }
type Employee { name: String! title: String department: Department }
type Department { name: String! }
"""
Tree = dict[str, Any]


def chart_tree(demo: DemoOrganization) -> Tree:
    """The whole organisation as pre-linked node dicts (``{"employee": …, "reports": [node, …]}``), reports
    by name as the chart orders them, leavers left out; returns the CEO's node."""
    titles = {p["_id"]: p["title"] for p in demo.positions}
    departments = {d["_id"]: {"name": d["name"]} for d in demo.departments}
    alive = sorted((e for e in demo.employees if e["status"] != "terminated"), key=lambda e: (e["name"], e["_id"]))
    nodes = {e["_id"]: {"employee": {"name": e["name"], "title": titles.get(e.get("positionId")),
                                     "department": departments.get(e.get("departmentId"))}, "reports": []}
             for e in alive}
    for e in alive:
        if e["managerId"] in nodes:
            nodes[e["managerId"]]["reports"].append(nodes[e["_id"]])
    [ceo] = [e for e in alive if e["managerId"] is None]
    return nodes[ceo["_id"]]


def floor(node: Tree, depth: int = DEPTH) -> Tree:
    """(d): the query's answer for ``node``, written by hand."""
    employee, department = node["employee"], node["employee"]["department"]
    answer: Tree = {"employee": {"name": employee["name"], "title": employee["title"],
                                 "department": None if department is None else {"name": department["name"]}}}
    if depth:
        answer["reports"] = [floor(child, depth - 1) for child in node["reports"]]
    return answer


class Timed:
    """A variant for :func:`side_by_side_async`: repeats one request for ``seconds`` (at least three
    times) and returns the seconds per request; ``count`` is how many the last round ran."""

    def __init__(self, run_once: Callable[[], Any], seconds: float, *, awaits: bool) -> None:
        self.run_once, self.seconds, self.awaits, self.count = run_once, seconds, awaits, 0

    async def __call__(self) -> float:
        count, started = 0, time.perf_counter()
        while count < 3 or time.perf_counter() - started < self.seconds:
            result = self.run_once()
            if self.awaits:
                await result
            count += 1
        self.count = count
        return (time.perf_counter() - started) / count


async def seeded_store(demo: DemoOrganization) -> Database:
    database = await open_database("memory://", "bench_framework_floor")
    await seed(database, demo)
    return database


async def run(quick: bool) -> dict[str, Any]:
    rounds, seconds = (5, 0.25) if quick else (15, 1.0)
    demo = build_organization()
    viewer = next(e for e in demo.employees if e["_id"] == demo.personas["employee"])
    token = mint_token(DEV_JWT_SECRET, viewer["_id"], demo.organization["_id"], viewer["roles"])
    tree = chart_tree(demo)
    [ceo] = [e for e in demo.employees if e["managerId"] is None]
    variables = {"root": ceo["_id"]}

    # (b) the app's schema over the seeded embedded store, a Context per request as the view builds it
    database, bus, schema = await seeded_store(demo), create_bus("memory://"), build_schema()
    await bus.connect()

    def decode(credentials: str | None) -> Any:
        return decode_token(DEV_JWT_SECRET, bearer_token(credentials))

    def context() -> Context:
        return Context(database=database, bus=bus, decode=decode, credentials=f"Bearer {token}")

    async def in_process() -> Any:
        result = await schema.execute(QUERY, variable_values=variables, context_value=context())
        assert not result.errors, result.errors
        return result.data

    projection = employee_projection({"name", "title", "department"})  # what the orgChart field projects

    async def store_only() -> None:
        signed_in = context()
        await signed_in.authenticate()
        assert await org.org_chart(signed_in, ceo["_id"], DEPTH, projection) is not None

    # (c) graphql-core over the nested dicts, default resolvers; parsed and validated once
    bare_schema, document = graphql.build_schema(SDL), graphql.parse(QUERY)
    assert not graphql.validate(bare_schema, document)
    root_value = {"orgChart": tree}

    def bare() -> Any:
        result = graphql.execute(bare_schema, document, root_value, variable_values=variables)
        assert isinstance(result, graphql.ExecutionResult) and not result.errors, result
        return result.data

    def by_hand() -> Tree:
        return {"orgChart": floor(tree)}

    with server_process(caches=True) as server:
        # (a) one keep-alive HTTP/1.1 connection and one pre-encoded request: the client costs little
        request = post_request(server.port, token, {"query": QUERY, "variables": variables})
        connection = list(await asyncio.open_connection("127.0.0.1", server.port))

        async def over_http() -> bytes:
            try:
                connection[1].write(request)
                status, body = await read_response(connection[0])
            except (asyncio.IncompleteReadError, ConnectionError):  # uvicorn closed it while idle (5 s)
                connection[1].close()
                connection[:] = await asyncio.open_connection("127.0.0.1", server.port)
                connection[1].write(request)
                status, body = await read_response(connection[0])
            if status != 200:
                raise RuntimeError(f"HTTP {status}: {body[:200]!r}")
            return body

        expected = by_hand()
        answers = {"a": json.loads(await over_http())["data"], "b": await in_process(), "c": bare(), "d": expected}
        for name, answer in answers.items():
            assert answer == expected, f"variant {name} answers differently"
        people = sum(1 for _ in chart_members(expected["orgChart"]))
        server_cpu: list[float] = []
        variants = {"a": with_cpu(Timed(over_http, seconds, awaits=True), server, server_cpu),
                    "b": Timed(in_process, seconds, awaits=True), "c": Timed(bare, seconds, awaits=False),
                    "d": Timed(by_hand, seconds, awaits=False),
                    "b_store": Timed(store_only, seconds, awaits=True)}
        times = await side_by_side_async(variants, rounds)
        connection[1].close()
    await bus.disconnect()
    await database.close()
    figures: dict[str, Any] = {"people": people, "rounds": rounds}
    for name in variants:
        figures[f"{name}_ms"] = round(statistics.median(times[name]) * 1000, 3)
    figures["a_server_cpu_ms"] = round(statistics.median(server_cpu) * 1000, 3)
    figures["b_over_c"] = median_ratio(times["c"], times["b"])
    figures["a_over_b"] = median_ratio(times["b"], times["a"])
    figures["c_over_d"] = median_ratio(times["d"], times["c"])
    figures["a_server_cpu_over_b"] = median_ratio(times["b"], server_cpu)
    figures["b_execution_over_c"] = median_ratio(
        times["c"], [b - store for b, store in zip(times["b"], times["b_store"], strict=True)])
    return figures


def with_cpu(measure: Timed, server: Server, cpu: list[float]) -> Callable[[], Awaitable[float]]:
    """``measure``, also appending the server process's CPU seconds per request to ``cpu``."""
    async def measured() -> float:
        before = server.cpu_seconds()
        per_request = await measure()
        cpu.append((server.cpu_seconds() - before) / measure.count)
        return per_request
    return measured


def chart_members(node: Tree) -> Iterator[Tree]:
    yield node
    for child in node.get("reports", []):
        yield from chart_members(child)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.framework_floor", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer and shorter rounds")
    served_on = store_label()  # (a)'s server process; (b) runs in this process on the embedded server
    store = EMBEDDED_STORE if served_on == EMBEDDED_STORE else f"(a) {served_on}, (b) {EMBEDDED_STORE}"
    record("framework_floor", asyncio.run(run(parser.parse_args().quick)), store=store)


if __name__ == "__main__":
    main()
