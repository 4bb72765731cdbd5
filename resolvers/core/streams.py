"""The one subscription stream: bus messages for one subscriber, each checked again before it is sent.

Re-check policy, the same for every stream:

* before every event the subscriber's token must still be valid (its expiry is checked), and the event
  gets fresh loaders, so nested fields read the state after the write;
* the subscriber's own standing (still employed in the organisation, roles the store grants now) is
  re-read when the event names them, and otherwise when the last re-read started more than
  :data:`RECHECK_SECONDS` ago: a subscriber who leaves gets ``UNAUTHENTICATED`` instead of the next
  event within that second, and a burst of events (keystrokes on a form) costs one read, not one each;
  while events keep coming the re-read is started ahead, :data:`READ_AHEAD` of that second after the last one
  (on a grid shared by the subscribers of the process: one batched read; none once no event has come for
  :data:`ACTIVE_SECONDS`), so that an event seldom waits for the store; a stream whose first push after a quiet
  spell must not wait either (``keep_standing``: a manager's budget) goes on reading ahead while it lives, on a
  coarser grid (:data:`KEEP_GRID_SECONDS`: every such subscriber of the process shares one read per step);
* an execution shared by a group (``context.on_names`` set) re-reads none of its own: the group checks
  each member apart when an event names them (``resolvers/core/audience.py``), reading them through the
  event's loaders, beside the execution;
* then the stream's own rule decides, with the viewer as re-read, what (if anything) the event shows.

A subscriber that falls behind is dropped alone: its WebSocket is closed with 1013.

A stream may answer a burst with one push (``coalesce``): the messages already queued for the
subscriber when it takes one are merged into one message.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from collections.abc import AsyncIterator, Awaitable, Callable, Collection, Sequence
from typing import Any, TypeVar

from models.core.viewer import Viewer
from models.org.permissions import may_sign_in
from realtime import SubscriberOverflow, Subscription
from resolvers.core.context import Context
from resolvers.core.errors import Unauthenticated

log = logging.getLogger("perfgraph.subscriptions")
SLOW_SUBSCRIBER_CLOSE = 1013  # "try again later": the server dropped a subscriber that fell behind
RECHECK_SECONDS = 1.0
READ_AHEAD = 0.7  # of RECHECK_SECONDS after the last read: the subscriber's standing is read for the next event
ACTIVE_SECONDS = 3.0  # reads ahead continue this long after the last event sent
GRID_SECONDS = 0.1  # reads ahead start on this grid: the subscribers of a process due together share one read
KEEP_GRID_SECONDS = 0.5  # kept standings are read on this grid while no event comes (two batched reads a second)
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
                 also: Sequence[str] = (),
                 coalesce: Callable[[list[Message]], Message] | None = None,
                 heard: Callable[[Message], None] | None = None,
                 keep_standing: bool = False) -> AsyncIterator[Item]:
    """Each item ``events(viewer, message)`` yields for each message on ``channel`` that ``wants`` keeps
    (a cheap test on the message alone, before any read); ``names`` are the people an event concerns.
    ``on_subscribed`` runs once the bus subscription is live, before the first event (a stream that
    announces its subscriber publishes there, so it hears the answers). ``also``: other domains' public
    channels heard as well (a stream that follows their events); then every message is a copy carrying
    the channel it came by in ``"channel"``, and the stream ends when any of its subscriptions does.
    ``coalesce`` (a stream on one channel): each message taken comes with those already queued behind it, and
    ``coalesce`` makes one message of them all (in the order they came): one re-check and one push for a burst,
    no wait added. ``heard`` is handed every message taken, in order, before anything else (what a process keeps
    from a channel's messages: ``resolvers/compensation/ledger.py``). ``keep_standing``: the subscriber's standing is
    read ahead from the start and for as long as the stream lives, not only while events come (a few subscribers
    whose pushes must not wait for the store after a quiet spell; a read per :data:`KEEP_GRID_SECONDS` for all of
    them in the process)."""
    viewer = await context.authenticate()
    standing = _Standing(context, keep=keep_standing and context.on_names is None)
    try:
        async with contextlib.AsyncExitStack() as stack:
            stack.callback(standing.close)
            subscriptions = [await stack.enter_async_context(context.bus.subscribe(c)) for c in (channel, *also)]
            if on_subscribed is not None:
                await on_subscribed()
            if standing.keep:
                standing.read_ahead()
            messages: AsyncIterator[Message] = subscriptions[0]
            if also:
                merged = _merged(subscriptions)
                stack.push_async_callback(merged.aclose)  # its pumps stop before the subscriptions end
                messages = merged
            async for message in messages:
                queued = subscriptions[0].take_queued() if coalesce is not None and not also else []
                if heard is not None:
                    for taken in (message, *queued):
                        heard(taken)
                if queued:
                    assert coalesce is not None
                    message = coalesce([message, *queued])
                named = names(message)
                if context.on_names is not None:
                    # One execution serves a group: it has no one of its own to re-read, and its members are
                    # checked apart, those named through the event's fresh loaders (the execution's read of them
                    # is the same read).
                    viewer = await context.refresh()
                    await context.on_names(list(named))
                elif (about_me := viewer.employee_id in named) or wants(message):
                    viewer = await standing.refresh(about_me)
                if not wants(message):
                    continue
                if context.on_names is None:
                    standing.read_ahead()
                async for item in events(viewer, message):
                    yield item
    except SubscriberOverflow as error:
        log.warning("closing a subscriber that fell behind on %s: %s", channel.split(":", 1)[0], error)
        await close_connection(context, str(error))


class _Standing:
    """A subscriber's standing: when the one applied was read, and the reads started ahead of the next event."""

    def __init__(self, context: Context, *, keep: bool = False) -> None:
        self.context = context
        self.keep = keep  # read ahead for as long as the stream lives, not only while events come
        self.loop = asyncio.get_running_loop()
        self.known_at = context.standing_read_at  # the start of the read the viewer stands on (the sign-in's)
        self.latest: tuple[float, asyncio.Future[Any] | None] = (-math.inf, None)  # the newest read ahead
        self.read: tuple[float, asyncio.Future[Any] | None] = (-math.inf, None)  # the newest one come back
        self.sent_at = -math.inf  # the latest event sent
        self.timer: asyncio.TimerHandle | None = None
        self.closed = False

    async def refresh(self, about_me: bool) -> Viewer:
        """The viewer for an event: standing re-read when the event names them or the one applied is too old,
        taken from the newest read ahead when that one started recently enough."""
        now = self.loop.time()
        if not about_me and now - self.known_at < RECHECK_SECONDS:
            return await self.context.refresh()
        if not about_me:  # the newest read ahead that has come back, else one under way, if recent enough
            for started, read in (self.read, self.latest):
                if read is None or now - started >= RECHECK_SECONDS:
                    continue
                try:
                    standing = await asyncio.shield(read)
                except Exception:  # a read ahead that failed: read now
                    break
                if self.loop.time() - started < RECHECK_SECONDS:  # still recent enough once it came back
                    self.known_at = started
                    return await self.context.recheck(standing)
        self.known_at = self.loop.time()
        return await self.context.recheck(await self.context.read_standing())

    def read_ahead(self) -> None:
        """After an event sent: the standing is read again before it falls due, and so on while events keep
        coming (none once :data:`ACTIVE_SECONDS` pass without one). Reads fall on a grid of :data:`GRID_SECONDS`,
        so the subscribers of a process due in the same step share one read (``standing_loader``'s batch)."""
        self.sent_at = self.loop.time()
        self._arm()

    def _arm(self) -> None:
        if RECHECK_SECONDS <= 0 or self.timer is not None or self.closed:
            return
        now = self.loop.time()
        last = max(self.known_at, self.latest[0], now - RECHECK_SECONDS)  # an old one: read soon
        ahead = last + RECHECK_SECONDS * READ_AHEAD
        if self.keep and now - self.sent_at > ACTIVE_SECONDS:  # kept while idle: the coarse grid, never later
            due = math.floor(ahead / KEEP_GRID_SECONDS) * KEEP_GRID_SECONDS
            if due <= now:
                due = math.ceil(now / KEEP_GRID_SECONDS) * KEEP_GRID_SECONDS
        else:
            due = math.ceil(ahead / GRID_SECONDS) * GRID_SECONDS
        self.timer = self.loop.call_at(due, self._start)

    def _start(self) -> None:
        self.timer = None
        if not self.keep and self.loop.time() - self.sent_at > ACTIVE_SECONDS:
            return
        read = asyncio.ensure_future(self.context.read_standing())
        self.latest = started = (self.loop.time(), read)
        read.add_done_callback(lambda done: self._done(started, done))

    def _done(self, started: tuple[float, asyncio.Future[Any] | None], read: asyncio.Future[Any]) -> None:
        if read.cancelled():
            return
        if isinstance(read.exception(), Unauthenticated):  # a token gone bad: the next event refuses, reads stop
            self.keep = False
            return
        if read.exception() is None:  # retrieved: a failed read ahead is only a read on the event's path
            self.read = max(self.read, started, key=lambda pair: pair[0])
            if not may_sign_in(read.result()):  # left the organisation: the next event ends the stream
                self.keep = False
        self._arm()

    def close(self) -> None:
        self.closed = True
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        if self.latest[1] is not None:
            self.latest[1].cancel()


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
