"""Shared pieces of the goal tests: the seeded goals, who owns them, queries and store snapshots."""

from __future__ import annotations

from typing import Any

from models.core.viewer import Role, Viewer
from models.demo.goals import build_goals
from models.demo.org import DemoOrganization
from models.goals.permissions import can_see_goal
from tests.conftest import NORTHWIND, RunningServer

Document = dict[str, Any]
UNKNOWN_ID = "0" * 24

GOAL_FIELDS = """
fragment GoalFields on Goal {
  id title description level status visibility rollUpChildren archived startDate dueDate progress
  keyResultProgress canEdit
  ownerEmployee { id } ownerDepartment { id } parent { id }
  keyResults { id title metricKind startValue targetValue currentValue unit weight progress }
}
"""
PAYLOAD = "goal { ...GoalFields } errors { field code message }"


def mutation(signature: str, call: str) -> str:
    return f"mutation{signature} {{ {call} {{ {PAYLOAD} }} }}" + GOAL_FIELDS


CREATE_GOAL = mutation("($input: CreateGoalInput!)", "createGoal(input: $input)")
UPDATE_GOAL = mutation("($id: ID!, $input: UpdateGoalInput!)", "updateGoal(id: $id, input: $input)")
ARCHIVE_GOAL = mutation("($id: ID!)", "archiveGoal(goalId: $id)")
SET_STATUS = mutation("($id: ID!, $status: GoalStatus!)", "setGoalStatus(goalId: $id, status: $status)")
ALIGN_GOAL = mutation("($id: ID!, $parent: ID)", "alignGoal(goalId: $id, parentGoalId: $parent)")
ADD_KEY_RESULT = mutation("($id: ID!, $input: KeyResultInput!)", "addKeyResult(goalId: $id, input: $input)")
UPDATE_KEY_RESULT = mutation("($id: ID!, $input: UpdateKeyResultInput!)",
                             "updateKeyResult(keyResultId: $id, input: $input)")
REMOVE_KEY_RESULT = mutation("($id: ID!)", "removeKeyResult(keyResultId: $id)")
RECORD_PROGRESS = mutation("($id: ID!, $value: Float!, $comment: String)",
                           "updateKeyResultProgress(keyResultId: $id, value: $value, comment: $comment)")
GOAL = "query($id: ID!) { goal(id: $id) { ...GoalFields } }" + GOAL_FIELDS
HISTORY = """
query($id: ID!) { goal(id: $id) {
  progressHistory { id keyResultId keyResultTitle at oldValue newValue comment by { id } }
} }
"""
COLLECTIONS = ("organizations", "employees", "departments", "goals")


_SEEDED: dict[str, tuple[Document, ...]] = {}


def seeded_goals(org: DemoOrganization = NORTHWIND) -> tuple[Document, ...]:
    """The goals the seed wrote for ``org`` (built once per test session)."""
    slug = org.organization["slug"]
    if slug not in _SEEDED:
        _SEEDED[slug] = tuple(build_goals(org))
    return _SEEDED[slug]


def goal_by_id(id: str, org: DemoOrganization = NORTHWIND) -> Document:
    return next(g for g in seeded_goals(org) if g["_id"] == id)


def employee(id: str, org: DemoOrganization = NORTHWIND) -> Document:
    return next(e for e in org.employees if e["_id"] == id)


def department(id: str, org: DemoOrganization = NORTHWIND) -> Document:
    return next(d for d in org.departments if d["_id"] == id)


def owner_of(goal: Document, org: DemoOrganization = NORTHWIND) -> Document | None:
    """The person behind a seeded goal (the rule's ``owner``): employee, or department head."""
    if goal.get("ownerEmployeeId"):
        return employee(goal["ownerEmployeeId"], org)
    if goal.get("ownerDepartmentId"):
        head = department(goal["ownerDepartmentId"], org).get("headId")
        return employee(head, org) if head else None
    return None


def viewer_of(id: str, org: DemoOrganization = NORTHWIND) -> Viewer:
    person = employee(id, org)
    return Viewer(id, org.organization["_id"], frozenset(Role(r) for r in person["roles"]))


def visible_to(id: str, goals: Any, org: DemoOrganization = NORTHWIND) -> list[Document]:
    viewer = viewer_of(id, org)
    return [g for g in goals if can_see_goal(viewer, g, owner_of(g, org))]


def persona(who: str, org: DemoOrganization = NORTHWIND) -> Document:
    return employee(org.personas[who], org)


def goals_of(owner_id: str, org: DemoOrganization = NORTHWIND, *, archived: bool = False) -> list[Document]:
    return [g for g in seeded_goals(org) if g["ownerEmployeeId"] == owner_id and (archived or not g["archived"])]


def new_goal_input(**overrides: Any) -> dict[str, Any]:
    """An individual goal (the viewer's own unless an owner is given) with one rising key result."""
    return {"title": "Write the onboarding guide", "level": "INDIVIDUAL", "startDate": "2026-10-01",
            "dueDate": "2026-12-31", "keyResults": [kr_input()], **overrides}


def kr_input(**overrides: Any) -> dict[str, Any]:
    return {"title": "Chapters written", "metricKind": "NUMBER", "startValue": 0, "targetValue": 10,
            "unit": "chapters", **overrides}


def error(field: str | None, code: str, message: str) -> dict[str, Any]:
    return {"field": field, "code": code, "message": message}


async def snapshot(server: RunningServer) -> dict[str, list[Document]]:
    """Every document of the collections a goal mutation could touch, both organisations."""
    return await server.snapshot(COLLECTIONS)


async def stored_goal(server: RunningServer, id: str) -> Document | None:
    return await server.database.goals.find_one({"_id": id})


def codes(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors", [])]
