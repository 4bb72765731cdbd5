"""``positionCandidates`` for a whole organisation on the embedded store (SecantusDB, ``memory://``).

For each size a demo organisation with every domain's demo data is seeded into a fresh database; an HR
admin ranks everyone for a position (first 20): once right after seeding (``first_ms``: the organisation's
rosters, the people's and growth's, are not kept yet, so they are read live and kept), then RUNS times; then RUNS
rounds of an org change and a growth change through the real mutations (one person re-titled by
``updateEmployee``, then rated by ``rateTalent``) each followed by one ranking (``after_change_ms``: each change
patched the rosters in its transaction, so the ranking reads them current). Reported: the median time of those
rankings and the store calls, which must be the same for every size (target: under 300 ms for 5,000 people).

    .venv/bin/python -m bench.position_candidates [sizes...]
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time

from bench.common import record
from models.demo.org import build_organization
from realtime.factory import create_bus
from resolvers.core.context import Context
from resolvers.growth.candidates import position_candidates, rate_talent
from resolvers.org.mutations import update_employee
from server.auth import bearer_token, decode_token, mint_token
from server.config import DEV_JWT_SECRET
from store.core.database import MEMORY, Database, open_database
from store.core.seed import seed

SIZES = (200, 5000)
RUNS = 5


async def one_size(server: Database, size: int) -> dict[str, float]:
    demo = build_organization(employee_count=size)
    database = Database(server.client, f"bench_candidates_{size}")
    await server.client.drop_database(database.name)
    await database.create_indexes()
    await seed(database, demo)
    hr = next(e for e in demo.employees if e["_id"] == demo.personas["hr_admin"])
    token = mint_token(DEV_JWT_SECRET, hr["_id"], demo.organization["_id"], hr["roles"], 3600)
    position = next(p for p in demo.positions if p["title"] == "Tech Lead")["_id"]
    bus = create_bus("memory://")
    await bus.connect()  # the changes publish their org-chart events on it

    async def signed_in() -> Context:
        context = Context(database=database, bus=bus, credentials=f"Bearer {token}",
                          decode=lambda c: decode_token(DEV_JWT_SECRET, bearer_token(c)))
        await context.authenticate()
        return context

    async def rank() -> tuple[float, int]:
        context = await signed_in()
        database.stats.reset()
        started = time.perf_counter()
        ranked = await position_candidates(context, position, None, 20)
        elapsed = time.perf_counter() - started
        assert len(ranked) == 20
        return elapsed, database.stats.calls

    seconds, calls = [], set()
    for _ in range(1 + RUNS):  # the first keeps the roster
        elapsed, made = await rank()
        seconds.append(elapsed)
        calls.add(made)
    # then RUNS rounds of: one person re-titled (updateEmployee) and rated (rateTalent), then one ranking
    someone = next(e for e in demo.employees if e["status"] == "active" and e["_id"] not in demo.personas.values())
    after_change, after_change_calls = [], set()
    for turn in range(RUNS):
        context = await signed_in()
        changed = await update_employee(context, someone["_id"], {"name": f"{someone['name']} {turn}"})
        assert changed.errors == []
        assert (await rate_talent(await signed_in(), someone["_id"], 1 + turn % 3, None)).errors == []
        elapsed, made = await rank()
        after_change.append(elapsed)
        after_change_calls.add(made)
    await server.client.drop_database(database.name)
    return {f"people_{size}_median_ms": round(statistics.median(seconds[1:]) * 1000, 1),
            f"people_{size}_first_ms": round(seconds[0] * 1000, 1),
            f"people_{size}_after_change_ms": round(statistics.median(after_change) * 1000, 1),
            f"people_{size}_store_calls": min(calls), f"people_{size}_first_store_calls": max(calls),
            f"people_{size}_after_change_store_calls": max(after_change_calls)}


async def run(sizes: list[int]) -> dict[str, float]:
    server = await open_database(MEMORY, "bench_candidates", indexes=False)
    figures: dict[str, float] = {}
    try:
        for size in sizes:
            figures.update(await one_size(server, size))
    finally:
        await server.close()
    return figures


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or list(SIZES)
    record("position_candidates", asyncio.run(run(sizes)))


if __name__ == "__main__":
    main()
