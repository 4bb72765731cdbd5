"""Grouped subscriptions (realtime/groups.py): one execution per event for subscribers who see it alike,
each member still checked, dropped and ended on its own."""

from __future__ import annotations

import asyncio
import json
import math
import socket
from collections.abc import AsyncGenerator, Awaitable, Callable
from typing import Any

import pytest
from graphql import GraphQLError
from strawberry.types import ExecutionResult
from websockets.exceptions import ConnectionClosed

import resolvers.core.audience as audience
from realtime.groups import Audience, Outlet, SubscriptionGroups, encode_message, message_head
from realtime.memory_bus import MemoryBus
from resolvers.org.mutations import org_chart_channel
from tests.client import LEGACY_WS, TRANSPORT_WS, websocket
from tests.conftest import NORTHWIND, RunningServer, published, running_server
from tests.interleave import hold, seen
from tests.org.test_org_chart_changed import ORG_CHART_CHANGED, TERMINATE, UPDATE_NAME, employee_persona, other_branch
from tests.reviews.test_presence import PRESENCE, self_form, viewers

ORG_WIDE = """
subscription($root: ID!) {
  orgChartChanged(rootId: $root) { kind version employees { id name title department { name } manager { name } } }
}"""
CHANNEL = org_chart_channel(NORTHWIND.organization["_id"])
CEO = employee_persona()["managerChain"][0]


def employee_title(person: dict[str, Any]) -> str:
    return next(p["title"] for p in NORTHWIND.positions if p["_id"] == person["positionId"])


def employee_department(person: dict[str, Any]) -> str:
    return next(d["name"] for d in NORTHWIND.departments if d["_id"] == person["departmentId"])


def event(version: int, employee_ids: list[str]) -> dict[str, object]:
    return {"kind": "employee_updated", "employeeIds": employee_ids, "scope": None, "version": version}


