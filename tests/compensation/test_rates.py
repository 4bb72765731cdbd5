"""A merit cycle's exchange rates: exact decimals; once launched still editable, but covering every participant's
currency (what rates then move: tests/compensation/test_rates_and_pay_changes.py)."""

from __future__ import annotations

from tests.client import refused
from tests.compensation.support import CREATE_CYCLE, LAUNCH, PAY_COLLECTIONS, comp_admin, cycle_input
from tests.conftest import RunningServer

SAVE_RATES = """
mutation($id: ID!, $rates: [ExchangeRateInput!]!) { saveExchangeRates(cycleId: $id, rates: $rates) {
  cycle { rates { currency rate } } errors { field code message } } }"""


async def test_rates_are_exact_and_once_launched_cover_every_participants_currency(server: RunningServer) -> None:
    # given a draft cycle in EUR
    admin = await comp_admin(server)
    cycle_id = (await admin.data(CREATE_CYCLE, {"input": cycle_input()}))["createMeritCycle"]["cycle"]["id"]
    # when HR sets USD and JPY rates
    saved = (await admin.data(SAVE_RATES, {"id": cycle_id, "rates": [
        {"currency": "USD", "rate": "0.915"}, {"currency": "JPY", "rate": "0.006123"}]}))["saveExchangeRates"]
    # then they are kept exactly
    assert saved == {"cycle": {"rates": [{"currency": "JPY", "rate": "0.006123"},
                                         {"currency": "USD", "rate": "0.915"}]}, "errors": []}
    # when rates are out of place, then each is refused and nothing changes
    before = await server.snapshot(PAY_COLLECTIONS)
    for rates, field in (([{"currency": "USD", "rate": "0"}], "rates.USD"),
                         ([{"currency": "USD", "rate": "0.1234567"}], "rates.USD"),
                         ([{"currency": "EUR", "rate": "1"}], "rates.EUR"),
                         ([{"currency": "usd", "rate": "1"}], "rates.currency")):
        errors = refused(await admin.execute(SAVE_RATES, {"id": cycle_id, "rates": rates}))
        assert [(f, c) for f, c, _ in errors] == [(field, "INVALID")], rates
    assert await server.snapshot(PAY_COLLECTIONS) == before
    # and once launched, rates without the USD its participants are paid in are refused, and nothing changes
    assert (await admin.data(LAUNCH, {"id": cycle_id}))["launchMeritCycle"]["errors"] == []
    launched = await server.snapshot(PAY_COLLECTIONS)
    late = await admin.execute(SAVE_RATES, {"id": cycle_id, "rates": [{"currency": "JPY", "rate": "0.006"}]})
    assert refused(late) == [("rates", "INVALID", "participants are paid in USD: a rate into EUR is needed")]
    assert await server.snapshot(PAY_COLLECTIONS) == launched
