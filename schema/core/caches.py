"""The parsed and validated documents kept between requests, bounded in entries and in characters.

Strawberry's ``ParserCache`` and ``ValidationCache`` bound only the number of entries, so a client
sending distinct texts near the size limit keeps megabytes alive per entry (twelve 5 MB queries added
about 145 MB). Here one cache keeps, per query text, its parsed document and its validation errors:

* texts longer than :data:`MAX_ENTRY_CHARS` are parsed and validated every time, never kept (a
  client's own queries are short; only padding makes them long);
* at most :data:`MAX_ENTRIES` texts and :data:`MAX_CHARS` characters of text in all, the least recently
  used dropped first (a document's memory grows with its text).

The same text always gets the same document object, which other per-document memos key on
(schema/core/cost.py).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from graphql import DocumentNode, GraphQLError
from strawberry.extensions import SchemaExtension

MAX_ENTRIES = 512
MAX_CHARS = 4_000_000
MAX_ENTRY_CHARS = 20_000


Key = tuple[str, tuple[Any, ...]]  # the query text and the parser's options


def document_key(query: str, parse_options: dict[str, Any]) -> Key:
    return query, tuple(sorted(parse_options.items()))


@dataclass
class Entry:
    document: DocumentNode
    rules: tuple[Any, ...] | None = None  # the rules the errors below were found with
    errors: list[GraphQLError] | None = None
    # what else is worked out once per document and kept with it: a subscription's plan per schema and
    # operation name (schema/core/selection.py)
    plans: dict[tuple[Any, str | None], Any] = field(default_factory=dict)


@dataclass
class DocumentCache:
    """Least recently used first out; counts its hits and misses (tests, metrics)."""

    max_entries: int = MAX_ENTRIES
    max_chars: int = MAX_CHARS
    max_entry_chars: int = MAX_ENTRY_CHARS
    entries: OrderedDict[Key, Entry] = field(default_factory=OrderedDict)
    chars: int = 0
    hits: int = 0
    misses: int = 0

    def get(self, key: Key) -> Entry | None:
        entry = self.entries.get(key)
        if entry is None:
            self.misses += 1
            return None
        self.hits += 1
        self.entries.move_to_end(key)
        return entry

    def put(self, key: Key, document: DocumentNode) -> Entry | None:
        size = len(key[0])
        if size > self.max_entry_chars or key in self.entries:
            return self.entries.get(key)
        while self.entries and (len(self.entries) >= self.max_entries or self.chars + size > self.max_chars):
            old, _ = self.entries.popitem(last=False)
            self.chars -= len(old[0])
        entry = self.entries[key] = Entry(document)
        self.chars += size
        return entry

    def clear(self) -> None:
        self.entries.clear()
        self.chars = self.hits = self.misses = 0


DOCUMENTS = DocumentCache()


class CachedDocuments(SchemaExtension):
    """Parse and validate each query text once while it stays in :data:`DOCUMENTS`."""

    def __init__(self, cache: DocumentCache = DOCUMENTS) -> None:
        super().__init__()
        self.cache = cache
        self.entry: Entry | None = None

    def _key(self) -> Key:
        context = self.execution_context
        return document_key(context.query or "", context.parse_options)

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        key = self._key() if context.query else None
        self.entry = self.cache.get(key) if key is not None else None
        if self.entry is not None:
            context.graphql_document = self.entry.document
        yield
        if self.entry is None and key is not None and context.graphql_document is not None:
            self.entry = self.cache.put(key, context.graphql_document)

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        rules = tuple(context.validation_rules)
        entry = self.entry
        if entry is not None and entry.document is context.graphql_document and entry.rules == rules:
            context.pre_execution_errors = entry.errors
        yield
        if entry is not None and entry.document is context.graphql_document and entry.rules != rules:
            entry.rules, entry.errors = rules, context.pre_execution_errors
