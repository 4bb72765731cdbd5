"""orgChartChanged over both WebSocket protocols: who gets which event, and clean-up."""

from __future__ import annotations

import asyncio
import json

import pytest
from websockets.exceptions import ConnectionClosed

from models.core.documents import Document
from resolvers.org.mutations import org_chart_channel
from tests.client import LEGACY_WS, TRANSPORT_WS, websocket
from tests.conftest import GLOBEX, NORTHWIND, RunningServer, running_server

ORG_CHART_CHANGED = """
subscription($root: ID!) {
  orgChartChanged(rootId: $root) { kind rootId employeeIds version employees { id name email } }
}"""
CHANGE_MANAGER = """
mutation($employee: ID!, $manager: ID) {
  changeManager(employeeId: $employee, managerId: $manager) { employee { id } errors { field code message } }
}"""
UPDATE_NAME = """
mutation($id: ID!, $name: String!) { updateEmployee(id: $id, input: {name: $name}) { errors { code } } }"""


def by_id(id: str) -> Document:
    return next(e for e in NORTHWIND.employees if e["_id"] == id)


def employee_persona() -> Document:
    return by_id(NORTHWIND.personas["employee"])


def other_branch(person: Document) -> Document:
    """An active level-2 leader, not above ``person`` and not an HR admin (who would see everything)."""
    ceo = person["managerChain"][0]
    return next(e for e in NORTHWIND.employees if e.get("managerId") == ceo and e["_id"] not in person["managerChain"]
                and e["status"] == "active" and "hr_admin" not in e["roles"])


@pytest.mark.parametrize("protocol", [TRANSPORT_WS, LEGACY_WS])
async def test_a_manager_change_reaches_subscribers_of_both_subtrees(server: RunningServer, protocol: str) -> None:
    # given a subscriber on the employee's old branch and one on the new branch
    person = employee_persona()
    old_branch, new_branch = person["managerChain"][1], other_branch(person)["_id"]
    async with websocket(server.ws_url, server.token("manager"), protocol) as old, \
            websocket(server.ws_url, server.token("employee"), protocol) as new:
        await old.subscribe(ORG_CHART_CHANGED, {"root": old_branch})
        await new.subscribe(ORG_CHART_CHANGED, {"root": new_branch})
        await server.wait_subscribers(2)
        # when HR moves the employee from one branch to the other
        body = await server.client("hr_admin").data(CHANGE_MANAGER, {"employee": person["_id"], "manager": new_branch})
        assert body["changeManager"]["errors"] == []
        # then both receive the change, with the organisation's new version
        for subscriber, root in ((old, old_branch), (new, new_branch)):
            event = (await subscriber.next_payload())["data"]["orgChartChanged"]
            assert event["kind"] == "MANAGER_CHANGED"
            assert event["rootId"] == root
            assert event["employeeIds"] == [person["_id"]]
            assert event["version"] == 1
            assert [e["name"] for e in event["employees"]] == [person["name"]]


async def test_personal_fields_in_events_follow_the_subscribers_visibility(server: RunningServer) -> None:
    # given the employee's manager chain member and a peer in another branch, both subscribed at the top
    person = employee_persona()
    peer = other_branch(person)
    ceo = person["managerChain"][0]
    async with websocket(server.ws_url, server.token("manager")) as manager, \
            websocket(server.ws_url, server.token(peer["_id"])) as stranger:
        for subscriber in (manager, stranger):
            await subscriber.subscribe(ORG_CHART_CHANGED, {"root": ceo})
        await server.wait_subscribers(2)
        # when the employee is renamed
        await server.client("hr_admin").data(UPDATE_NAME, {"id": person["_id"], "name": "Renamed Person"})
        # then the manager sees the email, the peer sees the name and a null email, without an error
        seen = (await manager.next_payload())["data"]["orgChartChanged"]["employees"]
        assert seen == [{"id": person["_id"], "name": "Renamed Person", "email": person["email"]}]
        payload = await stranger.next_payload()
        assert payload["data"]["orgChartChanged"]["employees"] == [
            {"id": person["_id"], "name": "Renamed Person", "email": None}]
        assert "errors" not in payload


async def test_changes_outside_the_subtree_are_not_sent(server: RunningServer) -> None:
    # given a subscriber on a branch the change does not touch
    person = employee_persona()
    untouched = next(e for e in NORTHWIND.employees if e.get("managerId") == person["managerChain"][0]
                     and e["_id"] not in person["managerChain"] and e["_id"] != other_branch(person)["_id"])
    async with websocket(server.ws_url, server.token("employee")) as subscriber:
        await subscriber.subscribe(ORG_CHART_CHANGED, {"root": untouched["_id"]})
        await server.wait_subscribers(1)
        # when someone in another branch is renamed, and then (a marker) the subscriber's root
        await server.client("hr_admin").data(UPDATE_NAME, {"id": person["_id"], "name": "Someone Else"})
        await server.client("hr_admin").data(UPDATE_NAME, {"id": untouched["_id"], "name": "Marker"})
        # then nothing arrives before the marker
        event = (await subscriber.next_payload())["data"]["orgChartChanged"]
        assert event["employeeIds"] == [untouched["_id"]]


