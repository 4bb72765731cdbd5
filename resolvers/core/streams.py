"""The one subscription stream: bus messages for one subscriber, each checked again before it is sent.

Re-check policy, the same for every stream:

* before every event the subscriber's token must still be valid (its expiry is checked), and the event
  gets fresh loaders, so nested fields read the state after the write;
* the subscriber's own standing (still employed in the organisation, roles the store grants now) is
  re-read when the event names them, and otherwise when the last re-read is more than
  :data:`RECHECK_SECONDS` old: a subscriber who leaves gets ``UNAUTHENTICATED`` instead of the next
  event within that second, and a burst of events (keystrokes on a form) costs one read, not one each;
* an execution shared by a group (``context.on_names`` set) re-reads none of its own: the group checks
  each member apart when an event names them (``resolvers/core/audience.py``);
* then the stream's own rule decides, with the viewer as re-read, what (if anything) the event shows.

A subscriber that falls behind is dropped alone: its WebSocket is closed with 1013.

A stream whose subscribers all read the same documents for an event (before their own rules pick what each may
see) reads them once per event and process: :func:`read_once_per_event`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import weakref
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable, Collection, Hashable, Sequence
from typing import Any, TypeVar

from models.core.viewer import Viewer
from realtime import Bus, SubscriberOverflow, Subscription
from resolvers.core.context import Context

log = logging.getLogger("perfgraph.subscriptions")
SLOW_SUBSCRIBER_CLOSE = 1013  # "try again later": the server dropped a subscriber that fell behind
RECHECK_SECONDS = 1.0
Item = TypeVar("Item")
Message = dict[str, Any]
_END = object()


def _nobody(message: Message) -> Collection[str]:
    return ()


def _always(message: Message) -> bool:
    return True


async def stream(context: Context, channel: str,
                 events: Callable[[Viewer, Message], AsyncIterator[Item]], *,
                 wants: Callable[[Message], bool] = _always,
                 names: Callable[[Message], Collection[str]] = _nobody,
                 on_subscribed: Callable[[], Awaitable[None]] | None = None,
                 also: Sequence[str] = ()) -> AsyncIterator[Item]:
    """Each item ``events(viewer, message)`` yields for each message on ``channel`` that ``wants`` keeps
    (a cheap test on the message alone, before any read); ``names`` are the people an event concerns.
    ``on_subscribed`` runs once the bus subscription is live, before the first event (a stream that
    announces its subscriber publishes there, so it hears the answers). ``also``: other domains' public
    channels heard as well (a stream that follows their events); then every message is a copy carrying
    the channel it came by in ``"channel"``, and the stream ends when any of its subscriptions does."""
    viewer = await context.authenticate()
    checked_at = time.monotonic()
    try:
        async with contextlib.AsyncExitStack() as stack:
            subscriptions = [await stack.enter_async_context(context.bus.subscribe(c)) for c in (channel, *also)]
            if on_subscribed is not None:
                await on_subscribed()
            messages: AsyncIterator[Message] = subscriptions[0]
            if also:
                merged = _merged(subscriptions)
                stack.push_async_callback(merged.aclose)  # its pumps stop before the subscriptions end
                messages = merged
            async for message in messages:
                named = names(message)
                if context.on_names is not None:  # one execution serves a group: its members are checked apart
                    await context.on_names(list(named))
                about_me = viewer.employee_id in named
                if not about_me and not wants(message):
                    continue
                # A group's execution runs as nobody in particular: there is no one of its own to re-read.
                recheck = context.on_names is None and (about_me or time.monotonic() - checked_at >= RECHECK_SECONDS)
                viewer = await context.refresh(recheck=recheck)
                if recheck:
                    checked_at = time.monotonic()
                if not wants(message):
                    continue
                async for item in events(viewer, message):
                    yield item
    except SubscriberOverflow as error:
        log.warning("closing a subscriber that fell behind on %s: %s", channel.split(":", 1)[0], error)
        await close_connection(context, str(error))


SHARED_READS_KEPT = 256  # events whose read is kept for the subscribers of a process still to handle them


class _SharedReads:
    """One process's reads shared by event (see :func:`read_once_per_event`), the newest kept."""

    def __init__(self) -> None:
        self.reads: OrderedDict[Hashable, asyncio.Future[Any]] = OrderedDict()


