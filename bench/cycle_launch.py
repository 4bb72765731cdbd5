"""Launching a review cycle for a whole organisation on the embedded store (SecantusDB, ``memory://``).

For each size, a demo organisation is seeded into a fresh database, a cycle covering everyone
(active, hired before the cutoff) is created with the demo template, and the launch is timed: the
first launch (every review and form created, in bulk) and the second one (idempotent: creates
nothing). Figures are the median of RUNS runs, each on a fresh database of one embedded server, with
Perfgraph's indexes created first as the service creates them.

    .venv/bin/python -m bench.cycle_launch [sizes...]
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from datetime import UTC, datetime

from bench.common import record
from models.core.documents import stable_id
from models.demo.org import DemoOrganization, build_organization
from models.demo.reviews import demo_review_documents
from store.core.database import MEMORY, Database, open_database
from store.core.repository import TenantStore
from store.reviews.cycles import launch

SIZES = (200, 5000)
RUNS = 3


async def one_run(server: Database, demo: DemoOrganization, run: int) -> tuple[float, float, int, int]:
    employee_count = len(demo.employees)
    # SecantusDB plans reads on the indexes as MongoDB does: the launch reads employees and the cycle's
    # reviews and forms through them, and the unique ones (emails, template versions) are checked on insert.
    database = Database(server.client, f"bench_launch_{employee_count}_{run}")
    await server.client.drop_database(database.name)
    await database.create_indexes()
    try:  # the organisation itself and the demo template: a launch reads nothing else
        await database.organizations.insert_one(dict(demo.organization))
        for name in ("departments", "positions", "employees"):
            await getattr(database, name).insert_many([dict(d) for d in getattr(demo, name)])
        template = demo_review_documents(demo)["reviewTemplates"][0]
        await database.reviewTemplates.insert_one(dict(template))
        store = TenantStore(database, demo.organization["_id"])
        cycle = {"_id": stable_id(f"bench:{employee_count}:{run}"), "name": "Everyone", "periodStart": "2026-07-01",
                 "periodEnd": "2026-12-31", "templateId": template["_id"], "phases": [],
                 "eligibility": {"hiredBefore": "2026-10-01", "departmentIds": [], "excludedEmployeeIds": []},
                 "peersPerReviewee": 3, "status": "draft"}
        await store.reviewCycles.insert(cycle)
        hr = demo.personas["hr_admin"]
        started = time.perf_counter()
        first = await launch(store, cycle, template, hr, datetime.now(UTC))
        first_seconds = time.perf_counter() - started
        again = await store.reviewCycles.get(cycle["_id"])
        assert again is not None
        started = time.perf_counter()
        second = await launch(store, again, {**template, "locked": True}, hr, datetime.now(UTC))
        second_seconds = time.perf_counter() - started
        assert second.reviews_created == second.forms_created == 0
        return first_seconds, second_seconds, first.reviews_created, first.forms_created
    finally:
        await server.client.drop_database(database.name)


async def main(sizes: tuple[int, ...]) -> None:
    server = await open_database(MEMORY, "bench_launch", indexes=False)
    try:
        for size in sizes:
            demo = build_organization(employee_count=size)
            runs = [await one_run(server, demo, n) for n in range(RUNS)]
            record(f"cycle_launch_{size}", {
                "employees": size, "reviews": runs[0][2], "forms": runs[0][3],
                "launch_ms": round(statistics.median(r[0] for r in runs) * 1000, 1),
                "relaunch_ms": round(statistics.median(r[1] for r in runs) * 1000, 1), "runs": RUNS,
            })
    finally:
        await server.close()


if __name__ == "__main__":
    asyncio.run(main(tuple(int(a) for a in sys.argv[1:]) or SIZES))
