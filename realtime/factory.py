"""Choose a bus backend from a URL."""

from __future__ import annotations

from urllib.parse import urlsplit

from .base import Bus
from .memory_bus import MemoryBus
from .redis_bus import RedisBus, redact_url


def create_bus(url: str, *, queue_size: int = 256) -> Bus:
    """``memory://`` -> in-process bus; ``redis://`` / ``rediss://`` -> Redis bus."""
    scheme = urlsplit(url).scheme.lower()
    if scheme == "memory":
        return MemoryBus(queue_size=queue_size)
    if scheme in ("redis", "rediss"):
        return RedisBus(url, queue_size=queue_size)
    raise ValueError(
        f"unsupported bus URL {redact_url(url)!r}: "
        "expected memory://, redis:// or rediss://"
    )
