"""One page of a notifications-domain connection, with each document's cursor."""

from __future__ import annotations

from dataclasses import dataclass

from models.core.documents import Document
from store.core.pagination import Keyset, Page


@dataclass(frozen=True)
class Listing:
    documents: list[Document]
    cursors: list[str]
    total_count: int
    has_next_page: bool

    @classmethod
    def of(cls, page: Page, order: Keyset) -> Listing:
        return cls(page.documents, [order.cursor(d) for d in page.documents], page.total_count, page.has_next_page)
