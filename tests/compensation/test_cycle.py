"""A merit cycle end to end: launch (eligibility, the snapshot in the cycle currency, calibrated ratings from
the review cycle, budgets), proposals within the matrix or justified, the approval trail, locking and the
statement once shared. Every refusal writes nothing."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from models.core import clock
from models.reviews.scores import final_rating
from schema.schema import MASKED_MESSAGE
from tests.client import GraphQLClient, refused
from tests.compensation.support import (
    ADVANCE,
    BUDGET,
    CREATE_CYCLE,
    DECIDE,
    LAUNCH,
    PAY_COLLECTIONS,
    PEOPLE,
    PROPOSE,
    REVIEW_SEED,
    SEED,
    SUBMIT,
    amount_of,
    comp_admin,
    cycle_input,
    launched_cycle,
    reports_of,
)
from tests.conftest import NORTHWIND, RunningServer
from tests.interleave import failing_at

MANAGER = NORTHWIND.personas["manager"]
EMPLOYEE = NORTHWIND.personas["employee"]
TEAM_LEAD = PEOPLE[EMPLOYEE]["managerId"]  # reports to the manager persona; rated 3 in the finished reviews
PARTICIPANTS = """
query($cycle: ID!, $manager: ID!, $first: Int!, $after: String) {
  meritProposals(cycleId: $cycle, managerId: $manager, first: $first, after: $after) {
    totalCount hasNextPage edges { cursor node { employee { id } rating compaRatio proration
      payInCycleCurrency { amount currency } pay { amount currency } proposal { percent } } } } }"""
STATEMENT = """
query($cycle: ID!) { myPayStatement(cycleId: $cycle) {
  cycleName effectiveDate oldPay { amount currency } newPay { amount currency } increase { amount } percent } }"""


async def all_participants(client: GraphQLClient, cycle_id: str, manager_id: str) -> list[dict[str, Any]]:
    """Every participant below ``manager_id``, page after page."""
    nodes: list[dict[str, Any]] = []
    after = None
    while True:
        page = (await client.data(PARTICIPANTS, {"cycle": cycle_id, "manager": manager_id, "first": 100,
                                                 "after": after}))["meritProposals"]
        nodes += [e["node"] for e in page["edges"]]
        assert page["totalCount"] >= len(nodes)
        if not page["hasNextPage"]:
            return nodes
        after = page["edges"][-1]["cursor"]


def expected_eligible(cutoff: str = "2026-10-01", tenure_from: str = "2026-07-01") -> set[str]:
    """Active, hired before the cutoff with 3 months' tenure at it, with pay in effect today."""
    today = clock.today().isoformat()
    paid = {r["employeeId"] for r in SEED["payRecords"] if r["effectiveDate"] <= today}
    return {e["_id"] for e in NORTHWIND.employees if e["status"] == "active" and e["hireDate"] < cutoff
            and e["hireDate"] <= tenure_from and e["_id"] in paid}


def current_pay(employee_id: str) -> dict[str, object]:
    records = sorted((r for r in SEED["payRecords"] if r["employeeId"] == employee_id),
                     key=lambda r: r["effectiveDate"])
    return records[-1]["base"]


