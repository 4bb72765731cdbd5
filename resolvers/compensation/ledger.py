"""A merit cycle's budgets as a server process keeps them for ``compensationBudgetChanged``: read once, then kept
from the events alone, so a push reads nothing from the store.

A participant's event — a proposal's, a submission's, a decision's, a pay change's under a snapshot — carries,
sealed (``realtime/sealing.py``: Redis sees ids and moments only), the participant as its write left it
(``models.compensation.ledger.Change``: version, the budgets it counts on, its amounts); the ledger counts each
participant at the latest version it has seen (``models.compensation.ledger.Spend``), so events that come twice,
late, out of order or after the read that counted them change nothing. Every other budget event (an
allocation, a phase change, a launch, one sealed with another key or for another cycle) makes the ledger read
again before its next push: the cycle, its budgets (allocations) and the version and amounts of every
participant with a proposal, in one round trip (``store.compensation.repository.cycle_budgets_and_spend``),
merged with what events brought meanwhile (the newer version of each participant wins).

One ledger per cycle and process, while a subscriber of that cycle is live. It listens on the cycle's channel
itself from before its first read (so no event between the read and the next push is missed), and each
subscriber hands it the messages it takes before pushing (so a push counts every event it answers). It reads
again when the bus may have lost messages (``Bus.gaps``: a Redis reconnect), when its own subscription fell
behind or failed, and every :data:`REFRESH_SECONDS` while it has subscribers: a change whose event was lost (a
publish that failed, a submission stopped part-way) is found there and announced on the channel (an event naming
the managers whose figures it moved: every process reads again and their subscribers are pushed)."""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import weakref
from collections import OrderedDict
from collections.abc import AsyncIterator
from typing import Any

from models.compensation.budgets import manager_budget_id
from models.compensation.ledger import Change, Spend
from models.core.documents import Document
from realtime import Bus, SubscriberOverflow
from resolvers.compensation.channels import budget_channel, budget_event
from store.compensation import repository as pay_store
from store.core.repository import TenantStore

log = logging.getLogger("perfgraph.compensation")
REFRESH_SECONDS = 30.0
EVENTS_KEPT = 1024  # event ids remembered as handled (each subscriber hands the ledger every message it takes)
Message = dict[str, Any]


