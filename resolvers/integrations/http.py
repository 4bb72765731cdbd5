"""The integrations' HTTP endpoints as Starlette routes (mounted by ``server/app.py``): SCIM 2.0 at
``/scim/v2``, ``POST /imports`` and ``POST /xapi/statements``. Each request: signed in with an integration
token of the endpoint's kind (``Authorization: Bearer …``), counted against that token's requests per window
on the app's integration limiter (``request.app.state.integration_limiter``: realtime/ratelimit.py, the one
GraphQL callers spend from, shared in Redis by every server process when the bus is Redis; ``None``: no
limit), its body read up to a size limit, then answered (SCIM with ``application/scim+json``)."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from models.integrations.imports import BadFile
from models.integrations.limits import IMPORT_BODY_MAX, SCIM_BODY_MAX, XAPI_BODY_MAX
from models.integrations.scim import SCIM_MEDIA_TYPE, ScimRefusal, error_body
from models.integrations.tokens import TokenKind
from models.integrations.xapi import BadStatement
from resolvers.core.audit import audit_scope
from resolvers.core.context import Context
from resolvers.integrations import imports, learning, scim
from resolvers.integrations.scim import Reply
from resolvers.integrations.tokens import integration_context, token_of

log = logging.getLogger("perfgraph.integrations")
SCIM_PREFIX = "/scim/v2"
Handler = Callable[[Context, str, Request, Any], Awaitable[Reply]]


class TooLarge(Exception):
    pass


async def retry_after(request: Request, token: dict[str, Any]) -> int | None:
    """One request spent from the token's allowance: ``None`` when it may go ahead, else the seconds until
    the window resets (the ``Retry-After``)."""
    limiter = getattr(request.app.state, "integration_limiter", None)
    if limiter is None:
        return None
    allowance = await limiter.spend(f"integration:{token['_id']}", 1)
    return None if allowance.allowed else allowance.reset_seconds


async def read_limited(request: Request, limit: int) -> bytes:
    """The body, refused (:class:`TooLarge`) as soon as it is known to exceed ``limit`` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise TooLarge
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise TooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def bearer_secret(request: Request) -> str:
    scheme, _, secret = request.headers.get("authorization", "").partition(" ")
    return secret.strip() if scheme.lower() == "bearer" else ""


def scim_response(reply: Reply) -> Response:
    if reply.body is None:
        return Response(status_code=reply.status, headers=reply.headers)
    return JSONResponse(reply.body, status_code=reply.status, headers=reply.headers, media_type=SCIM_MEDIA_TYPE)


def scim_error(status: int, detail: str, scim_type: str | None = None,
               headers: dict[str, str] | None = None) -> Response:
    return JSONResponse(error_body(status, detail, scim_type), status_code=status, headers=headers,
                        media_type=SCIM_MEDIA_TYPE)


def scim_endpoint(handler: Handler, *, with_body: bool = False) -> Callable[..., Any]:
    async def endpoint(request: Request) -> Response:
        database, bus = request.app.state.database, request.app.state.bus
        token = await token_of(database, bearer_secret(request), TokenKind.SCIM)
        if token is None:
            return scim_error(401, "a valid SCIM integration token is required", headers={
                "WWW-Authenticate": 'Bearer realm="perfgraph-scim"'})
        if (wait := await retry_after(request, token)) is not None:
            return scim_error(429, "too many requests for this token; retry later", headers={"Retry-After": str(wait)})
        payload: Any = None
        if with_body:
            try:
                raw = await read_limited(request, SCIM_BODY_MAX)
            except TooLarge:
                return scim_error(413, f"the request body is larger than {SCIM_BODY_MAX} bytes")
            content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
            if content_type not in {SCIM_MEDIA_TYPE, "application/json"}:
                return scim_error(415, f"send {SCIM_MEDIA_TYPE} (or application/json)", "invalidSyntax")
            try:
                payload = json.loads(raw.decode("utf-8"))
            except (UnicodeDecodeError, ValueError, RecursionError):
                return scim_error(400, "the body is not valid JSON", "invalidSyntax")
        base = str(request.base_url).rstrip("/") + SCIM_PREFIX
        try:
            context = integration_context(database, bus, token)
            with audit_scope(context, "scim." + handler.__name__.strip("_"), actor_type="integration",
                             source=f"scim:{token['_id']}"):
                return scim_response(await handler(context, base, request, payload))
        except ScimRefusal as refusal:
            return JSONResponse(refusal.body(), status_code=refusal.status, media_type=SCIM_MEDIA_TYPE)
        except Exception:
            log.exception("SCIM request failed")
            return scim_error(500, "the server could not complete this request")

    return endpoint


def _params(request: Request) -> dict[str, str]:
    return dict(request.query_params)


async def _list_users(c: Context, base: str, r: Request, _: Any) -> Reply:
    return await scim.list_users(c, base, _params(r))


async def _get_user(c: Context, base: str, r: Request, _: Any) -> Reply:
    return await scim.get_user(c, base, r.path_params["id"], r.headers.get("if-none-match"))


async def _create_user(c: Context, base: str, r: Request, body: Any) -> Reply:
    return await scim.create_user(c, base, body)


async def _replace_user(c: Context, base: str, r: Request, body: Any) -> Reply:
    return await scim.replace_user(c, base, r.path_params["id"], body, r.headers.get("if-match"))


async def _patch_user(c: Context, base: str, r: Request, body: Any) -> Reply:
    return await scim.patch_user(c, base, r.path_params["id"], body, r.headers.get("if-match"))


async def _delete_user(c: Context, base: str, r: Request, _: Any) -> Reply:
    return await scim.delete_user(c, base, r.path_params["id"], r.headers.get("if-match"))


