"""Departure steps: what upper domains do when someone is leaving (exits opens an exit record).

org imports none of them: a domain registers its step with :func:`on_departure` when it is imported
(through ``resolvers.org.access``), and org runs every registered step inside the transaction of
``terminateEmployee`` (``last_day``: today), of an ``updateEmployee`` that sets a future ``endDate``
(``last_day``: that date) or clears it (``last_day``: ``None``, the departure withdrawn), and of a SCIM
or import change that ends someone's employment. A step may run more than once (the transaction is
retried), reads and writes only through the store, and returns what to do once the change is committed
(its events), or ``None``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date

from models.core.documents import Document
from resolvers.core.context import Context

AfterCommit = Callable[[], Awaitable[None]]
DepartureStep = Callable[[Context, Document, "date | None"], Awaitable[AfterCommit | None]]
_departure_steps: list[DepartureStep] = []


def on_departure(step: DepartureStep) -> DepartureStep:
    """Register ``step`` (once, however often its module is imported); returns it, to be used as a decorator."""
    if all(s.__qualname__ != step.__qualname__ or s.__module__ != step.__module__ for s in _departure_steps):
        _departure_steps.append(step)
    return step


async def run_departure_steps(context: Context, employee: Document, last_day: date | None) -> list[AfterCommit]:
    """Every registered step for ``employee`` leaving on ``last_day``, in registration order (inside the
    caller's transaction); what each wants done after the commit."""
    after: list[AfterCommit] = []
    for step in _departure_steps:
        then = await step(context, employee, last_day)
        if then is not None:
            after.append(then)
    return after