async def test_launch_takes_a_snapshot_in_the_cycle_currency_with_ratings_and_budgets(server: RunningServer) -> None:
    # given the compensation admin
    admin = await comp_admin(server)
    # when they create and launch a cycle over 2026 in EUR with USD at 0.92, linked to the finished reviews
    cycle_id, launch = await launched_cycle(admin)
    # then everyone eligible takes part, the others are listed with their reason
    eligible = expected_eligible()
    assert launch["cycle"]["phase"] == "PROPOSALS"
    assert launch["launch"]["eligible"] == len(eligible)
    assert launch["launch"]["skippedCount"] == len([e for e in NORTHWIND.employees if e["status"] != "terminated"]) \
        - len(eligible)
    # and each participant's pay is converted exactly (USD × 0.92, rounded half up to the cent)
    nodes = await all_participants(admin, cycle_id, PEOPLE[MANAGER]["managerChain"][0])
    assert len(nodes) == len(eligible) - 1  # everyone but the CEO, who is below no one
    for node in nodes:
        base = current_pay(node["employee"]["id"])
        assert node["pay"] == {"amount": amount_of(base["minor"]), "currency": base["currency"]}
        expected = Decimal(base["minor"]) * (Decimal("0.92") if base["currency"] == "USD" else 1)
        assert node["payInCycleCurrency"] == {
            "amount": amount_of(int(expected.to_integral_value(rounding=ROUND_HALF_UP))), "currency": "EUR"}
    assert {n["pay"]["currency"] for n in nodes} == {"EUR", "USD"}
    # and ratings are the calibrated (final) ratings of the shared reviews
    finished = REVIEW_SEED["reviewCycles"][0]["_id"]
    ratings = {r["employeeId"]: final_rating(r) for r in REVIEW_SEED["reviews"]
               if r["cycleId"] == finished and r["state"] in {"shared", "acknowledged"}}
    assert {n["employee"]["id"]: n["rating"] for n in nodes if n["rating"] is not None} == {
        i: r for i, r in ratings.items() if i in {n["employee"]["id"] for n in nodes} and r is not None}
    # and the manager persona's budget is 3 % of their organisation's eligible payroll
    budget = (await admin.data(BUDGET, {"cycle": cycle_id, "manager": MANAGER}))["compensationBudget"]
    below = [n for n in nodes if MANAGER in PEOPLE[n["employee"]["id"]]["managerChain"]]
    payroll = sum(Decimal(n["payInCycleCurrency"]["amount"]) for n in below)
    assert Decimal(budget["payroll"]["amount"]) == payroll
    assert Decimal(budget["allocated"]["amount"]) == (payroll * Decimal("0.03")).quantize(Decimal("0.01"),
                                                                                           ROUND_HALF_UP)
    assert (budget["proposed"]["amount"], budget["committed"]["amount"]) == ("0.00", "0.00")


async def test_a_currency_without_a_rate_refuses_the_launch_and_writes_nothing(server: RunningServer) -> None:
    # given a draft cycle with no USD rate (Sales is paid in USD)
    admin = await comp_admin(server)
    created = (await admin.data(CREATE_CYCLE, {"input": cycle_input(rates=[])}))["createMeritCycle"]
    before = await server.snapshot(PAY_COLLECTIONS)
    # when it is launched
    body = await admin.execute(LAUNCH, {"id": created["cycle"]["id"]})
    # then it is refused naming the currency, and nothing changed
    assert refused(body) == [("rates", "INVALID", "no exchange rate into EUR for USD")]
    assert await server.snapshot(PAY_COLLECTIONS) == before


