"""Per-token request rates for the integration endpoints: a token bucket per integration token."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field

SCIM_BODY_MAX = 1_000_000  # bytes: a User or a PatchOp is a few kilobytes; Groups with members more
XAPI_BODY_MAX = 1_000_000
IMPORT_BODY_MAX = 5_000_000  # a 5,000-row CSV is well under 1 MB


@dataclass
class Bucket:
    tokens: float
    at: float


@dataclass
class RateLimiter:
    """``rate`` requests a second on average per token, bursts of ``burst``; at most ``keep`` tokens tracked
    (the least recently seen forgotten first). One per process: each server process counts on its own."""

    rate: float = 20.0
    burst: float = 200.0
    keep: int = 10_000
    buckets: OrderedDict[str, Bucket] = field(default_factory=OrderedDict)

    def take(self, key: str, now: float) -> float:
        """0 when a request of ``key`` may go ahead now (and counts it), else the seconds to wait."""
        bucket = self.buckets.pop(key, None) or Bucket(self.burst, now)
        bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.at) * self.rate)
        bucket.at = now
        self.buckets[key] = bucket
        while len(self.buckets) > self.keep:
            self.buckets.popitem(last=False)
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return 0.0
        return (1 - bucket.tokens) / self.rate if self.rate > 0 else 60.0
