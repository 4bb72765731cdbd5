"""What operators see: ``/health`` and ``/ready``, Prometheus ``/metrics``, one JSON log line per request.

Every HTTP request and WebSocket gets a request id (the client's ``X-Request-ID`` when it is a short token
of safe characters, else a new one), returned in the ``X-Request-ID`` header. The view fills in what it
learns about the operation (:data:`REQUEST_KEY` in the ASGI scope: type, name, outcome); the access line
and the metrics are written from it once the answer is sent. Nothing else of a request is logged: never its
headers (tokens), its variables or its answer (pay, anonymous feedback).
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
import uuid
from collections.abc import Awaitable, Iterator
from typing import Any

from graphql import GraphQLError
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily
from prometheus_client.registry import Collector
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from realtime import Bus, BusConnectionError
from realtime.groups import SubscriptionGroups
from resolvers.core.errors import PublicError
from schema.schema import is_unexpected
from store.core.database import Database

access_log = logging.getLogger("perfgraph.access")
REQUEST_KEY = "perfgraph.request"
REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
READY_SECONDS = 2.0
# Operation names are chosen by clients: past this many distinct ones, the rest are counted as "other".
MAX_OPERATION_NAMES = 200
OUTCOMES = ("ok", "errors", "refused", "timeout", "internal")


def request_id(header: str | None) -> str:
    """The client's id when it is safe to echo and log, else a new random one."""
    if header is not None and REQUEST_ID.fullmatch(header):
        return header
    return uuid.uuid4().hex


class StoreCalls(Collector):
    """Round trips to MongoDB, as counted by the store's counting wrapper."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def collect(self) -> Iterator[CounterMetricFamily]:
        family = CounterMetricFamily("perfgraph_store_calls", "Calls (round trips) sent to MongoDB.")
        family.add_metric([], self.database.stats.calls)
        yield family


class Metrics:
    """The process's metrics, in a registry of its own (one per app: tests run many apps in one process)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter("perfgraph_requests", "GraphQL operations answered, by type, name and outcome.",
                                ["operation_type", "operation_name", "outcome"], registry=self.registry)
        self.latency = Histogram("perfgraph_request_seconds", "Time to answer one HTTP request to /graphql.",
                                 ["operation_type"], registry=self.registry,
                                 buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15))
        self.refusals = Counter("perfgraph_refusals", "Errors answered, by code (limits, rate limits, "
                                "authentication, permissions, input).", ["code"], registry=self.registry)
        self.websockets = Gauge("perfgraph_websockets", "WebSocket connections open now.", registry=self.registry)
        self.subscriptions = Gauge("perfgraph_subscriptions", "Subscriptions an event published now reaches.",
                                   registry=self.registry)
        self.names: set[str] = set()

    def attach(self, database: Database, bus: Bus, groups: SubscriptionGroups) -> None:
        """Gauges read from the live objects once the lifespan has opened them."""
        self.registry.register(StoreCalls(database))

        def live() -> int:
            stats = groups.stats()
            return stats["members"] + bus.stats()["subscribers"] - stats["live_groups"]

        self.subscriptions.set_function(live)

    def operation_name(self, name: str | None) -> str:
        if not name:
            return "-"
        if name in self.names:
            return name
        if len(self.names) >= MAX_OPERATION_NAMES:
            return "other"
        self.names.add(name)
        return name

    def count(self, info: dict[str, Any], seconds: float) -> None:
        kind = info.get("type") or "-"
        self.requests.labels(kind, self.operation_name(info.get("name")), info.get("outcome") or "ok").inc()
        self.latency.labels(kind).observe(seconds)
        for code in info.get("codes", ()):
            self.refusals.labels(code).inc()