async def test_proposals_within_the_matrix_deviations_and_refusals(server: RunningServer) -> None:
    # given a launched cycle; the team lead is rated 3 with a compa-ratio below 0.9 (cell 2 % .. 4 %)
    admin = await comp_admin(server)
    cycle_id, _ = await launched_cycle(admin)
    manager = server.client("manager")
    before = await server.snapshot(PAY_COLLECTIONS)
    on_leave = next((e["_id"] for e in NORTHWIND.employees if MANAGER in e["managerChain"]
                     and e["status"] == "on_leave"), None)
    peer_manager = next(e["_id"] for e in NORTHWIND.employees if "manager" in e["roles"]
                        and MANAGER not in e["managerChain"] and e["_id"] != MANAGER
                        and e["_id"] not in PEOPLE[TEAM_LEAD]["managerChain"])
    # when the manager proposes outside the range without a justification, and others propose out of place
    cases = [
        (manager, {"employee": TEAM_LEAD, "percent": "6"}, [("justification", "REQUIRED")]),
        (manager, {"employee": TEAM_LEAD, "percent": "3", "amount": "100"}, [("percent", "INVALID")]),
        (manager, {"employee": TEAM_LEAD, "amount": "1.001"}, [("amount", "INVALID")]),
        (server.client(peer_manager), {"employee": TEAM_LEAD, "percent": "3"}, [(None, "FORBIDDEN")]),
        (server.client(TEAM_LEAD), {"employee": TEAM_LEAD, "percent": "3"}, [(None, "FORBIDDEN")]),
        (server.client("hr_admin"), {"employee": TEAM_LEAD, "percent": "3"}, [(None, "FORBIDDEN")]),
    ]
    if on_leave:
        cases.append((manager, {"employee": on_leave, "percent": "3"}, [("employeeId", "INACTIVE")]))
    for client, variables, expected in cases:
        body = await client.execute(PROPOSE, {"cycle": cycle_id, **variables})
        # then each is refused, with no amount in the message
        errors = refused(body)
        assert [(f, c) for f, c, _ in errors] == expected, (variables, errors)
        assert all(amount_of(current_pay(TEAM_LEAD)["minor"]) not in m for _, _, m in errors)
    assert await server.snapshot(PAY_COLLECTIONS) == before
    # when the manager proposes 3 % (inside the cell), then 6 % with a justification
    inside = (await manager.data(PROPOSE, {"cycle": cycle_id, "employee": TEAM_LEAD, "percent": "3"}))
    outside = (await manager.data(PROPOSE, {"cycle": cycle_id, "employee": TEAM_LEAD, "percent": "6",
                                            "why": "retention risk"}))["proposeIncrease"]
    # then the first is no deviation, the second is, and the trail keeps both with who and why
    assert inside["proposeIncrease"]["participant"]["proposal"]["deviation"] is False
    assert inside["proposeIncrease"]["participant"]["cell"] == {"min": "2", "target": "3", "max": "4"}
    proposal = outside["participant"]["proposal"]
    assert (proposal["percent"], proposal["deviation"], proposal["justification"]) == ("6", True, "retention risk")
    base = Decimal(current_pay(TEAM_LEAD)["minor"])
    assert proposal["increase"]["amount"] == amount_of(int((base * Decimal("0.06")).to_integral_value(ROUND_HALF_UP)))
    assert [(t["kind"], t["byId"], t["percent"], t["reason"]) for t in outside["participant"]["trail"]] == [
        ("proposed", MANAGER, "3", None), ("proposed", MANAGER, "6", "retention risk")]
    # and the budgets above count exactly the 6 %, committed only once submitted
    for who in PEOPLE[TEAM_LEAD]["managerChain"]:
        budget = (await admin.data(BUDGET, {"cycle": cycle_id, "manager": who}))["compensationBudget"]
        assert (budget["proposed"]["amount"], budget["committed"]["amount"]) == (proposal["increase"]["amount"],
                                                                                  "0.00")
    submitted = (await manager.data(SUBMIT, {"cycle": cycle_id}))["submitProposals"]
    assert [p["proposal"]["state"] for p in submitted["participants"]] == ["SUBMITTED"]
    budget = (await admin.data(BUDGET, {"cycle": cycle_id, "manager": MANAGER}))["compensationBudget"]
    assert budget["committed"]["amount"] == proposal["increase"]["amount"]
    # and a submitted proposal cannot be changed until it is sent back
    again = await manager.execute(PROPOSE, {"cycle": cycle_id, "employee": TEAM_LEAD, "percent": "3"})
    assert [(f, c) for f, c, _ in refused(again)] == [("employeeId", "READ_ONLY")]


