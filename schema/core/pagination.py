"""Relay-style connection pieces shared by every paginated list."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, Self

import strawberry


class Edge(Protocol):
    cursor: str


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None

    @classmethod
    def of(cls, edges: Sequence[Edge], *, has_next_page: bool, after: str | None) -> Self:
        """The page info of ``edges``, a page read after the cursor ``after`` (``None``: the first page)."""
        return cls(has_next_page=has_next_page, has_previous_page=bool(after),
                   start_cursor=edges[0].cursor if edges else None, end_cursor=edges[-1].cursor if edges else None)
