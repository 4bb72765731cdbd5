"""Compensation queries: bands, a person's pay, merit cycles, proposals, budgets, pay-equity flags and a
person's statement. Each applies ``models/compensation/permissions.py``."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from models.compensation import cycles as rules
from models.compensation.budgets import FIELDS, Pool
from models.compensation.money import Money
from models.compensation.permissions import (
    MANAGER_PHASES,
    STATEMENT_PHASES,
    can_manage_compensation,
    can_see_budget,
    can_see_participant,
    can_see_statement,
)
from models.core import clock
from models.core.documents import Document
from resolvers.compensation.access import ADMIN_REFUSAL
from resolvers.core.context import Context, require, require_role
from resolvers.core.errors import Forbidden
from resolvers.core.pages import Window, check_window, issued_cursor
from store.compensation import repository as pay_store
from store.core.pagination import Keyset, Page, keyset_page

CYCLE_REFUSAL = "this merit cycle is not open to you"
PROPOSALS_REFUSAL = "proposals are visible to compensation admins and, during proposals and review, to the " \
                    "managers above"
BUDGET_REFUSAL = "a budget is visible to its manager and the managers above during proposals and review, and " \
                 "to compensation admins"
EQUITY_GAP = Decimal("0.05")
TENURE_EXPLAINS_MONTHS = 24
BY_EMPLOYEE = Keyset("employeeId")


async def pay_bands(context: Context) -> list[Document]:
    signed_in = await require_role(context, can_manage_compensation, ADMIN_REFUSAL)
    return await signed_in.store.payBands.find({}, sort=[("positionId", 1)])


def cycle_visible(viewer_is_admin: bool, is_manager: bool, cycle: Mapping[str, Any]) -> bool:
    """Compensation admins see every cycle; managers the ones in proposals or review; everyone the shared."""
    return viewer_is_admin or cycle["phase"] in STATEMENT_PHASES or (is_manager and cycle["phase"] in MANAGER_PHASES)


async def merit_cycle(context: Context, cycle_id: str) -> Document | None:
    signed_in = await require(context)
    cycle = await signed_in.loaders.compensation.cycle_by_id.load(cycle_id)
    if cycle is None:
        return None
    viewer = signed_in.viewer
    if not cycle_visible(can_manage_compensation(viewer), "manager" in viewer.roles, cycle):
        raise Forbidden(CYCLE_REFUSAL)
    return cycle


async def merit_cycles(context: Context) -> list[Document]:
    signed_in = await require(context)
    viewer = signed_in.viewer
    cycles = await signed_in.store.meritCycles.find({}, sort=[("periodStart", -1), ("_id", 1)])
    return [c for c in cycles if cycle_visible(can_manage_compensation(viewer), "manager" in viewer.roles, c)]


async def proposals(context: Context, cycle_id: str, manager_id: str, window: Window) -> Page:
    """The participants below ``manager_id`` (never the viewer themselves), for compensation admins and,
    during proposals and review, for that manager and the managers above them."""
    check_window(window)
    signed_in = await require(context)
    viewer = signed_in.viewer
    cycle = await signed_in.loaders.compensation.cycle_by_id.load(cycle_id)
    manager = await signed_in.loaders.employee_by_id.load(manager_id)
    if cycle is None or manager is None:
        return Page([], 0, False)
    if not can_see_budget(viewer, cycle, manager.get("managerChain", []), manager_id):
        raise Forbidden(PROPOSALS_REFUSAL)
    query: dict[str, Any] = {"cycleId": cycle_id, "managerChain": manager_id}
    if not can_manage_compensation(viewer):
        query["employeeId"] = {"$ne": viewer.employee_id}
    with issued_cursor():
        page = await keyset_page(signed_in.store.meritParticipants, query, BY_EMPLOYEE, window)
    assert all(can_see_participant(viewer, cycle, p) for p in page.documents)
    return page


async def participant(context: Context, id: str) -> Document | None:
    """One person's place in a merit cycle for those who may see it (``node(id:)``), else ``None``."""
    signed_in = await require(context)
    doc = await signed_in.store.meritParticipants.get(id)
    if doc is None:
        return None
    cycle = await signed_in.loaders.compensation.cycle_by_id.load(doc["cycleId"])
    return doc if cycle is not None and can_see_participant(signed_in.viewer, cycle, doc) else None


