"""Forcing an interleaving (hold one operation at a chosen store call until another has finished) and a
failure half-way (fail one chosen store call).

    async with hold(server.database, "reviewForms", "update_one") as held:
        first = asyncio.create_task(do_one())
        await held.reached.wait()        # the first operation is now parked just before that call
        await do_other()                 # runs to completion meanwhile
    await first                          # released when the block ends

Only the first matching call (or the ``nth``; with ``and_after``, it and every later one) is held; every other
call passes.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from store.core.database import Database


@dataclass
class Held:
    reached: asyncio.Event = field(default_factory=asyncio.Event)
    released: asyncio.Event = field(default_factory=asyncio.Event)
    seen: int = 0


@asynccontextmanager
async def hold(database: Database, collection: str, method: str, *, nth: int = 1,
               and_after: bool = False) -> AsyncIterator[Held]:
    """While the block runs (or until ``released`` is set): the ``nth`` call of ``method`` on ``collection``
    waits (``reached`` set as it does), and with ``and_after`` every later one too."""
    held = Held()

    async def gate(name: str, called: str) -> None:
        if name == collection and called == method:
            held.seen += 1
            if held.seen == nth or (and_after and held.seen > nth):
                held.reached.set()
                await held.released.wait()

    previous, database.stats.gate = database.stats.gate, gate
    try:
        yield held
    finally:
        held.released.set()
        database.stats.gate = previous


@asynccontextmanager
async def seen(database: Database, collection: str, method: str) -> AsyncIterator[asyncio.Event]:
    """While the block runs: an event set once ``method`` is called on ``collection``; any gate already in place
    (:func:`hold`'s) still applies to every call."""
    called = asyncio.Event()
    previous = database.stats.gate

    async def gate(name: str, used: str) -> None:
        if (name, used) == (collection, method):
            called.set()
        if previous is not None:
            await previous(name, used)

    database.stats.gate = gate
    try:
        yield called
    finally:
        database.stats.gate = previous


class Crash(Exception):
    """The failure :func:`failing_at` injects: a store call that fails half-way through a change."""


@asynccontextmanager
async def failing_at(database: Database, collection: str, method: str) -> AsyncIterator[None]:
    """While the block runs, the first call of ``method`` on ``collection`` fails (a crash half-way)."""
    failed = False

    async def gate(name: str, called: str) -> None:
        nonlocal failed
        if (name, called) == (collection, method) and not failed:
            failed = True
            raise Crash(f"{collection}.{method} failed")

    previous, database.stats.gate = database.stats.gate, gate
    try:
        yield
    finally:
        database.stats.gate = previous
