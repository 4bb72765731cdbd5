"""Settings read from the environment, checked once at start-up."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

DEV_JWT_SECRET = "perfgraph-dev-secret-embedded-store-only-0123456789"
# The embedded server (a SecantusDB child process): ``embedded://`` keeps its data in PERFGRAPH_DATA,
# ``memory://`` keeps nothing once it stops.
EMBEDDED_URLS = ("embedded://", "memory://")
# Asymmetric algorithms an identity provider's tokens may use (never HS256 with a public key).
SSO_ALGORITHMS = frozenset({"RS256", "RS384", "RS512", "ES256", "ES384", "PS256"})


class ConfigError(Exception):
    """A setting that makes start-up impossible; the message is printed as one line."""


@dataclass(frozen=True)
class Settings:
    mongodb_url: str = "embedded://"
    mongodb_db: str = "perfgraph"
    broadcast_url: str = "memory://"
    jwt_secret: str = DEV_JWT_SECRET
    host: str = "127.0.0.1"
    port: int = 8000
    allowed_origins: tuple[str, ...] = field(default=())
    debug: bool = False
    introspection: bool = True  # production: off, with the schema shared as schema.graphql instead
    graphiql: bool = True  # production: off
    rate_limit_points: int = 100_000  # cost points one caller may spend per window (0: no rate limit)
    rate_limit_window: int = 60  # seconds
    # requests one integration token (SCIM, imports, xAPI) may make per rate_limit_window (0: no limit), on the
    # same limiter as GraphQL callers (shared in Redis when broadcast_url is redis://)
    integration_requests: int = 1_200
    # the delivery worker and the reminder scheduler in the server process (off: `python -m server worker`)
    worker: bool = True
    webhook_private_urls: bool = False  # development only: webhooks to loopback and private addresses
    # Persisted queries (server/persisted.py): trusted_documents runs only the operations of the manifest
    # at persisted_queries_file (Apollo's persisted-query-manifest.json); clients may not register others.
    trusted_documents: bool = False
    persisted_queries_file: str | None = None
    # SSO (server/auth.py): tokens signed by an identity provider, its keys read from jwks_url; the employee
    # is the one whose ``jwt_employee_claim`` field (email or sub, as stored in ``jwt_employee_field``) matches.
    jwks_url: str | None = None
    jwt_issuer: str | None = None
    jwt_audience: str | None = None
    jwt_algorithms: tuple[str, ...] = ("RS256", "ES256")
    jwt_employee_claim: str = "email"
    jwks_cooldown_seconds: float = 30.0  # an unknown key id refetches the key set at most this often
    log_format: str = "json"  # json (one object a line) or text
    # WebSocket permessage-deflate (uvicorn's): smaller events, but a zlib context per connection (~64 KiB+)
    ws_compression: bool = False
    # The development sign-in (server/signin.py): /dev/personas and /dev/sign-in, and the sign-in links
    # `make serve` prints. None: on exactly while the development JWT secret is in use (DEV_SIGN_IN overrides).
    dev_sign_in: bool | None = None
    # code exchanges one client address may attempt per rate_limit_window (0: no limit)
    sign_in_attempts: int = 30
    # the built web app served at /app (server/webapp.py); None: server/static/app
    app_dir: str | None = None

    @property
    def embedded_store(self) -> bool:
        return self.mongodb_url.startswith(EMBEDDED_URLS)

    @property
    def dev_sign_in_enabled(self) -> bool:
        return self.jwt_secret == DEV_JWT_SECRET if self.dev_sign_in is None else self.dev_sign_in

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        mongodb_url = env.get("MONGODB_URL") or "embedded://"
        if not mongodb_url.startswith((*EMBEDDED_URLS, "mongodb://", "mongodb+srv://")):
            raise ConfigError("MONGODB_URL must be embedded://, memory://, mongodb://… or mongodb+srv://…, "
                              f"not {redact(mongodb_url)!r}")
        broadcast_url = env.get("BROADCAST_URL") or "memory://"
        if not broadcast_url.startswith(("memory://", "redis://", "rediss://")):
            raise ConfigError(f"BROADCAST_URL must be memory:// or redis://…, not {redact(broadcast_url)!r}")
        secret = env.get("JWT_SECRET")
        if not secret:
            if not mongodb_url.startswith(EMBEDDED_URLS):
                raise ConfigError("JWT_SECRET is required with a real MongoDB "
                                  "(the dev default is for the embedded store only)")
            secret = DEV_JWT_SECRET
        if len(secret) < 32:
            raise ConfigError("JWT_SECRET must be at least 32 characters long")
        try:
            port = int(env.get("PORT", "8000"))
        except ValueError:
            raise ConfigError(f"PORT must be a number, not {env['PORT']!r}") from None
        if not 0 <= port <= 65535:
            raise ConfigError(f"PORT must be between 0 and 65535, not {port}")
        points, window = number(env, "RATE_LIMIT_POINTS", 100_000), number(env, "RATE_LIMIT_WINDOW", 60)
        if window < 1:
            raise ConfigError(f"RATE_LIMIT_WINDOW must be at least 1 second, not {window}")
        integration_requests = number(env, "INTEGRATION_RATE_LIMIT_REQUESTS", 1_200)
        origins = tuple(o.strip() for o in env.get("ALLOWED_ORIGINS", "").split(",") if o.strip())
        trusted = env.get("TRUSTED_DOCUMENTS", "").strip().lower() in {"1", "true", "yes", "on"}
        manifest = env.get("PERSISTED_QUERIES_FILE") or None
        if trusted and manifest is None:
            raise ConfigError("TRUSTED_DOCUMENTS=1 needs PERSISTED_QUERIES_FILE (the operations it may run)")
        jwks_url = env.get("JWKS_URL") or None
        if jwks_url is not None and not jwks_url.startswith(("https://", "http://127.0.0.1", "http://localhost")):
            raise ConfigError("JWKS_URL must be https:// (http:// only on the loopback interface)")
        if jwks_url is not None and not (env.get("JWT_ISSUER") and env.get("JWT_AUDIENCE")):
            raise ConfigError("JWKS_URL needs JWT_ISSUER and JWT_AUDIENCE (checked on every token)")
        algorithms = tuple(a.strip() for a in (env.get("JWT_ALGORITHMS") or "RS256,ES256").split(",") if a.strip())
        if not algorithms or not set(algorithms) <= SSO_ALGORITHMS:
            raise ConfigError(f"JWT_ALGORITHMS must name some of {', '.join(sorted(SSO_ALGORITHMS))}")
        claim = env.get("JWT_EMPLOYEE_CLAIM") or "email"
        if claim not in {"email", "sub"}:
            raise ConfigError(f"JWT_EMPLOYEE_CLAIM must be email or sub, not {claim[:20]!r}")
        dev_sign_in = switch(env, "DEV_SIGN_IN") if env.get("DEV_SIGN_IN", "").strip() else None
        sign_in_attempts = number(env, "SIGN_IN_RATE_LIMIT_ATTEMPTS", 30)
        log_format = env.get("LOG_FORMAT") or "json"
        if log_format not in {"json", "text"}:
            raise ConfigError(f"LOG_FORMAT must be json or text, not {log_format[:20]!r}")
        return cls(
            mongodb_url=mongodb_url,
            mongodb_db=env.get("MONGODB_DB") or "perfgraph",
            broadcast_url=broadcast_url,
            jwt_secret=secret,
            host=env.get("HOST") or "127.0.0.1",
            port=port,
            allowed_origins=origins,
            debug=env.get("DEBUG", "") in {"1", "true", "yes"},
            introspection=switch(env, "INTROSPECTION"),
            graphiql=switch(env, "GRAPHIQL"),
            rate_limit_points=points,
            rate_limit_window=window,
            integration_requests=integration_requests,
            worker=switch(env, "WORKER"),
            webhook_private_urls=env.get("WEBHOOK_PRIVATE_URLS", "").strip().lower() in {"1", "true", "yes", "on"},
            trusted_documents=trusted,
            persisted_queries_file=manifest,
            jwks_url=jwks_url,
            jwt_issuer=env.get("JWT_ISSUER") or None,
            jwt_audience=env.get("JWT_AUDIENCE") or None,
            jwt_algorithms=algorithms,
            jwt_employee_claim=claim,
            log_format=log_format,
            ws_compression=env.get("WS_COMPRESSION", "").strip().lower() in {"1", "true", "yes", "on"},
            dev_sign_in=dev_sign_in,
            sign_in_attempts=sign_in_attempts,
        )


def number(env: Mapping[str, str], name: str, default: int) -> int:
    """A whole number of zero or more from the environment."""
    text = env.get(name, "").strip()
    if not text:
        return default
    if not text.isdigit():
        raise ConfigError(f"{name} must be a whole number of zero or more, not {text[:20]!r}")
    return int(text)


def switch(env: Mapping[str, str], name: str) -> bool:
    """A feature on unless the variable says ``0``, ``false``, ``no`` or ``off``."""
    value = env.get(name, "").strip().lower()
    if value in {"", "1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name} must be 1 or 0 (true or false), not {value[:20]!r}")


def redact(url: str) -> str:
    """The URL without its password, fit for a log line."""
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an unbalanced "[": nothing after the scheme can be shown safely
        scheme, separator, _ = url.partition("://")
        return f"{scheme}://…" if separator else "…"
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return urlunsplit(parts._replace(netloc=netloc))
