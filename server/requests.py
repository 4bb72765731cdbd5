"""What a GraphQL-over-HTTP request must look like before anything parses or runs it.

Every refusal is a JSON GraphQL error body with a 4xx status and ``extensions.code``, never a traceback,
never text: a body over :data:`MAX_BODY_BYTES` (413), bytes that are not UTF-8, text that is not JSON, a
JSON value that is not one request object (an array: batching is off), a ``query`` that is not a string
or is longer than :data:`MAX_QUERY_CHARS`, ``variables`` that are not an object or break a value limit
(``schema.core.limits.variables_error``, the check every transport makes: nesting, long strings, long
lists), an ``operationName`` that is not a string. Messages quote at most a short prefix of what was sent.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from schema.core.limits import variables_error

MAX_BODY_BYTES = 1_000_000
MAX_QUERY_CHARS = 25_000  # 2,000 tokens of 12 characters; a longer text is padding (comments, spaces)
BODY_SECONDS = 30.0  # to receive a whole body, however slowly it trickles in
BAD_REQUEST = "BAD_REQUEST"
BAD_USER_INPUT = "BAD_USER_INPUT"
LIMIT_EXCEEDED = "LIMIT_EXCEEDED"


class Refused(Exception):
    """A request refused before execution: its status, code and message."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def refusal_response(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"errors": [{"message": message, "extensions": {"code": code}}]}, status_code=status)


async def read_body(request: Request) -> bytes:
    """The body, refused as soon as it is known to be too large (declared or received)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise Refused(413, LIMIT_EXCEEDED, f"the request body is larger than {MAX_BODY_BYTES} bytes")
    chunks, size = [], 0
    try:
        async with asyncio.timeout(BODY_SECONDS):
            async for chunk in request.stream():
                size += len(chunk)
                if size > MAX_BODY_BYTES:
                    raise Refused(413, LIMIT_EXCEEDED, f"the request body is larger than {MAX_BODY_BYTES} bytes")
                chunks.append(chunk)
    except TimeoutError:
        raise Refused(408, "TIMEOUT", f"the request body did not arrive within {BODY_SECONDS:g} s") from None
    body = b"".join(chunks)
    request._body = body  # Starlette's cache: the view reads the same bytes again
    return body


def check_payload(payload: Any) -> None:
    """One GraphQL request object, as the GraphQL-over-HTTP specification has it."""
    if isinstance(payload, list):
        raise Refused(400, BAD_REQUEST, "batched requests are not supported: send one request object")
    if not isinstance(payload, dict):
        raise Refused(400, BAD_REQUEST, "the request body must be a JSON object with a query")
    query = payload.get("query")
    if not isinstance(query, str) or not query.strip():
        raise Refused(400, BAD_REQUEST, "the request has no query (a string)")
    if len(query) > MAX_QUERY_CHARS:
        raise Refused(400, LIMIT_EXCEEDED, f"the query is longer than {MAX_QUERY_CHARS} characters")
    variables = payload.get("variables")
    if variables is not None and not isinstance(variables, dict):
        raise Refused(400, BAD_USER_INPUT, "variables must be a JSON object")
    if variables is not None and (error := variables_error(variables)) is not None:
        # the check every transport makes (schema/core/limits.py), here before the body is parsed further
        raise Refused(400, str((error.extensions or {})["code"]), error.message)
    name = payload.get("operationName")
    if name is not None and not isinstance(name, str):
        raise Refused(400, BAD_REQUEST, "operationName must be a string")


async def check_post(request: Request) -> None:
    """A JSON POST's body: size, encoding, JSON, shape. Other content types are left to the view."""
    if "json" not in request.headers.get("content-type", ""):
        return
    body = await read_body(request)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise Refused(400, BAD_REQUEST, "the request body is not valid UTF-8") from None
    try:
        payload = json.loads(text)
    except (ValueError, RecursionError):
        raise Refused(400, BAD_REQUEST, "the request body is not valid JSON (or nests too deeply)") from None
    check_payload(payload)
