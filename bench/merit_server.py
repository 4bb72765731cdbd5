"""The server ``bench.merit_cycle`` talks to, in a process of its own under uvicorn (as ``make serve`` runs it,
WebSocket compression off, without the worker): the real app on the embedded store (``memory://``) with a demo
organisation of SIZE people, pay for everyone and the HR admin persona granted ``compensation_admin``, plus a few
``/bench`` routes beside the app:

* ``GET /bench/participants?cycle=ID``: each participant's id, manager and chain (the bench picks its team
  leads from them; pay is not in it);
* ``POST /bench/counting`` ``{"on": bool}``: on resets and starts counting the store calls (``database.stats``,
  the tests' counter) and the commands the driver sends (pymongo command monitoring); off stops and returns them;
* ``POST /bench/profile`` ``{"on": bool}``: cProfile of this process's event loop; off returns the top functions.

    .venv/bin/python -m bench.merit_server SIZE PORT

Clock: the pushes' ``asOf`` is stamped here with the wall clock (``clock.now()``, CLOCK_REALTIME), the one the
bench process reads with ``time.time()``: the same kernel clock for every process of the machine.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections import Counter

import uvicorn
from pymongo import monitoring
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from bench.common import profile_endpoint
from models.demo.org import build_organization
from server.app import create_app
from server.config import Settings
from store.core.database import MEMORY, open_database
from store.core.seed import seed

DATABASE = "bench_merit"


class Commands(monitoring.CommandListener):
    """Every command the driver sends, counted while ``on`` (the audit's own reads and inserts included)."""

    def __init__(self) -> None:
        self.on = False
        self.by_name: Counter[str] = Counter()

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if self.on:
            self.by_name[event.command_name] += 1

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


COMMANDS = Commands()
monitoring.register(COMMANDS)  # before the store's client is made


async def serve(size: int, port: int) -> None:
    # without the worker: its first reminder sweep over thousands of seeded people would run during the launch and
    # the proposals (in service it may run as its own process, `python -m server worker`)
    settings = Settings(mongodb_url=MEMORY, mongodb_db=DATABASE, broadcast_url="memory://", worker=False)
    database = await open_database(MEMORY, DATABASE)
    demo = build_organization(employee_count=size)
    await seed(database, demo)
    await database.employees.update_one({"_id": demo.personas["hr_admin"]},
                                        {"$addToSet": {"roles": "compensation_admin"}})
    app = create_app(settings, database=database, subscriber_queue_size=1024, execution_seconds=300,
                     max_connections_per_viewer=int(os.environ.get("BENCH_CONNECTIONS_PER_VIEWER", "10")))

    async def participants(request: Request) -> JSONResponse:
        found = await database.meritParticipants.find(
            {"cycleId": request.query_params["cycle"]},
            {"_id": 0, "employeeId": 1, "managerId": 1, "managerChain": 1}).to_list(None)
        return JSONResponse(found)

    async def counting(request: Request) -> JSONResponse:
        if (await request.json())["on"]:
            database.stats.reset()
            COMMANDS.by_name.clear()
            COMMANDS.on = True
            return JSONResponse({"counting": True})
        COMMANDS.on = False
        return JSONResponse({"calls": database.stats.calls, "by_collection": dict(database.stats.by_collection),
                             "commands": dict(COMMANDS.by_name)})

    profile = profile_endpoint(40, 60)

    routes = Starlette(routes=[Route("/bench/participants", participants),
                               Route("/bench/counting", counting, methods=["POST"]),
                               Route("/bench/profile", profile, methods=["POST"])])

    async def dispatch(scope: Scope, receive: Receive, send: Send) -> None:
        """The ``/bench`` routes beside the app, not around it."""
        if scope["type"] == "http" and scope["path"].startswith("/bench/"):
            await routes(scope, receive, send)
        else:
            await app(scope, receive, send)

    config = uvicorn.Config(dispatch, host="127.0.0.1", port=port, log_level="warning", lifespan="on",
                            ws_per_message_deflate=False, timeout_keep_alive=120, backlog=4096)
    try:
        await uvicorn.Server(config).serve()
    finally:
        await database.close()


def main() -> None:
    size, port = int(sys.argv[1]), int(sys.argv[2])
    asyncio.run(serve(size, port))


if __name__ == "__main__":
    main()

