"""The GraphQL endpoint: Strawberry's ASGI view with our context, auth and GraphQL-over-HTTP rules."""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import hashlib
import json
import re
from collections import Counter
from collections.abc import AsyncGenerator, Awaitable, Callable
from functools import partial
from typing import Any

from cross_web import HTTPException
from graphql import GraphQLError
from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http import GraphQLHTTPResponse
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import BaseGraphQLTransportWSHandler
from strawberry.subscriptions.protocols.graphql_ws.handlers import BaseGraphQLWSHandler
from strawberry.types import ExecutionResult
from strawberry.types.execution import PreExecutionError
from strawberry.types.unset import UNSET

from realtime import Bus
from realtime.groups import Outlet, SubscriptionGroups, encode_message, message_head
from realtime.ratelimit import RateLimiter
from resolvers.core.context import Context
from resolvers.core.errors import Unauthenticated
from schema.core.cost import CostRefused, operation_cost
from schema.core.limits import caller_of, rate_limited, variables_error
from schema.core.selection import subscription_plan
from schema.schema import MASKED_MESSAGE
from server.audiences import audience_for
from server.graphiql import local_page
from server.observe import REQUEST_KEY
from server.persisted import NOT_IN_LIST, NotFound, PersistedQueries, not_found_body
from server.requests import Refused, check_post, read_body, refusal_response
from store.core.database import Database
from store.loaders import Loaders

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
# Caps per person: WebSockets open at once, and live operations on each (so at most 500 subscriptions).
MAX_CONNECTIONS_PER_VIEWER = 10
MAX_SUBSCRIPTIONS_PER_CONNECTION = 50
MAX_LIVE_COST = 5_000  # objects per event over all of one person's open subscriptions
CONTEXT_KEY = "perfgraph.context"
REJECTED = "rejected because"
COUNTED = "counted connection"
# The operation a WebSocket handler's task runs: where a group may write its shared results (realtime/groups.py).
OUTLET: contextvars.ContextVar[Outlet | None] = contextvars.ContextVar("perfgraph_outlet", default=None)


# A GET answer is the viewer's own: a browser or a client cache may keep it, a shared cache never, and it is
# checked again each time (its ETag answers 304 when nothing changed).
GET_CACHE_CONTROL = "private, no-cache"
OPERATION = re.compile(r"(query|mutation|subscription)\b\s*([_A-Za-z][_0-9A-Za-z]*)?")


def accepts_graphql_response(request: Request) -> bool:
    return GRAPHQL_RESPONSE_JSON in request.headers.get("accept", "")


def operation_of(query: str | None, name: str | None) -> tuple[str | None, str | None]:
    """The operation's type and name for logs and metrics, read without parsing (the schema parses it once):
    the named operation's keyword, or the document's first operation; a shorthand ``{ … }`` is a query."""
    if not isinstance(query, str):
        return None, name
    if name:
        found = re.search(rf"\b(query|mutation|subscription)\s+{re.escape(name)}\b", query)
        if found:
            return found.group(1), name
    text = re.sub(r"#[^\n]*", "", query).lstrip()
    if text.startswith("{"):
        return "query", name
    found = OPERATION.match(text)
    return (found.group(1), name or found.group(2)) if found else (None, name)


def refusal_reason(message: str) -> str:
    """The close reason of a refused WebSocket: ``token expired`` (refresh it and connect again), ``no token``
    or ``token invalid`` (signing in again will not help with the same token)."""
    if "expired" in message:
        return "Forbidden: token expired"
    if message.startswith(("no bearer token", "the authorization value")):
        return "Forbidden: no token"
    return "Forbidden: token invalid"


def outcome_of(result: ExecutionResult) -> tuple[str, list[str]]:
    """ok, errors (field errors beside data), refused (nothing ran), timeout or internal; and the codes."""
    if not result.errors:
        return "ok", []
    codes = [str((e.extensions or {}).get("code") or "ERROR")[:40] for e in result.errors]
    if "TIMEOUT" in codes:
        return "timeout", codes
    if any(e.message == MASKED_MESSAGE for e in result.errors):
        return "internal", codes
    return ("refused" if result.data is None else "errors"), codes


