"""Grouped subscriptions: one execution per event for every subscriber with the same view of it.

Subscribers whose operation (document, operation name, variables) and audience are equal share a
:class:`Group`. The group runs the subscription once, with a context that stands for its whole
audience, serialises each result once and hands that text to every member (Hasura's "multiplexed"
subscriptions). A member is the async generator a WebSocket handler iterates as if it were its own
subscription. A member whose handler gave an :class:`Outlet` (its socket's send and its message's head) and
that is idle (nothing queued, nothing being sent) gets the text written by the group's task itself, without
waking the member's task; a write that cannot finish at once (the socket's buffer is full) is finished by a
task of the member's own, and until it is through the member's next messages wait in its queue, in order.
The queue is bounded, so a member that falls behind is dropped alone (its socket is closed with a reason) and
never delays the others. The audience checks its members: as an event arrives, those it names (someone the
event says has left: one read, beside the event's execution, awaited before its delivery); at most once a
second, every member's standing at once (who has left since: read ahead between events while they keep coming,
so that an event seldom waits for it); and, in the delivery itself, each member's token expiry.

Who shares an audience is not decided here: :class:`Audience` comes from the caller, which knows the
permission rules. This module only knows Strawberry's result types and the bus.
"""

from __future__ import annotations

import asyncio
import copy
import json
import logging
import math
import time
from collections import deque
from collections.abc import AsyncGenerator, Awaitable, Callable, Coroutine, Hashable, Iterable
from dataclasses import dataclass, field
from functools import partial
from json.encoder import encode_basestring_ascii  # type: ignore[attr-defined]
from typing import Any

from graphql import GraphQLError
from strawberry.types import ExecutionResult
from strawberry.types.execution import PreExecutionError
from strawberry.utils.aio import aclosing

from .base import Bus, Subscription, watching

log = logging.getLogger("perfgraph.realtime")

EXPIRED = GraphQLError("the token has expired", extensions={"code": "UNAUTHENTICATED"})
MemberCheck = Callable[[Any, list[Any], frozenset[str]], Awaitable[list[GraphQLError | None]]]
MembersCheck = Callable[[list[Any]], Awaitable[list[GraphQLError | None]]]
Recheck = Callable[[Iterable[str]], Awaitable[None]]
OverflowHandler = Callable[[Any, str], Awaitable[None]]


class Serialized(dict[str, Any]):
    """A result payload (``{"data": …, "errors": …}``) already encoded as JSON ``text``; the
    WebSocket encoder splices the text into each member's message instead of encoding it again."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


def encode_message(message: dict[str, Any]) -> str | None:
    """A protocol message whose payload data is :class:`Serialized`, as JSON text; else ``None``. This runs once
    per member and event: the usual ``{"id", "type", "payload"}`` is put together without encoding a dict."""
    payload = message.get("payload")
    if not isinstance(payload, dict) or not isinstance(payload.get("data"), Serialized):
        return None
    text = payload["data"].text
    if len(message) == 3 and isinstance(id := message.get("id"), str) and isinstance(kind := message.get("type"), str):
        return f'{{"id":{encode_basestring_ascii(id)},"type":{encode_basestring_ascii(kind)},"payload":{text}}}'
    head = json.dumps({k: v for k, v in message.items() if k != "payload"}, separators=(",", ":"))
    return f'{head[:-1]},"payload":{text}}}'


def serialize(result: ExecutionResult) -> ExecutionResult:
    """The result with its whole payload encoded once, to be sent as is to every member."""
    payload: dict[str, Any] = {"data": result.data}
    if result.errors:
        payload["errors"] = [error.formatted for error in result.errors]
    if result.extensions:
        payload["extensions"] = result.extensions
    return ExecutionResult(data=Serialized(json.dumps(payload, separators=(",", ":"), default=str)), errors=None)


@dataclass(frozen=True)
class Audience:
    """Subscribers who see an event alike. ``key`` groups them; ``build_context(bus, recheck)`` makes the
    context the group's execution runs with (its stream calls ``recheck(names)`` as each event arrives, with the
    people it names). ``check(group_context, member_contexts, names)`` returns an error or ``None`` for each
    member: on a recheck naming people (started then, beside the event's execution, and awaited before its
    delivery), for a member whose token has expired (``expires(member_context)``, in seconds since the epoch,
    as ``time.time`` counts: checked as each event is delivered), and before each delivery (``names`` empty)
    when ``check_before_delivery``; each error ends that member's stream alone. ``check_all(contexts)`` checks
    every member's standing at once (one read for the whole group), before a delivery when the last such check
    is ``check_all_seconds`` old or more; each error ends that member alone. With ``read_ahead`` (a fraction of
    ``check_all_seconds``), while events keep coming (one delivered within ``active_seconds``), that check is
    started again that long after the last one started, between events: the next event finds it made (or under
    way), not due. ``person(member_context)`` says who a member is, as events name people (an employee id): with
    it, the check of an event's names is given only the members among them (none: no check), not every member."""

    key: Hashable
    build_context: Callable[[Any, Recheck], Any]
    check: MemberCheck | None = None
    check_all: MembersCheck | None = None
    check_all_seconds: float = 1.0
    read_ahead: float | None = None
    active_seconds: float = 3.0
    person: Callable[[Any], Hashable | None] | None = None
    expires: Callable[[Any], float] = lambda member: math.inf
    check_before_delivery: bool = True


