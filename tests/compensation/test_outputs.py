"""What leaves the cycle: the payroll CSV over HTTP (compensation admins only) and the pay-equity flags HR
sees before approval, with a pay change recorded during proposals flowing into the snapshot."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import httpx
import pytest

from models.compensation.cycles import months_between, new_pay
from resolvers.compensation.access import ADMIN_REFUSAL
from tests.compensation.support import (
    ADVANCE,
    COMP_ADMIN,
    DECIDE,
    FINISHED,
    PEOPLE,
    PROPOSE,
    RECORD_PAY,
    RUNNING,
    SEED,
    SUBMIT,
    UNKNOWN_ID,
    amount_of,
    close_running_cycle,
    comp_admin,
    launched_cycle,
)
from tests.conftest import GLOBEX, NORTHWIND, RunningServer
from tests.growth.support import person
from tests.growth.test_promotions import DECIDE as DECIDE_PROMOTION
from tests.growth.test_promotions import cast
from tests.growth.test_promotions import propose as propose_promotion

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


EMPLOYEE = NORTHWIND.personas["employee"]
TEAM_LEAD = PEOPLE[EMPLOYEE]["managerId"]
PROPOSE_WITH_PROMOTION = """
mutation($cycle: ID!, $employee: ID!, $percent: Decimal!, $promotion: Decimal) {
  proposeIncrease(cycleId: $cycle, employeeId: $employee, percent: $percent, promotionPercent: $promotion,
                  justification: "payroll test") { errors { field code message } } }"""
STATEMENT = "query($cycle: ID!) { myPayStatement(cycleId: $cycle) { newPay { amount currency } } }"
SHARE = "mutation($id: ID!) { shareMeritCycle(cycleId: $id) { cycle { phase } errors { field code message } } }"


def half_up(value: Decimal) -> int:
    return int(value.to_integral_value(rounding=ROUND_HALF_UP))


@pytest.mark.parametrize(("merit", "reason"), [("0", "promotion: 2027 merit (test)"),
                                               ("3", "merit and promotion: 2027 merit (test)")])
async def test_the_payroll_export_carries_promotion_increases(server: RunningServer, merit: str,
                                                              reason: str) -> None:
    # given the employee persona promoted (approved up the chain, effective in the cycle) and a cycle launched
    people = cast()
    promotion = (await propose_promotion(server, people["lead"]))["proposal"]
    for approver in (people["manager"], people["vp"], person("hr_admin")["_id"]):
        decided = await server.client(approver).data(DECIDE_PROMOTION, {"id": promotion["id"], "d": "APPROVE"})
        assert decided["decidePromotion"]["errors"] == []
    await close_running_cycle(server)
    admin = await comp_admin(server)
    cycle_id, _ = await launched_cycle(admin)
    # and the manager's proposals: `merit` % and 8 % for the promotion for the employee, 3 % merit for their lead,
    # approved by HR, the cycle approved then shared
    manager = server.client("manager")
    for who, percent, promoted in ((EMPLOYEE, merit, "8"), (TEAM_LEAD, "3", None)):
        proposed = await manager.data(PROPOSE_WITH_PROMOTION, {"cycle": cycle_id, "employee": who,
                                                               "percent": percent, "promotion": promoted})
        assert proposed["proposeIncrease"]["errors"] == []
    assert (await manager.data(SUBMIT, {"cycle": cycle_id}))["submitProposals"]["errors"] == []
    approved = await admin.data(DECIDE, {"cycle": cycle_id, "ids": [EMPLOYEE, TEAM_LEAD], "approve": True})
    assert approved["decideProposals"]["errors"] == []
    for phase in ("REVIEW", "APPROVED"):
        assert (await admin.data(ADVANCE, {"id": cycle_id, "phase": phase}))["advanceMeritCycle"]["errors"] == []
    assert (await admin.data(SHARE, {"id": cycle_id}))["shareMeritCycle"]["errors"] == []
    # when HR downloads the payroll export and the employee reads their statement
    token = server.token(COMP_ADMIN, roles=[*PEOPLE[COMP_ADMIN]["roles"], "compensation_admin"])
    response = await get(server, cycle_id, token)
    statement = (await server.client(EMPLOYEE).data(STATEMENT, {"cycle": cycle_id}))["myPayStatement"]
    # then both people are rows: the employee's new pay carries the prorated merit increase and the (not prorated)
    # promotion increase, with a reason naming what raised it, and equals their statement's; the lead's is merit
    stored = {p["employeeId"]: p for p in await server.database.meritParticipants.find(
        {"cycleId": cycle_id, "employeeId": {"$in": [EMPLOYEE, TEAM_LEAD]}}).to_list(None)}

    def raised(who: str, percent: str, promoted: str) -> int:
        pay = stored[who]["pay"]["minor"]
        return pay + half_up(Decimal(pay) * Decimal(percent) / 100 * Decimal(stored[who]["proration"])) \
            + half_up(Decimal(pay) * Decimal(promoted) / 100)

    expected = {EMPLOYEE: [EMPLOYEE, "", "2027-01-01", amount_of(raised(EMPLOYEE, merit, "8")),
                           stored[EMPLOYEE]["pay"]["currency"], reason],
                TEAM_LEAD: [TEAM_LEAD, "", "2027-01-01", amount_of(raised(TEAM_LEAD, "3", "0")),
                            stored[TEAM_LEAD]["pay"]["currency"], "merit: 2027 merit (test)"]}
    assert response.status_code == 200
    assert list(csv.reader(io.StringIO(response.text)))[1:] == [expected[who] for who in sorted(expected)]
    assert statement == {"newPay": {"amount": expected[EMPLOYEE][3], "currency": expected[EMPLOYEE][4]}}


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


ASSIGN_ZONE = """
mutation($employee: ID!, $zone: String) { assignPayZone(employeeId: $employee, zone: $zone) {
  errors { field code message } } }"""


async def test_a_gap_is_flagged_within_one_pay_zone_and_not_across_two(server: RunningServer) -> None:
    # given a launched cycle and two equally rated colleagues of one position, paid 50,000.00 and 52,500.00
    admin = await comp_admin(server)
    cycle_id, _ = await launched_cycle(admin)
    participants = await server.database.meritParticipants.find({"cycleId": cycle_id}).to_list(None)
    low, high = same_position_pair(participants)
    for employee, amount in ((low, "50000.00"), (high, "52500.00")):
        data = await admin.data(RECORD_PAY, {"input": {"employeeId": employee, "effectiveDate": "2026-11-01",
                                                       "amount": amount, "currency": "EUR",
                                                       "reason": "equity test"}})
        assert data["recordPay"]["errors"] == []

    async def flagged_in(low_zone: str | None, high_zone: str | None) -> list[tuple[str, str, str]]:
        """The pair's flags once the two are placed in those pay zones (their snapshots follow)."""
        for employee, zone in ((low, low_zone), (high, high_zone)):
            assigned = await admin.data(ASSIGN_ZONE, {"employee": employee, "zone": zone})
            assert assigned["assignPayZone"]["errors"] == []
        flags = (await admin.data(FLAGS, {"cycle": cycle_id}))["payEquityFlags"]
        return [(f["lower"]["id"], f["higher"]["id"], f["gapPercent"]) for f in flags
                if {f["lower"]["id"], f["higher"]["id"]} == {low, high}]

    # when both are in Lisbon, or only the lower-paid one has a zone recorded
    same_zone = await flagged_in("PT-LIS", "PT-LIS")
    one_recorded = await flagged_in("PT-LIS", None)
    # then the 5 % gap is flagged: no recorded factor explains it
    assert same_zone == one_recorded == [(low, high, "5.0000")]
    # when the better-paid one is in Munich instead
    across = await flagged_in("PT-LIS", "DE-MUC")
    # then their zones explain the gap: no flag
    assert across == []