def request_info(request: Any) -> dict[str, Any]:
    """The request's entry for the access log and the metrics (server/observe.py), or a throwaway one."""
    scope = getattr(request, "scope", None)
    return scope.setdefault(REQUEST_KEY, {}) if isinstance(scope, dict) else {}


class GroupingSchema:
    """The schema as the WebSocket handlers see it: a subscription that can share its execution with
    others (realtime/groups.py) joins their group; any other operation (a query or a mutation too, on
    either protocol) runs as usual.

    A subscription is costed when it is opened: its cost per event (schema/core/cost.py) is refused
    above the budget, is spent from its subscriber's rate points, and counts towards the live cost
    of everything its subscriber has open (at most ``live_budget`` objects per event, over all their
    connections). A subscription sharing a grouped execution counts one: the group runs once for all.
    """

    def __init__(self, schema: Any, groups: SubscriptionGroups, allows: Callable[[str | None], bool] = lambda _: True,
                 *, rate_limiter: RateLimiter | None = None, live_budget: int = MAX_LIVE_COST) -> None:
        self.schema, self.groups, self.allows = schema, groups, allows
        self.rate_limiter, self.live_budget = rate_limiter, live_budget
        self.live: Counter[str] = Counter()  # live cost per event, per person

    async def stream(self, query: str | None, variable_values: dict[str, Any] | None = None,
                     context_value: Any = None, root_value: Any = None, operation_name: str | None = None,
                     **options: Any) -> Any:
        if not self.allows(query):  # trusted documents (server/persisted.py) hold for WebSockets too
            return refusal(GraphQLError("only registered operations run on this server",
                                        extensions={"code": NOT_IN_LIST}))
        if isinstance(context_value, Context):  # each operation on a connection reads with a context of its own
            context_value = context_value.for_operation()
        plan = None
        if isinstance(query, str) and isinstance(context_value, Context):
            plan = subscription_plan(self.schema._schema, query, operation_name)
        if plan is None:
            return await self.schema.stream(query, variable_values, context_value, root_value, operation_name,
                                            **options)
        if (too_large := variables_error(variable_values)) is not None:
            return refusal(too_large)
        try:
            cost = operation_cost(self.schema._schema, plan.document, operation_name, variable_values)
        except CostRefused as refused:
            return refusal(GraphQLError(refused.message, extensions={"code": "LIMIT_EXCEEDED"}))
        if cost.exceeded:
            return refusal(cost.error())
        caller = await caller_of(context_value)
        if self.rate_limiter is not None:
            allowance = await self.rate_limiter.spend(caller, cost.requested)
            if not allowance.allowed:
                return refusal(rate_limited(allowance, cost.requested))
        audience = await audience_for(self.schema._schema, plan, variable_values, context_value)
        live = 1 if audience is not None else max(1, cost.requested)
        if self.live[caller] + live > self.live_budget:
            return refusal(GraphQLError(
                f"your open subscriptions may already return {self.live[caller]} objects per event; "
                f"at most {self.live_budget} are allowed: close some, or select less",
                extensions={"code": "LIMIT_EXCEEDED"}))
        self.live[caller] += live
        if audience is not None:  # the member's stream gives its live cost back as it leaves its group
            return self.groups.join(audience, query, variable_values, operation_name, context_value,
                                    on_leave=partial(self._give_back, caller, live), outlet=OUTLET.get())
        try:
            joined = await self.schema.stream(query, variable_values, context_value, root_value, operation_name,
                                              **options)
        except BaseException:
            self._give_back(caller, live)
            raise
        return self._counted(joined, caller, live)

    # The legacy graphql-ws handler asks for ``subscribe``: it too gets ``stream``, which runs queries and
    # mutations as a single result (``subscribe`` would refuse them: "queries are not allowed").
    subscribe = stream

    async def _counted(self, source: Any, caller: str, live: int) -> AsyncGenerator[Any, None]:
        try:
            async with contextlib.aclosing(source):
                async for result in source:
                    yield result
        finally:
            self._give_back(caller, live)

    def _give_back(self, caller: str, live: int) -> None:
        self.live[caller] -= live
        if self.live[caller] <= 0:
            del self.live[caller]


