"""The review phase and the lock: a manager above sends a proposal back with a reason and the proposing manager
revises and resubmits it in review (no new proposals there); no one decides their own increase; once the cycle is
approved (locked) proposals, submissions, matrix edits and allocations are refused and nothing is written."""

from __future__ import annotations

import asyncio

from models.compensation.cycles import default_matrix
from tests.client import GraphQLClient, refused
from tests.compensation.support import (
    ADVANCE,
    COMP_ADMIN,
    DECIDE,
    PAY_COLLECTIONS,
    PEOPLE,
    PROPOSE,
    SUBMIT,
    comp_admin,
    grant_compensation_admin,
    launched_cycle,
    reports_of,
)
from tests.compensation.test_budget_live import assert_budgets_are_the_sums
from tests.conftest import NORTHWIND, RunningServer
from tests.interleave import hold

MANAGER = NORTHWIND.personas["manager"]
TEAM_LEAD = PEOPLE[NORTHWIND.personas["employee"]]["managerId"]  # reports to the manager persona
TRAIL = """query($cycle: ID!, $manager: ID!) { meritProposals(cycleId: $cycle, managerId: $manager, first: 50) {
  edges { node { employee { id } proposal { percent state pendingWith { id } } trail { kind byId reason } } } } }"""
SAVE_MATRIX = """
mutation($cycle: ID!, $bounds: [Decimal!]!, $cells: [MatrixCellInput!]!, $base: Int!) {
  saveMeritMatrix(cycleId: $cycle, compaBounds: $bounds, cells: $cells, baseVersion: $base) {
    errors { field code message } } }"""
SET_BUDGET = """
mutation($cycle: ID!, $manager: ID!, $amount: Decimal!) {
  setCompensationBudget(cycleId: $cycle, managerId: $manager, amount: $amount) { errors { field code message } } }"""


async def submitted_for_the_team_lead(server: RunningServer) -> tuple[GraphQLClient, str, GraphQLClient]:
    """A launched cycle in which the manager proposed 3 % for the team lead and submitted it: HR's client, the
    cycle's id and the manager's client."""
    admin = await comp_admin(server)
    cycle_id, _ = await launched_cycle(admin)
    manager = server.client("manager")
    await manager.data(PROPOSE, {"cycle": cycle_id, "employee": TEAM_LEAD, "percent": "3", "why": "first"})
    await manager.data(SUBMIT, {"cycle": cycle_id})
    return admin, cycle_id, manager


async def test_in_review_a_proposal_sent_back_by_a_manager_above_is_revised_and_resubmitted_and_no_new_one_is_made(
        server: RunningServer) -> None:
    # given the manager's submitted 3 % proposal for the team lead, pending with the manager's manager, and the
    # cycle in review
    admin, cycle_id, manager = await submitted_for_the_team_lead(server)
    top, middle = PEOPLE[MANAGER]["managerChain"]
    # and a draft for another report, never submitted
    forgotten = next(e["_id"] for e in reports_of(MANAGER) if e["status"] == "active" and e["_id"] != TEAM_LEAD)
    await manager.data(PROPOSE, {"cycle": cycle_id, "employee": forgotten, "percent": "3", "why": "later"})
    assert (await admin.data(ADVANCE, {"id": cycle_id, "phase": "REVIEW"}))["advanceMeritCycle"]["errors"] == []
    variables = {"cycle": cycle_id, "ids": [TEAM_LEAD]}
    # when the manager's manager sends it back with a reason
    back = (await server.client(middle).data(DECIDE, {**variables, "approve": False,
                                                     "reason": "keep to the band"}))["decideProposals"]
    # then it is a draft again, the reason in its trail
    assert back["errors"] == []
    assert back["participants"][0]["proposal"]["state"] == "DRAFT"
    assert back["participants"][0]["trail"][-1] == {"kind": "sent_back", "reason": "keep to the band"}
    # when the manager revises it to 2 % and submits it again, still in review
    revised = (await manager.data(PROPOSE, {"cycle": cycle_id, "employee": TEAM_LEAD, "percent": "2",
                                            "why": "revised"}))["proposeIncrease"]
    submitted = (await manager.data(SUBMIT, {"cycle": cycle_id}))["submitProposals"]
    # then it goes up the chain again from the manager's manager, who endorses it, then the top, then HR approves;
    # the draft never submitted stays a draft (review takes back only what was sent back)
    assert revised["errors"] == [] and revised["participant"]["proposal"]["percent"] == "2"
    assert submitted["errors"] == [] and [p["proposal"]["state"] for p in submitted["participants"]] == ["SUBMITTED"]
    assert len(submitted["participants"]) == 1
    await server.client(middle).data(DECIDE, {**variables, "approve": True})
    await server.client(top).data(DECIDE, {**variables, "approve": True})
    approved = (await admin.data(DECIDE, {**variables, "approve": True}))["decideProposals"]["participants"][0]
    assert approved["proposal"]["state"] == "APPROVED"
    assert [(t["kind"], t["reason"]) for t in approved["trail"]] == [
        ("proposed", "first"), ("submitted", None), ("sent_back", "keep to the band"), ("proposed", "revised"),
        ("submitted", None), ("endorsed", None), ("endorsed", None), ("approved", None)]
    # and in review a new proposal, for a report with none, and a change to the draft never submitted are refused
    # and write nothing
    other = next(e["_id"] for e in reports_of(TEAM_LEAD) if e["status"] == "active")
    before = await server.snapshot(PAY_COLLECTIONS)
    late = await server.client(TEAM_LEAD).execute(PROPOSE, {"cycle": cycle_id, "employee": other, "percent": "3",
                                                             "why": "late"})
    changed = await manager.execute(PROPOSE, {"cycle": cycle_id, "employee": forgotten, "percent": "2", "why": "x"})
    assert [(f, c) for f, c, _ in refused(late)] == [("cycleId", "INVALID_TRANSITION")]
    assert [(f, c) for f, c, _ in refused(changed)] == [("cycleId", "INVALID_TRANSITION")]
    assert await server.snapshot(PAY_COLLECTIONS) == before


