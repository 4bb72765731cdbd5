"""``goalProgressChanged`` on a goal everyone sees alike (visible to everyone, rolling up only goals everyone sees)
is shared by the organisation: one execution per event for all its subscribers (realtime/groups.py), who receive
the same payload; a goal some may not see runs per person; and once the goal stops being alike for everyone,
the shared stream ends with ``SUBSCRIBE_AGAIN`` and subscribing again runs per person."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

import resolvers.core.audience as audience
import resolvers.goals.sharing as sharing
from models.goals.rules import GoalChange
from resolvers.goals.events import goal_channel
from tests.client import LEGACY_WS, websocket
from tests.conftest import NORTHWIND, RunningServer
from tests.goals.support import RECORD_PROGRESS, goals_of, persona, seeded_goals
from tests.interleave import hold, seen

SHARED = "subscription($goal: ID) { goalProgressChanged(goalId: $goal) { kind progress goal { id title progress } } }"
NAMING_THE_CHANGE = "subscription($goal: ID) { goalProgressChanged(goalId: $goal) { kind changedGoalId } }"
PROGRESS = "query($id: ID!) { goal(id: $id) { progress } }"
SET_VISIBILITY = """
mutation($id: ID!, $visibility: GoalVisibility!) {
  updateGoal(id: $id, input: {visibility: $visibility}) { errors { code } }
}"""


def groups(server: RunningServer) -> dict[str, int]:
    stats = server.app.state.subscriptions.stats()
    return {"groups": stats["groups"], "members": stats["members"]}


def my(visibility: str) -> dict[str, Any]:
    return next(g for g in goals_of(persona("employee")["_id"]) if g["visibility"] == visibility)


async def record(server: RunningServer, goal: dict[str, Any], value: float) -> None:
    body = await server.client("employee").data(RECORD_PROGRESS, {"id": goal["keyResults"][0]["_id"], "value": value})
    assert body["updateKeyResultProgress"]["errors"] == []


async def test_subscribers_of_a_public_goal_share_one_execution_and_receive_the_same_payload(
        server: RunningServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(audience, "RECHECK_SECONDS", 3600.0)  # no standing re-read within the test: calls compare
    goal = my("everyone")
    # given one subscriber, and the store calls one progress change costs for them
    async with websocket(server.ws_url, server.token("hr_admin")) as first:
        await first.subscribe(SHARED, {"goal": goal["_id"]})
        await server.wait_subscribers(1)
        server.database.stats.reset()
        await record(server, goal, goal["keyResults"][0]["startValue"])
        alone = await first.next_payload()
        calls_for_one = server.database.stats.calls
        # when the manager (legacy protocol) and the owner subscribe alike
        async with websocket(server.ws_url, server.token("manager"), LEGACY_WS) as second, \
                websocket(server.ws_url, server.token("employee")) as third:
            await second.subscribe(SHARED, {"goal": goal["_id"]})
            await third.subscribe(SHARED, {"goal": goal["_id"]})
            await server.wait_subscribers(3)
            server.database.stats.reset()
            await record(server, goal, goal["keyResults"][0]["targetValue"])
            payloads = [await s.next_payload() for s in (first, second, third)]
            # then the three are one group, the change costs the store what it cost for one subscriber, and all
            # three receive the same payload: the goal's new progress
            assert groups(server) == {"groups": 1, "members": 3}
            assert server.database.stats.calls == calls_for_one
            assert payloads[0] == payloads[1] == payloads[2]
            event = payloads[0]["data"]["goalProgressChanged"]
            assert event["kind"] == alone["data"]["goalProgressChanged"]["kind"] == "PROGRESS_RECORDED"
            assert event["goal"]["id"] == goal["_id"]
            now = await server.client("hr_admin").data(PROGRESS, {"id": goal["_id"]})
            assert event["progress"] == event["goal"]["progress"] == now["goal"]["progress"]
            assert event["progress"] != alone["data"]["goalProgressChanged"]["progress"]


async def test_what_may_differ_between_viewers_is_not_shared(server: RunningServer) -> None:
    public, chain = my("everyone"), my("management_chain")
    async with websocket(server.ws_url, server.token("manager")) as manager, \
            websocket(server.ws_url, server.token("employee")) as employee:
        # given the change named (it may be a goal not everyone sees), and a goal only the owner's chain sees
        await manager.subscribe(NAMING_THE_CHANGE, {"goal": public["_id"]})
        await employee.subscribe(NAMING_THE_CHANGE, {"goal": public["_id"]})
        await manager.subscribe(SHARED, {"goal": chain["_id"]})
        await employee.subscribe(SHARED, {"goal": chain["_id"]})
        await server.wait_subscribers(4)
        # then each person runs each of them apart
        assert groups(server) == {"groups": 4, "members": 4}


async def test_a_goal_no_longer_alike_for_everyone_ends_the_shared_stream_and_then_runs_per_person(
        server: RunningServer) -> None:
    goal = my("everyone")
    async with websocket(server.ws_url, server.token("manager")) as manager, \
            websocket(server.ws_url, server.token("employee")) as owner:
        await manager.subscribe(SHARED, {"goal": goal["_id"]})
        await owner.subscribe(SHARED, {"goal": goal["_id"]})
        await server.wait_subscribers(2)
        assert groups(server) == {"groups": 1, "members": 2}
        # when the owner makes the goal private
        body = await server.client("employee").data(SET_VISIBILITY, {"id": goal["_id"], "visibility": "PRIVATE"})
        assert body == {"updateGoal": {"errors": []}}
        # then both shared streams end, saying to subscribe again, and nothing of the goal is sent
        for subscriber in (manager, owner):
            ended = await subscriber.receive()
            assert ended["type"] == "next"
            assert ended["payload"]["data"] is None
            assert [e["extensions"]["code"] for e in ended["payload"]["errors"]] == ["SUBSCRIBE_AGAIN"]
            assert (await subscriber.receive())["type"] == "complete"
        assert groups(server) == {"groups": 0, "members": 0}
        # and subscribing again, the owner runs alone and hears of the next change; the manager may not see it
        await owner.subscribe(SHARED, {"goal": goal["_id"]})
        await manager.subscribe(SHARED, {"goal": goal["_id"]})
        refused = await manager.receive()
        assert [e["extensions"]["code"] for e in refused["payload"]["errors"]] == ["BAD_USER_INPUT"]
        await server.wait_subscribers(1)
        await record(server, goal, 3)
        pushed = (await owner.next_payload())["data"]["goalProgressChanged"]
        assert (pushed["kind"], pushed["goal"]["id"]) == ("PROGRESS_RECORDED", goal["_id"])



CHANGE_MANAGER = """
mutation($id: ID!, $manager: ID) { changeManager(employeeId: $id, managerId: $manager) { errors { code } } }"""


def chain_of_the_employee() -> tuple[str, str, str]:
    """Above the employee persona: their direct manager and the manager persona (two levels up); and a peer of
    the direct manager, another report of the manager persona, who is not above the employee."""
    owner, manager = persona("employee"), persona("manager")
    direct = owner["managerChain"][-1]
    assert manager["_id"] in owner["managerChain"] and direct != manager["_id"]
    peer = next(e["_id"] for e in NORTHWIND.employees if e.get("managerId") == manager["_id"]
                and e["_id"] != direct and e["status"] != "terminated" and "hr_admin" not in e["roles"])
    return direct, manager["_id"], peer


def codes(message: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in message["payload"]["errors"]]


async def test_managers_above_the_owner_of_a_chain_goal_share_one_execution_and_a_peer_receives_nothing(
        server: RunningServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(audience, "RECHECK_SECONDS", 3600.0)  # no standing re-read within the test: calls compare
    monkeypatch.setattr(sharing, "RECHECK_SECONDS", 3600.0)
    goal = my("management_chain")
    direct, manager, peer = chain_of_the_employee()
    # given the owner's direct manager, the owner and an HR admin subscribed, and what one progress change costs
    # the store for them
    async with websocket(server.ws_url, server.token(direct)) as first, \
            websocket(server.ws_url, server.token("employee")) as owner, \
            websocket(server.ws_url, server.token("hr_admin")) as hr:
        for subscriber in (first, owner, hr):
            await subscriber.subscribe(SHARED, {"goal": goal["_id"]})
        await server.wait_subscribers(3)
        server.database.stats.reset()
        await record(server, goal, goal["keyResults"][0]["startValue"])
        for subscriber in (first, owner, hr):
            await subscriber.next_payload()
        calls_before = server.database.stats.calls
        # when the manager two levels up subscribes alike (legacy protocol), and a peer of the direct manager, who
        # is not above the owner, tries to
        async with websocket(server.ws_url, server.token(manager), LEGACY_WS) as second, \
                websocket(server.ws_url, server.token(peer)) as outsider:
            await second.subscribe(SHARED, {"goal": goal["_id"]})
            await outsider.subscribe(SHARED, {"goal": goal["_id"]})
            assert codes(await outsider.receive()) == ["BAD_USER_INPUT"]
            assert (await outsider.receive())["type"] == "complete"
            await server.wait_subscribers(4)
            # then the two managers are one group, the owner and HR one each
            assert groups(server) == {"groups": 3, "members": 4}
            # and a change reaches the second manager at no cost to the store: the group's one execution serves both
            server.database.stats.reset()
            await record(server, goal, goal["keyResults"][0]["targetValue"])
            payloads = [await s.next_payload() for s in (first, second, owner, hr)]
            assert server.database.stats.calls == calls_before
            assert payloads[0] == payloads[1]
            event = payloads[0]["data"]["goalProgressChanged"]
            assert (event["kind"], event["goal"]["id"]) == ("PROGRESS_RECORDED", goal["_id"])
            now = await server.client("hr_admin").data(PROGRESS, {"id": goal["_id"]})
            assert event["progress"] == event["goal"]["progress"] == now["goal"]["progress"]
            # and the peer, who may not see the goal, receives nothing of it
            assert await outsider.nothing_within(0.3)


async def test_a_manager_no_longer_above_the_owner_is_ended_before_the_next_event_and_the_chain_still_receives(
        server: RunningServer) -> None:
    goal = my("management_chain")
    direct, manager, peer = chain_of_the_employee()
    async with websocket(server.ws_url, server.token(manager)) as above, \
            websocket(server.ws_url, server.token(direct)) as moved_away:
        await above.subscribe(SHARED, {"goal": goal["_id"]})
        await server.wait_subscribers(1)
        await moved_away.subscribe(SHARED, {"goal": goal["_id"]})
        await server.wait_subscribers(2)
        assert groups(server) == {"groups": 1, "members": 2}
        # when the owner moves under the peer (still below the manager persona): their old manager is no longer
        # above them, and then their progress changes
        body = await server.client("hr_admin").data(CHANGE_MANAGER, {"id": persona("employee")["_id"], "manager": peer})
        assert body == {"changeManager": {"errors": []}}
        await record(server, goal, 2)
        # then the old manager's stream ends, saying to subscribe again, without the change
        ended = await moved_away.receive()
        assert ended["type"] == "next" and ended["payload"]["data"] is None
        assert codes(ended) == ["SUBSCRIBE_AGAIN"]
        assert (await moved_away.receive())["type"] == "complete"
        # and the manager still above receives it
        pushed = (await above.next_payload())["data"]["goalProgressChanged"]
        assert (pushed["kind"], pushed["goal"]["id"]) == ("PROGRESS_RECORDED", goal["_id"])
        # and subscribing again, the old manager may no longer see the goal
        await moved_away.subscribe(SHARED, {"goal": goal["_id"]})
        assert codes(await moved_away.receive()) == ["BAD_USER_INPUT"]


def named_owner(whose: str) -> tuple[dict[str, Any], list[str], str]:
    """A goal everyone sees, how an event names its owner, and the employee read for it: the employee's own goal
    (``["employee", id]``), or a department's (``["department", id, headId]``, the head its writer read)."""
    if whose == "employee":
        owner = persona("employee")["_id"]
        return my("everyone"), ["employee", owner], owner
    heads = {d["_id"]: d.get("headId") for d in NORTHWIND.departments}
    goal = next(g for g in seeded_goals(NORTHWIND) if g.get("ownerDepartmentId") and g["visibility"] == "everyone"
                and not g.get("rollUpChildren") and heads[g["ownerDepartmentId"]])
    head = heads[goal["ownerDepartmentId"]]
    return goal, ["department", goal["ownerDepartmentId"], head], head


