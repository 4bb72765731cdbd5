"""One keyset pagination for every connection: a page is ordered by one sort key and the id, and its
cursor is that key and id as base64 JSON, so pages stay stable while documents are added elsewhere."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from models.core.documents import Document
from models.core.validation import cursor_too_long
from store.core.repository import Projection, TenantCollection


class BadCursor(ValueError):
    """A cursor this API did not issue."""


@dataclass(frozen=True)
class Page:
    documents: list[Document]
    total_count: int
    has_next_page: bool


def _same(value: Any) -> Any:
    return value


@dataclass(frozen=True)
class Keyset:
    """The order of a connection: ``key`` then ``_id``, both ascending or both descending.

    ``to_text`` / ``from_text`` turn the key's stored value into the cursor's text and back (dates).
    """

    key: str
    descending: bool = False
    to_text: Callable[[Any], str] = str
    from_text: Callable[[str], Any] = _same

    @property
    def sort(self) -> list[tuple[str, int]]:
        direction = -1 if self.descending else 1
        return [(self.key, direction)] if self.key == "_id" else [(self.key, direction), ("_id", direction)]

    def cursor(self, document: Document) -> str:
        return encode_cursor(self.to_text(document[self.key]), document["_id"])

    def after(self, cursor: str) -> dict[str, Any]:
        """The filter for the documents that come after ``cursor`` in this order."""
        text, id = decode_cursor(cursor)
        try:
            value = self.from_text(text)
        except ValueError as error:
            raise BadCursor(f"not a cursor this API issued: {cursor[:40]!r}") from error
        beyond = "$lt" if self.descending else "$gt"
        if self.key == "_id":
            return {"_id": {beyond: id}}
        return {"$or": [{self.key: {beyond: value}}, {self.key: value, "_id": {beyond: id}}]}


async def keyset_page(collection: TenantCollection, query: dict[str, Any], order: Keyset, first: int,
                      after: str | None, projection: Projection = None) -> Page:
    """The ``first`` documents matching ``query`` after the cursor ``after``, the total and whether more follow."""
    total = await collection.count(query)
    if after:
        query = {"$and": [query, order.after(after)]}
    documents = await collection.find(query, sort=order.sort, limit=first + 1, projection=projection)
    return Page(documents[:first], total, len(documents) > first)


def encode_cursor(sort_key: str, id: str) -> str:
    raw = json.dumps([sort_key, id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode()


def decode_cursor(cursor: str) -> tuple[str, str]:
    """(sort key, id) as :func:`encode_cursor` wrote them, or :class:`BadCursor`."""
    if cursor_too_long(cursor):
        raise BadCursor(f"not a cursor this API issued: {cursor[:40]!r}")
    try:
        value = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, binascii.Error, TypeError) as error:
        raise BadCursor(f"not a cursor this API issued: {cursor[:40]!r}") from error
    # Only [key, id]: a 2-character string or a 2-key object would unpack too.
    if not (isinstance(value, list) and len(value) == 2 and all(isinstance(v, str) for v in value)):
        raise BadCursor(f"not a cursor this API issued: {cursor[:40]!r}")
    return value[0], value[1]