async def test_approval_trail_lock_and_statement(server: RunningServer) -> None:
    # given a submitted 3 % proposal for the team lead
    admin = await comp_admin(server)
    cycle_id, _ = await launched_cycle(admin)
    manager = server.client("manager")
    await manager.data(PROPOSE, {"cycle": cycle_id, "employee": TEAM_LEAD, "percent": "3"})
    await manager.data(SUBMIT, {"cycle": cycle_id})
    # when the admin sends it back without a reason, then with one, then the manager resubmits and it is approved
    no_reason = await admin.execute(DECIDE, {"cycle": cycle_id, "ids": [TEAM_LEAD], "approve": False})
    assert [(f, c) for f, c, _ in refused(no_reason)] == [("reason", "REQUIRED")]
    back = (await admin.data(DECIDE, {"cycle": cycle_id, "ids": [TEAM_LEAD], "approve": False,
                                      "reason": "align with the team"}))["decideProposals"]
    assert back["participants"][0]["proposal"]["state"] == "DRAFT"
    await manager.data(SUBMIT, {"cycle": cycle_id})
    approved = (await admin.data(DECIDE, {"cycle": cycle_id, "ids": [TEAM_LEAD], "approve": True}))["decideProposals"]
    # then the trail has every step with its reason
    assert [(t["kind"], t["reason"]) for t in approved["participants"][0]["trail"]] == [
        ("proposed", None), ("submitted", None), ("sent_back", "align with the team"), ("submitted", None),
        ("approved", None)]
    # when the cycle moves to review and approved (locked), a change is refused
    for phase in ("REVIEW", "APPROVED"):
        assert (await admin.data(ADVANCE, {"id": cycle_id, "phase": phase}))["advanceMeritCycle"]["errors"] == []
    before = await server.snapshot(PAY_COLLECTIONS)
    late = await admin.execute(DECIDE, {"cycle": cycle_id, "ids": [TEAM_LEAD], "approve": True})
    skip = await admin.execute(ADVANCE, {"id": cycle_id, "phase": "EXPORTED"})
    assert [(f, c) for f, c, _ in refused(late)] == [("cycleId", "READ_ONLY")]
    assert [(f, c) for f, c, _ in refused(skip)] == [("phase", "INVALID_TRANSITION")]
    assert await server.snapshot(PAY_COLLECTIONS) == before
    # and before sharing the team lead has no statement; after, only their own
    lead = server.client(TEAM_LEAD)
    assert (await lead.data(STATEMENT, {"cycle": cycle_id}))["myPayStatement"] is None
    share = "mutation($id: ID!) { shareMeritCycle(cycleId: $id) { cycle { phase } errors { code } } }"
    assert (await admin.data(share, {"id": cycle_id}))["shareMeritCycle"] == {"cycle": {"phase": "SHARED"},
                                                                              "errors": []}
    statement = (await lead.data(STATEMENT, {"cycle": cycle_id}))["myPayStatement"]
    base = current_pay(TEAM_LEAD)
    increase = int((Decimal(base["minor"]) * Decimal("0.03")).to_integral_value(ROUND_HALF_UP))
    assert statement == {"cycleName": "2027 merit (test)", "effectiveDate": "2027-01-01",
                         "oldPay": {"amount": amount_of(base["minor"]), "currency": base["currency"]},
                         "newPay": {"amount": amount_of(base["minor"] + increase), "currency": base["currency"]},
                         "increase": {"amount": amount_of(increase)}, "percent": "3"}
    # and the manager (whose own statement it is not) and a report without a proposal see their own only
    assert (await manager.data(STATEMENT, {"cycle": cycle_id}))["myPayStatement"]["increase"]["amount"] == "0.00"


