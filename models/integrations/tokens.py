"""Integration tokens: what an HR system, an identity provider or a learning system signs in with.

A token belongs to one organisation and one kind (SCIM, xAPI, bulk import) and opens only that kind's
HTTP endpoints. Its secret is shown once, when it is created or rotated; the store keeps a SHA-256 hash
of it (the secret has 256 random bits, so a fast hash is enough and lookups stay one indexed read).
Rotating keeps the previous secret valid for :data:`ROTATION_GRACE`, so the client can be switched over.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from models.core.errors import FieldError
from models.core.validation import check_name

SECRET_PREFIX = "pgi_"
ROTATION_GRACE = timedelta(hours=24)


class TokenKind(StrEnum):
    SCIM = "scim"
    XAPI = "xapi"
    IMPORT = "import"


def new_secret() -> str:
    """A fresh secret: the prefix (recognisable in a leaked log or repository) and 256 random bits."""
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def hint_of(secret: str) -> str:
    """What lists show of a secret: its last four characters."""
    return "…" + secret[-4:]


def check_token_name(name: str | None) -> list[FieldError]:
    return check_name(name, "name")


def accepts(token: Mapping[str, Any], digest: str, kind: TokenKind, now: datetime) -> bool:
    """Whether ``token`` (a stored document) lets a request with the secret hashed to ``digest`` in, for an
    endpoint of ``kind``: not revoked, the current secret or the previous one within its grace period."""
    if token.get("revokedAt") is not None or token.get("kind") != kind.value:
        return False
    if token.get("secretHash") == digest:
        return True
    until = token.get("previousValidUntil")
    return token.get("previousHash") == digest and until is not None and until > now