@dataclass(frozen=True, slots=True)
class Outlet:
    """Where a member's shared results may be written straight from the group's task: ``send(text)`` sends one
    WebSocket text message on the member's connection; ``head`` is the start of its protocol message, up to the
    payload (``{"id":"1","type":"next","payload":``); ``open()`` is false once the operation is over on the
    connection (the client completed it, the connection closed): then nothing more is written for it."""

    send: Callable[[str], Coroutine[Any, Any, None]]
    head: str
    open: Callable[[], bool]


def message_head(operation_id: str, kind: str) -> str:
    """The start of a protocol message carrying a payload, as :func:`encode_message` writes it."""
    return f'{{"id":{encode_basestring_ascii(operation_id)},"type":{encode_basestring_ascii(kind)},"payload":'


def send_now(send: Coroutine[Any, Any, None]) -> asyncio.Task[None] | None:
    """Run ``send`` as far as it goes without waiting: ``None`` when it is through (a WebSocket send is, while its
    transport's buffer is below its high-water mark); else the task that finishes it. What it raises is raised."""
    try:
        waiting = send.send(None)
    except StopIteration:
        return None
    return asyncio.ensure_future(_finish(send, waiting))


async def _finish(send: Coroutine[Any, Any, None], waiting: Any) -> None:
    """The rest of a coroutine stepped once by :func:`send_now`, which now waits on ``waiting`` (the future it
    yielded, or ``None`` for a bare yield); stepped as a task steps it."""
    try:
        while True:
            if asyncio.isfuture(waiting):
                waiting._asyncio_future_blocking = False
                await asyncio.wait([waiting])  # the coroutine reads the future's outcome itself when stepped
            else:
                await asyncio.sleep(0)
            waiting = send.send(None)
    except StopIteration:
        return
    except asyncio.CancelledError:
        if asyncio.isfuture(waiting):
            waiting.cancel()
        send.close()
        raise


class Mailbox:
    """A bounded queue with one reader, much lighter than :class:`asyncio.Queue` (every idle subscriber
    holds one): no deque until something is queued, one future while the reader waits."""

    __slots__ = ("_items", "_waiter", "maxsize")

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self._items: deque[ExecutionResult | None] | None = None
        self._waiter: asyncio.Future[None] | None = None

    def qsize(self) -> int:
        return len(self._items) if self._items else 0

    def idle(self) -> bool:
        """The reader waits and nothing is queued: whatever it took last is through."""
        return self._waiter is not None and not self._items and not self._waiter.done()

    def put_nowait(self, item: ExecutionResult | None) -> None:
        if self.qsize() >= self.maxsize:
            raise asyncio.QueueFull
        if self._items is None:
            self._items = deque()
        self._items.append(item)
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    def clear(self) -> None:
        self._items = None

    async def get(self) -> ExecutionResult | None:
        while not self._items:
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        item = self._items.popleft()
        if not self._items:
            self._items = None
        return item


@dataclass(eq=False, slots=True)
class Member:
    context: Any
    queue: Mailbox
    outlet: Outlet | None = None
    writing: asyncio.Task[None] | None = None  # a write the group started that could not finish at once
    overflowed: bool = False
    ended: bool = False
    expires_at: float = math.inf  # its token's expiry (``time.time``): from then on it gets no more events
    person: Hashable | None = None  # who it is, as events name people (``Audience.person``)

    def wrote(self, task: asyncio.Task[None]) -> None:
        if self.writing is task:
            self.writing = None
        if not task.cancelled() and task.exception() is not None:  # the connection is gone: its handler ends it
            self.outlet = None


