"""The live budget: fifty managers proposing at once never lose an update (every total equals the sum of its
proposals), a forced interleaving on the shared budgets, and the pushes of compensationBudgetChanged and
meritMatrixChanged to whom may see them."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest

from models.compensation.cycles import default_matrix
from models.core import clock
from resolvers.core import streams
from tests.client import websocket
from tests.compensation.support import (
    ADVANCE,
    BUDGET,
    COMP_ADMIN,
    PEOPLE,
    PROPOSE,
    comp_admin,
    launched_cycle,
)
from tests.conftest import NORTHWIND, RunningServer
from tests.interleave import hold

BUDGET_CHANGED = """
subscription($cycle: ID!, $manager: ID!) { compensationBudgetChanged(cycleId: $cycle, managerId: $manager) {
  manager { id } proposed { amount currency } committed { amount } remaining { amount } } }"""
MATRIX_CHANGED = """
subscription($cycle: ID!) { meritMatrixChanged(cycleId: $cycle) { cycle { matrix { version } }
  projectedSpend { amount currency } } }"""
SAVE_MATRIX = """
mutation($cycle: ID!, $bounds: [Decimal!]!, $cells: [MatrixCellInput!]!, $base: Int!) {
  saveMeritMatrix(cycleId: $cycle, compaBounds: $bounds, cells: $cells, baseVersion: $base) {
    cycle { matrix { version } projectedSpend { amount } } errors { field code message } } }"""
Document = dict[str, Any]


def increase(participant: Document, percent: str) -> int:
    """The prorated increase, worked out here from the stored snapshot (percent × pay × proration, half up)."""
    value = Decimal(participant["payInCycle"]["minor"]) * Decimal(percent) / 100 * Decimal(participant["proration"])
    return int(value.to_integral_value(rounding=ROUND_HALF_UP))


async def stored(server: RunningServer, collection: str, cycle_id: str) -> list[Document]:
    return await getattr(server.database, collection).find({"cycleId": cycle_id}).to_list(None)


async def assert_budgets_are_the_sums(server: RunningServer, cycle_id: str) -> dict[str, int]:
    """Every stored budget's proposed total (a manager's and a department's, merit and promotion apart) equals the
    sum of the increases of the proposals below it / in it."""
    participants = await stored(server, "meritParticipants", cycle_id)
    expected: dict[str, int] = defaultdict(int)
    departments: dict[str, int] = defaultdict(int)
    promotions: dict[str, int] = defaultdict(int)
    for p in participants:
        if p.get("proposal"):
            for manager_id in p["managerChain"]:
                expected[manager_id] += increase(p, p["proposal"]["percent"])
                promotions[manager_id] += p["proposal"].get("promotionIncreaseMinor") or 0
            departments[p.get("departmentId")] += increase(p, p["proposal"]["percent"])
    budgets = await stored(server, "compensationBudgets", cycle_id)
    managers = {b["managerId"]: b for b in budgets if b.get("managerId")}
    by_department = {b["departmentId"]: b for b in budgets if b.get("departmentId")}
    assert {m: b["proposedMinor"] for m, b in managers.items() if b["proposedMinor"]} == dict(expected)
    assert {d: b["proposedMinor"] for d, b in by_department.items() if b["proposedMinor"]} == dict(departments)
    assert {m: b["promotionProposedMinor"] for m, b in managers.items() if b["promotionProposedMinor"]} == \
        {m: v for m, v in promotions.items() if v}
    return dict(expected)


async def test_fifty_managers_proposing_at_once_never_lose_an_update(server: RunningServer) -> None:
    # given a launched cycle and the 50 managers with eligible direct reports
    admin = await comp_admin(server)
    cycle_id, _ = await launched_cycle(admin)
    participants = await stored(server, "meritParticipants", cycle_id)
    by_manager: dict[str, list[Document]] = defaultdict(list)
    for p in participants:
        if p["managerId"]:
            by_manager[p["managerId"]].append(p)
    assert len(by_manager) == 50

    async def propose_all(manager_id: str, reports: list[Document]) -> None:
        client = server.client(manager_id)
        for i, report in enumerate(reports):
            data = await client.data(PROPOSE, {"cycle": cycle_id, "employee": report["employeeId"],
                                               "percent": f"{2 + i % 3}.25", "why": "market"})
            assert data["proposeIncrease"]["errors"] == [], data

    # when all of them propose for every report at the same time
    await asyncio.gather(*(propose_all(m, reports) for m, reports in by_manager.items()))
    # then every proposal is stored and every budget total is exactly the sum of the proposals below it
    expected = await assert_budgets_are_the_sums(server, cycle_id)
    assert sum(1 for p in await stored(server, "meritParticipants", cycle_id) if p.get("proposal")) == \
        sum(len(r) for r in by_manager.values())
    top = next(e["_id"] for e in NORTHWIND.employees if not e.get("managerChain"))
    budget = (await admin.data(BUDGET, {"cycle": cycle_id, "manager": top}))["compensationBudget"]
    assert Decimal(budget["proposed"]["amount"]) == Decimal(expected[top]).scaleb(-2)
    # and moving to review recounts every budget (the managers' and the departments') from the proposals, in one
    # aggregation: the same sums
    moved = await admin.data(ADVANCE, {"id": cycle_id, "phase": "REVIEW"})
    assert moved["advanceMeritCycle"]["errors"] == []
    assert await assert_budgets_are_the_sums(server, cycle_id) == expected


async def test_two_proposals_interleaved_on_the_shared_budgets_both_count(server: RunningServer) -> None:
    # given two team leads under the same managers, each about to propose for a report
    admin = await comp_admin(server)
    cycle_id, _ = await launched_cycle(admin)
    participants = await stored(server, "meritParticipants", cycle_id)
    by_manager: dict[str, list[Document]] = defaultdict(list)
    for p in participants:
        if p["managerId"] and len(p["managerChain"]) >= 3:
            by_manager[p["managerId"]].append(p)
    first, second = sorted(by_manager)[:2]
    one, other = by_manager[first][0], by_manager[second][0]
    # when the first is held at its budget increments until the second has committed
    async with hold(server.database, "compensationBudgets", "update_many") as held:
        task = asyncio.create_task(server.client(first).data(PROPOSE, {
            "cycle": cycle_id, "employee": one["employeeId"], "percent": "3", "why": "x"}))
        await held.reached.wait()
        done = await server.client(second).data(PROPOSE, {"cycle": cycle_id, "employee": other["employeeId"],
                                                          "percent": "4", "why": "y"})
        assert done["proposeIncrease"]["errors"] == []
    assert (await task)["proposeIncrease"]["errors"] == []
    # then both are counted in every shared budget
    expected = await assert_budgets_are_the_sums(server, cycle_id)
    shared = set(one["managerChain"]) & set(other["managerChain"])
    assert shared and all(expected[m] == increase(one, "3") + increase(other, "4") for m in shared)


async def test_budget_changes_are_pushed_to_the_managers_above_and_to_compensation_admins(
        server: RunningServer) -> None:
    # given a launched cycle and a team lead's report
    admin = await comp_admin(server)
    cycle_id, _ = await launched_cycle(admin)
    report = next(p for p in await stored(server, "meritParticipants", cycle_id) if len(p["managerChain"]) >= 3)
    lead, above = report["managerId"], report["managerChain"][-2]
    outsider = next(e["_id"] for e in NORTHWIND.employees if "manager" in e["roles"]
                    and e["_id"] not in report["managerChain"] and lead not in e["managerChain"]
                    and above not in e["managerChain"])
    roles = [*PEOPLE[COMP_ADMIN]["roles"], "compensation_admin"]
    async with websocket(server.ws_url, server.token(above)) as boss, \
            websocket(server.ws_url, server.token(COMP_ADMIN, roles=roles)) as hr, \
            websocket(server.ws_url, server.token(outsider)) as peer:
        await boss.subscribe(BUDGET_CHANGED, {"cycle": cycle_id, "manager": above})
        await hr.subscribe(BUDGET_CHANGED, {"cycle": cycle_id, "manager": lead})
        await peer.subscribe(BUDGET_CHANGED, {"cycle": cycle_id, "manager": lead})
        refusal = await peer.receive()
        await server.wait_subscribers(2)
        # when the team lead proposes 3 %
        await server.client(lead).data(PROPOSE, {"cycle": cycle_id, "employee": report["employeeId"],
                                                 "percent": "3", "why": "x"})
        # then the manager above and HR receive their budget with the increase; the outsider was refused
        amount = str(Decimal(increase(report, "3")).scaleb(-2))
        pushed = (await boss.next_payload())["data"]["compensationBudgetChanged"]
        assert (pushed["manager"]["id"], pushed["proposed"]) == (above, {"amount": amount, "currency": "EUR"})
        assert (await hr.next_payload())["data"]["compensationBudgetChanged"]["proposed"]["amount"] == amount
        assert [e["extensions"]["code"] for e in refusal["payload"]["errors"]] == ["FORBIDDEN"]
        assert "amount" not in refusal["payload"]["errors"][0]["message"]


async def test_matrix_edits_push_the_projected_spend_to_compensation_admins(server: RunningServer) -> None:
    # given a launched cycle and HR's open view
    admin = await comp_admin(server)
    cycle_id, _ = await launched_cycle(admin)
    participants = await stored(server, "meritParticipants", cycle_id)
    roles = [*PEOPLE[COMP_ADMIN]["roles"], "compensation_admin"]
    matrix = default_matrix()
    cells = [{"rating": c["rating"], "band": c["band"], "min": c["min"], "target": str(Decimal(c["target"]) + 1),
              "max": str(Decimal(c["max"]) + 1)} for c in matrix["cells"]]
    async with websocket(server.ws_url, server.token(COMP_ADMIN, roles=roles)) as hr, \
            websocket(server.ws_url, server.token("manager")) as manager:
        await hr.subscribe(MATRIX_CHANGED, {"cycle": cycle_id})
        await manager.subscribe(MATRIX_CHANGED, {"cycle": cycle_id})
        refusal = await manager.receive()
        await server.wait_subscribers(1)
        # when HR raises every target by one point
        saved = (await admin.data(SAVE_MATRIX, {"cycle": cycle_id, "bounds": ["0.9", "1.1"], "cells": cells,
                                                "base": 0}))["saveMeritMatrix"]
        # then the projected spend recomputes (sum of each rated participant's new target) and is pushed
        by_cell = {(c["rating"], c["band"]): c["target"] for c in cells}

        def band(ratio: str | None) -> int | None:
            return None if ratio is None else (0 if Decimal(ratio) < Decimal("0.9") else
                                               1 if Decimal(ratio) < Decimal("1.1") else 2)
        expected = sum(increase(p, by_cell[(p["rating"], band(p["compaRatio"]))]) for p in participants
                       if p["rating"] is not None and p["compaRatio"] is not None)
        assert saved["errors"] == [] and saved["cycle"]["matrix"]["version"] == 1
        assert saved["cycle"]["projectedSpend"]["amount"] == str(Decimal(expected).scaleb(-2))
        pushed = (await hr.next_payload())["data"]["meritMatrixChanged"]
        assert pushed == {"cycle": {"matrix": {"version": 1}},
                          "projectedSpend": {"amount": str(Decimal(expected).scaleb(-2)), "currency": "EUR"}}
        assert [e["extensions"]["code"] for e in refusal["payload"]["errors"]] == ["FORBIDDEN"]
    # and saving from a stale version is a conflict, nothing written
    stale = await admin.execute(SAVE_MATRIX, {"cycle": cycle_id, "bounds": ["0.9", "1.1"], "cells": cells, "base": 0})
    assert [e["code"] for e in stale["data"]["saveMeritMatrix"]["errors"]] == ["CONFLICT"]


PUSHED = """
subscription($cycle: ID!, $manager: ID!) { compensationBudgetChanged(cycleId: $cycle, managerId: $manager) {
  proposed { amount } asOf } }"""
PROPOSED = """
mutation($cycle: ID!, $employee: ID!) { proposeIncrease(cycleId: $cycle, employeeId: $employee, percent: "3",
  justification: "x") { errors { code } } }"""


async def test_one_read_serves_every_subscriber_of_a_push_each_with_the_commit_as_of(
        server: RunningServer, monkeypatch: pytest.MonkeyPatch) -> None:
    # given a launched cycle and a report three levels down: their lead, the managers above, and HR on the lead's
    # budget, each subscribed (four subscribers of one event), each re-checked at every event
    monkeypatch.setattr(streams, "RECHECK_SECONDS", 0.0)
    admin = await comp_admin(server)
    cycle_id, _ = await launched_cycle(admin)
    report = next(p for p in await stored(server, "meritParticipants", cycle_id) if len(p["managerChain"]) >= 3)
    lead, above, top = report["managerId"], report["managerChain"][-2], report["managerChain"][0]
    roles = [*PEOPLE[COMP_ADMIN]["roles"], "compensation_admin"]
    async with websocket(server.ws_url, server.token(lead)) as own, \
            websocket(server.ws_url, server.token(above)) as boss, \
            websocket(server.ws_url, server.token(top)) as chief, \
            websocket(server.ws_url, server.token(COMP_ADMIN, roles=roles)) as hr:
        for ws, manager in ((own, lead), (boss, above), (chief, top), (hr, lead)):
            await ws.subscribe(PUSHED, {"cycle": cycle_id, "manager": manager})
        await server.wait_subscribers(4)
        # when the lead proposes
        server.database.stats.reset()
        before = clock.now()
        done = await server.client(lead).data(PROPOSED, {"cycle": cycle_id, "employee": report["employeeId"]})
        after = clock.now()
        assert done["proposeIncrease"]["errors"] == []
        pushed = [(await ws.next_payload())["data"]["compensationBudgetChanged"] for ws in (own, boss, chief, hr)]
    # then each receives the budget with the increase, all as of the one commit, between the request and its answer
    amount = str(Decimal(increase(report, "3")).scaleb(-2))
    assert [p["proposed"]["amount"] for p in pushed] == [amount] * 4
    assert len({p["asOf"] for p in pushed}) == 1 and before <= datetime.fromisoformat(pushed[0]["asOf"]) <= after
    # and the cycle and the budgets were read once for all four: the proposal's increments and one aggregate
    # (counted on the budgets), no read of the cycle of its own; the four subscribers' standing in one read too
    # (with the proposal's sign-in: two reads of people)
    calls = server.database.stats.by_collection
    assert (calls["compensationBudgets"], calls["meritCycles"], calls["employees"]) == (2, 0, 2)


async def test_a_burst_queued_behind_a_read_reaches_each_subscriber_as_one_push_from_one_shared_read(
        server: RunningServer) -> None:
    # given a launched cycle, a team lead with three reports, the lead and their manager each subscribed to their
    # own budget (two subscribers of every event)
    admin = await comp_admin(server)
    cycle_id, _ = await launched_cycle(admin)
    participants = await stored(server, "meritParticipants", cycle_id)
    lead = next(m for m in {p["managerId"] for p in participants if len(p["managerChain"]) >= 2}
                if sum(p["managerId"] == m for p in participants) >= 3)
    reports = [p for p in participants if p["managerId"] == lead][:3]
    above = reports[0]["managerChain"][-2]
    client = server.client(lead)
    async with websocket(server.ws_url, server.token(lead)) as own, \
            websocket(server.ws_url, server.token(above)) as boss:
        for ws, manager in ((own, lead), (boss, above)):
            await ws.subscribe(PUSHED, {"cycle": cycle_id, "manager": manager})
        await server.wait_subscribers(2)
        server.database.stats.reset()
        # when the first proposal's push read is held in the store, and two more proposals commit meanwhile
        async with hold(server.database, "compensationBudgets", "aggregate") as held:
            await client.data(PROPOSED, {"cycle": cycle_id, "employee": reports[0]["employeeId"]})
            await held.reached.wait()
            for report in reports[1:]:
                done = await client.data(PROPOSED, {"cycle": cycle_id, "employee": report["employeeId"]})
                assert done["proposeIncrease"]["errors"] == []
        pushed = [[(await ws.next_payload())["data"]["compensationBudgetChanged"] for _ in range(2)]
                  for ws in (own, boss)]
        quiet = [await ws.nothing_within(0.3) for ws in (own, boss)]
    # then each subscriber receives two pushes (the first event's, then one for the two queued behind it, as of the
    # later commit), each counting all three increases (the held read ran once released)
    total = str(Decimal(sum(increase(p, "3") for p in reports)).scaleb(-2))
    assert [[p["proposed"]["amount"] for p in pushes] for pushes in pushed] == [[total, total], [total, total]]
    assert quiet == [True, True]
    assert all(datetime.fromisoformat(first["asOf"]) < datetime.fromisoformat(second["asOf"])
               for first, second in pushed)
    assert pushed[0][1]["asOf"] == pushed[1][1]["asOf"]
    # and the budgets were read twice for both subscribers and all three events (besides the three proposals'
    # increments): the first read, then one started after the two later events were first handled
    assert server.database.stats.by_collection["compensationBudgets"] == 3 + 2
