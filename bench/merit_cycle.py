"""Merit cycles on the embedded store (SecantusDB, ``memory://``), through the running app over HTTP and
WebSocket:

* ``merit_launch_<size>``: ``launchMeritCycle`` for a demo organisation of ``size`` people with pay for
  everyone (eligibility, the pay snapshot in the cycle currency, budgets in two bulk inserts); target for
  5,000 people: under 3 s;
* ``merit_budget_push``: fifty managers subscribed to their own ``compensationBudgetChanged`` propose at the
  same moment; each figure is one manager's time from sending ``proposeIncrease`` to receiving their
  budget; ROUNDS rounds; target p99 under 100 ms.

    .venv/bin/python -m bench.merit_cycle [size]
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections import defaultdict
from typing import Any

import httpx
import uvicorn
from websockets.asyncio.client import connect

from bench.common import record, summary_ms
from models.demo.org import build_organization
from server.app import create_app
from server.auth import mint_token
from server.config import DEV_JWT_SECRET, Settings
from store.core.database import MEMORY, open_database
from store.core.seed import seed

ROUNDS = 5
MANAGERS = 50
CREATE = """mutation($input: MeritCycleInput!) { createMeritCycle(input: $input) { cycle { id } errors { code } } }"""
LAUNCH = """mutation($id: ID!) { launchMeritCycle(cycleId: $id) { launch { eligible } errors { code message } } }"""
PROPOSE = """mutation($c: ID!, $e: ID!, $p: Decimal!) { proposeIncrease(cycleId: $c, employeeId: $e, percent: $p,
  justification: "bench") { errors { code } } }"""
CHANGED = """subscription($c: ID!, $m: ID!) { compensationBudgetChanged(cycleId: $c, managerId: $m) {
  proposed { amount } } }"""


async def start(settings: Settings, database: Any) -> tuple[uvicorn.Server, int]:
    app = create_app(settings, database=database)
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on",
                            ws_per_message_deflate=False, timeout_keep_alive=120)
    config.load()
    server = uvicorn.Server(config)
    server.lifespan = config.lifespan_class(config)
    await server.startup()
    return server, server.servers[0].sockets[0].getsockname()[1]


async def gql(http: httpx.AsyncClient, url: str, token: str, query: str, variables: dict[str, Any]) -> Any:
    response = await http.post(url, json={"query": query, "variables": variables},
                               headers={"Authorization": f"Bearer {token}"}, timeout=60)
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


async def main(size: int) -> None:
    # without the worker: its first reminder sweep over thousands of seeded people would run during the launch and
    # the proposals (in service it may run as its own process, `python -m server worker`)
    settings = Settings(mongodb_url=MEMORY, mongodb_db="bench_merit", broadcast_url="memory://", worker=False)
    database = await open_database(MEMORY, "bench_merit")
    demo = build_organization(employee_count=size)
    org = demo.organization["_id"]
    await seed(database, demo)
    admin = demo.personas["hr_admin"]
    await database.employees.update_one({"_id": admin}, {"$addToSet": {"roles": "compensation_admin"}})
    roles = {e["_id"]: e["roles"] for e in demo.employees}
    admin_token = mint_token(DEV_JWT_SECRET, admin, org, [*roles[admin], "compensation_admin"], 3600)
    server, port = await start(settings, database)
    url = f"http://127.0.0.1:{port}/graphql"
    try:
        async with httpx.AsyncClient() as http:
            created = await gql(http, url, admin_token, CREATE, {"input": {
                "name": "bench", "currency": "EUR", "periodStart": "2026-01-01", "periodEnd": "2026-12-31",
                "effectiveDate": "2027-01-01", "hiredBefore": "2026-10-01", "meritBudgetPercent": "3",
                "rates": [{"currency": "USD", "rate": "0.92"}]}})
            cycle = created["createMeritCycle"]["cycle"]["id"]
            started = time.perf_counter()
            launched = await gql(http, url, admin_token, LAUNCH, {"id": cycle})
            launch_ms = (time.perf_counter() - started) * 1000
            assert launched["launchMeritCycle"]["errors"] == [], launched
            eligible = launched["launchMeritCycle"]["launch"]["eligible"]
            record(f"merit_launch_{size}", {"employees": size, "eligible": eligible, "launch_ms": round(launch_ms, 1)})
            await push_latency(http, url, port, org, cycle, roles, database)
    finally:
        await server.shutdown()
        await database.close()


async def push_latency(http: httpx.AsyncClient, url: str, port: int, org: str, cycle: str,
                       roles: dict[str, list[str]], database: Any) -> None:
    participants = await database.meritParticipants.find({"cycleId": cycle}).to_list(None)
    reports: dict[str, list[str]] = defaultdict(list)
    for p in participants:
        if p["managerId"]:
            reports[p["managerId"]].append(p["employeeId"])
    # team leads (no manager below them): each one's subscription hears only their own proposals
    above_others = {m for p in participants for m in p["managerChain"][:-1]}
    managers = [m for m in sorted(reports) if len(reports[m]) >= ROUNDS and m not in above_others][:MANAGERS]
    tokens = {m: mint_token(DEV_JWT_SECRET, m, org, roles[m], 3600) for m in managers}
    latencies: list[float] = []
    sockets = []
    try:
        for manager in managers:
            ws = await connect(f"ws://127.0.0.1:{port}/graphql", compression=None,
                               subprotocols=["graphql-transport-ws"])  # type: ignore[list-item]
            init = {"authorization": f"Bearer {tokens[manager]}"}
            await ws.send(json.dumps({"type": "connection_init", "payload": init}))
            assert json.loads(await ws.recv())["type"] == "connection_ack"
            await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {
                "query": CHANGED, "variables": {"c": cycle, "m": manager}}}))
            sockets.append(ws)
        await asyncio.sleep(1)  # every subscription live on the bus

        async def one(manager: str, ws: Any, n: int) -> float:
            sent = time.perf_counter()
            data = await gql(http, url, tokens[manager], PROPOSE, {"c": cycle, "e": reports[manager][n], "p": "3"})
            assert data["proposeIncrease"]["errors"] == [], data
            while True:  # the push for this manager's own proposal (others below them may push too)
                message = json.loads(await asyncio.wait_for(ws.recv(), 10))
                if message["type"] == "next":
                    return time.perf_counter() - sent

        for n in range(ROUNDS):
            latencies += await asyncio.gather(*(one(m, ws, n) for m, ws in zip(managers, sockets, strict=True)))
            for ws in sockets:  # drain pushes from the round's other proposals below a manager
                while True:
                    try:
                        await asyncio.wait_for(ws.recv(), 0.2)
                    except TimeoutError:
                        break
    finally:
        for ws in sockets:
            await ws.close()
    record("merit_budget_push", {"managers": len(managers), "rounds": ROUNDS, **summary_ms(latencies)})


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 5000))
