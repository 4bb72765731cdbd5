"""checkInUpdated over both WebSocket protocols: pushes reach the two participants, nobody else."""

from __future__ import annotations

import pytest

from tests.checkins.support import (
    ADD_ACTION_ITEM,
    ADD_TALKING_POINT,
    GLOBEX_SEED,
    SEED,
    UNKNOWN_ID,
    UPDATE_TALKING_POINT,
    peer,
    person,
    upcoming,
)
from tests.client import LEGACY_WS, TRANSPORT_WS, Subscriber, websocket
from tests.conftest import GLOBEX, RunningServer

CHECK_IN_UPDATED = """
subscription($id: ID!) { checkInUpdated(checkInId: $id) {
  kind checkInId talkingPointId by { id } checkIn { id talkingPoints { id text version } actionItems { id } }
} }
"""


def own_check_in(participant: str) -> str:
    """A scheduled check-in of which ``participant`` is one of the two participants."""
    return next(c["_id"] for c in SEED["checkIns"]
                if c["status"] == "scheduled" and participant in (c["employeeId"], c["managerId"]))


async def refusal(subscriber: Subscriber) -> dict[str, str]:
    """The error of a subscription refused at its start (no data), after which the operation completes."""
    message = await subscriber.receive()
    assert message["type"] in {"next", "data"} and message["payload"]["data"] is None, message
    [error] = message["payload"]["errors"]
    assert (await subscriber.receive())["type"] == "complete"
    return {"code": error["extensions"]["code"], "message": error["message"]}


@pytest.mark.parametrize("protocol", [TRANSPORT_WS, LEGACY_WS])
async def test_edits_reach_both_participants_and_nobody_else(server: RunningServer, protocol: str) -> None:
    # given the employee persona's upcoming check-in; both participants subscribe to it, and so try the
    # skip-level manager and an HR admin (who may read it) and a colleague (who may not)
    employee = person("employee")
    check_in = upcoming(employee["_id"])
    outsiders = {"skip-level": person("manager")["_id"], "HR admin": person("hr_admin")["_id"],
                 "colleague": peer()["_id"]}
    async with websocket(server.ws_url, server.token(employee["_id"]), protocol) as mine, \
            websocket(server.ws_url, server.token(employee["managerId"]), protocol) as theirs, \
            websocket(server.ws_url, server.token(outsiders["skip-level"]), protocol) as skip_level, \
            websocket(server.ws_url, server.token(outsiders["HR admin"]), protocol) as hr, \
            websocket(server.ws_url, server.token(outsiders["colleague"]), protocol) as colleague:
        for subscriber in (mine, theirs, skip_level, hr, colleague):
            await subscriber.subscribe(CHECK_IN_UPDATED, {"id": check_in["_id"]})
        # then the three others are refused (FORBIDDEN) and only the two participants stay subscribed
        participants_only = "live edits of a check-in go to its two participants only"
        not_visible = "check-ins are visible to their participants, the employee's managers and HR admins"
        for outsider, message in ((skip_level, participants_only), (hr, participants_only), (colleague, not_visible)):
            assert await refusal(outsider) == {"code": "FORBIDDEN", "message": message}
        await server.wait_subscribers(2)
        # when the employee adds a talking point
        data = await server.client(employee["_id"]).data(ADD_TALKING_POINT, {"id": check_in["_id"], "text": "Hiring"})
        point = data["addTalkingPoint"]["talkingPoint"]
        # then both participants get it, with the check-in as it is after the edit
        for subscriber in (mine, theirs):
            event = (await subscriber.next_payload())["data"]["checkInUpdated"]
            assert (event["kind"], event["checkInId"], event["talkingPointId"], event["by"]) == (
                "TALKING_POINT_ADDED", check_in["_id"], point["id"], {"id": employee["_id"]})
            assert event["checkIn"]["talkingPoints"][-1] == point
        # when the team lead edits it, then both get that too, with the new version
        await server.client(employee["managerId"]).data(UPDATE_TALKING_POINT, {
            "id": check_in["_id"], "point": point["id"], "version": 1, "text": "Hiring plan"})
        for subscriber in (mine, theirs):
            event = (await subscriber.next_payload())["data"]["checkInUpdated"]
            assert (event["kind"], event["by"]) == ("TALKING_POINT_UPDATED", {"id": employee["managerId"]})
            assert event["checkIn"]["talkingPoints"][-1] == {"id": point["id"], "text": "Hiring plan", "version": 2}
        # and the refused subscribers received nothing at all: when each then subscribes to a check-in of
        # their own and adds a talking point to it (a marker), that is the first thing they receive
        own = {subscriber: own_check_in(outsiders[who]) for who, subscriber in (
            ("skip-level", skip_level), ("HR admin", hr), ("colleague", colleague))}
        for subscriber, own_id in own.items():
            await subscriber.subscribe(CHECK_IN_UPDATED, {"id": own_id})
        await server.wait_subscribers(5)
        for (who, id), (subscriber, own_id) in zip(outsiders.items(), own.items(), strict=True):
            await server.client(id).data(ADD_TALKING_POINT, {"id": own_id, "text": f"Marker for the {who}"})
            event = (await subscriber.next_payload())["data"]["checkInUpdated"]
            assert (event["kind"], event["checkInId"]) == ("TALKING_POINT_ADDED", own_id)


