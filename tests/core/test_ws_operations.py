"""Queries and mutations over WebSockets, on both protocols: one result, then ``complete``."""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

import pytest
from starlette.websockets import WebSocket
from websockets.exceptions import ConnectionClosed

from resolvers.core.context import Context
from schema.core.limits import MAX_LIST_ITEMS, MAX_VARIABLE_DEPTH
from tests.client import LEGACY_WS, TRANSPORT_WS, answer, websocket
from tests.conftest import RunningServer, running_server
from tests.feedback.support import outsider, person
from tests.feedback.test_subscriptions import RECEIVED, give

ME = "{ me { name } }"
RENAME = """mutation($id: ID!) { updateEmployee(id: $id, input: {name: "Renamed"}) {
  employee { name } errors { field code message } } }"""


@pytest.mark.parametrize("protocol", [TRANSPORT_WS, LEGACY_WS])
async def test_a_query_answers_once_then_completes(server: RunningServer, protocol: str) -> None:
    # given a signed-in employee on either protocol
    async with websocket(server.ws_url, server.token("employee"), protocol) as ws:
        # when they send a query
        op = await ws.subscribe(ME)
        # then one result comes, then complete
        assert answer(await ws.next_payload()) == {"data": {"me": {"name": _name(server, "employee")}}}
        assert await ws.receive() == {"id": op, "type": "complete"}


@pytest.mark.parametrize("protocol", [TRANSPORT_WS, LEGACY_WS])
async def test_a_mutation_writes_or_refuses_in_its_payload(server: RunningServer, protocol: str) -> None:
    employee = server.demo.personas["employee"]
    # given an employee (who may not rename people) and an HR admin, each on a socket
    async with websocket(server.ws_url, server.token("employee"), protocol) as refused, \
            websocket(server.ws_url, server.token("hr_admin"), protocol) as allowed:
        before = await server.snapshot(("employees",))
        # when the employee tries the mutation, then its payload refuses and nothing is written
        await refused.subscribe(RENAME, {"id": employee})
        assert answer(await refused.next_payload()) == {"data": {"updateEmployee": {"employee": None, "errors": [
            {"field": None, "code": "FORBIDDEN", "message": "only HR admins may change the organisation"}]}}}
        assert await server.snapshot(("employees",)) == before
        # when the HR admin runs it, then it is written
        await allowed.subscribe(RENAME, {"id": employee})
        assert answer(await allowed.next_payload()) == {"data": {"updateEmployee": {"employee": {"name": "Renamed"},
                                                                            "errors": []}}}


def _name(server: RunningServer, persona: str) -> str:
    return next(e["name"] for e in server.demo.employees if e["_id"] == server.demo.personas[persona])


@pytest.mark.parametrize("protocol", [TRANSPORT_WS, LEGACY_WS])
async def test_a_socket_that_never_initialises_is_closed(protocol: str) -> None:
    # given a server whose sockets must send connection_init within 0.3 s
    async with running_server(connection_init_seconds=0.3) as server:
        # when a client opens a socket and sends nothing
        async with websocket(server.ws_url, None, protocol, init=False) as idle:
            # then the server closes it, on either protocol
            with pytest.raises(ConnectionClosed) as closed:
                await idle.receive(timeout=5)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4408


async def test_one_person_holds_at_most_ten_connections(server: RunningServer) -> None:
    token = server.token("employee")
    async with contextlib.AsyncExitStack() as stack:
        # given ten open connections of one person
        for _ in range(10):
            await stack.enter_async_context(websocket(server.ws_url, token))
        # when they open an eleventh, then it is refused; someone else still connects
        with pytest.raises(ConnectionClosed) as refused:
            async with websocket(server.ws_url, token):
                pass
        assert refused.value.rcvd is not None and refused.value.rcvd.code == 4403
        async with websocket(server.ws_url, server.token("manager")) as other:
            await other.subscribe(ME)
            assert (await other.next_payload())["data"]["me"]["name"] == _name(server, "manager")
    # when they close, then (once the server has seen them go) the person may connect again
    employee = server.demo.personas["employee"]
    async with asyncio.timeout(5):
        while server.app.state.view.connections[employee]:
            await asyncio.sleep(0.01)
    async with websocket(server.ws_url, token) as again:
        await again.subscribe(ME)
        assert (await again.next_payload())["data"]["me"]["name"] == _name(server, "employee")


async def test_each_operation_on_a_connection_reads_with_a_context_of_its_own(
        server: RunningServer, monkeypatch: pytest.MonkeyPatch) -> None:
    # given the contexts each event's fresh loaders are made on, recorded
    refreshed: list[Context] = []
    fresh_loaders = Context.fresh_loaders

    def recording(context: Context) -> Any:
        if isinstance(context.request, WebSocket):  # not the HTTP request giving the feedback
            refreshed.append(context)
        return fresh_loaders(context)

    monkeypatch.setattr(Context, "fresh_loaders", recording)
    employee = person("employee")
    # when the employee has two subscriptions open on one connection and receives feedback
    async with websocket(server.ws_url, server.token("employee")) as ws:
        await ws.subscribe(RECEIVED)
        await ws.subscribe(RECEIVED)
        await server.wait_subscribers(2)
        await give(server, outsider(employee)["_id"], employee["_id"], "PRIVATE", "Two streams")
        events = [await ws.receive() for _ in range(2)]
    # then each operation got the event, and each read it with a context of its own, not the connection's
    assert sorted(e["id"] for e in events) == ["1", "2"]
    assert {e["payload"]["data"]["feedbackReceived"]["feedback"]["text"] for e in events} == {"Two streams"}
    assert len(refreshed) == 2 and refreshed[0] is not refreshed[1]


@pytest.mark.parametrize("protocol", [TRANSPORT_WS, LEGACY_WS])
@pytest.mark.parametrize(("pad", "message", "code"), [
    ("[" * MAX_VARIABLE_DEPTH + "]" * MAX_VARIABLE_DEPTH, f"variables nest deeper than {MAX_VARIABLE_DEPTH} levels",
     "BAD_USER_INPUT"),
    (json.dumps(["x"] * (MAX_LIST_ITEMS + 1)), f"variable 'pad' holds a list of more than {MAX_LIST_ITEMS} items",
     "LIMIT_EXCEEDED"),
])
async def test_variables_over_a_limit_are_refused_on_a_socket_as_over_http(server: RunningServer, protocol: str,
                                                                           pad: str, message: str, code: str) -> None:
    # given an HR admin on a socket and the same mutation with a variable over a value limit
    variables = {"id": server.demo.personas["employee"], "pad": json.loads(pad)}
    before = await server.snapshot(("employees",))
    http = await server.client("hr_admin").post(RENAME, variables)
    async with websocket(server.ws_url, server.token("hr_admin"), protocol) as ws:
        # when it is sent on the socket
        await ws.subscribe(RENAME, variables)
        sent = await ws.receive()
    # then it is refused with the message and code the HTTP request got (400 there), and nothing is written
    errors = sent["payload"] if isinstance(sent["payload"], list) else sent["payload"]["errors"]
    assert [(e["message"], e["extensions"]["code"]) for e in errors] == [(message, code)]
    assert (http.status_code, [(e["message"], e["extensions"]["code"]) for e in http.json()["errors"]]) == \
        (400, [(message, code)])
    assert await server.snapshot(("employees",)) == before
