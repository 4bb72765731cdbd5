"""What operators see: /health, /ready, Prometheus /metrics, one structured access line per request."""

from __future__ import annotations

import json
import logging
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

import resolvers.org.queries
from schema.schema import MASKED_MESSAGE
from server.__main__ import configure_logging
from tests.client import websocket
from tests.conftest import RunningServer

ME = "query Me { me { name } }"
PRAISE = "subscription Praise { praisePosted { id } }"


def root(server: RunningServer, path: str) -> str:
    return server.url.removesuffix("/graphql") + path


async def get(url: str, **kwargs: Any) -> httpx.Response:
    async with httpx.AsyncClient(timeout=30) as http:
        return await http.get(url, **kwargs)


async def samples(server: RunningServer) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of /metrics, by name and labels."""
    response = await get(root(server, "/metrics"))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(response.text) for s in family.samples}


async def test_health_answers_while_the_process_lives(server: RunningServer) -> None:
    response = await get(root(server, "/health"))
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


async def test_ready_checks_the_store_and_the_bus(server: RunningServer) -> None:
    # given a running server / then it is ready: the store answered a ping, the bus can carry events
    response = await get(root(server, "/ready"))
    assert (response.status_code, response.json()) == (200, {"status": "ready", "store": "ok", "bus": "ok"})
    # when the bus goes away / then the server says it is not ready (a load balancer stops sending to it)
    await server.bus.disconnect()
    response = await get(root(server, "/ready"))
    assert (response.status_code, response.json()) == (503, {"status": "not ready", "store": "ok",
                                                             "bus": "unreachable"})


async def test_metrics_count_operations_outcomes_store_calls_and_live_subscriptions(server: RunningServer) -> None:
    client = server.client("employee")
    before = await samples(server)
    # given two successful queries, a refused one (unknown field) and one without a token
    await client.data(ME)
    await client.data(ME)
    await client.execute("query Bad { me { nope } }")
    await server.client().execute(ME)
    after = await samples(server)
    # then each is counted by type, name and outcome, and the errors by code
    assert after[("perfgraph_requests_total", (("operation_name", "Me"), ("operation_type", "query"),
                                               ("outcome", "ok")))] == 2
    assert after[("perfgraph_requests_total", (("operation_name", "Bad"), ("operation_type", "query"),
                                               ("outcome", "refused")))] == 1
    assert after[("perfgraph_requests_total", (("operation_name", "Me"), ("operation_type", "query"),
                                               ("outcome", "errors")))] == 1
    assert after[("perfgraph_refusals_total", (("code", "UNAUTHENTICATED"),))] == 1
    assert after[("perfgraph_request_seconds_count", (("operation_type", "query"),))] == 4
    # and the store's round trips grew (each query reads the viewer)
    assert after[("perfgraph_store_calls_total", ())] > before[("perfgraph_store_calls_total", ())]
    # when a subscriber is connected / then the open WebSocket and its live subscription are seen
    assert after[("perfgraph_websockets", ())] == 0
    async with websocket(server.ws_url, server.token("employee")) as ws:
        await ws.subscribe(PRAISE)
        await server.wait_subscribers(1)
        live = await samples(server)
        assert live[("perfgraph_websockets", ())] == 1
        assert live[("perfgraph_subscriptions", ())] == 1


async def test_each_request_logs_one_access_line_with_its_request_id(server: RunningServer,
                                                                     caplog: pytest.LogCaptureFixture) -> None:
    token = server.token("employee")
    caplog.set_level(logging.INFO)
    # when a client sends its own request id, then one without
    async with httpx.AsyncClient(timeout=30) as http:
        mine = await http.post(server.url, json={"query": ME}, headers={
            "Authorization": f"Bearer {token}", "X-Request-ID": "client-42"})
        theirs = await http.post(server.url, json={"query": ME}, headers={
            "Authorization": f"Bearer {token}", "X-Request-ID": "not safe; " * 10 + "x"})
    # then the id is returned (the client's when it is safe, else a new one)
    assert mine.headers["x-request-id"] == "client-42"
    assert len(theirs.headers["x-request-id"]) == 32
    lines = [r for r in caplog.records if r.name == "perfgraph.access"]
    assert [(r.request_id, r.operation_name, r.operation_type, r.outcome, r.status) for r in lines] == [
        ("client-42", "Me", "query", "ok", 200), (theirs.headers["x-request-id"], "Me", "query", "ok", 200)]
    assert all(r.levelno == logging.INFO and r.duration_ms >= 0 for r in lines)
    # and no log line carries the token
    assert not [r for r in caplog.records if token in r.getMessage() or token in json.dumps(r.__dict__, default=str)]


async def test_a_client_mistake_is_logged_at_info_without_a_traceback(server: RunningServer,
                                                                      caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    await server.client("employee").execute("{ me { nope } }")
    errors = [r for r in caplog.records if r.name in {"perfgraph.errors", "strawberry.execution"}]
    assert [(r.levelno, r.exc_info) for r in errors] == [(logging.INFO, None)]
    assert errors[0].getMessage() == "client error -: Cannot query field 'nope' on type 'Employee'."


async def test_an_unexpected_error_is_logged_at_error_with_its_traceback(
        server: RunningServer, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    # given a resolver that fails unexpectedly
    async def broken(context: Any) -> list[Any]:
        raise RuntimeError("secret detail")

    monkeypatch.setattr(resolvers.org.queries, "departments", broken)
    caplog.set_level(logging.INFO)
    # when it is queried
    body = await server.client("employee").execute("query Departments { departments { name } }")
    # then the client sees the masked message, the log has the error and its traceback at ERROR
    assert body["errors"][0]["message"] == MASKED_MESSAGE
    errors = [r for r in caplog.records if r.name == "perfgraph.errors"]
    assert [(r.levelno, r.getMessage()) for r in errors] == [(logging.ERROR, "unexpected error: secret detail")]
    assert errors[0].exc_info is not None and errors[0].exc_info[0] is RuntimeError
    # and the request's outcome is "internal"
    (line,) = [r for r in caplog.records if r.name == "perfgraph.access"]
    assert (line.operation_name, line.outcome) == ("Departments", "internal")


def test_json_logs_are_one_object_a_line(capsys: pytest.CaptureFixture[str]) -> None:
    # given the serving process's log configuration
    configure_logging("json")
    try:
        # when the access line is written
        logging.getLogger("perfgraph.access").info("request", extra={"request_id": "r1", "operation_name": "Me",
                                                                     "duration_ms": 1.5, "outcome": "ok"})
        # then it is one JSON object with its fields
        line = json.loads(capsys.readouterr().err.strip().splitlines()[-1])
        expected = {"level": "INFO", "logger": "perfgraph.access", "message": "request", "request_id": "r1",
                    "operation_name": "Me", "duration_ms": 1.5, "outcome": "ok"}
        assert {k: line[k] for k in expected} == expected
        assert "time" in line
    finally:
        for handler in logging.getLogger().handlers[:]:
            logging.getLogger().removeHandler(handler)
