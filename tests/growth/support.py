"""Shared pieces of the growth tests: the seeded growth data, the people involved, queries and snapshots."""

from __future__ import annotations

from typing import Any

from models.demo.growth import demo_growth
from tests.conftest import GLOBEX, NORTHWIND, RunningServer

Document = dict[str, Any]
UNKNOWN_ID = "0" * 24
SEED = demo_growth(NORTHWIND)
GLOBEX_SEED = demo_growth(GLOBEX)
EMPLOYEES = {e["_id"]: e for e in NORTHWIND.employees}
POSITIONS = {p["_id"]: p for p in NORTHWIND.positions}
BY_TITLE = {p["title"]: p for p in NORTHWIND.positions}
COLLECTIONS = ("careerTracks", "growthPlans", "mentorships", "mentoringSessions", "mentorLoads",
               "readinessAssessments", "growthSettings", "successionPlans", "promotionProposals", "talentRatings",
               "employees",
               "positions")

PLAN_FIELDS = """
fragment PlanFields on GrowthPlan {
  employee { id } progress sharedWithMentors version
  targets { position { id title } aspiration horizon willingToRelocate willingToChangeDepartment }
  actions { id kind title notes status dueOn owner { id } competency { id } goal { id } }
}
"""
GROWTH_PLAN = "query($id: ID!) { growthPlan(employeeId: $id) { ...PlanFields } }" + PLAN_FIELDS
SET_TARGETS = """
mutation($id: ID!, $targets: [GrowthTargetInput!]!, $share: Boolean) {
  setGrowthTargets(employeeId: $id, targets: $targets, shareWithMentors: $share) {
    plan { ...PlanFields } errors { field code message } } }
""" + PLAN_FIELDS
SAVE_ACTION = """
mutation($id: ID!, $action: DevelopmentActionInput!) {
  saveDevelopmentAction(employeeId: $id, action: $action) {
    developmentAction { id kind title status owner { id } dueOn }
    plan { ...PlanFields } errors { field code message } } }
""" + PLAN_FIELDS
ERRORS_ONLY = "errors { field code message }"


def person(id_or_persona: str) -> Document:
    return EMPLOYEES[NORTHWIND.personas.get(id_or_persona, id_or_persona)]


def active(employee: Document) -> bool:
    return employee["status"] != "terminated"


def peer(of: Document) -> Document:
    """An active colleague with the same manager, neither manager nor mentor of ``of``."""
    return next(e for e in NORTHWIND.employees if e["managerId"] == of["managerId"] and e["_id"] != of["_id"]
                and active(e) and e["_id"] not in mentors_of(of["_id"]))


def mentors_of(mentee_id: str) -> set[str]:
    return {m["mentorId"] for m in SEED["mentorships"] if m["menteeId"] == mentee_id and m["status"] == "active"}


def seeded_plan(employee_id: str) -> Document | None:
    return next((p for p in SEED["growthPlans"] if p["employeeId"] == employee_id), None)


def position_above(employee: Document) -> Document:
    """A position of a higher level than the person's own."""
    level = POSITIONS[employee["positionId"]]["level"]
    return next(p for p in NORTHWIND.positions if p["level"] == level + 1 or p["level"] == level + 2)


async def snapshot(server: RunningServer) -> dict[str, list[Document]]:
    return await server.snapshot(COLLECTIONS)


def error(field: str | None, code: str, message: str) -> Document:
    return {"field": field, "code": code, "message": message}