@pytest.mark.parametrize("whose", ["employee", "department"])
async def test_the_owner_an_event_names_and_a_departments_head_are_read_beside_the_goal_not_after_it(
        server: RunningServer, monkeypatch: pytest.MonkeyPatch, whose: str) -> None:
    monkeypatch.setattr(audience, "RECHECK_SECONDS", 3600.0)  # no standing re-read within the test
    goal, owner_of, person = named_owner(whose)
    async with websocket(server.ws_url, server.token("manager")) as subscriber:
        await subscriber.subscribe(SHARED, {"goal": goal["_id"]})
        await server.wait_subscribers(1)
        assert groups(server) == {"groups": 1, "members": 1}  # the organisation's execution, no standing of its own
        # given the shared execution's read of the goal held
        async with hold(server.database, "goals", "find") as held, \
                seen(server.database, "employees", "find") as person_read:
            # when an event about the goal, naming its owner (and a department's head), arrives
            await server.bus.publish(goal_channel(NORTHWIND.organization["_id"], goal["_id"]), {
                "kind": GoalChange.UPDATED.value, "goalIds": [goal["_id"]], "ownerIds": [owner_of[1]],
                "ownerOf": {goal["_id"]: owner_of}, "changedGoalId": goal["_id"], "keyResultId": None,
                "byId": person})
            await asyncio.wait_for(held.reached.wait(), 5)
            # then the employee behind it is read while the goal still is
            await asyncio.wait_for(person_read.wait(), 5)
        event = (await subscriber.next_payload())["data"]["goalProgressChanged"]
        assert (event["kind"], event["goal"]["id"]) == ("UPDATED", goal["_id"])