class Observe:
    """ASGI middleware: a request id on every request, its access line and its metrics once answered, and the
    count of open WebSockets."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app, self.metrics = app, metrics

    def __call__(self, scope: Scope, receive: Receive, send: Send) -> Awaitable[None]:
        # Returns the coroutine that serves the request rather than awaiting it in one more frame: a WebSocket
        # keeps its whole call stack for as long as it is open.
        if scope["type"] not in ("http", "websocket"):
            return self.app(scope, receive, send)
        rid = request_id(next((value.decode("latin-1") for name, value in scope.get("headers") or ()
                               if name == b"x-request-id"), None) or None)
        info: dict[str, Any] = {"request_id": rid}
        scope[REQUEST_KEY] = info
        started = time.perf_counter()
        if scope["type"] == "websocket":
            return self._websocket(scope, receive, send, info, started)
        return self._http(scope, receive, send, info, started)

    async def _http(self, scope: Scope, receive: Receive, send: Send, info: dict[str, Any], started: float) -> None:
        rid = info["request_id"]
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", rid.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            info["outcome"] = "internal"
            access_log.exception("unexpected error", extra=self._fields(scope, info, 500, started))
            raise
        seconds = time.perf_counter() - started
        if scope.get("path") == "/graphql" and scope.get("method") != "OPTIONS":
            self.metrics.count(info, seconds)
        level = logging.ERROR if status >= 500 else logging.INFO
        access_log.log(level, "request", extra=self._fields(scope, info, status, started))

    async def _websocket(self, scope: Scope, receive: Receive, send: Send, info: dict[str, Any],
                         started: float) -> None:
        self.metrics.websockets.inc()
        try:
            await self.app(scope, receive, send)
        finally:
            self.metrics.websockets.dec()
            access_log.info("websocket closed", extra=self._fields(scope, info, 101, started))

    @staticmethod
    def _fields(scope: Scope, info: dict[str, Any], status: int, started: float) -> dict[str, Any]:
        return {"request_id": info["request_id"], "method": scope.get("method", "WS"), "path": scope.get("path"),
                "status": status, "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                "operation_type": info.get("type"), "operation_name": info.get("name"),
                "outcome": info.get("outcome"), "codes": sorted(set(info.get("codes", ()))) or None}


async def health(request: Request) -> JSONResponse:
    """Liveness: the process answers (a load balancer restarts it when this fails)."""
    return JSONResponse({"status": "ok"})


async def ready(request: Request) -> JSONResponse:
    """Readiness: the store answers a ping and the bus can carry events, each within READY_SECONDS; else 503
    with what failed (never a URL or a credential)."""
    state = request.app.state
    checks: dict[str, str] = {}
    try:
        async with asyncio.timeout(READY_SECONDS):
            await state.database.client.admin.command("ping")
        checks["store"] = "ok"
    except Exception:  # any failure means not ready; the reason is logged, not answered
        access_log.warning("ready: the store did not answer a ping", exc_info=True)
        checks["store"] = "unreachable"
    try:
        async with asyncio.timeout(READY_SECONDS):
            await state.bus.ping()
        checks["bus"] = "ok"
    except (BusConnectionError, TimeoutError) as error:
        access_log.warning("ready: the bus is not usable: %s", error)
        checks["bus"] = "unreachable"
    ok = all(value == "ok" for value in checks.values())
    return JSONResponse({"status": "ready" if ok else "not ready", **checks}, status_code=200 if ok else 503)


async def metrics(request: Request) -> Response:
    registry = request.app.state.metrics.registry
    return Response(generate_latest(registry), media_type="text/plain; version=0.0.4; charset=utf-8")


errors_log = logging.getLogger("perfgraph.errors")
VALUE = "<value>"
MESSAGE_LOGGED = 200
SYNTAX_ERROR = "Syntax Error: "
# graphql-core's variable and argument errors open with which one and where in it (input field names and list
# indexes, from the schema), then say what is wrong with the value
INPUT_AT = re.compile(r"(?:Variable '\$\w+'(?: defined by fragment '\w+')?|Argument '\w+') has invalid "
                      r"(?:default )?value(?: at [\w.\[\]]*)?: ", re.ASCII)
# graphql-core before 3.3 quoted the whole value first: "Variable '$input' got invalid value {...} at ..."
GOT_INVALID = "got invalid value"
ENUM_VALUE = re.compile(r"Value '.*' does not exist in '(\w+)' enum", re.ASCII | re.DOTALL)
QUOTED = re.compile(r"'[^']*'|\"(?:[^\"\\]|\\.)*\"")
# what a message quotes that is a name of the document or the schema (a field, a type such as '[ID!]!', an
# argument, a variable): kept, it says where the mistake is; any other quoted text is a value
NAME = re.compile(r"(?:\$|\[*)[_A-Za-z][_0-9A-Za-z]*!?(?:\]!?)*")


def redacted(message: str) -> str:
    """A graphql-core or scalar error message without the input values it quotes, kept for operators: which
    variable or argument, at which input field, and what kind of mistake ("Value cannot represent a Decimal:
    <value>", "Expected value of type 'RecordPayInput' to include required field 'reason', found: <value>").
    Each of these messages ends with the value after its first ": "; what comes before it quotes names
    (kept), an enum value or a token of the document (replaced)."""
    head = ""
    if message.startswith(SYNTAX_ERROR):
        head, message = SYNTAX_ERROR, message[len(SYNTAX_ERROR):]
    elif (opening := INPUT_AT.match(message)) is not None:
        head, message = opening.group(), message[opening.end():]
    before, got, _ = message.partition(GOT_INVALID)
    if got:
        return _names_only(f"{head}{before}{got} {VALUE}")
    message = ENUM_VALUE.sub(rf"Value {VALUE} does not exist in '\1' enum", message)
    described, colon, _ = message.partition(": ")
    return _names_only(f"{head}{described}{colon and f': {VALUE}'}")


def _names_only(text: str) -> str:
    return QUOTED.sub(lambda quoted: quoted.group() if NAME.fullmatch(quoted.group()[1:-1]) else VALUE, text)


def logged_message(error: GraphQLError) -> str:
    """What the log says of an error: our own refusals as they are (their texts never carry pay, and name at
    most an id); graphql-core's and the scalars' messages, which quote the client's input (a malformed amount
    in ``recordPay``), :func:`redacted`."""
    if isinstance(error, PublicError) or isinstance(error.original_error, PublicError):
        return error.message[:MESSAGE_LOGGED]
    return redacted(error.message)[:MESSAGE_LOGGED]


class RedactedError(Exception):
    """Stands in for an unexpected exception in the log: its type's name and redacted message, its traceback (where
    it was raised), not its own text nor the exceptions chained to it (a driver's error quotes the documents it
    failed to write: a participant's pay)."""


def traceback_only(error: GraphQLError) -> tuple[type[BaseException], BaseException, Any] | None:
    """``exc_info`` for the log: the original exception's type and traceback, its text :func:`redacted`."""
    original = error.original_error
    if original is None:
        return None
    shown = RedactedError(f"{type(original).__qualname__}: {redacted(str(original))[:MESSAGE_LOGGED]}")
    return type(original), shown.with_traceback(original.__traceback__), original.__traceback__


def log_errors(errors: list[GraphQLError], execution_context: Any = None) -> None:
    """The schema's error log: a client's mistake (a refusal, a validation or limit error, a typed error) at
    INFO in one line, with its code and the response path of its field (if any); an exception our code did not
    raise on purpose at ERROR, with its traceback (which says where). Never an input value
    (:func:`logged_message`): a client receives its error as it was, the log only what an operator needs to
    find the mistake."""
    for error in errors:
        if is_unexpected(error):
            errors_log.error("unexpected error: %s", logged_message(error), exc_info=traceback_only(error))
        else:
            code = (error.extensions or {}).get("code") or "-"
            where = f" at {'.'.join(str(key) for key in error.path)}" if error.path else ""
            errors_log.info("client error %s%s: %s", code, where, logged_message(error))
