"""Compensation types: Money, pay records and bands, a person's pay, merit cycles with their matrix, the
participants with their proposals and trail, budgets, statements and pay-equity flags."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, Self

import strawberry
from strawberry.types import Info

from models.compensation import cycles as rules
from models.compensation.cycles import Phase, SkipReason
from models.compensation.money import Money as MoneyValue
from models.compensation.money import decimal_of
from models.compensation.rules import PayFrequency, annual
from models.core.documents import Document
from resolvers.compensation import queries
from resolvers.compensation.access import PayView
from resolvers.core.context import Context
from resolvers.core.loading import load
from schema.core.cost import listed
from schema.core.descriptions import HIDDEN as NULL
from schema.core.descriptions import describe_values
from schema.org.types import Employee, EmployeeFields, Position, PositionFields

PayFrequencyEnum = strawberry.enum(PayFrequency, name="PayFrequency",
                                   description="How often a base amount is paid (annual pay is monthly × 12, "
                                               "hourly × 2,080).")
describe_values(PayFrequencyEnum, {
    "ANNUAL": "An amount per year.",
    "MONTHLY": "An amount per month (× 12 a year).",
    "HOURLY": "An amount per hour (× 2,080 a year).",
})
MeritPhaseEnum = strawberry.enum(Phase, name="MeritPhase", description="A merit cycle's phase, in order.")
describe_values(MeritPhaseEnum, {
    "DRAFT": "Being prepared: settings, matrix and budgets may change; no participant yet.",
    "LAUNCHING": "A launch under way (or stopped part-way: launching again completes it).",
    "PROPOSALS": "Managers propose increases for the people below them.",
    "REVIEW": "Proposals are submitted and decided up the chain and by compensation admins.",
    "APPROVED": "Decisions are locked; statements are not shown yet.",
    "SHARED": "Each participant reads their own statement.",
    "EXPORTED": "The payroll export was taken; final.",
})
MeritSkipReasonEnum = strawberry.enum(SkipReason, name="MeritSkipReason",
                                      description="Why a person takes no part in a merit cycle.")
describe_values(MeritSkipReasonEnum, {
    "NOT_ACTIVE": "Not active at launch (on leave or left).",
    "HIRED_AFTER_CUTOFF": "Hired after the cycle's hire cutoff.",
    "SHORT_TENURE": "Employed for fewer months than the cycle's minimum tenure.",
    "RECENT_PAY_CHANGE": "Their pay changed within the cycle's no-pay-change window.",
    "EXCLUDED": "The cycle excludes them by name.",
    "NO_PAY": "No pay is recorded for them.",
})


class ProposalState(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"


ProposalStateEnum = strawberry.enum(ProposalState, name="ProposalState",
                                    description="Draft (the manager edits it), submitted (counted as committed), "
                                                "approved.")
describe_values(ProposalStateEnum, {
    "DRAFT": "Proposed by a manager, who may still edit it.",
    "SUBMITTED": "Submitted, counted as committed in the budgets; decided up the chain, then by compensation admins.",
    "APPROVED": "Approved by compensation admins.",
})


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
class PayRecord:
    doc: strawberry.Private[Document]
    id: strawberry.ID
    effective_date: date = strawberry.field(description="The day it took effect.")
    base: Money = strawberry.field(description="The amount per frequency, in its currency.")
    frequency: PayFrequencyEnum = strawberry.field(description="Per what it is paid.")
    reason: str = strawberry.field(description="Why it changed.")
    recorded_at: datetime = strawberry.field(description="When it was recorded (UTC).")

    @classmethod
    def of(cls, doc: Document) -> PayRecord:
        return cls(doc=doc, id=strawberry.ID(doc["_id"]), effective_date=date.fromisoformat(doc["effectiveDate"]),
                   base=Money.stored(doc["base"]), frequency=PayFrequencyEnum(doc["frequency"]),
                   reason=doc["reason"], recorded_at=doc["recordedAt"])

    @strawberry.field(description="The base amount per year.")
    def annual(self) -> Money:
        return Money.of(annual(self.doc))


@strawberry.type(description="A position's pay band: minimum, midpoint and maximum of annual pay in one currency.")
class PayBand:
    doc: strawberry.Private[Document]
    id: strawberry.ID
    currency: str = strawberry.field(description="Its currency (ISO 4217).")
    minimum: Money = strawberry.field(description="The lowest annual pay of the band.")
    midpoint: Money = strawberry.field(description="Its midpoint (compa-ratio 1).")
    maximum: Money = strawberry.field(description="The highest annual pay of the band.")

    @classmethod
    def wrap(cls, doc: Document | None) -> PayBand | None:
        if doc is None:
            return None
        money = {n: Money.of(MoneyValue(doc[n], doc["currency"])) for n in ("minimum", "midpoint", "maximum")}
        return cls(doc=doc, id=strawberry.ID(doc["_id"]), currency=doc["currency"], **money)

    @strawberry.field(description="The position the band is for.")
    async def position(self, info: Info[Context, Any]) -> Position | None:
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

    @strawberry.field(description="The band of the person's position.")
    def band(self) -> PayBand | None:
        return PayBand.wrap(self.view.band)

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
    rating: int = strawberry.field(description="The calibrated rating, 1 to 5.")
    band: int = strawberry.field(description="The compa-ratio band: 0 below the first bound, and so on.")
    min: Decimal = strawberry.field(description="The lowest increase in percent.")
    target: Decimal = strawberry.field(description="The recommended increase in percent.")
    max: Decimal = strawberry.field(description="The highest increase in percent.")

    @classmethod
    def wrap(cls, cell: Document | None) -> MatrixCell | None:
        if cell is None:
            return None
        return cls(rating=cell["rating"], band=cell["band"], min=decimal_of(cell["min"]),
                   target=decimal_of(cell["target"]), max=decimal_of(cell["max"]))


@strawberry.type(description="The merit matrix: compa-ratio bounds and a cell per rating × band.")
class MeritMatrix:
    version: int = strawberry.field(description="Its version, raised by each save (send it back as baseVersion).")
    compa_bounds: list[Decimal] = strawberry.field(description="Increasing compa-ratio bounds between bands.",
                                                   metadata=listed(6))
    cells: list[MatrixCell] = strawberry.field(description="Every rating × band.", metadata=listed(35))

    @classmethod
    def of(cls, doc: Document) -> MeritMatrix:
        return cls(version=doc["version"], compa_bounds=[decimal_of(b) for b in doc["compaBounds"]],
                   cells=[c for c in map(MatrixCell.wrap, doc["cells"]) if c is not None])


@strawberry.type(description="A merit cycle: linked to a review cycle, with eligibility, a currency and its rates, "
                             "phases, a matrix and budgets.")
class MeritCycle:
    doc: strawberry.Private[Document]
    id: strawberry.ID
    name: str = strawberry.field(description="The cycle's name.")
    phase: MeritPhaseEnum = strawberry.field(description="Where it stands.")
    currency: str = strawberry.field(description="The currency of its budgets and totals (ISO 4217).")
    review_cycle_id: strawberry.ID | None = strawberry.field(description=(
        "The review cycle whose calibrated ratings it reads; null for none."))
    period_start: date = strawberry.field(description="The first day of the period the increase rewards.")
    period_end: date = strawberry.field(description="The last day of that period.")
    effective_date: date = strawberry.field(description="The day increases take effect.")
    hired_before: date = strawberry.field(description="Only people hired before this day take part.")
    min_tenure_months: int = strawberry.field(description=(
        "Participants have been employed at least this many months."))
    no_pay_change_months: int = strawberry.field(description=(
        "People whose pay changed within this many months are left out."))
    merit_budget_percent: Decimal = strawberry.field(description=(
        "The merit budget, in percent of the participants' pay."))
    block_over_budget: bool = strawberry.field(description="Whether proposals over a budget are refused.")
    eligible_count: int | None = strawberry.field(description="How many people take part; null before launch.")

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
    at: datetime = strawberry.field(description="When (UTC).")
    by_id: strawberry.ID | None = strawberry.field(description="Who did it; null for the system.")
    percent: Decimal | None = strawberry.field(description=(
        "The percent proposed or decided at this step; null when none."))
    reason: str | None = strawberry.field(description="A justification or a send-back reason.")

    @strawberry.field(description="Who did it.")
    async def by(self, info: Info[Context, Any]) -> Employee | None:
        return EmployeeFields.wrap(await load(info.context, "employee_by_id", self.by_id))


@strawberry.type(description="A proposed increase.")
class MeritProposal:
    participant: strawberry.Private[Document]
    percent: Decimal = strawberry.field(description="The proposed increase in percent.")
    state: ProposalStateEnum = strawberry.field(description="Where the proposal stands.")
    justification: str | None = strawberry.field(description="Why, as written; null without one.")
    deviation: bool = strawberry.field(description="Outside the matrix cell's range (a justification is required).")
    at: datetime = strawberry.field(description="When it was last changed (UTC).")

    @strawberry.field(description="The prorated increase in the cycle currency.")
    def increase(self) -> Money:
        return Money.of(rules.increase(self.participant, self.percent))

    @strawberry.field(description="Annual pay after the increase, in the person's own currency.")
    def new_pay(self) -> Money:
        return Money.of(rules.new_pay(self.participant))

    @strawberry.field(description="Who proposed it.")
    async def by(self, info: Info[Context, Any]) -> Employee | None:
        return EmployeeFields.wrap(await load(info.context, "employee_by_id", self.participant["proposal"]["byId"]))

    @strawberry.field(description="The manager a submitted proposal waits for (null: with HR, or not submitted).")
    async def pending_with(self, info: Info[Context, Any]) -> Employee | None:
        pending = self.participant["proposal"].get("pendingWith")
        return EmployeeFields.wrap(await load(info.context, "employee_by_id", pending))


@strawberry.type(description="A person in a merit cycle: the pay snapshot, the rating and matrix cell, the "
                             "proposal and its trail (calibrated rating → cell → proposal → approval).")
class MeritParticipant:
    doc: strawberry.Private[Document]
    id: strawberry.ID

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

    @strawberry.field(description="The matrix cell of the rating and compa-ratio, in the current matrix.")
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


@strawberry.type
class MeritParticipantEdge:
    cursor: str
    node: MeritParticipant


@strawberry.type(description="A page of participants.")
class MeritParticipantConnection:
    edges: list[MeritParticipantEdge]
    has_next_page: bool = strawberry.field(description="Whether more participants follow (read them with `after`).")
    total_count: int


@strawberry.type(description="A manager's merit budget for their organisation, rolled up the chain: allocated, "
                             "proposed (every proposal below), committed (submitted and approved) and remaining.")
class CompensationBudget:
    budget: strawberry.Private[queries.Budget]

    @strawberry.field(description="The manager whose organisation the budget covers.")
    async def manager(self, info: Info[Context, Any]) -> Employee | None:
        return EmployeeFields.wrap(await load(info.context, "employee_by_id", self.budget.document["managerId"]))

    @strawberry.field(description="The eligible payroll of their organisation at launch.")
    def payroll(self) -> Money:
        return Money.of(self.budget.money("payrollMinor"))

    @strawberry.field(description="The budget.")
    def allocated(self) -> Money:
        return Money.of(self.budget.money("allocatedMinor"))

    @strawberry.field(description="Every proposal below them.")
    def proposed(self) -> Money:
        return Money.of(self.budget.money("proposedMinor"))

    @strawberry.field(description="Submitted and approved proposals below them.")
    def committed(self) -> Money:
        return Money.of(self.budget.money("committedMinor"))

    @strawberry.field(description="Allocated − committed.")
    def remaining(self) -> Money:
        return Money.of(self.budget.remaining)

    @strawberry.field(description="Committed spend exceeds the allocation.")
    def over_budget(self) -> bool:
        return self.budget.over_budget


@strawberry.type(description="A person's pay statement once the cycle is shared: only their own.")
class PayStatement:
    statement: strawberry.Private[queries.Statement]

    @strawberry.field(description="The cycle's name.")
    def cycle_name(self) -> str:
        return self.statement.cycle["name"]

    @strawberry.field(description="When the new pay takes effect.")
    def effective_date(self) -> date:
        return self.statement.effective_date

    @strawberry.field(description="Annual pay before.")
    def old_pay(self) -> Money:
        return Money.of(self.statement.old_pay)

    @strawberry.field(description="Annual pay after.")
    def new_pay(self) -> Money:
        return Money.of(self.statement.new_pay)

    @strawberry.field(description="The increase: new pay minus current pay, in the cycle currency.")
    def increase(self) -> Money:
        return Money.of(self.statement.increase)

    @strawberry.field(description="The increase in percent (before proration).")
    def percent(self) -> Decimal:
        return self.statement.percent


@strawberry.type(description="Two people of the same position and level whose resulting pay differs by 5 % or more "
                             "of the lower, with no recorded factor (rating, tenure) explaining it.")
class PayEquityFlag:
    flag: strawberry.Private[queries.EquityFlag]

    @strawberry.field(description="The position both people hold.")
    async def position(self, info: Info[Context, Any]) -> Position | None:
        return PositionFields.wrap(await load(info.context, "position_by_id", self.flag.position_id))

    @strawberry.field(description="The position's level.")
    def level(self) -> int | None:
        return self.flag.level

    @strawberry.field(description="The lower-paid person.")
    async def lower(self, info: Info[Context, Any]) -> Employee | None:
        return EmployeeFields.wrap(await load(info.context, "employee_by_id", self.flag.lower["employeeId"]))

    @strawberry.field(description="The higher-paid person.")
    async def higher(self, info: Info[Context, Any]) -> Employee | None:
        return EmployeeFields.wrap(await load(info.context, "employee_by_id", self.flag.higher["employeeId"]))

    @strawberry.field(description="Resulting pay of the lower-paid person, in the cycle currency.")
    def lower_pay(self) -> Money:
        return Money.of(self.flag.lower_pay)

    @strawberry.field(description="Resulting pay of the higher-paid person, in the cycle currency.")
    def higher_pay(self) -> Money:
        return Money.of(self.flag.higher_pay)

    @strawberry.field(description="The gap in percent of the lower pay.")
    def gap_percent(self) -> Decimal:
        return self.flag.gap * 100


@strawberry.type(description="Someone not in the cycle, and why.")
class MeritSkip:
    employee_id: strawberry.ID = strawberry.field(description="The person left out.")
    reason: MeritSkipReasonEnum = strawberry.field(description="Why.")


@strawberry.type(description="What a launch did.")
class MeritLaunchSummary:
    eligible: int = strawberry.field(description="How many people take part.")
    skipped_count: int = strawberry.field(description="How many were left out (see skipped).")
    payroll: Money = strawberry.field(description="The eligible payroll in the cycle currency.")
    skipped: list[MeritSkip] = strawberry.field(description="The first 1,000 people skipped, by id.",
                                                metadata=listed(1000))
