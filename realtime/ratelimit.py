"""Rate limits in cost points per window: in process (``memory://``) or shared by every process in Redis.

Each caller (a person, or an address for requests without a valid token) may spend ``points`` per
window of ``window`` seconds; a request's points are its query cost (at least one). Windows are fixed
and aligned on the clock, so every process agrees on them: Redis keeps one counter per caller and
window (``INCRBY`` and an expiry in one transaction), the in-process limiter a dictionary of the
current window's counters.

If Redis cannot be reached the request is let through and the failure logged: the limit protects the
service, and refusing everyone because Redis is down would be the outage it guards against.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from redis.asyncio import Redis
from redis.exceptions import RedisError

log = logging.getLogger("perfgraph.ratelimit")
CONNECT_TIMEOUT = 1.0
COMMAND_TIMEOUT = 1.0
MAX_CALLERS = 100_000  # in process: counters kept in one window, at most (beyond it, the oldest go)


@dataclass(frozen=True)
class Allowance:
    """The answer for one request: let through or not, the points left in the window, and when it
    resets (seconds)."""

    allowed: bool
    limit: int
    remaining: int
    reset_seconds: int


class RateLimiter(Protocol):
    points: int
    window: int

    async def spend(self, caller: str, points: int) -> Allowance: ...

    async def close(self) -> None: ...


class _Window:
    def __init__(self, points: int, window: int, clock: Callable[[], float]) -> None:
        if points < 1 or window < 1:
            raise ValueError("a rate limit needs at least one point and one second")
        self.points, self.window, self.clock = points, window, clock

    def current(self) -> tuple[int, int]:
        """The current window's number and the seconds left in it."""
        now = self.clock()
        number = int(now // self.window)
        return number, max(1, math.ceil((number + 1) * self.window - now))

    def answer(self, spent: int, reset: int) -> Allowance:
        return Allowance(spent <= self.points, self.points, max(0, self.points - spent), reset)


class MemoryRateLimiter(_Window):
    """One process's counters (tests, ``memory://``)."""

    def __init__(self, points: int, window: int, clock: Callable[[], float] = time.time) -> None:
        super().__init__(points, window, clock)
        self.window_number = -1
        self.spent: dict[str, int] = {}

    async def spend(self, caller: str, points: int) -> Allowance:
        number, reset = self.current()
        if number != self.window_number:
            self.window_number, self.spent = number, {}
        if caller not in self.spent and len(self.spent) >= MAX_CALLERS:
            self.spent.pop(next(iter(self.spent)))
        spent = self.spent[caller] = self.spent.get(caller, 0) + max(1, points)
        return self.answer(spent, reset)

    async def close(self) -> None:
        self.spent = {}


class RedisRateLimiter(_Window):
    """Counters in Redis, shared by every server process using the same URL and prefix."""

    def __init__(self, url: str, points: int, window: int, *, prefix: str = "perfgraph:rate",
                 clock: Callable[[], float] = time.time) -> None:
        super().__init__(points, window, clock)
        self.prefix = prefix
        self.redis = Redis.from_url(url, socket_connect_timeout=CONNECT_TIMEOUT, socket_timeout=COMMAND_TIMEOUT)

    async def spend(self, caller: str, points: int) -> Allowance:
        number, reset = self.current()
        key = f"{self.prefix}:{number}:{caller}"
        try:
            async with self.redis.pipeline(transaction=True) as pipe:
                pipe.incrby(key, max(1, points))
                pipe.expire(key, reset + 1)
                spent, _ = await pipe.execute()
        except (RedisError, OSError) as error:
            log.warning("rate limit not checked: Redis did not answer (%s)", type(error).__name__)
            return Allowance(True, self.points, self.points, reset)
        return self.answer(int(spent), reset)

    async def close(self) -> None:
        await self.redis.aclose()


def create_rate_limiter(url: str, points: int, window: int, *, prefix: str = "perfgraph:rate") -> RateLimiter:
    """``redis://`` / ``rediss://``: shared in Redis; anything else (``memory://``): in this process."""
    if url.startswith(("redis://", "rediss://")):
        return RedisRateLimiter(url, points, window, prefix=prefix)
    return MemoryRateLimiter(points, window)
