"""The GraphQL endpoint: Strawberry's ASGI view with our context, auth and GraphQL-over-HTTP rules."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cross_web import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http import GraphQLHTTPResponse
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.types import ExecutionResult

from realtime import Bus
from resolvers.context import Context
from resolvers.errors import Unauthenticated
from store.database import Database

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"


def accepts_graphql_response(request: Request) -> bool:
    return GRAPHQL_RESPONSE_JSON in request.headers.get("accept", "")


class PerfgraphGraphQL(GraphQL[Context, None]):
    """Adds: one :class:`Context` per request or connection, the bearer token checked on
    ``connection_init`` for WebSockets, and the ``application/graphql-response+json`` media type
    with its status codes when the client asks for it."""

    def __init__(self, schema: Any, database: Database, bus: Bus, decode: Callable[[str | None], Any],
                 **options: Any) -> None:
        super().__init__(schema, **options)
        self.database = database
        self.bus = bus
        self.decode = decode

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> Context:
        credentials = None if isinstance(request, WebSocket) else request.headers.get("authorization")
        return Context(database=self.database, bus=self.bus, decode=self.decode, credentials=credentials,
                       request=request, response=response)

    async def on_ws_connect(self, context: Context) -> dict[str, object] | None:
        params = context.connection_params or {}
        value = params.get("authorization") or params.get("Authorization")
        context.credentials = value if isinstance(value, str) else None
        try:
            viewer = await context.authenticate()
        except Unauthenticated as error:
            raise ConnectionRejectionError({"code": "UNAUTHENTICATED", "message": error.message}) from None
        return {"employeeId": viewer.employee_id}

    async def get_sub_response(self, request: Request | WebSocket) -> Response:
        response = await super().get_sub_response(request)
        response.graphql_response_json = isinstance(request, Request) and accepts_graphql_response(request)  # type: ignore[attr-defined]
        return response

    async def execute_single(self, *args: Any, **kwargs: Any) -> Any:
        """A mutation sent with GET is 405 Method Not Allowed (GraphQL over HTTP), not Strawberry's 400."""
        try:
            return await super().execute_single(*args, **kwargs)
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
