"""Stored documents and their ids."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

Document = dict[str, Any]


def new_id() -> str:
    """A random 24-hex-digit id: unlike an ObjectId it carries no creation time."""
    return secrets.token_hex(12)


def stable_id(label: str) -> str:
    """A deterministic id for seeded documents, shaped like :func:`new_id`."""
    return hashlib.sha256(label.encode()).hexdigest()[:24]
