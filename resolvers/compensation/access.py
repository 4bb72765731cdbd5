"""The compensation domain's visibility-aware accessor: a person's pay, band and compa-ratio as the viewer
may see them (``models/compensation/permissions.py``). Other domains reach pay only through here.

:func:`pay_views` loads many people at once (one batch per collection, one read of the open cycles), so
nested fields cost the same number of round trips for 1 or 100 people.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from strawberry.dataloader import DataLoader

from models.compensation.cycles import is_locked
from models.compensation.money import Money
from models.compensation.permissions import MANAGER_PHASES, can_manage_compensation, can_see_pay
from models.compensation.rules import BandMatch, annual, band_for, compa_ratio, current_record, range_position
from models.core import clock
from models.core.documents import Document
from resolvers.core.context import Context, require
from resolvers.core.errors import Forbidden
from store.compensation import repository as pay_store
from store.core.loaders import MAX_BATCH
from store.core.repository import TenantStore

PAY_REFUSAL = "pay is visible to the person, compensation admins, and their managers during a merit cycle"
ADMIN_REFUSAL = "only compensation admins manage pay"
CYCLE_OPEN_KEY = "compensation:cycle-open"


@dataclass(frozen=True)
class PayView:
    """What the viewer may see of one person's pay."""

    employee: Document
    current: Document | None
    history: list[Document]  # every record, oldest first: the person and compensation admins only
    band: Document | None
    zone: str | None = None
    band_match: BandMatch | None = None  # how the band was found (``rules.band_for``'s precedence)

    @property
    def annual(self) -> Money | None:
        return annual(self.current) if self.current else None

    @property
    def compa_ratio(self) -> Decimal | None:
        pay = self.annual
        return compa_ratio(pay, self.band) if pay and self.band else None

    @property
    def range_position(self) -> Decimal | None:
        pay = self.annual
        return range_position(pay, self.band) if pay and self.band else None


async def cycle_open_for_managers(context: Context) -> bool:
    """Whether a merit cycle is in its proposal or review phase (read once per request)."""
    signed_in = await require(context)
    if CYCLE_OPEN_KEY not in context.extras:
        context.extras[CYCLE_OPEN_KEY] = bool(await pay_store.open_cycles(signed_in.store, MANAGER_PHASES))
    return bool(context.extras[CYCLE_OPEN_KEY])


async def pay_views(context: Context, employees: Sequence[Mapping[str, Any] | None]) -> list[PayView | None]:
    """Each person's pay as the viewer may see it; ``None`` for a person whose pay is hidden from them."""
    signed_in = await require(context)
    viewer = signed_in.viewer
    # whole documents (a list query may have read only the fields it selected): the chain and position decide
    full = await signed_in.loaders.employee_by_id.load_many([e["_id"] for e in employees if e is not None])
    present = [e for e in full if e is not None]
    open_now = any(viewer.employee_id in e.get("managerChain", []) for e in present) and \
        await cycle_open_for_managers(context)
    visible = [e for e in present if can_see_pay(viewer, e, cycle_open=open_now)]
    loaders = signed_in.loaders.compensation
    ids = [e["_id"] for e in visible]
    records, zones, bands = await asyncio.gather(loaders.pay_records_by_employee_id.load_many(ids),
                                                 loaders.zone_by_employee_id.load_many(ids), loaders.bands.load())
    levels = await position_levels(context, [e.get("positionId") for e in visible])
    today = clock.today()
    views: dict[str, PayView] = {}
    for employee, mine, zone in zip(visible, records, zones, strict=True):
        full = can_manage_compensation(viewer) or employee["_id"] == viewer.employee_id
        band, match = band_for(bands, employee.get("positionId"), levels.get(employee.get("positionId")), zone)
        views[employee["_id"]] = PayView(employee, current_record(mine, today), list(mine) if full else [], band,
                                         zone, match)
    return [views.get(e["_id"]) if e is not None else None for e in employees]


async def position_levels(context: Context, position_ids: Sequence[str | None]) -> dict[str, int | None]:
    """The level of each position (through the org domain's loader: everyone in the organisation sees its
    positions), one batch."""
    signed_in = await require(context)
    wanted = sorted({p for p in position_ids if p})
    found = await signed_in.loaders.position_by_id.load_many(wanted)
    return {p: (doc or {}).get("level") for p, doc in zip(wanted, found, strict=True)}


VIEWS_KEY = "compensation:pay-views"


async def pay_view(context: Context, employee_id: str) -> PayView | None:
    """One person's pay view through a per-request DataLoader: the pay of a page of people (``Employee.pay``
    on each) is read in one batch per collection. The loader lives as long as the request's loaders (fresh
    ones after a write, and for each subscription event)."""
    signed_in = await require(context)
    held = context.extras.get(VIEWS_KEY)
    if held is None or held[0] is not signed_in.loaders:

        async def batch(ids: Sequence[str]) -> list[PayView | None]:
            return await pay_views(context, [{"_id": id} for id in ids])

        held = (signed_in.loaders, DataLoader(load_fn=batch, max_batch_size=MAX_BATCH))
        context.extras[VIEWS_KEY] = held
    return await held[1].load(employee_id)


async def visible_pay(context: Context, employee_id: str) -> PayView | None:
    """``None`` for an unknown person; :class:`Forbidden` when their pay is hidden from the viewer."""
    signed_in = await require(context)
    employee = await signed_in.loaders.employee_by_id.load(employee_id)
    if employee is None:
        return None
    view = await pay_view(context, employee_id)
    if view is None:
        raise Forbidden(PAY_REFUSAL)
    return view


@dataclass(frozen=True)
class ApprovalWaiting:
    """For reminders: a submitted merit proposal, whom it waits for (the manager it is pending with, or ``None``
    for the organisation's compensation admins, who give the final approval) and since when (its last step in the
    trail). No amount: a reminder never carries pay."""

    participant_id: str
    cycle_id: str
    approver_id: str | None
    since: date


async def approvals_waiting(store: TenantStore, limit: int = 5000) -> list[ApprovalWaiting]:
    """For reminders (no viewer: the system reads): the submitted merit proposals of cycles still taking
    decisions (proposals or review phase, not locked), each with its next approver. Two queries."""
    cycles = [c["_id"] for c in await pay_store.open_cycles(store, MANAGER_PHASES) if not is_locked(c)]
    if not cycles:
        return []
    docs = await store.meritParticipants.find(
        {"cycleId": {"$in": cycles}, "proposal.state": "submitted"}, sort=[("_id", 1)], limit=limit,
        projection={"cycleId": 1, "proposal.pendingWith": 1, "proposal.submittedAt": 1, "trail.at": 1})
    waiting = []
    for doc in docs:
        trail = doc.get("trail") or []
        moment = trail[-1]["at"] if trail else doc["proposal"].get("submittedAt")
        if moment is None:
            continue
        waiting.append(ApprovalWaiting(doc["_id"], doc["cycleId"], doc["proposal"].get("pendingWith"), moment.date()))
    return waiting
