"""growthPlanChanged over both WebSocket protocols: pushes reach the plan's readers and nobody else."""

from __future__ import annotations

import pytest

from tests.client import LEGACY_WS, TRANSPORT_WS, Subscriber, websocket
from tests.conftest import RunningServer
from tests.growth.support import SAVE_ACTION, SEED, SET_TARGETS, mentors_of, peer, person, position_above

CHANGED = """
subscription($id: ID!) { growthPlanChanged(employeeId: $id) {
  kind employeeId by { id } plan { version targets { position { id } } actions { title } } } }
"""
PLAN_REFUSAL = ("a growth plan is visible to the person, their managers, HR admins and, when the person "
                "shares it, their mentors")


async def refusal(subscriber: Subscriber) -> dict[str, str]:
    message = await subscriber.receive()
    assert message["type"] in {"next", "data"} and message["payload"]["data"] is None, message
    [error] = message["payload"]["errors"]
    assert (await subscriber.receive())["type"] == "complete"
    return {"code": error["extensions"]["code"], "message": error["message"]}


@pytest.mark.parametrize("protocol", [TRANSPORT_WS, LEGACY_WS])
async def test_changes_reach_the_plans_readers_and_nobody_else(server: RunningServer, protocol: str) -> None:
    # given the employee persona, their manager and a peer subscribing to the employee's plan
    employee = person("employee")
    target = position_above(employee)
    async with websocket(server.ws_url, server.token(employee["_id"]), protocol) as mine, \
            websocket(server.ws_url, server.token(employee["managerId"]), protocol) as manager, \
            websocket(server.ws_url, server.token(peer(employee)["_id"]), protocol) as colleague:
        for subscriber in (mine, manager, colleague):
            await subscriber.subscribe(CHANGED, {"id": employee["_id"]})
        # then the peer is refused and the two others stay subscribed
        assert await refusal(colleague) == {"code": "FORBIDDEN", "message": PLAN_REFUSAL}
        await server.wait_subscribers(2)
        # when the employee sets a target
        await server.client(employee["_id"]).data(SET_TARGETS, {"id": employee["_id"], "targets": [
            {"positionId": target["_id"], "horizon": "WITHIN_A_YEAR"}]})
        # then both get it with the plan after the change
        for subscriber in (mine, manager):
            event = (await subscriber.next_payload())["data"]["growthPlanChanged"]
            assert event == {"kind": "TARGETS_SET", "employeeId": employee["_id"], "by": {"id": employee["_id"]},
                             "plan": {"version": 1, "targets": [{"position": {"id": target["_id"]}}], "actions": []}}
        # when the manager adds an action, then both get that too
        await server.client(employee["managerId"]).data(SAVE_ACTION, {"id": employee["_id"], "action": {
            "kind": "PROJECT", "title": "Lead the migration"}})
        for subscriber in (mine, manager):
            event = (await subscriber.next_payload())["data"]["growthPlanChanged"]
            assert (event["kind"], event["by"], event["plan"]["actions"]) == (
                "ACTION_SAVED", {"id": employee["managerId"]}, [{"title": "Lead the migration"}])


async def test_a_mentor_stops_receiving_once_the_plan_is_no_longer_shared(server: RunningServer) -> None:
    # given a plan shared with mentors and its person's mentor (no HR admin) subscribed to it
    plan = next(p for p in SEED["growthPlans"] if p["sharedWithMentors"] and any(
        "hr_admin" not in person(m)["roles"] for m in mentors_of(p["employeeId"])))
    mentor = next(m for m in sorted(mentors_of(plan["employeeId"])) if "hr_admin" not in person(m)["roles"])
    owner = server.client(plan["employeeId"])
    async with websocket(server.ws_url, server.token(mentor)) as theirs, \
            websocket(server.ws_url, server.token(plan["employeeId"])) as mine:
        await theirs.subscribe(CHANGED, {"id": plan["employeeId"]})
        await mine.subscribe(CHANGED, {"id": plan["employeeId"]})
        await server.wait_subscribers(2)
        # when the person stops sharing
        await owner.data(SET_TARGETS, {"id": plan["employeeId"], "targets": [], "share": False})
        assert (await mine.next_payload())["data"]["growthPlanChanged"]["kind"] == "TARGETS_SET"
        # then the mentor gets nothing of it, nor of the next change, while the person gets both
        await owner.data(SAVE_ACTION, {"id": plan["employeeId"], "action": {"kind": "LEARNING", "title": "Next"}})
        assert (await mine.next_payload())["data"]["growthPlanChanged"]["kind"] == "ACTION_SAVED"
        assert await theirs.nothing_within(0.3)
