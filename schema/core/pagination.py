"""Relay-style connection pieces shared by every paginated list."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, Self

import strawberry


class Edge(Protocol):
    cursor: str


@strawberry.type(description="Where a page of a connection sits in the whole list.")
class PageInfo:
    has_next_page: bool = strawberry.field(description=(
        "Whether more items follow this page (read them with `after: endCursor`)."))
    has_previous_page: bool = strawberry.field(description=(
        "Whether items precede this page (true when it was read with `after`)."))
    start_cursor: str | None = strawberry.field(description=(
        "The cursor of the page's first item; null for an empty page."))
    end_cursor: str | None = strawberry.field(description=(
        "The cursor of the page's last item; null for an empty page."))

    @classmethod
    def of(cls, edges: Sequence[Edge], *, has_next_page: bool, after: str | None) -> Self:
        """The page info of ``edges``, a page read after the cursor ``after`` (``None``: the first page)."""
        return cls(has_next_page=has_next_page, has_previous_page=bool(after),
                   start_cursor=edges[0].cursor if edges else None, end_cursor=edges[-1].cursor if edges else None)
