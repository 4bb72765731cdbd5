"""One-time sign-in codes (development sign-in links): how a code looks, how it is kept, how long it lives.

A code stands in for a bearer token in a link (``/app/sign-in?code=…``): short-lived, single use, and kept
only as its hash, so what the store holds cannot be redeemed by whoever reads it.
"""

from __future__ import annotations

import hashlib
import re
import secrets

CODE_SECONDS = 600  # a code is redeemable for ten minutes after it is minted
CODE_BYTES = 24  # random bytes of a code (32 URL-safe characters)
CODE_PATTERN = re.compile(r"[A-Za-z0-9_-]{16,64}")  # anything else is refused before the store is asked
EMPLOYEE_ID_PATTERN = re.compile(r"[0-9a-f]{24}")  # models/core/documents.py: new_id() and stable_id()


def new_code() -> str:
    """A fresh code: URL-safe, unguessable."""
    return secrets.token_urlsafe(CODE_BYTES)


def code_hash(code: str) -> str:
    """What the store keeps of a code (and looks it up by): its SHA-256. A code is 192 random bits, so an
    unsalted hash cannot be turned back into it."""
    return hashlib.sha256(code.encode()).hexdigest()


def well_formed_code(value: object) -> bool:
    return isinstance(value, str) and CODE_PATTERN.fullmatch(value) is not None


def well_formed_employee_id(value: object) -> bool:
    return isinstance(value, str) and EMPLOYEE_ID_PATTERN.fullmatch(value) is not None
