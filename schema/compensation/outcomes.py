"""Compensation types of a cycle's outcomes: budgets (merit and promotion pools), statements, pay-equity flags and
what a launch did."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import strawberry
from strawberry.types import Info

from models.compensation import budgets as budget_rules
from models.compensation.budgets import Pool
from resolvers.compensation import queries
from resolvers.core.context import Context
from resolvers.core.loading import load
from schema.compensation.enums import MeritSkipReasonEnum
from schema.compensation.types import Money
from schema.core.cost import listed
from schema.org.types import Department, DepartmentFields, Employee, EmployeeFields, Position, PositionFields


@strawberry.type(description="One pool of a budget (merit or promotion): allocated, proposed (every proposal "
                             "below), committed (submitted and approved ones) and remaining.")
class BudgetPool:
    budget: strawberry.Private[queries.Budget]
    pool: strawberry.Private[Pool]

    @strawberry.field(description="The pool's allocation.")
    def allocated(self) -> Money:
        return Money.of(self.budget.pool(self.pool).allocated)

    @strawberry.field(description="Every proposal below counted on this pool.")
    def proposed(self) -> Money:
        return Money.of(self.budget.pool(self.pool).proposed)

    @strawberry.field(description="Submitted and approved proposals below counted on this pool.")
    def committed(self) -> Money:
        return Money.of(self.budget.pool(self.pool).committed)

    @strawberry.field(description="Allocated − committed.")
    def remaining(self) -> Money:
        return Money.of(self.budget.pool(self.pool).remaining)

    @strawberry.field(description="Committed spend exceeds the allocation.")
    def over_budget(self) -> bool:
        return self.budget.pool(self.pool).over_budget


@strawberry.type(description="A merit-cycle budget, a manager's (their organisation, rolled up the chain) or a "
                             "department's: merit and promotion pools, and their totals.")
class CompensationBudget:
    budget: strawberry.Private[queries.Budget]

    @strawberry.field(description="The manager (null: a department's budget).")
    async def manager(self, info: Info[Context, Any]) -> Employee | None:
        manager_id = self.budget.document.get("managerId")
        return EmployeeFields.wrap(await load(info.context, "employee_by_id", manager_id)) if manager_id else None

    @strawberry.field(description="The department (null: a manager's budget).")
    async def department(self, info: Info[Context, Any]) -> Department | None:
        department_id = self.budget.document.get("departmentId")
        if not department_id:
            return None
        return DepartmentFields.wrap(await load(info.context, "department_by_id", department_id))

    @strawberry.field(description="The moment these figures are as of. Read by a query: when the budget was "
                                  "read, every change committed before it counted. In a compensationBudgetChanged "
                                  "push: the commit of the latest change it answers, counted with every change "
                                  "whose event reached the server before it (with several server processes, a "
                                  "change committed a moment earlier on another one may come in the next push).")
    def as_of(self) -> datetime:
        return self.budget.as_of

    @strawberry.field(description="The eligible payroll it covers, in the cycle currency: its people's pay as at "
                                  "launch, at the cycle's rates now.")
    def payroll(self) -> Money:
        return Money.of(self.budget.money("payrollMinor"))

    @strawberry.field(description="Merit and promotion allocations together.")
    def allocated(self) -> Money:
        return Money.of(self.budget.total.allocated)

    @strawberry.field(description="Every proposal below, merit and promotion increases together.")
    def proposed(self) -> Money:
        return Money.of(self.budget.total.proposed)

    @strawberry.field(description="Submitted and approved proposals below, merit and promotion together.")
    def committed(self) -> Money:
        return Money.of(self.budget.total.committed)

    @strawberry.field(description="Allocated − committed, both pools together.")
    def remaining(self) -> Money:
        return Money.of(self.budget.total.remaining)

    @strawberry.field(description="Committed spend (submitted and approved proposals) exceeds the allocation in "
                                  "either pool: the budget is over.")
    def over_budget(self) -> bool:
        return any(self.budget.pool(pool).over_budget for pool in Pool)

    @strawberry.field(description="Every proposal below, drafts included, exceeds the allocation in either pool: "
                                  "the budget goes over if they are submitted (what a proposal's overBudget warns "
                                  "of, and what a cycle that blocks refuses).")
    def proposals_over_budget(self) -> bool:
        return budget_rules.is_over(self.budget.document)

    @strawberry.field(description="The merit pool (merit increases, prorated).")
    def merit(self) -> BudgetPool:
        return BudgetPool(budget=self.budget, pool=Pool.MERIT)

    @strawberry.field(description="The promotion pool (promotion increases).")
    def promotion(self) -> BudgetPool:
        return BudgetPool(budget=self.budget, pool=Pool.PROMOTION)


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

    @strawberry.field(description="New pay minus old pay, in the statement's currency.")
    def increase(self) -> Money:
        return Money.of(self.statement.increase)

    @strawberry.field(description="The merit increase in percent (before proration).")
    def percent(self) -> Decimal:
        return self.statement.percent

    @strawberry.field(description="The promotion increase in percent (null: none).")
    def promotion_percent(self) -> Decimal | None:
        return self.statement.promotion_percent


@strawberry.type(description="Two people of the same position and level whose resulting pay differs by 5 % or more "
                             "of the lower, with no recorded factor (rating, tenure, pay zone) explaining it.")
class PayEquityFlag:
    flag: strawberry.Private[queries.EquityFlag]

    @strawberry.field(description="The position (and level) whose people show the gap.")
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
    employee_id: strawberry.ID = strawberry.field(description="The person.")
    reason: MeritSkipReasonEnum = strawberry.field(description="Why they take no part.")


@strawberry.type(description="What a launch did.")
class MeritLaunchSummary:
    eligible: int = strawberry.field(description="How many people take part.")
    skipped_count: int = strawberry.field(description="How many do not.")
    payroll: Money = strawberry.field(description="The eligible payroll in the cycle currency.")
    skipped: list[MeritSkip] = strawberry.field(description="The first 1,000 people skipped, by id.",
                                                metadata=listed(1000))