async def test_another_organisations_changes_never_arrive(server: RunningServer) -> None:
    # given a Globex subscriber at the top of Globex
    globex_ceo = next(e for e in GLOBEX.employees if e.get("managerId") is None)
    async with websocket(server.ws_url, server.token(globex_ceo["_id"], GLOBEX)) as subscriber:
        await subscriber.subscribe(ORG_CHART_CHANGED, {"root": globex_ceo["_id"]})
        await server.wait_subscribers(1)
        # when Northwind changes, and then (a marker) Globex's top
        await server.client("hr_admin").data(UPDATE_NAME, {"id": employee_persona()["_id"], "name": "Northwind Only"})
        await server.client("hr_admin", GLOBEX).data(UPDATE_NAME, {"id": globex_ceo["_id"], "name": "Marker"})
        # then the Globex subscriber hears nothing before the marker
        event = (await subscriber.next_payload())["data"]["orgChartChanged"]
        assert event["employeeIds"] == [globex_ceo["_id"]]


async def test_subscribing_to_another_organisations_root_is_refused(server: RunningServer) -> None:
    # given a Globex token / when it subscribes under a Northwind root
    globex_person = GLOBEX.employees[3]
    async with websocket(server.ws_url, server.token(globex_person["_id"], GLOBEX)) as subscriber:
        await subscriber.subscribe(ORG_CHART_CHANGED, {"root": NORTHWIND.personas["manager"]})
        message = await subscriber.receive()
    # then it gets an error, as for an unknown id, that tells nothing about Northwind
    assert message["type"] == "next"
    assert message["payload"]["data"] is None
    [error] = message["payload"]["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["message"] == f"no employee {NORTHWIND.personas['manager']!r} in your organisation"
    assert not any(e["name"] in str(message) for e in NORTHWIND.employees)


async def test_a_closed_connection_leaves_no_subscription_or_task(server: RunningServer) -> None:
    # given the server's tasks before any subscriber
    await asyncio.sleep(0.05)
    baseline = len(asyncio.all_tasks())
    # when three subscribers connect, subscribe and go away
    for protocol in (TRANSPORT_WS, LEGACY_WS, TRANSPORT_WS):
        async with websocket(server.ws_url, server.token("employee"), protocol) as subscriber:
            await subscriber.subscribe(ORG_CHART_CHANGED, {"root": employee_persona()["managerChain"][0]})
            await server.wait_subscribers(1)
    # then the bus has no channel or subscriber left and the tasks are back to the baseline
    await server.wait_subscribers(0)
    async with asyncio.timeout(5):
        while len(asyncio.all_tasks()) > baseline:
            await asyncio.sleep(0.02)
    assert server.bus.stats()["channels"] == 0


async def test_keep_alive_on_the_legacy_protocol_and_ping_on_the_new_one(server: RunningServer) -> None:
    # given a legacy graphql-ws connection / when it is acknowledged / then keep-alive messages follow
    token = server.token("employee")
    async with websocket(server.ws_url, token, LEGACY_WS, init=False) as legacy:
        await legacy.send({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}})
        first, second = json.loads(await legacy.ws.recv()), json.loads(await legacy.ws.recv())
        assert [first["type"], second["type"]] == ["connection_ack", "ka"]
    # given a graphql-transport-ws connection / when the client pings / then the server pongs
    async with websocket(server.ws_url, token, TRANSPORT_WS) as modern:
        await modern.send({"type": "ping"})
        assert json.loads(await modern.ws.recv()) == {"type": "pong"}


async def test_a_subscriber_that_falls_behind_is_disconnected_with_a_reason() -> None:
    # given a server whose subscribers may have at most 4 events waiting, and a client that never reads
    async with running_server(subscriber_queue_size=4) as server:
        ceo = employee_persona()["managerChain"][0]
        async with websocket(server.ws_url, server.token("employee")) as slow:
            await slow.subscribe(ORG_CHART_CHANGED, {"root": ceo})
            await server.wait_subscribers(1)
            # when far more events are published than its socket and queue can hold
            channel = org_chart_channel(NORTHWIND.organization["_id"])
            event = {"kind": "employee_updated", "employeeIds": [ceo], "scope": None, "version": 1}
            for n in range(20000):
                await server.bus.publish(channel, event)
                if n % 50 == 0:
                    await asyncio.sleep(0)
                if server.bus.stats()["subscribers"] == 0:
                    break
            # then the server drops it with the "fell behind" reason, and nobody is left subscribed
            with pytest.raises(ConnectionClosed):
                async with asyncio.timeout(10):
                    while True:
                        await slow.ws.recv()
            assert slow.ws.close_code == 1013
            assert "fell behind" in slow.ws.close_reason
            assert server.bus.stats()["subscribers"] == 0


TERMINATE = "mutation($id: ID!) { terminateEmployee(employeeId: $id) { errors { code } } }"


async def test_a_subscriber_who_is_terminated_stops_receiving(server: RunningServer) -> None:
    # given the employee persona subscribed at the top of the org chart
    person = employee_persona()
    async with websocket(server.ws_url, server.token("employee")) as subscriber:
        await subscriber.subscribe(ORG_CHART_CHANGED, {"root": person["managerChain"][0]})
        await server.wait_subscribers(1)
        # when HR terminates them
        assert await server.client("hr_admin").data(TERMINATE, {"id": person["_id"]}) == {
            "terminateEmployee": {"errors": []}}
        # then the event is not delivered: the stream ends with UNAUTHENTICATED and nothing follows
        payload = await subscriber.next_payload()
        assert payload["data"] is None
        assert [e["extensions"]["code"] for e in payload["errors"]] == ["UNAUTHENTICATED"]
        assert (await subscriber.receive())["type"] == "complete"
        await server.wait_subscribers(0)