async def test_no_one_decides_their_own_increase_not_even_a_compensation_admin(server: RunningServer) -> None:
    # given a proposal for the compensation admin, submitted by their manager, and a second compensation admin
    admin = await comp_admin(server)
    cycle_id, _ = await launched_cycle(admin)
    boss = PEOPLE[COMP_ADMIN]["managerId"]
    proposed = (await server.client(boss).data(PROPOSE, {"cycle": cycle_id, "employee": COMP_ADMIN, "percent": "3",
                                                         "why": "x"}))["proposeIncrease"]
    assert proposed["errors"] == []
    await server.client(boss).data(SUBMIT, {"cycle": cycle_id})
    other = next(e["_id"] for e in NORTHWIND.employees if e["status"] == "active"
                 and e["_id"] not in (COMP_ADMIN, boss) and COMP_ADMIN not in e.get("managerChain", []))
    await grant_compensation_admin(server, other)
    variables = {"cycle": cycle_id, "ids": [COMP_ADMIN], "approve": True}
    # when the admin approves their own
    before = await server.snapshot(PAY_COLLECTIONS)
    own = await admin.execute(DECIDE, variables)
    # then it is forbidden and nothing is written
    assert [(f, c) for f, c, _ in refused(own)] == [(None, "FORBIDDEN")]
    assert await server.snapshot(PAY_COLLECTIONS) == before
    # and the other compensation admin approves it
    second = GraphQLClient(server.url, server.token(other, roles=[*PEOPLE[other]["roles"], "compensation_admin"]))
    decided = (await second.data(DECIDE, variables))["decideProposals"]
    assert decided["errors"] == [] and decided["participants"][0]["proposal"]["state"] == "APPROVED"


async def test_once_approved_the_cycle_is_locked_for_proposals_submissions_the_matrix_and_budgets(
        server: RunningServer) -> None:
    # given a draft proposal and the cycle moved through review to approved
    admin = await comp_admin(server)
    cycle_id, _ = await launched_cycle(admin)
    manager = server.client("manager")
    await manager.data(PROPOSE, {"cycle": cycle_id, "employee": TEAM_LEAD, "percent": "3", "why": "x"})
    for phase in ("REVIEW", "APPROVED"):
        assert (await admin.data(ADVANCE, {"id": cycle_id, "phase": phase}))["advanceMeritCycle"]["errors"] == []
    before = await server.snapshot(PAY_COLLECTIONS)
    # when the manager revises and submits, and HR edits the matrix and an allocation
    propose = await manager.execute(PROPOSE, {"cycle": cycle_id, "employee": TEAM_LEAD, "percent": "2", "why": "x"})
    submit = await manager.execute(SUBMIT, {"cycle": cycle_id})
    cells = default_matrix()["cells"]
    matrix = await admin.execute(SAVE_MATRIX, {"cycle": cycle_id, "bounds": ["0.9", "1.1"], "cells": cells,
                                               "base": 0})
    budget = await admin.execute(SET_BUDGET, {"cycle": cycle_id, "manager": MANAGER, "amount": "1000"})
    # then each is refused with its reason and nothing is written
    assert [(f, c) for f, c, _ in refused(propose)] == [("cycleId", "READ_ONLY")]
    assert [(f, c) for f, c, _ in refused(submit)] == [("cycleId", "READ_ONLY")]
    assert [c for _, c, _ in refused(matrix)] == ["READ_ONLY"]
    assert [c for _, c, _ in refused(budget)] == ["READ_ONLY"]
    assert await server.snapshot(PAY_COLLECTIONS) == before


