"""The live budget: fifty managers proposing at once never lose an update (every total equals the sum of its
proposals), a forced interleaving on the shared budgets, and the pushes of compensationBudgetChanged and
meritMatrixChanged to whom may see them."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
from collections import defaultdict
from collections.abc import AsyncIterator
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from redis.asyncio import Redis

from models.compensation.cycles import default_matrix
from models.core import clock
from resolvers.compensation import ledger
from resolvers.compensation.channels import budget_channel
from resolvers.core import streams
from tests.client import websocket
from tests.compensation.support import (
    ADVANCE,
    BUDGET,
    COMP_ADMIN,
    PEOPLE,
    PROPOSE,
    RECORD_PAY,
    comp_admin,
    launched_cycle,
)
from tests.conftest import NORTHWIND, RunningServer, settings_for_tests, start_server, stop_server
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

    top = next(e["_id"] for e in NORTHWIND.employees if not e.get("managerChain"))
    roles = [*PEOPLE[COMP_ADMIN]["roles"], "compensation_admin"]
    async with websocket(server.ws_url, server.token(COMP_ADMIN, roles=roles)) as hr:
        # and HR watching the whole organisation's budget live
        await hr.subscribe(PUSHED, {"cycle": cycle_id, "manager": top})
        await server.wait_subscribers(1 + 1)  # and the cycle's ledger
        # when all of them propose for every report at the same time
        await asyncio.gather(*(propose_all(m, reports) for m, reports in by_manager.items()))
        # then every proposal is stored and every budget total is exactly the sum of the proposals below it
        expected = await assert_budgets_are_the_sums(server, cycle_id)
        # and HR's pushes, counted from the events alone in whatever order they came, reach that same total
        total, pushes = Decimal(expected[top]).scaleb(-2), []
        async with asyncio.timeout(30):
            while not pushes or Decimal(pushes[-1]["proposed"]["amount"]) != total:
                pushes.append((await hr.next_payload())["data"]["compensationBudgetChanged"])
        assert all(Decimal(p["proposed"]["amount"]) <= total for p in pushes)
    assert sum(1 for p in await stored(server, "meritParticipants", cycle_id) if p.get("proposal")) == \
        sum(len(r) for r in by_manager.values())
    budget = (await admin.data(BUDGET, {"cycle": cycle_id, "manager": top}))["compensationBudget"]
    assert Decimal(budget["proposed"]["amount"]) == Decimal(expected[top]).scaleb(-2)
    # and moving to review, then approving (which recounts and locks every budget, the managers' and the
    # departments', in one aggregation), leaves the same sums
    for phase in ("REVIEW", "APPROVED"):
        moved = await admin.data(ADVANCE, {"id": cycle_id, "phase": phase})
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
        await server.wait_subscribers(2 + 1)  # and the cycle's ledger (resolvers/compensation/ledger.py)
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


async def test_a_push_reads_nothing_and_each_is_as_of_the_commit(
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
        await server.wait_subscribers(4 + 1)  # and the cycle's ledger
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
    # and the pushes read no budget and no cycle (the process's ledger counted the event's sealed change): the
    # budgets only had the proposal's increments; the four subscribers' standing in one read (with the proposal's
    # sign-in: two reads of people)
    calls = server.database.stats.by_collection
    assert (calls["compensationBudgets"], calls["meritCycles"], calls["employees"]) == (1, 0, 2)


async def test_proposals_committed_while_the_ledger_reads_are_counted_once_in_one_push_per_burst(
        server: RunningServer) -> None:
    # given a launched cycle, a team lead with three reports, and the read the process's ledger starts when its
    # first subscriber comes held in the store
    admin = await comp_admin(server)
    cycle_id, _ = await launched_cycle(admin)
    participants = await stored(server, "meritParticipants", cycle_id)
    lead = next(m for m in {p["managerId"] for p in participants if len(p["managerChain"]) >= 2}
                if sum(p["managerId"] == m for p in participants) >= 3)
    reports = [p for p in participants if p["managerId"] == lead][:3]
    above = reports[0]["managerChain"][-2]
    client = server.client(lead)
    async with hold(server.database, "meritParticipants", "aggregate") as held, \
            websocket(server.ws_url, server.token(lead)) as own, \
            websocket(server.ws_url, server.token(above)) as boss:
        # the lead and their manager each subscribed to their own budget (two subscribers of every event)
        for ws, manager in ((own, lead), (boss, above)):
            await ws.subscribe(PUSHED, {"cycle": cycle_id, "manager": manager})
        await server.wait_subscribers(2 + 1)  # and the cycle's ledger
        await held.reached.wait()
        server.database.stats.reset()
        # when three proposals commit while the ledger's read is held (the first held behind it too: its own read
        # of the participant is the next aggregate, let through)
        for report in reports:
            done = await client.data(PROPOSED, {"cycle": cycle_id, "employee": report["employeeId"]})
            assert done["proposeIncrease"]["errors"] == []
        await asyncio.sleep(0.1)  # every event reached the subscribers, who wait for the read
        held.released.set()
        pushed = [[(await ws.next_payload())["data"]["compensationBudgetChanged"] for _ in range(2)]
                  for ws in (own, boss)]
        quiet = [await ws.nothing_within(0.3) for ws in (own, boss)]
    # then each subscriber receives two pushes (the first event's, then one for the two queued behind it, as of the
    # later commit), each counting all three increases once, though the read saw them too
    total = str(Decimal(sum(increase(p, "3") for p in reports)).scaleb(-2))
    assert [[p["proposed"]["amount"] for p in pushes] for pushes in pushed] == [[total, total], [total, total]]
    assert quiet == [True, True]
    assert all(datetime.fromisoformat(first["asOf"]) < datetime.fromisoformat(second["asOf"])
               for first, second in pushed)
    assert pushed[0][1]["asOf"] == pushed[1][1]["asOf"]
    # and the budgets had only the three proposals' increments, no read
    assert server.database.stats.by_collection["compensationBudgets"] == 3


def lead_of_two(participants: list[Document]) -> tuple[str, Document, Document]:
    """The first team lead (by id) with two eligible reports, and those two participants."""
    lead = next(m for m in sorted({p["managerId"] for p in participants if p["managerId"]})
                if sum(p["managerId"] == m for p in participants) >= 2)
    first, second = [p for p in participants if p["managerId"] == lead][:2]
    return lead, first, second


@contextlib.asynccontextmanager
async def lead_after_one_push(server: RunningServer) -> AsyncIterator[tuple[Any, Any, Document, Document]]:
    """A launched cycle and a team lead with two eligible reports, watching their own budget, who proposed for the
    first and received its push: their WebSocket, a ``propose(participant)`` as them, and the two participants."""
    admin = await comp_admin(server)
    cycle_id, _ = await launched_cycle(admin)
    lead, first, second = lead_of_two(await stored(server, "meritParticipants", cycle_id))
    client = server.client(lead)

    async def propose(participant: Document) -> None:
        done = await client.data(PROPOSED, {"cycle": cycle_id, "employee": participant["employeeId"]})
        assert done["proposeIncrease"]["errors"] == []

    async with websocket(server.ws_url, server.token(lead)) as own:
        await own.subscribe(PUSHED, {"cycle": cycle_id, "manager": lead})
        await server.wait_subscribers(1 + 1)  # and the cycle's ledger
        await propose(first)
        await own.next_payload()
        yield own, propose, first, second


async def test_between_events_the_standing_is_read_ahead_so_an_event_after_a_pause_reads_nothing(
        server: RunningServer, monkeypatch: pytest.MonkeyPatch) -> None:
    # given standing re-read when older than two seconds (read ahead 1.4 s after the last read), and a team lead
    # watching their own budget
    monkeypatch.setattr(streams, "RECHECK_SECONDS", 2.0)
    monkeypatch.setattr(streams, "ACTIVE_SECONDS", 1.6)  # one read ahead (at 1.4 s), none after it
    async with lead_after_one_push(server) as (own, propose, first, second):
        # when, past the two seconds, the next event comes while every further read of people is held (the
        # proposal's sign-in reads its person with find_one, which passes)
        await asyncio.sleep(2.2)
        async with hold(server.database, "employees", "find") as held:
            await propose(second)
            # then it is pushed all the same: the standing read ahead of it, within the two seconds, stood
            pushed = (await asyncio.wait_for(own.next_payload(), 2))["data"]["compensationBudgetChanged"]
            assert held.seen <= 1  # at most a read ahead for a later event, held
    total = str(Decimal(increase(first, "3") + increase(second, "3")).scaleb(-2))
    assert pushed["proposed"]["amount"] == total


async def test_a_budget_subscribers_standing_is_kept_read_while_no_event_comes_so_the_push_after_a_pause_waits_not(
        server: RunningServer, monkeypatch: pytest.MonkeyPatch) -> None:
    # given standing re-read when older than half a second, reads ahead for 0.6 s after an event, kept standings read
    # on a 0.2 s grid, and a team lead and HR watching the lead's budget, the lead having received one push
    monkeypatch.setattr(streams, "RECHECK_SECONDS", 0.5)
    monkeypatch.setattr(streams, "ACTIVE_SECONDS", 0.6)
    monkeypatch.setattr(streams, "KEEP_GRID_SECONDS", 0.2)
    roles = [*PEOPLE[COMP_ADMIN]["roles"], "compensation_admin"]
    async with lead_after_one_push(server) as (own, propose, first, second), \
            websocket(server.ws_url, server.token(COMP_ADMIN, roles=roles)) as hr:
        await hr.subscribe(PUSHED, {"cycle": first["cycleId"], "manager": first["managerId"]})
        await server.wait_subscribers(2 + 1)
        # when no event comes for a while
        await asyncio.sleep(1.5)
        server.database.stats.reset()
        await asyncio.sleep(1.0)
        # then their standings are read meanwhile (a read for both on each step of the grid: five in the second)
        assert 4 <= server.database.stats.by_collection["employees"] <= 6
        # and the next event, with every further read of people held, is pushed to both all the same
        async with hold(server.database, "employees", "find") as held:
            await propose(second)
            pushed = [(await asyncio.wait_for(ws.next_payload(), 2))["data"]["compensationBudgetChanged"]
                      for ws in (own, hr)]
            assert held.seen <= 1  # at most the next kept read, held
    total = str(Decimal(increase(first, "3") + increase(second, "3")).scaleb(-2))
    assert [p["proposed"]["amount"] for p in pushed] == [total, total]


async def test_a_kept_standing_stops_being_read_once_it_finds_the_subscriber_gone_and_the_next_event_ends_it(
        server: RunningServer, monkeypatch: pytest.MonkeyPatch) -> None:
    # given kept standings read on a 0.2 s grid, and a team lead watching their own budget
    monkeypatch.setattr(streams, "RECHECK_SECONDS", 0.5)
    monkeypatch.setattr(streams, "ACTIVE_SECONDS", 0.6)
    monkeypatch.setattr(streams, "KEEP_GRID_SECONDS", 0.2)
    async with lead_after_one_push(server) as (own, _propose, first, _second):
        # when the lead leaves the organisation (as the store holds them) and no event comes
        await server.database.employees.update_one({"_id": first["managerId"]}, {"$set": {"status": "terminated"}})
        await asyncio.sleep(1.5)
        server.database.stats.reset()
        await asyncio.sleep(1.0)
        # then their standing is no longer read
        assert server.database.stats.by_collection.get("employees", 0) == 0
        # and the next event for them ends the stream with UNAUTHENTICATED instead of a budget
        admin = await comp_admin(server)
        assert (await admin.data(ADVANCE, {"id": first["cycleId"], "phase": "REVIEW"}))["advanceMeritCycle"][
            "errors"] == []
        ended = await own.receive()
        assert ended["payload"] == {"data": None, "errors": [{"message": "the subscriber has left the organisation",
                                                              "extensions": {"code": "UNAUTHENTICATED"}}]}


async def test_reads_ahead_stop_when_no_event_comes_and_the_next_event_waits_for_its_read(
        server: RunningServer, monkeypatch: pytest.MonkeyPatch) -> None:
    # given standing re-read when older than half a second, reads ahead for 0.6 s after an event, and HR watching a
    # cycle's matrix (a stream that keeps no standing) who received one push
    monkeypatch.setattr(streams, "RECHECK_SECONDS", 0.5)
    monkeypatch.setattr(streams, "ACTIVE_SECONDS", 0.6)
    admin = await comp_admin(server)
    cycle_id, _ = await launched_cycle(admin)
    cells = default_matrix()["cells"]
    roles = [*PEOPLE[COMP_ADMIN]["roles"], "compensation_admin"]

    async def save(base: int) -> None:
        saved = await admin.data(SAVE_MATRIX, {"cycle": cycle_id, "bounds": ["0.9", "1.1"], "cells": cells,
                                               "base": base})
        assert saved["saveMeritMatrix"]["errors"] == []

    async with websocket(server.ws_url, server.token(COMP_ADMIN, roles=roles)) as hr:
        await hr.subscribe(MATRIX_CHANGED, {"cycle": cycle_id})
        await server.wait_subscribers(1)
        await save(0)
        await hr.next_payload()
        # when no event comes for a while
        await asyncio.sleep(1.5)
        server.database.stats.reset()
        await asyncio.sleep(0.8)
        # then the subscriber's standing is not read meanwhile
        assert server.database.stats.by_collection.get("employees", 0) == 0
        # and the next event waits for its read of it (held), then comes
        async with hold(server.database, "employees", "find") as held:
            await save(1)
            await held.reached.wait()
            assert await hr.nothing_within(0.3)
        assert (await hr.next_payload())["data"]["meritMatrixChanged"]["cycle"] == {"matrix": {"version": 2}}


async def test_a_phase_change_reaches_every_budget_subscriber_and_ends_what_managers_see(
        server: RunningServer) -> None:
    # given a cycle with one proposal, its team lead and HR watching the lead's budget
    admin = await comp_admin(server)
    cycle_id, _ = await launched_cycle(admin)
    report = next(p for p in await stored(server, "meritParticipants", cycle_id) if len(p["managerChain"]) >= 2)
    lead = report["managerId"]
    await server.client(lead).data(PROPOSED, {"cycle": cycle_id, "employee": report["employeeId"]})
    roles = [*PEOPLE[COMP_ADMIN]["roles"], "compensation_admin"]
    async with websocket(server.ws_url, server.token(lead)) as own, \
            websocket(server.ws_url, server.token(COMP_ADMIN, roles=roles)) as hr:
        for ws in (own, hr):
            await ws.subscribe(PUSHED, {"cycle": cycle_id, "manager": lead})
        await server.wait_subscribers(2 + 1)  # and the cycle's ledger
        # when HR moves the cycle to review (which recounts the budgets)
        assert (await admin.data(ADVANCE, {"id": cycle_id, "phase": "REVIEW"}))["advanceMeritCycle"]["errors"] == []
        # then both receive the budget (a manager still sees it in review), no proposal having moved it
        amount = str(Decimal(increase(report, "3")).scaleb(-2))
        in_review = [(await ws.next_payload())["data"]["compensationBudgetChanged"] for ws in (own, hr)]
        assert [p["proposed"]["amount"] for p in in_review] == [amount, amount]
        # and once approved only HR does: the lead no longer sees budgets
        assert (await admin.data(ADVANCE, {"id": cycle_id, "phase": "APPROVED"}))["advanceMeritCycle"]["errors"] \
            == []
        assert (await hr.next_payload())["data"]["compensationBudgetChanged"]["proposed"]["amount"] == amount
        assert await own.nothing_within(0.3)


async def test_a_pay_change_under_a_proposal_pushes_the_budget_it_moves(server: RunningServer) -> None:
    # given a proposal of 3 % for a report and their team lead watching their budget
    admin = await comp_admin(server)
    cycle_id, _ = await launched_cycle(admin)
    report = next(p for p in await stored(server, "meritParticipants", cycle_id)
                  if p["managerId"] and p["payInCycle"]["currency"] == "EUR" and p["pay"]["currency"] == "EUR")
    lead = report["managerId"]
    await server.client(lead).data(PROPOSED, {"cycle": cycle_id, "employee": report["employeeId"]})
    async with websocket(server.ws_url, server.token(lead)) as own:
        await own.subscribe(PUSHED, {"cycle": cycle_id, "manager": lead})
        await server.wait_subscribers(1 + 1)  # and the cycle's ledger
        # when HR records a higher pay for them, in effect on the snapshot day (the launch, today)
        recorded = await admin.data(RECORD_PAY, {"input": {
            "employeeId": report["employeeId"], "effectiveDate": clock.today().isoformat(), "amount": "90000.00",
            "currency": "EUR", "reason": "market adjustment", "frequency": "ANNUAL"}})
        assert recorded["recordPay"]["errors"] == []
        pushed = (await own.next_payload())["data"]["compensationBudgetChanged"]
    # then the lead receives their budget with the increase on the new pay, as stored
    moved = next(p for p in await stored(server, "meritParticipants", cycle_id) if p["_id"] == report["_id"])
    assert moved["payInCycle"]["minor"] == 9_000_000
    assert pushed["proposed"]["amount"] == str(Decimal(increase(moved, "3")).scaleb(-2))


REDIS_URL = "redis://127.0.0.1:6379/0"  # the Redis the tests use (docs/testing.md)


async def test_on_redis_a_proposal_event_carries_no_amount_yet_the_push_counts_it() -> None:
    # given a server whose bus is Redis, a launched cycle, a team lead watching their budget, and anyone else
    # subscribed to the cycle's channel on Redis itself
    uvicorn_server, server = await start_server(dataclasses.replace(settings_for_tests(), broadcast_url=REDIS_URL))
    redis = Redis.from_url(REDIS_URL)
    pubsub = redis.pubsub()
    try:
        admin = await comp_admin(server)
        cycle_id, _ = await launched_cycle(admin)
        report = next(p for p in await stored(server, "meritParticipants", cycle_id) if p["managerId"])
        lead = report["managerId"]
        await pubsub.subscribe(budget_channel(NORTHWIND.organization["_id"], cycle_id))
        async with websocket(server.ws_url, server.token(lead)) as own:
            await own.subscribe(PUSHED, {"cycle": cycle_id, "manager": lead})
            await server.wait_subscribers(1 + 1)  # and the cycle's ledger
            # when the lead proposes 3 %
            await server.client(lead).data(PROPOSED, {"cycle": cycle_id, "employee": report["employeeId"]})
            pushed = (await own.next_payload())["data"]["compensationBudgetChanged"]
            async with asyncio.timeout(5):
                while (message := await pubsub.get_message(ignore_subscribe_messages=True, timeout=1)) is None:
                    pass
    finally:
        await pubsub.aclose()
        await redis.aclose()
        await stop_server(uvicorn_server, server)
    # then what Redis carried names the managers and the moment, and the change only sealed: no amount, no pay
    raw = message["data"].decode()
    minor = increase(report, "3")
    event = json.loads(raw)
    assert set(event) == {"kind", "cycleId", "managerIds", "asOf", "eventId", "sealed"}
    assert str(minor) not in raw and str(report["payInCycle"]["minor"]) not in raw
    # and the lead's push, opened with the key the server's processes share, counts the increase
    assert pushed["proposed"]["amount"] == str(Decimal(minor).scaleb(-2))


async def test_a_lost_event_is_found_by_the_ledgers_periodic_read_and_pushed(
        server: RunningServer, monkeypatch: pytest.MonkeyPatch) -> None:
    # given a ledger reading the budgets again every 0.3 s, a team lead watching their budget, and a bus that loses
    # the next proposal's event (a publish that failed)
    monkeypatch.setattr(ledger, "REFRESH_SECONDS", 0.3)
    admin = await comp_admin(server)
    cycle_id, _ = await launched_cycle(admin)
    report = next(p for p in await stored(server, "meritParticipants", cycle_id) if p["managerId"])
    lead = report["managerId"]
    publish, lost = server.bus.publish, []

    async def losing(channel: str, message: dict[str, Any]) -> None:
        if "sealed" in message and not lost:
            lost.append(message)
            return
        await publish(channel, message)

    async with websocket(server.ws_url, server.token(lead)) as own:
        await own.subscribe(PUSHED, {"cycle": cycle_id, "manager": lead})
        await server.wait_subscribers(1 + 1)  # and the cycle's ledger
        monkeypatch.setattr(server.bus, "publish", losing)
        # when the lead proposes and its event is lost
        await server.client(lead).data(PROPOSED, {"cycle": cycle_id, "employee": report["employeeId"]})
        # then within the next read the lead receives the budget counting it all the same
        pushed = (await asyncio.wait_for(own.next_payload(), 5))["data"]["compensationBudgetChanged"]
    assert len(lost) == 1
    assert pushed["proposed"]["amount"] == str(Decimal(increase(report, "3")).scaleb(-2))


async def test_across_servers_on_redis_a_push_counts_the_sealed_change_with_the_shared_key_or_reads_without_it(
        ) -> None:
    # given three servers of one deployment on Redis and one store: A where proposals are made, B with the same
    # secret, C with another (its processes cannot open what A seals); a team lead watching their budget on B and C
    settings = dataclasses.replace(settings_for_tests(), broadcast_url=REDIS_URL)
    a_server, a = await start_server(settings)
    b_server, b = await start_server(settings, database=a.database)
    c_server, c = await start_server(dataclasses.replace(settings, jwt_secret="another secret, thirty-two chars"),
                                     database=a.database)
    try:
        admin = await comp_admin(a)
        cycle_id, _ = await launched_cycle(admin)
        lead, first, second = lead_of_two(await stored(a, "meritParticipants", cycle_id))
        client = a.client(lead)
        async with websocket(b.ws_url, b.token(lead)) as on_b, websocket(c.ws_url, c.token(lead)) as on_c:
            for ws in (on_b, on_c):
                await ws.subscribe(PUSHED, {"cycle": cycle_id, "manager": lead})
            await b.wait_subscribers(1 + 1)  # and each server's ledger of the cycle
            await c.wait_subscribers(1 + 1)
            await client.data(PROPOSED, {"cycle": cycle_id, "employee": first["employeeId"]})
            pushed = [(await ws.next_payload())["data"]["compensationBudgetChanged"] for ws in (on_b, on_c)]
            # when the lead proposes again while any read of the budgets besides the proposal's own is held
            async with hold(a.database, "meritParticipants", "aggregate", nth=2, and_after=True) as held:
                await client.data(PROPOSED, {"cycle": cycle_id, "employee": second["employeeId"]})
                # then B pushes without reading (it opened the sealed change), C reads the budgets again (held)
                pushed.append((await on_b.next_payload())["data"]["compensationBudgetChanged"])
                await held.reached.wait()
                assert await on_c.nothing_within(0.3)
            pushed.append((await on_c.next_payload())["data"]["compensationBudgetChanged"])
    finally:
        await stop_server(c_server, c, release=False)
        await stop_server(b_server, b, release=False)
        await stop_server(a_server, a)
    # and every push counts what had been proposed: one increase, then both on each server
    one, both = (str(Decimal(v).scaleb(-2)) for v in (increase(first, "3"),
                                                        increase(first, "3") + increase(second, "3")))
    assert [p["proposed"]["amount"] for p in pushed] == [one, one, both, both]