_shared: weakref.WeakKeyDictionary[Bus, _SharedReads] = weakref.WeakKeyDictionary()


async def read_once_per_event(context: Context, key: Hashable, read: Callable[[], Awaitable[Item]]) -> Item:
    """What ``read()`` returns, read once for every subscriber of this process handling the same event: ``key``
    names the event (its channel and an id the event carries) and the read (the same for whoever asks, before
    any viewer's rule: each subscriber then decides apart what it may see of it). The first subscriber to handle
    the event starts the read; the others wait for it. Only the latest :data:`SHARED_READS_KEPT` events are kept:
    a subscriber far behind reads again (correct, one read more). A read that fails is not kept."""
    reads = _shared.setdefault(context.bus, _SharedReads()).reads
    found = reads.get(key)
    if found is None:
        found = reads[key] = asyncio.ensure_future(read())
        while len(reads) > SHARED_READS_KEPT:
            reads.popitem(last=False)
    try:
        return await asyncio.shield(found)  # one subscriber leaving does not cancel the others' read
    except Exception:
        if reads.get(key) is found:
            del reads[key]
        raise


async def _merged(subscriptions: Sequence[Subscription]) -> AsyncIterator[Message]:
    """The messages of several subscriptions as they come, each a copy naming its ``channel``; ends when one
    of them ends, and raises what one of them raises (a subscriber that fell behind)."""
    queue: asyncio.Queue[Message | BaseException | None] = asyncio.Queue()

    async def pump(subscription: Subscription) -> None:
        try:
            async for message in subscription:
                queue.put_nowait({**message, "channel": subscription.channel})
        except Exception as error:  # handed to the reader, which raises it
            queue.put_nowait(error)
        queue.put_nowait(None)

    pumps = [asyncio.create_task(pump(s)) for s in subscriptions]
    try:
        while (item := await queue.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        for task in pumps:
            task.cancel()
        await asyncio.gather(*pumps, return_exceptions=True)


async def close_connection(context: Context, reason: str) -> None:
    websocket = context.request
    if websocket is not None and hasattr(websocket, "close"):
        try:
            await websocket.close(code=SLOW_SUBSCRIBER_CLOSE, reason=reason[:120])
        except RuntimeError:  # already closed by the other side
            pass


async def coalesced(items: AsyncIterator[Item], seconds: float) -> AsyncIterator[list[Item]]:
    """``items`` in bursts: the first item that comes and every other that comes within ``seconds`` of it, as
    one list (a stream that answers a burst of events with one read). ``items`` is read by a task beside, so
    a burst waits here, not on the bus subscription; what ``items`` raises is raised here once the items
    before it are through, and closing this closes ``items``."""
    buffer: list[Any] = []
    arrived = asyncio.Event()

    async def pump() -> None:
        try:
            async for item in items:
                buffer.append(item)
                arrived.set()
        except Exception as error:  # handed to the reader, which raises it
            buffer.append(error)
        buffer.append(_END)
        arrived.set()

    task = asyncio.create_task(pump())
    try:
        while True:
            await arrived.wait()
            if buffer[0] is not _END and not isinstance(buffer[0], Exception):
                await asyncio.sleep(seconds)
            arrived.clear()
            taken = [buffer.pop(0) for _ in range(len(buffer))]
            burst = [t for t in taken if t is not _END and not isinstance(t, Exception)]
            if burst:
                yield burst
            for t in taken:
                if isinstance(t, Exception):
                    raise t
            if _END in taken:
                return
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
