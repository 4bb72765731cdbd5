"""Keyset cursors shared by every connection: a cursor is the page's sort key and id, base64 JSON."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass

from models.org.rules import Document


class BadCursor(ValueError):
    """A cursor this API did not issue."""


@dataclass(frozen=True)
class Page:
    documents: list[Document]
    total_count: int
    has_next_page: bool


def encode_cursor(sort_key: str, id: str) -> str:
    raw = json.dumps([sort_key, id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode()


def decode_cursor(cursor: str) -> tuple[str, str]:
    """(sort key, id) as :func:`encode_cursor` wrote them, or :class:`BadCursor`."""
    try:
        value = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, binascii.Error, TypeError) as error:
        raise BadCursor(f"not a cursor this API issued: {cursor!r}") from error
    # Only [key, id]: a 2-character string or a 2-key object would unpack too.
    if not (isinstance(value, list) and len(value) == 2 and all(isinstance(v, str) for v in value)):
        raise BadCursor(f"not a cursor this API issued: {cursor!r}")
    return value[0], value[1]
