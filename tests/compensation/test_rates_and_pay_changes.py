"""Exchange rates stay editable once a cycle is launched (its currency does not): the participants paid in another
currency, their proposals' amounts, the budgets' payrolls and percentage allocations follow in one transaction;
pay changes recorded after the launch are applied up to review (a currency the cycle has no rate for is refused);
once approved, rates and snapshots are locked. Every refusal writes nothing."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest

from models.core import clock
from tests.client import refused
from tests.compensation.support import ADVANCE, PAY_COLLECTIONS, RECORD_PAY, comp_admin, launched_cycle
from tests.compensation.test_budget_live import PROPOSED, assert_budgets_are_the_sums, increase, stored
from tests.conftest import RunningServer
from tests.interleave import hold

SAVE_RATES = """
mutation($cycle: ID!, $rates: [ExchangeRateInput!]!) { saveExchangeRates(cycleId: $cycle, rates: $rates) {
  cycle { rates { currency rate } } errors { field code message } } }"""
Document = dict[str, Any]


async def assert_payrolls_and_pools_follow_the_pay(server: RunningServer, cycle_id: str) -> None:
    """Every budget's payroll is the sum of its people's pay in the cycle currency, and a department's 3 % merit pool
    is 3 % of it."""
    payroll: dict[str, int] = defaultdict(int)
    for p in await stored(server, "meritParticipants", cycle_id):
        payroll[f"d:{p['departmentId']}"] += p["payInCycle"]["minor"]
        for manager in p["managerChain"]:
            payroll[f"m:{manager}"] += p["payInCycle"]["minor"]
    for budget in await stored(server, "compensationBudgets", cycle_id):
        key = f"m:{budget['managerId']}" if budget.get("managerId") else f"d:{budget['departmentId']}"
        assert budget["payrollMinor"] == payroll[key], key
        if not budget.get("managerId"):
            assert budget["allocatedMinor"] == int((Decimal(payroll[key]) * 3 / 100).to_integral_value(ROUND_HALF_UP))


def in_eur(minor: int, rate: str) -> int:
    """USD minor units in EUR at ``rate`` (both currencies have two decimals), half up."""
    return int((Decimal(minor) * Decimal(rate)).to_integral_value(rounding=ROUND_HALF_UP))


async def test_rates_edited_during_proposals_reprice_participants_proposals_payrolls_and_percentage_pools(
        server: RunningServer) -> None:
    # given a launched EUR cycle with USD at 0.92, and a 3 % proposal for someone paid in USD
    admin = await comp_admin(server)
    cycle_id, _ = await launched_cycle(admin)
    participants = await stored(server, "meritParticipants", cycle_id)
    paid_in_usd = next(p for p in participants if p["pay"]["currency"] == "USD" and p["managerId"])
    await server.client(paid_in_usd["managerId"]).data(PROPOSED, {"cycle": cycle_id,
                                                                  "employee": paid_in_usd["employeeId"]})
    # when HR sets USD at 1.05
    saved = (await admin.data(SAVE_RATES, {"cycle": cycle_id, "rates": [{"currency": "USD", "rate": "1.05"}]}
                              ))["saveExchangeRates"]
    # then the rate is stored, and every USD participant's pay in EUR is worked out again at 1.05, EUR ones unchanged
    assert saved == {"cycle": {"rates": [{"currency": "USD", "rate": "1.05"}]}, "errors": []}
    after = {p["_id"]: p for p in await stored(server, "meritParticipants", cycle_id)}
    for before in participants:
        expected = in_eur(before["pay"]["minor"], "1.05") if before["pay"]["currency"] == "USD" else \
            before["payInCycle"]["minor"]
        assert after[before["_id"]]["payInCycle"] == {"minor": expected, "currency": "EUR"}
    # and the proposal's amount is 3 % of the new figure, its trail saying why
    repriced = after[paid_in_usd["_id"]]
    assert repriced["proposal"]["increaseMinor"] == increase(repriced, "3") != increase(paid_in_usd, "3")
    assert repriced["trail"][-1]["kind"] == "rates_changed"
    # and every budget's spend is the sum of its proposals, its payroll the sum of its people's pay, and its
    # allocation 3 % of that payroll
    await assert_budgets_are_the_sums(server, cycle_id)
    await assert_payrolls_and_pools_follow_the_pay(server, cycle_id)
    # when HR removes the USD rate, or sets one after approval
    before_refusals = await server.snapshot(PAY_COLLECTIONS)
    no_usd = await admin.execute(SAVE_RATES, {"cycle": cycle_id, "rates": []})
    assert [(f, c) for f, c, _ in refused(no_usd)] == [("rates", "INVALID")]
    assert await server.snapshot(PAY_COLLECTIONS) == before_refusals
    for phase in ("REVIEW", "APPROVED"):
        assert (await admin.data(ADVANCE, {"id": cycle_id, "phase": phase}))["advanceMeritCycle"]["errors"] == []
    locked_before = await server.snapshot(PAY_COLLECTIONS)
    locked = await admin.execute(SAVE_RATES, {"cycle": cycle_id, "rates": [{"currency": "USD", "rate": "0.5"}]})
    # then each is refused with its reason and nothing is written
    assert [(f, c) for f, c, _ in refused(locked)] == [("cycleId", "READ_ONLY")]
    assert await server.snapshot(PAY_COLLECTIONS) == locked_before


async def test_a_pay_change_in_effect_after_the_launch_is_applied_in_review_and_none_once_approved(
        server: RunningServer, monkeypatch: pytest.MonkeyPatch) -> None:
    # given a launched cycle in review, ten days after its launch
    admin = await comp_admin(server)
    cycle_id, _ = await launched_cycle(admin)
    assert (await admin.data(ADVANCE, {"id": cycle_id, "phase": "REVIEW"}))["advanceMeritCycle"]["errors"] == []
    launched = clock.now()
    monkeypatch.setattr(clock, "now", lambda: launched + timedelta(days=10))
    person = next(p for p in await stored(server, "meritParticipants", cycle_id) if p["pay"]["currency"] == "EUR")

    def raise_to(amount: str, days_after_launch: int) -> dict[str, Any]:
        return {"input": {"employeeId": person["employeeId"], "amount": amount, "currency": "EUR",
                          "effectiveDate": (launched.date() + timedelta(days=days_after_launch)).isoformat(),
                          "reason": "promotion", "frequency": "ANNUAL"}}

    # when HR records a raise in effect five days after the launch
    recorded = (await admin.data(RECORD_PAY, raise_to("91000.00", 5)))["recordPay"]
    # then the snapshot holds it
    assert recorded["errors"] == []
    snapshot = next(p for p in await stored(server, "meritParticipants", cycle_id) if p["_id"] == person["_id"])
    assert snapshot["pay"] == {"minor": 9_100_000, "currency": "EUR"} and snapshot["trail"][-1]["kind"] == "pay_changed"
    # and the budgets' payrolls and percentage pools follow it
    await assert_payrolls_and_pools_follow_the_pay(server, cycle_id)
    # when HR records pay in a currency the cycle has no rate for
    before = await server.snapshot(PAY_COLLECTIONS)
    gbp = await admin.execute(RECORD_PAY, {"input": {**raise_to("80000.00", 6)["input"], "currency": "GBP"}})
    # then it is refused, naming the currency, and nothing is written (not even the pay record)
    [(field, code, message)] = refused(gbp)  # the seeded running cycle, open too, or this one: either lacks GBP
    assert (field, code) == ("currency", "INVALID")
    assert message.endswith("has no exchange rate into EUR for GBP: add it first (saveExchangeRates)")
    assert await server.snapshot(PAY_COLLECTIONS) == before
    # and so is one dated after today, which the snapshot would take once in effect
    future = await admin.execute(RECORD_PAY, {"input": {**raise_to("80000.00", 40)["input"], "currency": "GBP"}})
    assert [(f, c) for f, c, _ in refused(future)] == [("currency", "INVALID")]
    assert await server.snapshot(PAY_COLLECTIONS) == before
    # when HR records a raise dated after today (fifteen days after the launch)
    assert (await admin.data(RECORD_PAY, raise_to("93000.00", 15)))["recordPay"]["errors"] == []
    # then the snapshot does not take it yet
    waiting = next(p for p in await stored(server, "meritParticipants", cycle_id) if p["_id"] == person["_id"])
    assert waiting["pay"] == {"minor": 9_100_000, "currency": "EUR"}
    # and when the cycle is approved twenty days after the launch, the snapshot takes it before locking
    monkeypatch.setattr(clock, "now", lambda: launched + timedelta(days=20))
    assert (await admin.data(ADVANCE, {"id": cycle_id, "phase": "APPROVED"}))["advanceMeritCycle"]["errors"] == []
    approved = next(p for p in await stored(server, "meritParticipants", cycle_id) if p["_id"] == person["_id"])
    assert approved["pay"] == {"minor": 9_300_000, "currency": "EUR"} and approved["locked"] is True
    await assert_payrolls_and_pools_follow_the_pay(server, cycle_id)
    # and once approved, a further raise is recorded but the snapshot stays as it was
    assert (await admin.data(RECORD_PAY, raise_to("99000.00", 17)))["recordPay"]["errors"] == []
    locked = next(p for p in await stored(server, "meritParticipants", cycle_id) if p["_id"] == person["_id"])
    assert locked["pay"] == {"minor": 9_300_000, "currency": "EUR"}


async def test_a_proposal_committed_while_new_rates_are_being_applied_is_repriced_and_counted_once(
        server: RunningServer) -> None:
    # given a launched cycle and someone paid in USD, and HR's rate change held once it has read the participants
    admin = await comp_admin(server)
    cycle_id, _ = await launched_cycle(admin)
    paid_in_usd = next(p for p in await stored(server, "meritParticipants", cycle_id)
                       if p["pay"]["currency"] == "USD" and p["managerId"])
    async with hold(server.database, "meritParticipants", "find") as held:
        saving = asyncio.create_task(admin.data(SAVE_RATES, {"cycle": cycle_id,
                                                             "rates": [{"currency": "USD", "rate": "1.05"}]}))
        await held.reached.wait()
        # when the manager's 3 % proposal for them commits meanwhile
        proposed = await server.client(paid_in_usd["managerId"]).data(PROPOSED, {
            "cycle": cycle_id, "employee": paid_in_usd["employeeId"]})
        assert proposed["proposeIncrease"]["errors"] == []
        held.released.set()
        saved = (await saving)["saveExchangeRates"]
        # then the rate change still lands, run again after its write conflicted (it read the participants twice)
        assert held.seen == 2  # once, then again
    assert saved["errors"] == []
    # and the proposal is repriced at 1.05
    after = next(p for p in await stored(server, "meritParticipants", cycle_id) if p["_id"] == paid_in_usd["_id"])
    assert after["payInCycle"]["minor"] == in_eur(paid_in_usd["pay"]["minor"], "1.05")
    assert after["proposal"]["increaseMinor"] == increase(after, "3")
    # and every budget's spend is the sum of its proposals: the proposal counted once, at its new amount
    await assert_budgets_are_the_sums(server, cycle_id)


async def test_a_pay_change_committed_while_new_rates_are_applied_makes_the_rate_change_run_again(
        server: RunningServer) -> None:
    # given a launched cycle, someone paid in EUR without a proposal, and HR's change of USD to 1.05 held once it has
    # read the participants
    admin = await comp_admin(server)
    cycle_id, _ = await launched_cycle(admin)
    person = next(p for p in await stored(server, "meritParticipants", cycle_id)
                  if p["pay"]["currency"] == "EUR" and p["proposal"] is None)
    # (paid 92,000 EUR: the USD record below is worth as much at 0.92, so no budget figure moves with it)
    eur = await admin.data(RECORD_PAY, {"input": {
        "employeeId": person["employeeId"], "amount": "92000.00", "currency": "EUR", "reason": "adjustment",
        "effectiveDate": clock.today().isoformat(), "frequency": "ANNUAL"}})
    assert eur["recordPay"]["errors"] == []
    async with hold(server.database, "meritParticipants", "find") as held:
        saving = asyncio.create_task(admin.data(SAVE_RATES, {"cycle": cycle_id,
                                                             "rates": [{"currency": "USD", "rate": "1.05"}]}))
        await held.reached.wait()
        # when a pay record of 100,000 USD for them commits meanwhile (92,000 EUR at the old 0.92)
        recorded = await admin.data(RECORD_PAY, {"input": {
            "employeeId": person["employeeId"], "amount": "100000.00", "currency": "USD", "reason": "moved to Boston",
            "effectiveDate": clock.today().isoformat(), "frequency": "ANNUAL"}})
        assert recorded["recordPay"]["errors"] == []
        held.released.set()
        saved = (await saving)["saveExchangeRates"]
    # then the rate change ran again on what the pay change wrote: their pay in EUR is at the rate the cycle has
    assert saved["errors"] == []
    after = next(p for p in await stored(server, "meritParticipants", cycle_id) if p["_id"] == person["_id"])
    assert after["payInCycle"] == {"minor": in_eur(10_000_000, "1.05"), "currency": "EUR"}
    await assert_payrolls_and_pools_follow_the_pay(server, cycle_id)
