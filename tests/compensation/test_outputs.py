"""What leaves the cycle: the payroll CSV over HTTP (compensation admins only) and the pay-equity flags HR
sees before approval, with a pay change recorded during proposals flowing into the snapshot."""

from __future__ import annotations

import csv
import io
from datetime import date

import httpx

from models.compensation.cycles import months_between, new_pay
from resolvers.compensation.access import ADMIN_REFUSAL
from tests.compensation.support import (
    COMP_ADMIN,
    FINISHED,
    PEOPLE,
    PROPOSE,
    RECORD_PAY,
    RUNNING,
    SEED,
    UNKNOWN_ID,
    amount_of,
    comp_admin,
    launched_cycle,
)
from tests.conftest import GLOBEX, RunningServer

FLAGS = """
query($cycle: ID!) { payEquityFlags(cycleId: $cycle) { lower { id } higher { id } level gapPercent
  lowerPay { amount currency } higherPay { amount currency } position { id } } }"""


def export_url(server: RunningServer, cycle_id: str) -> str:
    return server.url.replace("/graphql", f"/exports/merit-cycles/{cycle_id}.csv")


async def get(server: RunningServer, cycle_id: str, token: str | None) -> httpx.Response:
    async with httpx.AsyncClient() as client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return await client.get(export_url(server, cycle_id), headers=headers)


async def test_the_payroll_export_lists_each_approved_increase(server: RunningServer) -> None:
    # given the seeded finished cycle (exported) and a compensation admin
    await comp_admin(server)
    token = server.token(COMP_ADMIN, roles=[*PEOPLE[COMP_ADMIN]["roles"], "compensation_admin"])
    # when they download its CSV
    response = await get(server, FINISHED["_id"], token)
    # then one row per approved increase above zero: id, external id, effective date, new annual pay, currency
    assert response.status_code == 200 and response.headers["content-type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == ["employee_id", "external_id", "effective_date", "new_amount", "currency", "reason"]
    expected = []
    for p in sorted((p for p in SEED["meritParticipants"] if p["cycleId"] == FINISHED["_id"]),
                    key=lambda p: p["employeeId"]):
        proposal = p.get("proposal")
        if proposal and proposal["state"] == "approved" and proposal["percent"] != "0":
            pay = new_pay(p)
            expected.append([p["employeeId"], "", "2026-09-01", amount_of(pay.minor), pay.currency,
                             "merit: 2026 mid-year merit"])
    assert rows[1:] == expected and expected


async def test_the_export_refuses_everyone_else(server: RunningServer) -> None:
    # given the finished cycle, when the HR admin, nobody, another organisation and a running cycle are asked
    await comp_admin(server)
    token = server.token(COMP_ADMIN, roles=[*PEOPLE[COMP_ADMIN]["roles"], "compensation_admin"])
    hr = await get(server, FINISHED["_id"], server.token("hr_admin"))
    nobody = await get(server, FINISHED["_id"], None)
    unknown = await get(server, UNKNOWN_ID, token)
    running = await get(server, RUNNING["_id"], token)
    other = await get(server, FINISHED["_id"], server.token("hr_admin", GLOBEX))
    # then 403, 401, 404, 409 and 403, with no amount in any body
    assert [r.status_code for r in (hr, nobody, unknown, running, other)] == [403, 401, 404, 409, 403]
    assert [hr.text, unknown.text, running.text, other.text] == [
        ADMIN_REFUSAL, "no such merit cycle", "a proposals cycle is exported once approved", ADMIN_REFUSAL]
    assert "token" in nobody.text


def same_position_pair(participants: list[dict[str, object]]) -> tuple[str, str]:
    """Two eligible people of one position, equally rated, hired within two years of each other before the
    period (no proration), paid in EUR."""
    by_position: dict[str, list[dict[str, object]]] = {}
    for p in participants:
        by_position.setdefault(str(p["positionId"]), []).append(p)
    for people in by_position.values():
        for a in people:
            for b in people:
                hired_a, hired_b = (date.fromisoformat(PEOPLE[str(x["employeeId"])]["hireDate"]) for x in (a, b))
                if a is not b and a["rating"] == b["rating"] and hired_a <= hired_b < date(2026, 1, 1) \
                        and months_between(hired_a, hired_b) < 24 and a["pay"]["currency"] == "EUR" \
                        and b["pay"]["currency"] == "EUR":  # type: ignore[index]
                    return str(a["employeeId"]), str(b["employeeId"])
    raise AssertionError("no pair")


async def test_equity_flags_follow_pay_recorded_during_proposals(server: RunningServer) -> None:
    # given a launched cycle and two equally rated colleagues of one position
    admin = await comp_admin(server)
    cycle_id, _ = await launched_cycle(admin)
    participants = await server.database.meritParticipants.find({"cycleId": cycle_id}).to_list(None)
    low, high = same_position_pair(participants)

    async def pay(employee: str, amount: str) -> None:
        data = await admin.data(RECORD_PAY, {"input": {"employeeId": employee, "effectiveDate": "2026-11-01",
                                                       "amount": amount, "currency": "EUR",
                                                       "reason": "equity test"}})
        assert data["recordPay"]["errors"] == []

    def pair(flags: list[dict[str, object]]) -> list[dict[str, object]]:
        return [f for f in flags if {f["lower"]["id"], f["higher"]["id"]} & {low, high} == {low, high}]  # type: ignore[index]

    # when HR records 50,000.00 and 52,500.00 (5 % apart) during proposals
    await pay(low, "50000.00")
    await pay(high, "52500.00")
    flags = (await admin.data(FLAGS, {"cycle": cycle_id}))["payEquityFlags"]
    # then the pair is flagged with its 5 % gap
    assert [(f["lower"]["id"], f["higher"]["id"], f["gapPercent"], f["lowerPay"], f["higherPay"])
            for f in pair(flags)] == [(low, high, "5.0000", {"amount": "50000.00", "currency": "EUR"},
                                       {"amount": "52500.00", "currency": "EUR"})]
    # when the gap is 4.99 %, or a proposal closes it, then it is not
    await pay(high, "52499.99")
    assert pair((await admin.data(FLAGS, {"cycle": cycle_id}))["payEquityFlags"]) == []
    await pay(high, "52500.00")
    manager = PEOPLE[low]["managerId"]
    proposed = await server.client(manager).data(PROPOSE, {"cycle": cycle_id, "employee": low, "percent": "5",
                                                           "why": "equity"})
    assert proposed["proposeIncrease"]["errors"] == []
    assert proposed["proposeIncrease"]["participant"]["proration"] == "1"
    assert pair((await admin.data(FLAGS, {"cycle": cycle_id}))["payEquityFlags"]) == []
    # and no one but a compensation admin reads the flags
    refused = await server.client("hr_admin").execute(FLAGS, {"cycle": cycle_id})
    assert refused["data"] == {"payEquityFlags": None} and refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
