"""A bulk import of N people (default 5,000) on the embedded store (SecantusDB, ``memory://``).

A demo organisation of 20 people is seeded into a fresh database; a CSV file of N new people (a department,
a position, and a reporting tree in reverse row order, so every manager comes after their reports) is
uploaded and run as ``importRun`` runs it (the same resolver, with an integration context of the
organisation, in the mutation's audit scope, so every row's audit entry is written too), then run again
(idempotent: every row unchanged). The target is under 30 s for 5,000 rows.

    .venv/bin/python -m bench.bulk_import [rows]
"""

from __future__ import annotations

import asyncio
import io
import sys
import time
from csv import DictWriter

from bench.common import record
from models.demo.org import build_organization
from models.integrations.imports import COLUMNS
from realtime import create_bus
from resolvers.core.audit import audit_scope
from resolvers.integrations import imports
from resolvers.integrations.tokens import integration_context
from store.core.database import MEMORY, Database, open_database

ROWS = 5000
TARGET_SECONDS = 30


def csv_file(people: int) -> bytes:
    rows = [{"type": "department", "externalId": "d-bench", "name": "Bench"},
            {"type": "position", "externalId": "p-bench", "title": "Engineer", "level": "2",
             "departmentExternalId": "d-bench"}]
    for n in reversed(range(people)):  # reports before their managers
        manager = f"e{(n - 1) // 10}" if n else ""
        rows.append({"type": "person", "externalId": f"e{n}", "name": f"Person {n}", "email": f"p{n}@bench.example",
                     "hireDate": "2024-01-01", "departmentExternalId": "d-bench", "positionExternalId": "p-bench",
                     "managerExternalId": manager})
    out = io.StringIO()
    writer = DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


async def main(people: int) -> None:
    server = await open_database(MEMORY, "bench_import", indexes=False)
    database = Database(server.client, f"bench_import_{people}")
    await server.client.drop_database(database.name)
    await database.create_indexes()
    bus = create_bus("memory://")
    await bus.connect()
    try:
        demo = build_organization(name="Bench", slug="bench", employee_count=20, seed=3)
        await database.organizations.insert_one(dict(demo.organization))
        for name in ("departments", "positions", "employees"):
            await getattr(database, name).insert_many([dict(d) for d in getattr(demo, name)])
        token = {"_id": "bench-token", "organizationId": demo.organization["_id"]}
        context = integration_context(database, bus, token)
        uploaded = await imports.upload(context, csv_file(people), "text/csv")
        started = time.perf_counter()
        with audit_scope(context, "importRun"):
            first = await imports.run(context, uploaded["_id"])
        first_seconds = time.perf_counter() - started
        started = time.perf_counter()
        with audit_scope(context, "importRun"):
            second = await imports.run(context, uploaded["_id"])
        second_seconds = time.perf_counter() - started
        report, again = first.extra["report"], second.extra["report"]
        assert report["created"] == people + 2 and report["refused"] == 0, report["refused"]
        assert again["unchanged"] == people + 2
        audited = await database.auditLog.count_documents({"operation": "importRun", "objectType": "employees"})
        assert audited == people, audited
        record(f"bulk_import_{people}", {"rows": people + 2, "run_s": round(first_seconds, 2),
                                         "rerun_s": round(second_seconds, 2), "target_s": TARGET_SECONDS})
    finally:
        await bus.disconnect()
        await server.client.drop_database(database.name)
        await server.close()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else ROWS))
