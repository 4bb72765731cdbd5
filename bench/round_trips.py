"""Round trips of the representative queries, and what DataLoader batching saves when a round trip costs time.

For each representative query (the org chart three levels deep, as the ``orgChart`` field and through nested
``reports``; the CEO's goals with key results and rolled-up progress; a review form with answers; a cycle's
progress), each in a small and a large variant (Globex, 20 people, vs Northwind, 200; a manager's form
answered in calibration by 2 vs 5 people; a cycle over one department vs everyone), it reports:

- the store calls and documents read by one request (``StoreStats``, counted where every call passes);
- its latency with a 0.5 ms delay injected before every store call (``Database.set_delay``), batched (as
  served) and naive: the same query with ``Loaders.batching`` off, so every ``.load`` is its own store call
  (batches of one key, no per-request cache), which is what resolvers that each read one object would do.
  Batched and naive requests alternate (``side_by_side_async``); the figures are the medians and the median
  of the per-round naive/batched ratios. Both variants must return the same data;
- the share of its time spent in store calls, without the delay: for each of as many batched requests, its
  wall time and, in the same request, the time with at least one store call in flight (``StoreClock``,
  concurrent calls counted once); ``store_share`` is the median of the per-request ratios store / request.

Everything runs in this process: the Starlette app (with its lifespan) over the embedded server (SecantusDB,
a child process on loopback: every store call is a real round trip) seeded with both demo organisations,
called through ``httpx.ASGITransport``, so a request goes through the same view, authentication and resolvers
as over the network, without sockets. The delay is an ``asyncio.sleep``: loads dispatched together (naive
ones included) wait for it concurrently, as requests on a connection pool would. The queries are those pinned
by tests/core/test_round_trips_depth.py and tests/core/test_round_trips.py.

    .venv/bin/python -m bench.round_trips [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from bench.common import StoreClock, median_ratio, record, side_by_side_async, store_clock
from models.demo.org import DemoOrganization
from server.app import create_app
from server.auth import mint_token
from server.config import Settings
from store.core.database import Database, open_database
from store.core.seed import seed
from store.loaders import Loaders
from tests.conftest import GLOBEX, NORTHWIND
from tests.core.test_round_trips import ORG_CHART_3
from tests.core.test_round_trips_depth import FORM, GOALS, ORG_CHART, PROGRESS, ceo, co_written_forms
from tests.reviews.support import CREATE_CYCLE, LAUNCH, RUNNING, TEMPLATE, cycle_input

DELAY = 0.0005  # seconds before every store call


@dataclass(frozen=True)
class Case:
    name: str
    variant: str
    query: str
    who: str
    org: DemoOrganization
    variables: dict[str, Any]


@dataclass
class Row:
    case: Case
    calls: int
    documents: int
    naive_calls: int
    batched_ms: float
    naive_ms: float
    ratio: float
    request_ms: float
    store_ms: float
    store_share: float


class InProcess:
    """GraphQL requests to the app in this process, as any persona (or employee id) of either organisation."""

    def __init__(self, http: httpx.AsyncClient, database: Database, settings: Settings) -> None:
        self.http = http
        self.database = database
        self.settings = settings

    def token(self, who: str, org: DemoOrganization) -> str:
        employee_id = org.personas.get(who, who)
        employee = next(e for e in org.employees if e["_id"] == employee_id)
        return mint_token(self.settings.jwt_secret, employee_id, org.organization["_id"], employee["roles"])

    async def data(self, query: str, variables: dict[str, Any], who: str, org: DemoOrganization) -> dict[str, Any]:
        response = await self.http.post("/graphql", json={"query": query, "variables": variables},
                                        headers={"Authorization": f"Bearer {self.token(who, org)}"})
        body = response.json()
        assert response.status_code == 200 and "errors" not in body, body
        return body["data"]

    async def request(self, who: str, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        """As a Northwind persona or employee (the tests' ``Request``)."""
        return await self.data(query, variables, who, NORTHWIND)

    async def read(self, case: Case, *, batching: bool) -> dict[str, Any]:
        Loaders.batching = batching
        try:
            return await self.data(case.query, case.variables, case.who, case.org)
        finally:
            Loaders.batching = True

    async def run(self, case: Case, *, batching: bool) -> float:
        """One request of ``case``; its wall-clock seconds."""
        started = time.perf_counter()
        await self.read(case, batching=batching)
        return time.perf_counter() - started

    async def timed(self, case: Case, clock: StoreClock) -> tuple[float, float]:
        """One batched request of ``case``: (its wall-clock seconds, its seconds with a store call in flight)."""
        clock.reset()
        seconds = await self.run(case, batching=True)
        return seconds, clock.seconds

    async def counted(self, case: Case, *, batching: bool) -> tuple[dict[str, Any], int, int]:
        """(data, store calls, documents read) of one request."""
        self.database.stats.reset()
        data = await self.read(case, batching=batching)
        return data, self.database.stats.calls, self.database.stats.documents


@asynccontextmanager
async def in_process() -> AsyncIterator[InProcess]:
    """The app with its lifespan, over a fresh embedded store seeded with Northwind (200) and Globex (20)."""
    settings = Settings(mongodb_url="memory://", mongodb_db="bench_round_trips", broadcast_url="memory://")
    database = await open_database(settings.mongodb_url, settings.mongodb_db)
    for demo in (NORTHWIND, GLOBEX):
        await seed(database, demo)
    app = create_app(settings, database=database)
    try:
        async with app.router.lifespan_context(app), httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://perfgraph", timeout=60) as http:
            yield InProcess(http, database, settings)
    finally:
        await database.close()


async def cycle_over_everyone(client: InProcess) -> str:
    cycle = cycle_input(TEMPLATE["_id"], eligibility={"departmentIds": []})
    cycle_id = (await client.request("hr_admin", CREATE_CYCLE, {"input": cycle}))["createReviewCycle"]["cycle"]["id"]
    await client.request("hr_admin", LAUNCH, {"cycle": cycle_id})
    return cycle_id


async def cases(client: InProcess) -> list[Case]:
    """Each query in its small variant, then its large one."""
    everyone = await cycle_over_everyone(client)
    forms = await co_written_forms(client.request)
    rows = []
    for name, query, about_ceo in (("orgChart(depth: 3)", ORG_CHART_3, False),
                                   ("employee.reports x3", ORG_CHART, True), ("CEO goals + KRs", GOALS, True)):
        for org in (GLOBEX, NORTHWIND):
            size = f"{org.organization['name'].split()[0]} ({len(org.employees)})"
            rows.append(Case(name, size, query, "employee", org, {"id": ceo(org)["_id"]} if about_ceo else {}))
    for variant, form_id in zip(("2 answers, 2 authors", "7 answers, 5 authors"), forms, strict=True):
        rows.append(Case("reviewForm + answers", variant, FORM, "hr_admin", NORTHWIND, {"id": form_id}))
    for variant, cycle_id in (("1 department", RUNNING["_id"]), ("everyone", everyone)):
        rows.append(Case("cycleProgress", variant, PROGRESS, "hr_admin", NORTHWIND, {"id": cycle_id}))
    return rows


async def measure(client: InProcess, case: Case, rounds: int) -> Row:
    data, calls, documents = await client.counted(case, batching=True)
    naive_data, naive_calls, _ = await client.counted(case, batching=False)
    assert naive_data == data, case
    for batching in (True, False):  # warm-up
        await client.run(case, batching=batching)
    with store_clock() as clock:
        spent = [await client.timed(case, clock) for _ in range(rounds)]
    client.database.set_delay(DELAY)
    try:
        timings = await side_by_side_async({"batched": lambda: client.run(case, batching=True),
                                            "naive": lambda: client.run(case, batching=False)}, rounds)
    finally:
        client.database.set_delay(0)
    requests, stores = [wall for wall, _ in spent], [store for _, store in spent]
    return Row(case, calls, documents, naive_calls, round(statistics.median(timings["batched"]) * 1000, 2),
               round(statistics.median(timings["naive"]) * 1000, 2), median_ratio(timings["naive"], timings["batched"]),
               round(statistics.median(requests) * 1000, 2), round(statistics.median(stores) * 1000, 2),
               median_ratio(stores, requests))


def table(rows: list[Row]) -> str:
    header = ("query", "variant", "calls", "documents", "naive calls", "batched ms", "naive ms", "naive/batched",
              "request ms", "store ms", "store share")
    lines = [(r.case.name, r.case.variant, r.calls, r.documents, r.naive_calls, f"{r.batched_ms:.2f}",
              f"{r.naive_ms:.2f}", f"{r.ratio:.2f}x", f"{r.request_ms:.2f}", f"{r.store_ms:.2f}",
              f"{r.store_share:.2f}") for r in rows]
    widths = [max(len(str(line[i])) for line in [header, *lines]) for i in range(len(header))]

    def fmt(line: tuple[Any, ...]) -> str:
        cells = zip(line, widths, strict=True)
        return "  ".join(str(v).ljust(w) if i < 2 else str(v).rjust(w) for i, (v, w) in enumerate(cells))

    return "\n".join([fmt(header), "  ".join("-" * w for w in widths), *map(fmt, lines)])


async def main(rounds: int) -> None:
    async with in_process() as client:
        rows = [await measure(client, case, rounds) for case in await cases(client)]
    print(f"\nstore round trips per request; latency with a {DELAY * 1000:g} ms delay per store call, "
          f"median of {rounds} alternating rounds; without it, request time and store time (a store call in "
          f"flight) in the same {rounds} requests, and the median of their ratios\n")
    print(table(rows) + "\n")
    record("round_trips", {"delay_ms": DELAY * 1000, "rounds": rounds, "queries": {
        f"{r.case.name} [{r.case.variant}]": {"calls": r.calls, "documents": r.documents, "naive_calls": r.naive_calls,
                                               "batched_ms": r.batched_ms, "naive_ms": r.naive_ms,
                                               "naive_over_batched": r.ratio, "request_ms": r.request_ms,
                                               "store_ms": r.store_ms, "store_share": r.store_share}
                                           for r in rows}})


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Store round trips and batched vs naive latency per query.")
    parser.add_argument("--quick", action="store_true", help="fewer rounds (under 20 s)")
    asyncio.run(main(10 if parser.parse_args().quick else 60))