def small_socket(port: int) -> socket.socket:
    """A client socket with a small receive buffer: a client that stops reading blocks the server soon."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", port))
    return sock


def groups(server: RunningServer) -> dict[str, int]:
    stats = server.app.state.subscriptions.stats()
    return {"groups": stats["groups"], "members": stats["members"]}


async def test_org_wide_subscribers_share_one_execution_and_receive_the_same_payload(
        server: RunningServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(audience, "RECHECK_SECONDS", 3600.0)  # no standing re-read within the test: calls compare
    # given the employee subscribed to org-chart fields only, and one event delivered to them alone
    person, peer = employee_persona(), other_branch(employee_persona())
    async with websocket(server.ws_url, server.token("employee")) as first:
        await first.subscribe(ORG_WIDE, {"root": CEO})
        await server.wait_subscribers(1)
        server.database.stats.reset()
        await server.bus.publish(CHANNEL, event(1, [person["_id"]]))
        alone = await first.next_payload()
        calls_for_one = server.database.stats.calls
        # when their manager and a peer in another branch subscribe alike (the legacy protocol too)
        async with websocket(server.ws_url, server.token("manager")) as second, \
                websocket(server.ws_url, server.token(peer["_id"]), LEGACY_WS) as third:
            await second.subscribe(ORG_WIDE, {"root": CEO})
            await third.subscribe(ORG_WIDE, {"root": CEO})
            await server.wait_subscribers(3)
            server.database.stats.reset()
            await server.bus.publish(CHANNEL, event(2, [person["_id"]]))
            payloads = [await s.next_payload() for s in (first, second, third)]
            # then the three share one group, the event costs the store what it cost for one subscriber,
            # and every one of them receives the same payload, whatever their protocol
            assert groups(server) == {"groups": 1, "members": 3}
            assert server.database.stats.calls == calls_for_one
            assert payloads[0] == payloads[1] == payloads[2]
            assert payloads[0]["data"]["orgChartChanged"]["employees"] == \
                alone["data"]["orgChartChanged"]["employees"]
            assert payloads[0]["data"]["orgChartChanged"]["version"] == 2


async def test_personal_fields_are_shared_only_within_one_session(server: RunningServer) -> None:
    # given the manager on two connections with the same token, and a peer, all selecting emails
    person, peer = employee_persona(), other_branch(employee_persona())
    manager_token = server.token("manager")
    async with websocket(server.ws_url, manager_token) as desk, websocket(server.ws_url, manager_token) as phone, \
            websocket(server.ws_url, server.token(peer["_id"])) as stranger:
        for subscriber in (desk, phone, stranger):
            await subscriber.subscribe(ORG_CHART_CHANGED, {"root": CEO})
        await server.wait_subscribers(3)
        # when the employee is renamed
        await server.client("hr_admin").data(UPDATE_NAME, {"id": person["_id"], "name": "Renamed Person"})
        # then the manager's two connections share one group and see the email; the peer has a group of
        # their own and gets the name with a null email (by design, without an error)
        expected = [{"id": person["_id"], "name": "Renamed Person", "email": person["email"]}]
        assert [(await s.next_payload())["data"]["orgChartChanged"]["employees"] for s in (desk, phone)] == \
            [expected, expected]
        refused = await stranger.next_payload()
        assert refused["data"]["orgChartChanged"]["employees"] == [{**expected[0], "email": None}]
        assert "errors" not in refused
        assert groups(server) == {"groups": 2, "members": 3}


async def test_a_member_who_leaves_the_organisation_is_ended_alone(server: RunningServer) -> None:
    # given the employee and a colleague in one org-wide group on a branch the employee is not in
    person = employee_persona()
    branch = other_branch(person)["_id"]
    async with websocket(server.ws_url, server.token("employee")) as leaver, \
            websocket(server.ws_url, server.token("manager")) as colleague:
        for subscriber in (leaver, colleague):
            await subscriber.subscribe(ORG_WIDE, {"root": branch})
        await server.wait_subscribers(2)
        # when HR terminates the employee (an event outside that branch, which names them)
        assert await server.client("hr_admin").data(TERMINATE, {"id": person["_id"]}) == {
            "terminateEmployee": {"errors": []}}
        # then the leaver's stream ends with UNAUTHENTICATED; the colleague hears nothing of it
        payload = await leaver.next_payload()
        assert payload["data"] is None
        assert [e["extensions"]["code"] for e in payload["errors"]] == ["UNAUTHENTICATED"]
        assert (await leaver.receive())["type"] == "complete"
        # and when the branch's head is renamed next (a marker), then that is the first thing the colleague hears
        await server.client("hr_admin").data(UPDATE_NAME, {"id": branch, "name": "Marker Name"})
        marker = (await colleague.next_payload())["data"]["orgChartChanged"]
        assert (marker["kind"], [e["name"] for e in marker["employees"]]) == ("EMPLOYEE_UPDATED", ["Marker Name"])
        # and the colleague still receives the branch's next change
        await server.wait_subscribers(1)
        await server.client("hr_admin").data(UPDATE_NAME, {"id": branch, "name": "Branch Lead"})
        employees = (await colleague.next_payload())["data"]["orgChartChanged"]["employees"]
        assert [e["name"] for e in employees] == ["Branch Lead"]


async def test_a_member_whose_token_expires_is_ended_alone_and_gets_no_more_events(server: RunningServer) -> None:
    # given the employee (a token valid two seconds) and the manager in one org-wide group
    async with websocket(server.ws_url, server.token("employee", ttl=2)) as expiring, \
            websocket(server.ws_url, server.token("manager")) as colleague:
        for subscriber in (expiring, colleague):
            await subscriber.subscribe(ORG_WIDE, {"root": CEO})
        await server.wait_subscribers(2)
        assert groups(server) == {"groups": 1, "members": 2}
        # when the token has expired and the next change comes, one that names nobody (no member is re-read)
        await asyncio.sleep(2.5)
        await server.bus.publish(CHANNEL, event(7, []))
        # then the colleague gets the change, and the expired subscriber only UNAUTHENTICATED and complete
        assert (await colleague.next_payload())["data"]["orgChartChanged"]["version"] == 7
        payload = await expiring.next_payload()
        assert payload["data"] is None
        assert [(e["message"], e["extensions"]["code"]) for e in payload["errors"]] == [
            ("the token has expired", "UNAUTHENTICATED")]
        assert (await expiring.receive())["type"] == "complete"
        await server.wait_subscribers(1)


async def test_an_event_names_what_its_people_refer_to_and_the_execution_reads_it_beside_them(
        server: RunningServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(audience, "RECHECK_SECONDS", 3600.0)  # no standing re-read within the test
    person = employee_persona()
    messages = published(server, monkeypatch)
    expected = [("Read Beside", employee_title(person), employee_department(person))]
    async with websocket(server.ws_url, server.token("manager")) as subscriber:
        await subscriber.subscribe(ORG_WIDE, {"root": CEO})
        await server.wait_subscribers(1)
        # when HR renames the employee, then the event names the person's position and department as written
        assert await server.client("hr_admin").data(UPDATE_NAME, {"id": person["_id"], "name": "Read Beside"}) == {
            "updateEmployee": {"errors": []}}
        references = {"positionIds": [person["positionId"]], "departmentIds": [person["departmentId"]]}
        assert messages[-1][1]["references"] == references
        employees = (await subscriber.next_payload())["data"]["orgChartChanged"]["employees"]
        assert [(e["name"], e["title"], e["department"]["name"]) for e in employees] == expected
        # and when such an event arrives while the group's read of the people is held, the position and the
        # department are read meanwhile, beside the people, not after them
        async with hold(server.database, "employees", "find") as held, \
                seen(server.database, "positions", "find") as positions_read, \
                seen(server.database, "departments", "find") as departments_read:
            await server.bus.publish(CHANNEL, {**event(99, [person["_id"]]), "references": references})
            await asyncio.wait_for(held.reached.wait(), 5)
            await asyncio.wait_for(asyncio.gather(positions_read.wait(), departments_read.wait()), 5)
        employees = (await subscriber.next_payload())["data"]["orgChartChanged"]["employees"]
        assert [(e["name"], e["title"], e["department"]["name"]) for e in employees] == expected


async def test_a_member_that_falls_behind_is_dropped_without_holding_up_the_group() -> None:
    # given a server where at most 4 events may wait for a subscriber; a client that never reads and
    # one that reads, in the same group, on events naming 150 people (about 10 KB each)
    async with running_server(subscriber_queue_size=4) as server:
        named = [e["_id"] for e in NORTHWIND.employees[:150]]
        async with websocket(server.ws_url, server.token("employee"), sock=small_socket(server.port),
                             max_queue=1, ping_interval=None) as slow, \
                websocket(server.ws_url, server.token("manager")) as reader:
            for subscriber in (slow, reader):
                await subscriber.subscribe(ORG_WIDE, {"root": CEO})
            await server.wait_subscribers(2)
            # when events keep coming, each read by the reader before the next
            version = 0
            while groups(server)["members"] == 2 and version < 5000:
                version += 1
                await server.bus.publish(CHANNEL, event(version, named))
                assert (await reader.next_payload())["data"]["orgChartChanged"]["version"] == version
            # then the slow one is closed with the "fell behind" reason, and the reader goes on
            with pytest.raises(ConnectionClosed):
                async with asyncio.timeout(10):
                    while True:
                        await slow.ws.recv()
            assert (slow.ws.close_code, "fell behind" in (slow.ws.close_reason or "")) == (1013, True)
            await server.bus.publish(CHANNEL, event(version + 1, named[:1]))
            assert (await reader.next_payload())["data"]["orgChartChanged"]["version"] == version + 1
            assert groups(server) == {"groups": 1, "members": 1}


async def test_the_last_member_leaving_ends_the_group_and_its_bus_subscription(server: RunningServer) -> None:
    # given two members of one group over both protocols
    async with websocket(server.ws_url, server.token("employee"), TRANSPORT_WS) as one:
        async with websocket(server.ws_url, server.token("manager"), LEGACY_WS) as two:
            await one.subscribe(ORG_WIDE, {"root": CEO})
            await two.subscribe(ORG_WIDE, {"root": CEO})
            await server.wait_subscribers(2)
            assert server.bus.stats()["subscribers"] == 1
        # when one leaves, the group stays; when the other leaves, it is gone with its bus subscription
        await server.wait_subscribers(1)
        assert groups(server) == {"groups": 1, "members": 1}
    await server.wait_subscribers(0)
    async with asyncio.timeout(5):
        while server.bus.stats()["subscribers"] or groups(server)["groups"]:
            await asyncio.sleep(0.01)


async def test_a_subscription_with_side_effects_runs_once_per_subscriber(server: RunningServer) -> None:
    # given the reviewer's self form open in two tabs with the same token (reviewPresence announces each
    # subscriber on the way in)
    form = self_form()
    token = server.token("employee")
    async with websocket(server.ws_url, token) as first, websocket(server.ws_url, token) as second:
        await first.subscribe(PRESENCE, {"form": form["_id"], "session": "tab-1"})
        assert [v["sessionId"] for v in await viewers(first)] == ["tab-1"]
        # when the second tab opens the form
        await second.subscribe(PRESENCE, {"form": form["_id"], "session": "tab-2"})
        # then it sees both tabs at once, as it would alone, and nothing was grouped
        assert sorted(v["sessionId"] for v in await viewers(second)) == ["tab-1", "tab-2"]
        assert groups(server)["groups"] == 0


async def test_a_session_group_is_joined_only_with_the_same_roles(server: RunningServer) -> None:
    # given the manager subscribed with personal fields
    manager = NORTHWIND.personas["manager"]
    token = server.token("manager")
    async with websocket(server.ws_url, token) as before:
        await before.subscribe(ORG_CHART_CHANGED, {"root": CEO})
        await server.wait_subscribers(1)
        # when the store stops granting them the manager role and they connect again with the same token
        await server.database.employees.update_one({"_id": manager}, {"$set": {"roles": ["employee"]}})
        async with websocket(server.ws_url, token) as after:
            await after.subscribe(ORG_CHART_CHANGED, {"root": CEO})
            await server.wait_subscribers(2)
            # then the new connection runs in a group of its own, with the roles it has now
            assert groups(server) == {"groups": 2, "members": 2}


class Socket:
    """A member's connection: ``send`` writes at once while ``writable`` is set, else waits (a full buffer)."""

    def __init__(self) -> None:
        self.sent: list[str] = []
        self.writable = asyncio.Event()
        self.writable.set()

    async def send(self, text: str) -> None:
        await self.writable.wait()
        self.sent.append(text)


