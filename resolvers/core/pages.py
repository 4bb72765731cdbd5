"""The two refusals every connection shares: a page size outside the one rule (or a window without one),
and a cursor this API did not issue, each a ``BAD_USER_INPUT`` error."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from models.core.pagination import Window, page_size_error, window_error
from resolvers.core.errors import BadUserInput
from store.core.pagination import BadCursor, Page

__all__ = ["Page", "Window", "check_page_size", "check_window", "issued_cursor"]


def check_page_size(first: int) -> None:
    """:class:`BadUserInput` unless ``first`` is a page size the rule allows (a plain list's ``first``)."""
    if error := page_size_error(first):
        raise BadUserInput(error)


def check_window(window: Window) -> None:
    """:class:`BadUserInput` unless ``window``'s ``first`` and ``last`` are page sizes the rule allows."""
    if error := window_error(window):
        raise BadUserInput(error)


@contextmanager
def issued_cursor() -> Iterator[None]:
    """Around a page read: a cursor the API did not issue is the client's mistake, not an internal error."""
    try:
        yield
    except BadCursor as error:
        raise BadUserInput(str(error)) from None
