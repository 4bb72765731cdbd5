"""Goal events go to one channel per goal and one per owner: a ``goalProgressChanged`` subscriber wakes only for
changes to the goal (or below it) or to the owner it follows, never for every goal change of the organisation."""

from __future__ import annotations

from typing import Any

import pytest

from tests.client import websocket
from tests.conftest import NORTHWIND, RunningServer, published
from tests.goals.support import RECORD_PROGRESS, goals_of, persona, seeded_goals

SUBSCRIBE = "subscription($goal: ID, $owner: ID) { goalProgressChanged(goalId: $goal, ownerId: $owner) { kind } }"


def first_goal_with_key_results(owner_id: str) -> dict[str, Any]:
    return next(g for g in goals_of(owner_id) if g.get("keyResults"))


async def test_a_subscriber_wakes_only_for_its_goal_or_owner(server: RunningServer,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    me, other = persona("employee"), persona("manager")
    mine, theirs = first_goal_with_key_results(me["_id"]), first_goal_with_key_results(other["_id"])
    org = NORTHWIND.organization["_id"]
    sent = published(server, monkeypatch)
    async with websocket(server.ws_url, server.token("employee")) as goal_follower, \
            websocket(server.ws_url, server.token("employee")) as owner_follower:
        await goal_follower.subscribe(SUBSCRIBE, {"goal": mine["_id"]})
        await owner_follower.subscribe(SUBSCRIBE, {"owner": me["_id"]})
        await server.wait_subscribers(2)
        # given their channels: the goal's and the owner's
        followed = {f"goal-progress:{org}:goal:{mine['_id']}", f"goal-progress:{org}:owner:{me['_id']}"}
        assert followed <= set(server.bus._channels)
        # when the manager records progress on a goal of their own, unrelated to the employee's
        body = await server.client("manager").data(RECORD_PROGRESS, {"id": theirs["keyResults"][0]["_id"], "value": 1})
        assert body["updateKeyResultProgress"]["errors"] == []
        # then that change went to its own goals' and owners' channels, none of the ones followed
        channels = {channel for channel, _ in sent}
        assert channels and all(channel.startswith(f"goal-progress:{org}:") for channel in channels)
        assert f"goal-progress:{org}:goal:{theirs['_id']}" in channels
        assert not followed & channels
        # and a change of the employee's goal reaches both followers on their channels
        sent.clear()
        body = await server.client("employee").data(RECORD_PROGRESS, {"id": mine["keyResults"][0]["_id"], "value": 1})
        assert body["updateKeyResultProgress"]["errors"] == []
        assert followed <= {channel for channel, _ in sent}
        for follower in (goal_follower, owner_follower):
            assert (await follower.next_payload())["data"]["goalProgressChanged"] == {"kind": "PROGRESS_RECORDED"}


async def test_an_event_names_each_goals_owner_for_its_receivers_to_read_beside_the_goal(
        server: RunningServer, monkeypatch: pytest.MonkeyPatch) -> None:
    me = persona("employee")
    mine = first_goal_with_key_results(me["_id"])
    sent = published(server, monkeypatch)
    # when the employee records progress on their goal
    body = await server.client("employee").data(RECORD_PROGRESS, {"id": mine["keyResults"][0]["_id"], "value": 1})
    assert body["updateKeyResultProgress"]["errors"] == []
    # then the event names the owner of every goal it is about: the employee for theirs, and for each ancestor
    # its own owner (an employee, or a department), as the seeded goals say
    by_id = {g["_id"]: g for g in seeded_goals(NORTHWIND)}
    message = sent[0][1]
    owner_of = message["ownerOf"]
    assert owner_of[mine["_id"]] == ["employee", me["_id"]]
    for goal_id in message["goalIds"]:
        goal = by_id[goal_id]
        expected = ["employee", goal["ownerEmployeeId"]] if goal.get("ownerEmployeeId") else \
            ["department", goal["ownerDepartmentId"]]
        assert owner_of[goal_id] == expected
    assert len(message["goalIds"]) > 1  # the goal and at least one ancestor


async def test_an_event_about_a_department_goal_names_the_head_its_writer_read_and_no_other(
        server: RunningServer, monkeypatch: pytest.MonkeyPatch) -> None:
    # given a department's goal with a key result, below another goal
    heads = {d["_id"]: d.get("headId") for d in NORTHWIND.departments}
    goal = next(g for g in seeded_goals(NORTHWIND) if g.get("ownerDepartmentId") and g.get("keyResults")
                and g.get("parentId") and heads[g["ownerDepartmentId"]])
    sent = published(server, monkeypatch)
    # when the HR admin records progress on it (deciding they may edit it read the department's head)
    body = await server.client("hr_admin").data(RECORD_PROGRESS, {"id": goal["keyResults"][0]["_id"], "value": 1})
    assert body["updateKeyResultProgress"]["errors"] == []
    # then the event names that head beside the goal's department, and the ancestors' owners as they are, the
    # heads of their departments not read for it
    owner_of = sent[0][1]["ownerOf"]
    assert owner_of[goal["_id"]] == ["department", goal["ownerDepartmentId"], heads[goal["ownerDepartmentId"]]]
    by_id = {g["_id"]: g for g in seeded_goals(NORTHWIND)}
    for goal_id in sent[0][1]["goalIds"][1:]:
        ancestor = by_id[goal_id]
        assert owner_of[goal_id] == (["employee", ancestor["ownerEmployeeId"]] if ancestor.get("ownerEmployeeId")
                                     else ["department", ancestor["ownerDepartmentId"]])
