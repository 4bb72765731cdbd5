"""Goal mutations end to end: what each writes, and for every bad input the typed error and the proof
that nothing changed (every document of every collection involved, both organisations)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from tests.conftest import GLOBEX, NORTHWIND, RunningServer
from tests.goals.support import (
    ADD_KEY_RESULT,
    ALIGN_GOAL,
    ARCHIVE_GOAL,
    CREATE_GOAL,
    GOAL,
    HISTORY,
    RECORD_PROGRESS,
    REMOVE_KEY_RESULT,
    SET_STATUS,
    UNKNOWN_ID,
    UPDATE_GOAL,
    UPDATE_KEY_RESULT,
    error,
    goals_of,
    kr_input,
    new_goal_input,
    persona,
    seeded_goals,
    snapshot,
    stored_goal,
)

GOALS_OF = "query($owner: ID!) { goals(filter: {ownerId: $owner}, first: 100) { totalCount edges { node { id } } } }"
CHILDREN = "query($id: ID!) { goal(id: $id) { children { id } } }"
CONTRACT_KEYS = {"_id", "organizationId", "title", "description", "level", "ownerEmployeeId", "ownerDepartmentId",
                 "parentId", "startDate", "dueDate", "status", "visibility", "rollUpChildren", "archived",
                 "keyResults", "progressHistory", "createdAt", "updatedAt"}
KR_KEYS = {"_id", "title", "metricKind", "startValue", "targetValue", "currentValue", "unit", "weight"}


def my_goal(visibility: str = "everyone") -> dict[str, Any]:
    return next(g for g in goals_of(persona("employee")["_id"]) if g["visibility"] == visibility)


def boolean_key_result() -> dict[str, Any]:
    return next(kr for g in goals_of(persona("employee")["_id"]) for kr in g["keyResults"]
                if kr["metricKind"] == "boolean")


def foreign_goal() -> dict[str, Any]:
    return seeded_goals(GLOBEX)[0]


async def created(server: RunningServer, who: str = "employee", **fields: Any) -> dict[str, Any]:
    body = await server.client(who).data(CREATE_GOAL, {"input": new_goal_input(**fields)})
    assert body["createGoal"]["errors"] == []
    return body["createGoal"]["goal"]


# writes

async def test_create_goal_writes_the_contract_document(server: RunningServer) -> None:
    # when the employee creates a goal aligned to a visible seeded goal, owner left out
    me = persona("employee")
    parent = my_goal()["parentId"]
    goal = await created(server, parentId=parent, description="For new joiners", visibility="MANAGEMENT_CHAIN",
                         keyResults=[kr_input(currentValue=2, weight=2.5)])
    # then the payload and the stored document say so, shaped as the shared contract
    assert goal["ownerEmployee"] == {"id": me["_id"]}
    assert (goal["level"], goal["status"], goal["visibility"], goal["parent"]) == (
        "INDIVIDUAL", "ON_TRACK", "MANAGEMENT_CHAIN", {"id": parent})
    stored = await stored_goal(server, goal["id"])
    assert set(stored) == CONTRACT_KEYS
    assert {k: stored[k] for k in ("organizationId", "level", "ownerEmployeeId", "ownerDepartmentId", "parentId",
                                   "startDate", "dueDate", "status", "visibility", "rollUpChildren", "archived")} == {
        "organizationId": server.demo.organization["_id"], "level": "individual", "ownerEmployeeId": me["_id"],
        "ownerDepartmentId": None, "parentId": parent, "startDate": "2026-10-01", "dueDate": "2026-12-31",
        "status": "on_track", "visibility": "management_chain", "rollUpChildren": False, "archived": False}
    [kr] = stored["keyResults"]
    assert set(kr) == KR_KEYS
    assert {k: kr[k] for k in KR_KEYS - {"_id"}} == {
        "title": "Chapters written", "metricKind": "number", "startValue": 0.0, "targetValue": 10.0,
        "currentValue": 2.0, "unit": "chapters", "weight": 2.5}
    assert stored["progressHistory"] == []


async def test_a_department_head_creates_a_department_goal(server: RunningServer) -> None:
    # given the manager persona, head of a department
    manager = persona("manager")
    department = next(d for d in server.demo.departments if d["headId"] == manager["_id"])
    # when they create a goal for the department
    goal = await created(server, "manager", level="DEPARTMENT", ownerDepartmentId=department["_id"])
    # then it belongs to the department, not to a person
    assert (goal["ownerDepartment"], goal["ownerEmployee"], goal["canEdit"]) == ({"id": department["_id"]}, None, True)


async def test_update_goal_changes_only_the_fields_sent(server: RunningServer) -> None:
    goal = my_goal()
    client = server.client("employee")
    body = await client.data(UPDATE_GOAL, {"id": goal["_id"], "input": {"title": "  Fewer pages  ",
                                                                         "dueDate": "2027-01-15"}})
    updated = body["updateGoal"]["goal"]
    assert body["updateGoal"]["errors"] == []
    assert (updated["title"], updated["dueDate"], updated["startDate"], updated["description"]) == (
        "Fewer pages", "2027-01-15", goal["startDate"], goal["description"])
    stored = await stored_goal(server, goal["_id"])
    assert (stored["title"], stored["dueDate"], stored["keyResults"]) == ("Fewer pages", "2027-01-15",
                                                                          goal["keyResults"])


async def test_status_alignment_and_key_results(server: RunningServer) -> None:
    client = server.client("employee")
    goal = await created(server)
    # status
    body = await client.data(SET_STATUS, {"id": goal["id"], "status": "AT_RISK"})
    assert body["setGoalStatus"]["goal"]["status"] == "AT_RISK"
    # align to a seeded goal, then unalign
    parent = my_goal()["parentId"]
    assert (await client.data(ALIGN_GOAL, {"id": goal["id"], "parent": parent}))["alignGoal"]["goal"]["parent"] == {
        "id": parent}
    assert goal["id"] in [c["id"] for c in (await client.data(CHILDREN, {"id": parent}))["goal"]["children"]]
    assert (await client.data(ALIGN_GOAL, {"id": goal["id"], "parent": None}))["alignGoal"]["goal"]["parent"] is None
    # add, change, record and remove a key result; its history stays with the goal
    body = await client.data(ADD_KEY_RESULT, {"id": goal["id"], "input": kr_input(title="Reviews", targetValue=4)})
    added = body["addKeyResult"]["goal"]["keyResults"][1]
    assert (added["title"], added["currentValue"], added["weight"]) == ("Reviews", 0, 1)
    body = await client.data(UPDATE_KEY_RESULT, {"id": added["id"], "input": {"targetValue": 8, "weight": 3}})
    changed = body["updateKeyResult"]["goal"]["keyResults"][1]
    assert (changed["targetValue"], changed["weight"], changed["title"]) == (8, 3, "Reviews")
    await client.data(RECORD_PROGRESS, {"id": added["id"], "value": 2})
    body = await client.data(REMOVE_KEY_RESULT, {"id": added["id"]})
    assert [k["title"] for k in body["removeKeyResult"]["goal"]["keyResults"]] == ["Chapters written"]
    history = (await client.data(HISTORY, {"id": goal["id"]}))["goal"]["progressHistory"]
    assert [(e["keyResultId"], e["newValue"]) for e in history] == [(added["id"], 2)]


async def test_archiving_moves_aligned_goals_up_and_freezes_the_goal(server: RunningServer) -> None:
    # given a goal of the employee with a child goal aligned to it
    client = server.client("employee")
    parent = my_goal()
    child = await created(server, parentId=parent["_id"])
    before = (await client.data(GOALS_OF, {"owner": persona("employee")["_id"]}))["goals"]["totalCount"]
    # when the parent is archived (twice: the second run changes nothing)
    body = await client.data(ARCHIVE_GOAL, {"id": parent["_id"]})
    assert (body["archiveGoal"]["goal"]["archived"], body["archiveGoal"]["errors"]) == (True, [])
    again = await client.data(ARCHIVE_GOAL, {"id": parent["_id"]})
    assert again["archiveGoal"]["errors"] == []
    # then the child is aligned to the archived goal's parent, and the goal leaves the lists
    assert (await client.data(GOAL, {"id": child["id"]}))["goal"]["parent"] == {"id": parent["parentId"]}
    after = (await client.data(GOALS_OF, {"owner": persona("employee")["_id"]}))["goals"]["totalCount"]
    assert after == before - 1
    # and further edits are refused
    body = await client.data(UPDATE_GOAL, {"id": parent["_id"], "input": {"title": "Again"}})
    assert body["updateGoal"]["errors"] == [error("id", "READ_ONLY", f"goal {parent['_id']!r} is archived")]


# refusals: the error, and nothing written

Case = Callable[[RunningServer], Awaitable[tuple[str, str, dict[str, Any]]]]


def mutation(who: str, query: str, variables: Callable[[], dict[str, Any]]) -> Case:
    async def run(server: RunningServer) -> tuple[str, str, dict[str, Any]]:
        return who, query, variables()
    return run


def create_with(**fields: Any) -> Case:
    return mutation("employee", CREATE_GOAL, lambda: {"input": new_goal_input(**fields)})


def with_kr(**fields: Any) -> Case:
    return create_with(keyResults=[kr_input(**fields)])


def terminated() -> dict[str, Any]:
    return next(e for e in NORTHWIND.employees if e["status"] == "terminated")


def number_kr() -> str:
    return my_goal()["keyResults"][0]["_id"]


UNIT_MAX, TEXT = 40, "x" * 201

BAD_INPUTS: list[tuple[str, Case, list[dict[str, Any]]]] = [
    ("empty title", create_with(title="  "), [error("title", "REQUIRED", "title must not be empty")]),
    ("title too long", create_with(title=TEXT),
     [error("title", "TOO_LONG", "title is longer than 200 characters")]),
    ("due before start", create_with(startDate="2026-10-01", dueDate="2026-09-30"),
     [error("dueDate", "INVALID", "dueDate 2026-09-30 is before startDate 2026-10-01")]),
    ("target equal to start", with_kr(startValue=5, targetValue=5),
     [error("keyResults.0.targetValue", "INVALID",
            "targetValue must differ from startValue, or there is no progress to make")]),
    ("zero weight", with_kr(weight=0),
     [error("keyResults.0.weight", "INVALID", "weight must be greater than 0 and at most 1000")]),
    ("negative weight", with_kr(weight=-2),
     [error("keyResults.0.weight", "INVALID", "weight must be greater than 0 and at most 1000")]),
    ("boolean with a numeric target", with_kr(metricKind="BOOLEAN", startValue=0, targetValue=5),
     [error("keyResults.0.targetValue", "INVALID", "a boolean key result takes 0 (not done) or 1 (done), not 5")]),
    ("milestone with a numeric start", with_kr(metricKind="MILESTONE", startValue=3, targetValue=1),
     [error("keyResults.0.startValue", "INVALID", "a milestone key result takes 0 (not done) or 1 (done), not 3")]),
    ("percentage above 100", with_kr(metricKind="PERCENTAGE", startValue=10, targetValue=120),
     [error("keyResults.0.targetValue", "INVALID", "a percentage lies between 0 and 100, not 120")]),
    ("unit too long", with_kr(unit="u" * (UNIT_MAX + 1)),
     [error("keyResults.0.unit", "TOO_LONG", "unit is longer than 40 characters")]),
    ("too many key results", create_with(keyResults=[kr_input() for _ in range(21)]),
     [error("keyResults", "INVALID", "a goal has at most 20 key results")]),
    ("unknown parent", create_with(parentId=UNKNOWN_ID),
     [error("parentId", "NOT_FOUND", f"no goal {UNKNOWN_ID!r} in your organisation")]),
    ("another organisation's parent", mutation("employee", CREATE_GOAL, lambda: {
        "input": new_goal_input(parentId=foreign_goal()["_id"])}),
     [error("parentId", "NOT_FOUND", f"no goal {seeded_goals(GLOBEX)[0]['_id']!r} in your organisation")]),
    ("unknown owner", mutation("hr_admin", CREATE_GOAL, lambda: {"input": new_goal_input(ownerEmployeeId=UNKNOWN_ID)}),
     [error("ownerEmployeeId", "NOT_FOUND", f"no employee {UNKNOWN_ID!r} in your organisation")]),
    ("a leaver as owner", mutation("hr_admin", CREATE_GOAL, lambda: {
        "input": new_goal_input(ownerEmployeeId=terminated()["_id"])}),
     [error("ownerEmployeeId", "INACTIVE", f"{terminated()['name']} has left")]),
    ("department goal without a department", create_with(level="DEPARTMENT"),
     [error("ownerDepartmentId", "REQUIRED", "a department goal needs ownerDepartmentId")]),
    ("individual goal with a department", mutation("employee", CREATE_GOAL, lambda: {
        "input": new_goal_input(ownerDepartmentId=persona("employee")["departmentId"])}),
     [error("ownerDepartmentId", "INVALID", "only department goals have ownerDepartmentId, not individual goals")]),
    ("a manager making a report's goal private", mutation("manager", CREATE_GOAL, lambda: {
        "input": new_goal_input(ownerEmployeeId=persona("employee")["_id"], visibility="PRIVATE")}),
     [error("visibility", "FORBIDDEN", "only the owner or HR admins make a goal private")]),
    ("update: empty title", mutation("employee", UPDATE_GOAL, lambda: {"id": my_goal()["_id"],
                                                                       "input": {"title": ""}}),
     [error("title", "REQUIRED", "title must not be empty")]),
    ("update: due before the stored start", mutation("employee", UPDATE_GOAL, lambda: {
        "id": my_goal()["_id"], "input": {"dueDate": "2026-09-01"}}),
     [error("dueDate", "INVALID", "dueDate 2026-09-01 is before startDate 2026-10-01")]),
    ("update: null visibility", mutation("employee", UPDATE_GOAL, lambda: {"id": my_goal()["_id"],
                                                                           "input": {"visibility": None}}),
     [error("visibility", "REQUIRED", "visibility must not be null")]),
    ("update: unknown goal", mutation("employee", UPDATE_GOAL, lambda: {"id": UNKNOWN_ID, "input": {"title": "x"}}),
     [error("id", "NOT_FOUND", f"no goal {UNKNOWN_ID!r} in your organisation")]),
    ("update: another organisation's goal", mutation("hr_admin", UPDATE_GOAL, lambda: {
        "id": foreign_goal()["_id"], "input": {"title": "x"}}),
     [error("id", "NOT_FOUND", f"no goal {seeded_goals(GLOBEX)[0]['_id']!r} in your organisation")]),
    ("add: zero weight", mutation("employee", ADD_KEY_RESULT, lambda: {"id": my_goal()["_id"],
                                                                       "input": kr_input(weight=0)}),
     [error("weight", "INVALID", "weight must be greater than 0 and at most 1000")]),
    ("add: boolean with target 2", mutation("employee", ADD_KEY_RESULT, lambda: {
        "id": my_goal()["_id"], "input": kr_input(metricKind="BOOLEAN", startValue=0, targetValue=2)}),
     [error("targetValue", "INVALID", "a boolean key result takes 0 (not done) or 1 (done), not 2")]),
    ("change: target onto start", mutation("employee", UPDATE_KEY_RESULT, lambda: {
        "id": number_kr(), "input": {"targetValue": my_goal()["keyResults"][0]["startValue"]}}),
     [error("targetValue", "INVALID", "targetValue must differ from startValue, or there is no progress to make")]),
    ("change: null title", mutation("employee", UPDATE_KEY_RESULT, lambda: {"id": number_kr(),
                                                                            "input": {"title": None}}),
     [error("title", "REQUIRED", "title is required")]),
    ("change: negative weight", mutation("employee", UPDATE_KEY_RESULT, lambda: {"id": number_kr(),
                                                                                 "input": {"weight": -1}}),
     [error("weight", "INVALID", "weight must be greater than 0 and at most 1000")]),
    ("progress: boolean set to 0.5", mutation("employee", RECORD_PROGRESS, lambda: {
        "id": boolean_key_result()["_id"], "value": 0.5}),
     [error("value", "INVALID", "a boolean key result takes 0 (not done) or 1 (done), not 0.5")]),
    ("progress: comment too long", mutation("employee", RECORD_PROGRESS, lambda: {
        "id": number_kr(), "value": 3, "comment": "c" * 5001}),
     [error("comment", "TOO_LONG", "comment is longer than 5000 characters")]),
    ("progress: unknown key result", mutation("employee", RECORD_PROGRESS, lambda: {"id": UNKNOWN_ID, "value": 1}),
     [error("keyResultId", "NOT_FOUND", f"no key result {UNKNOWN_ID!r} in your organisation")]),
    ("progress: another organisation's key result", mutation("hr_admin", RECORD_PROGRESS, lambda: {
        "id": foreign_goal()["keyResults"][0]["_id"], "value": 1}),
     [error("keyResultId", "NOT_FOUND",
            f"no key result {seeded_goals(GLOBEX)[0]['keyResults'][0]['_id']!r} in your organisation")]),
    ("align: below itself", mutation("employee", ALIGN_GOAL, lambda: {"id": my_goal()["_id"],
                                                                      "parent": my_goal()["_id"]}),
     [error("parentGoalId", "CYCLE", "a goal cannot be aligned below itself")]),
    ("align: unknown parent", mutation("employee", ALIGN_GOAL, lambda: {"id": my_goal()["_id"],
                                                                        "parent": UNKNOWN_ID}),
     [error("parentGoalId", "NOT_FOUND", f"no goal {UNKNOWN_ID!r} in your organisation")]),
    ("align: another organisation's parent", mutation("hr_admin", ALIGN_GOAL, lambda: {
        "id": my_goal()["_id"], "parent": foreign_goal()["_id"]}),
     [error("parentGoalId", "NOT_FOUND", f"no goal {seeded_goals(GLOBEX)[0]['_id']!r} in your organisation")]),
]
PAYLOAD_FIELD = {CREATE_GOAL: "createGoal", UPDATE_GOAL: "updateGoal", ADD_KEY_RESULT: "addKeyResult",
                 UPDATE_KEY_RESULT: "updateKeyResult", RECORD_PROGRESS: "updateKeyResultProgress",
                 ALIGN_GOAL: "alignGoal"}


@pytest.mark.parametrize(("case", "expected"), [(case, expected) for _, case, expected in BAD_INPUTS],
                         ids=[name for name, _, _ in BAD_INPUTS])
async def test_bad_input_is_refused_and_nothing_changes(server: RunningServer, case: Case,
                                                        expected: list[dict[str, Any]]) -> None:
    # given the store as seeded
    who, query, variables = await case(server)
    before = await snapshot(server)
    # when the mutation runs with the bad input
    body = await server.client(who).data(query, variables)
    # then the payload names the problem, carries no goal, and nothing was written
    payload = body[PAYLOAD_FIELD[query]]
    assert (payload["goal"], payload["errors"]) == (None, expected)
    assert await snapshot(server) == before


async def test_aligning_a_goal_below_its_own_descendant_is_a_cycle(server: RunningServer) -> None:
    # given a chain top ← middle ← bottom, all the employee's
    top = await created(server, title="Top")
    middle = await created(server, title="Middle", parentId=top["id"])
    bottom = await created(server, title="Bottom", parentId=middle["id"])
    before = await snapshot(server)
    # when the top goal is aligned below the bottom one (two levels down) or the middle one
    client = server.client("employee")
    for parent in (bottom, middle):
        body = await client.data(ALIGN_GOAL, {"id": top["id"], "parent": parent["id"]})
        # then it is refused as a cycle and nothing changes
        assert body["alignGoal"] == {"goal": None, "errors": [
            error("parentGoalId", "CYCLE", "a goal cannot be aligned below itself")]}
    assert await snapshot(server) == before


async def test_an_archived_parent_and_an_invisible_parent_are_refused(server: RunningServer) -> None:
    # given an archived goal of the employee, and a private goal of someone else
    client = server.client("employee")
    archived = await created(server, title="Old")
    await client.data(ARCHIVE_GOAL, {"id": archived["id"]})
    me = persona("employee")
    private = next(g for g in seeded_goals() if g["visibility"] == "private" and g["ownerEmployeeId"] != me["_id"]
                   and not g["archived"])
    before = await snapshot(server)
    # when a new goal names them as parent
    for parent, expected in ((archived["id"], error("parentId", "INACTIVE", f"goal {archived['id']!r} is archived")),
                             (private["_id"], error("parentId", "NOT_FOUND",
                                                    f"no goal {private['_id']!r} in your organisation"))):
        body = await client.data(CREATE_GOAL, {"input": new_goal_input(parentId=parent)})
        # then the archived one is inactive and the invisible one is unknown; nothing is written
        assert body["createGoal"] == {"goal": None, "errors": [expected]}
    assert await snapshot(server) == before


async def test_changing_the_kind_needs_a_fitting_value(server: RunningServer) -> None:
    # given a number key result at 3
    client = server.client("employee")
    goal = await created(server, keyResults=[kr_input(currentValue=3)])
    before = await snapshot(server)
    # when it is turned into a boolean 0 → 1
    key_result = goal["keyResults"][0]["id"]
    body = await client.data(UPDATE_KEY_RESULT, {"id": key_result, "input": {
        "metricKind": "BOOLEAN", "startValue": 0, "targetValue": 1}})
    # then the current value does not fit and nothing changes
    assert body["updateKeyResult"]["errors"] == [error(
        "currentValue", "INVALID", "a boolean key result takes 0 (not done) or 1 (done), not 3 "
                                   "(record progress first, then change the key result)")]
    assert await snapshot(server) == before
