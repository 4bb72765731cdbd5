"""Goal mutations racing each other on the real server: each test parks one mutation at a chosen store call
(``tests/interleave.py``), runs another to completion meanwhile, then checks the invariant."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

import pytest

from tests.conftest import RunningServer
from tests.goals.support import (
    ADD_KEY_RESULT,
    ALIGN_GOAL,
    ARCHIVE_GOAL,
    CREATE_GOAL,
    HISTORY,
    RECORD_PROGRESS,
    SET_STATUS,
    UPDATE_GOAL,
    UPDATE_KEY_RESULT,
    error,
    goals_of,
    kr_input,
    new_goal_input,
    persona,
    seeded_goals,
    stored_goal,
)
from tests.interleave import hold

PRIVATE = "mutation($id: ID!) { updateGoal(id: $id, input: {visibility: PRIVATE}) { errors { code } } }"
CYCLE = error("parentGoalId", "CYCLE", "a goal cannot be aligned below itself")


async def created(server: RunningServer, **fields: Any) -> dict[str, Any]:
    body = await server.client("employee").data(CREATE_GOAL, {"input": new_goal_input(**fields)})
    assert body["createGoal"]["errors"] == []
    return body["createGoal"]["goal"]


async def while_held(server: RunningServer, collection: str, method: str, held_call: Awaitable[dict[str, Any]],
                     meanwhile: Awaitable[dict[str, Any]]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Run ``held_call`` until it reaches ``method`` on ``collection``, then ``meanwhile`` to completion,
    then let the first go on; both responses."""
    async with hold(server.database, collection, method) as held:
        first = asyncio.ensure_future(held_call)
        await asyncio.wait_for(held.reached.wait(), 10)
        second = await meanwhile
    return await first, second


async def live_goals_below(server: RunningServer, parent_id: str) -> list[dict[str, Any]]:
    return await server.database.goals.find({"parentId": parent_id, "archived": {"$ne": True}}).to_list(None)


def without_tree_version(goal: dict[str, Any] | None) -> dict[str, Any]:
    """A goal without the counter that other goals' alignments below it increment (``treeVersion``)."""
    return {k: v for k, v in (goal or {}).items() if k != "treeVersion"}


# several goals at once: create with a parent, align, archive

async def test_no_goal_is_created_below_a_parent_archived_meanwhile(server: RunningServer) -> None:
    # given the employee's goal, and a new goal for it being created (parked just before its insert)
    client = server.client("employee")
    parent = await created(server, title="Parent")
    # when the parent is archived meanwhile
    body, archived = await while_held(server, "goals", "insert_one",
                                      client.data(CREATE_GOAL, {"input": new_goal_input(parentId=parent["id"])}),
                                      client.data(ARCHIVE_GOAL, {"id": parent["id"]}))
    # then the archive stands and the creation is refused as if the parent had been archived before
    assert archived["archiveGoal"]["errors"] == []
    assert body["createGoal"] == {"goal": None, "errors": [
        error("parentId", "INACTIVE", f"goal {parent['id']!r} is archived")]}
    assert await live_goals_below(server, parent["id"]) == []


async def test_archiving_takes_along_a_goal_created_below_it_meanwhile(server: RunningServer) -> None:
    # given an aligned goal of the employee being archived (parked at archiving it, after moving its children)
    client = server.client("employee")
    grandparent = await created(server, title="Grandparent")
    parent = await created(server, title="Parent", parentId=grandparent["id"])
    # when a goal is created below it meanwhile
    archived, body = await while_held(server, "goals", "update_one",
                                      client.data(ARCHIVE_GOAL, {"id": parent["id"]}),
                                      client.data(CREATE_GOAL, {"input": new_goal_input(parentId=parent["id"])}))
    # then both succeed, and the new goal moved up with the other children: none is left below an archived goal
    assert (archived["archiveGoal"]["errors"], body["createGoal"]["errors"]) == ([], [])
    assert (await stored_goal(server, parent["id"]))["archived"] is True
    assert (await stored_goal(server, body["createGoal"]["goal"]["id"]))["parentId"] == grandparent["id"]
    assert await live_goals_below(server, parent["id"]) == []