async def _list_groups(c: Context, base: str, r: Request, _: Any) -> Reply:
    return await scim.list_groups(c, base, _params(r))


async def _get_group(c: Context, base: str, r: Request, _: Any) -> Reply:
    return await scim.get_group(c, base, r.path_params["id"], _params(r))


async def _create_group(c: Context, base: str, r: Request, body: Any) -> Reply:
    return await scim.create_group(c, base, body)


async def _patch_group(c: Context, base: str, r: Request, body: Any) -> Reply:
    return await scim.patch_group(c, base, r.path_params["id"], body, r.headers.get("if-match"))


async def _no_group_delete(c: Context, base: str, r: Request, _: Any) -> Reply:
    raise ScimRefusal(403, "departments are not deleted through SCIM; HR retires them in Perfgraph")


async def _config(c: Context, base: str, r: Request, _: Any) -> Reply:
    return scim.service_provider_config(base)


async def _resource_types(c: Context, base: str, r: Request, _: Any) -> Reply:
    return scim.resource_types(base, r.path_params.get("id"))


async def _schemas(c: Context, base: str, r: Request, _: Any) -> Reply:
    return scim.schemas(base, r.path_params.get("id"))


def scim_routes() -> BaseRoute:
    """The SCIM service provider, every route behind a SCIM token and its request limit."""
    def route(path: str, handler: Handler, methods: list[str], body: bool = False) -> Route:
        return Route(path, scim_endpoint(handler, with_body=body), methods=methods)

    return Mount(SCIM_PREFIX, routes=[
        route("/Users", _list_users, ["GET"]),
        route("/Users", _create_user, ["POST"], body=True),
        route("/Users/{id}", _get_user, ["GET"]),
        route("/Users/{id}", _replace_user, ["PUT"], body=True),
        route("/Users/{id}", _patch_user, ["PATCH"], body=True),
        route("/Users/{id}", _delete_user, ["DELETE"]),
        route("/Groups", _list_groups, ["GET"]),
        route("/Groups", _create_group, ["POST"], body=True),
        route("/Groups/{id}", _get_group, ["GET"]),
        route("/Groups/{id}", _patch_group, ["PATCH"], body=True),
        route("/Groups/{id}", _no_group_delete, ["DELETE"]),
        route("/ServiceProviderConfig", _config, ["GET"]),
        route("/ResourceTypes", _resource_types, ["GET"]),
        route("/ResourceTypes/{id}", _resource_types, ["GET"]),
        route("/Schemas", _schemas, ["GET"]),
        route("/Schemas/{id}", _schemas, ["GET"]),
    ])


def json_error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> Response:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status, headers=headers)


async def signed_in_integration(request: Request, kind: TokenKind) -> Context | Response:
    """The request's integration context for a token of ``kind``, or the 401/429 answer."""
    database, bus = request.app.state.database, request.app.state.bus
    token = await token_of(database, bearer_secret(request), kind)
    if token is None:
        return json_error(401, "UNAUTHENTICATED", f"a valid {kind.value.upper()} integration token is required",
                          {"WWW-Authenticate": f'Bearer realm="perfgraph-{kind.value}"'})
    if (wait := await retry_after(request, token)) is not None:
        return json_error(429, "LIMIT_EXCEEDED", "too many requests for this token; retry later",
                          {"Retry-After": str(wait)})
    return integration_context(database, bus, token)


def import_route() -> Route:
    """``POST /imports``: a CSV (``text/csv``) or JSON (``application/json``) file of rows, stored for HR to
    preview and run in GraphQL (``importPreview``, ``importRun``); answers its ``importId``."""
    async def endpoint(request: Request) -> Response:
        context = await signed_in_integration(request, TokenKind.IMPORT)
        if isinstance(context, Response):
            return context
        try:
            body = await read_limited(request, IMPORT_BODY_MAX)
        except TooLarge:
            return json_error(413, "LIMIT_EXCEEDED", f"the file is larger than {IMPORT_BODY_MAX} bytes")
        try:
            with audit_scope(context, "import.upload", actor_type="integration"):
                doc = await imports.upload(context, body, request.headers.get("content-type", "").lower())
        except BadFile as error:
            return json_error(400, "BAD_FILE", str(error))
        return JSONResponse({"importId": doc["_id"], "rows": doc["rowCount"], "format": doc["format"]},
                            status_code=201)

    return Route("/imports", endpoint, methods=["POST"])


def xapi_route() -> Route:
    """``POST /xapi/statements``: one xAPI statement or a list (at most 100), with an XAPI token; answers
    the statements' ids (200), 400 for a statement Perfgraph does not take, 409 for an id received before."""
    async def endpoint(request: Request) -> Response:
        context = await signed_in_integration(request, TokenKind.XAPI)
        if isinstance(context, Response):
            return context
        try:
            raw = await read_limited(request, XAPI_BODY_MAX)
        except TooLarge:
            return json_error(413, "LIMIT_EXCEEDED", f"the request body is larger than {XAPI_BODY_MAX} bytes")
        if "json" not in request.headers.get("content-type", ""):
            return json_error(415, "BAD_REQUEST", "send application/json")
        try:
            body = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            return json_error(400, "BAD_REQUEST", "the body is not valid JSON")
        assert context.viewer is not None
        try:
            with audit_scope(context, "xapi.statements", actor_type="integration",
                             source="xapi:" + context.viewer.employee_id.removeprefix("integration:")):
                ids = await learning.receive(context, body)
        except BadStatement as error:
            return json_error(400, "BAD_STATEMENT", str(error))
        except learning.Conflict as error:
            return json_error(409, "CONFLICT", str(error))
        return JSONResponse(ids, status_code=200, headers={"X-Experience-API-Version": "1.0.3"})

    return Route("/xapi/statements", endpoint, methods=["POST"])
