"""The ASGI application: routes, and the lifespan that opens the store and the bus."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from typing import Any

import strawberry
from starlette._utils import get_route_path
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import DEFAULT_EXCLUDED_CONTENT_TYPES, GZipMiddleware
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_WS_PROTOCOL

from realtime import Bus, create_bus
from realtime.groups import SubscriptionGroups
from realtime.ratelimit import RateLimiter, create_rate_limiter
from resolvers.core.streams import close_connection
from resolvers.integrations.http import import_route, scim_routes, xapi_route
from resolvers.notifications.webhooks import PRIVATE_URLS
from resolvers.notifications.worker import start as start_worker
from schema.schema import build_schema
from server.auth import SingleSignOn, decoder
from server.config import Settings, redact
from server.exports import merit_cycle_csv
from server.graphiql import ASSETS_DIR, ASSETS_PATH
from server.observe import Metrics, Observe, health, log_errors, metrics, ready
from server.persisted import PersistedQueries
from server.signin import sign_in_routes
from server.view import MAX_CONNECTIONS_PER_VIEWER, MAX_LIVE_COST, PerfgraphGraphQL
from server.webapp import app_routes
from store.core.database import Database, open_database
from store.core.identity import employee_signing_in

log = logging.getLogger("perfgraph")


class LazyEndpoint:
    """Routes need an ASGI app at import time; the real view exists once the lifespan has opened
    the store and the bus (both bound to the running event loop)."""

    def __init__(self) -> None:
        self.view: PerfgraphGraphQL | None = None

    def __call__(self, scope: Any, receive: Any, send: Any) -> Awaitable[None]:
        # The view's own coroutine, not one of ours awaiting it: a WebSocket holds every frame on its call
        # stack for as long as it is open.
        assert self.view is not None, "the lifespan has not run"
        return self.view(scope, receive, send)


class App(Starlette):
    """The application, with one shortcut: a WebSocket to the GraphQL endpoint goes from the access log and
    metrics (:class:`Observe`) straight to the view. The rest of the stack has nothing to do for a WebSocket
    (the error and exception middleware, CORS and gzip only act on HTTP; the router only finds the route), but
    each of its layers would otherwise stay suspended on every open WebSocket's call stack, about 3 KB per
    subscriber (bench/idle_heap.py)."""

    def __init__(self, *args: Any, websocket_path: str, websocket_endpoint: ASGIApp, metrics: Metrics,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.websocket_path = websocket_path
        self.websocket_app = Observe(websocket_endpoint, metrics)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket" and get_route_path(scope) == self.websocket_path:
            scope["app"] = self
            return await self.websocket_app(scope, receive, send)
        return await super().__call__(scope, receive, send)


# Browsers on the origins of ALLOWED_ORIGINS may call the API (WebSockets check the same list). Tokens travel
# in the Authorization header, never in cookies: credentials mode stays off.
CORS_HEADERS = ("Authorization", "Content-Type", "Accept", "X-Request-ID", "apollographql-client-name",
                "apollographql-client-version")
# Answers smaller than this are sent as they are (compressing them saves less than it costs).
GZIP_MINIMUM_BYTES = 1024
# Streamed answers (multipart subscriptions, incremental delivery) are sent part by part, uncompressed.
NOT_COMPRESSED = (*DEFAULT_EXCLUDED_CONTENT_TYPES, "multipart/mixed")


def middleware(settings: Settings, metrics_: Metrics) -> list[Middleware]:
    """Outermost first: the request id, access line and metrics; CORS; gzip."""
    return [
        Middleware(Observe, metrics=metrics_),
        Middleware(CORSMiddleware, allow_origins=list(settings.allowed_origins), allow_methods=["GET", "POST"],
                   allow_headers=list(CORS_HEADERS), expose_headers=["ETag", "X-Request-ID"],
                   allow_credentials=False, max_age=600),
        Middleware(GZipMiddleware, minimum_size=GZIP_MINIMUM_BYTES, compresslevel=6,
                   exclude_content_types=NOT_COMPRESSED),
    ]


StartupHook = Callable[[Database], Awaitable[None]]


def create_app(settings: Settings | None = None, *, database: Database | None = None,
               schema_options: dict[str, Any] | None = None, on_startup: StartupHook | None = None,
               subscriber_queue_size: int = 256, freeze_heap: bool = False,
               connection_init_seconds: float = 10.0, execution_seconds: float = 15.0,
               live_cost_budget: int = MAX_LIVE_COST,
               schema_factory: Callable[..., strawberry.Schema] = build_schema,
               max_connections_per_viewer: int = MAX_CONNECTIONS_PER_VIEWER) -> Starlette:
    """``database`` lets a caller (tests) hand in a store it opened itself; ``on_startup`` runs once
    the store is open (``make serve`` seeds the embedded store with it). ``subscriber_queue_size``
    bounds how many events may wait for one subscriber before it is dropped as too slow; ``freeze_heap``
    (serving processes) moves what start-up built out of the garbage collector's sight;
    ``connection_init_seconds``: how long a WebSocket may wait before ``connection_init`` (both protocols);
    ``execution_seconds``: how long one query or mutation over HTTP may run before it is stopped;
    ``live_cost_budget``: the objects per event one person's open subscriptions may ask for in all;
    ``schema_factory``: builds the schema from ``schema_options`` (the tests reuse one per process);
    ``max_connections_per_viewer``: the WebSockets one person may hold open at once (benchmarks raise it)."""
    settings = settings or Settings.from_env()
    endpoint = LazyEndpoint()
    app_metrics = Metrics()
    persisted = PersistedQueries.from_settings(settings.broadcast_url, settings.trusted_documents,
                                               settings.persisted_queries_file)

    decoders: list[Any] = [decoder(settings.jwt_secret, None)]  # with SSO, replaced once the store is open

    def decode(credentials: str | None) -> Any:
        return decoders[0](credentials)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        db = database or await open_database(settings.mongodb_url, settings.mongodb_db)
        if on_startup is not None:
            await on_startup(db)
        if settings.jwks_url is not None:
            assert settings.jwt_issuer is not None and settings.jwt_audience is not None

            async def find(claim: str, value: str) -> Any:
                return await employee_signing_in(db, claim, value)

            decoders[0] = decoder(settings.jwt_secret, SingleSignOn(
                settings.jwks_url, settings.jwt_issuer, settings.jwt_audience, settings.jwt_algorithms,
                settings.jwt_employee_claim, find, cooldown=settings.jwks_cooldown_seconds))
        bus: Bus = create_bus(settings.broadcast_url, queue_size=subscriber_queue_size,
                              sealing_secret=settings.jwt_secret)
        try:
            await bus.connect()
        except Exception:
            if database is None:
                await db.close()
            raise
        schema = schema_factory(debug=settings.debug, introspection=settings.introspection, **(schema_options or {}))
        schema.process_errors = log_errors  # type: ignore[method-assign]
        groups = SubscriptionGroups(schema, bus, queue_size=subscriber_queue_size, on_overflow=close_connection)
        limiter: RateLimiter | None = None
        if settings.rate_limit_points:
            limiter = create_rate_limiter(settings.broadcast_url, settings.rate_limit_points,
                                          settings.rate_limit_window)
        # integration tokens: requests per window, on the same limiter (its own counters in Redis)
        app.state.integration_limiter = create_rate_limiter(
            settings.broadcast_url, settings.integration_requests, settings.rate_limit_window,
            prefix="perfgraph:rate:integration") if settings.integration_requests else None
        # one-time code exchanges (server/signin.py): attempts per client address and window, likewise
        app.state.sign_in_limiter = create_rate_limiter(
            settings.broadcast_url, settings.sign_in_attempts, settings.rate_limit_window,
            prefix="perfgraph:rate:sign-in") if settings.sign_in_attempts else None
        endpoint.view = PerfgraphGraphQL(
            schema, db, bus, decode, groups, keep_alive=True, keep_alive_interval=15,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_WS_PROTOCOL),
            connection_init_wait_timeout=timedelta(seconds=connection_init_seconds),
            allowed_origins=settings.allowed_origins or (),
            graphql_ide="graphiql" if settings.graphiql else None, execution_seconds=execution_seconds,
            rate_limiter=limiter, live_budget=live_cost_budget, max_connections_per_viewer=max_connections_per_viewer,
            context_extras={PRIVATE_URLS: settings.webhook_private_urls},
            persisted=persisted,
        )
        app_metrics.attach(db, bus, groups)
        app.state.metrics = app_metrics
        app.state.database, app.state.bus, app.state.schema, app.state.subscriptions = db, bus, schema, groups
        app.state.view = endpoint.view
        if freeze_heap:  # a serving process: what start-up built lives as long as the process, so the
            gc.collect()  # garbage collector need not walk it again on every collection
            gc.freeze()
        if db.embedded is not None:
            store = f"the embedded database (SecantusDB, a separate process; data in {db.embedded.where})"
        else:
            store = redact(settings.mongodb_url)
        log.info("perfgraph ready: store %s, database %s; broadcast %s", store, settings.mongodb_db,
                 redact(settings.broadcast_url))
        worker = start_worker(db, bus=bus, allow_private=settings.webhook_private_urls) if settings.worker else None
        try:
            yield
        finally:
            for used in (limiter, app.state.integration_limiter, app.state.sign_in_limiter):
                if used is not None:
                    await used.close()
            if worker is not None:
                worker.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await worker
            await persisted.store.close()
            await bus.disconnect()
            if database is None:
                await db.close()

    app = App(
        routes=[
            Route("/graphql", endpoint, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", endpoint),
            Route("/health", health),
            Route("/exports/merit-cycles/{cycle_id}.csv", merit_cycle_csv, methods=["GET"]),
            scim_routes(),
            import_route(),
            xapi_route(),
            Route("/ready", ready),
            Route("/metrics", metrics),
            *sign_in_routes(settings),
            *app_routes(settings.app_dir),
            *([Mount(ASSETS_PATH, StaticFiles(directory=ASSETS_DIR, check_dir=False))] if settings.graphiql else []),
        ],
        middleware=middleware(settings, app_metrics),
        lifespan=lifespan,
        websocket_path="/graphql", websocket_endpoint=endpoint, metrics=app_metrics,
    )
    app.state.settings = settings
    return app
