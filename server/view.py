"""The GraphQL endpoint: Strawberry's ASGI view with our context, auth and GraphQL-over-HTTP rules."""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import AsyncGenerator, Callable
from typing import Any

from cross_web import HTTPException
from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import Response
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
from realtime.groups import SubscriptionGroups, encode_message
from realtime.ratelimit import RateLimiter
from resolvers.core.audience import audience_of
from resolvers.core.context import Context
from resolvers.core.errors import Unauthenticated
from schema.core.audience import is_org_wide, is_shareable
from schema.core.cost import CostRefused, operation_cost
from schema.core.limits import caller_of, rate_limited, variables_error
from schema.core.selection import SubscriptionPlan, subscription_plan
from server.requests import Refused, check_post, refusal_response
from store.core.database import Database
from store.loaders import Loaders

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
# Caps per person: WebSockets open at once, and live operations on each (so at most 500 subscriptions).
MAX_CONNECTIONS_PER_VIEWER = 10
MAX_SUBSCRIPTIONS_PER_CONNECTION = 50
MAX_LIVE_COST = 5_000  # objects per event over all of one person's open subscriptions
CONTEXT_KEY = "perfgraph.context"
COUNTED = "counted connection"


def accepts_graphql_response(request: Request) -> bool:
    return GRAPHQL_RESPONSE_JSON in request.headers.get("accept", "")


class GroupingSchema:
    """The schema as the WebSocket handlers see it: a subscription that can share its execution with
    others (realtime/groups.py) joins their group; any other operation (a query or a mutation too, on
    either protocol) runs as usual.

    A subscription is costed when it is opened: its cost per event (schema/core/cost.py) is refused
    above the budget, is spent from its subscriber's rate points, and counts towards the live cost
    of everything its subscriber has open (at most ``live_budget`` objects per event, over all their
    connections). A subscription sharing a grouped execution counts one: the group runs once for all.
    """

    def __init__(self, schema: Any, groups: SubscriptionGroups, *, rate_limiter: RateLimiter | None = None,
                 live_budget: int = MAX_LIVE_COST) -> None:
        self.schema, self.groups = schema, groups
        self.rate_limiter, self.live_budget = rate_limiter, live_budget
        self.live: Counter[str] = Counter()  # live cost per event, per person

    async def stream(self, query: str | None, variable_values: dict[str, Any] | None = None,
                     context_value: Any = None, root_value: Any = None, operation_name: str | None = None,
                     **options: Any) -> Any:
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
        joined = await self._join(plan, query, variable_values, context_value, operation_name)
        live = 1 if joined is not None else max(1, cost.requested)
        if self.live[caller] + live > self.live_budget:
            return refusal(GraphQLError(
                f"your open subscriptions may already return {self.live[caller]} objects per event; "
                f"at most {self.live_budget} are allowed: close some, or select less",
                extensions={"code": "LIMIT_EXCEEDED"}))
        if joined is None:
            joined = await self.schema.stream(query, variable_values, context_value, root_value, operation_name,
                                              **options)
        self.live[caller] += live
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
            self.live[caller] -= live
            if self.live[caller] <= 0:
                del self.live[caller]

    async def _join(self, plan: SubscriptionPlan, query: str, variables: dict[str, Any] | None, context: Context,
                    operation_name: str | None) -> Any:
        if not is_shareable(plan.root_field):
            return None
        audience = await audience_of(context, org_wide=is_org_wide(plan.root_field, plan.fields))
        if audience is None:
            return None
        return self.groups.join(audience, query, variables, operation_name, context)


async def refusal(error: GraphQLError) -> AsyncGenerator[PreExecutionError, None]:
    """A subscription refused before it starts: one error message, as for a document that does not validate."""
    yield PreExecutionError(data=None, errors=[error])


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

    async def handle_connection_init(self, message: Any) -> None:
        await super().handle_connection_init(message)
        self.connection_init_timeout_task = None  # cancelled by now; an idle connection need not keep it


class LegacyWSHandler(BaseGraphQLWSHandler[Context, None]):
    """Strawberry's graphql-ws handler, with the ``connection_init`` timeout graphql-transport-ws has: a
    connection that has not initialised in time is closed (4408), as an idle unauthenticated socket
    would otherwise stay open for ever."""

    def __init__(self, *, view: PerfgraphGraphQL, schema: Any, **options: Any) -> None:
        super().__init__(view=view, schema=view.grouping_schema, **options)

    async def send_message(self, message: Any) -> None:
        await super().send_message(with_limit_code(message))

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
                 **options: Any) -> None:
        options.setdefault("max_subscriptions_per_connection", MAX_SUBSCRIPTIONS_PER_CONNECTION)
        super().__init__(schema, **options)
        self.execution_seconds = execution_seconds
        self.max_connections_per_viewer = max_connections_per_viewer
        self.connections: Counter[str] = Counter()  # open, initialised WebSockets per employee id
        self.database = database
        self.bus = bus
        self.decode = decode
        self.rate_limiter = rate_limiter
        self.grouping_schema = GroupingSchema(schema, groups, rate_limiter=rate_limiter, live_budget=live_budget)
        self.context_extras = dict(context_extras or {})  # settings resolvers read (Context.extras)

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
            raise ConnectionRejectionError({"code": "UNAUTHENTICATED", "message": error.message}) from None
        if self.connections[viewer.employee_id] >= self.max_connections_per_viewer:
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
        try:
            if request.method == "POST":
                await check_post(request)
            return await super().run(request, context, root_value)
        except Refused as refused:
            return refusal_response(refused.status, refused.code, refused.message)
        except HTTPException as error:
            return refusal_response(error.status_code, "BAD_REQUEST", error.reason[:200])

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
        try:
            async with asyncio.timeout(self.execution_seconds):
                return await super().execute_single(*args, **kwargs)
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
