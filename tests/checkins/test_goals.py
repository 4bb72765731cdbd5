"""Goals in check-ins: linking the employee's goals, and progress made during a check-in written through
to the key result and its history (by the goals domain's own rules)."""

from __future__ import annotations

from models.demo.goals import demo_goal_documents
from tests.checkins.support import Document, error, person, snapshot, stored, upcoming
from tests.conftest import NORTHWIND, RunningServer

GOALS = demo_goal_documents(NORTHWIND)["goals"]
LINK = """
mutation($id: ID!, $goal: ID!) { linkCheckInGoal(checkInId: $id, goalId: $goal) {
  checkIn { linkedGoalIds linkedGoals { id title } } errors { field code message } } }
"""
UNLINK = """
mutation($id: ID!, $goal: ID!) { unlinkCheckInGoal(checkInId: $id, goalId: $goal) {
  checkIn { linkedGoalIds } errors { field code message } } }
"""
RECORD = """
mutation($id: ID!, $kr: ID!, $value: Float!, $comment: String) {
  recordCheckInProgress(checkInId: $id, keyResultId: $kr, value: $value, comment: $comment) {
    progressUpdate { goalId keyResultId keyResultTitle value comment by { id } }
    checkIn { progressUpdates { keyResultId value } }
    errors { field code message }
  }
}
"""
GOAL = """
query($id: ID!) { goal(id: $id) {
  keyResults { id currentValue }
  progressHistory { keyResultId oldValue newValue comment by { id } }
} }
"""
LINKED = "query($id: ID!) { checkIn(id: $id) { linkedGoalIds linkedGoals { id } } }"


def goal_of(owner: str, visibility: str) -> Document:
    return next(g for g in GOALS if g.get("ownerEmployeeId") == owner and g["visibility"] == visibility
                and not g.get("archived") and any(kr["metricKind"] == "number" for kr in g["keyResults"]))


def numeric(goal: Document) -> Document:
    return next(kr for kr in goal["keyResults"] if kr["metricKind"] == "number")


async def test_progress_recorded_in_a_check_in_writes_through_to_the_key_result(server: RunningServer) -> None:
    # given the employee persona's upcoming check-in and one of their goals everyone may see
    employee = person("employee")
    check_in = upcoming(employee["_id"])
    goal = goal_of(employee["_id"], "everyone")
    key_result = numeric(goal)
    lead = server.client(employee["managerId"])
    # when their team lead links the goal and records progress on a key result during the check-in
    data = await lead.data(LINK, {"id": check_in["_id"], "goal": goal["_id"]})
    assert data["linkCheckInGoal"] == {"checkIn": {"linkedGoalIds": [goal["_id"]], "linkedGoals": [
        {"id": goal["_id"], "title": goal["title"]}]}, "errors": []}
    new_value = key_result["currentValue"] + 1
    data = await lead.data(RECORD, {"id": check_in["_id"], "kr": key_result["_id"], "value": new_value,
                                    "comment": "Discussed in our 1:1"})
    payload = data["recordCheckInProgress"]
    # then the check-in records it
    assert payload["errors"] == []
    assert payload["progressUpdate"] == {"goalId": goal["_id"], "keyResultId": key_result["_id"],
                                         "keyResultTitle": key_result["title"], "value": new_value,
                                         "comment": "Discussed in our 1:1", "by": {"id": employee["managerId"]}}
    assert payload["checkIn"]["progressUpdates"] == [{"keyResultId": key_result["_id"], "value": new_value}]
    # and the key result has the new value, with a history entry of who changed it, from what, to what, why
    shown = (await server.client("employee").data(GOAL, {"id": goal["_id"]}))["goal"]
    assert {"id": key_result["_id"], "currentValue": new_value} in shown["keyResults"]
    assert shown["progressHistory"][-1] == {"keyResultId": key_result["_id"], "oldValue": key_result["currentValue"],
                                            "newValue": new_value, "comment": "Discussed in our 1:1",
                                            "by": {"id": employee["managerId"]}}
    # when it is unlinked, the goal keeps its progress
    data = await lead.data(UNLINK, {"id": check_in["_id"], "goal": goal["_id"]})
    assert data["unlinkCheckInGoal"] == {"checkIn": {"linkedGoalIds": []}, "errors": []}
    saved = await stored(server, "goals", goal["_id"])
    assert saved is not None and numeric(saved)["currentValue"] == new_value


