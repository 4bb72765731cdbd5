"""Praise end to end: the wall (newest first, cursor pages), posting and its refusals, reactions toggled
one kind per person, ``employee { praiseReceived }`` and the ``praisePosted`` subscription."""

from __future__ import annotations

from typing import Any

import pytest

from tests.client import LEGACY_WS, TRANSPORT_WS, websocket
from tests.conftest import GLOBEX, RunningServer
from tests.feedback.support import PEOPLE, SEED, UNKNOWN_ID, codes, person, snapshot, stored, teammates

WALL = """
query($first: Int, $after: String, $value: String) {
  praiseWall(first: $first, after: $after, value: $value) {
    totalCount edges { cursor node { id message value author { id } recipients { id } } }
    pageInfo { hasNextPage endCursor }
  }
}"""
POST = """
mutation($input: PostPraiseInput!) {
  postPraise(input: $input) {
    praise { id message value createdAt author { id } recipients { id } } errors { field code }
  }
}"""
REACT = """
mutation($id: ID!, $kind: ReactionKind!) {
  reactToPraise(praiseId: $id, kind: $kind) { praise { id myReaction reactions { kind count } } errors { field code } }
}"""
RECEIVED = """
query($first: Int!) { employees(first: $first) { edges { node { id praiseReceived(first: 3) { id } } } } }"""
POSTED = "subscription { praisePosted { id message value author { id name } recipients { id } } }"


def newest_first(docs: list[dict[str, Any]]) -> list[str]:
    return [d["_id"] for d in sorted(docs, key=lambda d: (d["createdAt"], d["_id"]), reverse=True)]


async def post(server: RunningServer, who: str, recipients: list[str], message: str = "Great launch!",
               value: str = "Ownership") -> dict[str, Any]:
    variables = {"input": {"recipientIds": recipients, "message": message, "value": value}}
    return (await server.client(who).data(POST, variables))["postPraise"]


async def test_the_wall_pages_newest_first(server: RunningServer) -> None:
    # given the seeded praise, when the wall is read seven at a time
    client = server.client("employee")
    seen, after = [], None
    while True:
        page = (await client.data(WALL, {"first": 7, "after": after}))["praiseWall"]
        assert page["totalCount"] == len(SEED["praise"])
        seen += [edge["node"]["id"] for edge in page["edges"]]
        after = page["pageInfo"]["endCursor"]
        if not page["pageInfo"]["hasNextPage"]:
            break
    # then the pages chain up to every praise, newest first, each once
    assert seen == newest_first(SEED["praise"])
    # and the value filter keeps exactly that value's praise
    value = SEED["praise"][0]["value"]
    page = (await client.data(WALL, {"first": 100, "value": value}))["praiseWall"]
    assert [e["node"]["id"] for e in page["edges"]] == newest_first([p for p in SEED["praise"] if p["value"] == value])


async def test_posted_praise_tops_the_wall_and_the_recipients_lists(server: RunningServer) -> None:
    # given two colleagues of the employee
    recipients = [teammates(person("employee"))[0]["_id"], person("hr_admin")["_id"]]
    # when the employee praises them
    result = await post(server, "employee", recipients, "You rescued the release", "Teamwork")
    assert result["errors"] == []
    praise = result["praise"]
    assert [r["id"] for r in praise["recipients"]] == recipients
    # then it is first on the wall for anyone in the organisation
    wall = (await server.client("manager").data(WALL, {"first": 1}))["praiseWall"]
    assert wall["edges"][0]["node"]["id"] == praise["id"]
    # and first in each recipient's praiseReceived
    query = "query($id: ID!) { employee(id: $id) { praiseReceived(first: 1) { id message } } }"
    for recipient in recipients:
        body = await server.client("manager").data(query, {"id": recipient})
        assert body["employee"]["praiseReceived"] == [{"id": praise["id"], "message": "You rescued the release"}]
    [doc] = await stored(server, "praise", _id=praise["id"])
    assert (doc["authorId"], doc["recipientIds"], doc["reactions"]) == (person("employee")["_id"], recipients, {})


async def test_praise_received_is_nested_for_many_people_at_once(server: RunningServer) -> None:
    # when a page of people is read with their three latest praise each
    body = await server.client("employee").data(RECEIVED, {"first": 60})
    # then each list is exactly that person's newest three from the seed
    for edge in body["employees"]["edges"]:
        mine = [p for p in SEED["praise"] if edge["node"]["id"] in p["recipientIds"]]
        assert [p["id"] for p in edge["node"]["praiseReceived"]] == newest_first(mine)[:3]