async def test_managers_see_only_their_organisation_and_never_themselves(server: RunningServer) -> None:
    # given a launched cycle
    admin = await comp_admin(server)
    cycle_id, _ = await launched_cycle(admin)
    top = PEOPLE[MANAGER]["managerChain"][-1]  # the manager persona's own manager
    peer = next(e["_id"] for e in reports_of(top) if "manager" in e["roles"] and e["_id"] != MANAGER)
    manager = server.client("manager")
    # when the manager lists their organisation, a peer's, and their own manager's
    own = (await manager.data(PARTICIPANTS, {"cycle": cycle_id, "manager": MANAGER, "first": 100}))
    peers = await manager.execute(PARTICIPANTS, {"cycle": cycle_id, "manager": peer, "first": 10})
    above = await manager.execute(PARTICIPANTS, {"cycle": cycle_id, "manager": top, "first": 10})
    budget = await manager.execute(BUDGET, {"cycle": cycle_id, "manager": peer})
    # then they see exactly the participants below them, and are refused elsewhere (no amounts in the message)
    ids = {e["node"]["employee"]["id"] for e in own["meritProposals"]["edges"]}
    assert ids == {e["_id"] for e in NORTHWIND.employees if MANAGER in e["managerChain"]} & expected_eligible()
    for body in (peers, above, budget):
        assert body["data"] is None or next(iter(body["data"].values())) is None
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    # and the one above sees the manager's own participation, which the manager never does
    pages = [n["employee"]["id"] for n in await all_participants(server.client(top), cycle_id, top)]
    assert MANAGER in pages and MANAGER not in ids and top not in pages


def test_expected_eligible_is_not_empty() -> None:
    # the fixture data the tests above rely on: eligible people in both currencies
    eligible = expected_eligible()
    currencies = defaultdict(int)
    for id in eligible:
        currencies[current_pay(id)["currency"]] += 1
    assert set(currencies) == {"EUR", "USD"} and date.fromisoformat("2026-10-01")


async def test_going_over_budget_warns_or_is_blocked_when_hr_chooses(server: RunningServer) -> None:
    # given two cycles with a 0 % merit budget, one warning and one blocking
    admin = await comp_admin(server)
    warning, _ = await launched_cycle(admin, meritBudgetPercent="0")
    blocking, _ = await launched_cycle(admin, meritBudgetPercent="0", blockOverBudget=True)
    manager = server.client("manager")
    query = PROPOSE.replace("errors { field code message } } }",
                            "overBudget { manager { id } } errors { field code message } } }")
    # when the manager proposes 3 % in each
    warned = (await manager.data(query, {"cycle": warning, "employee": TEAM_LEAD, "percent": "3"}))
    before = await server.snapshot(PAY_COLLECTIONS)
    blocked = await manager.execute(query, {"cycle": blocking, "employee": TEAM_LEAD, "percent": "3"})
    # then the first is written with a warning naming the manager's own budget (not those above them) ...
    assert warned["proposeIncrease"]["errors"] == []
    assert warned["proposeIncrease"]["overBudget"] == [{"manager": {"id": MANAGER}}]
    # ... and the second is refused, nothing written
    assert [(f, c) for f, c, _ in refused(blocked)] == [("percent", "CONFLICT")]
    assert await server.snapshot(PAY_COLLECTIONS) == before


async def test_approvals_go_up_the_management_chain_to_hr(server: RunningServer) -> None:
    # given the manager's submitted 3 % proposal for the team lead (chain: top, the manager's manager, manager)
    admin = await comp_admin(server)
    cycle_id, _ = await launched_cycle(admin)
    top, middle = PEOPLE[MANAGER]["managerChain"]
    await server.client("manager").data(PROPOSE, {"cycle": cycle_id, "employee": TEAM_LEAD, "percent": "3"})
    await server.client("manager").data(SUBMIT, {"cycle": cycle_id})
    pending = """query($cycle: ID!, $manager: ID!) { meritProposals(cycleId: $cycle, managerId: $manager, first: 5) {
      edges { node { employee { id } proposal { state pendingWith { id } } } } } }"""

    async def pending_with() -> str | None:
        data = await admin.data(pending, {"cycle": cycle_id, "manager": MANAGER})
        node = next(e["node"] for e in data["meritProposals"]["edges"] if e["node"]["employee"]["id"] == TEAM_LEAD)
        return node["proposal"]["pendingWith"]["id"] if node["proposal"]["pendingWith"] else None

    variables = {"cycle": cycle_id, "ids": [TEAM_LEAD], "approve": True}
    # then it waits for the manager's manager; the top manager may not decide it yet
    assert await pending_with() == middle
    before = await server.snapshot(PAY_COLLECTIONS)
    early = await server.client(top).execute(DECIDE, variables)
    assert [(f, c) for f, c, _ in refused(early)] == [(None, "FORBIDDEN")]
    assert await server.snapshot(PAY_COLLECTIONS) == before
    # when the manager's manager endorses it, it moves to the top manager, then to HR, who approves it
    await server.client(middle).data(DECIDE, variables)
    assert await pending_with() == top
    await server.client(top).data(DECIDE, variables)
    assert await pending_with() is None
    approved = (await admin.data(DECIDE, variables))["decideProposals"]["participants"][0]
    # then the trail shows each step, by whom
    assert approved["proposal"]["state"] == "APPROVED"
    assert [t["kind"] for t in approved["trail"]] == ["proposed", "submitted", "endorsed", "endorsed", "approved"]


