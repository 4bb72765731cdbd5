"""goalProgressChanged over WebSocket: the changed goal and each of its ancestors are pushed, each only to
subscribers allowed to see that goal, checked again for every event.

"Nothing else arrived" is proved with a marker: a later change the subscriber does hear of, received first.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.client import LEGACY_WS, TRANSPORT_WS, Subscriber, websocket
from tests.conftest import GLOBEX, NORTHWIND, RunningServer
from tests.goals.support import (
    RECORD_PROGRESS,
    SET_STATUS,
    UNKNOWN_ID,
    goal_by_id,
    goals_of,
    persona,
    seeded_goals,
)

PROGRESS_CHANGED = """
subscription($goal: ID, $owner: ID) {
  goalProgressChanged(goalId: $goal, ownerId: $owner) {
    kind progress changedGoalId keyResultId goal { id title progress }
  }
}"""
PROGRESS = "query($id: ID!) { goal(id: $id) { progress } }"
ALIGN = """
mutation($id: ID!, $parent: ID) { alignGoal(goalId: $id, parentGoalId: $parent) { errors { code } } }"""
SHARE_AGAIN = """
mutation($id: ID!) { updateGoal(id: $id, input: {visibility: MANAGEMENT_CHAIN}) { errors { code } } }"""
SET_VISIBILITY = """
mutation($id: ID!, $visibility: GoalVisibility!) {
  updateGoal(id: $id, input: {visibility: $visibility}) { errors { code } }
}"""


def me() -> dict[str, Any]:
    return persona("employee")


def my(visibility: str) -> dict[str, Any]:
    return next(g for g in goals_of(me()["_id"]) if g["visibility"] == visibility)


def ancestors(goal: dict[str, Any]) -> list[dict[str, Any]]:
    chain = []
    while goal["parentId"]:
        goal = goal_by_id(goal["parentId"])
        chain.append(goal)
    return chain


def outsider() -> dict[str, Any]:
    """An active level-2 leader outside the employee's chain, not an HR admin."""
    return next(e for e in NORTHWIND.employees if e.get("managerId") == me()["managerChain"][0]
                and e["_id"] not in me()["managerChain"] and e["status"] == "active" and "hr_admin" not in e["roles"])


async def event(subscriber: Subscriber) -> dict[str, Any]:
    payload = await subscriber.next_payload()
    assert "errors" not in payload, payload
    return payload["data"]["goalProgressChanged"]


async def status_marker(server: RunningServer, who: str, goal_id: str, org: Any = NORTHWIND) -> None:
    """A change every subscriber of the goal (or of a goal above it) hears of: its status."""
    body = await server.client(who, org).data(SET_STATUS, {"id": goal_id, "status": "AT_RISK"})
    assert body["setGoalStatus"]["errors"] == []


async def marker(subscriber: Subscriber) -> tuple[str, str, str | None]:
    """(kind, goal, changed goal) of the next event: the marker, if nothing came before it."""
    pushed = await event(subscriber)
    return pushed["kind"], pushed["goal"]["id"], pushed["changedGoalId"]


async def progress_now(server: RunningServer, goal_id: str, who: str = "hr_admin") -> float:
    """The goal's progress as ``who`` reads it (a rolled-up goal counts only the children they may see)."""
    return (await server.client(who).data(PROGRESS, {"id": goal_id}))["goal"]["progress"]


@pytest.mark.parametrize("protocol", [TRANSPORT_WS, LEGACY_WS])
async def test_a_change_pushes_the_goal_and_each_ancestor(server: RunningServer, protocol: str) -> None:
    # given the employee's goal (everyone) and its three ancestors, each watched by someone who may see it
    goal = my("everyone")
    chain = [goal, *ancestors(goal)]
    assert len(chain) == 4
    watchers = [("employee", goal), ("manager", chain[1]), (outsider()["_id"], chain[2]), ("hr_admin", chain[3])]
    async with websocket(server.ws_url, server.token(watchers[0][0]), protocol) as s0, \
            websocket(server.ws_url, server.token(watchers[1][0]), protocol) as s1, \
            websocket(server.ws_url, server.token(watchers[2][0]), protocol) as s2, \
            websocket(server.ws_url, server.token(watchers[3][0]), protocol) as s3:
        subscribers = [s0, s1, s2, s3]
        for subscriber, (_, watched) in zip(subscribers, watchers, strict=True):
            await subscriber.subscribe(PROGRESS_CHANGED, {"goal": watched["_id"]})
        await server.wait_subscribers(4)
        # when the employee records a new value on their goal
        key_result = goal["keyResults"][0]
        await server.client("employee").data(RECORD_PROGRESS, {"id": key_result["_id"], "value":
                                                                key_result["targetValue"]})
        # then every subscriber gets its goal's new progress, naming the change
        for subscriber, (who, watched) in zip(subscribers, watchers, strict=True):
            pushed = await event(subscriber)
            expected = await progress_now(server, watched["_id"], who)
            assert pushed == {"kind": "PROGRESS_RECORDED", "progress": pytest.approx(expected),
                              "changedGoalId": goal["_id"], "keyResultId": key_result["_id"],
                              "goal": {"id": watched["_id"], "title": watched["title"],
                                       "progress": pytest.approx(expected)}}
        # and nothing else: the next thing each receives is a marker change of the goal (its status)
        await status_marker(server, "employee", goal["_id"])
        for subscriber, (_, watched) in zip(subscribers, watchers, strict=True):
            assert (await marker(subscriber)) == ("STATUS_CHANGED", watched["_id"], goal["_id"])


