"""Persisted queries: Apollo's Automatic Persisted Queries, and trusted documents for production clients.

APQ (https://www.apollographql.com/docs/apollo-server/performance/apq): a client sends
``extensions.persistedQuery = {version: 1, sha256Hash}`` without the query; an unknown hash answers the
GraphQL error ``PERSISTED_QUERY_NOT_FOUND`` and the client sends the query with the hash once, which
registers it (after checking the hash) for every later request, GET included. Registered texts live in
Redis when ``BROADCAST_URL`` is ``redis://`` (shared by every process) and in process otherwise; both are
bounded in entries, and each text in bytes (:data:`MAX_QUERY_CHARS`), so their total is bounded too.

Trusted documents (``TRUSTED_DOCUMENTS=1``): only the operations of a manifest file
(``PERSISTED_QUERIES_FILE``, Apollo's ``persisted-query-manifest.json``) run, whether sent by hash or as
text; nothing can be registered.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections import OrderedDict
from pathlib import Path
from typing import Any, Protocol

from redis.asyncio import Redis
from redis.exceptions import RedisError

from server.config import ConfigError
from server.requests import MAX_QUERY_CHARS, Refused

NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"
NOT_IN_LIST = "QUERY_NOT_IN_SAFELIST"
MAX_ENTRIES = 5_000
MAX_BYTES = 20_000_000  # the in-process store: at most this many bytes of query text in all
REDIS_PREFIX = "perfgraph:apq:"
REDIS_TTL_SECONDS = 7 * 24 * 3600
SHA256 = re.compile(r"[0-9a-f]{64}")


class NotFound(Exception):
    """An APQ hash with no registered text: the client should send the query with it."""


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class Store(Protocol):
    async def get(self, digest: str) -> str | None: ...

    async def put(self, digest: str, text: str) -> None: ...

    async def close(self) -> None: ...


class MemoryStore:
    """Least recently used texts, at most ``max_entries`` of them and ``max_bytes`` in all."""

    def __init__(self, max_entries: int = MAX_ENTRIES, max_bytes: int = MAX_BYTES) -> None:
        self.max_entries, self.max_bytes = max_entries, max_bytes
        self.texts: OrderedDict[str, str] = OrderedDict()
        self.bytes = 0

    async def get(self, digest: str) -> str | None:
        text = self.texts.get(digest)
        if text is not None:
            self.texts.move_to_end(digest)
        return text

    async def put(self, digest: str, text: str) -> None:
        if digest in self.texts:
            self.texts.move_to_end(digest)
            return
        self.texts[digest] = text
        self.bytes += len(text.encode("utf-8"))
        while len(self.texts) > self.max_entries or self.bytes > self.max_bytes:
            _, dropped = self.texts.popitem(last=False)
            self.bytes -= len(dropped.encode("utf-8"))

    async def close(self) -> None:
        self.texts.clear()


class RedisStore:
    """Texts shared by every process: one key each (expiring), and a sorted set of when each was last
    registered, trimmed to ``max_entries`` (the oldest go first)."""

    def __init__(self, url: str, max_entries: int = MAX_ENTRIES) -> None:
        self.redis = Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
        self.max_entries = max_entries

    async def get(self, digest: str) -> str | None:
        try:
            value = await self.redis.get(REDIS_PREFIX + digest)
        except (RedisError, OSError):
            return None  # the client sends the text again: the request still works without the cache
        return value.decode("utf-8") if value is not None else None

    async def put(self, digest: str, text: str) -> None:
        index = REDIS_PREFIX + "index"
        try:
            async with self.redis.pipeline(transaction=True) as pipe:
                pipe.set(REDIS_PREFIX + digest, text, ex=REDIS_TTL_SECONDS)
                pipe.zadd(index, {digest: time.time()})
                pipe.zcard(index)
                *_, count = await pipe.execute()
            if count > self.max_entries:
                oldest = await self.redis.zpopmin(index, count - self.max_entries)
                if oldest:
                    await self.redis.delete(*(REDIS_PREFIX + d.decode() for d, _ in oldest))
        except (RedisError, OSError):
            return  # not registered: the next request by hash answers PERSISTED_QUERY_NOT_FOUND again

    async def close(self) -> None:
        await self.redis.aclose()


def load_manifest(path: str) -> dict[str, str]:
    """The operations of an Apollo persisted-query manifest, by the SHA-256 of their text (checked)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        operations = data["operations"]
        documents = {op["id"]: op["body"] for op in operations}
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise ConfigError(f"PERSISTED_QUERIES_FILE {path!r} is not a persisted-query manifest ({error})") from None
    for digest, body in documents.items():
        if not isinstance(body, str) or sha256(body) != digest:
            raise ConfigError(f"PERSISTED_QUERIES_FILE: the id {str(digest)[:16]}… is not the SHA-256 of its body")
    return documents


