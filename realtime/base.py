"""Backend-independent part of the event bus: local subscriptions and fan-out."""

from __future__ import annotations

import asyncio
import json
import logging
from contextvars import ContextVar
from types import TracebackType
from typing import Any, Protocol, Self

from .errors import BusConnectionError, SubscriberOverflow
from .sealing import Sealer

Message = dict[str, Any]

logger = logging.getLogger("perfgraph.realtime")


class Watcher(Protocol):
    def entered(self, subscription: Subscription) -> None: ...

    def exited(self, subscription: Subscription) -> None: ...


# Set by a task that needs to know when the subscriptions it enters are live and how they end (the
# shared execution of a subscription group, realtime/groups.py); ``None`` elsewhere.
watching: ContextVar[Watcher | None] = ContextVar("watching", default=None)


class Subscription:
    """One local subscriber of a channel, used as ``async with`` + ``async for``.

    Messages are the decoded JSON dicts; one dict object is shared by all local
    subscribers of the channel, so treat it as read-only.
    """

    def __init__(self, bus: Bus, channel: str, queue_size: int) -> None:
        self.channel = channel
        self._bus = bus
        # None is the end-of-stream marker (messages are always dicts).
        self._queue: asyncio.Queue[Message | None] = asyncio.Queue(maxsize=queue_size)
        self._entered = False
        self._ended = False
        self._overflowed_at: int | None = None

    async def __aenter__(self) -> Self:
        if self._entered:
            raise RuntimeError("a Subscription can only be entered once")
        self._entered = True
        await self._bus._attach(self)
        if (watcher := watching.get()) is not None:
            watcher.entered(self)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if (watcher := watching.get()) is not None:
            watcher.exited(self)
        self._end()
        await self._bus._detach(self)

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> Message:
        if self._overflowed_at is not None:
            raise SubscriberOverflow(
                f"subscriber fell behind: {self._overflowed_at} messages queued"
            )
        if self._ended and self._queue.empty():
            raise StopAsyncIteration
        message = await self._queue.get()
        if message is None:
            raise StopAsyncIteration
        return message

    def take_queued(self) -> list[Message]:
        """The messages already queued, without waiting (a stream that answers a burst with one push takes
        them with the one it awaited); after the end marker the next read ends the stream."""
        taken: list[Message] = []
        while not self._queue.empty():
            message = self._queue.get_nowait()
            if message is None:
                self._ended = True
                break
            taken.append(message)
        return taken

    @property
    def overflowed(self) -> bool:
        """True once this subscriber has been dropped for falling behind."""
        return self._overflowed_at is not None

    def _offer(self, message: Message) -> None:
        """Queue a message without blocking; mark overflow if the queue is full."""
        if self._ended or self._overflowed_at is not None:
            return
        try:
            self._queue.put_nowait(message)
        except asyncio.QueueFull:
            self._overflowed_at = self._queue.qsize()
            self._drain()
            logger.warning(
                "subscriber on channel %r fell behind (%d messages queued); dropped",
                self.channel,
                self._overflowed_at,
            )

    def _end(self) -> None:
        """End the stream: a pending or later read raises StopAsyncIteration."""
        if self._ended:
            return
        self._ended = True
        if self._queue.empty():
            self._queue.put_nowait(None)  # wakes a reader blocked in get()

    def _drain(self) -> None:
        while not self._queue.empty():
            self._queue.get_nowait()


class Bus:
    """Publish/subscribe bus; backends implement connect, publish and the hooks."""

    def __init__(self, *, queue_size: int = 256, sealing_secret: str | None = None) -> None:
        if queue_size < 1:
            raise ValueError("queue_size must be >= 1")
        self.queue_size = queue_size
        # what only server processes may read, sealed inside a message (realtime/sealing.py)
        self.sealer = Sealer(sealing_secret)
        # incremented whenever messages may have been lost (a Redis subscription reconnected): what a process
        # keeps from messages alone (resolvers/compensation/ledger.py) is read again
        self.gaps = 0
        # channel -> subscriptions (dict used as an insertion-ordered set)
        self._channels: dict[str, dict[Subscription, None]] = {}
        self._connected = False

    async def connect(self) -> None:
        """Open backend connections."""
        self._connected = True

    async def disconnect(self) -> None:
        """Close backend connections and end every local subscription."""
        self._connected = False
        self._end_all()

    async def ping(self) -> None:
        """Raise ``BusConnectionError`` unless the bus can carry events now (``/ready`` asks)."""
        if not self._connected:
            raise BusConnectionError("the bus is not connected")

    async def publish(self, channel: str, message: Message) -> None:
        """Send ``message`` (a JSON-serialisable dict) to ``channel``."""
        raise NotImplementedError

    def subscribe(self, channel: str) -> Subscription:
        """Return a subscription; enter it with ``async with`` to activate it."""
        return Subscription(self, channel, self.queue_size)

    def stats(self) -> dict[str, int]:
        """Counts of channels and subscribers with local subscriptions."""
        return {
            "channels": len(self._channels),
            "subscribers": sum(len(subs) for subs in self._channels.values()),
        }

    async def __aenter__(self) -> Self:
        await self.connect()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.disconnect()

    # -- hooks for backends ------------------------------------------------

    async def _activate(self, channel: str, first: bool) -> None:
        """Make sure the backend delivers ``channel``; ``first``: new channel."""

    async def _deactivate(self, channel: str) -> None:
        """The last local subscriber of ``channel`` left."""

    # -- shared machinery --------------------------------------------------

    def _require_connected(self) -> None:
        if not self._connected:
            raise RuntimeError("bus is not connected; call connect() first")

    async def _attach(self, sub: Subscription) -> None:
        self._require_connected()
        subs = self._channels.get(sub.channel)
        first = subs is None
        if subs is None:
            subs = self._channels[sub.channel] = {}
        subs[sub] = None
        try:
            await self._activate(sub.channel, first)
        except BaseException:
            sub._end()
            await self._detach(sub)
            raise

    async def _detach(self, sub: Subscription) -> None:
        sub._drain()
        subs = self._channels.get(sub.channel)
        if subs is None or sub not in subs:
            return
        del subs[sub]
        if not subs:
            del self._channels[sub.channel]
            await self._deactivate(sub.channel)

    def _fan_out(self, channel: str, raw: str | bytes) -> None:
        """Decode one wire message and queue it for every local subscriber."""
        subs = self._channels.get(channel)
        if not subs:
            return
        try:
            message = json.loads(raw)
        except ValueError:
            logger.warning("dropping non-JSON message on channel %r", channel)
            return
        if not isinstance(message, dict):
            logger.warning("dropping non-object message on channel %r", channel)
            return
        for sub in subs:
            sub._offer(message)

    def _end_all(self) -> None:
        for subs in self._channels.values():
            for sub in subs:
                sub._end()
        self._channels.clear()


def encode(message: Message) -> str:
    """JSON-encode a message for the wire (non-JSON values via ``str``)."""
    if not isinstance(message, dict):
        raise TypeError(f"message must be a dict, not {type(message).__name__}")
    return json.dumps(message, default=str, separators=(",", ":"))
