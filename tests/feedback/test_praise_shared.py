"""``praisePosted`` is the same for everyone in the organisation: its subscribers share one execution per event
(realtime/groups.py), each still checked on their own — someone who has left is ended alone."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

import resolvers.core.audience as audience
from resolvers.feedback.channels import praise_channel
from tests.client import LEGACY_WS, websocket
from tests.conftest import NORTHWIND, RunningServer
from tests.feedback.support import person, teammates
from tests.feedback.test_praise import POSTED, post
from tests.interleave import hold, seen

MINE = "subscription { praisePosted { id message myReaction } }"
TERMINATE = "mutation($id: ID!) { terminateEmployee(employeeId: $id) { errors { code } } }"


def groups(server: RunningServer) -> dict[str, int]:
    stats = server.app.state.subscriptions.stats()
    return {"groups": stats["groups"], "members": stats["members"]}


async def test_praise_subscribers_share_one_execution_and_receive_the_same_payload(
        server: RunningServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(audience, "RECHECK_SECONDS", 3600.0)  # no standing re-read within the test: calls compare
    mate = teammates(person("employee"))[0]["_id"]
    # given one subscriber, and the store calls one praise costs for them
    async with websocket(server.ws_url, server.token("hr_admin")) as first:
        await first.subscribe(POSTED)
        await server.wait_subscribers(1)
        server.database.stats.reset()
        await post(server, "employee", [mate], "Alone", "Craft")
        alone = (await first.next_payload())["data"]["praisePosted"]
        calls_for_one = server.database.stats.calls
        # when the manager (legacy protocol) and the employee subscribe alike
        async with websocket(server.ws_url, server.token("manager"), LEGACY_WS) as second, \
                websocket(server.ws_url, server.token("employee")) as third:
            await second.subscribe(POSTED)
            await third.subscribe(POSTED)
            await server.wait_subscribers(3)
            server.database.stats.reset()
            praise = (await post(server, "employee", [mate], "Together", "Craft"))["praise"]
            payloads = [await s.next_payload() for s in (first, second, third)]
            # then the three are one group, the praise costs the store what it cost for one subscriber,
            # and all three receive the same payload
            assert groups(server) == {"groups": 1, "members": 3}
            assert server.database.stats.calls == calls_for_one
            assert payloads[0] == payloads[1] == payloads[2]
            assert payloads[0]["data"]["praisePosted"] == {**alone, "id": praise["id"], "message": "Together"}


async def test_your_own_reaction_is_not_shared_between_people(server: RunningServer) -> None:
    async with websocket(server.ws_url, server.token("manager")) as manager, \
            websocket(server.ws_url, server.token("employee")) as employee:
        await manager.subscribe(MINE)
        await employee.subscribe(MINE)
        await server.wait_subscribers(2)
        # then two people selecting myReaction run apart
        assert groups(server) == {"groups": 2, "members": 2}


async def test_a_member_who_leaves_is_ended_alone(server: RunningServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(audience, "RECHECK_SECONDS", 0.0)  # every delivery re-reads the members' standing
    employee = person("employee")
    mate, leaver = teammates(employee)[0]["_id"], teammates(employee)[1]["_id"]
    async with websocket(server.ws_url, server.token(leaver)) as leaving, \
            websocket(server.ws_url, server.token("manager")) as staying:
        await leaving.subscribe(POSTED)
        await staying.subscribe(POSTED)
        await server.wait_subscribers(2)
        assert groups(server) == {"groups": 1, "members": 2}
        # given one of them terminated (praise events never name them)
        assert (await server.client("hr_admin").data(TERMINATE, {"id": leaver})) == \
            {"terminateEmployee": {"errors": []}}
        # when someone posts praise
        praise = (await post(server, "employee", [mate], "After they left", "Craft"))["praise"]
        # then the one who left gets UNAUTHENTICATED instead, and their stream ends; the other gets the praise
        refused = await leaving.receive()
        assert refused["type"] == "next"
        assert [e["extensions"]["code"] for e in refused["payload"]["errors"]] == ["UNAUTHENTICATED"]
        assert refused["payload"]["data"] is None
        assert (await leaving.receive())["type"] == "complete"
        assert (await staying.next_payload())["data"]["praisePosted"]["id"] == praise["id"]
        assert groups(server) == {"groups": 1, "members": 1}


async def test_the_people_an_event_names_are_read_beside_the_praise_not_after_it(
        server: RunningServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(audience, "RECHECK_SECONDS", 3600.0)  # no standing re-read within the test: calls compare
    author, mate = person("employee"), teammates(person("employee"))[0]
    praise_id = "praise-read-beside"
    await server.database.praise.insert_one({
        "_id": praise_id, "organizationId": NORTHWIND.organization["_id"], "authorId": author["_id"],
        "recipientIds": [mate["_id"]], "message": "Beside", "value": "Craft", "createdAt": datetime.now(UTC),
        "reactions": {}})
    async with websocket(server.ws_url, server.token("manager")) as subscriber:
        await subscriber.subscribe(POSTED)
        await server.wait_subscribers(1)
        server.database.stats.reset()
        # given the subscription's read of the praise held
        async with hold(server.database, "praise", "find") as held, \
                seen(server.database, "employees", "find") as people_read:
            # when the event naming the praise and its people arrives
            await server.bus.publish(praise_channel(NORTHWIND.organization["_id"]),
                                     {"praiseId": praise_id, "peopleIds": [author["_id"], mate["_id"]]})
            await asyncio.wait_for(held.reached.wait(), 5)
            # then the people are read while the praise still is: one turn, not one after the other
            await asyncio.wait_for(people_read.wait(), 5)
        event = (await subscriber.next_payload())["data"]["praisePosted"]
        assert (event["message"], event["author"]["name"], event["recipients"]) == (
            "Beside", author["name"], [{"id": mate["_id"]}])
        assert server.database.stats.by_collection == {"praise": 1, "employees": 1}