@dataclass(frozen=True)
class PoolFigures:
    allocated: Money
    proposed: Money
    committed: Money

    @property
    def remaining(self) -> Money:
        return Money(self.allocated.minor - self.committed.minor, self.allocated.currency)

    @property
    def over_budget(self) -> bool:
        return self.committed.minor > self.allocated.minor


@dataclass(frozen=True)
class Budget:
    """A manager's or a department's budget document, with its merit and promotion pools."""

    document: Document
    cycle: Document
    # a query's: the read's time (every change committed before it counted); a push's: its latest change's commit
    as_of: datetime = field(default_factory=clock.now)

    def money(self, name: str) -> Money:
        return Money(int(self.document.get(name) or 0), self.document["currency"])

    def pool(self, pool: Pool) -> PoolFigures:
        return PoolFigures(*(self.money(name) for name in FIELDS[pool]))

    @property
    def total(self) -> PoolFigures:
        merit, promotion = self.pool(Pool.MERIT), self.pool(Pool.PROMOTION)
        return PoolFigures(merit.allocated + promotion.allocated, merit.proposed + promotion.proposed,
                           merit.committed + promotion.committed)


async def budget(context: Context, cycle_id: str, manager_id: str) -> Budget | None:
    signed_in = await require(context)
    cycle = await signed_in.loaders.compensation.cycle_by_id.load(cycle_id)
    if cycle is None:
        return None
    manager = await budget_manager(context, manager_id)
    if manager is None:
        return None
    return await visible_budget(context, signed_in.viewer, cycle, manager)


async def budget_manager(context: Context, manager_id: str) -> Document | None:
    """The manager of a budget as far as :func:`~models.compensation.permissions.can_see_budget` needs them: the
    viewer's own budget and a compensation admin's view need no read (the chain above the manager does not
    decide); anyone else's is read (``None``: no such person)."""
    viewer = (await require(context)).viewer
    if manager_id == viewer.employee_id or can_manage_compensation(viewer):
        return {"_id": manager_id, "managerChain": []}
    return await (await require(context)).loaders.employee_by_id.load(manager_id)


async def department_budgets(context: Context, cycle_id: str) -> list[Budget] | None:
    """Compensation admins: the department budgets of a cycle (``None`` for an unknown cycle)."""
    signed_in = await require_role(context, can_manage_compensation, ADMIN_REFUSAL)
    cycle = await signed_in.loaders.compensation.cycle_by_id.load(cycle_id)
    if cycle is None:
        return None
    return [Budget(b, cycle) for b in await pay_store.department_budgets(signed_in.store, cycle_id)]


async def visible_budget(context: Context, viewer: Any, cycle: Document, manager: Document) -> Budget | None:
    check_budget_visible(viewer, cycle, manager)
    store = (await require(context)).store
    found = await pay_store.budgets_of(store, cycle["_id"], [manager["_id"]])
    return Budget(found[0], cycle) if found else None


def check_budget_visible(viewer: Any, cycle: Document, manager: Document) -> None:
    """:class:`Forbidden` unless the viewer may see the budget of ``manager`` (:func:`budget_manager`) now."""
    if not can_see_budget(viewer, cycle, manager.get("managerChain", []), manager["_id"]):
        raise Forbidden(BUDGET_REFUSAL)


def projected_spend(cycle: Mapping[str, Any], participants: list[Document]) -> Money:
    """What the matrix recommends (each cell's target) for everyone in the cycle, in the cycle currency."""
    return Money(sum(rules.projected(p, cycle["matrix"]) for p in participants), cycle["currency"])


async def cycle_projection(context: Context, cycle: Document) -> Money | None:
    """``MeritCycle.projectedSpend``: compensation admins; ``None`` for anyone else (a hidden field of a
    cycle they may see: null by design, without an error)."""
    signed_in = await require(context)
    if not can_manage_compensation(signed_in.viewer):
        return None
    return projected_spend(cycle, await pay_store.participants(signed_in.store, cycle["_id"]))


@dataclass(frozen=True)
class Statement:
    cycle: Document
    participant: Document

    @property
    def old_pay(self) -> Money:
        return Money.of(self.participant["pay"])

    @property
    def approved(self) -> bool:
        return (self.participant.get("proposal") or {}).get("state") == "approved"

    @property
    def new_pay(self) -> Money:
        return rules.new_pay(self.participant) if self.approved else self.old_pay

    @property
    def increase(self) -> Money:
        return Money(self.new_pay.minor - self.old_pay.minor, self.old_pay.currency)

    @property
    def percent(self) -> Decimal:
        return Decimal(self.participant["proposal"]["percent"]) if self.approved else Decimal(0)

    @property
    def promotion_percent(self) -> Decimal | None:
        promotion = (self.participant.get("proposal") or {}).get("promotion") or {}
        return Decimal(promotion["percent"]) if self.approved and promotion.get("percent") is not None else None

    @property
    def effective_date(self) -> date:
        return date.fromisoformat(self.cycle["effectiveDate"])