async def test_no_goal_is_aligned_below_a_parent_archived_meanwhile(server: RunningServer) -> None:
    # given two goals of the employee, one being aligned below the other (parked at its write)
    client = server.client("employee")
    goal, parent = await created(server, title="Goal"), await created(server, title="Parent")
    before = await stored_goal(server, goal["id"])
    # when the parent is archived meanwhile
    body, archived = await while_held(server, "goals", "update_one",
                                      client.data(ALIGN_GOAL, {"id": goal["id"], "parent": parent["id"]}),
                                      client.data(ARCHIVE_GOAL, {"id": parent["id"]}))
    # then the archive stands and the alignment is refused, the goal as it was
    assert archived["archiveGoal"]["errors"] == []
    assert body["alignGoal"] == {"goal": None, "errors": [
        error("parentGoalId", "INACTIVE", f"goal {parent['id']!r} is archived")]}
    assert await stored_goal(server, goal["id"]) == before


async def test_two_alignments_cannot_close_a_loop_between_them(server: RunningServer) -> None:
    # given goals top ← below, and another goal apart; the top one being aligned below the other
    # (parked at its write), which is fine on its own
    client = server.client("employee")
    top, other = await created(server, title="Top"), await created(server, title="Other")
    below = await created(server, title="Below", parentId=top["id"])
    before = await stored_goal(server, top["id"])
    # when the other goal is aligned below `below` meanwhile (also fine on its own, not with the first)
    first, second = await while_held(server, "goals", "update_one",
                                     client.data(ALIGN_GOAL, {"id": top["id"], "parent": other["id"]}),
                                     client.data(ALIGN_GOAL, {"id": other["id"], "parent": below["id"]}))
    # then the one that committed first stands, the other is refused as a cycle and wrote nothing
    assert second["alignGoal"]["errors"] == []
    assert first["alignGoal"] == {"goal": None, "errors": [CYCLE]}
    assert without_tree_version(await stored_goal(server, top["id"])) == without_tree_version(before)
    assert (await stored_goal(server, other["id"]))["parentId"] == below["id"]


@pytest.mark.parametrize("mutation", ["createGoal", "alignGoal"])
async def test_no_goal_goes_below_a_parent_that_turned_private_meanwhile(server: RunningServer,
                                                                         mutation: str) -> None:
    # given the manager putting a goal of their own below the employee's management-chain goal (which they
    # may see), parked just before the write
    parent = next(g for g in goals_of(persona("employee")["_id"]) if g["visibility"] == "management_chain")
    manager = server.client("manager")
    if mutation == "createGoal":
        call, method = manager.data(CREATE_GOAL, {"input": new_goal_input(parentId=parent["_id"])}), "insert_one"
    else:
        mine = (await manager.data(CREATE_GOAL, {"input": new_goal_input()}))["createGoal"]["goal"]
        call, method = manager.data(ALIGN_GOAL, {"id": mine["id"], "parent": parent["_id"]}), "update_one"
    # when the employee makes that goal private meanwhile
    body, private = await while_held(server, "goals", method, call,
                                     server.client("employee").data(PRIVATE, {"id": parent["_id"]}))
    # then the parent is unknown to the manager, as if it had been private before, and nothing went below it
    assert private["updateGoal"]["errors"] == []
    field = "parentId" if mutation == "createGoal" else "parentGoalId"
    assert body[mutation] == {"goal": None, "errors": [
        error(field, "NOT_FOUND", f"no goal {parent['_id']!r} in your organisation")]}
    assert sorted(g["_id"] for g in await live_goals_below(server, parent["_id"])) == sorted(
        g["_id"] for g in seeded_goals() if g["parentId"] == parent["_id"] and not g["archived"])


# one goal: every conditional write re-checks what the permission was decided on

