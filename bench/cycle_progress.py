"""What one push of ``cycleProgressChanged`` reads, for a launched cycle of a whole organisation, on the embedded
store (SecantusDB, ``memory://``).

A push (one per burst of writes, per group of subscribers: resolvers/reviews/subscriptions.py) reads the
cycle's progress as ``cycleProgress`` does: the forms counted per phase, department and state by the server,
and the reviews' states; a manager's read first finds the people below them. For each size a demo
organisation is seeded, a cycle covering everyone is launched with the demo template (three peers each), and
that read is timed for an HR admin (everyone) and for a manager one level below the top (their whole
branch). Figures are the median of READS reads after one warm-up.

    .venv/bin/python -m bench.cycle_progress [sizes...]
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from datetime import UTC, datetime

from bench.common import record
from models.core.documents import stable_id
from models.demo.org import build_organization
from models.demo.reviews import demo_review_documents
from store.core.database import MEMORY, Database, open_database
from store.core.people import ids_below
from store.core.repository import TenantStore
from store.reviews import cycles as cycle_store

SIZES = (200, 5000)
READS = 5


async def read_progress(store: TenantStore, cycle_id: str, manager_id: str | None) -> int:
    """The reads of one push; the number of count rows."""
    reviewees = None if manager_id is None else await ids_below(store, manager_id)
    rows = await cycle_store.progress_counts(store, cycle_id, reviewees)
    await cycle_store.cycle_ratings(store, cycle_id, reviewees)
    return len(rows)


async def timed(store: TenantStore, cycle_id: str, manager_id: str | None) -> float:
    await read_progress(store, cycle_id, manager_id)
    seconds = []
    for _ in range(READS):
        started = time.perf_counter()
        await read_progress(store, cycle_id, manager_id)
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds)


async def one_size(server: Database, size: int) -> None:
    demo = build_organization(employee_count=size)
    database = Database(server.client, f"bench_progress_{size}")
    await server.client.drop_database(database.name)
    await database.create_indexes()
    try:
        await database.organizations.insert_one(dict(demo.organization))
        for name in ("departments", "positions", "employees"):
            await getattr(database, name).insert_many([dict(d) for d in getattr(demo, name)])
        template = demo_review_documents(demo)["reviewTemplates"][0]
        await database.reviewTemplates.insert_one(dict(template))
        store = TenantStore(database, demo.organization["_id"])
        cycle = {"_id": stable_id(f"bench-progress:{size}"), "name": "Everyone", "periodStart": "2026-07-01",
                 "periodEnd": "2026-12-31", "templateId": template["_id"], "phases": [],
                 "eligibility": {"hiredBefore": "2026-10-01", "departmentIds": [], "excludedEmployeeIds": []},
                 "peersPerReviewee": 3, "status": "draft"}
        await store.reviewCycles.insert(cycle)
        launched = await cycle_store.launch(store, cycle, template, demo.personas["hr_admin"], datetime.now(UTC))
        top = next(e for e in demo.employees if not e.get("managerChain"))
        manager = max((e for e in demo.employees if e.get("managerChain") == [top["_id"]]),
                      key=lambda e: sum(e["_id"] in (o.get("managerChain") or []) for o in demo.employees))
        below = len(await ids_below(store, manager["_id"]))
        record(f"cycle_progress_read_{size}", {
            "employees": size, "forms": launched.forms_created,
            "hr_read_ms": round(await timed(store, cycle["_id"], None) * 1000, 2),
            "manager_read_ms": round(await timed(store, cycle["_id"], manager["_id"]) * 1000, 2),
            "manager_below": below, "reads": READS,
        })
    finally:
        await server.client.drop_database(database.name)


async def main(sizes: tuple[int, ...]) -> None:
    server = await open_database(MEMORY, "bench_progress", indexes=False)
    try:
        for size in sizes:
            await one_size(server, size)
    finally:
        await server.close()


if __name__ == "__main__":
    asyncio.run(main(tuple(int(a) for a in sys.argv[1:]) or SIZES))