class OneStream:
    """A schema whose one subscription yields what is put in ``events`` (``None`` ends it)."""

    def __init__(self) -> None:
        self.events: asyncio.Queue[dict[str, int] | None] = asyncio.Queue()

    async def subscribe(self, query: str, **options: object) -> AsyncGenerator[ExecutionResult, None]:
        async def results() -> AsyncGenerator[ExecutionResult, None]:
            while (event := await self.events.get()) is not None:
                yield ExecutionResult(data=event, errors=None)
        return results()


def refuse_after(refused: set[str]) -> Callable[[Any, list[Any], frozenset[str]], Awaitable[list[GraphQLError | None]]]:
    async def check(group: Any, members: list[str], names: frozenset[str]) -> list[GraphQLError | None]:
        return [GraphQLError("refused") if member in refused else None for member in members]
    return check


async def member_on(groups: SubscriptionGroups, audience: Audience, name: str,
                    socket: Socket) -> tuple[asyncio.Task[None], list[str]]:
    """A member as a WebSocket handler runs it: what its stream yields is sent on the same socket, through the
    message encoder; returns the handler's task and what the stream itself yielded."""
    yielded: list[str] = []
    outlet = Outlet(socket.send, message_head(name, "next"), lambda: True)
    stream = groups.join(audience, "subscription { s }", None, None, name, outlet=outlet)

    async def handler() -> None:
        async for result in stream:
            text = encode_message({"id": name, "type": "next", "payload": {"data": result.data}}) \
                or json.dumps({"id": name, "type": "next", "payload": {
                    "data": result.data, "errors": [e.formatted["message"] for e in result.errors or []]}})
            yielded.append(text)
            await socket.send(text)
        await socket.send(json.dumps({"id": name, "type": "complete"}))

    task = asyncio.create_task(handler())
    await asyncio.sleep(0)
    return task, yielded


