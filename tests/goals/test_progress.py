"""Progress arithmetic (rising, falling, boolean, milestone, weighted), roll-up through alignment
levels, and the progress history, both as pure rules and end to end."""

from __future__ import annotations

import asyncio
import itertools

import pytest

from models.goals.rules import goal_progress, key_result_progress, rolled_progress
from tests.conftest import RunningServer
from tests.goals.support import (
    CREATE_GOAL,
    GOAL,
    HISTORY,
    RECORD_PROGRESS,
    SET_STATUS,
    goal_by_id,
    kr_input,
    new_goal_input,
    persona,
    seeded_goals,
)


def kr(kind: str, start: float, target: float, current: float, weight: float = 1.0) -> dict:
    return {"metricKind": kind, "startValue": start, "targetValue": target, "currentValue": current, "weight": weight}


# pure rules

@pytest.mark.parametrize(("key_result", "expected"), [
    (kr("number", 0, 10, 4), 0.4),                 # rising
    (kr("currency", 100, 300, 250), 0.75),
    (kr("percentage", 8, 5, 6.5), 0.5),            # falling: churn from 8 % to 5 %, now 6.5 %
    (kr("percentage", 8, 5, 5), 1.0),
    (kr("number", 12, 4, 14), 0.0),                # worse than the start: clamped at 0
    (kr("number", 0, 10, 13), 1.0),                # beyond the target: clamped at 1
    (kr("boolean", 0, 1, 0), 0.0),
    (kr("boolean", 0, 1, 1), 1.0),
    (kr("boolean", 1, 0, 0), 1.0),                 # "stop doing X": done when it reaches 0
    (kr("milestone", 0, 1, 0), 0.0),
    (kr("milestone", 0, 1, 1), 1.0),
])
def test_key_result_progress(key_result: dict, expected: float) -> None:
    assert key_result_progress(key_result) == pytest.approx(expected)


def test_goal_progress_is_the_weighted_mean_of_its_key_results() -> None:
    goal = {"keyResults": [kr("number", 0, 10, 5, weight=3), kr("boolean", 0, 1, 1, weight=1)]}
    assert goal_progress(goal) == pytest.approx((3 * 0.5 + 1 * 1.0) / 4)
    assert goal_progress({"keyResults": []}) == 0.0


def test_roll_up_through_three_levels() -> None:
    # given company ← department ← two individual goals (one cancelled, which does not count)
    company = {"_id": "c", "rollUpChildren": True, "keyResults": []}
    department = {"_id": "d", "rollUpChildren": True, "keyResults": [kr("number", 0, 10, 2)]}
    first = {"_id": "i1", "rollUpChildren": False, "keyResults": [kr("number", 0, 10, 6)]}
    second = {"_id": "i2", "rollUpChildren": False, "keyResults": [kr("milestone", 0, 1, 1)]}
    cancelled = {"_id": "i3", "status": "cancelled", "keyResults": [kr("number", 0, 10, 0)]}
    tree = {"c": [department], "d": [first, second, cancelled]}
    # then the department is the mean of its own key results and its two counted children,
    # and the company (no key results of its own) is its only child's rolled-up progress
    expected = (0.2 + 0.6 + 1.0) / 3
    assert rolled_progress(department, lambda id: tree.get(id, [])) == pytest.approx(expected)
    assert rolled_progress(company, lambda id: tree.get(id, [])) == pytest.approx(expected)
    # and without the setting, a goal counts its own key results only
    assert rolled_progress({**department, "rollUpChildren": False}, lambda id: tree.get(id, [])) == 0.2


def test_a_stored_cycle_does_not_loop() -> None:
    a = {"_id": "a", "rollUpChildren": True, "keyResults": [kr("number", 0, 10, 10)]}
    b = {"_id": "b", "rollUpChildren": True, "keyResults": [kr("number", 0, 10, 0)]}
    links = {"a": [b], "b": [a]}
    assert rolled_progress(a, lambda id: links[id]) == pytest.approx(0.5)


def test_seeded_values_match_their_history() -> None:
    # every seeded key result's value is where its recorded history ends
    for goal in seeded_goals():
        for key_result in goal["keyResults"]:
            entries = [e for e in goal["progressHistory"] if e["keyResultId"] == key_result["_id"]]
            if entries:
                assert entries[0]["oldValue"] == key_result["startValue"]
                assert entries[-1]["newValue"] == key_result["currentValue"]
                assert all(a["newValue"] == b["oldValue"] for a, b in itertools.pairwise(entries))
            else:
                assert key_result["currentValue"] == key_result["startValue"]


