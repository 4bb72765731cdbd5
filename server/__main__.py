"""Command line: ``python -m server serve | worker | token | seed`` (the Makefile wraps these)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import shutil
import sys
from typing import Any

import uvicorn

from models.demo.org import DemoOrganization, build_organization
from realtime import BusConnectionError, create_bus
from server.auth import mint_token
from server.config import ConfigError, Settings, redact
from server.protocol import HeaderDeadlineProtocol
from store.core.database import Database, StoreUnavailable, open_database
from store.core.embedded import default_data_dir
from store.core.seed import seed

PERSONAS = ("employee", "manager", "hr_admin")
# On SIGTERM the server stops accepting, lets requests in flight finish for up to this long, then closes.
GRACE_SECONDS = 20


def configure_logging(log_format: str = "text") -> None:
    """``json`` (serving, by default): one JSON object a line, as log collectors read them, with the fields a
    record carries (the access line's request id, operation, duration, outcome); ``text`` for the console."""
    if log_format == "json":
        from pythonjsonlogger.json import JsonFormatter

        handler = logging.StreamHandler()
        handler.setFormatter(JsonFormatter("{asctime}{levelname}{name}{message}", style="{",
                                           rename_fields={"asctime": "time", "levelname": "level", "name": "logger"}))
        logging.basicConfig(level=logging.INFO, handlers=[handler], force=True)
    else:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", force=True)


async def preflight(settings: Settings) -> None:
    """Reach MongoDB and the broadcast backend before serving: a one-line reason if either is down."""
    if not settings.embedded_store:
        database = await open_database(settings.mongodb_url, settings.mongodb_db)
        await database.close()
    bus = create_bus(settings.broadcast_url)
    await bus.connect()
    await bus.disconnect()


def persona_tokens(settings: Settings, demo: DemoOrganization) -> dict[str, str]:
    by_id = {e["_id"]: e for e in demo.employees}
    return {persona: mint_token(settings.jwt_secret, id, demo.organization["_id"], by_id[id]["roles"])
            for persona, id in demo.personas.items()}


def print_tokens(settings: Settings, demo: DemoOrganization, links: dict[str, str] | None = None) -> None:
    """Each persona's bearer token and, with ``links`` (the development sign-in), its one-time sign-in link."""
    by_id = {e["_id"]: e for e in demo.employees}
    url = f"http://{settings.host}:{settings.port}/graphql"
    print(f"\nPerfgraph demo organisation {demo.organization['name']!r}: {len(demo.employees)} employees; "
          f"GraphQL at {url}\nBearer tokens (valid 12 hours):", flush=True)
    for persona, token in persona_tokens(settings, demo).items():
        person = by_id[demo.personas[persona]]
        print(f"  {persona:9} {person['name']} ({', '.join(person['roles'])})\n    Authorization: Bearer {token}")
        if links and persona in links:
            print(f"    Sign in: {links[persona]}")
    if links:
        print(f"Sign-in links are one-time and valid 10 minutes; http://{settings.host}:{settings.port}/app/sign-in "
              "offers the persona picker (anyone of the demo organisation, by name).")
    print(flush=True)


def serve(settings: Settings, seed_demo: bool, schema_options: dict[str, Any] | None = None) -> None:
    from server.app import create_app  # here: the other commands, and a refused start, need no schema
    from server.signin import persona_links

    demo = build_organization() if seed_demo else None

    async def on_startup(database: Database) -> None:
        if demo is not None:
            if await database.organizations.count_documents({}) == 0:
                await seed(database, demo, demo_only=True)  # once: later starts serve what the API has changed since
                print(f"seeded the demo organisation into {where(settings, database)}", flush=True)
            links = await persona_links(database, settings, demo) if settings.dev_sign_in_enabled else None
            print_tokens(settings, demo, links)

    app = create_app(settings, on_startup=on_startup, schema_options=schema_options, freeze_heap=True)
    # Behind a proxy, FORWARDED_ALLOW_IPS (uvicorn's setting) names the proxies whose X-Forwarded-* are believed;
    # the access line is server/observe.py's (uvicorn's own would repeat it without the request id).
    uvicorn.run(app, host=settings.host, port=settings.port, log_config=None,
                ws_per_message_deflate=settings.ws_compression, lifespan="on", access_log=False, proxy_headers=True,
                timeout_graceful_shutdown=GRACE_SECONDS, http=HeaderDeadlineProtocol)


def worker(settings: Settings) -> None:
    """``python -m server worker``: the delivery worker (and reminder scheduler) alone, for deployments that
    run the servers with WORKER=0."""

    from resolvers.notifications.worker import with_reminders

    async def run() -> None:
        database = await open_database(settings.mongodb_url, settings.mongodb_db)
        bus = create_bus(settings.broadcast_url, sealing_secret=settings.jwt_secret)
        await bus.connect()
        try:
            print("perfgraph worker: delivering webhooks", flush=True)
            await with_reminders(database, bus=bus, allow_private=settings.webhook_private_urls).run()
        finally:
            await bus.disconnect()
            await database.close()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run())