class PersistedQueries:
    """Turns a request's ``extensions.persistedQuery`` into its query text, or refuses it."""

    def __init__(self, store: Store, trusted: dict[str, str] | None = None,
                 preloaded: dict[str, str] | None = None) -> None:
        self.store = store
        self.trusted = trusted  # None: APQ, anyone may register; a dict: only these documents run
        self.preloaded = preloaded or {}  # APQ with a manifest: its operations are known from the start

    @classmethod
    def from_settings(cls, broadcast_url: str, trusted_documents: bool, manifest: str | None) -> PersistedQueries:
        documents = load_manifest(manifest) if manifest else None
        if trusted_documents:
            return cls(MemoryStore(), documents)
        store: Store = RedisStore(broadcast_url) if broadcast_url.startswith(("redis://", "rediss://")) \
            else MemoryStore()
        return cls(store, preloaded=documents)

    async def resolve(self, payload: dict[str, Any]) -> dict[str, Any]:
        """The payload with its ``query`` filled in from the hash; :class:`NotFound` or :class:`Refused`."""
        query = payload.get("query")
        extensions = payload.get("extensions")
        persisted = extensions.get("persistedQuery") if isinstance(extensions, dict) else None
        if persisted is None:
            if self.trusted is not None and isinstance(query, str) and sha256(query) not in self.trusted:
                raise Refused(400, NOT_IN_LIST, "only registered operations run on this server")
            return payload
        if not isinstance(persisted, dict) or persisted.get("version") != 1:
            raise Refused(400, "PERSISTED_QUERY_NOT_SUPPORTED", "persistedQuery must be {version: 1, sha256Hash}")
        digest = persisted.get("sha256Hash")
        if not isinstance(digest, str) or not SHA256.fullmatch(digest):
            raise Refused(400, "BAD_REQUEST", "persistedQuery.sha256Hash must be 64 lowercase hex digits")
        if isinstance(query, str) and query:
            if sha256(query) != digest:
                raise Refused(400, "PERSISTED_QUERY_HASH_MISMATCH", "the sha256Hash is not the SHA-256 of the query")
            if self.trusted is not None:
                if digest not in self.trusted:
                    raise Refused(400, NOT_IN_LIST, "only registered operations run on this server")
            elif len(query) <= MAX_QUERY_CHARS:
                await self.store.put(digest, query)
            return payload
        text = await self.lookup(digest)
        if text is None:
            raise NotFound(digest)
        return {**payload, "query": text}

    async def lookup(self, digest: str) -> str | None:
        if self.trusted is not None:
            return self.trusted.get(digest)
        return self.preloaded.get(digest) or await self.store.get(digest)

    def allows(self, query: str | None) -> bool:
        """May this text run over a WebSocket? (trusted documents only, when that mode is on)."""
        return self.trusted is None or (isinstance(query, str) and sha256(query) in self.trusted)


def not_found_body() -> dict[str, Any]:
    """What Apollo Client's persisted-query link looks for (message and code) to send the query text."""
    return {"errors": [{"message": "PersistedQueryNotFound", "extensions": {"code": NOT_FOUND}}]}