async def test_a_stale_edit_pushes_nothing(server: RunningServer) -> None:
    # given the employee subscribed to their check-in, whose seeded talking point the lead just changed
    employee = person("employee")
    check_in = upcoming(employee["_id"])
    [point] = check_in["talkingPoints"]
    async with websocket(server.ws_url, server.token(employee["_id"])) as mine:
        await mine.subscribe(CHECK_IN_UPDATED, {"id": check_in["_id"]})
        await server.wait_subscribers(1)
        update = {"id": check_in["_id"], "point": point["_id"], "version": 1, "text": "First"}
        await server.client(employee["managerId"]).data(UPDATE_TALKING_POINT, update)
        assert (await mine.next_payload())["data"]["checkInUpdated"]["kind"] == "TALKING_POINT_UPDATED"
        # when the employee's own edit on the old version is refused
        data = await server.client(employee["_id"]).data(UPDATE_TALKING_POINT, {**update, "text": "Second"})
        assert [e["code"] for e in data["updateTalkingPoint"]["errors"]] == ["CONFLICT"]
        # then nothing is pushed (nothing changed): the lead's next edit (a marker) is the next thing received
        await server.client(employee["managerId"]).data(ADD_TALKING_POINT, {"id": check_in["_id"], "text": "Marker"})
        assert (await mine.next_payload())["data"]["checkInUpdated"]["kind"] == "TALKING_POINT_ADDED"


async def test_edits_of_another_check_in_are_not_pushed(server: RunningServer) -> None:
    # given the team lead subscribed to the employee persona's check-in
    employee = person("employee")
    lead = employee["managerId"]
    check_in = upcoming(employee["_id"])
    teammate = next(e for e in server.demo.employees if e["managerId"] == lead and e["_id"] != employee["_id"]
                    and e["status"] != "terminated")
    async with websocket(server.ws_url, server.token(lead)) as theirs:
        await theirs.subscribe(CHECK_IN_UPDATED, {"id": check_in["_id"]})
        await server.wait_subscribers(1)
        # when the lead adds an action item to another report's check-in
        await server.client(lead).data(ADD_ACTION_ITEM, {"id": upcoming(teammate["_id"])["_id"], "input": {
            "ownerId": lead, "text": "Book the offsite"}})
        # then nothing arrives for this one: the lead's next edit of it (a marker) is the first thing received
        await server.client(lead).data(ADD_TALKING_POINT, {"id": check_in["_id"], "text": "Marker"})
        event = (await theirs.next_payload())["data"]["checkInUpdated"]
        assert (event["kind"], event["checkInId"]) == ("TALKING_POINT_ADDED", check_in["_id"])


async def test_unknown_and_other_organisations_check_ins_cannot_be_subscribed(server: RunningServer) -> None:
    # given an unknown id and a Globex check-in
    globex = GLOBEX_SEED["checkIns"][0]["_id"]
    async with websocket(server.ws_url, server.token("hr_admin")) as hr:
        for id in (UNKNOWN_ID, globex):
            # when a Northwind HR admin subscribes, then both are refused alike
            await hr.subscribe(CHECK_IN_UPDATED, {"id": id})
            assert await refusal(hr) == {"code": "BAD_USER_INPUT",
                                         "message": f"no check-in {id!r} in your organisation"}
    # while a Globex participant may subscribe to their own
    participant = next(c for c in GLOBEX_SEED["checkIns"] if c["_id"] == globex)["employeeId"]
    async with websocket(server.ws_url, server.token(participant, GLOBEX)) as own:
        await own.subscribe(CHECK_IN_UPDATED, {"id": globex})
        await server.wait_subscribers(1)
