"""Redis bus backend (``redis://`` / ``rediss://``).

One PubSub connection and one reader task per process fan messages out to local
subscribers; publishing goes through a separate client, so every process (this
one included) receives messages via the Redis round trip.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from redis.asyncio import Redis
from redis.asyncio.client import PubSub
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from .base import Bus, Message, encode, logger
from .errors import BusConnectionError

CONNECT_TIMEOUT = 2.0  # per socket connect attempt
PUBLISH_TIMEOUT = 2.0  # socket timeout for the publish client
COMMAND_TIMEOUT = 5.0  # socket timeout for commands on the PubSub connection
PING_INTERVAL = 15.0  # reader pings after this much silence; no pong next time = dead
BACKOFF_START = 0.1
BACKOFF_MAX = 2.0


def redact_url(url: str) -> str:
    """``url`` with any password replaced by ``***``."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{parts.username or ''}:***@{host}"))


class RedisBus(Bus):
    """Bus over Redis PUBLISH/SUBSCRIBE.

    ``publish`` retries once immediately on a connection error (a pooled
    connection may be stale after a Redis restart) and then raises
    ``BusConnectionError``; it never waits more than about 2 x 2 seconds.
    If the subscriber connection drops, the reader reconnects with backoff
    (0.1s doubling to 2s) and re-subscribes; local subscriptions stay open but
    messages published during the gap are lost. Entering a subscription waits
    at most ``subscribe_timeout`` for the SUBSCRIBE confirmation.
    """

    def __init__(
        self, url: str, *, queue_size: int = 256, subscribe_timeout: float = 10.0,
        sealing_secret: str | None = None,
    ) -> None:
        super().__init__(queue_size=queue_size, sealing_secret=sealing_secret)
        self.url = url
        self.subscribe_timeout = subscribe_timeout
        self._pub: Redis | None = None
        self._sub: Redis | None = None
        self._pubsub: PubSub | None = None
        self._reader: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()  # serialises commands on the PubSub connection
        self._active: set[str] = set()  # SUBSCRIBE confirmed on current connection
        self._pending: dict[str, asyncio.Future[None]] = {}  # awaiting confirmation

    def _client(self, **options: Any) -> Redis:
        return Redis.from_url(
            self.url,
            socket_connect_timeout=CONNECT_TIMEOUT,
            socket_keepalive=True,
            **options,
        )

    async def connect(self) -> None:
        """Connect and PING; raise ``BusConnectionError`` if Redis is unreachable."""
        if self._connected:
            return
        self._pub = self._client(
            socket_timeout=PUBLISH_TIMEOUT, retry=Retry(NoBackoff(), 1)
        )
        # No retries inside redis-py: the reader handles reconnects itself.
        self._sub = self._client(
            socket_timeout=COMMAND_TIMEOUT,
            retry=Retry(NoBackoff(), 0, supported_errors=()),
        )
        try:
            async with asyncio.timeout(CONNECT_TIMEOUT + 1):
                await self._pub.ping()
                await self._open_pubsub()
        except (RedisError, OSError, TimeoutError) as exc:
            await self._close_clients()
            reason = str(exc) or type(exc).__name__
            raise BusConnectionError(
                f"cannot connect to {redact_url(self.url)}: {reason}"
            ) from exc
        await super().connect()
        self._reader = asyncio.create_task(self._read_forever(), name="realtime-redis")

    async def disconnect(self) -> None:
        """Stop the reader, close connections and end all local subscriptions."""
        await super().disconnect()
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
            self._reader = None
        for fut in self._pending.values():
            fut.cancel()
        self._pending.clear()
        self._active.clear()
        await self._close_clients()

    async def publish(self, channel: str, message: Message) -> None:
        """PUBLISH the JSON-encoded message; ``BusConnectionError`` if Redis is down."""
        self._require_connected()
        assert self._pub is not None
        data = encode(message)
        try:
            await self._pub.publish(channel, data)
        except (RedisError, OSError) as exc:
            raise BusConnectionError(
                f"publish to {redact_url(self.url)} failed: {exc}"
            ) from exc

    async def ping(self) -> None:
        """PING on the publishing connection, and the subscribing one must be open (not reconnecting)."""
        await super().ping()
        assert self._pub is not None
        if self._pubsub is None:
            raise BusConnectionError(f"the subscription connection to {redact_url(self.url)} is reconnecting")
        try:
            async with asyncio.timeout(PUBLISH_TIMEOUT):
                await self._pub.ping()
        except (RedisError, OSError, TimeoutError) as exc:
            reason = str(exc) or type(exc).__name__
            raise BusConnectionError(f"ping to {redact_url(self.url)} failed: {reason}") from exc

    def stats(self) -> dict[str, int]:
        """Local channel/subscriber counts plus SUBSCRIBEs awaiting confirmation."""
        return {**super().stats(), "pending": len(self._pending)}

    # -- subscription hooks ------------------------------------------------

    async def _activate(self, channel: str, first: bool) -> None:
        fut = self._pending.get(channel)
        if fut is None:
            if not first and channel in self._active:
                return
            fut = self._pending[channel] = asyncio.get_running_loop().create_future()
            await self._command("SUBSCRIBE", channel)
        await asyncio.wait((fut,), timeout=self.subscribe_timeout)
        if not fut.done():
            raise BusConnectionError(
                f"no SUBSCRIBE confirmation for {channel!r} from "
                f"{redact_url(self.url)} within {self.subscribe_timeout}s"
            )
        if fut.cancelled():
            raise BusConnectionError(f"subscribe to {channel!r} aborted: bus closed")

    async def _deactivate(self, channel: str) -> None:
        fut = self._pending.pop(channel, None)
        if fut is not None:
            fut.cancel()
        self._active.discard(channel)
        await self._command("UNSUBSCRIBE", channel)

    async def _command(self, *args: str) -> None:
        """Send a command on the PubSub connection; failures are left to the reader."""
        async with self._lock:
            if self._pubsub is None:
                return  # reconnecting: the reader re-subscribes local channels
            try:
                await self._pubsub.execute_command(*args)
            except (RedisError, OSError) as exc:
                logger.debug("redis pubsub %s failed: %s", args[0], exc)

    # -- reader --------------------------------------------------------------

    async def _open_pubsub(self) -> None:
        """Open a PubSub connection and subscribe every locally used channel."""
        assert self._sub is not None
        pubsub = self._sub.pubsub()
        try:
            async with self._lock:
                await pubsub.connect()
                if self._channels:
                    await pubsub.execute_command("SUBSCRIBE", *self._channels)
                self._pubsub = pubsub
        except BaseException:
            await pubsub.aclose()
            raise

    async def _read_forever(self) -> None:
        while True:
            pubsub = self._pubsub
            assert pubsub is not None
            try:
                await self._read(pubsub)
            except Exception as exc:
                lost_at = asyncio.get_running_loop().time()
                logger.warning(
                    "redis pubsub connection lost: %s", str(exc) or type(exc).__name__
                )
                self.gaps += 1  # messages published from now until the reconnect are lost
                await self._drop_pubsub()
                await self._reconnect(lost_at)

    async def _read(self, pubsub: PubSub) -> None:
        awaiting_pong = False
        while True:
            msg = await pubsub.get_message(
                ignore_subscribe_messages=False, timeout=PING_INTERVAL
            )
            if msg is None:
                if awaiting_pong:
                    raise ConnectionError(f"no reply to PING within {PING_INTERVAL}s")
                async with self._lock:
                    await pubsub.ping()
                awaiting_pong = True
                continue
            awaiting_pong = False
            await self._handle(msg)

    async def _handle(self, msg: dict[str, Any]) -> None:
        kind = msg["type"]
        channel_raw = msg.get("channel")
        if channel_raw is None:
            return  # pong
        if isinstance(channel_raw, bytes):
            channel = channel_raw.decode("utf-8", "replace")
        else:
            channel = str(channel_raw)
        if kind == "message":
            if channel in self._channels:
                self._fan_out(channel, msg["data"])
            elif channel in self._active:
                # Orphaned Redis subscription (e.g. an UNSUBSCRIBE was lost).
                self._active.discard(channel)
                await self._command("UNSUBSCRIBE", channel)
        elif kind == "subscribe":
            self._active.add(channel)
            fut = self._pending.pop(channel, None)
            if fut is not None and not fut.done():
                fut.set_result(None)
        elif kind == "unsubscribe":
            self._active.discard(channel)

    async def _drop_pubsub(self) -> None:
        """Forget the broken connection; local channels wait for re-subscription."""
        pubsub, self._pubsub = self._pubsub, None
        self._active.clear()
        loop = asyncio.get_running_loop()
        for channel in self._channels:
            if channel not in self._pending:
                self._pending[channel] = loop.create_future()
        if pubsub is not None:
            async with self._lock:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()

    async def _reconnect(self, lost_at: float) -> None:
        delay = BACKOFF_START
        while True:
            await asyncio.sleep(delay)
            try:
                await self._open_pubsub()
            except Exception as exc:
                logger.debug("redis pubsub reconnect failed: %s", exc)
                delay = min(delay * 2, BACKOFF_MAX)
                continue
            self.gaps += 1  # subscribed again: a read started from now on follows every message it lost
            elapsed = asyncio.get_running_loop().time() - lost_at
            logger.warning(
                "redis pubsub reconnected after %.2fs; "
                "messages published during the gap were not delivered",
                elapsed,
            )
            return

    async def _close_clients(self) -> None:
        async with self._lock:
            pubsub, self._pubsub = self._pubsub, None
            if pubsub is not None:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()
        for client in (self._pub, self._sub):
            if client is not None:
                with contextlib.suppress(Exception):
                    await client.aclose()
        self._pub = self._sub = None
