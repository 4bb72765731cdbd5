"""Sealed parts of bus messages: what only server processes may read (a merit proposal's amounts, which budget
pushes count without reading the store) travels encrypted and authenticated (Fernet: AES-128-CBC with
HMAC-SHA256), so Redis, its logs and anyone else subscribed to it see ids and moments only. Every process of one
deployment derives the same key from the secret they share (HKDF-SHA256); a bus built without one seals with a
key of its own, which other processes cannot open — they read the store instead."""

from __future__ import annotations

import base64
import json
import os
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

INFO = b"perfgraph bus sealing v1"
MINIMUM_SECRET = 32


class Sealer:
    """Seals JSON-serialisable values into strings and opens them again."""

    def __init__(self, secret: str | bytes | None = None) -> None:
        """``secret``: at least 32 characters shared by the processes of one deployment (``None``: a key of this
        process alone)."""
        material = secret.encode() if isinstance(secret, str) else (os.urandom(32) if secret is None else secret)
        if len(material) < MINIMUM_SECRET:
            raise ValueError(f"a sealing secret needs at least {MINIMUM_SECRET} bytes")
        key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=INFO).derive(material)
        self._fernet = Fernet(base64.urlsafe_b64encode(key))

    def seal(self, value: Any) -> str:
        return self._fernet.encrypt(json.dumps(value, separators=(",", ":")).encode()).decode("ascii")

    def open(self, sealed: str) -> Any | None:
        """The value sealed, or ``None`` when ``sealed`` was not sealed with this key (or was altered)."""
        try:
            return json.loads(self._fernet.decrypt(sealed.encode("ascii")))
        except (InvalidToken, ValueError, UnicodeError):
            return None