async def refusal(error: GraphQLError) -> AsyncGenerator[PreExecutionError, None]:
    """An operation refused before it starts (a limit, an untrusted document): one ``error`` message for its
    id, as for a document that does not validate."""
    yield PreExecutionError(data=None, errors=[error])


CLIENT_GONE = ExecutionResult(data=None, errors=[GraphQLError("the client closed the connection",
                                                             extensions={"code": "CLIENT_CLOSED_REQUEST"})])


async def unless_disconnected(request: Any, operation: Awaitable[Any]) -> Any:
    """Run ``operation`` while the HTTP client is still there: once the body has been read, the next ASGI
    message is ``http.disconnect`` when the client goes away, and then the operation is cancelled (a
    mutation's transaction with it: nothing is written) instead of running on for nobody."""
    work = asyncio.ensure_future(operation)
    if not isinstance(request, Request):
        return await work

    async def gone() -> None:
        while (await request.receive())["type"] != "http.disconnect":
            pass

    watcher = asyncio.ensure_future(gone())
    try:
        await asyncio.wait({work, watcher}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        watcher.cancel()
    if not work.done():
        work.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await work
        return CLIENT_GONE
    return work.result()


def without_cost(body: bytes) -> bytes:
    """An answer's bytes without its ``extensions`` (the cost report, whose points left change with every
    request): what an ETag says is unchanged is the data and its errors."""
    try:
        answer = json.loads(body)
    except ValueError:
        return body
    if not isinstance(answer, dict) or "extensions" not in answer:
        return body
    return json.dumps({k: v for k, v in answer.items() if k != "extensions"}, sort_keys=True).encode()


def with_limit_code(message: Any) -> Any:
    """Strawberry refuses an operation beyond the per-connection cap with a bare "Subscription limit
    reached": give it its code, as every other refusal has."""
    payload = message.get("payload") if isinstance(message, dict) and message.get("type") == "error" else None
    for error in payload if isinstance(payload, list) else [payload] if isinstance(payload, dict) else []:
        if error.get("message") == "Subscription limit reached" and not error.get("extensions"):
            error["message"] = f"at most {MAX_SUBSCRIPTIONS_PER_CONNECTION} live operations per connection"
            error["extensions"] = {"code": "LIMIT_EXCEEDED"}
    return message


class TransportWSHandler(BaseGraphQLTransportWSHandler[Context, None]):
    def __init__(self, *, view: PerfgraphGraphQL, schema: Any, **options: Any) -> None:
        super().__init__(view=view, schema=view.grouping_schema, **options)

    async def send_message(self, message: Any) -> None:
        await super().send_message(with_limit_code(message))

    async def run_operation(self, operation: Any) -> None:
        """The operation's task; a group it joins writes its ``next`` messages straight to the socket while the
        operation is registered and not completed (a ``complete`` from the client stops them at once)."""
        operations = self.operations

        def registered() -> bool:
            return operations.get(operation.id) is operation and not operation.completed

        OUTLET.set(Outlet(self.websocket.ws.send_text, message_head(operation.id, "next"), registered))
        await super().run_operation(operation)

    async def handle_connection_init(self, message: Any) -> None:
        """A refused connection closes with 4403 as the protocol says, its reason saying why (``Forbidden:
        token expired`` tells a client to refresh its token and connect again; see :func:`refusal_reason`)."""
        close = self.websocket.close

        async def close_saying_why(code: int, reason: str) -> None:
            why = self.context.extras.pop(REJECTED, None)
            await close(code=code, reason=why if code == 4403 and why else reason)

        self.websocket.close = close_saying_why  # type: ignore[method-assign]
        try:
            await super().handle_connection_init(message)
        finally:
            self.websocket.close = close  # type: ignore[method-assign]
        self.connection_init_timeout_task = None  # cancelled by now; an idle connection need not keep it


class LegacyWSHandler(BaseGraphQLWSHandler[Context, None]):
    """Strawberry's graphql-ws handler, with the ``connection_init`` timeout graphql-transport-ws has: a
    connection that has not initialised in time is closed (4408), as an idle unauthenticated socket
    would otherwise stay open for ever."""

    def __init__(self, *, view: PerfgraphGraphQL, schema: Any, **options: Any) -> None:
        super().__init__(view=view, schema=view.grouping_schema, **options)

    async def send_message(self, message: Any) -> None:
        await super().send_message(with_limit_code(message))

    async def handle_async_results(self, operation_id: str, query: str, operation_name: str | None,
                                   variables: dict[str, object] | None) -> None:
        """The operation's task; a group it joins writes its ``data`` messages straight to the socket while this
        task is the operation's (a ``stop`` from the client, or a ``start`` with its id, ends that at once)."""
        task, tasks = asyncio.current_task(), self.tasks

        def registered() -> bool:
            return tasks.get(operation_id) is task

        OUTLET.set(Outlet(self.websocket.ws.send_text, message_head(operation_id, "data"), registered))
        await super().handle_async_results(operation_id, query, operation_name, variables)

    async def handle(self) -> None:
        timer = asyncio.create_task(self._close_unless_initialised())
        try:
            await super().handle()
        finally:
            timer.cancel()

    async def _close_unless_initialised(self) -> None:
        await asyncio.sleep(self.view.connection_init_wait_timeout.total_seconds())
        if not self.connection_acknowledged:
            with contextlib.suppress(Exception):  # the other side may be gone already
                await self.websocket.close(code=4408, reason="Connection initialisation timeout")


class PerfgraphGraphQL(GraphQL[Context, None]):
    """Adds: one :class:`Context` per request or connection, the bearer token checked on
    ``connection_init`` for WebSockets, and the ``application/graphql-response+json`` media type
    with its status codes when the client asks for it. Subscriptions over either WebSocket protocol go
    through :class:`GroupingSchema`: one execution per event for subscribers who see it alike."""

    graphql_transport_ws_handler_class = TransportWSHandler
    graphql_ws_handler_class = LegacyWSHandler

    def __init__(self, schema: Any, database: Database, bus: Bus, decode: Callable[[str | None], Any],
                 groups: SubscriptionGroups, *, execution_seconds: float = 15.0,
                 max_connections_per_viewer: int = MAX_CONNECTIONS_PER_VIEWER, rate_limiter: RateLimiter | None = None,
                 live_budget: int = MAX_LIVE_COST, context_extras: dict[str, Any] | None = None,
                 persisted: PersistedQueries | None = None, **options: Any) -> None:
        options.setdefault("max_subscriptions_per_connection", MAX_SUBSCRIPTIONS_PER_CONNECTION)
        super().__init__(schema, **options)
        self.execution_seconds = execution_seconds
        self.max_connections_per_viewer = max_connections_per_viewer
        self.connections: Counter[str] = Counter()  # open, initialised WebSockets per employee id
        self.database = database
        self.bus = bus
        self.decode = decode
        self.rate_limiter = rate_limiter
        self.grouping_schema = GroupingSchema(schema, groups, persisted.allows if persisted else lambda _: True,
                                              rate_limiter=rate_limiter, live_budget=live_budget)
        self.context_extras = dict(context_extras or {})  # settings resolvers read (Context.extras)
        self.persisted = persisted
        self.graphiql_page: str | None = None

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        """GraphiQL with its assets served here (server/graphiql.py), never from a CDN."""
        if self.graphiql_page is None:
            self.graphiql_page = local_page()
        return HTMLResponse(self.graphiql_page)

    def encode_json(self, data: object) -> str | bytes:
        """A grouped subscription's payload was serialised once for all its subscribers: splice it in."""
        if isinstance(data, dict) and (text := encode_message(data)) is not None:
            return text
        return super().encode_json(data)

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> Context:
        credentials = None if isinstance(request, WebSocket) else request.headers.get("authorization")
        context = Context(database=self.database, bus=self.bus, decode=self.decode, credentials=credentials,
                          request=request, response=response, rate_limiter=self.rate_limiter,
                          extras=dict(self.context_extras))
        if isinstance(request, WebSocket):
            request.scope[CONTEXT_KEY] = context  # for run() to release the connection's place when it closes
        return context

    async def on_ws_connect(self, context: Context) -> dict[str, object] | None:
        params = context.connection_params or {}
        value = params.get("authorization") or params.get("Authorization")
        context.credentials = value if isinstance(value, str) else None
        try:
            viewer = await context.authenticate()
        except Unauthenticated as error:
            context.extras[REJECTED] = refusal_reason(error.message)
            raise ConnectionRejectionError({"code": "UNAUTHENTICATED", "message": error.message}) from None
        if self.connections[viewer.employee_id] >= self.max_connections_per_viewer:
            context.extras[REJECTED] = "Forbidden: too many connections"
            raise ConnectionRejectionError({"code": "LIMIT_EXCEEDED", "message": (
                f"at most {self.max_connections_per_viewer} open connections per person")})
        self.connections[viewer.employee_id] += 1
        context.extras[COUNTED] = viewer.employee_id
        # A connection may stay open for hours: keep what it needs (the credentials, the viewer), not the
        # init payload or the sign-in read cached in its loaders.
        context.connection_params = None
        if context.store is not None:
            context.loaders = Loaders(context.store)
        return {"employeeId": viewer.employee_id}

    async def get_sub_response(self, request: Request | WebSocket) -> Response:
        response = await super().get_sub_response(request)
        response.graphql_response_json = isinstance(request, Request) and accepts_graphql_response(request)  # type: ignore[attr-defined]
        return response

    async def run(self, request: Any, context: Any = UNSET, root_value: Any = UNSET) -> Any:
        """HTTP requests are checked first (server/requests.py), and every refusal, ours or Strawberry's,
        is a JSON GraphQL error body with its 4xx status, never text."""
        if not isinstance(request, Request):
            try:
                return await super().run(request, context, root_value)
            finally:
                self._release(request)
        info = request_info(request)
        try:
            if self.persisted is not None:
                await self._persisted_query(request)
            if request.method == "POST":
                await check_post(request)
            response = await super().run(request, context, root_value)
        except NotFound:
            info.update(outcome="refused", codes=["PERSISTED_QUERY_NOT_FOUND"])
            return JSONResponse(not_found_body())
        except Refused as refused:
            info.update(outcome="refused", codes=[refused.code])
            return refusal_response(refused.status, refused.code, refused.message)
        except HTTPException as error:
            info.update(outcome="refused", codes=["BAD_REQUEST"])
            return refusal_response(error.status_code, "BAD_REQUEST", error.reason[:200])
        if request.method == "GET":
            return self._validated(request, response)
        return response

    async def _persisted_query(self, request: Request) -> None:
        """APQ and trusted documents (server/persisted.py): a request by hash gets its query text, in the body
        the view reads next (POST) or in its query parameters (GET)."""
        assert self.persisted is not None
        if request.method == "GET":
            params = dict(request.query_params)
            if "extensions" in params:
                try:
                    params["extensions"] = json.loads(params["extensions"])
                except ValueError:
                    raise Refused(400, "BAD_REQUEST", "the extensions parameter is not valid JSON") from None
            if "extensions" not in params and "query" not in params:
                return  # GraphiQL, or an empty request: the view answers those
            resolved = await self.persisted.resolve(params)
            if resolved is not params:
                request._query_params = QueryParams(
                    {k: v if isinstance(v, str) else json.dumps(v) for k, v in resolved.items()})
            return
        if request.method != "POST" or "json" not in request.headers.get("content-type", ""):
            return
        try:
            payload = json.loads(await read_body(request))
        except (ValueError, RecursionError):
            return  # check_post refuses it, saying why
        if isinstance(payload, dict):
            resolved = await self.persisted.resolve(payload)
            if resolved is not payload:
                request._body = json.dumps(resolved).encode("utf-8")

    @staticmethod
    def _validated(request: Request, response: Response) -> Response:
        """A successful GET answer gets an ``ETag`` (the SHA-256 of its body, the cost report left out)
        and ``Cache-Control: private``;
        a client that sends the same tag in ``If-None-Match`` gets ``304 Not Modified`` and no body. The
        answer varies with the token, so the tag is only ever compared with the viewer's own copy."""
        if response.status_code != 200 or not isinstance(getattr(response, "body", None), bytes) \
                or not response.headers.get("content-type", "").startswith(("application/json", GRAPHQL_RESPONSE_JSON)):
            return response
        tag = '"' + hashlib.sha256(without_cost(response.body)).hexdigest()[:32] + '"'
        headers = {"ETag": tag, "Cache-Control": GET_CACHE_CONTROL, "Vary": "Authorization, Accept"}
        sent = [t.strip() for t in request.headers.get("if-none-match", "").split(",")]
        if tag in sent or f"W/{tag}" in sent:
            return Response(status_code=304, headers=headers)
        response.headers.update(headers)
        return response

    def _release(self, websocket: Any) -> None:
        """A closed WebSocket no longer counts towards its viewer's connections."""
        context = getattr(websocket, "scope", {}).get(CONTEXT_KEY)
        employee_id = context.extras.pop(COUNTED, None) if context is not None else None
        if employee_id is not None:
            self.connections[employee_id] -= 1
            if self.connections[employee_id] <= 0:
                del self.connections[employee_id]

    async def execute_single(self, *args: Any, **kwargs: Any) -> Any:
        """A mutation sent with GET is 405 Method Not Allowed (GraphQL over HTTP), not Strawberry's 400; an
        operation still running after ``execution_seconds`` is stopped (its work cancelled) with ``TIMEOUT``."""
        request_data = kwargs.get("request_data", args[-1] if args else None)
        info = request_info(kwargs.get("request", args[0] if args else None))
        info["type"], info["name"] = operation_of(getattr(request_data, "query", None),
                                                  getattr(request_data, "operation_name", None))
        request = kwargs.get("request", args[0] if args else None)
        try:
            async with asyncio.timeout(self.execution_seconds):
                return await unless_disconnected(request, super().execute_single(*args, **kwargs))
        except TimeoutError:
            return ExecutionResult(data=None, errors=[GraphQLError(
                f"the operation took longer than {self.execution_seconds:g} s and was stopped",
                extensions={"code": "TIMEOUT"})])
        except HTTPException as error:
            if isinstance(error.__cause__, InvalidOperationTypeError):
                raise HTTPException(405, error.reason) from error
            raise

    async def process_result(self, request: Request, result: ExecutionResult) -> GraphQLHTTPResponse:
        data = await super().process_result(request, result)
        info = request_info(request)
        info["outcome"], info["codes"] = outcome_of(result)
        if result.data is None and result.errors and accepts_graphql_response(request):
            data.pop("data", None)  # a request error: nothing was executed
        return data

    def create_response(self, response_data: Any, sub_response: Response) -> Response:
        response = super().create_response(response_data, sub_response)
        if getattr(sub_response, "graphql_response_json", False):
            response.headers["content-type"] = f"{GRAPHQL_RESPONSE_JSON}; charset=utf-8"
            if isinstance(response_data, dict) and "data" not in response_data and not sub_response.status_code:
                response.status_code = 400
        return response
