"""Relay-style connections shared by every paginated list: one generic ``Connection`` and ``Edge``, the page
info, and the four window arguments.

``Connection[Goal]`` is the SDL type ``GoalConnection`` and its edges ``GoalEdge`` (Strawberry names a
specialised generic after its type argument); a connection with a description of its own subclasses it
(``class ExitRecordConnection(Connection[ExitRecord])``). A field declares ``first: First = 20, after:
After = None, last: Last = None, before: Before = None`` and reads the page of ``window(info, ...)``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Generic, Self, TypeVar

import strawberry
from strawberry.types import Info

from models.core.documents import Document
from models.core.pagination import MAX_PAGE, Window
from resolvers.core.context import Context
from resolvers.core.pages import Page

Item = TypeVar("Item")

First = Annotated[int | None, strawberry.argument(
    description=f"How many items from the start of the window (after `after`), at most {MAX_PAGE}; not applied "
                "when only `last` is given.")]
After = Annotated[str | None, strawberry.argument(description="A cursor: the window starts after its item.")]
Last = Annotated[int | None, strawberry.argument(
    description=f"How many items from the end of the window (before `before`), at most {MAX_PAGE}; with "
                "`first` too, the last of those first items.")]
Before = Annotated[str | None, strawberry.argument(description="A cursor: the window ends before its item.")]


@strawberry.type(description="Where a page stands in its list (Relay's page info).")
class PageInfo:
    has_next_page: bool = strawberry.field(description="More items follow the last one of this page.")
    has_previous_page: bool = strawberry.field(description="More items come before the first one of this page.")
    start_cursor: str | None = strawberry.field(description="The first item's cursor (null on an empty page).")
    end_cursor: str | None = strawberry.field(description="The last item's cursor (null on an empty page).")

    @classmethod
    def of(cls, page: Page, cursors: list[str]) -> Self:
        """The page info of ``page``, whose items shown have ``cursors``."""
        return cls(has_next_page=page.has_next_page, has_previous_page=page.has_previous_page,
                   start_cursor=cursors[0] if cursors else None, end_cursor=cursors[-1] if cursors else None)


@strawberry.type(description="One item of a page and its cursor.")
class Edge(Generic[Item]):
    cursor: str = strawberry.field(description="The item's place in the list: pass it as `after` or `before`.")
    node: Item = strawberry.field(description="The item.")


@strawberry.type(description="A page of a list in the order its field states: its items, where it stands, and "
                             "how many items the list holds in all.")
class Connection(Generic[Item]):
    edges: list[Edge[Item]] = strawberry.field(description="The page's items, in order, each with its cursor.")
    page_info: PageInfo = strawberry.field(description="Whether more items follow or precede, and the page's "
                                                       "first and last cursors.")
    total_count: int = strawberry.field(description="How many items the whole list holds (every page).")

    @classmethod
    def of(cls, page: Page, wrap: Callable[[Document], Item | None]) -> Self:
        """The connection of ``page``, each document wrapped as its schema type (one wrapped as ``None`` is
        left out)."""
        edges = [Edge(cursor=cursor, node=node) for cursor, doc in zip(page.cursors, page.documents, strict=True)
                 if (node := wrap(doc)) is not None]
        return cls(edges=edges, page_info=PageInfo.of(page, [e.cursor for e in edges]), total_count=page.total_count)


def window(info: Info[Context, Any], first: int | None, after: str | None, last: int | None,
           before: str | None) -> Window:
    """The window a field was asked for: ``first``'s default is not applied when only ``last`` was given."""
    given = {name for selected in info.selected_fields for name in selected.arguments}  # only those in the query
    if last is not None and "first" not in given:
        first = None
    return Window(first=first, after=after, last=last, before=before)
