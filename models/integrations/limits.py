"""Body sizes of the integration endpoints (their request rates: per token, on the app's rate limiter,
realtime/ratelimit.py)."""

from __future__ import annotations

SCIM_BODY_MAX = 1_000_000  # bytes: a User or a PatchOp is a few kilobytes; Groups with members more
XAPI_BODY_MAX = 1_000_000
IMPORT_BODY_MAX = 5_000_000  # a 5,000-row CSV is well under 1 MB
