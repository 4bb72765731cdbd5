"""Budgets per department, split for merit and promotion: the pools at launch, a department's pool shared among its
managers and rolled up the chain, promotion increases counted apart from merit ones, and HR's block."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import httpx

from tests.client import GraphQLClient, refused, websocket
from tests.compensation.support import (
    COMP_ADMIN,
    PAY_COLLECTIONS,
    PEOPLE,
    amount_of,
    close_running_cycle,
    comp_admin,
    launched_cycle,
)
from tests.conftest import NORTHWIND, RunningServer
from tests.growth.support import person
from tests.growth.test_promotions import DECIDE, cast
from tests.growth.test_promotions import propose as propose_promotion

EMPLOYEE = NORTHWIND.personas["employee"]
TEAM_LEAD = PEOPLE[EMPLOYEE]["managerId"]
DEPARTMENT = PEOPLE[EMPLOYEE]["departmentId"]
POOL = "allocated { amount } proposed { amount } committed { amount }"
DEPARTMENTS = """query($cycle: ID!) { departmentBudgets(cycleId: $cycle) { department { id } manager { id }
  payroll { amount currency } merit { @P@ } promotion { @P@ } allocated { amount } } }""".replace("@P@", POOL)
BUDGET = """query($cycle: ID!, $manager: ID!) { compensationBudget(cycleId: $cycle, managerId: $manager) {
  merit { @P@ } promotion { @P@ } proposed { amount } } }""".replace("@P@", POOL)
SET = """
mutation($cycle: ID!, $manager: ID, $department: ID, $percent: Decimal, $amount: Decimal, $pp: Decimal,
         $pa: Decimal) {
  setCompensationBudget(cycleId: $cycle, managerId: $manager, departmentId: $department, percent: $percent,
                        amount: $amount, promotionPercent: $pp, promotionAmount: $pa) {
    budget { department { id } merit { allocated { amount } } promotion { allocated { amount } } }
    errors { field code message } } }"""
PROPOSE = """
mutation($cycle: ID!, $employee: ID!, $percent: Decimal, $promotion: Decimal) {
  proposeIncrease(cycleId: $cycle, employeeId: $employee, percent: $percent, promotionPercent: $promotion,
                  justification: "promoted") {
    participant { proposal { percent promotionPercent increase { amount } promotionIncrease { amount }
                             newPay { amount } } }
    errors { field code message } } }"""


def half_up(value: Decimal) -> int:
    return int(value.to_integral_value(rounding=ROUND_HALF_UP))


async def participants(server: RunningServer, cycle_id: str) -> list[dict[str, Any]]:
    return await server.database.meritParticipants.find({"cycleId": cycle_id}).to_list(None)


def payrolls(people: list[dict[str, Any]]) -> tuple[dict[str, int], dict[str, dict[str, int]]]:
    """Eligible payroll (cycle currency) by department, and by manager and department."""
    by_department: dict[str, int] = defaultdict(int)
    by_manager: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for p in people:
        by_department[p["departmentId"]] += p["payInCycle"]["minor"]
        for manager_id in p["managerChain"]:
            by_manager[manager_id][p["departmentId"]] += p["payInCycle"]["minor"]
    return by_department, by_manager


async def test_a_launch_gives_each_department_merit_and_promotion_pools(server: RunningServer) -> None:
    # given a cycle with 3 % for merit and 1.5 % for promotions
    admin = await comp_admin(server)
    cycle_id, _ = await launched_cycle(admin, promotionBudgetPercent="1.5")
    # when HR reads the department budgets
    data = (await admin.data(DEPARTMENTS, {"cycle": cycle_id}))["departmentBudgets"]
    # then each covers its eligible people's payroll, with both pools as percentages of it and nothing spent
    by_department, _ = payrolls(await participants(server, cycle_id))
    expected = [{"department": {"id": d}, "manager": None, "payroll": {"amount": amount_of(p), "currency": "EUR"},
                 "merit": {"allocated": {"amount": amount_of(half_up(Decimal(p) * 3 / 100))},
                           "proposed": {"amount": "0.00"}, "committed": {"amount": "0.00"}},
                 "promotion": {"allocated": {"amount": amount_of(half_up(Decimal(p) * Decimal("1.5") / 100))},
                               "proposed": {"amount": "0.00"}, "committed": {"amount": "0.00"}},
                 "allocated": {"amount": amount_of(half_up(Decimal(p) * 3 / 100)
                                                   + half_up(Decimal(p) * Decimal("1.5") / 100))}}
                for d, p in sorted(by_department.items())]
    assert data == expected


async def test_a_department_pool_is_shared_among_its_managers_and_rolled_up(server: RunningServer) -> None:
    # given a launched cycle at 3 % merit
    admin = await comp_admin(server)
    cycle_id, _ = await launched_cycle(admin)
    by_department, by_manager = payrolls(await participants(server, cycle_id))
    top = max(by_manager, key=lambda m: len(by_manager[m]))  # the chief executive: people in every department
    assert len(by_manager[top]) > 1 and DEPARTMENT in by_manager[top]
    # when HR sets the employee's department to 10,000.00 for merit and 2,000.00 for promotions
    set_ = await admin.data(SET, {"cycle": cycle_id, "department": DEPARTMENT, "amount": "10000", "pa": "2000"})
    # then the department holds those amounts, and each manager gets their payroll's share of them, summed over
    # the departments below them (the others still at 3 %) and rounded once
    assert set_["setCompensationBudget"] == {"budget": {"department": {"id": DEPARTMENT},
                                                        "merit": {"allocated": {"amount": "10000.00"}},
                                                        "promotion": {"allocated": {"amount": "2000.00"}}},
                                             "errors": []}

    def share(manager_id: str, pool_minor: int, others_percent: Decimal) -> str:
        total = Decimal(0)
        for department, payroll in by_manager[manager_id].items():
            if department == DEPARTMENT:
                total += Decimal(pool_minor) * payroll / by_department[DEPARTMENT]
            else:
                total += Decimal(payroll) * others_percent / 100
        return amount_of(half_up(total))

    for manager_id in (TEAM_LEAD, top):
        budget = (await admin.data(BUDGET, {"cycle": cycle_id, "manager": manager_id}))["compensationBudget"]
        assert budget["merit"]["allocated"] == {"amount": share(manager_id, 1_000_000, Decimal(3))}
        assert budget["promotion"]["allocated"] == {"amount": share(manager_id, 200_000, Decimal(0))}


async def test_budget_changes_given_wrong_are_refused_and_nothing_is_written(server: RunningServer) -> None:
    admin = await comp_admin(server)
    cycle_id, _ = await launched_cycle(admin)
    before = await server.snapshot(PAY_COLLECTIONS)
    both = await admin.execute(SET, {"cycle": cycle_id, "manager": TEAM_LEAD, "department": DEPARTMENT,
                                     "percent": "2"})
    nothing = await admin.execute(SET, {"cycle": cycle_id, "department": DEPARTMENT})
    unknown = await admin.execute(SET, {"cycle": cycle_id, "department": "0" * 24, "percent": "2"})
    two_ways = await admin.execute(SET, {"cycle": cycle_id, "department": DEPARTMENT, "pp": "1", "pa": "100"})
    by_manager = await server.client(TEAM_LEAD).execute(SET, {"cycle": cycle_id, "department": DEPARTMENT,
                                                              "percent": "9"})
    assert [(f, c) for f, c, _ in refused(both)] == [("managerId", "INVALID")]
    assert [(f, c) for f, c, _ in refused(nothing)] == [("percent", "REQUIRED")]
    assert [(f, c) for f, c, _ in refused(unknown)] == [("departmentId", "NOT_FOUND")]
    assert [(f, c) for f, c, _ in refused(two_ways)] == [("promotionPercent", "INVALID")]
    assert [(f, c) for f, c, _ in refused(by_manager)] == [(None, "FORBIDDEN")]
    assert await server.snapshot(PAY_COLLECTIONS) == before


async def promoted_cycle(server: RunningServer, admin: GraphQLClient) -> str:
    """The employee persona promoted (approved up the chain, effective today) and a cycle launched with no
    promotion budget, blocking over-budget proposals."""
    people = cast()
    promotion = (await propose_promotion(server, people["lead"]))["proposal"]
    for approver in (people["manager"], people["vp"], person("hr_admin")["_id"]):
        decided = await server.client(approver).data(DECIDE, {"id": promotion["id"], "d": "APPROVE"})
        assert decided["decidePromotion"]["errors"] == []
    await close_running_cycle(server)
    cycle_id, _ = await launched_cycle(admin, blockOverBudget=True, promotionBudgetPercent="0")
    return cycle_id


async def test_promotion_increases_count_on_the_promotion_pools_apart_from_merit(server: RunningServer) -> None:
    # given the promoted employee in a cycle whose promotion pools are empty, and HR blocking over-budget proposals
    admin = await comp_admin(server)
    cycle_id = await promoted_cycle(server, admin)
    manager = server.client("manager")
    variables = {"cycle": cycle_id, "employee": EMPLOYEE, "percent": "3", "promotion": "8"}
    before = await server.snapshot(PAY_COLLECTIONS)
    # when the manager proposes 3 % merit and 8 % for the promotion, before HR funds promotions
    blocked = await manager.execute(PROPOSE, variables)
    # then it is refused and nothing is written
    assert [(f, c) for f, c, _ in refused(blocked)] == [("percent", "CONFLICT")]
    assert await server.snapshot(PAY_COLLECTIONS) == before
    # when HR gives the employee's department 100,000.00 for promotions and the manager proposes again
    funded = await admin.data(SET, {"cycle": cycle_id, "department": DEPARTMENT, "pa": "100000"})
    assert funded["setCompensationBudget"]["errors"] == []
    proposal = (await manager.data(PROPOSE, variables))["proposeIncrease"]
    # then the merit increase is prorated, the promotion one is not, and the new pay carries both
    stored = await server.database.meritParticipants.find_one({"cycleId": cycle_id, "employeeId": EMPLOYEE})
    pay = stored["payInCycle"]["minor"]
    merit = half_up(Decimal(pay) * 3 / 100 * Decimal(stored["proration"]))
    promotion = half_up(Decimal(pay) * 8 / 100)
    assert proposal == {"participant": {"proposal": {
        "percent": "3", "promotionPercent": "8", "increase": {"amount": amount_of(merit)},
        "promotionIncrease": {"amount": amount_of(promotion)},
        "newPay": {"amount": amount_of(stored["pay"]["minor"] + merit + promotion)}}}, "errors": []}
    # and every budget above and the department's count each increase on its own pool
    for manager_id in PEOPLE[EMPLOYEE]["managerChain"]:
        budget = (await admin.data(BUDGET, {"cycle": cycle_id, "manager": manager_id}))["compensationBudget"]
        assert (budget["merit"]["proposed"], budget["promotion"]["proposed"], budget["proposed"]) == (
            {"amount": amount_of(merit)}, {"amount": amount_of(promotion)}, {"amount": amount_of(merit + promotion)})
    department = next(b for b in (await admin.data(DEPARTMENTS, {"cycle": cycle_id}))["departmentBudgets"]
                      if b["department"]["id"] == DEPARTMENT)
    assert (department["merit"]["proposed"], department["promotion"]["proposed"]) == (
        {"amount": amount_of(merit)}, {"amount": amount_of(promotion)})


async def test_a_promotion_increase_needs_a_promotion(server: RunningServer) -> None:
    # given a cycle and the team lead, who has no promotion
    admin = await comp_admin(server)
    cycle_id = await promoted_cycle(server, admin)
    before = await server.snapshot(PAY_COLLECTIONS)
    # when the manager proposes a promotion increase for them
    body = await server.client("manager").execute(PROPOSE, {"cycle": cycle_id, "employee": TEAM_LEAD,
                                                            "percent": "3", "promotion": "5"})
    # then it is refused and nothing is written
    assert [(f, c) for f, c, _ in refused(body)] == [("promotionPercent", "INVALID")]
    assert await server.snapshot(PAY_COLLECTIONS) == before


STATEMENT = """query($cycle: ID!) { myPayStatement(cycleId: $cycle) { newPay { amount } increase { amount } percent
  promotionPercent } }"""
SUBMIT = "mutation($cycle: ID!) { submitProposals(cycleId: $cycle) { errors { code } } }"
APPROVE = """mutation($cycle: ID!, $ids: [ID!]!) { decideProposals(cycleId: $cycle, employeeIds: $ids, approve: true) {
  errors { code } } }"""
ADVANCE = """mutation($id: ID!, $phase: MeritPhase!) { advanceMeritCycle(cycleId: $id, phase: $phase) {
  errors { code } } }"""


async def test_an_approved_promotion_increase_reaches_the_statement_and_the_payroll_export(
        server: RunningServer) -> None:
    # given the promoted employee's 3 % merit and 8 % promotion increases, funded, submitted and approved
    admin = await comp_admin(server)
    cycle_id = await promoted_cycle(server, admin)
    await admin.data(SET, {"cycle": cycle_id, "department": DEPARTMENT, "pa": "100000"})
    manager = server.client("manager")
    await manager.data(PROPOSE, {"cycle": cycle_id, "employee": EMPLOYEE, "percent": "3", "promotion": "8"})
    await manager.data(SUBMIT, {"cycle": cycle_id})
    assert (await admin.data(APPROVE, {"cycle": cycle_id, "ids": [EMPLOYEE]}))["decideProposals"]["errors"] == []
    for phase in ("REVIEW", "APPROVED", "SHARED"):
        assert (await admin.data(ADVANCE, {"id": cycle_id, "phase": phase}))["advanceMeritCycle"]["errors"] == []
    # when the employee reads their statement and HR downloads the payroll export
    statement = (await server.client(EMPLOYEE).data(STATEMENT, {"cycle": cycle_id}))["myPayStatement"]
    token = server.token(COMP_ADMIN, roles=[*PEOPLE[COMP_ADMIN]["roles"], "compensation_admin"])
    async with httpx.AsyncClient() as http:
        response = await http.get(server.url.replace("/graphql", f"/exports/merit-cycles/{cycle_id}.csv"),
                                  headers={"Authorization": f"Bearer {token}"})
    # then both carry the new pay with the prorated merit increase and the promotion increase
    stored = await server.database.meritParticipants.find_one({"cycleId": cycle_id, "employeeId": EMPLOYEE})
    pay = stored["pay"]["minor"]
    raised = pay + half_up(Decimal(pay) * 3 / 100 * Decimal(stored["proration"])) + half_up(Decimal(pay) * 8 / 100)
    assert statement == {"newPay": {"amount": amount_of(raised)}, "increase": {"amount": amount_of(raised - pay)},
                         "percent": "3", "promotionPercent": "8"}
    rows = {row[0]: row for row in csv.reader(io.StringIO(response.text))}
    assert rows[EMPLOYEE][3:5] == [amount_of(raised), stored["pay"]["currency"]]


CHANGED = """subscription($cycle: ID!, $manager: ID!) {
  compensationBudgetChanged(cycleId: $cycle, managerId: $manager) { merit { allocated { amount } } } }"""


async def test_a_department_pool_change_is_pushed_to_its_managers(server: RunningServer) -> None:
    # given the team lead watching their own budget
    admin = await comp_admin(server)
    cycle_id, _ = await launched_cycle(admin)
    by_department, by_manager = payrolls(await participants(server, cycle_id))
    async with websocket(server.ws_url, server.token(TEAM_LEAD)) as lead:
        await lead.subscribe(CHANGED, {"cycle": cycle_id, "manager": TEAM_LEAD})
        await server.wait_subscribers(1 + 1)  # and the cycle's ledger (resolvers/compensation/ledger.py)
        # when HR sets their department's merit pool to 10,000.00
        await admin.data(SET, {"cycle": cycle_id, "department": DEPARTMENT, "amount": "10000"})
        # then they receive their new share of it
        pushed = (await lead.next_payload())["data"]["compensationBudgetChanged"]
    share = half_up(Decimal(1_000_000) * by_manager[TEAM_LEAD][DEPARTMENT] / by_department[DEPARTMENT])
    assert set(by_manager[TEAM_LEAD]) == {DEPARTMENT}
    assert pushed == {"merit": {"allocated": {"amount": amount_of(share)}}}