async def test_a_private_goal_is_linked_and_seen_by_its_owner_only(server: RunningServer) -> None:
    # given the employee persona's private goal, which their team lead may not see
    employee = person("employee")
    check_in = upcoming(employee["_id"])
    goal = next(g for g in GOALS if g.get("ownerEmployeeId") == employee["_id"] and g["visibility"] == "private")
    lead = server.client(employee["managerId"])
    # when the team lead tries to link it, then it is unknown to them and nothing changes
    before = await snapshot(server)
    data = await lead.data(LINK, {"id": check_in["_id"], "goal": goal["_id"]})
    assert data["linkCheckInGoal"] == {"checkIn": None, "errors": [
        error("goalId", "NOT_FOUND", f"no goal {goal['_id']!r} in your organisation")]}
    assert await snapshot(server) == before
    # when the employee links it, they see it among the linked goals and the team lead does not
    data = await server.client("employee").data(LINK, {"id": check_in["_id"], "goal": goal["_id"]})
    assert data["linkCheckInGoal"]["errors"] == []
    assert (await server.client("employee").data(LINKED, {"id": check_in["_id"]}))["checkIn"]["linkedGoals"] == [
        {"id": goal["_id"]}]
    assert (await lead.data(LINKED, {"id": check_in["_id"]}))["checkIn"]["linkedGoals"] == []
    # and the team lead cannot record progress on it, which changes nothing
    before = await snapshot(server)
    key_result = goal["keyResults"][0]
    data = await lead.data(RECORD, {"id": check_in["_id"], "kr": key_result["_id"], "value": 1})
    assert data["recordCheckInProgress"]["errors"] == [error(
        "keyResultId", "NOT_FOUND", f"no key result {key_result['_id']!r} in a goal linked to this check-in")]
    assert await snapshot(server) == before


async def test_progress_refused_by_the_goal_rules_writes_nothing(server: RunningServer) -> None:
    # given a linked goal with a percentage or boolean key result
    employee = person("employee")
    check_in = upcoming(employee["_id"])
    goal, key_result = next((g, kr) for g in GOALS if g.get("ownerEmployeeId") == employee["_id"]
                            for kr in g["keyResults"] if kr["metricKind"] in ("percentage", "boolean"))
    mine = server.client("employee")
    await mine.data(LINK, {"id": check_in["_id"], "goal": goal["_id"]})
    before = await snapshot(server)
    # when a value the key result cannot take is recorded
    data = await mine.data(RECORD, {"id": check_in["_id"], "kr": key_result["_id"], "value": 150})
    # then the goals domain's refusal is returned and nothing changed, neither the goal nor the check-in
    [refusal] = data["recordCheckInProgress"]["errors"]
    assert (refusal["field"], refusal["code"]) == ("value", "INVALID")
    assert data["recordCheckInProgress"]["progressUpdate"] is None
    assert await snapshot(server) == before


async def test_only_the_employees_own_goals_are_linked(server: RunningServer) -> None:
    # given a goal everyone may see, owned by someone else
    employee = person("employee")
    goal = next(g for g in GOALS if g.get("ownerEmployeeId") not in (None, employee["_id"])
                and g["visibility"] == "everyone")
    before = await snapshot(server)
    # when the employee links it to their check-in, then it is refused and nothing changed
    data = await server.client("employee").data(LINK, {"id": upcoming(employee["_id"])["_id"], "goal": goal["_id"]})
    assert data["linkCheckInGoal"] == {"checkIn": None, "errors": [
        error("goalId", "INVALID", "only the employee's own goals can be linked")]}
    assert await snapshot(server) == before