def token(settings: Settings, args: Any) -> None:
    demo = build_organization()
    employee_id = demo.personas.get(args.persona) if args.persona else args.employee
    person = next((e for e in demo.employees if e["_id"] == employee_id), None)
    if person is not None:
        print(mint_token(settings.jwt_secret, person["_id"], demo.organization["_id"], person["roles"], args.ttl))
        return
    if settings.embedded_store:
        raise ConfigError(f"no employee {employee_id!r} in the demo organisation")

    async def lookup() -> dict[str, Any] | None:
        database = await open_database(settings.mongodb_url, settings.mongodb_db)
        try:
            return await database.employees.find_one({"_id": employee_id})
        finally:
            await database.close()

    found = asyncio.run(lookup())
    if found is None:
        raise ConfigError(f"no employee {employee_id!r} in {settings.mongodb_db}")
    print(mint_token(settings.jwt_secret, found["_id"], found["organizationId"], found.get("roles", []), args.ttl))


def where(settings: Settings, database: Database) -> str:
    """Where the data lives, for the start-up line."""
    if database.embedded is not None:
        return f"the embedded database (SecantusDB, data in {database.embedded.where})"
    return f"{redact(settings.mongodb_url)}, database {settings.mongodb_db}"


def reset(settings: Settings) -> None:
    """``make reset``: the embedded database wiped and the demo organisation seeded again."""
    if not settings.mongodb_url.startswith("embedded://"):
        raise ConfigError("reset wipes the embedded database only; drop a real MongoDB database yourself")
    data = default_data_dir()
    shutil.rmtree(data, ignore_errors=True)

    async def run() -> None:
        database = await open_database(settings.mongodb_url, settings.mongodb_db)
        try:
            await seed(database, build_organization(), demo_only=True)
        finally:
            await database.close()

    asyncio.run(run())
    print(f"wiped {data} and seeded the demo organisation again", flush=True)


def seed_real(settings: Settings) -> None:
    if settings.embedded_store:
        raise ConfigError("`make serve` seeds the embedded database once, `make reset` wipes and reseeds it")

    async def run() -> None:
        database = await open_database(settings.mongodb_url, settings.mongodb_db)
        try:
            await seed(database, build_organization(), demo_only=True)
        finally:
            await database.close()

    asyncio.run(run())
    print_tokens(settings, build_organization())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m server", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve_cmd = commands.add_parser("serve", help="serve GraphQL on HOST:PORT")
    serve_cmd.add_argument("--seed-demo", action="store_true", help="load the demo organisation first")
    token_cmd = commands.add_parser("token", help="mint a dev bearer token")
    who = token_cmd.add_mutually_exclusive_group(required=True)
    who.add_argument("--persona", choices=PERSONAS)
    who.add_argument("--employee", help="an employee id")
    token_cmd.add_argument("--ttl", type=int, default=12 * 3600, help="seconds until it expires")
    commands.add_parser("worker", help="deliver webhooks and send reminders (without serving GraphQL)")
    commands.add_parser("seed", help="load the demo organisation into the MongoDB at MONGODB_URL")
    commands.add_parser("reset", help="wipe the embedded database and seed the demo organisation again")
    args = parser.parse_args(argv)
    configure_logging()
    try:
        settings = Settings.from_env()
        if args.command == "serve":
            configure_logging(settings.log_format)
            asyncio.run(preflight(settings))
            serve(settings, args.seed_demo)
        elif args.command == "token":
            token(settings, args)
        elif args.command == "worker":
            worker(settings)
        elif args.command == "reset":
            reset(settings)
        else:
            seed_real(settings)
    except (ConfigError, StoreUnavailable, BusConnectionError) as error:
        print(f"perfgraph: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
