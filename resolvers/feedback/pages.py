"""Newest-first connection pages (feedback lists and the praise wall), with the cursors the schema shows."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from models.core.documents import Document
from resolvers.core.context import Context, require
from resolvers.core.pages import Window, check_window, issued_cursor
from store.core.pagination import Page
from store.core.repository import TenantStore

ReadPage = Callable[[TenantStore], Awaitable[Page]]  # the organisation's store → the page asked for
Keep = Callable[[list[Document]], Awaitable[list[Document]]]


async def newest_first(context: Context, read: ReadPage, window: Window, keep: Keep | None = None) -> Page:
    """The page ``read`` gives (asked for ``window``, checked here); ``keep`` leaves out what the viewer may
    not see (the total still counts it, as the query does)."""
    me = await require(context)
    check_window(window)
    with issued_cursor():
        page = await read(me.store)
    return page if keep is None else page.keeping(await keep(page.documents))