async def settle() -> None:
    for _ in range(20):
        await asyncio.sleep(0)


async def test_the_group_writes_to_idle_members_and_a_blocked_socket_waits_alone_in_order() -> None:
    # given a group of two members whose handlers give the group their sockets, one of them blocked (its
    # buffer full), at most 4 messages queued per member
    schema = OneStream()
    groups = SubscriptionGroups(schema, MemoryBus(), queue_size=4, on_overflow=lambda member, reason: settle())
    audience = Audience("everyone", lambda bus, recheck: None)
    fast, slow = Socket(), Socket()
    fast_task, fast_yielded = await member_on(groups, audience, "fast", fast)
    slow_task, slow_yielded = await member_on(groups, audience, "slow", slow)
    slow.writable.clear()
    # when three events come
    for n in range(3):
        await schema.events.put({"n": n})
    await settle()
    # then the idle member has all three, written by the group (its stream yielded none), and the blocked
    # one nothing yet
    expected = [f'{{"id":"{{}}","type":"next","payload":{{"data":{{"n":{n}}}}}}}' for n in range(3)]
    assert (fast.sent, fast_yielded, slow.sent) == ([e.replace("{}", "fast") for e in expected], [], [])
    # and when the blocked socket drains, it gets the three in order: the group's write first, then the two
    # its own stream took from its queue
    slow.writable.set()
    await settle()
    assert slow.sent == [e.replace("{}", "slow") for e in expected]
    assert len(slow_yielded) == 2
    # and once it is idle again the group writes to it itself
    await schema.events.put({"n": 3})
    await settle()
    assert (slow.sent[-1], len(slow_yielded)) == ('{"id":"slow","type":"next","payload":{"data":{"n":3}}}', 2)
    await schema.events.put(None)
    await asyncio.wait_for(asyncio.gather(fast_task, slow_task), 5)
    assert [s.sent[-1] for s in (fast, slow)] == ['{"id": "fast", "type": "complete"}',
                                                  '{"id": "slow", "type": "complete"}']