async def test_an_owner_subscription_gets_each_owned_goal_of_the_chain(server: RunningServer) -> None:
    # given subscribers by owner: the employee, and the department owning the goal's parent
    goal = my("everyone")
    parent = ancestors(goal)[0]
    async with websocket(server.ws_url, server.token("manager")) as by_person, \
            websocket(server.ws_url, server.token("manager")) as by_department:
        await by_person.subscribe(PROGRESS_CHANGED, {"owner": me()["_id"]})
        await by_department.subscribe(PROGRESS_CHANGED, {"owner": parent["ownerDepartmentId"]})
        await server.wait_subscribers(2)
        # when the employee records progress
        await server.client("employee").data(RECORD_PROGRESS, {"id": goal["keyResults"][0]["_id"], "value": 1})
        # then each hears about the goal it owns, and only that one
        assert (await event(by_person))["goal"]["id"] == goal["_id"]
        assert (await event(by_department))["goal"]["id"] == parent["_id"]
        # and nothing else: the next thing each receives is a marker change of the goal
        await status_marker(server, "employee", goal["_id"])
        assert (await marker(by_person)) == ("STATUS_CHANGED", goal["_id"], goal["_id"])
        assert (await marker(by_department)) == ("STATUS_CHANGED", parent["_id"], goal["_id"])


async def test_invisible_goals_are_not_pushed(server: RunningServer) -> None:
    # given an outsider watching the employee's goals and the parent of the employee's private goal,
    # and the employee's manager watching the employee's goals
    private = my("private")
    parent = ancestors(private)[0]
    async with websocket(server.ws_url, server.token(outsider()["_id"])) as by_owner, \
            websocket(server.ws_url, server.token(outsider()["_id"])) as on_parent, \
            websocket(server.ws_url, server.token("manager")) as manager:
        await by_owner.subscribe(PROGRESS_CHANGED, {"owner": me()["_id"]})
        await on_parent.subscribe(PROGRESS_CHANGED, {"goal": parent["_id"]})
        await manager.subscribe(PROGRESS_CHANGED, {"owner": me()["_id"]})
        await server.wait_subscribers(3)
        # when the employee records progress on the private goal
        await server.client("employee").data(RECORD_PROGRESS, {"id": private["keyResults"][0]["_id"], "value": 2})
        # then the visible parent is pushed without naming the private change; the private goal goes to nobody
        pushed = await event(on_parent)
        assert (pushed["goal"]["id"], pushed["changedGoalId"], pushed["keyResultId"]) == (parent["_id"], None, None)
        # and a change to a goal they may see does reach them, first: nothing of the private one came before it
        visible = my("everyone")
        await server.client("employee").data(RECORD_PROGRESS, {"id": visible["keyResults"][0]["_id"], "value": 3})
        for subscriber in (by_owner, manager):
            pushed = await event(subscriber)
            assert (pushed["goal"]["id"], pushed["changedGoalId"]) == (visible["_id"], visible["_id"])


