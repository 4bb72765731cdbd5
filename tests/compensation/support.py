"""Shared pieces of the compensation tests: the seeded pay documents, a compensation admin, lookups and
mutation helpers."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from models.demo.compensation import demo_compensation
from models.demo.reviews import demo_review_documents
from tests.client import GraphQLClient
from tests.conftest import NORTHWIND, RunningServer

Document = dict[str, Any]
SEED: dict[str, list[Document]] = demo_compensation(NORTHWIND)
FINISHED, RUNNING = SEED["meritCycles"]
REVIEW_SEED: dict[str, list[Document]] = demo_review_documents(NORTHWIND)
UNKNOWN_ID = "0" * 24
PAY_COLLECTIONS = ("payRecords", "payBands", "payZones", "meritCycles", "meritParticipants", "compensationBudgets")
PEOPLE = {e["_id"]: e for e in NORTHWIND.employees}
# A payroll specialist: an individual contributor who manages no one, outside the manager persona's team.
COMP_ADMIN = next(e["_id"] for e in NORTHWIND.employees
                  if e["status"] == "active" and "hr_admin" not in e["roles"] and "manager" not in e["roles"]
                  and not any(o.get("managerId") == e["_id"] for o in NORTHWIND.employees)
                  and e["_id"] not in NORTHWIND.personas.values()
                  and NORTHWIND.personas["manager"] not in e["managerChain"])

EMPLOYEE_PAY = """
query($id: ID!) { employeePay(employeeId: $id) {
  employee { id } annual { amount currency } compaRatio rangePosition
  current { id effectiveDate base { amount currency } frequency reason }
  band { currency minimum { amount } midpoint { amount } maximum { amount } }
  history { effectiveDate base { amount currency } reason }
} }"""
RECORD_PAY = """
mutation($input: RecordPayInput!) { recordPay(input: $input) {
  record { id effectiveDate base { amount currency } frequency reason annual { amount currency } }
  errors { field code message } } }"""
SAVE_BAND = """
mutation($input: PayBandInput!) { savePayBand(input: $input) {
  band { id currency minimum { amount currency } midpoint { amount } maximum { amount } position { id } }
  errors { field code message } } }"""
CREATE_CYCLE = """
mutation($input: MeritCycleInput!) { createMeritCycle(input: $input) {
  cycle { id phase currency rates { currency rate } } errors { field code message } } }"""
LAUNCH = """
mutation($id: ID!) { launchMeritCycle(cycleId: $id) {
  cycle { id phase eligibleCount }
  launch { eligible skippedCount payroll { amount currency } skipped { employeeId reason } }
  errors { field code message } } }"""
ADVANCE = """
mutation($id: ID!, $phase: MeritPhase!) { advanceMeritCycle(cycleId: $id, phase: $phase) {
  cycle { id phase } errors { field code message } } }"""
PROPOSE = """
mutation($cycle: ID!, $employee: ID!, $percent: Decimal, $amount: Decimal, $why: String) {
  proposeIncrease(cycleId: $cycle, employeeId: $employee, percent: $percent, amount: $amount, justification: $why) {
    participant { id rating compaRatio proration cell { min target max }
      proposal { percent state justification deviation increase { amount currency } newPay { amount currency } }
      trail { kind byId percent reason } }
    errors { field code message } } }"""
SUBMIT = """
mutation($cycle: ID!) { submitProposals(cycleId: $cycle) { participants { id proposal { state } }
  errors { field code message } } }"""
DECIDE = """
mutation($cycle: ID!, $ids: [ID!]!, $approve: Boolean!, $reason: String) {
  decideProposals(cycleId: $cycle, employeeIds: $ids, approve: $approve, reason: $reason) {
    participants { id proposal { state } trail { kind reason } } errors { field code message } } }"""
BUDGET = """
query($cycle: ID!, $manager: ID!) { compensationBudget(cycleId: $cycle, managerId: $manager) {
  manager { id } payroll { amount currency } allocated { amount } proposed { amount } committed { amount }
  remaining { amount } overBudget } }"""


def money(amount: str, currency: str = "EUR") -> dict[str, str]:
    return {"amount": amount, "currency": currency}


def amount_of(minor: int, places: int = 2) -> str:
    """How the API prints ``minor`` minor units (a Decimal with the currency's places)."""
    return str(Decimal(minor).scaleb(-places))


async def grant_compensation_admin(server: RunningServer, employee_id: str = COMP_ADMIN) -> None:
    """The store grants the role (a token is honoured only with roles the store also grants)."""
    await server.database.employees.update_one({"_id": employee_id},
                                               {"$addToSet": {"roles": "compensation_admin"}})


async def comp_admin(server: RunningServer) -> GraphQLClient:
    """A client for the compensation admin (the role granted first)."""
    await grant_compensation_admin(server)
    roles = [*PEOPLE[COMP_ADMIN]["roles"], "compensation_admin"]
    return GraphQLClient(server.url, server.token(COMP_ADMIN, roles=roles))


def reports_of(manager_id: str) -> list[Document]:
    return [e for e in NORTHWIND.employees if e.get("managerId") == manager_id]


def below(manager_id: str) -> list[Document]:
    return [e for e in NORTHWIND.employees if manager_id in e.get("managerChain", [])]


def participant(cycle: Document, employee_id: str) -> Document:
    return next(p for p in SEED["meritParticipants"] if p["cycleId"] == cycle["_id"] and p["employeeId"] == employee_id)


def records_of(employee_id: str) -> list[Document]:
    return [r for r in SEED["payRecords"] if r["employeeId"] == employee_id]


def band_of(employee_id: str) -> Document:
    return next(b for b in SEED["payBands"] if b["positionId"] == PEOPLE[employee_id]["positionId"])


async def close_running_cycle(server: RunningServer) -> None:
    """Move the seeded running cycle past review (approved): no cycle is open to managers any more."""
    client = await comp_admin(server)
    for phase in ("REVIEW", "APPROVED"):
        data = await client.data(ADVANCE, {"id": RUNNING["_id"], "phase": phase})
        assert data["advanceMeritCycle"]["errors"] == [], data


def cycle_input(**overrides: Any) -> dict[str, Any]:
    """A merit cycle over 2026 linked to the finished review cycle, USD paid in EUR at 0.92, 3 % merit."""
    return {"name": "2027 merit (test)", "currency": "EUR", "periodStart": "2026-01-01", "periodEnd": "2026-12-31",
            "effectiveDate": "2027-01-01", "hiredBefore": "2026-10-01", "minTenureMonths": 3,
            "meritBudgetPercent": "3", "reviewCycleId": REVIEW_SEED["reviewCycles"][0]["_id"],
            "rates": [{"currency": "USD", "rate": "0.92"}], **overrides}


async def launched_cycle(client: GraphQLClient, **overrides: Any) -> tuple[str, dict[str, Any]]:
    """A new cycle created and launched; its id and the launch payload."""
    created = (await client.data(CREATE_CYCLE, {"input": cycle_input(**overrides)}))["createMeritCycle"]
    assert created["errors"] == [], created
    launch = (await client.data(LAUNCH, {"id": created["cycle"]["id"]}))["launchMeritCycle"]
    assert launch["errors"] == [], launch
    return created["cycle"]["id"], launch