async def test_a_members_own_error_and_complete_come_after_the_groups_writes_to_it() -> None:
    # given a member whose socket is blocked with a group write pending, and a check that will refuse it
    schema = OneStream()
    refused: set[str] = set()
    groups = SubscriptionGroups(schema, MemoryBus(), queue_size=4, on_overflow=lambda member, reason: settle())
    audience = Audience("everyone", lambda bus, recheck: None, refuse_after(refused))
    socket = Socket()
    task, _ = await member_on(groups, audience, "one", socket)
    socket.writable.clear()
    await schema.events.put({"n": 0})
    await settle()
    # when the next event's check refuses it, and its socket drains
    refused.add("one")
    await schema.events.put({"n": 1})
    await settle()
    socket.writable.set()
    await asyncio.wait_for(task, 5)
    # then it got the pending write, its error, and complete, in that order, and not the refused event
    assert socket.sent == ['{"id":"one","type":"next","payload":{"data":{"n":0}}}',
                           '{"id":"one","type":"next","payload":{"data":null,"errors":[{"message":"refused"}]}}',
                           '{"id": "one", "type": "complete"}']
    assert groups.stats()["groups"] == 0


async def test_a_completed_operation_gets_no_more_writes_from_its_group() -> None:
    # given two members, one of whose operations the client has completed (its outlet closed) while its
    # handler has not yet ended it
    schema = OneStream()
    groups = SubscriptionGroups(schema, MemoryBus(), queue_size=4, on_overflow=lambda member, reason: settle())
    audience = Audience("everyone", lambda bus, recheck: None)
    gone, stays = Socket(), Socket()
    done = False
    stream = groups.join(audience, "subscription { s }", None, None, "gone",
                         outlet=Outlet(gone.send, message_head("gone", "next"), lambda: not done))
    first = asyncio.ensure_future(anext(stream))
    await settle()
    task, _ = await member_on(groups, audience, "stays", stays)
    # when an event comes after the client completed the first
    done = True
    await schema.events.put({"n": 0})
    await settle()
    # then only the other socket was written to; the completed one's stream holds the event for its handler,
    # which, being cancelled, never sends it
    assert (gone.sent, len(stays.sent)) == ([], 1)
    assert first.done()
    await stream.aclose()
    await schema.events.put(None)
    await asyncio.wait_for(task, 5)