async def test_a_launch_stopped_part_way_completes_when_run_again(server: RunningServer) -> None:
    # given a draft cycle whose launch fails at the budgets' insert (after the participants')
    admin = await comp_admin(server)
    created = (await admin.data(CREATE_CYCLE, {"input": cycle_input()}))["createMeritCycle"]
    cycle_id = created["cycle"]["id"]
    async with failing_at(server.database, "compensationBudgets", "insert_many"):
        crashed = await admin.execute(LAUNCH, {"id": cycle_id})
    assert [e["message"] for e in crashed["errors"]] == [MASKED_MESSAGE]
    stuck = await server.database.meritCycles.find_one({"_id": cycle_id})
    assert stuck["phase"] == "launching"
    # when it is launched again
    again = (await admin.data(LAUNCH, {"id": cycle_id}))["launchMeritCycle"]
    # then it opens with every participant once and a budget per manager and per department; a third launch is
    # refused
    assert again["errors"] == [] and again["cycle"]["phase"] == "PROPOSALS"
    participants = await server.database.meritParticipants.count_documents({"cycleId": cycle_id})
    assert participants == again["launch"]["eligible"] == len(expected_eligible())
    managers = {m for e in expected_eligible() for m in PEOPLE[e]["managerChain"]}
    departments = {PEOPLE[e]["departmentId"] for e in expected_eligible()}
    assert await server.database.compensationBudgets.count_documents({"cycleId": cycle_id, "departmentId": None}) \
        == len(managers)
    assert await server.database.compensationBudgets.count_documents({"cycleId": cycle_id, "managerId": None}) \
        == len(departments)
    before = await server.snapshot(PAY_COLLECTIONS)
    third = await admin.execute(LAUNCH, {"id": cycle_id})
    assert [(f, c) for f, c, _ in refused(third)] == [("cycleId", "INVALID_TRANSITION")]
    assert await server.snapshot(PAY_COLLECTIONS) == before


async def test_an_increase_for_an_ineligible_person_is_refused_and_nothing_is_written(server: RunningServer) -> None:
    # given a cycle that excludes the team lead by name
    admin = await comp_admin(server)
    cycle_id, launch = await launched_cycle(admin, excludedEmployeeIds=[TEAM_LEAD])
    assert {"employeeId": TEAM_LEAD, "reason": "EXCLUDED"} in launch["launch"]["skipped"]
    before = await server.snapshot(PAY_COLLECTIONS)
    # when their manager proposes an increase for them
    body = await server.client("manager").execute(PROPOSE, {"cycle": cycle_id, "employee": TEAM_LEAD,
                                                            "percent": "3"})
    # then it is refused as ineligible (no amount in the message) and nothing is written
    assert [(f, c) for f, c, _ in refused(body)] == [("employeeId", "INACTIVE")]
    assert await server.snapshot(PAY_COLLECTIONS) == before
