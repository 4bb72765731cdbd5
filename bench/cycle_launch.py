"""Launching a review cycle for a whole organisation on the embedded store.

For each size, a demo organisation is seeded into a fresh embedded store, a cycle covering everyone
(active, hired before the cutoff) is created with the demo template, and the launch is timed: the
first launch (every review and form created, in bulk) and the second one (idempotent: creates
nothing). Figures are the median of RUNS runs, each on a fresh store.

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
from store.core.database import Database
from store.core.embedded import EmbeddedClient
from store.core.repository import TenantStore
from store.reviews.cycles import launch

SIZES = (200, 5000)
RUNS = 3


async def one_run(demo: DemoOrganization, run: int) -> tuple[float, float, int, int]:
    employee_count = len(demo.employees)
    # The embedded engine never uses an index to read; it only enforces unique ones, by scanning, on each
    # insert (seeding 5,000 people under the unique email index would take a minute). Reviews and forms
    # have no unique index besides _id, so the launch costs the same with or without them.
    database = Database(EmbeddedClient(), f"bench_launch_{employee_count}_{run}")
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
        await database.close()


async def main(sizes: tuple[int, ...]) -> None:
    for size in sizes:
        demo = build_organization(employee_count=size)
        runs = [await one_run(demo, n) for n in range(RUNS)]
        record(f"cycle_launch_{size}", {
            "employees": size, "reviews": runs[0][2], "forms": runs[0][3],
            "launch_ms": round(statistics.median(r[0] for r in runs) * 1000, 1),
            "relaunch_ms": round(statistics.median(r[1] for r in runs) * 1000, 1), "runs": RUNS,
        })


if __name__ == "__main__":
    asyncio.run(main(tuple(int(a) for a in sys.argv[1:]) or SIZES))