def _manager_edits(goal: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    key_result = goal["keyResults"][0]["_id"]
    return [
        ("updateGoal", UPDATE_GOAL, {"id": goal["_id"], "input": {"title": "Renamed by the manager"}}),
        ("setGoalStatus", SET_STATUS, {"id": goal["_id"], "status": "OFF_TRACK"}),
        ("alignGoal", ALIGN_GOAL, {"id": goal["_id"], "parent": None}),
        ("addKeyResult", ADD_KEY_RESULT, {"id": goal["_id"], "input": kr_input(title="Added by the manager")}),
        ("updateKeyResult", UPDATE_KEY_RESULT, {"id": key_result, "input": {"weight": 7}}),
        ("updateKeyResultProgress", RECORD_PROGRESS, {"id": key_result, "value": 42}),
    ]


MANAGER_EDITS = ["updateGoal", "setGoalStatus", "alignGoal", "addKeyResult", "updateKeyResult",
                 "updateKeyResultProgress"]
KEPT = ("title", "status", "parentId", "keyResults", "progressHistory")


@pytest.mark.parametrize("name", MANAGER_EDITS)
async def test_an_edit_allowed_before_the_goal_turned_private_is_not_written(server: RunningServer,
                                                                            name: str) -> None:
    # given the manager editing the employee's management-chain goal (parked at the write, allowed so far)
    goal = next(g for g in goals_of(persona("employee")["_id"]) if g["visibility"] == "management_chain")
    _, query, variables = next(edit for edit in _manager_edits(goal) if edit[0] == name)
    before = await stored_goal(server, goal["_id"])
    # when the employee makes the goal private meanwhile
    body, private = await while_held(server, "goals", "update_one", server.client("manager").data(query, variables),
                                     server.client("employee").data(PRIVATE, {"id": goal["_id"]}))
    # then the manager's edit is refused as on a goal they cannot see, and nothing of it was written
    assert private["updateGoal"]["errors"] == []
    assert body[name]["goal"] is None
    assert [e["code"] for e in body[name]["errors"]] == ["NOT_FOUND"]
    after = await stored_goal(server, goal["_id"])
    assert (after["visibility"], {k: after[k] for k in KEPT}) == ("private", {k: before[k] for k in KEPT})


# key results: a value and its history entry are checked against the key result as it is

async def test_a_value_is_not_recorded_against_a_kind_changed_meanwhile(server: RunningServer) -> None:
    # given a number key result (0 → 10, at 0) getting the value 5 (parked at its write)
    client = server.client("employee")
    goal = await created(server)
    key_result = goal["keyResults"][0]["id"]
    # when it is turned into a boolean meanwhile (its value 0 fits that)
    body, changed = await while_held(server, "goals", "update_one",
                                     client.data(RECORD_PROGRESS, {"id": key_result, "value": 5}),
                                     client.data(UPDATE_KEY_RESULT, {"id": key_result, "input": {
                                         "metricKind": "BOOLEAN", "startValue": 0, "targetValue": 1}}))
    # then the change stands and 5 is refused as a boolean value: no value ever contradicts its kind
    assert changed["updateKeyResult"]["errors"] == []
    assert body["updateKeyResultProgress"] == {"goal": None, "errors": [
        error("value", "INVALID", "a boolean key result takes 0 (not done) or 1 (done), not 5")]}
    stored = await stored_goal(server, goal["id"])
    assert [(kr["metricKind"], kr["currentValue"]) for kr in stored["keyResults"]] == [("boolean", 0)]
    assert stored["progressHistory"] == []


async def test_a_history_entry_names_the_key_result_as_it_is_when_recorded(server: RunningServer) -> None:
    # given a key result getting a new value (parked at its write)
    client = server.client("employee")
    goal = await created(server)
    key_result = goal["keyResults"][0]["id"]
    # when it is renamed meanwhile
    body, renamed = await while_held(server, "goals", "update_one",
                                     client.data(RECORD_PROGRESS, {"id": key_result, "value": 3}),
                                     client.data(UPDATE_KEY_RESULT, {"id": key_result, "input": {"title": "Pages"}}))
    # then both land, and the history entry carries the title the key result had when the value was written
    assert (body["updateKeyResultProgress"]["errors"], renamed["updateKeyResult"]["errors"]) == ([], [])
    history = (await client.data(HISTORY, {"id": goal["id"]}))["goal"]["progressHistory"]
    assert [(e["keyResultTitle"], e["oldValue"], e["newValue"]) for e in history] == [("Pages", 0, 3)]


@pytest.mark.parametrize("meanwhile", ["another key result added", "a value recorded"])
async def test_concurrent_key_result_edits_are_retried_never_lost(server: RunningServer, meanwhile: str) -> None:
    # given a key result being added to a goal (parked at its write)
    client = server.client("employee")
    goal = await created(server)
    first_kr = goal["keyResults"][0]["id"]
    other = (client.data(ADD_KEY_RESULT, {"id": goal["id"], "input": kr_input(title="Second")})
             if meanwhile == "another key result added" else client.data(RECORD_PROGRESS, {"id": first_kr, "value": 4}))
    # when another change of the goal's key results commits meanwhile
    body, _ = await while_held(server, "goals", "update_one",
                               client.data(ADD_KEY_RESULT, {"id": goal["id"], "input": kr_input(title="Added")}),
                               other)
    # then the parked write ran again on top of it: both changes are there
    assert body["addKeyResult"]["errors"] == []
    stored = await stored_goal(server, goal["id"])
    titles = [kr["title"] for kr in stored["keyResults"]]
    if meanwhile == "another key result added":
        assert titles == ["Chapters written", "Second", "Added"]
    else:
        assert titles == ["Chapters written", "Added"]
        assert stored["keyResults"][0]["currentValue"] == 4
        assert [(e["oldValue"], e["newValue"]) for e in stored["progressHistory"]] == [(0, 4)]
