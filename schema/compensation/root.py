"""The compensation domain's queries, mutations and subscriptions."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from models.compensation.cycles import Phase
from resolvers.compensation import mutations, queries, subscriptions
from resolvers.compensation.access import visible_pay
from resolvers.core.context import Context
from schema.compensation.inputs import (
    ExchangeRateInput,
    MatrixCellInput,
    MeritCycleInput,
    PayBandInput,
    RecordPayInput,
    band_data,
    cells_data,
    cycle_data,
    pay_data,
    rates_data,
)
from schema.compensation.types import (
    CompensationBudget,
    EmployeePay,
    MeritCycle,
    MeritLaunchSummary,
    MeritParticipant,
    MeritParticipantConnection,
    MeritParticipantEdge,
    MeritPhaseEnum,
    MeritSkip,
    MeritSkipReasonEnum,
    Money,
    PayBand,
    PayEquityFlag,
    PayRecord,
    PayStatement,
)
from schema.core.cost import listed
from schema.core.errors import Error, errors_of


@strawberry.type(description="The band saved, or why nothing was written.")
class PayBandPayload:
    band: PayBand | None
    errors: list[Error]


@strawberry.type(description="The pay record added, or why nothing was written.")
class PayRecordPayload:
    record: PayRecord | None
    errors: list[Error]


@strawberry.type(description="The merit cycle after the change, or why nothing was written.")
class MeritCyclePayload:
    cycle: MeritCycle | None
    errors: list[Error]


@strawberry.type(description="The launched cycle and what the launch did, or why nothing was written.")
class LaunchMeritCyclePayload:
    cycle: MeritCycle | None
    launch: MeritLaunchSummary | None
    errors: list[Error]


@strawberry.type(description="The participant with the proposal, or why nothing was written.")
class ProposalPayload:
    participant: MeritParticipant | None
    over_budget: list[CompensationBudget] = strawberry.field(
        description="The budgets above the person whose proposals now exceed their allocation (a warning; HR "
                    "blocks instead with blockOverBudget).", metadata=listed(20))
    errors: list[Error]


@strawberry.type(description="The proposals submitted or decided, or why nothing was written.")
class ProposalsPayload:
    cycle: MeritCycle | None
    participants: list[MeritParticipant] = strawberry.field(
        description="Those changed (as many as the employees named, at most 500 a call).", metadata=listed(500))
    errors: list[Error]


@strawberry.type(description="The budget after the change, or why nothing was written.")
class CompensationBudgetPayload:
    budget: CompensationBudget | None
    errors: list[Error]


@strawberry.type(description="The projected spend after a matrix change.")
class MeritMatrixChange:
    cycle: MeritCycle = strawberry.field(description="The cycle whose matrix changed.")
    projected_spend: Money = strawberry.field(description=(
        "What the new matrix recommends for everyone, in the cycle currency."))


@strawberry.type
class CompensationQuery:
    @strawberry.field(description="Compensation admins: every position's pay band.", metadata=listed(500))
    async def pay_bands(self, info: Info[Context, Any]) -> list[PayBand] | None:
        return [b for b in map(PayBand.wrap, await queries.pay_bands(info.context)) if b is not None]

    @strawberry.field(description="A person's pay: the person, compensation admins, and their managers while a merit "
                                  "cycle is in proposals or review (FORBIDDEN otherwise).")
    async def employee_pay(
        self, info: Info[Context, Any],
        employee_id: Annotated[strawberry.ID, strawberry.argument(description="The person whose pay to read.")],
    ) -> EmployeePay | None:
        view = await visible_pay(info.context, str(employee_id))
        return EmployeePay(view=view) if view else None

    @strawberry.field(description="A merit cycle: compensation admins; managers during proposals and review; "
                                  "everyone once shared.")
    async def merit_cycle(
        self, info: Info[Context, Any],
        id: Annotated[strawberry.ID, strawberry.argument(description="The merit cycle's id (MeritCycle.id).")],
    ) -> MeritCycle | None:
        return MeritCycle.wrap(await queries.merit_cycle(info.context, str(id)))

    @strawberry.field(description="The merit cycles the viewer may see, latest period first.", metadata=listed(100))
    async def merit_cycles(self, info: Info[Context, Any]) -> list[MeritCycle] | None:
        return MeritCycle.wrap_all((await queries.merit_cycles(info.context))[:100])

    @strawberry.field(description="The participants below a manager with their proposals (first ≤ 100): "
                                  "compensation admins; that manager and those above during proposals and review; "
                                  "never the viewer's own.")
    async def merit_proposals(
        self, info: Info[Context, Any],
        cycle_id: Annotated[strawberry.ID, strawberry.argument(description="The merit cycle.")],
        manager_id: Annotated[strawberry.ID, strawberry.argument(description=(
            "The manager whose organisation to list (yourself, or below you)."))],
        first: int = 50,
        after: str | None = None,
    ) -> MeritParticipantConnection | None:
        page = await queries.proposals(info.context, str(cycle_id), str(manager_id), first, after)
        edges = [MeritParticipantEdge(cursor=queries.BY_EMPLOYEE.cursor(d), node=MeritParticipant(doc=d, id=d["_id"]))
                 for d in page.documents]
        return MeritParticipantConnection(edges=edges, has_next_page=page.has_next_page, total_count=page.total_count)

    @strawberry.field(description="A manager's budget: that manager and those above during proposals and review; "
                                  "compensation admins.")
    async def compensation_budget(
        self, info: Info[Context, Any],
        cycle_id: Annotated[strawberry.ID, strawberry.argument(description="The merit cycle.")],
        manager_id: Annotated[strawberry.ID, strawberry.argument(description=(
            "The manager whose organisation's budget to read."))],
    ) -> CompensationBudget | None:
        budget = await queries.budget(info.context, str(cycle_id), str(manager_id))
        return CompensationBudget(budget=budget) if budget else None

    @strawberry.field(description="Compensation admins: unexplained gaps of 5 % or more in resulting pay between "
                                  "people of the same position and level.", metadata=listed(1000))
    async def pay_equity_flags(
        self, info: Info[Context, Any],
        cycle_id: Annotated[strawberry.ID, strawberry.argument(description="The merit cycle.")],
    ) -> list[PayEquityFlag] | None:
        flags = await queries.pay_equity(info.context, str(cycle_id)) or []
        return [PayEquityFlag(flag=f) for f in flags[:1000]]

    @strawberry.field(description="The viewer's own pay statement, once the cycle is shared (null before).")
    async def my_pay_statement(
        self, info: Info[Context, Any],
        cycle_id: Annotated[strawberry.ID, strawberry.argument(description="The merit cycle, once shared.")],
    ) -> PayStatement | None:
        found = await queries.statement(info.context, str(cycle_id))
        return PayStatement(statement=found) if found else None


def _cycle_payload(outcome: Any) -> MeritCyclePayload:
    return MeritCyclePayload(cycle=MeritCycle.wrap(outcome.document), errors=errors_of(outcome.errors))


@strawberry.type
class CompensationMutation:
    @strawberry.mutation(description="Compensation admins: a position's pay band (replaced whole).")
    async def save_pay_band(
        self, info: Info[Context, Any],
        input: Annotated[PayBandInput, strawberry.argument(description=(
            "The band (one per position and currency: saving again replaces it)."))],
    ) -> PayBandPayload:
        outcome = await mutations.save_band(info.context, band_data(input))
        return PayBandPayload(band=PayBand.wrap(outcome.document), errors=errors_of(outcome.errors))

    @strawberry.mutation(description="Compensation admins: add a pay record (history is kept). While a merit cycle is "
                                     "in proposals or review the person's snapshot follows it; after approval it "
                                     "is locked.")
    async def record_pay(
        self, info: Info[Context, Any],
        input: Annotated[RecordPayInput, strawberry.argument(description="The pay record.")],
    ) -> PayRecordPayload:
        outcome = await mutations.record_pay(info.context, pay_data(input))
        return PayRecordPayload(record=PayRecord.of(outcome.document) if outcome.document else None,
                                errors=errors_of(outcome.errors))

    @strawberry.mutation(description="Compensation admins: a draft merit cycle.")
    async def create_merit_cycle(
        self, info: Info[Context, Any],
        input: Annotated[MeritCycleInput, strawberry.argument(description=(
            "The new cycle (a draft until launched)."))],
    ) -> MeritCyclePayload:
        return _cycle_payload(await mutations.create_cycle(info.context, cycle_data(input)))

    @strawberry.mutation(description="Compensation admins: draft → proposals. Eligibility, the pay snapshot in the "
                                     "cycle currency (refused when a currency has no rate), calibrated ratings and "
                                     "budgets. A launch stopped part-way completes when run again.")
    async def launch_merit_cycle(
        self, info: Info[Context, Any],
        cycle_id: Annotated[strawberry.ID, strawberry.argument(description="The draft cycle.")],
    ) -> LaunchMeritCyclePayload:
        outcome = await mutations.launch_cycle(info.context, str(cycle_id))
        report = outcome.extra.get("launch")
        summary = None
        if report is not None:
            summary = MeritLaunchSummary(
                eligible=report.eligible, skipped_count=len(report.skipped), payroll=Money.of(report.payroll),
                skipped=[MeritSkip(employee_id=strawberry.ID(i), reason=MeritSkipReasonEnum(r))
                         for i, r in report.skipped[:1000]])
        return LaunchMeritCyclePayload(cycle=MeritCycle.wrap(outcome.document), launch=summary,
                                       errors=errors_of(outcome.errors))

    @strawberry.mutation(description="Compensation admins: the next phase (proposals → review → approved → shared → "
                                     "exported); approving locks the cycle.")
    async def advance_merit_cycle(
        self, info: Info[Context, Any],
        cycle_id: Annotated[strawberry.ID, strawberry.argument(description="The cycle.")],
        phase: Annotated[MeritPhaseEnum, strawberry.argument(description="The next phase (one step at a time).")],
    ) -> MeritCyclePayload:
        return _cycle_payload(await mutations.advance_cycle(info.context, str(cycle_id), Phase(phase).value))

    @strawberry.mutation(description="Compensation admins: share the cycle (approved → shared): each person sees their "
                                     "own statement.")
    async def share_merit_cycle(
        self, info: Info[Context, Any],
        cycle_id: Annotated[strawberry.ID, strawberry.argument(description="The approved cycle.")],
    ) -> MeritCyclePayload:
        return _cycle_payload(await mutations.advance_cycle(info.context, str(cycle_id), Phase.SHARED.value))

    @strawberry.mutation(description="Compensation admins: the merit matrix (replaced whole, from baseVersion); "
                                     "pushes the projected spend to meritMatrixChanged.")
    async def save_merit_matrix(
        self, info: Info[Context, Any],
        cycle_id: Annotated[strawberry.ID, strawberry.argument(description="The cycle, in draft.")],
        compa_bounds: Annotated[list[Decimal], strawberry.argument(description=(
            "Up to six increasing positive compa-ratios splitting the bands."))],
        cells: Annotated[list[MatrixCellInput], strawberry.argument(description=(
            "Every cell: each rating 1–5 × each band once."))],
        base_version: Annotated[int, strawberry.argument(description=(
            "The matrix version you edited (MeritMatrix.version); a stale one is refused with CONFLICT."))],
    ) -> MeritCyclePayload:
        return _cycle_payload(await mutations.save_matrix(info.context, str(cycle_id), compa_bounds,
                                                          cells_data(cells), base_version))

    @strawberry.mutation(description="Compensation admins: a draft cycle's exchange rates into its currency "
                                     "(replaced whole; fixed at launch with the snapshot).")
    async def save_exchange_rates(
        self, info: Info[Context, Any],
        cycle_id: Annotated[strawberry.ID, strawberry.argument(description="The cycle.")],
        rates: Annotated[list[ExchangeRateInput], strawberry.argument(description=(
            "The whole new list of rates (replacing the old one)."))],
    ) -> MeritCyclePayload:
        return _cycle_payload(await mutations.save_rates(info.context, str(cycle_id), rates_data(rates)))

    @strawberry.mutation(description="Compensation admins: a manager's merit budget, as a % of their organisation's "
                                     "eligible payroll or an amount in the cycle currency.")
    async def set_compensation_budget(
        self, info: Info[Context, Any],
        cycle_id: Annotated[strawberry.ID, strawberry.argument(description="The cycle.")],
        manager_id: Annotated[strawberry.ID, strawberry.argument(description=(
            "The manager whose organisation's budget it is."))],
        percent: Annotated[Decimal | None, strawberry.argument(description=(
            "The budget in percent of the organisation's pay (send this or amount)."))] = None,
        amount: Annotated[Decimal | None, strawberry.argument(description=(
            "The budget as an amount in the cycle currency (send this or percent)."))] = None,
    ) -> CompensationBudgetPayload:
        outcome = await mutations.set_budget(info.context, str(cycle_id), str(manager_id), percent, amount)
        budget = None
        if outcome.document is not None:
            cycle = await queries.merit_cycle(info.context, str(cycle_id))
            budget = CompensationBudget(budget=queries.Budget(outcome.document, cycle or {}))
        return CompensationBudgetPayload(budget=budget, errors=errors_of(outcome.errors))

    @strawberry.mutation(description="A manager above the person: a proposed increase (percent, or an amount in the "
                                     "cycle currency), within the matrix cell or with a justification.")
    async def propose_increase(
        self, info: Info[Context, Any],
        cycle_id: Annotated[strawberry.ID, strawberry.argument(description="The cycle, in proposals.")],
        employee_id: Annotated[strawberry.ID, strawberry.argument(description="A participant below you.")],
        percent: Annotated[Decimal | None, strawberry.argument(description=(
            "The increase in percent (send this or amount)."))] = None,
        amount: Annotated[Decimal | None, strawberry.argument(description=(
            "The increase as an annual amount in the participant's currency (send this or percent)."))] = None,
        justification: Annotated[str | None, strawberry.argument(description=(
            "Why (required outside the matrix range; at most 5,000 characters)."))] = None,
    ) -> ProposalPayload:
        outcome = await mutations.propose(info.context, str(cycle_id), str(employee_id), percent, amount,
                                          justification)
        cycle = outcome.document and await queries.merit_cycle(info.context, str(cycle_id))
        over = [CompensationBudget(budget=queries.Budget(b, cycle)) for b in outcome.extra.get("overBudget", [])]
        return ProposalPayload(participant=MeritParticipant.wrap(outcome.document), over_budget=over[:20],
                               errors=errors_of(outcome.errors))

    @strawberry.mutation(description="A manager: their draft proposals go up for approval.")
    async def submit_proposals(
        self, info: Info[Context, Any],
        cycle_id: Annotated[strawberry.ID, strawberry.argument(description=(
            "The cycle: submits your drafts for the people below you."))],
    ) -> ProposalsPayload:
        outcome = await mutations.submit(info.context, str(cycle_id))
        return ProposalsPayload(cycle=MeritCycle.wrap(outcome.document),
                                participants=[MeritParticipant(doc=d, id=d["_id"])
                                              for d in outcome.extra.get("submitted", [])],
                                errors=errors_of(outcome.errors))

    @strawberry.mutation(description="Approvals up the chain to HR: the manager a proposal is pending with endorses "
                                     "it or sends it back with a reason; compensation admins approve (at any "
                                     "step).")
    async def decide_proposals(
        self, info: Info[Context, Any],
        cycle_id: Annotated[strawberry.ID, strawberry.argument(description="The cycle, in review.")],
        employee_ids: Annotated[list[strawberry.ID], strawberry.argument(description=(
            "The participants whose proposals to decide (pending with you)."))],
        approve: Annotated[bool, strawberry.argument(description=(
            "true: approve (or pass up the chain); false: send back."))],
        reason: Annotated[str | None, strawberry.argument(description="Why (required to send back).")] = None,
    ) -> ProposalsPayload:
        outcome = await mutations.decide(info.context, str(cycle_id), [str(i) for i in employee_ids], approve, reason)
        return ProposalsPayload(cycle=MeritCycle.wrap(outcome.document),
                                participants=[MeritParticipant(doc=d, id=d["_id"])
                                              for d in outcome.extra.get("decided", [])],
                                errors=errors_of(outcome.errors))


@strawberry.type
class CompensationSubscription:
    @strawberry.subscription(description="A manager's budget after each committed proposal below them: that manager, "
                                         "those above and compensation admins.")
    async def compensation_budget_changed(
        self, info: Info[Context, Any],
        cycle_id: Annotated[strawberry.ID, strawberry.argument(description="The cycle.")],
        manager_id: Annotated[strawberry.ID, strawberry.argument(description=(
            "The manager whose budget to follow."))],
    ) -> AsyncIterator[CompensationBudget]:
        async for budget in subscriptions.budget_changed(info.context, str(cycle_id), str(manager_id)):
            yield CompensationBudget(budget=budget)

    @strawberry.subscription(description="Compensation admins: the projected spend after each matrix change.")
    async def merit_matrix_changed(
        self, info: Info[Context, Any],
        cycle_id: Annotated[strawberry.ID, strawberry.argument(description="The cycle (compensation admins).")],
    ) -> AsyncIterator[MeritMatrixChange]:
        async for cycle, spend in subscriptions.matrix_changed(info.context, str(cycle_id)):
            wrapped = MeritCycle.wrap(cycle)
            if wrapped is not None:
                yield MeritMatrixChange(cycle=wrapped, projected_spend=Money.of(spend))
