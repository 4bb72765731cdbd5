"""Compensation types: Money, pay records and bands, a person's pay, merit cycles with their matrix, the
participants with their proposals and trail, budgets, statements and pay-equity flags."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Self

import strawberry
from strawberry.types import Info

from models.compensation import cycles as rules
from models.compensation.money import Money as MoneyValue
from models.compensation.money import decimal_of
from models.compensation.permissions import can_see_participant
from models.compensation.rules import annual
from models.core.documents import Document
from resolvers.compensation import queries
from resolvers.compensation.access import PayView
from resolvers.core.context import Context
from resolvers.core.loading import load
from schema.compensation.enums import (
    BandMatchEnum,
    MeritPhaseEnum,
    PayFrequencyEnum,
    ProposalStateEnum,
)
from schema.core.cost import listed
from schema.core.descriptions import HIDDEN as NULL
from schema.core.history import HISTORY_LISTED, LAST, AuditEntry, history_of
from schema.core.node import Node
from schema.core.pagination import Connection
from schema.org.types import Employee, EmployeeFields, Position, PositionFields


@strawberry.type(description="An exact amount: a decimal in a currency's minor units, never a binary float.")
class Money:
    amount: Decimal = strawberry.field(description="The amount, exact to the currency's minor unit.")
    currency: str = strawberry.field(description="ISO 4217 code.")

    @classmethod
    def of(cls, money: MoneyValue) -> Money:
        return cls(amount=money.amount, currency=money.currency)

    @classmethod
    def stored(cls, document: Document) -> Money:
        return cls.of(MoneyValue.of(document))


@strawberry.type(description="One effective-dated pay record; records are only added, so history is kept.")
class PayRecord(Node):
    doc: strawberry.Private[Document]
    id: strawberry.ID = strawberry.field(description="The record's id.")
    effective_date: date = strawberry.field(description="From when it applies.")
    base: Money = strawberry.field(description="The base amount, per its frequency.")
    frequency: PayFrequencyEnum = strawberry.field(description="How often the base amount is paid.")
    reason: str = strawberry.field(description="Why (hire, merit, promotion, …).")
    recorded_at: datetime = strawberry.field(description="When it was recorded.")

    @classmethod
    def of(cls, doc: Document) -> PayRecord:
        return cls(doc=doc, id=strawberry.ID(doc["_id"]), effective_date=date.fromisoformat(doc["effectiveDate"]),
                   base=Money.stored(doc["base"]), frequency=PayFrequencyEnum(doc["frequency"]),
                   reason=doc["reason"], recorded_at=doc["recordedAt"])

    @strawberry.field(description="The base amount per year.")
    def annual(self) -> Money:
        return Money.of(annual(self.doc))


@strawberry.type(description="A pay band: minimum, midpoint and maximum of annual pay in one currency, for a "
                             "position or a position level, in a location zone or for every zone.")
class PayBand(Node):
    doc: strawberry.Private[Document]
    id: strawberry.ID = strawberry.field(description="The band's id.")
    currency: str = strawberry.field(description="ISO 4217 code of the band's amounts.")
    minimum: Money = strawberry.field(description="The lowest annual pay of the band.")
    midpoint: Money = strawberry.field(description="The band's midpoint (compa-ratio 1).")
    maximum: Money = strawberry.field(description="The highest annual pay of the band.")
    level: int | None = strawberry.field(description="The position level the band is for (null: a position's band).")
    zone: str | None = strawberry.field(description="The location zone the band applies in (null: every zone "
                                                    "without a band of its own).")

    @classmethod
    def wrap(cls, doc: Document | None) -> PayBand | None:
        if doc is None:
            return None
        money = {n: Money.of(MoneyValue(doc[n], doc["currency"])) for n in ("minimum", "midpoint", "maximum")}
        return cls(doc=doc, id=strawberry.ID(doc["_id"]), currency=doc["currency"], level=doc.get("level"),
                   zone=doc.get("zone"), **money)

    @strawberry.field(description="The position the band is for (null: a level's band).")
    async def position(self, info: Info[Context, Any]) -> Position | None:
        if not self.doc.get("positionId"):
            return None
        return PositionFields.wrap(await load(info.context, "position_by_id", self.doc["positionId"]))


@strawberry.type(description="A person's pay as the viewer may see it: current record, band, compa-ratio, and "
                             "(for the person and compensation admins) the history.")
class EmployeePay:
    view: strawberry.Private[PayView]

    @strawberry.field(description="The person.")
    def employee(self) -> Employee:
        return EmployeeFields.of(self.view.employee)

    @strawberry.field(description="The record in effect today.")
    def current(self) -> PayRecord | None:
        return PayRecord.of(self.view.current) if self.view.current else None

    @strawberry.field(description="Annual pay today.")
    def annual(self) -> Money | None:
        return Money.of(self.view.annual) if self.view.annual else None

    @strawberry.field(description="The person's band: by position or level, in their zone (see bandMatch).")
    def band(self) -> PayBand | None:
        return PayBand.wrap(self.view.band)

    @strawberry.field(description="The person's location zone for pay (null: none assigned).")
    def zone(self) -> str | None:
        return self.view.zone

    @strawberry.field(description="How the band was found (null: no band applies).")
    def band_match(self) -> BandMatchEnum | None:
        return BandMatchEnum(self.view.band_match) if self.view.band_match else None

    @strawberry.field(description="Annual pay ÷ the band's midpoint (null without a band in the pay's currency).")
    def compa_ratio(self) -> Decimal | None:
        return self.view.compa_ratio

    @strawberry.field(description="Position in the band: 0 at its minimum, 1 at its maximum.")
    def range_position(self) -> Decimal | None:
        return self.view.range_position

    @strawberry.field(description="Every record, oldest first: the person and compensation admins (others: empty).",
                      metadata=listed(200))
    def history(self) -> list[PayRecord]:
        return [PayRecord.of(r) for r in self.view.history[-200:]]


@strawberry.type(description="Units of the cycle currency per unit of another currency.")
class ExchangeRate:
    currency: str = strawberry.field(description="The other currency.")
    rate: Decimal = strawberry.field(description="Cycle-currency units per unit of it.")


@strawberry.type(description="One cell of the merit matrix: a calibrated rating × a compa-ratio band → an increase "
                             "range in percent.")
class MatrixCell:
    rating: int = strawberry.field(description="The calibrated rating, 1-5.")
    band: int = strawberry.field(description="The compa-ratio band: 0 below the first bound, and so on.")
    min: Decimal = strawberry.field(description="The lowest recommended increase, in percent.")
    target: Decimal = strawberry.field(description="The recommended increase, in percent.")
    max: Decimal = strawberry.field(description="The highest recommended increase, in percent.")

    @classmethod
    def wrap(cls, cell: Document | None) -> MatrixCell | None:
        if cell is None:
            return None
        return cls(rating=cell["rating"], band=cell["band"], min=decimal_of(cell["min"]),
                   target=decimal_of(cell["target"]), max=decimal_of(cell["max"]))


@strawberry.type(description="The merit matrix: compa-ratio bounds and a cell per rating × band.")
class MeritMatrix:
    version: int = strawberry.field(description="Bumped by each change (saveMeritMatrix's baseVersion).")
    compa_bounds: list[Decimal] = strawberry.field(description="Increasing compa-ratio bounds between bands.",
                                                   metadata=listed(6))
    cells: list[MatrixCell] = strawberry.field(description="Every rating × band.", metadata=listed(35))

    @classmethod
    def of(cls, doc: Document) -> MeritMatrix:
        return cls(version=doc["version"], compa_bounds=[decimal_of(b) for b in doc["compaBounds"]],
                   cells=[c for c in map(MatrixCell.wrap, doc["cells"]) if c is not None])


@strawberry.type(description="A merit cycle: linked to a review cycle, with eligibility, a currency and its rates, "
                             "phases, a matrix and budgets.")
class MeritCycle(Node):
    doc: strawberry.Private[Document]
    id: strawberry.ID = strawberry.field(description="The cycle's id.")
    name: str = strawberry.field(description="The cycle's name.")
    phase: MeritPhaseEnum = strawberry.field(description="Where the cycle stands.")
    currency: str = strawberry.field(description="The cycle currency (ISO 4217), fixed at launch.")
    review_cycle_id: strawberry.ID | None = strawberry.field(
        description="The review cycle whose calibrated ratings it uses.")
    period_start: date = strawberry.field(description="First day of the period worked (for proration).")
    period_end: date = strawberry.field(description="Last day of the period worked.")
    effective_date: date = strawberry.field(description="When the new pay takes effect.")
    hired_before: date = strawberry.field(description="Eligible: hired strictly before this date.")
    min_tenure_months: int = strawberry.field(
        description="Eligible: at least this many months of tenure at the cutoff.")
    no_pay_change_months: int = strawberry.field(
        description="Eligible: no pay change in this many months before the cutoff.")
    merit_budget_percent: Decimal = strawberry.field(
        description="The merit pool at launch, as a % of eligible payroll.")
    block_over_budget: bool = strawberry.field(
        description="Proposals that would take a budget over its allocation are refused (else a warning).")
    eligible_count: int | None = strawberry.field(description="How many people took part at launch (null before).")

    @classmethod
    def wrap(cls, doc: Document | None) -> Self | None:
        if doc is None:
            return None
        rules_ = doc["eligibility"]
        return cls(doc=doc, id=strawberry.ID(doc["_id"]), name=doc["name"], phase=MeritPhaseEnum(doc["phase"]),
                   currency=doc["currency"], review_cycle_id=doc.get("reviewCycleId"),
                   period_start=date.fromisoformat(doc["periodStart"]), period_end=date.fromisoformat(doc["periodEnd"]),
                   effective_date=date.fromisoformat(doc["effectiveDate"]),
                   hired_before=date.fromisoformat(rules_["hiredBefore"]),
                   min_tenure_months=rules_.get("minTenureMonths", 0),
                   no_pay_change_months=rules_.get("noPayChangeMonths", 0),
                   merit_budget_percent=decimal_of(doc["meritBudgetPercent"]),
                   block_over_budget=doc.get("blockOverBudget", False), eligible_count=doc.get("eligibleCount"))

    @classmethod
    def wrap_all(cls, docs: list[Document]) -> list[Self]:
        return [c for c in map(cls.wrap, docs) if c is not None]

    @strawberry.field(description="Exchange rates into the cycle currency.", metadata=listed(50))
    def rates(self) -> list[ExchangeRate]:
        return [ExchangeRate(currency=c, rate=decimal_of(r)) for c, r in sorted(self.doc.get("rates", {}).items())]

    @strawberry.field(description="The merit matrix.")
    def matrix(self) -> MeritMatrix:
        return MeritMatrix.of(self.doc["matrix"])

    @strawberry.field(description="What the matrix recommends for everyone (each cell's target), in the cycle "
                                  f"currency. Compensation admins only: {NULL}.")
    async def projected_spend(self, info: Info[Context, Any]) -> Money | None:
        spend = await queries.cycle_projection(info.context, self.doc)
        return None if spend is None else Money.of(spend)


@strawberry.type(description="One entry of a proposal's trail: who did what, when and why.")
class TrailEntry:
    kind: str = strawberry.field(description="proposed, submitted, endorsed (a manager up the chain), approved "
                                             "(HR), sent_back or pay_changed.")
    at: datetime = strawberry.field(description="When.")
    by_id: strawberry.ID | None = strawberry.field(description="Who did it (null: the system, e.g. a pay change).")
    percent: Decimal | None = strawberry.field(description="The percent proposed, for a proposal.")
    reason: str | None = strawberry.field(description="A justification or a send-back reason.")

    @strawberry.field(description="Who did it.")
    async def by(self, info: Info[Context, Any]) -> Employee | None:
        return EmployeeFields.wrap(await load(info.context, "employee_by_id", self.by_id))


@strawberry.type(description="A proposed increase.")
class MeritProposal:
    participant: strawberry.Private[Document]
    percent: Decimal = strawberry.field(description="The merit increase in percent (before proration).")
    state: ProposalStateEnum = strawberry.field(description="Where the proposal stands.")
    justification: str | None = strawberry.field(description="Why (required outside the matrix cell).")
    deviation: bool = strawberry.field(description="Outside the matrix cell's range (a justification is required).")
    at: datetime = strawberry.field(description="When it was last proposed.")

    @strawberry.field(description="The matrix cell the proposal was made against: the rating × compa-ratio band "
                                  "and its range as they stood then, kept when the matrix changes later (null: no "
                                  "cell, without a rating or a band). The participant's cell is the current one.")
    def cell(self) -> MatrixCell | None:
        return MatrixCell.wrap(self.participant["proposal"].get("cell"))

    @strawberry.field(description="The version of the cycle's merit matrix the proposal was made against "
                                  "(MeritMatrix.version then).")
    def matrix_version(self) -> int:
        return int(self.participant["proposal"]["matrixVersion"])

    @strawberry.field(description="The prorated increase in the cycle currency.")
    def increase(self) -> Money:
        return Money.of(rules.increase(self.participant, self.percent))

    @strawberry.field(description="Annual pay after the increase (and any promotion increase), in the person's own "
                                  "currency.")
    def new_pay(self) -> Money:
        return Money.of(rules.new_pay(self.participant))

    @strawberry.field(description="The promotion increase in percent (null: none; only with an approved promotion "
                                  "effective in the cycle).")
    def promotion_percent(self) -> Decimal | None:
        promotion = self.participant["proposal"].get("promotion") or {}
        return decimal_of(promotion["percent"]) if promotion.get("percent") is not None else None

    @strawberry.field(description="The promotion increase in the cycle currency (not prorated; null: none).")
    def promotion_increase(self) -> Money | None:
        minor = self.participant["proposal"].get("promotionIncreaseMinor")
        return Money.of(MoneyValue(int(minor), self.participant["payInCycle"]["currency"])) if minor else None

    @strawberry.field(description="Who proposed it.")
    async def by(self, info: Info[Context, Any]) -> Employee | None:
        return EmployeeFields.wrap(await load(info.context, "employee_by_id", self.participant["proposal"]["byId"]))

    @strawberry.field(description="The manager a submitted proposal waits for (null: with HR, or not submitted).")
    async def pending_with(self, info: Info[Context, Any]) -> Employee | None:
        pending = self.participant["proposal"].get("pendingWith")
        return EmployeeFields.wrap(await load(info.context, "employee_by_id", pending))

    @strawberry.field(description="Those who may see the proposal (compensation admins; the managers above the person"
                      " while the cycle takes proposals): its latest changes, newest first, pay recorded "
                      "as changed without its values.",
                      metadata=listed(HISTORY_LISTED))
    async def history(self, info: Info[Context, Any],
                      last: Annotated[int, LAST] = HISTORY_LISTED) -> list[AuditEntry] | None:
        viewer = info.context.viewer
        cycle = await info.context.loaders.compensation.cycle_by_id.load(self.participant["cycleId"])
        allowed = viewer is not None and cycle is not None and can_see_participant(viewer, cycle, self.participant)
        return await history_of(info, self.participant["_id"], allowed, "a merit proposal's history is for those "
                                                                        "who may see it", last=last)


@strawberry.type(description="A person in a merit cycle: the pay snapshot, the rating and matrix cell, the "
                             "proposal and its trail (calibrated rating → cell → proposal → approval).")
class MeritParticipant(Node):
    doc: strawberry.Private[Document]
    id: strawberry.ID = strawberry.field(description="The participant's id.")

    @classmethod
    def wrap(cls, doc: Document | None) -> MeritParticipant | None:
        return None if doc is None else cls(doc=doc, id=strawberry.ID(doc["_id"]))

    @strawberry.field(description="The person.")
    async def employee(self, info: Info[Context, Any]) -> Employee | None:
        return EmployeeFields.wrap(await load(info.context, "employee_by_id", self.doc["employeeId"]))

    @strawberry.field(description="Annual pay at the snapshot, in the person's currency.")
    def pay(self) -> Money:
        return Money.stored(self.doc["pay"])

    @strawberry.field(description="Annual pay at the snapshot, in the cycle currency.")
    def pay_in_cycle_currency(self) -> Money:
        return Money.stored(self.doc["payInCycle"])

    @strawberry.field(description="Compa-ratio at the snapshot.")
    def compa_ratio(self) -> Decimal | None:
        return decimal_of(self.doc["compaRatio"]) if self.doc.get("compaRatio") else None

    @strawberry.field(description="The final (calibrated) rating of the linked review cycle.")
    def rating(self) -> int | None:
        return self.doc.get("rating")

    @strawberry.field(description="Share of the period worked (whole months).")
    def proration(self) -> Decimal:
        return decimal_of(self.doc["proration"])

    @strawberry.field(description="Position in the band at the snapshot: 0 at its minimum, 1 at its maximum.")
    def range_position(self) -> Decimal | None:
        return decimal_of(self.doc["rangePosition"]) if self.doc.get("rangePosition") else None

    @strawberry.field(description="The person's pay zone at the snapshot (null: none).")
    def zone(self) -> str | None:
        return self.doc.get("zone")

    @strawberry.field(description="The level of the person's position at the snapshot.")
    def level(self) -> int | None:
        return self.doc.get("level")

    @strawberry.field(description="The matrix cell of the rating and compa-ratio, in the current matrix (the "
                                  "proposal's cell: the one it was made against).")
    async def cell(self, info: Info[Context, Any]) -> MatrixCell | None:
        await info.context.authenticate()
        cycle = await info.context.loaders.compensation.cycle_by_id.load(self.doc["cycleId"])
        if cycle is None:
            return None
        return MatrixCell.wrap(rules.cell_for(cycle["matrix"], self.doc.get("rating"), self.doc.get("compaRatio")))

    @strawberry.field(description="The proposal, if any.")
    def proposal(self) -> MeritProposal | None:
        p = self.doc.get("proposal")
        if not p:
            return None
        cell = p.get("cell")
        percent = decimal_of(p["percent"])
        deviation = cell is None or not decimal_of(cell["min"]) <= percent <= decimal_of(cell["max"])
        return MeritProposal(participant=self.doc, percent=percent, state=ProposalStateEnum(p["state"]),
                             justification=p.get("justification"), deviation=deviation, at=p["at"])

    @strawberry.field(description="Every change: who, when, what, why.", metadata=listed(20))
    def trail(self) -> list[TrailEntry]:
        return [TrailEntry(kind=e["kind"], at=e["at"], by_id=e.get("byId"),
                           percent=decimal_of(e["percent"]) if e.get("percent") else None,
                           reason=e.get("justification") or e.get("reason")) for e in self.doc.get("trail", [])[-200:]]


@strawberry.type(description="A page of participants.")
class MeritParticipantConnection(Connection[MeritParticipant]):
    @strawberry.field(description="More participants follow this page.",
                      deprecation_reason="Use pageInfo.hasNextPage, as on every other connection.")
    def has_next_page(self) -> bool:
        return self.page_info.has_next_page