def refusals() -> list[tuple[str, dict[str, Any], list[tuple[str, str]]]]:
    employee = person("employee")
    mate = teammates(employee)[0]["_id"]
    leaver = next(e for e in PEOPLE.values() if e["status"] == "terminated")
    ok = {"recipientIds": [mate], "message": "Thanks!", "value": "Ownership"}
    others = [e["_id"] for e in PEOPLE.values() if e["status"] == "active" and e["_id"] != employee["_id"]]
    return [
        ("nobody", {**ok, "recipientIds": []}, [("recipientIds", "REQUIRED")]),
        ("yourself", {**ok, "recipientIds": [mate, employee["_id"]]}, [("recipientIds", "INVALID")]),
        ("twice", {**ok, "recipientIds": [mate, mate]}, [("recipientIds", "DUPLICATE")]),
        ("too many", {**ok, "recipientIds": others[:11]}, [("recipientIds", "INVALID")]),
        ("unknown", {**ok, "recipientIds": [UNKNOWN_ID]}, [("recipientIds", "NOT_FOUND")]),
        ("other organisation", {**ok, "recipientIds": [GLOBEX.employees[0]["_id"]]}, [("recipientIds", "NOT_FOUND")]),
        ("leaver", {**ok, "recipientIds": [leaver["_id"]]}, [("recipientIds", "INACTIVE")]),
        ("a competency is no value", {**ok, "value": "Delivery"}, [("value", "INVALID")]),
        ("no value", {**ok, "value": ""}, [("value", "REQUIRED")]),
        ("empty", {**ok, "message": ""}, [("message", "REQUIRED")]),
        ("too long", {**ok, "message": "x" * 2001}, [("message", "TOO_LONG")]),
    ]


async def test_refused_praise_writes_nothing(server: RunningServer) -> None:
    before = await snapshot(server)
    for case, input, expected in refusals():
        body = (await server.client("employee").data(POST, {"input": input}))["postPraise"]
        assert (body["praise"], codes(body["errors"])) == (None, expected), case
    assert await snapshot(server) == before


async def test_reactions_toggle_one_kind_per_person(server: RunningServer) -> None:
    # given a fresh praise without reactions
    praise = (await post(server, "manager", [person("employee")["_id"]]))["praise"]["id"]

    async def react(who: str, kind: str) -> dict[str, Any]:
        body = await server.client(who).data(REACT, {"id": praise, "kind": kind})
        assert body["reactToPraise"]["errors"] == []
        return body["reactToPraise"]["praise"]

    # when the employee likes it, then one like, theirs
    assert await react("employee", "LIKE") == {"id": praise, "myReaction": "LIKE",
                                               "reactions": [{"kind": "LIKE", "count": 1}]}
    # when they like it again, then the like is gone
    assert (await react("employee", "LIKE"))["reactions"] == []
    # when they choose heart, then celebrate, then the celebrate replaces the heart
    await react("employee", "HEART")
    after = await react("employee", "CELEBRATE")
    assert (after["myReaction"], after["reactions"]) == ("CELEBRATE", [{"kind": "CELEBRATE", "count": 1}])
    # when someone else likes it, then each person holds one kind and sees their own
    other = await react("hr_admin", "LIKE")
    assert other["myReaction"] == "LIKE"
    assert other["reactions"] == [{"kind": "LIKE", "count": 1}, {"kind": "CELEBRATE", "count": 1}]
    [doc] = await stored(server, "praise", _id=praise)
    assert doc["reactions"] == {person("employee")["_id"]: "celebrate", person("hr_admin")["_id"]: "like"}
    # and reacting to an unknown praise is refused without any write
    before = await snapshot(server)
    body = await server.client("employee").data(REACT, {"id": UNKNOWN_ID, "kind": "LIKE"})
    assert codes(body["reactToPraise"]["errors"]) == [("praiseId", "NOT_FOUND")]
    assert await snapshot(server) == before


@pytest.mark.parametrize("protocol", [TRANSPORT_WS, LEGACY_WS])
async def test_praise_posted_reaches_everyone_in_the_organisation_only(server: RunningServer, protocol: str) -> None:
    # given two Northwind subscribers (neither involved in the praise) and one at Globex
    globex = GLOBEX.employees[0]["_id"]
    async with websocket(server.ws_url, server.token("hr_admin"), protocol) as hr, \
            websocket(server.ws_url, server.token("manager"), protocol) as manager, \
            websocket(server.ws_url, server.token(globex, GLOBEX), protocol) as elsewhere:
        for socket in (hr, manager, elsewhere):
            await socket.subscribe(POSTED)
        await server.wait_subscribers(3)
        # when the employee praises a teammate
        mate = teammates(person("employee"))[0]["_id"]
        praise = (await post(server, "employee", [mate], "Thanks for the demo", "Craft"))["praise"]
        # then both Northwind subscribers get it, with nested fields resolved for them
        for socket in (hr, manager):
            event = (await socket.next_payload())["data"]["praisePosted"]
            assert event == {"id": praise["id"], "message": "Thanks for the demo", "value": "Craft",
                             "author": {"id": person("employee")["_id"], "name": person("employee")["name"]},
                             "recipients": [{"id": mate}]}
        # when Globex posts, then Globex hears its own praise first (so nothing of Northwind's before it)
        globex_mate = GLOBEX.employees[1]["_id"]
        body = await server.client(globex, GLOBEX).data(POST, {"input": {"recipientIds": [globex_mate],
                                                                         "message": "Hi", "value": "Candor"}})
        assert body["postPraise"]["errors"] == []
        assert (await elsewhere.next_payload())["data"]["praisePosted"]["message"] == "Hi"
        # and Northwind hears nothing of it: the next praise it hears is its own marker
        await post(server, "employee", [mate], "Marker", "Craft")
        for socket in (hr, manager):
            assert (await socket.next_payload())["data"]["praisePosted"]["message"] == "Marker"