async def test_visibility_is_checked_again_for_every_event(server: RunningServer) -> None:
    # given the manager watching the employee's management-chain goal
    goal = my("management_chain")
    async with websocket(server.ws_url, server.token("manager")) as manager:
        await manager.subscribe(PROGRESS_CHANGED, {"goal": goal["_id"]})
        await server.wait_subscribers(1)
        # when the employee makes it private and then records progress
        employee_client = server.client("employee")
        assert (await employee_client.data(SET_VISIBILITY, {"id": goal["_id"], "visibility": "PRIVATE"}))[
            "updateGoal"]["errors"] == []
        await employee_client.data(RECORD_PROGRESS, {"id": goal["keyResults"][0]["_id"], "value": 60})
        # then nothing reaches the manager: once HR shares it with the chain again and then sets its status,
        # the manager hears of those two changes first, and of nothing before them
        assert (await server.client("hr_admin").data(SHARE_AGAIN, {"id": goal["_id"]}))["updateGoal"]["errors"] == []
        await status_marker(server, "hr_admin", goal["_id"])
        pushed = await event(manager)
        assert (pushed["kind"], pushed["goal"]["id"]) == ("UPDATED", goal["_id"])
        assert (await marker(manager)) == ("STATUS_CHANGED", goal["_id"], goal["_id"])


async def test_another_organisations_changes_never_arrive(server: RunningServer) -> None:
    globex_goal = seeded_goals(GLOBEX)[0]
    async with websocket(server.ws_url, server.token("hr_admin", GLOBEX)) as subscriber:
        await subscriber.subscribe(PROGRESS_CHANGED, {"goal": globex_goal["_id"]})
        await server.wait_subscribers(1)
        goal = my("everyone")
        await server.client("employee").data(RECORD_PROGRESS, {"id": goal["keyResults"][0]["_id"], "value": 4})
        # then the first thing the Globex subscriber receives is a later change of its own goal
        await status_marker(server, "hr_admin", globex_goal["_id"], GLOBEX)
        assert (await marker(subscriber)) == ("STATUS_CHANGED", globex_goal["_id"], globex_goal["_id"])


async def refusal(server: RunningServer, who: str, variables: dict[str, Any]) -> str:
    async with websocket(server.ws_url, server.token(who)) as subscriber:
        await subscriber.subscribe(PROGRESS_CHANGED, variables)
        message = await subscriber.receive()
    assert message["type"] == "next"
    assert message["payload"]["data"] is None
    [error] = message["payload"]["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    return error["message"]


async def test_subscriptions_that_cannot_be_served_are_refused(server: RunningServer) -> None:
    private = my("private")
    foreign = seeded_goals(GLOBEX)[0]["_id"]
    # an invisible goal reads exactly like an unknown or another organisation's one
    assert await refusal(server, outsider()["_id"], {"goal": private["_id"]}) == \
        f"no goal {private['_id']!r} in your organisation"
    assert await refusal(server, "employee", {"goal": foreign}) == f"no goal {foreign!r} in your organisation"
    assert await refusal(server, "employee", {"goal": UNKNOWN_ID}) == f"no goal {UNKNOWN_ID!r} in your organisation"
    assert await refusal(server, "employee", {"owner": UNKNOWN_ID}) == \
        f"no employee or department {UNKNOWN_ID!r} in your organisation"
    for variables in ({}, {"goal": private["_id"], "owner": me()["_id"]}):
        assert await refusal(server, "employee", variables) == "give exactly one of goalId and ownerId"


async def test_re_aligning_pushes_the_old_and_the_new_ancestors(server: RunningServer) -> None:
    # given the employee's goal under one department goal, and another department goal to move it to
    goal = my("everyone")
    old_parent = goal_by_id(goal["parentId"])
    new_parent = next(g for g in seeded_goals() if g["level"] == "department" and g["visibility"] == "everyone"
                      and g["_id"] not in (old_parent["_id"], old_parent["parentId"]) and not g["archived"])
    async with websocket(server.ws_url, server.token("hr_admin")) as old, \
            websocket(server.ws_url, server.token("hr_admin")) as new:
        await old.subscribe(PROGRESS_CHANGED, {"goal": old_parent["_id"]})
        await new.subscribe(PROGRESS_CHANGED, {"goal": new_parent["_id"]})
        await server.wait_subscribers(2)
        # when the employee re-aligns the goal
        body = await server.client("employee").data(ALIGN, {"id": goal["_id"], "parent": new_parent["_id"]})
        assert body["alignGoal"]["errors"] == []
        # then both parents' new progress is pushed
        for subscriber, parent in ((old, old_parent), (new, new_parent)):
            pushed = await event(subscriber)
            assert (pushed["kind"], pushed["goal"]["id"], pushed["changedGoalId"]) == (
                "ALIGNED", parent["_id"], goal["_id"])
            assert pushed["progress"] == pytest.approx(await progress_now(server, parent["_id"]))