# end to end

KINDS = [
    kr_input(title="Rising", metricKind="NUMBER", startValue=0, targetValue=10, currentValue=4, weight=1),
    kr_input(title="Falling", metricKind="PERCENTAGE", startValue=8, targetValue=5, currentValue=6.5, weight=2),
    kr_input(title="Flag", metricKind="BOOLEAN", startValue=0, targetValue=1, currentValue=1, weight=1),
    kr_input(title="Step", metricKind="MILESTONE", startValue=0, targetValue=1, currentValue=0, weight=4),
]


async def test_progress_of_each_kind_and_the_weighted_goal(server: RunningServer) -> None:
    # when an employee creates a goal with one key result of each kind
    client = server.client("employee")
    body = await client.data(CREATE_GOAL, {"input": new_goal_input(keyResults=KINDS)})
    goal = body["createGoal"]["goal"]
    # then each key result's progress and the weighted mean come back
    assert [k["progress"] for k in goal["keyResults"]] == pytest.approx([0.4, 0.5, 1.0, 0.0])
    expected = (1 * 0.4 + 2 * 0.5 + 1 * 1.0 + 4 * 0.0) / 8
    assert goal["progress"] == pytest.approx(expected)
    assert goal["keyResultProgress"] == pytest.approx(expected)
    # and recording the milestone as reached moves the goal
    milestone = goal["keyResults"][3]["id"]
    after = (await client.data(RECORD_PROGRESS, {"id": milestone, "value": 1}))["updateKeyResultProgress"]["goal"]
    assert after["progress"] == pytest.approx((0.4 + 1.0 + 1.0 + 4.0) / 8)


async def create(client, **fields) -> dict:
    body = await client.data(CREATE_GOAL, {"input": new_goal_input(**fields)})
    assert body["createGoal"]["errors"] == []
    return body["createGoal"]["goal"]


async def test_roll_up_through_three_alignment_levels(server: RunningServer) -> None:
    # given (created by HR) a company goal ← a department goal ← two individual goals, both parents rolling up
    hr = server.client("hr_admin")
    me = persona("employee")
    engineering = next(d for d in server.demo.departments if d["headId"] and d["name"] == "Engineering")
    company = await create(hr, title="Company", level="COMPANY", rollUpChildren=True, keyResults=[])
    department = await create(hr, title="Department", level="DEPARTMENT", ownerDepartmentId=engineering["_id"],
                              parentId=company["id"], rollUpChildren=True,
                              keyResults=[kr_input(startValue=0, targetValue=10, currentValue=2)])
    first = await create(hr, title="First", ownerEmployeeId=me["_id"], parentId=department["id"],
                         keyResults=[kr_input(startValue=100, targetValue=50, currentValue=80)])  # falling: 0.4
    second = await create(hr, title="Second", ownerEmployeeId=me["_id"], parentId=department["id"],
                          keyResults=[kr_input(metricKind="BOOLEAN", startValue=0, targetValue=1)])
    # then the department is the mean of its own key results (0.2) and its children (0.4, 0.0)
    progress = {}
    for goal in (company, department, first, second):
        progress[goal["title"]] = (await hr.data(GOAL, {"id": goal["id"]}))["goal"]["progress"]
    assert progress == pytest.approx({"Company": 0.2, "Department": 0.2, "First": 0.4, "Second": 0.0})
    # when the employee reaches the boolean key result of the second goal
    await server.client("employee").data(RECORD_PROGRESS, {"id": second["keyResults"][0]["id"], "value": 1})
    # then the change rolls up two levels, shown to four decimal places (computed in full, rounded once)
    expected = 0.5333  # (0.2 + 0.4 + 1.0) / 3
    for goal in (department, company):
        assert (await hr.data(GOAL, {"id": goal["id"]}))["goal"]["progress"] == expected
    # and a cancelled child leaves the roll-up
    await hr.data(SET_STATUS, {"id": first["id"], "status": "CANCELLED"})
    assert (await hr.data(GOAL, {"id": company["id"]}))["goal"]["progress"] == pytest.approx((0.2 + 1.0) / 2)


