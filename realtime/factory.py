"""Choose a bus backend from a URL."""

from __future__ import annotations

from urllib.parse import urlsplit

from .base import Bus
from .memory_bus import MemoryBus
from .redis_bus import RedisBus, redact_url


def create_bus(url: str, *, queue_size: int = 256, sealing_secret: str | None = None) -> Bus:
    """``memory://`` -> in-process bus; ``redis://`` / ``rediss://`` -> Redis bus. ``sealing_secret``: what the
    processes sharing the bus derive the key of sealed message parts from (``realtime/sealing.py``)."""
    scheme = urlsplit(url).scheme.lower()
    if scheme == "memory":
        return MemoryBus(queue_size=queue_size, sealing_secret=sealing_secret)
    if scheme in ("redis", "rediss"):
        return RedisBus(url, queue_size=queue_size, sealing_secret=sealing_secret)
    raise ValueError(
        f"unsupported bus URL {redact_url(url)!r}: "
        "expected memory://, redis:// or rediss://"
    )
