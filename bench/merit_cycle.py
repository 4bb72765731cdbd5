"""Merit cycles on the embedded store (SecantusDB, ``memory://``), through the app served by uvicorn in a process of
its own (``bench/merit_server.py``), the clients (HTTP and WebSocket) in this one:

* ``merit_launch``: ``launchMeritCycle`` for a demo organisation of ``size`` people with pay for everyone
  (eligibility, the pay snapshot in the cycle currency, budgets in two bulk inserts); the issue's target, for
  5,000 *eligible* people: under 3 s (the demo's people are 94 % eligible: 5,340 people give 5,023, the default);
* ``merit_rate_change``: ``saveExchangeRates`` once the proposals are in (everyone paid in USD repriced, every
  budget's payroll and percentage pools; no target: the cost of one transaction over the whole cycle);
* ``merit_budget_push``: fifty team leads propose at the same moment, ROUNDS rounds. Subscribed to
  ``compensationBudgetChanged``: each lead and every manager above them to their own budget, and a compensation
  admin (HR) to the top manager's. Two figures, side by side:

  - ``commit_to_all_received`` (issue 16's "p99 under 100 ms"): for each proposal, from its commit (the ``asOf``
    of the push it sends: stamped by the server process with the wall clock once its writes are acknowledged)
    to the moment every subscriber it reaches (its lead, the managers above, HR) has received a push counting it
    (the first with an ``asOf`` at or after that commit; a push may count several commits; one server process on the
    in-process bus, so a push counts every change whose event was stamped before its ``asOf``); clocks: ``asOf``
    and the receipts here are both the wall clock (CLOCK_REALTIME, ``time.time()``), one kernel clock for both
    processes; ``commit_to_each_received`` is the same per subscriber; ``commit_to_all_first_round`` and
    ``commit_to_all_later_rounds`` split it: in the first round every subscriber's standing, last read when it
    subscribed (over a second before), is re-read on the push's path (``resolvers/core/streams.py``), in later
    rounds it was read ahead;
  - ``p50_ms``/``p99_ms`` (send → received): each lead's time from sending ``proposeIncrease`` to receiving
    their own budget (the store work of the proposal itself included).

  With them, the pushes received per proposal (all subscribers), the store calls per proposal (the counter the
  tests use, ``database.stats``, pushes included) and the commands the driver sent (pymongo command monitoring:
  the audit's own reads and inserts too), counted in the server process, and the load average before and after
  the rounds. With ``--profile``, the server's cProfile over the launch and over the rounds is written to
  merit_launch_profile.txt and merit_profile.txt in the temporary directory.

    .venv/bin/python -m bench.merit_cycle [size] [--profile]
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from bench.common import ROOT, free_port, record, server_env, summary_ms
from models.demo.org import build_organization
from server.auth import mint_token
from server.config import DEV_JWT_SECRET

ROUNDS = 5
PROFILE = Path(tempfile.gettempdir()) / "merit_profile.txt"
LAUNCH_PROFILE = Path(tempfile.gettempdir()) / "merit_launch_profile.txt"
MANAGERS = 50
DEFAULT_SIZE = 5340  # 5,023 of them eligible: the "5,000 eligible people"
CREATE = """mutation($input: MeritCycleInput!) { createMeritCycle(input: $input) { cycle { id } errors { code } } }"""
LAUNCH = """mutation($id: ID!) { launchMeritCycle(cycleId: $id) { launch { eligible } errors { code message } } }"""
PROPOSE = """mutation($c: ID!, $e: ID!, $p: Decimal!) { proposeIncrease(cycleId: $c, employeeId: $e, percent: $p,
  justification: "bench") { errors { code } } }"""
RATES = """mutation($id: ID!) { saveExchangeRates(cycleId: $id, rates: [{currency: "USD", rate: "0.95"}]) {
  errors { code message } } }"""
CHANGED = """subscription($c: ID!, $m: ID!) { compensationBudgetChanged(cycleId: $c, managerId: $m) {
  proposed { amount } asOf } }"""
AS_OF_FIELD = """{ __type(name: "CompensationBudget") { fields { name } } }"""  # absent before asOf existed


async def gql(http: httpx.AsyncClient, url: str, token: str, query: str, variables: dict[str, Any]) -> Any:
    response = await http.post(url, json={"query": query, "variables": variables},
                               headers={"Authorization": f"Bearer {token}"}, timeout=60)
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


@contextlib.asynccontextmanager
async def merit_server(size: int) -> AsyncIterator[int]:
    """``bench.merit_server`` for ``size`` people on a free port; yields its port once ``/health`` answers."""
    port = free_port()
    process = await asyncio.create_subprocess_exec(sys.executable, "-m", "bench.merit_server", str(size), str(port),
                                                   cwd=ROOT, env=server_env())
    try:
        async with httpx.AsyncClient(timeout=5) as probe:
            for _ in range(6000):  # seeding 5,340 people takes a few minutes on a loaded machine
                try:
                    if (await probe.get(f"http://127.0.0.1:{port}/health")).status_code == 200:
                        break
                except httpx.TransportError:
                    if process.returncode is not None:
                        raise RuntimeError("the merit server ended before it served") from None
                    await asyncio.sleep(0.1)
            else:
                raise RuntimeError("the merit server did not start")
        yield port
    finally:
        process.terminate()
        await process.wait()


async def main(size: int, profile: bool) -> None:
    demo = build_organization(employee_count=size)
    org = demo.organization["_id"]
    admin = demo.personas["hr_admin"]
    roles = {e["_id"]: e["roles"] for e in demo.employees}
    admin_token = mint_token(DEV_JWT_SECRET, admin, org, [*roles[admin], "compensation_admin"], 3600)
    async with merit_server(size) as port, httpx.AsyncClient() as http:
        url = f"http://127.0.0.1:{port}/graphql"
        created = await gql(http, url, admin_token, CREATE, {"input": {
            "name": "bench", "currency": "EUR", "periodStart": "2026-01-01", "periodEnd": "2026-12-31",
            "effectiveDate": "2027-01-01", "hiredBefore": "2026-10-01", "meritBudgetPercent": "3",
            "rates": [{"currency": "USD", "rate": "0.92"}]}})
        cycle = created["createMeritCycle"]["cycle"]["id"]
        load = round(os.getloadavg()[0], 2)
        bench = f"http://127.0.0.1:{port}/bench"
        if profile:
            await http.post(f"{bench}/profile", json={"on": True})
        started = time.perf_counter()
        launched = await gql(http, url, admin_token, LAUNCH, {"id": cycle})
        launch_ms = (time.perf_counter() - started) * 1000
        if profile:
            stats = (await http.post(f"{bench}/profile", json={"on": False}, timeout=60)).json()["stats"]
            LAUNCH_PROFILE.write_text(stats)
        assert launched["launchMeritCycle"]["errors"] == [], launched
        eligible = launched["launchMeritCycle"]["launch"]["eligible"]
        record("merit_launch", {"employees": size, "eligible": eligible, "launch_ms": round(launch_ms, 1),
                                        "load_average_1m": load, **({"profiled": True} if profile else {})})
        await push_latency(http, url, port, org, cycle, roles, admin, admin_token, profile)
        # a rate change once the cycle runs: everyone paid in USD repriced, every budget's payroll and pools
        started = time.perf_counter()
        rated = await gql(http, url, admin_token, RATES, {"id": cycle})
        assert rated["saveExchangeRates"]["errors"] == [], rated
        record("merit_rate_change", {"eligible": eligible, "ms": round((time.perf_counter() - started) * 1000, 1),
                                     "load_average_1m": round(os.getloadavg()[0], 2)})


class Subscriber:
    """One WebSocket with one ``compensationBudgetChanged`` subscription; every push is kept with the moment it
    arrived (``time.time()``: the wall clock, the one the server process stamps ``asOf`` with)."""

    def __init__(self, ws: Any, who: str, manager: str) -> None:
        self.ws, self.who, self.manager = ws, who, manager
        self.pushes: list[tuple[float, float | None]] = []  # (received, asOf) of each push
        self.arrived = asyncio.Event()
        self.task = asyncio.create_task(self.read())

    async def read(self) -> None:
        with contextlib.suppress(ConnectionClosed):
            async for raw in self.ws:
                received = time.time()
                message = json.loads(raw)
                if message["type"] == "next":
                    pushed = message["payload"]["data"]["compensationBudgetChanged"]
                    as_of = pushed.get("asOf")
                    self.pushes.append((received, datetime.fromisoformat(as_of).timestamp() if as_of else None))
                    self.arrived.set()

    async def next_push(self, after: int) -> tuple[float, float | None]:
        """The first push after the first ``after`` ones."""
        while len(self.pushes) <= after:
            self.arrived.clear()
            await asyncio.wait_for(self.arrived.wait(), 60)
        return self.pushes[after]


async def subscribe(port: int, token: str, cycle: str, manager: str, who: str, with_as_of: bool) -> Subscriber:
    ws = await connect(f"ws://127.0.0.1:{port}/graphql", compression=None, max_queue=None,
                       subprotocols=["graphql-transport-ws"])  # type: ignore[list-item]
    await ws.send(json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}}))
    assert json.loads(await ws.recv())["type"] == "connection_ack"
    query = CHANGED if with_as_of else CHANGED.replace(" asOf", "")
    await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {
        "query": query, "variables": {"c": cycle, "m": manager}}}))
    return Subscriber(ws, who, manager)


async def quiet(subscribers: list[Subscriber], seconds: float = 0.5) -> None:
    """Until no push has arrived for ``seconds``."""
    while True:
        seen = sum(len(s.pushes) for s in subscribers)
        await asyncio.sleep(seconds)
        if sum(len(s.pushes) for s in subscribers) == seen:
            return


async def push_latency(http: httpx.AsyncClient, url: str, port: int, org: str, cycle: str,
                       roles: dict[str, list[str]], admin: str, admin_token: str, profile: bool) -> None:
    bench = f"http://127.0.0.1:{port}/bench"
    participants = (await http.get(f"{bench}/participants", params={"cycle": cycle}, timeout=60)).json()
    reports: dict[str, list[str]] = defaultdict(list)
    chains: dict[str, list[str]] = {}  # each team lead's managers above them
    for p in participants:
        if p["managerId"]:
            reports[p["managerId"]].append(p["employeeId"])
            chains[p["managerId"]] = p["managerChain"][:-1]
    # team leads (no manager below them): their own budget changes only with their own proposals
    above_others = {m for p in participants for m in p["managerChain"][:-1]}
    leads = [m for m in sorted(reports) if len(reports[m]) >= ROUNDS and m not in above_others][:MANAGERS]
    above = sorted({m for lead in leads for m in chains[lead]})  # every manager above them, on their own budget
    root = next(iter(chains[leads[0]]), leads[0])  # the top of the chain: HR watches the whole organisation
    tokens = {m: mint_token(DEV_JWT_SECRET, m, org, roles[m], 3600) for m in [*leads, *above]}
    with_as_of = "asOf" in json.dumps(await gql(http, url, admin_token, AS_OF_FIELD, {}))
    subscribers: list[Subscriber] = []
    try:
        for manager in [*leads, *above]:
            subscribers.append(await subscribe(port, tokens[manager], cycle, manager, manager, with_as_of))
        subscribers.append(await subscribe(port, admin_token, cycle, root, admin, with_as_of))
        own = {s.manager: s for s in subscribers[:len(leads)]}
        watching: dict[str, list[Subscriber]] = defaultdict(list)  # a lead → every subscriber their proposal reaches
        for s in subscribers:
            for lead in leads:
                if s.manager == lead or s.manager in chains[lead]:
                    watching[lead].append(s)
        await asyncio.sleep(1)  # every subscription live on the bus
        sent_to_own: list[float] = []
        commit_to_all: list[float] = []  # per proposal: its commit → every subscriber it reaches has received it
        first_round = 0  # how many of commit_to_all are the first round's
        commit_to_each: list[float] = []  # per proposal and subscriber: its commit → that subscriber has it
        load = [os.getloadavg()[0]]
        pushes_before = sum(len(s.pushes) for s in subscribers)
        await http.post(f"{bench}/counting", json={"on": True})
        if profile:
            await http.post(f"{bench}/profile", json={"on": True})

        async def one(lead: str, n: int) -> tuple[float, float | None]:
            before = len(own[lead].pushes)
            sent = time.time()
            data = await gql(http, url, tokens[lead], PROPOSE, {"c": cycle, "e": reports[lead][n], "p": "3"})
            assert data["proposeIncrease"]["errors"] == [], data
            received, as_of = await own[lead].next_push(before)  # the lead's budget moves with their proposal only
            sent_to_own.append(received - sent)
            return sent, as_of

        for n in range(ROUNDS):
            marks = {s.who + s.manager: len(s.pushes) for s in subscribers}
            commits = dict(zip(leads, await asyncio.gather(*(one(lead, n) for lead in leads)), strict=True))
            await quiet(subscribers)
            if not with_as_of:
                continue
            for lead, (_, commit) in commits.items():
                assert commit is not None
                arrivals = []
                for s in watching[lead]:  # the first push of the round that counts this commit
                    pushes = s.pushes[marks[s.who + s.manager]:]
                    arrivals.append(next(received for received, as_of in pushes if as_of is not None
                                         and as_of >= commit))
                commit_to_each += [max(0.0, a - commit) for a in arrivals]
                commit_to_all.append(max(0.0, max(arrivals) - commit))
            if n == 0:
                first_round = len(commit_to_all)
        counted = (await http.post(f"{bench}/counting", json={"on": False})).json()
        pushes = sum(len(s.pushes) for s in subscribers) - pushes_before
        if profile:
            stats = (await http.post(f"{bench}/profile", json={"on": False}, timeout=60)).json()["stats"]
            PROFILE.write_text(stats)
        load.append(os.getloadavg()[0])
    finally:
        for s in subscribers:
            await s.ws.close()
            s.task.cancel()
    proposals = len(leads) * ROUNDS
    calls, commands = counted["by_collection"], counted["commands"]
    figures: dict[str, Any] = {
        "managers": len(leads), "rounds": ROUNDS, "subscribers": len(subscribers),
        "managers_above": len(above), **summary_ms(sent_to_own),
        "pushes_per_proposal": round(pushes / proposals, 2),
        "store_calls_per_proposal": round(counted["calls"] / proposals, 2),
        "store_calls_by_collection": {k: round(v / proposals, 2) for k, v in sorted(calls.items())},
        "server_commands_per_proposal": round(sum(commands.values()) / proposals, 2),
        "server_commands_by_name": {k: round(v / proposals, 2) for k, v in sorted(commands.items())},
        "load_average_1m": [round(x, 2) for x in load]}
    if commit_to_all:
        figures["commit_to_all_received"] = summary_ms(commit_to_all)
        figures["commit_to_each_received"] = summary_ms(commit_to_each)
        figures["commit_to_all_first_round"] = summary_ms(commit_to_all[:first_round])
        figures["commit_to_all_later_rounds"] = summary_ms(commit_to_all[first_round:])
    record("merit_budget_push", figures)


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    asyncio.run(main(int(args[0]) if args else DEFAULT_SIZE, "--profile" in sys.argv))