class NamingStream(OneStream):
    """:class:`OneStream` whose execution tells its group whom each event names (``{"names": [...]}``) as a
    stream does, then records that it ran (``executed``), before yielding the event."""

    def __init__(self) -> None:
        super().__init__()
        self.executed: list[dict[str, Any]] = []

    async def subscribe(self, query: str, **options: Any) -> AsyncGenerator[ExecutionResult, None]:
        recheck = options["context_value"]

        async def results() -> AsyncGenerator[ExecutionResult, None]:
            while (event := await self.events.get()) is not None:
                await recheck(event.get("names", []))
                self.executed.append(event)
                yield ExecutionResult(data=event, errors=None)
        return results()


async def test_the_check_of_named_members_runs_beside_the_execution_and_the_delivery_waits_for_it() -> None:
    # given two members of one group, and a check that, for an event naming someone, is held until released and
    # then refuses those named
    schema = NamingStream()
    release, checks = asyncio.Event(), []

    async def check(group: Any, members: list[str], names: frozenset[str]) -> list[GraphQLError | None]:
        if names:
            checks.append(sorted(names))
            await release.wait()
        return [GraphQLError("has left") if member in names else None for member in members]

    groups = SubscriptionGroups(schema, MemoryBus(), queue_size=4, on_overflow=lambda member, reason: settle())
    audience = Audience("everyone", lambda bus, recheck: recheck, check, check_before_delivery=False)
    stays, leaves = Socket(), Socket()
    stays_task, _ = await member_on(groups, audience, "stays", stays)
    leaves_task, _ = await member_on(groups, audience, "leaves", leaves)
    # when an event naming the leaver comes, while the check of them is held
    await schema.events.put({"n": 1, "names": ["leaves"]})
    await settle()
    # then the event's execution has run, and nothing has been delivered yet
    assert (checks, [e["n"] for e in schema.executed], stays.sent, leaves.sent) == ([["leaves"]], [1], [], [])
    # and when the check is released, the one who stays gets the event and the leaver only the refusal and
    # complete, never the event
    release.set()
    await asyncio.wait_for(leaves_task, 5)
    await settle()
    assert stays.sent == ['{"id":"stays","type":"next","payload":{"data":{"n":1,"names":["leaves"]}}}']
    assert leaves.sent == ['{"id":"leaves","type":"next","payload":{"data":null,"errors":[{"message":"has left"}]}}',
                           '{"id": "leaves", "type": "complete"}']
    await schema.events.put(None)
    await asyncio.wait_for(stays_task, 5)


async def test_a_check_of_named_members_that_fails_ends_those_it_checked_instead_of_letting_the_event_through(
        ) -> None:
    # given two members of one group whose check of named members fails (it answers for no one)
    schema = NamingStream()

    async def check(group: Any, members: list[str], names: frozenset[str]) -> list[GraphQLError | None]:
        return [] if names else [None] * len(members)

    groups = SubscriptionGroups(schema, MemoryBus(), queue_size=4, on_overflow=lambda member, reason: settle())
    audience = Audience("everyone", lambda bus, recheck: recheck, check, check_before_delivery=False)
    first, second = Socket(), Socket()
    tasks = [(await member_on(groups, audience, name, sock))[0] for name, sock in (("a", first), ("b", second))]
    # when an event naming one of them comes
    await schema.events.put({"n": 1, "names": ["a"]})
    await asyncio.wait_for(asyncio.gather(*tasks), 5)
    # then neither gets the event: both get an internal error and complete
    refused = '{"data":null,"errors":[{"message":"Internal error: the server could not check this subscription."}]}'
    for name, sock in (("a", first), ("b", second)):
        assert sock.sent == [f'{{"id":"{name}","type":"next","payload":{refused}}}',
                               f'{{"id": "{name}", "type": "complete"}}']


async def test_an_expired_member_of_an_audience_without_a_check_gets_unauthenticated_not_the_event() -> None:
    # given a group whose audience knows each member's expiry but has no check, one member's token expired
    schema = NamingStream()
    expiry = {"fresh": math.inf, "stale": 0.0}
    groups = SubscriptionGroups(schema, MemoryBus(), queue_size=4, on_overflow=lambda member, reason: settle())
    audience = Audience("everyone", lambda bus, recheck: recheck, expires=lambda member: expiry[member])
    fresh, stale = Socket(), Socket()
    fresh_task, _ = await member_on(groups, audience, "fresh", fresh)
    stale_task, _ = await member_on(groups, audience, "stale", stale)
    # when an event comes
    await schema.events.put({"n": 1})
    await asyncio.wait_for(stale_task, 5)
    # then the fresh member gets it, the expired one UNAUTHENTICATED and complete
    assert fresh.sent == ['{"id":"fresh","type":"next","payload":{"data":{"n":1}}}']
    assert stale.sent == ['{"id":"stale","type":"next","payload":{"data":null,"errors":[{"message":"the token has '
                          'expired","extensions":{"code":"UNAUTHENTICATED"}}]}}', '{"id": "stale", "type": "complete"}']
    await schema.events.put(None)
    await asyncio.wait_for(fresh_task, 5)


