"""One keyset pagination for every connection: a page is ordered by one sort key and the id, and its
cursor is that key and id as base64 JSON, so pages stay stable while documents are added elsewhere.

A window reads forward (``first`` after ``after``) or, given only ``last``, backward (``last`` before
``before``: the order reversed, ``last + 1`` read to know whether more come before, turned back); both
sizes: the ``last`` of the ``first``, as the Relay specification applies them."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from models.core.documents import Document
from models.core.pagination import Window
from models.core.validation import cursor_too_long
from store.core.repository import Projection, TenantCollection


class BadCursor(ValueError):
    """A cursor this API did not issue."""


@dataclass(frozen=True)
class Page:
    """One page: its documents in order, each one's cursor, the total matching and whether more follow
    (after the last one) or precede (before the first one)."""

    documents: list[Document]
    total_count: int
    has_next_page: bool
    has_previous_page: bool = False
    cursors: list[str] = field(default_factory=list)

    def keeping(self, documents: list[Document]) -> Page:
        """The page with only ``documents`` (of its own, e.g. those the viewer may see) and their cursors."""
        kept = {id(d) for d in documents}
        pairs = [(d, c) for d, c in zip(self.documents, self.cursors, strict=True) if id(d) in kept]
        return replace(self, documents=[d for d, _ in pairs], cursors=[c for _, c in pairs])


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
        return self._sort(self.descending)

    @property
    def reversed_sort(self) -> list[tuple[str, int]]:
        return self._sort(not self.descending)

    def _sort(self, descending: bool) -> list[tuple[str, int]]:
        direction = -1 if descending else 1
        return [(self.key, direction)] if self.key == "_id" else [(self.key, direction), ("_id", direction)]

    def cursor(self, document: Document) -> str:
        return encode_cursor(self.to_text(document[self.key]), document["_id"])

    def after(self, cursor: str) -> dict[str, Any]:
        """The filter for the documents that come after ``cursor`` in this order."""
        return self._beyond(cursor, "$lt" if self.descending else "$gt")

    def before(self, cursor: str) -> dict[str, Any]:
        """The filter for the documents that come before ``cursor`` in this order."""
        return self._beyond(cursor, "$gt" if self.descending else "$lt")

    def _beyond(self, cursor: str, beyond: str) -> dict[str, Any]:
        text, id = decode_cursor(cursor)
        try:
            value = self.from_text(text)
        except ValueError as error:
            raise BadCursor(f"not a cursor this API issued: {cursor[:40]!r}") from error
        if self.key == "_id":
            return {"_id": {beyond: id}}
        return {"$or": [{self.key: {beyond: value}}, {self.key: value, "_id": {beyond: id}}]}


async def keyset_page(collection: TenantCollection, query: dict[str, Any], order: Keyset, window: Window,
                      projection: Projection = None) -> Page:
    """The documents of ``window`` among those matching ``query``, in ``order``; the total matching and
    whether more follow or precede (Relay: with ``last`` only, more follow when ``before`` was given;
    with ``first``, more precede when ``after`` was)."""
    total = await collection.count(query)
    bounds = [order.after(window.after)] if window.after else []
    bounds += [order.before(window.before)] if window.before else []
    if bounds:
        query = {"$and": [query, *bounds]}
    if window.backward:
        last = window.last or 0
        found = await collection.find(query, sort=order.reversed_sort, limit=last + 1, projection=projection)
        documents = found[:last][::-1]
        return _page(order, documents, total, has_next=bool(window.before), has_previous=len(found) > last)
    first = window.first or 0
    found = await collection.find(query, sort=order.sort, limit=first + 1, projection=projection)
    documents, has_previous = found[:first], bool(window.after)
    if window.last is not None and len(documents) > window.last:
        documents, has_previous = documents[len(documents) - window.last:], True
    return _page(order, documents, total, has_next=len(found) > first, has_previous=has_previous)


def _page(order: Keyset, documents: list[Document], total: int, *, has_next: bool, has_previous: bool) -> Page:
    return Page(documents, total, has_next, has_previous, [order.cursor(d) for d in documents])


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
