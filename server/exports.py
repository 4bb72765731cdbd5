"""``GET /exports/merit-cycles/{id}.csv``: a merit cycle's payroll export over HTTP, for compensation admins.

The same bearer token as the GraphQL endpoint; 401 without a valid one, 403 for anyone but a compensation
admin, 404 for an unknown cycle (another organisation's included), 409 before the cycle is approved.
Bodies of refusals carry no amounts.
"""

from __future__ import annotations

import csv
import io
import re

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from resolvers.compensation.exports import HEADER, NotExportable, payroll_rows
from resolvers.core.context import Context
from resolvers.core.errors import Forbidden, Unauthenticated

SAFE = re.compile(r"[^0-9A-Za-z_-]")


def csv_field(value: str) -> str:
    """A cell a spreadsheet will not run as a formula."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


async def merit_cycle_csv(request: Request) -> Response:
    view = request.app.state.view
    context = Context(database=view.database, bus=view.bus, decode=view.decode,
                      credentials=request.headers.get("authorization"), request=request)
    try:
        rows = await payroll_rows(context, request.path_params["cycle_id"])
    except Unauthenticated as error:
        return PlainTextResponse(error.message, status_code=401, headers={"WWW-Authenticate": "Bearer"})
    except Forbidden as error:
        return PlainTextResponse(error.message, status_code=403)
    except NotExportable as error:
        return PlainTextResponse(error.message, status_code=409)
    if rows is None:
        return PlainTextResponse("no such merit cycle", status_code=404)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for row in rows:
        writer.writerow([csv_field(cell) for cell in row])
    name = SAFE.sub("", request.path_params["cycle_id"])
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="merit-cycle-{name}.csv"',
        "Cache-Control": "no-store"})