async def test_a_standing_check_that_falls_due_during_an_execution_is_made_before_its_delivery() -> None:
    # given a group whose members' standing is read at most every 50 ms (the leaver refused by it), read just now,
    # and an execution that takes longer than that
    proceed = asyncio.Event()

    class SlowStream(NamingStream):
        async def subscribe(self, query: str, **options: Any) -> AsyncGenerator[ExecutionResult, None]:
            results = await super().subscribe(query, **options)

            async def slow() -> AsyncGenerator[ExecutionResult, None]:
                async for result in results:
                    await proceed.wait()
                    yield result
            return slow()

    async def standing(members: list[str]) -> list[GraphQLError | None]:
        return [GraphQLError("has left") if member == "leaver" else None for member in members]

    schema = SlowStream()
    groups = SubscriptionGroups(schema, MemoryBus(), queue_size=4, on_overflow=lambda member, reason: settle())
    audience = Audience("everyone", lambda bus, recheck: recheck, check_all=standing, check_all_seconds=0.05)
    stays, leaver = Socket(), Socket()
    stays_task, _ = await member_on(groups, audience, "stays", stays)
    leaver_task, _ = await member_on(groups, audience, "leaver", leaver)
    # when an event arrives before the standing is due, and its execution ends after it fell due
    await schema.events.put({"n": 1})
    await settle()
    await asyncio.sleep(0.1)
    proceed.set()
    await asyncio.wait_for(leaver_task, 5)
    # then the standing was read before the delivery: the leaver gets only the refusal
    assert leaver.sent == ['{"id":"leaver","type":"next","payload":{"data":null,"errors":[{"message":"has left"}]}}',
                           '{"id": "leaver", "type": "complete"}']
    await settle()
    assert stays.sent == ['{"id":"stays","type":"next","payload":{"data":{"n":1}}}']
    await schema.events.put(None)
    await asyncio.wait_for(stays_task, 5)


async def stays_and_leaver(schema: NamingStream, audience: Audience) -> tuple[Socket, asyncio.Task[None],
                                                                           Socket, asyncio.Task[None]]:
    """Two members of one group on ``audience`` (``stays``, ``leaver``), and a first event sent to both."""
    groups = SubscriptionGroups(schema, MemoryBus(), queue_size=4, on_overflow=lambda member, reason: settle())
    stays, leaver = Socket(), Socket()
    stays_task, _ = await member_on(groups, audience, "stays", stays)
    leaver_task, _ = await member_on(groups, audience, "leaver", leaver)
    await schema.events.put({"n": 1})
    return stays, stays_task, leaver, leaver_task


async def test_while_events_keep_coming_the_members_standing_is_read_between_them_and_no_longer_once_they_stop(
        ) -> None:
    # given a group whose members' standing is checked at most every 2 s, read ahead at half that (1 s after the
    # last read) while an event came within the last 1.5 s, and a member who leaves right after the first event
    schema = NamingStream()
    reads: list[float] = []
    left: set[str] = set()

    async def standing(members: list[str]) -> list[GraphQLError | None]:
        reads.append(asyncio.get_running_loop().time())
        return [GraphQLError("has left") if member in left else None for member in members]

    audience = Audience("everyone", lambda bus, recheck: recheck, check_all=standing, check_all_seconds=2.0,
                        read_ahead=0.5, active_seconds=1.5)
    stays, stays_task, leaver, leaver_task = await stays_and_leaver(schema, audience)
    await settle()
    assert (stays.sent, leaver.sent, reads) == (['{"id":"stays","type":"next","payload":{"data":{"n":1}}}'],
                                                ['{"id":"leaver","type":"next","payload":{"data":{"n":1}}}'], [])
    left.add("leaver")
    # when no further event comes: then the standing read ahead, between events, refuses the leaver
    await asyncio.wait_for(leaver_task, 5)
    refused = '{"data":null,"errors":[{"message":"has left"}]}'
    assert leaver.sent[1:] == [f'{{"id":"leaver","type":"next","payload":{refused}}}',
                               '{"id": "leaver", "type": "complete"}']
    assert len(reads) == 1
    # and the next event, well within the 2 s since that read, is delivered without another read
    await schema.events.put({"n": 2})
    await settle()
    assert stays.sent[1:] == ['{"id":"stays","type":"next","payload":{"data":{"n":2}}}']
    assert len(reads) == 1
    # and once events stop for longer than 1.5 s, the reads ahead stop too
    await asyncio.sleep(3.0)
    quiet = len(reads)
    await asyncio.sleep(1.5)
    assert len(reads) == quiet
    await schema.events.put(None)
    await asyncio.wait_for(stays_task, 5)


