"""The compensation domain's queries, mutations and subscriptions."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from models.compensation.cycles import Phase
from resolvers.compensation import budgets, mutations, proposals, queries, subscriptions
from resolvers.compensation.access import visible_pay
from resolvers.core.context import Context
from schema.compensation.enums import MeritPhaseEnum, MeritSkipReasonEnum
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
from schema.compensation.outcomes import CompensationBudget, MeritLaunchSummary, MeritSkip, PayEquityFlag, PayStatement
from schema.compensation.payloads import (
    CompensationBudgetPayload,
    LaunchMeritCyclePayload,
    MeritCyclePayload,
    MeritMatrixChange,
    PayBandPayload,
    PayRecordPayload,
    PayZonePayload,
    ProposalPayload,
    ProposalsPayload,
)
from schema.compensation.types import (
    EmployeePay,
    MeritCycle,
    MeritParticipant,
    MeritParticipantConnection,
    Money,
    PayBand,
    PayRecord,
)
from schema.core.cost import listed
from schema.core.errors import errors_of
from schema.core.pagination import After, Before, First, Last, window


@strawberry.type
class CompensationQuery:
    @strawberry.field(description="Compensation admins: every position's pay band.", metadata=listed(500))
    async def pay_bands(
            self, info: Info[Context, Any],
    ) -> list[PayBand] | None:
        return [b for b in map(PayBand.wrap, await queries.pay_bands(info.context)) if b is not None]

    @strawberry.field(description="A person's pay: the person, compensation admins, and their managers while a merit "
                                  "cycle is in proposals or review (FORBIDDEN otherwise).")
    async def employee_pay(
            self, info: Info[Context, Any],
            employee_id: Annotated[strawberry.ID, strawberry.argument(description="The person.")],
    ) -> EmployeePay | None:
        view = await visible_pay(info.context, str(employee_id))
        return EmployeePay(view=view) if view else None

    @strawberry.field(description="A merit cycle: compensation admins; managers during proposals and review; "
                                  "everyone once shared.")
    async def merit_cycle(
            self, info: Info[Context, Any],
            id: Annotated[strawberry.ID, strawberry.argument(description="The merit cycle.")],
    ) -> MeritCycle | None:
        return MeritCycle.wrap(await queries.merit_cycle(info.context, str(id)))

    @strawberry.field(description="The merit cycles the viewer may see, latest period first.", metadata=listed(100))
    async def merit_cycles(
            self, info: Info[Context, Any],
    ) -> list[MeritCycle] | None:
        return MeritCycle.wrap_all((await queries.merit_cycles(info.context))[:100])

    @strawberry.field(description="The participants below a manager with their proposals (first ≤ 100): "
                                  "compensation admins; that manager and those above during proposals and review; "
                                  "never the viewer's own.")
    async def merit_proposals(
            self, info: Info[Context, Any],
            cycle_id: Annotated[strawberry.ID, strawberry.argument(description="The merit cycle.")],
            manager_id: Annotated[strawberry.ID, strawberry.argument(
                description="The manager whose organisation it covers.")],
            first: First = 50, after: After = None, last: Last = None, before: Before = None,
    ) -> MeritParticipantConnection | None:
        page = await queries.proposals(info.context, str(cycle_id), str(manager_id),
                                       window(info, first, after, last, before))
        return MeritParticipantConnection.of(page, MeritParticipant.wrap)

    @strawberry.field(description="A manager's budget: that manager and those above during proposals and review; "
                                  "compensation admins.")
    async def compensation_budget(
            self, info: Info[Context, Any],
            cycle_id: Annotated[strawberry.ID, strawberry.argument(description="The merit cycle.")],
            manager_id: Annotated[strawberry.ID, strawberry.argument(
                description="The manager whose organisation it covers.")],
    ) -> CompensationBudget | None:
        budget = await queries.budget(info.context, str(cycle_id), str(manager_id))
        return CompensationBudget(budget=budget) if budget else None

    @strawberry.field(description="Compensation admins: the department budgets of a merit cycle (merit and "
                                  "promotion pools), by department.", metadata=listed(500))
    async def department_budgets(
            self, info: Info[Context, Any],
            cycle_id: Annotated[strawberry.ID, strawberry.argument(description="The merit cycle.")],
    ) -> list[CompensationBudget] | None:
        found = await queries.department_budgets(info.context, str(cycle_id))
        return None if found is None else [CompensationBudget(budget=b) for b in found[:500]]

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
            cycle_id: Annotated[strawberry.ID, strawberry.argument(description="The merit cycle.")],
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
            input: Annotated[PayBandInput, strawberry.argument(description="What to save.")],
    ) -> PayBandPayload:
        outcome = await mutations.save_band(info.context, band_data(input))
        return PayBandPayload(band=PayBand.wrap(outcome.document), errors=errors_of(outcome.errors))

    @strawberry.mutation(description="Compensation admins: add a pay record (history is kept). While a merit cycle is "
                                     "in proposals or review the person's snapshot follows it; after approval it "
                                     "is locked.")
    async def record_pay(
            self, info: Info[Context, Any],
            input: Annotated[RecordPayInput, strawberry.argument(description="What to save.")],
    ) -> PayRecordPayload:
        outcome = await mutations.record_pay(info.context, pay_data(input))
        return PayRecordPayload(record=PayRecord.of(outcome.document) if outcome.document else None,
                                errors=errors_of(outcome.errors))

    @strawberry.mutation(description="Compensation admins: a person's location zone for pay (null removes it); "
                                     "their band is looked up in it. While a merit cycle is in proposals or review "
                                     "their snapshot follows.")
    async def assign_pay_zone(
            self, info: Info[Context, Any],
            employee_id: Annotated[strawberry.ID, strawberry.argument(description="The person.")],
            zone: Annotated[str | None, strawberry.argument(
                description="A zone code (upper case, up to 32 letters, digits, - or _); null: none.")] = None,
    ) -> PayZonePayload:
        outcome = await mutations.assign_zone(info.context, str(employee_id), zone)
        pay = None
        if outcome.document is not None:
            view = await visible_pay(info.context, str(employee_id))
            pay = EmployeePay(view=view) if view else None
        return PayZonePayload(pay=pay, errors=errors_of(outcome.errors))

    @strawberry.mutation(description="Compensation admins: a draft merit cycle.")
    async def create_merit_cycle(
            self, info: Info[Context, Any],
            input: Annotated[MeritCycleInput, strawberry.argument(description="What to save.")],
    ) -> MeritCyclePayload:
        return _cycle_payload(await mutations.create_cycle(info.context, cycle_data(input)))

    @strawberry.mutation(description="Compensation admins: draft → proposals. Eligibility, the pay snapshot in the "
                                     "cycle currency (refused when a currency has no rate), calibrated ratings and "
                                     "budgets. A launch stopped part-way completes when run again.")
    async def launch_merit_cycle(
            self, info: Info[Context, Any],
            cycle_id: Annotated[strawberry.ID, strawberry.argument(description="The merit cycle.")],
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
            cycle_id: Annotated[strawberry.ID, strawberry.argument(description="The merit cycle.")],
            phase: Annotated[MeritPhaseEnum, strawberry.argument(description="The next phase.")],
    ) -> MeritCyclePayload:
        return _cycle_payload(await mutations.advance_cycle(info.context, str(cycle_id), phase.value))

    @strawberry.mutation(description="Compensation admins: share the cycle (approved → shared): each person sees their "
                                     "own statement.")
    async def share_merit_cycle(
            self, info: Info[Context, Any],
            cycle_id: Annotated[strawberry.ID, strawberry.argument(description="The merit cycle.")],
    ) -> MeritCyclePayload:
        return _cycle_payload(await mutations.advance_cycle(info.context, str(cycle_id), Phase.SHARED.value))

    @strawberry.mutation(description="Compensation admins: the merit matrix (replaced whole, from baseVersion); "
                                     "pushes the projected spend to meritMatrixChanged.")
    async def save_merit_matrix(
            self, info: Info[Context, Any],
            cycle_id: Annotated[strawberry.ID, strawberry.argument(description="The merit cycle.")],
            compa_bounds: Annotated[list[Decimal], strawberry.argument(
                description="Increasing compa-ratio bounds between bands (up to six).")],
            cells: Annotated[list[MatrixCellInput], strawberry.argument(
                description="A cell per rating × band.")],
            base_version: Annotated[int, strawberry.argument(
                description="The matrix version edited from (CONFLICT if it changed).")],
    ) -> MeritCyclePayload:
        return _cycle_payload(await mutations.save_matrix(info.context, str(cycle_id), compa_bounds,
                                                          cells_data(cells), base_version))

    @strawberry.mutation(description="Compensation admins: a cycle's exchange rates into its currency (replaced "
                                     "whole). Its currency is fixed at launch, its rates are not: until it is "
                                     "approved, new rates express again the pay of everyone paid in another "
                                     "currency, their proposals' amounts (percentages kept), the budgets' payrolls "
                                     "and percentage pools, in one transaction; they must cover every "
                                     "participant's currency.")
    async def save_exchange_rates(
            self, info: Info[Context, Any],
            cycle_id: Annotated[strawberry.ID, strawberry.argument(description="The merit cycle.")],
            rates: Annotated[list[ExchangeRateInput], strawberry.argument(
                description="The rates, replaced whole.")],
    ) -> MeritCyclePayload:
        return _cycle_payload(await mutations.save_rates(info.context, str(cycle_id), rates_data(rates)))

    @strawberry.mutation(description="Compensation admins: whether going over a budget only warns (the default) or "
                                     "refuses the proposal; HR may change it until the cycle is approved.")
    async def set_over_budget_rule(
            self, info: Info[Context, Any],
            cycle_id: Annotated[strawberry.ID, strawberry.argument(description="The merit cycle.")],
            block: Annotated[bool, strawberry.argument(
                description="True: a proposal that would take a budget over its allocation is refused.")],
    ) -> MeritCyclePayload:
        return _cycle_payload(await budgets.set_over_budget_rule(info.context, str(cycle_id), block))

    @strawberry.mutation(description="Compensation admins: a department's or a manager's budget pools, merit and "
                                     "promotion, each a % of the eligible payroll it covers or an amount in the "
                                     "cycle currency (a pool not given stays). A department's pools are shared "
                                     "among the managers with people in it, in proportion to their payroll there.")
    async def set_compensation_budget(
            self, info: Info[Context, Any],
            cycle_id: Annotated[strawberry.ID, strawberry.argument(description="The merit cycle.")],
            manager_id: Annotated[strawberry.ID | None, strawberry.argument(
                description="A manager's budget (or departmentId).")] = None,
            percent: Annotated[Decimal | None, strawberry.argument(
                description="The merit pool as a % of the eligible payroll.")] = None,
            amount: Annotated[Decimal | None, strawberry.argument(
                description="The merit pool as an amount in the cycle currency.")] = None,
            department_id: Annotated[strawberry.ID | None, strawberry.argument(
                description="A department's budget (or managerId).")] = None,
            promotion_percent: Annotated[Decimal | None, strawberry.argument(
                description="The promotion pool as a % of the eligible payroll.")] = None,
            promotion_amount: Annotated[Decimal | None, strawberry.argument(
                description="The promotion pool as an amount in the cycle currency.")] = None,
    ) -> CompensationBudgetPayload:
        outcome = await budgets.set_budget(
            info.context, str(cycle_id), str(manager_id) if manager_id else None,
            str(department_id) if department_id else None, budgets.PoolInput(percent, amount),
            budgets.PoolInput(promotion_percent, promotion_amount))
        budget = None
        if outcome.document is not None:
            cycle = await queries.merit_cycle(info.context, str(cycle_id))
            budget = CompensationBudget(budget=queries.Budget(outcome.document, cycle or {}))
        return CompensationBudgetPayload(budget=budget, errors=errors_of(outcome.errors))

    @strawberry.mutation(description="A manager above the person: a proposed increase (percent, or an amount in the "
                                     "cycle currency), within the matrix cell or with a justification.")
    async def propose_increase(
            self, info: Info[Context, Any],
            cycle_id: Annotated[strawberry.ID, strawberry.argument(description="The merit cycle.")],
            employee_id: Annotated[strawberry.ID, strawberry.argument(description="The person the increase is for.")],
            percent: Annotated[Decimal | None, strawberry.argument(
                description="The merit increase in percent (before proration), or amount.")] = None,
            amount: Annotated[Decimal | None, strawberry.argument(
                description="The merit increase as an amount in the cycle currency, or percent.")] = None,
            justification: Annotated[str | None, strawberry.argument(
                description="Why, required outside the matrix cell (at most 5,000 characters).")] = None,
            promotion_percent: Annotated[Decimal | None, strawberry.argument(
                description="A promotion increase in percent, for a person with an approved promotion effective "
                            "in the cycle (not prorated; counted on the promotion pools).")] = None,
    ) -> ProposalPayload:
        outcome = await proposals.propose(info.context, str(cycle_id), str(employee_id), percent, amount,
                                          justification, promotion_percent)
        return ProposalPayload(participant=MeritParticipant.wrap(outcome.document), errors=errors_of(outcome.errors),
                               over_budget_read=outcome.extra.get("overBudget"))

    @strawberry.mutation(description="A manager: their draft proposals go up for approval.")
    async def submit_proposals(
            self, info: Info[Context, Any],
            cycle_id: Annotated[strawberry.ID, strawberry.argument(description="The merit cycle.")],
    ) -> ProposalsPayload:
        outcome = await proposals.submit(info.context, str(cycle_id))
        return ProposalsPayload(cycle=MeritCycle.wrap(outcome.document),
                                participants=[MeritParticipant(doc=d, id=d["_id"])
                                              for d in outcome.extra.get("submitted", [])],
                                errors=errors_of(outcome.errors))

    @strawberry.mutation(description="Approvals up the chain to HR: the manager a proposal is pending with endorses "
                                     "it or sends it back with a reason; compensation admins approve (at any "
                                     "step).")
    async def decide_proposals(
            self, info: Info[Context, Any],
            cycle_id: Annotated[strawberry.ID, strawberry.argument(description="The merit cycle.")],
            employee_ids: Annotated[list[strawberry.ID], strawberry.argument(
                description="The people whose proposals are decided (at most 500).")],
            approve: Annotated[bool, strawberry.argument(description="Approve (true) or send back (false).")],
            reason: Annotated[str | None, strawberry.argument(
                description="Why, required to send back (at most 200 characters).")] = None,
    ) -> ProposalsPayload:
        outcome = await proposals.decide(info.context, str(cycle_id), [str(i) for i in employee_ids], approve, reason)
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
            cycle_id: Annotated[strawberry.ID, strawberry.argument(description="The merit cycle.")],
            manager_id: Annotated[strawberry.ID, strawberry.argument(
                description="The manager whose organisation it covers.")],
    ) -> AsyncIterator[CompensationBudget]:
        async for budget in subscriptions.budget_changed(info.context, str(cycle_id), str(manager_id)):
            yield CompensationBudget(budget=budget)

    @strawberry.subscription(description="Compensation admins: the projected spend after each matrix change.")
    async def merit_matrix_changed(
            self, info: Info[Context, Any],
            cycle_id: Annotated[strawberry.ID, strawberry.argument(description="The merit cycle.")],
    ) -> AsyncIterator[MeritMatrixChange]:
        async for cycle, spend in subscriptions.matrix_changed(info.context, str(cycle_id)):
            wrapped = MeritCycle.wrap(cycle)
            if wrapped is not None:
                yield MeritMatrixChange(cycle=wrapped, projected_spend=Money.of(spend))
