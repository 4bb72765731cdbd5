"""Sign-in with a one-time code, and the development sign-in that mints codes (JSON in and out).

``POST /auth/code-exchange`` ``{"code"}`` → ``{"token", "expiresAt", "employee": {"id", "name"},
"organizationId"}``: the code (store/core/signin.py) used up by one conditional write, then a bearer token
of the kind ``make token`` mints (12 hours). Attempts are counted per client address on the app's sign-in
limiter (realtime/ratelimit.py; shared in Redis when the bus is Redis).

Development only (``Settings.dev_sign_in_enabled``; otherwise the routes do not exist and answer 404):
``GET /dev/personas?search=`` lists the demo organisation's personas and, for a search of two characters or
more, up to 20 of its people by name; ``POST /dev/sign-in`` ``{"employeeId"}`` mints a code for one of them
and the link ``/app/sign-in?code=…`` that redeems it. ``make serve`` prints such a link per persona.

Every refusal is ``{"error": {"code", "message"}}`` with a 4xx status.
"""

from __future__ import annotations

import functools
import json
import time
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from models.core import clock
from models.core.signin import well_formed_code, well_formed_employee_id
from models.core.validation import SEARCH_MAX
from models.demo.org import DemoOrganization, build_organization
from server.auth import DEFAULT_TTL, mint_token
from server.config import Settings
from server.requests import Refused, read_body
from store.core.database import Database
from store.core.signin import Expired, cards, mint_code, redeem_code, signing_in

SIGN_IN_PATH = "/app/sign-in"
PEOPLE_SHOWN = 20  # people a persona search lists at most
SEARCH_MIN = 2  # characters a search needs before people are listed
NO_STORE = {"Cache-Control": "no-store"}


@functools.cache
def demo() -> DemoOrganization:
    """The demo organisation as `make serve` seeds it (its ids are deterministic)."""
    return build_organization()


def error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status,
                        headers={**NO_STORE, **(headers or {})})


class BadRequest(Exception):
    pass


async def json_object(request: Request) -> dict[str, Any]:
    """The body as one JSON object (server/requests.py's size and time limits), or :class:`BadRequest`."""
    try:
        body = await read_body(request)
    except Refused as refused:
        raise BadRequest(refused.message) from None
    try:
        payload = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise BadRequest("the request body must be a JSON object") from None
    if not isinstance(payload, dict):
        raise BadRequest("the request body must be a JSON object")
    return payload


def link(base: str, code: str) -> str:
    return f"{base.rstrip('/')}{SIGN_IN_PATH}?code={code}"


async def code_exchange(request: Request) -> JSONResponse:
    settings: Settings = request.app.state.settings
    limiter = request.app.state.sign_in_limiter
    if limiter is not None:
        address = request.client.host if request.client else "unknown"
        allowance = await limiter.spend(f"sign-in:{address}", 1)
        if not allowance.allowed:
            return error(429, "RATE_LIMITED", f"too many sign-in attempts: try again in {allowance.reset_seconds} s",
                         {"Retry-After": str(allowance.reset_seconds)})
    try:
        payload = await json_object(request)
    except BadRequest as bad:
        return error(400, "BAD_REQUEST", str(bad))
    code = payload.get("code")
    if not isinstance(code, str):
        return error(400, "BAD_REQUEST", 'send {"code": "<the code of the sign-in link>"}')
    database: Database = request.app.state.database
    redeemed = await redeem_code(database, code, clock.now()) if well_formed_code(code) else None
    if isinstance(redeemed, Expired):
        return error(400, "CODE_EXPIRED", "this sign-in link has expired (links are valid for 10 minutes): "
                                          "ask for a new one")
    if redeemed is None:
        return error(400, "CODE_INVALID", "this sign-in link is not valid or has been used already "
                                          "(each link signs in once): ask for a new one")
    person = await signing_in(database, redeemed.organization_id, redeemed.employee_id)
    if person is None:
        return error(400, "CODE_INVALID", "the person this sign-in link is for can no longer sign in")
    issued = int(time.time())
    token = mint_token(settings.jwt_secret, person["_id"], redeemed.organization_id, person.get("roles", []),
                       DEFAULT_TTL, now=issued)
    expires = datetime.fromtimestamp(issued + DEFAULT_TTL, UTC).isoformat().replace("+00:00", "Z")
    return JSONResponse({"token": token, "expiresAt": expires,
                         "employee": {"id": person["_id"], "name": person["name"]},
                         "organizationId": redeemed.organization_id}, headers=NO_STORE)


async def dev_personas(request: Request) -> JSONResponse:
    search = request.query_params.get("search", "").strip()
    if len(search) > SEARCH_MAX:
        return error(400, "BAD_REQUEST", f"search is longer than {SEARCH_MAX} characters")
    database: Database = request.app.state.database
    organization_id = demo().organization["_id"]
    personas = demo().personas
    found = {c["employeeId"]: c for c in await cards(database, organization_id, ids=list(personas.values()))}
    people = await cards(database, organization_id, search=search, limit=PEOPLE_SHOWN) \
        if len(search) >= SEARCH_MIN else []
    return JSONResponse({
        "personas": [{"persona": persona, **found[id]} for persona, id in personas.items() if id in found],
        "people": people}, headers=NO_STORE)


async def dev_sign_in(request: Request) -> JSONResponse:
    try:
        payload = await json_object(request)
    except BadRequest as bad:
        return error(400, "BAD_REQUEST", str(bad))
    employee_id = payload.get("employeeId")
    if not well_formed_employee_id(employee_id):
        return error(400, "BAD_REQUEST", 'send {"employeeId": "<an employee id, 24 hexadecimal digits>"}')
    database: Database = request.app.state.database
    organization_id = demo().organization["_id"]
    if await signing_in(database, organization_id, employee_id) is None:
        return error(404, "NOT_FOUND", "no such employee in the demo organisation")
    code = await mint_code(database, organization_id, employee_id, clock.now())
    return JSONResponse({"code": code, "link": link(str(request.base_url), code)}, headers=NO_STORE)


async def persona_links(database: Database, settings: Settings, organization: DemoOrganization) -> dict[str, str]:
    """A fresh sign-in link per persona of ``organization`` (`make serve` prints them at start-up)."""
    base = f"http://{settings.host}:{settings.port}"
    return {persona: link(base, await mint_code(database, organization.organization["_id"], id, clock.now()))
            for persona, id in organization.personas.items()}


def sign_in_routes(settings: Settings) -> list[BaseRoute]:
    """The code exchange, and the development sign-in while it is on."""
    routes: list[BaseRoute] = [Route("/auth/code-exchange", code_exchange, methods=["POST"])]
    if settings.dev_sign_in_enabled:
        routes += [Route("/dev/personas", dev_personas, methods=["GET"]),
                   Route("/dev/sign-in", dev_sign_in, methods=["POST"])]
    return routes