@dataclass(eq=False)
class Group:
    key: Hashable
    audience: Audience
    context: Any = None
    members: dict[Member, None] = field(default_factory=dict)
    live: asyncio.Event = field(default_factory=asyncio.Event)
    overflowed: bool = False  # the group's own bus subscription fell behind: so did every member
    task: asyncio.Task[None] | None = None
    checked_all_at: float = field(default_factory=time.monotonic)  # the members' standing, all at once
    standing: asyncio.Task[None] | None = None  # that check, started as an event arrives, awaited before delivery
    ahead: asyncio.TimerHandle | None = None  # when that check is next started between events
    delivered_at: float = -math.inf  # the latest delivery (``time.monotonic``)
    naming: set[asyncio.Task[list[Member]]] = field(default_factory=set)  # checks of those events named, alike
    people: dict[Hashable, dict[Member, None]] = field(default_factory=dict)  # members by ``Member.person``

    def add(self, member: Member) -> None:
        self.members[member] = None
        if member.person is not None:
            self.people.setdefault(member.person, {})[member] = None

    def remove(self, member: Member) -> None:
        self.members.pop(member, None)
        same = self.people.get(member.person) if member.person is not None else None
        if same is not None:
            same.pop(member, None)
            if not same:
                del self.people[member.person]

    def named(self, names: frozenset[str]) -> list[Member] | None:
        """The members among ``names`` (``None``: every member, when the audience cannot tell who they are)."""
        if self.audience.person is None:
            return None
        return [member for name in names for member in self.people.get(name, ())]

    def entered(self, subscription: Subscription) -> None:
        """The group's execution subscribed to the bus: an event published from now on reaches it."""
        self.live.set()

    def exited(self, subscription: Subscription) -> None:
        """A bus subscription that fell behind means that every member fell behind."""
        self.overflowed = self.overflowed or subscription.overflowed