BUDGET_RULE = """mutation($cycle: ID!, $block: Boolean!) { setOverBudgetRule(cycleId: $cycle, block: $block) {
  cycle { blockOverBudget } errors { field code message } } }"""
OVER = """query($cycle: ID!, $manager: ID!) { compensationBudget(cycleId: $cycle, managerId: $manager) {
  overBudget proposalsOverBudget } }"""


async def test_hr_decides_during_the_cycle_whether_going_over_budget_blocks_and_the_budget_says_which_is_over(
        server: RunningServer) -> None:
    # given a cycle with a 0 % merit budget that only warns, and the manager's draft 3 % proposal over it
    admin = await comp_admin(server)
    cycle_id, _ = await launched_cycle(admin, meritBudgetPercent="0")
    manager = server.client("manager")
    others = [e["_id"] for e in reports_of(MANAGER) if e["status"] == "active" and e["_id"] != TEAM_LEAD]
    drafted = await manager.data(PROPOSE, {"cycle": cycle_id, "employee": TEAM_LEAD, "percent": "3", "why": "x"})
    assert drafted["proposeIncrease"]["errors"] == []
    # then the budget's proposals are over it, its committed spend not yet
    over = {"cycle": cycle_id, "manager": MANAGER}
    assert (await admin.data(OVER, over))["compensationBudget"] == {"overBudget": False, "proposalsOverBudget": True}
    # when HR decides to block
    blocking = (await admin.data(BUDGET_RULE, {"cycle": cycle_id, "block": True}))["setOverBudgetRule"]
    assert blocking == {"cycle": {"blockOverBudget": True}, "errors": []}
    # then the next proposal over the budget is refused and nothing is written
    before = await server.snapshot(PAY_COLLECTIONS)
    refused_now = await manager.execute(PROPOSE, {"cycle": cycle_id, "employee": others[0], "percent": "3",
                                                  "why": "x"})
    assert [(f, c) for f, c, _ in refused(refused_now)] == [("percent", "CONFLICT")]
    assert await server.snapshot(PAY_COLLECTIONS) == before
    # when HR goes back to warning, the same proposal is written; once submitted the budget is over
    await admin.data(BUDGET_RULE, {"cycle": cycle_id, "block": False})
    allowed = await manager.data(PROPOSE, {"cycle": cycle_id, "employee": others[0], "percent": "3", "why": "x"})
    assert allowed["proposeIncrease"]["errors"] == []
    await manager.data(SUBMIT, {"cycle": cycle_id})
    assert (await admin.data(OVER, over))["compensationBudget"] == {"overBudget": True, "proposalsOverBudget": True}
    # and once approved the rule is fixed, and a manager may not set it at all
    for phase in ("REVIEW", "APPROVED"):
        assert (await admin.data(ADVANCE, {"id": cycle_id, "phase": phase}))["advanceMeritCycle"]["errors"] == []
    late = await admin.execute(BUDGET_RULE, {"cycle": cycle_id, "block": True})
    assert [(f, c) for f, c, _ in refused(late)] == [("cycleId", "READ_ONLY")]
    not_hr = await manager.execute(BUDGET_RULE, {"cycle": cycle_id, "block": True})
    assert [(f, c) for f, c, _ in refused(not_hr)] == [(None, "FORBIDDEN")]


async def test_a_revision_whose_increment_lands_after_the_approval_is_counted_once(server: RunningServer) -> None:
    # given a proposal sent back in review, and the manager's revision of it held between its write on the
    # participant and its increment on the budgets above
    admin, cycle_id, manager = await submitted_for_the_team_lead(server)
    _top, middle = PEOPLE[MANAGER]["managerChain"]
    assert (await admin.data(ADVANCE, {"id": cycle_id, "phase": "REVIEW"}))["advanceMeritCycle"]["errors"] == []
    await server.client(middle).data(DECIDE, {"cycle": cycle_id, "ids": [TEAM_LEAD], "approve": False,
                                              "reason": "lower"})
    async with hold(server.database, "compensationBudgets", "update_many") as held:
        revising = asyncio.create_task(manager.data(PROPOSE, {"cycle": cycle_id, "employee": TEAM_LEAD,
                                                              "percent": "2", "why": "revised"}))
        await held.reached.wait()
        # when HR approves the cycle meanwhile (recounting and locking every budget)
        approved = await admin.data(ADVANCE, {"id": cycle_id, "phase": "APPROVED"})
        assert approved["advanceMeritCycle"]["errors"] == []
        held.released.set()
        assert (await revising)["proposeIncrease"]["errors"] == []
    # then the revision, written before the lock, is counted once: every budget is the sum of its proposals
    await assert_budgets_are_the_sums(server, cycle_id)