async def statement(context: Context, cycle_id: str) -> Statement | None:
    """The viewer's own statement once the cycle is shared; ``None`` before, or when they took no part."""
    signed_in = await require(context)
    cycle = await signed_in.loaders.compensation.cycle_by_id.load(cycle_id)
    if cycle is None:
        return None
    participant = await pay_store.participant_of(signed_in.store, cycle_id, signed_in.viewer.employee_id)
    if participant is None or not can_see_statement(signed_in.viewer, cycle, participant):
        return None
    return Statement(cycle, participant)


# ---- pay equity --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class EquityFlag:
    position_id: str
    level: int | None
    lower: Document
    higher: Document
    lower_pay: Money
    higher_pay: Money
    gap: Decimal  # (higher − lower) ÷ lower


def resulting_pay(participant: Mapping[str, Any]) -> Money:
    """Pay after the current proposal, in the cycle currency (comparable across currencies)."""
    proposal = participant.get("proposal")
    base = Money.of(participant["payInCycle"])
    if not proposal:
        return base
    promotion = Money(int(proposal.get("promotionIncreaseMinor") or 0), base.currency)
    return base + rules.increase(participant, Decimal(proposal["percent"])) + promotion


def explained(lower: Mapping[str, Any], higher: Mapping[str, Any], hired: Mapping[str, str]) -> bool:
    """A recorded factor explains a gap: a higher calibrated rating, or two years' more tenure, of the
    better-paid person, or the two recorded in different pay zones (bands may differ by zone). A zone missing on
    either side explains nothing: only a recorded factor does."""
    if (higher.get("rating") or 0) > (lower.get("rating") or 0):
        return True
    if lower.get("zone") and higher.get("zone") and lower["zone"] != higher["zone"]:
        return True
    a, b = hired.get(lower["employeeId"]), hired.get(higher["employeeId"])
    if a and b:
        return rules.months_between(date.fromisoformat(b), date.fromisoformat(a)) >= TENURE_EXPLAINS_MONTHS
    return False


def equity_flags(participants: list[Document], levels: Mapping[str, int | None],
                 hired: Mapping[str, str]) -> list[EquityFlag]:
    """Among people of the same position and level, each pair whose resulting pay differs by 5 % or more of
    the lower with no recorded factor (:func:`explained`: rating, tenure, pay zone) explaining it, largest gap
    first."""
    groups: dict[tuple[str, int | None], list[Document]] = defaultdict(list)
    for p in participants:
        if p.get("positionId"):
            groups[(p["positionId"], levels.get(p["positionId"]))].append(p)
    flags = []
    for (position_id, level), people in groups.items():
        paid = sorted(((resulting_pay(p), p) for p in people), key=lambda t: (t[0].minor, t[1]["employeeId"]))
        for i, (low_pay, low) in enumerate(paid):
            for high_pay, high in paid[i + 1:]:
                if low_pay.minor <= 0:
                    continue
                gap = (Decimal(high_pay.minor - low_pay.minor) / Decimal(low_pay.minor))
                if gap >= EQUITY_GAP and not explained(low, high, hired):
                    flags.append(EquityFlag(position_id, level, low, high, low_pay, high_pay,
                                            gap.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)))
    return sorted(flags, key=lambda f: (-f.gap, f.lower["employeeId"], f.higher["employeeId"]))


async def pay_equity(context: Context, cycle_id: str) -> list[EquityFlag] | None:
    signed_in = await require_role(context, can_manage_compensation, ADMIN_REFUSAL)
    cycle = await signed_in.loaders.compensation.cycle_by_id.load(cycle_id)
    if cycle is None:
        return None
    people = await pay_store.participants(signed_in.store, cycle_id)
    positions = await signed_in.loaders.position_by_id.load_many(sorted({p["positionId"] for p in people
                                                                          if p.get("positionId")}))
    employees = await signed_in.loaders.employee_by_id.load_many([p["employeeId"] for p in people])
    levels = {p["_id"]: p.get("level") for p in positions if p}
    hired = {e["_id"]: e.get("hireDate") for e in employees if e and e.get("hireDate")}
    return equity_flags(people, levels, hired)
