"""Store round trips of the compensation queries grow with nesting depth, never with how many people a query
returns (counted at the store boundary)."""

from __future__ import annotations

from typing import Any

from tests.client import GraphQLClient
from tests.compensation.support import CREATE_CYCLE, LAUNCH, RUNNING, SEED, comp_admin, cycle_input, launched_cycle
from tests.conftest import NORTHWIND, RunningServer

PROPOSALS = """
query($cycle: ID!, $manager: ID!, $first: Int!) {
  meritProposals(cycleId: $cycle, managerId: $manager, first: $first) { edges { node {
    employee { name pay { annual { amount } compaRatio band { midpoint { amount } } } }
    pay { amount } rating cell { target } proposal { percent } } } } }"""
EMPLOYEES_PAY = """
query($first: Int!) { employees(first: $first) { edges { node { name pay { current { id } compaRatio } } } } }"""
# Sign-in (the manager is the viewer); the cycle; the page (count and documents); then one batch per level:
# the participants' people, the open cycles (once), their pay records, zones, bands and position levels.
# The viewer is the top manager, who is below no one: a viewer among the people listed is primed at sign-in
# and would be resolved a turn of the event loop before the others (one more batch, whatever the count).
PROPOSALS_CALLS = {"employees": 2, "meritCycles": 2, "meritParticipants": 2, "payRecords": 1, "payZones": 1,
                   "payBands": 1, "positions": 1}
# Sign-in; the page (count and documents); the people read whole; one batch for their pay records, zones, bands
# and position levels.
EMPLOYEES_CALLS = {"employees": 4, "payRecords": 1, "payZones": 1, "payBands": 1, "positions": 1}


async def calls(server: RunningServer, client: GraphQLClient, query: str, variables: dict[str, Any]) -> dict[str, int]:
    server.database.stats.reset()
    await client.data(query, variables)
    return dict(server.database.stats.by_collection)


async def test_proposals_with_pay_cost_the_same_for_5_or_100_people(server: RunningServer) -> None:
    # given the running cycle (in proposals) and the top manager's whole organisation
    top = next(p["managerChain"][0] for p in SEED["meritParticipants"] if p["cycleId"] == RUNNING["_id"]
               and p["managerChain"])
    variables = {"cycle": RUNNING["_id"], "manager": top}
    # when 5 and 100 participants are read with their people, pay and bands
    few = await calls(server, server.client(top), PROPOSALS, {**variables, "first": 5})
    many = await calls(server, server.client(top), PROPOSALS, {**variables, "first": 100})
    # then the same round trips
    assert (few, many) == (PROPOSALS_CALLS, PROPOSALS_CALLS)


async def test_pay_of_a_page_of_employees_costs_one_batch(server: RunningServer) -> None:
    admin = await comp_admin(server)
    few = await calls(server, admin, EMPLOYEES_PAY, {"first": 5})
    many = await calls(server, admin, EMPLOYEES_PAY, {"first": 100})
    assert (few, many) == (EMPLOYEES_CALLS, EMPLOYEES_CALLS)


# The launch: sign-in; the cycle (read, claimed, opened, read back), the ratings (their review cycle and reviews),
# everyone's people (one read per status that has not left: two), pay records, bands, zones and positions (one read
# each), one insert per 1,000 participants and one for the budgets: nothing per person.
LAUNCH_CALLS = {"meritCycles": 4, "reviewCycles": 1, "reviews": 1, "employees": 3, "payRecords": 1, "payBands": 1,
                "payZones": 1, "positions": 1, "meritParticipants": 1, "compensationBudgets": 1}


async def test_a_launch_costs_the_same_round_trips_for_few_or_many_people(server: RunningServer) -> None:
    # given two draft cycles, one excluding all but a few of the people the other takes in
    admin = await comp_admin(server)
    everyone = [e["_id"] for e in NORTHWIND.employees if e["status"] == "active"]
    sizes, counted = [], []
    for excluded in (everyone[10:], []):
        created = (await admin.data(CREATE_CYCLE, {"input": cycle_input(excludedEmployeeIds=excluded)}))
        cycle_id = created["createMeritCycle"]["cycle"]["id"]
        # when each is launched
        server.database.stats.reset()
        launch = (await admin.data(LAUNCH, {"id": cycle_id}))["launchMeritCycle"]
        counted.append(dict(server.database.stats.by_collection))
        sizes.append(launch["launch"]["eligible"])
    # then the round trips are the same, whatever the number of people
    assert sizes[0] <= 10 < 150 < sizes[1]
    assert counted == [LAUNCH_CALLS, LAUNCH_CALLS]


PROPOSE_ONLY = """
mutation($cycle: ID!, $employee: ID!) { proposeIncrease(cycleId: $cycle, employeeId: $employee, percent: "3",
  justification: "market") { errors { code } } }"""
PROPOSE_WARNED = """
mutation($cycle: ID!, $employee: ID!) { proposeIncrease(cycleId: $cycle, employeeId: $employee, percent: "3",
  justification: "market") { overBudget { manager { id } } errors { code } } }"""
# A proposal: sign-in; the participant and its cycle (one aggregate, counted on its first collection) and, at the
# same time, the person's promotions (growth's accessor); the participant's conditional write (its audit entry takes
# the version held and what the write leaves: no read around it); the increments on every budget above, in one
# update. The over-budget warning is read only when the payload asks for it (one read of the budgets).
PROPOSE_CALLS = {"employees": 1, "meritParticipants": 2, "promotionProposals": 1, "compensationBudgets": 1}


async def test_a_proposal_costs_five_store_calls_and_the_warning_one_more_when_asked(server: RunningServer) -> None:
    # given a launched cycle and two reports of one team lead
    admin = await comp_admin(server)
    cycle_id, _ = await launched_cycle(admin)
    participants = await server.database.meritParticipants.find({"cycleId": cycle_id}).to_list(None)
    lead = next(p["managerId"] for p in participants if len(p["managerChain"]) >= 2)
    first, second = [p for p in participants if p["managerId"] == lead][:2]
    client = server.client(lead)
    # when the lead proposes for one without asking for the warning, and for the other asking for it
    plain = await calls(server, client, PROPOSE_ONLY, {"cycle": cycle_id, "employee": first["employeeId"]})
    warned = await calls(server, client, PROPOSE_WARNED, {"cycle": cycle_id, "employee": second["employeeId"]})
    # then five store calls, and one read of the budgets more for the warning
    assert plain == PROPOSE_CALLS
    assert warned == {**PROPOSE_CALLS, "compensationBudgets": 2}
    # and the audit entry of each proposal names what its write changed
    for participant in (first, second):
        entry = await server.database.auditLog.find_one({"objectType": "meritParticipants",
                                                         "objectId": participant["_id"]})
        assert entry is not None and entry["operation"] == "proposeIncrease"
        assert sorted(c["field"] for c in entry["changes"]) == ["proposal", "trail", "version"]
