"""The compensation mutations' payloads (and the matrix change a subscription pushes): what was written, or why
nothing was."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import strawberry

from resolvers.compensation.queries import Budget
from schema.compensation.outcomes import CompensationBudget, MeritLaunchSummary
from schema.compensation.types import EmployeePay, MeritCycle, MeritParticipant, Money, PayBand, PayRecord
from schema.core.cost import listed
from schema.core.errors import Error


@strawberry.type(description="The band saved, or why nothing was written.")
class PayBandPayload:
    band: PayBand | None = strawberry.field(description="The band saved.")
    errors: list[Error] = strawberry.field(description="Why nothing was written (empty on success).")


@strawberry.type(description="The pay record added, or why nothing was written.")
class PayRecordPayload:
    record: PayRecord | None = strawberry.field(description="The record added.")
    errors: list[Error] = strawberry.field(description="Why nothing was written (empty on success).")


@strawberry.type(description="The person's pay with their new zone, or why nothing was written.")
class PayZonePayload:
    pay: EmployeePay | None = strawberry.field(description="The person's pay, band and zone after the change.")
    errors: list[Error] = strawberry.field(description="Why nothing was written (empty on success).")


@strawberry.type(description="The merit cycle after the change, or why nothing was written.")
class MeritCyclePayload:
    cycle: MeritCycle | None = strawberry.field(description="The cycle after the change.")
    errors: list[Error] = strawberry.field(description="Why nothing was written (empty on success).")


@strawberry.type(description="The launched cycle and what the launch did, or why nothing was written.")
class LaunchMeritCyclePayload:
    cycle: MeritCycle | None = strawberry.field(description="The cycle, now in proposals.")
    launch: MeritLaunchSummary | None = strawberry.field(description="What the launch did.")
    errors: list[Error] = strawberry.field(description="Why nothing was written (empty on success).")


@strawberry.type(description="The participant with the proposal, or why nothing was written.")
class ProposalPayload:
    participant: MeritParticipant | None = strawberry.field(description="The participant with the proposal.")

    @strawberry.field(description="The budgets above the person whose proposals now exceed their allocation (a "
                                  "warning; HR blocks instead with blockOverBudget).", metadata=listed(20))
    async def over_budget(self) -> list[CompensationBudget]:
        found = await self.over_budget_read() if self.over_budget_read is not None else []  # read when asked
        return [CompensationBudget(budget=b) for b in found[:20]]

    errors: list[Error] = strawberry.field(description="Why nothing was written (empty on success).")
    over_budget_read: strawberry.Private[Callable[[], Awaitable[list[Budget]]] | None] = None


@strawberry.type(description="The proposals submitted or decided, or why nothing was written.")
class ProposalsPayload:
    cycle: MeritCycle | None = strawberry.field(description="The merit cycle the proposals belong to.")
    participants: list[MeritParticipant] = strawberry.field(
        description="Those changed (as many as the employees named, at most 500 a call).", metadata=listed(500))
    errors: list[Error] = strawberry.field(description="Why nothing was written (empty on success).")


@strawberry.type(description="The budget after the change, or why nothing was written.")
class CompensationBudgetPayload:
    budget: CompensationBudget | None = strawberry.field(description="The budget after the change.")
    errors: list[Error] = strawberry.field(description="Why nothing was written (empty on success).")


@strawberry.type(description="The projected spend after a matrix change.")
class MeritMatrixChange:
    cycle: MeritCycle = strawberry.field(description="The cycle with its new matrix.")
    projected_spend: Money = strawberry.field(
        description="What the matrix now recommends for everyone, in the cycle currency.")