async def test_every_value_change_is_recorded(server: RunningServer) -> None:
    # given an employee's new goal
    client = server.client("employee")
    me = persona("employee")
    goal = await create(client)
    key_result = goal["keyResults"][0]["id"]
    # when they record two values, the second with a comment, and their manager a third
    await client.data(RECORD_PROGRESS, {"id": key_result, "value": 3})
    await client.data(RECORD_PROGRESS, {"id": key_result, "value": 5, "comment": "  Halfway there  "})
    await server.client(me["managerId"]).data(RECORD_PROGRESS, {"id": key_result, "value": 6})
    # then the history has who, old, new and comment, oldest first, with increasing times
    history = (await client.data(HISTORY, {"id": goal["id"]}))["goal"]["progressHistory"]
    assert [(e["by"]["id"], e["oldValue"], e["newValue"], e["comment"]) for e in history] == [
        (me["_id"], 0, 3, None), (me["_id"], 3, 5, "Halfway there"), (me["managerId"], 5, 6, None)]
    assert all(e["keyResultId"] == key_result and e["keyResultTitle"] == "Chapters written" for e in history)
    assert [e["at"] for e in history] == sorted(e["at"] for e in history)


async def test_seeded_history_is_served(server: RunningServer) -> None:
    # given a seeded goal with the longest history the viewer (HR) may read
    goal = max(seeded_goals(), key=lambda g: len(g["progressHistory"]))
    history = (await server.client("hr_admin").data(HISTORY, {"id": goal["_id"]}))["goal"]["progressHistory"]
    # then it comes back entry for entry
    assert [(e["id"], e["oldValue"], e["newValue"], e["by"]["id"]) for e in history] == [
        (e["_id"], e["oldValue"], e["newValue"], e["byId"]) for e in goal_by_id(goal["_id"])["progressHistory"]]


async def test_concurrent_updates_never_lose_a_history_entry(server: RunningServer) -> None:
    # given a new goal, and four updates of its key result sent at the same time by the owner and the manager
    me = persona("employee")
    goal = await create(server.client("employee"))
    key_result = goal["keyResults"][0]["id"]
    clients = [server.client("employee"), server.client(me["managerId"])] * 2
    bodies = await asyncio.gather(*(c.data(RECORD_PROGRESS, {"id": key_result, "value": v})
                                    for c, v in zip(clients, (1, 2, 3, 4), strict=True)))
    # then each that succeeded is one entry, and the entries chain old → new without a gap
    succeeded = [b["updateKeyResultProgress"]["goal"] is not None for b in bodies]
    history = (await server.client("hr_admin").data(HISTORY, {"id": goal["id"]}))["goal"]["progressHistory"]
    assert len(history) == sum(succeeded) == 4
    assert history[0]["oldValue"] == 0
    assert all(a["newValue"] == b["oldValue"] for a, b in itertools.pairwise(history))
    final = (await server.client("hr_admin").data(GOAL, {"id": goal["id"]}))["goal"]["keyResults"][0]["currentValue"]
    assert final == history[-1]["newValue"]


async def test_progress_is_shown_to_four_places_without_float_noise(server: RunningServer) -> None:
    # given a goal of two equally weighted key results, one reached and one at 9 of 25, whose mean in
    # floating point is 0.6799999999999999, and a company goal rolling it up with a third of 1 of 3
    hr = server.client("hr_admin")
    me = persona("employee")
    company = await create(hr, title="Company", level="COMPANY", rollUpChildren=True,
                           keyResults=[kr_input(startValue=0, targetValue=3, currentValue=1)])
    goal = await create(hr, title="Two key results", ownerEmployeeId=me["_id"], parentId=company["id"],
                        keyResults=[kr_input(startValue=0, targetValue=1, currentValue=1),
                                    kr_input(startValue=0, targetValue=25, currentValue=9)])
    assert (1.0 + 9 / 25) / 2 == 0.6799999999999999
    # when HR reads both goals and the key results
    query = "query($id: ID!) { goal(id: $id) { progress keyResultProgress keyResults { progress } } }"
    mine = (await hr.data(query, {"id": goal["id"]}))["goal"]
    top = (await hr.data(query, {"id": company["id"]}))["goal"]
    # then every progress is rounded once, where it is computed, to four decimal places
    assert mine == {"progress": 0.68, "keyResultProgress": 0.68, "keyResults": [{"progress": 1.0},
                                                                               {"progress": 0.36}]}
    assert top == {"progress": 0.5067, "keyResultProgress": 0.3333, "keyResults": [{"progress": 0.3333}]}
