"""Newest-first connection pages (feedback lists and the praise wall), with the cursors the schema shows."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from models.core.documents import Document
from resolvers.core.context import Context, require
from resolvers.core.pages import check_page_size, issued_cursor
from store.core.pagination import Page
from store.core.repository import TenantStore
from store.feedback.repository import NEWEST_FIRST

ReadPage = Callable[[TenantStore], Awaitable[Page]]  # the organisation's store → the page asked for
Keep = Callable[[list[Document]], Awaitable[list[Document]]]


@dataclass(frozen=True)
class Listing:
    """One page of a connection: its documents, each one's cursor, the total and whether more follow."""

    documents: list[Document]
    cursors: list[str]
    total_count: int
    has_next_page: bool


async def newest_first(context: Context, read: ReadPage, first: int, after: str | None,
                       keep: Keep | None = None) -> Listing:
    """The page ``read`` gives (asked for ``first`` items after the cursor ``after``, both checked here);
    ``keep`` leaves out what the viewer may not see (the total still counts it, as the query does)."""
    me = await require(context)
    check_page_size(first)
    with issued_cursor():
        page = await read(me.store)
    documents = page.documents if keep is None else await keep(page.documents)
    return Listing(documents, [NEWEST_FIRST.cursor(d) for d in documents], page.total_count, page.has_next_page)