class CycleLedger:
    """One cycle's budgets in one process: :meth:`heard` for every message of its channel, :meth:`ready` before a
    push, then :meth:`budget`."""

    def __init__(self, bus: Bus, organization_id: str, cycle_id: str) -> None:
        self.bus, self.organization_id, self.cycle_id = bus, organization_id, cycle_id
        self.cycle: Document | None = None
        self._spend = Spend()
        self._budgets: dict[str, Document] = {}  # budget id → its document (allocations; its counters unused)
        self._handled: OrderedDict[str, None] = OrderedDict()
        self._stale = True  # read before the next push
        self._gaps = bus.gaps
        self._required: asyncio.Future[set[str]] | None = None  # the read the next pushes wait for
        self._reads = self._applied = 0  # reads started; the latest whose cycle and budgets are kept
        self._users = 0
        self._pump: asyncio.Task[None] | None = None
        self._refresher: asyncio.Task[None] | None = None
        self._listening = asyncio.Event()

    # ---- messages -------------------------------------------------------------------------------------------

    def heard(self, message: Message) -> None:
        """A message of the cycle's channel (from any subscriber of the process, or the ledger's own
        subscription): counted once, whoever hands it first."""
        event = message.get("eventId")
        if event is not None:
            if event in self._handled:
                return
            self._handled[event] = None
            while len(self._handled) > EVENTS_KEPT:
                self._handled.popitem(last=False)
        changes = self._changes(message)
        if changes is None:
            self._stale = True
            return
        for change in changes:
            self._spend.apply(change)

    def _changes(self, message: Message) -> list[Change] | None:
        """The participants' changes an event carries (``None``: it carries none this process can open — read)."""
        sealed = message.get("sealed")
        opened = self.bus.sealer.open(sealed) if isinstance(sealed, str) else None
        if not isinstance(opened, dict) or opened.get("cycle") != [self.organization_id, self.cycle_id]:
            return None  # not sealed for this cycle (replayed from another channel, or another key's)
        try:
            return [Change.decode(item) for item in opened["changes"]]
        except (KeyError, TypeError, ValueError):
            return None

    # ---- reads ----------------------------------------------------------------------------------------------

    async def ready(self, store: TenantStore) -> None:
        """Before a push: when something since the last read may be missing, a new read (shared by every push
        waiting for it), and wait for it."""
        if self.bus.gaps != self._gaps:
            self._gaps, self._stale = self.bus.gaps, True
        if self._stale:
            self._start_required(store)
        required = self._required
        if required is not None:
            try:
                await asyncio.shield(required)  # one subscriber leaving does not cancel the others' read
            finally:
                if self._required is required and required.done():
                    self._required = None

    async def _read_all(self, store: TenantStore) -> set[str]:
        """Read the cycle, its budgets and its participants' spend; returns the budgets (``m:``/``d:`` keys) whose
        figures the read moved (changes no event had brought yet)."""
        self._reads += 1
        number = self._reads
        try:
            cycle, budgets, participants = await pay_store.cycle_budgets_and_spend(store, self.cycle_id)
        except Exception:
            self._stale = True  # the next push reads again
            raise
        moved = self._spend.merge(Spend(participants))  # each participant at the newer of the read's and events'
        if number > self._applied:  # a read that started earlier and ended later leaves the newer cycle
            self._applied = number
            self.cycle = cycle
            self._budgets = {b["_id"]: b for b in budgets}
        return moved

    async def _refresh_forever(self, store: TenantStore) -> None:
        """Every :data:`REFRESH_SECONDS` while the ledger lives: read again, and announce what the read found that
        no event had brought (a lost event), so that every process reads again and pushes it."""
        while True:
            await asyncio.sleep(REFRESH_SECONDS)
            try:
                moved = await self._read_all(store)
            except Exception as error:
                log.warning("a periodic read of a merit cycle's budgets failed: %s", type(error).__name__)
                continue
            managers = sorted(key[2:] for key in moved if key.startswith("m:"))
            if managers:
                log.warning("a merit cycle's budgets moved without an event (%d managers): announcing it",
                            len(managers))
                with contextlib.suppress(Exception):
                    await self.bus.publish(*budget_event(self.organization_id, self.cycle_id, managers))

    # ---- figures --------------------------------------------------------------------------------------------

    def budget(self, manager_id: str) -> Document | None:
        """A manager's budget document with its spend as counted here (``None``: no such budget)."""
        found = self._budgets.get(manager_budget_id(self.cycle_id, manager_id))
        if found is None:
            return None
        return {**found, **self._spend.counters(f"m:{manager_id}")}

    # ---- life -----------------------------------------------------------------------------------------------

    async def _listen(self) -> None:
        """The ledger's own subscription: every message of the channel reaches it even when no subscriber takes
        it yet; falling behind makes it read again."""
        channel = budget_channel(self.organization_id, self.cycle_id)
        while True:
            try:
                async with self.bus.subscribe(channel) as subscription:
                    if self._listening.is_set():
                        self._stale = True  # subscribed again: what was published meanwhile is read
                    self._listening.set()
                    async for message in subscription:
                        self.heard(message)
                return  # the bus ended its subscriptions (shutting down)
            except SubscriberOverflow:
                self._stale = True
                log.warning("the budget ledger of a merit cycle fell behind; it reads the budgets again")
            except Exception as error:  # the bus refused a subscription again: retry; read once back
                if not self._listening.is_set():
                    raise  # the first subscription: the subscriber that created the ledger hears why
                self._stale = True
                log.warning("the budget ledger of a merit cycle lost its subscription: %s", type(error).__name__)
                await asyncio.sleep(1.0)

    def _start_required(self, store: TenantStore) -> None:
        """A read the next pushes wait for (its failure is theirs: they raise it)."""
        self._stale = False
        self._required = read = asyncio.ensure_future(self._read_all(store))
        read.add_done_callback(_retrieved)


def _retrieved(read: asyncio.Future[Any]) -> None:
    """A read's failure is raised to the pushes awaiting it; retrieved here so none is reported as unseen."""
    if not read.cancelled():
        read.exception()


_ledgers: weakref.WeakKeyDictionary[Bus, dict[tuple[str, str], CycleLedger]] = weakref.WeakKeyDictionary()


@contextlib.asynccontextmanager
async def cycle_ledger(bus: Bus, store: TenantStore, cycle_id: str) -> AsyncIterator[CycleLedger]:
    """The process's ledger of a cycle of ``store``'s organisation, listening while the block runs; the first user
    creates it, and its first read starts once it listens (the first push waits for it)."""
    ledgers = _ledgers.setdefault(bus, {})
    key = (store.organization_id, cycle_id)
    ledger = ledgers.get(key)
    if ledger is None:
        ledger = ledgers[key] = CycleLedger(bus, store.organization_id, cycle_id)
        # its own context: the subscription is the ledger's, not the subscriber's that started it
        ledger._pump = asyncio.create_task(ledger._listen(), context=contextvars.Context())
    ledger._users += 1
    try:
        listening = asyncio.ensure_future(ledger._listening.wait())
        assert ledger._pump is not None
        await asyncio.wait({listening, ledger._pump}, return_when=asyncio.FIRST_COMPLETED)
        if not ledger._listening.is_set():  # the bus refused the ledger's subscription
            listening.cancel()
            ledger._pump.result()
            raise RuntimeError("the budget ledger could not listen")
        if ledger._stale and ledger._required is None:
            ledger._start_required(store)
        if ledger._refresher is None:
            ledger._refresher = asyncio.create_task(ledger._refresh_forever(store), context=contextvars.Context())
        yield ledger
    finally:
        ledger._users -= 1
        if ledger._users == 0:
            if ledgers.get(key) is ledger:
                del ledgers[key]
            for task in (ledger._pump, ledger._refresher):
                if task is not None:
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError, Exception):
                        await task