async def test_an_event_that_comes_while_the_standing_is_read_ahead_waits_for_that_read() -> None:
    # given a group whose members' standing is read ahead 0.2 s after the last read, that read held once it starts,
    # and a member it will refuse
    schema = NamingStream()
    started, release = asyncio.Event(), asyncio.Event()

    async def standing(members: list[str]) -> list[GraphQLError | None]:
        started.set()
        await release.wait()
        return [GraphQLError("has left") if member == "leaver" else None for member in members]

    audience = Audience("everyone", lambda bus, recheck: recheck, check_all=standing, check_all_seconds=10.0,
                        read_ahead=0.02, active_seconds=5.0)
    stays, stays_task, leaver, leaver_task = await stays_and_leaver(schema, audience)
    await asyncio.wait_for(started.wait(), 5)
    # when an event comes while that read is under way
    await schema.events.put({"n": 2})
    await settle()
    # then nobody has it yet; once the read is through, the leaver gets only the refusal, the other the event
    assert [len(stays.sent), len(leaver.sent)] == [1, 1]
    release.set()
    await asyncio.wait_for(leaver_task, 5)
    await settle()
    assert leaver.sent[1:] == ['{"id":"leaver","type":"next","payload":{"data":null,"errors":[{"message":'
                               '"has left"}]}}', '{"id": "leaver", "type": "complete"}']
    assert stays.sent[1:] == ['{"id":"stays","type":"next","payload":{"data":{"n":2}}}']
    await schema.events.put(None)
    await asyncio.wait_for(stays_task, 5)


async def test_an_event_naming_people_checks_only_the_members_among_them_and_none_when_none_is_a_member() -> None:
    # given three members of one group whose audience knows who each is, and a check that refuses those named
    schema = NamingStream()
    checked: list[list[str]] = []

    async def check(group: Any, members: list[str], names: frozenset[str]) -> list[GraphQLError | None]:
        checked.append(sorted(members))
        return [GraphQLError("has left") if member in names else None for member in members]

    groups = SubscriptionGroups(schema, MemoryBus(), queue_size=4, on_overflow=lambda member, reason: settle())
    audience = Audience("everyone", lambda bus, recheck: recheck, check, check_before_delivery=False,
                        person=lambda member: member)
    sockets = {name: Socket() for name in ("ann", "bob", "cid")}
    tasks = {name: (await member_on(groups, audience, name, sock))[0] for name, sock in sockets.items()}
    # when an event names bob, then one names nobody who is a member
    await schema.events.put({"n": 1, "names": ["bob"]})
    await asyncio.wait_for(tasks["bob"], 5)
    await schema.events.put({"n": 2, "names": ["zed"]})
    await settle()
    # then only bob was checked (and refused), the second event needed no check, and the others got both events
    assert checked == [["bob"]]
    assert sockets["bob"].sent == ['{"id":"bob","type":"next","payload":{"data":null,"errors":[{"message":'
                                   '"has left"}]}}', '{"id": "bob", "type": "complete"}']
    for name in ("ann", "cid"):
        assert [json.loads(text)["payload"]["data"]["n"] for text in sockets[name].sent] == [1, 2]
    await schema.events.put(None)
    await asyncio.wait_for(asyncio.gather(tasks["ann"], tasks["cid"]), 5)
