"""Malformed and hostile requests: refused before anything runs, as JSON GraphQL errors with a 4xx status
and a code, never a traceback or plain text; fragment fan-out measured once per fragment."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from typing import Any

import pytest

from schema.core.limits import MAX_ALIASES, MAX_ARGUMENT_CHARS, MAX_DEPTH, MAX_LIST_ITEMS, MAX_VARIABLE_DEPTH
from server.requests import MAX_BODY_BYTES, MAX_QUERY_CHARS
from tests import conftest
from tests.client import answer, shared_client
from tests.conftest import RunningServer, start_server, stop_server

JSON = "application/json"


async def post(server: RunningServer, body: bytes, content_type: str = JSON) -> tuple[int, str, Any]:
    response = await shared_client().post(server.url, content=body, headers={
        "content-type": content_type, "authorization": f"Bearer {server.token('employee')}"})
    return response.status_code, response.headers["content-type"], response.json()


def refusal(message: str, code: str) -> dict[str, Any]:
    return {"errors": [{"message": message, "extensions": {"code": code}}]}


@pytest.mark.parametrize(("body", "status", "message", "code"), [
    (b'{"query": "\xff\xfe"}', 400, "the request body is not valid UTF-8", "BAD_REQUEST"),
    (b"null", 400, "the request body must be a JSON object with a query", "BAD_REQUEST"),
    (b'"x"', 400, "the request body must be a JSON object with a query", "BAD_REQUEST"),
    (b"1", 400, "the request body must be a JSON object with a query", "BAD_REQUEST"),
    (b"{", 400, "the request body is not valid JSON (or nests too deeply)", "BAD_REQUEST"),
    (b'[{"query": "{ me { name } }"}]', 400, "batched requests are not supported: send one request object",
     "BAD_REQUEST"),
    (b"{}", 400, "the request has no query (a string)", "BAD_REQUEST"),
    (b'{"query": 7}', 400, "the request has no query (a string)", "BAD_REQUEST"),
    (b'{"query": "{ me { name } }", "variables": [1]}', 400, "variables must be a JSON object", "BAD_USER_INPUT"),
    (b'{"query": "{ me { name } }", "operationName": 3}', 400, "operationName must be a string", "BAD_REQUEST"),
    (('{"query": "query($v: String) { me { name } }", "variables": {"v": ' + "[" * 10_000 + "]" * 10_000
      + "}}").encode(), 400, "the request body is not valid JSON (or nests too deeply)", "BAD_REQUEST"),
    (('{"query": "query($v: String) { me { name } }", "variables": {"v": ' + "[" * MAX_VARIABLE_DEPTH
      + "]" * MAX_VARIABLE_DEPTH + "}}").encode(), 400, f"variables nest deeper than {MAX_VARIABLE_DEPTH} levels",
     "BAD_USER_INPUT"),
    (('{"query": "' + "#" * (MAX_QUERY_CHARS + 1) + '\\n{ me { name } }"}').encode(), 400,
     f"the query is longer than {MAX_QUERY_CHARS} characters", "LIMIT_EXCEEDED"),
    (b'{"query": "{ me { name } }", "pad": "' + b"x" * MAX_BODY_BYTES + b'"}', 413,
     f"the request body is larger than {MAX_BODY_BYTES} bytes", "LIMIT_EXCEEDED"),
    (b'{"query": "{ me { name } }", "operationName": "Z"}', 400, 'Unknown operation named "Z".', "BAD_REQUEST"),
])
async def test_a_malformed_request_is_a_json_error(server: RunningServer, body: bytes, status: int, message: str,
                                                   code: str) -> None:
    # when a malformed request arrives / then it gets a JSON GraphQL error with its 4xx status and code
    assert await post(server, body) == (status, JSON, refusal(message, code))


async def test_another_media_type_is_a_json_error(server: RunningServer) -> None:
    assert await post(server, b"{ me { name } }", "text/plain") == (
        400, JSON, refusal("Unsupported content type", "BAD_REQUEST"))


async def test_several_operations_need_an_operation_name(server: RunningServer) -> None:
    # given a document of two operations and no operationName / then neither runs
    body = b'{"query": "query A { me { name } } query B { me { id } }"}'
    assert await post(server, body) == (200, JSON, {"data": None, "errors": [
        {"message": "operationName is required: the document has several operations",
         "extensions": {"code": "GRAPHQL_VALIDATION_FAILED"}}]})


async def test_a_subscription_over_http_is_refused(server: RunningServer) -> None:
    body = b'{"query": "subscription { praisePosted { message } }"}'
    assert await post(server, body) == (200, JSON, {"data": None, "errors": [
        {"message": "subscriptions run over a WebSocket (graphql-transport-ws or graphql-ws), not HTTP",
         "extensions": {"code": "BAD_REQUEST"}}]})


async def test_an_unknown_fragment_is_a_validation_error_not_an_exception_text(server: RunningServer) -> None:
    status, _, body = await post(server, b'{"query": "{ ...Anything }"}')
    assert (status, [(e["message"], e["extensions"]["code"]) for e in body["errors"]]) == (
        200, [("Unknown fragment 'Anything'.", "GRAPHQL_VALIDATION_FAILED")])


def fan_out(levels: int, spreads: int) -> str:
    """Fragment F0 spreads F1 ``spreads`` times, F1 spreads F2 …: ``spreads ** levels`` expansions."""
    fragments = [f"fragment F{i} on Employee {{ {' '.join(f'...F{i + 1}' for _ in range(spreads))} }}"
                 for i in range(levels)]
    fragments.append(f"fragment F{levels} on Employee {{ a1: name a2: name }}")
    return "{ me { ...F0 } } " + " ".join(fragments)


async def test_fragment_fan_out_is_measured_once_per_fragment(server: RunningServer) -> None:
    # given a document of a few hundred bytes that expands to 10 ** 8 selections of two aliases each
    query = fan_out(levels=8, spreads=10)
    assert len(query) < 1000
    # when it is sent / then it is refused for its aliases (counted through every expansion) right away,
    # where walking every spread again would never finish
    async with asyncio.timeout(10):
        status, _, body = await post(server, ('{"query": "' + query + '"}').encode())
    assert (status, body["errors"]) == (200, [{"message": f"{2 * 10 ** 8} aliases found. Allowed: {MAX_ALIASES}",
                                               "extensions": {"code": "LIMIT_EXCEEDED"}}])


async def test_depth_through_fragments_is_limited(server: RunningServer) -> None:
    # given fragments that nest one field deeper each, past the depth limit
    levels = MAX_DEPTH + 1
    fragments = " ".join(f"fragment D{i} on Employee {{ manager {{ ...D{i + 1} }} }}" for i in range(levels))
    query = "query Deep { me { ...D0 } } " + fragments + f" fragment D{levels} on Employee {{ name }}"
    status, _, body = await post(server, ('{"query": "' + query + '"}').encode())
    assert (status, [e["message"] for e in body["errors"]]) == (
        200, [f"'Deep' exceeds maximum operation depth of {MAX_DEPTH}"])


INTROSPECTION = b'{"query": "{ __schema { queryType { name } } }"}'


async def test_introspection_and_graphiql_are_on_by_default(server: RunningServer) -> None:
    status, _, body = await post(server, INTROSPECTION)
    assert (status, answer(body)) == (200, {"data": {"__schema": {"queryType": {"name": "Query"}}}})
    page = await shared_client().get(server.url, headers={"accept": "text/html"})
    assert page.status_code == 200 and "graphiql" in page.text.lower()


async def test_introspection_and_graphiql_can_be_switched_off() -> None:
    # given a server started with INTROSPECTION=0 and GRAPHIQL=0, as production should be
    settings = dataclasses.replace(conftest.settings_for_tests(), introspection=False, graphiql=False)
    server_, running = await start_server(settings)
    try:
        # then an introspection query is refused, and browsers get no GraphiQL page
        status, _, body = await post(running, INTROSPECTION)
        assert (status, [e["message"] for e in body["errors"]]) == (200, [
            f"GraphQL introspection has been disabled, but the requested query contained the field '{name}'."
            for name in ("__schema", "queryType")])
        page = await shared_client().get(running.url, headers={"accept": "text/html"})
        assert "graphiql" not in page.text.lower()
        # and ordinary queries still run
        status, _, body = await post(running, b'{"query": "{ me { id } }"}')
        assert answer(body) == {"data": {"me": {"id": running.demo.personas["employee"]}}}
    finally:
        await stop_server(server_, running)


@pytest.mark.parametrize(("query", "message"), [
    ("{ employees(filter: {status: ACTIV}) { totalCount } }", "Value 'ACTIV' does not exist in 'EmployeeStatus' enum."),
    ('{ employee(idd: "x") { name } }', "Unknown argument 'idd' on field 'Query.employee'."),
    ("{ me { ...F } } fragment F on Employe { name }", "Unknown type 'Employe'."),
    ('{ employees(filter: {departmentIdd: "x"}) { totalCount } }',
     "Expected value of type 'EmployeeFilter' not to include unknown field 'departmentIdd'. Found: "
     '{ departmentIdd: "x" }.'),
])
async def test_no_suggestions_of_names(server: RunningServer, query: str, message: str) -> None:
    # when a query misspells a name / then the error says so without suggesting the schema's names
    status, _, body = await post(server, json.dumps({"query": query}).encode())
    assert status == 200
    assert message in [e["message"] for e in body["errors"]]
    assert not any("Did you mean" in e["message"] for e in body["errors"])


async def test_an_operation_running_too_long_is_stopped() -> None:
    # given a server that stops operations after 0.2 s, and a store answering each call after 0.3 s
    async with conftest.running_server(execution_seconds=0.2) as server:
        server.database.set_delay(0.3)
        try:
            # when a query is sent / then it is stopped with TIMEOUT, and the server goes on serving
            status, _, body = await post(server, b'{"query": "{ departments { name } }"}')
            assert (status, body) == (200, {"data": None, "errors": [{
                "message": "the operation took longer than 0.2 s and was stopped", "extensions": {"code": "TIMEOUT"}}]})
        finally:
            server.database.set_delay(0)
        status, _, body = await post(server, b'{"query": "{ me { id } }"}')
        assert answer(body) == {"data": {"me": {"id": server.demo.personas["employee"]}}}


@pytest.mark.parametrize(("query", "variables", "code"), [
    ("{ me { name(", None, "GRAPHQL_PARSE_FAILED"),
    ("{ me { nothing } }", None, "GRAPHQL_VALIDATION_FAILED"),
    ("query($n: Int!) { employees(first: $n) { totalCount } }", {"n": "many"}, "BAD_USER_INPUT"),
])
async def test_parse_validation_and_variable_errors_carry_their_code(server: RunningServer, query: str,
                                                                     variables: Any, code: str) -> None:
    body = await server.client("employee").execute(query, variables)
    assert [e["extensions"]["code"] for e in body["errors"]] == [code]


LONG = "x" * (MAX_ARGUMENT_CHARS + 1)


@pytest.mark.parametrize(("query", "variables", "message"), [
    ('{ employees(filter: {search: "' + LONG + '"}) { totalCount } }', None,
     f"a string argument is longer than {MAX_ARGUMENT_CHARS} characters"),
    ('{ employees(filter: {search: "' + "x" * 101 + '"}) { totalCount } }', None,
     "search is longer than 100 characters"),
    ("query($s: String) { employees(filter: {search: $s}) { totalCount } }", {"s": LONG},
     f"variable 's' holds a string longer than {MAX_ARGUMENT_CHARS} characters"),
    ("query($ids: [ID!]!) { me { id } }", {"ids": ["x"] * (MAX_LIST_ITEMS + 1)},
     f"variable 'ids' holds a list of more than {MAX_LIST_ITEMS} items"),
])
async def test_long_values_are_refused_before_anything_runs(server: RunningServer, query: str, variables: Any,
                                                            message: str) -> None:
    body = await server.client("employee").execute(query, variables) if variables is None else (
        await server.client("employee").post(query, variables)).json()
    assert [e["message"] for e in body["errors"]] == [message]
    assert body["errors"][0]["extensions"]["code"] in {"LIMIT_EXCEEDED", "BAD_USER_INPUT"}


async def test_a_literal_list_over_the_limit_is_refused_and_nothing_written(server: RunningServer) -> None:
    ids = ", ".join(f'"{n}"' for n in range(MAX_LIST_ITEMS + 1))
    before = await server.snapshot(("reviews",))
    body = await server.client("employee").execute(
        f'mutation {{ nominatePeers(reviewId: "r", peerIds: [{ids}]) {{ errors {{ code }} }} }}')
    assert [(e["message"], e["extensions"]["code"]) for e in body["errors"]] == [
        (f"a list argument has more than {MAX_LIST_ITEMS} items", "LIMIT_EXCEEDED")]
    assert await server.snapshot(("reviews",)) == before


async def test_headers_sent_too_slowly_close_the_connection() -> None:
    # given a server whose deadline for request headers is 0.3 s
    uvicorn_server, server = await start_server(conftest.settings_for_tests(), header_seconds=0.3)
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        # when a client sends its request line and then one header byte at a time, too slowly
        writer.write(b"POST /graphql HTTP/1.1\r\nHost: x\r\n")
        await writer.drain()
        closed = False
        for _ in range(20):
            await asyncio.sleep(0.1)
            writer.write(b"X")
            try:
                await writer.drain()
            except ConnectionError:
                closed = True
                break
            if reader.at_eof():
                closed = True
                break
        # then the server closed the connection within the deadline (and well before 2 s)
        if not closed:
            closed = await asyncio.wait_for(reader.read(), 1) == b""
        assert closed
        writer.close()
        # and a connection opened but never used is closed too
        idle_reader, idle_writer = await asyncio.open_connection("127.0.0.1", server.port)
        assert await asyncio.wait_for(idle_reader.read(), 2) == b""
        idle_writer.close()
        # while a normal request is answered
        assert (await shared_client().post(server.url, json={"query": "{ __typename }"})).status_code == 200
    finally:
        await stop_server(uvicorn_server, server)


async def test_the_operations_per_connection_cap_has_a_code(server: RunningServer) -> None:
    from tests.client import websocket
    async with websocket(server.ws_url, server.token("employee")) as subscriber:
        for _ in range(50):
            await subscriber.subscribe("subscription { praisePosted { id } }")
        await server.wait_subscribers(50)
        op_id = await subscriber.subscribe("subscription { praisePosted { id } }")
        message = await subscriber.receive()
        assert message == {"id": op_id, "type": "error", "payload": [{
            "message": "at most 50 live operations per connection", "extensions": {"code": "LIMIT_EXCEEDED"}}]}


async def test_a_client_that_goes_away_stops_its_operation() -> None:
    from tests.goals.support import CREATE_GOAL, new_goal_input
    # given a store answering each call after 0.2 s, and the goals as they are
    async with conftest.running_server() as server:
        before = await server.snapshot(("goals",))
        body = json.dumps({"query": CREATE_GOAL, "variables": {"input": new_goal_input()}}).encode()
        server.database.set_delay(0.2)
        try:
            # when a client sends a mutation and closes its connection before the answer
            _, writer = await asyncio.open_connection("127.0.0.1", server.port)
            writer.write(b"POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                         b"Authorization: Bearer " + server.token("employee").encode() + b"\r\n"
                         b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
            await writer.drain()
            await asyncio.sleep(0.3)
            writer.close()
            # then its work is cancelled: long after it would have finished, nothing was written
            await asyncio.sleep(4)
        finally:
            server.database.set_delay(0)
        assert await server.snapshot(("goals",)) == before
        # and the server goes on serving
        status, _, answered = await post(server, b'{"query": "{ me { id } }"}')
        assert status == 200 and answered["data"] == {"me": {"id": server.demo.personas["employee"]}}
