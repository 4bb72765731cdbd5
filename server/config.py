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
    # the delivery worker and the reminder scheduler in the server process (off: `python -m server worker`)
    worker: bool = True
    webhook_private_urls: bool = False  # development only: webhooks to loopback and private addresses

    @property
    def embedded_store(self) -> bool:
        return self.mongodb_url.startswith(EMBEDDED_URLS)

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
        origins = tuple(o.strip() for o in env.get("ALLOWED_ORIGINS", "").split(",") if o.strip())
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
            worker=switch(env, "WORKER"),
            webhook_private_urls=env.get("WEBHOOK_PRIVATE_URLS", "").strip().lower() in {"1", "true", "yes", "on"},
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