class SubscriptionGroups:
    """The groups of one process. ``schema`` (Strawberry's) runs each group's one subscription; ``bus`` is
    handed to the audience's context; ``on_overflow(member_context, reason)`` closes a dropped member."""

    def __init__(self, schema: Any, bus: Bus, *, queue_size: int, on_overflow: OverflowHandler) -> None:
        self.schema = schema
        self.bus = bus
        self.queue_size = queue_size
        self.on_overflow = on_overflow
        self._groups: dict[Hashable, Group] = {}

    def stats(self) -> dict[str, int]:
        """Groups, those whose subscription is live (an event published now reaches them), and the members
        of live groups."""
        live = [g for g in self._groups.values() if g.live.is_set()]
        return {"groups": len(self._groups), "live_groups": len(live), "members": sum(len(g.members) for g in live)}

    def join(self, audience: Audience, query: str, variables: dict[str, Any] | None, operation_name: str | None,
             context: Any, on_leave: Callable[[], None] | None = None,
             outlet: Outlet | None = None) -> AsyncGenerator[ExecutionResult, None]:
        """The member's stream: it joins (or starts) its group when first iterated and leaves when closed (then
        ``on_leave`` is called). With an ``outlet``, shared results are written there by the group while the
        member is idle; the stream yields only the rest (its own errors, and results that came while it was
        behind), each after the group's writes before it."""
        key = (audience.key, query, operation_name, json.dumps(variables or {}, sort_keys=True, default=str))
        return self._member_stream(key, audience, query, variables, operation_name, context, on_leave, outlet)

    async def _member_stream(self, key: Hashable, audience: Audience, query: str, variables: dict[str, Any] | None,
                             operation_name: str | None, context: Any, on_leave: Callable[[], None] | None,
                             outlet: Outlet | None) -> AsyncGenerator[ExecutionResult, None]:
        group = self._groups.get(key)
        if group is None:
            group = Group(key, audience)
            group.context = audience.build_context(self.bus, partial(self._heard, group))
            group.task = asyncio.create_task(self._run(group, query, variables, operation_name))
            self._groups[key] = group
        member = Member(context, Mailbox(self.queue_size), outlet, expires_at=audience.expires(context),
                        person=audience.person(context) if audience.person is not None else None)
        # An idle member's frame lives as long as its subscription: it keeps only what it uses from now on.
        del key, audience, query, variables, operation_name, context, outlet
        group.add(member)
        try:
            while True:
                result = await member.queue.get()
                if member.writing is not None:  # the group's write before this one goes first
                    await asyncio.wait([member.writing])
                if result is None:
                    if member.overflowed:
                        await self.on_overflow(member.context, f"subscriber fell behind: {self.queue_size} "
                                                              "messages queued")
                        # The socket is closed: nothing more may be sent, not even "complete". The
                        # connection's handler cancels this stream as the closed socket ends it.
                        await asyncio.Future()
                    return
                yield result
        finally:
            self._leave(group, member)
            if on_leave is not None:
                on_leave()

    def _leave(self, group: Group, member: Member) -> None:
        member.outlet = None
        group.remove(member)
        if not group.members and self._groups.get(group.key) is group:
            del self._groups[group.key]
            if group.task is not None:
                group.task.cancel()
            self._stop_checks(group)

    @staticmethod
    def _stop_checks(group: Group) -> None:
        """An ended group's checks: the standing read ahead (its timer and its read) and those of names."""
        if group.ahead is not None:
            group.ahead.cancel()
            group.ahead = None
        for task in (group.standing, *group.naming):
            if task is not None:
                task.cancel()

    async def _run(self, group: Group, query: str, variables: dict[str, Any] | None,
                   operation_name: str | None) -> None:
        watching.set(group)  # this task's bus subscriptions report to the group (see Group.entered)
        try:
            source = await self.schema.subscribe(query, variable_values=variables, context_value=group.context,
                                                 operation_name=operation_name)
            async with aclosing(source):
                async for result in source:
                    shared = result if isinstance(result, PreExecutionError) else serialize(result)
                    await self._deliver(group, shared)
        except Exception:  # the stream's own errors arrive as results; this is a bug, not a client error
            log.exception("a grouped subscription failed")
        finally:
            if self._groups.get(group.key) is group:
                del self._groups[group.key]
            self._stop_checks(group)
            for member in list(group.members):
                member.overflowed = member.overflowed or group.overflowed
                self._offer(group, member, None)

    async def _heard(self, group: Group, names: Iterable[str]) -> None:
        """The group's execution heard an event naming ``names`` (maybe nobody). The check of the members among
        them, and the members' standing when it is due, start now, beside the event's execution; the delivery
        awaits both."""
        self._start_check_all(group)
        named = frozenset(names)
        if not named or group.audience.check is None:
            return
        members = group.named(named)  # None: every member, checked as the check runs
        if members is not None:
            members = [member for member in members if not member.ended]
            if not members:  # nobody named is a member here
                return
        # the execution's context as it is now, with this event's loaders, whenever the check runs
        task = asyncio.create_task(self._check(group, named, members, at=copy.copy(group.context)))
        group.naming.add(task)
        task.add_done_callback(group.naming.discard)

    async def _check(self, group: Group, names: frozenset[str] = frozenset(),
                     members: list[Member] | None = None, at: Any = None) -> list[Member]:
        """Run the audience's member check (``names``: the people an event named; ``at``: the group's context
        to check with, by default as it is now) on ``members`` (by default every member not ended); each refused
        member gets its error and its stream ends. Returns those it let through. Never raises: a check that
        fails ends every member it was checking."""
        check = group.audience.check
        members = [member for member in group.members if not member.ended] if members is None else members
        if check is None:
            return members
        contexts = [member.context for member in members]
        at = group.context if at is None else at
        return self._refuse(group, members, await self._errors(lambda: check(at, contexts, names), len(members)))

    async def _check_all(self, group: Group, *, ahead: bool = False) -> None:
        """Every member's standing in one check, when the last one is old enough (or read ``ahead`` of that): each
        refused member gets its error and its stream ends."""
        check_all = group.audience.check_all
        if check_all is None or (not ahead and time.monotonic() - group.checked_all_at
                                 < group.audience.check_all_seconds):
            return
        group.checked_all_at = time.monotonic()
        members = [member for member in group.members if not member.ended]
        contexts = [member.context for member in members]
        self._refuse(group, members, await self._errors(lambda: check_all(contexts), len(members)))

    @staticmethod
    async def _errors(check: Callable[[], Awaitable[list[GraphQLError | None]]],
                      count: int) -> list[GraphQLError | None]:
        """``check()``'s answer, one per member; if it fails (the store failed) or answers for another number of
        members, an internal error for each: those checked are ended, never let through."""
        try:
            errors = list(await check())
            if len(errors) == count:
                return errors
            log.error("a group's member check answered for %d members of %d", len(errors), count)
        except Exception:
            log.exception("checking a group's subscribers failed")
        return [GraphQLError("Internal error: the server could not check this subscription.")] * count

    def _refuse(self, group: Group, members: list[Member], errors: list[GraphQLError | None]) -> list[Member]:
        """Each member with an error gets it and its stream ends; returns the others."""
        passed = []
        for member, error in zip(members, errors, strict=True):
            if error is None:
                passed.append(member)
                continue
            self._offer(group, member, serialize(ExecutionResult(data=None, errors=[error])))
            self._offer(group, member, None)
        return passed

    def _arm_read_ahead(self, group: Group) -> None:
        """Start the members' standing check ahead (``Audience.read_ahead``) of its falling due, if the audience
        reads ahead and the group is still there; never sooner than half that after now, so that a store slower
        than it does not get one read after another."""
        audience = group.audience
        ahead = audience.check_all_seconds * (audience.read_ahead or 0.0)
        if ahead <= 0 or audience.check_all is None or group.ahead is not None \
                or self._groups.get(group.key) is not group:
            return
        delay = max(ahead / 2, group.checked_all_at + ahead - time.monotonic())
        group.ahead = asyncio.get_running_loop().call_later(delay, self._read_ahead, group)

    def _read_ahead(self, group: Group) -> None:
        group.ahead = None
        if self._groups.get(group.key) is not group \
                or time.monotonic() - group.delivered_at > group.audience.active_seconds:
            return  # gone, or no event lately: the next one starts the check if it is due
        if group.standing is None or group.standing.done():  # else the one under way is this step's read
            group.standing = asyncio.create_task(self._check_all(group, ahead=True))
        group.standing.add_done_callback(lambda _: self._arm_read_ahead(group))

    def _start_check_all(self, group: Group) -> None:
        if group.standing is not None and group.standing.done():  # a check no delivery awaited: it is through
            group.standing = None
        if group.standing is None and group.audience.check_all is not None \
                and time.monotonic() - group.checked_all_at >= group.audience.check_all_seconds:
            group.standing = asyncio.create_task(self._check_all(group))

    async def _deliver(self, group: Group, result: ExecutionResult) -> None:
        self._start_check_all(group)  # due by now if not when the event came: read before this delivery
        if group.naming:
            await asyncio.wait(list(group.naming))
        if group.audience.check_before_delivery:
            await self._check(group)
        standing, group.standing = group.standing, None
        if standing is not None:
            await standing
        text = result.data.text if isinstance(result.data, Serialized) else None
        now, expired = time.time(), []
        for member in list(group.members):
            if member.expires_at <= now and not member.ended:  # its own check says why it gets no more
                expired.append(member)
                continue
            outlet = member.outlet
            if text is None or outlet is None or member.ended or member.writing is not None \
                    or not member.queue.idle() or not outlet.open():
                self._offer(group, member, result)
                continue
            try:
                member.writing = send_now(outlet.send(f"{outlet.head}{text}}}"))
            except Exception:  # the connection is gone: its handler ends the member's stream
                member.outlet = None
                continue
            if member.writing is not None:  # its socket is behind: a task of its own finishes the write
                member.writing.add_done_callback(member.wrote)
        group.delivered_at = time.monotonic()
        self._arm_read_ahead(group)
        if expired and group.audience.check is None:  # no check to say why: the token's expiry it is
            self._refuse(group, expired, [EXPIRED] * len(expired))
        elif expired:
            for member in await self._check(group, members=expired):  # not refused after all: it gets the event
                self._offer(group, member, result)

    def _offer(self, group: Group, member: Member, result: ExecutionResult | None) -> None:
        """Queue a result (``None``: the end) without waiting. A full queue drops the member at once: it
        leaves the group, and its stream ends (its socket closed with the reason) once its pending send
        is through."""
        if member.ended:
            return
        member.ended = result is None
        try:
            member.queue.put_nowait(result)
        except asyncio.QueueFull:
            member.overflowed = member.ended = True
            log.warning("a subscriber fell behind (%d messages queued); dropped", member.queue.qsize())
            member.queue.clear()
            member.queue.put_nowait(None)
            self._leave(group, member)
