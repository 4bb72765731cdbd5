"""The two refusals every connection shares: a page size outside the one rule, and a cursor this API did
not issue, each a ``BAD_USER_INPUT`` error."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from models.core.pagination import page_size_error
from resolvers.core.errors import BadUserInput
from store.core.pagination import BadCursor


def check_page_size(first: int) -> None:
    """:class:`BadUserInput` unless ``first`` is a page size the rule allows."""
    if error := page_size_error(first):
        raise BadUserInput(error)


@contextmanager
def issued_cursor() -> Iterator[None]:
    """Around a page read: a cursor the API did not issue is the client's mistake, not an internal error."""
    try:
        yield
    except BadCursor as error:
        raise BadUserInput(str(error)) from None
