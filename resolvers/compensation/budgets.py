"""Compensation budgets: HR sets a department's or a manager's merit and promotion pools."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from models.compensation.budgets import FIELDS, Pool, allocation, cycle_percents, pool_minor
from models.compensation.cycles import LOCKED, is_locked
from models.compensation.money import check_percent, to_minor
from models.core.documents import Document
from models.core.errors import ErrorCode, FieldError
from resolvers.compensation.channels import budget_event
from resolvers.compensation.mutations import admin_of, not_found
from resolvers.core.context import Context
from resolvers.core.outcome import Outcome
from resolvers.core.publish import publish_after_commit
from store.compensation import repository as pay_store
from store.core.repository import TenantStore


@dataclass
class PoolInput:
    """One pool of a budget change: a percentage of the eligible payroll, or an amount (cycle currency)."""

    percent: Decimal | None = None
    amount: Decimal | None = None

    @property
    def given(self) -> bool:
        return self.percent is not None or self.amount is not None


def _pool_spec(pool: PoolInput, field_name: str, currency: str) -> tuple[dict[str, Any] | None, list[Any]]:
    if pool.percent is not None and pool.amount is not None:
        return None, [FieldError(field_name, ErrorCode.INVALID, "give either a percent or an amount")]
    if pool.percent is not None:
        errors = check_percent(pool.percent, field_name)
        return (None if errors else {"percent": str(pool.percent)}), errors
    minor, errors = to_minor(pool.amount or Decimal(0), currency, field_name.replace("Percent", "Amount").replace(
        "percent", "amount"), positive=False)
    return (None if errors or minor is None else {"amountMinor": minor}), errors


async def set_budget(context: Context, cycle_id: str, manager_id: str | None, department_id: str | None,
                     merit: PoolInput, promotion: PoolInput) -> Outcome:
    """A budget's pools, merit and promotion, each a % of the eligible payroll or an amount in the cycle
    currency (a pool not given stays as it is). A department's pools are shared among the managers with people
    in it, in proportion to their payroll there, in the same transaction (replacing what was set for those
    managers); a manager's pools are set on their budget only. Refused once locked."""
    signed_in = await admin_of(context)
    store = signed_in.store
    cycle = await store.meritCycles.get(cycle_id)
    if cycle is None:
        return not_found("cycleId", "merit cycle")
    if is_locked(cycle):
        return Outcome.refused("cycleId", ErrorCode.READ_ONLY, f"the cycle is {cycle['phase']}: budgets are locked")
    if (manager_id is None) == (department_id is None):
        return Outcome.refused("managerId", ErrorCode.INVALID, "give either managerId or departmentId")
    if not (merit.given or promotion.given):
        return Outcome.refused("percent", ErrorCode.REQUIRED, "give a merit or a promotion pool (percent or amount)")
    specs: dict[Pool, dict[str, Any]] = {}
    errors: list[Any] = []
    for pool, given, name in ((Pool.MERIT, merit, "percent"), (Pool.PROMOTION, promotion, "promotionPercent")):
        if given.given:
            spec, problems = _pool_spec(given, name, cycle["currency"])
            errors += problems
            if spec is not None:
                specs[pool] = spec
    if errors:
        return Outcome(errors=errors)
    if department_id is not None:
        found = await pay_store.department_budgets(store, cycle_id, [department_id])
    else:
        found = await pay_store.budgets_of(store, cycle_id, [manager_id or ""])
    if not found:
        what = "department" if department_id else "manager"
        return Outcome.refused(f"{what}Id", ErrorCode.NOT_FOUND, f"no budget for this {what} in the cycle")
    budget = found[0]
    shared: list[str] = []

    async def step() -> Document | None:
        # the payroll read inside the transaction (a rate or pay change moves it): the allocation is of this one
        current = await store.compensationBudgets.get(budget["_id"])
        payroll = (current or budget)["payrollMinor"]
        changes = {FIELDS[pool][0]: pool_minor(spec, payroll) for pool, spec in specs.items()}
        changes |= {f"pools.{pool.value}": spec for pool, spec in specs.items()}
        doc = await pay_store.set_budget(store, budget["_id"], changes)
        shared[:] = []
        if department_id is not None and doc is not None:
            shared.extend(await _share_department_pools(store, cycle, department_id, set(specs)))
        return doc

    doc = await store.transaction(step)
    context.fresh_loaders()
    managers = [budget["managerId"]] if manager_id else shared  # whose allocation moved
    await publish_after_commit(context, *budget_event(store.organization_id, cycle_id, managers))
    return Outcome(doc)


async def set_over_budget_rule(context: Context, cycle_id: str, block: bool) -> Outcome:
    """HR decides, at any time until the cycle is approved, whether going over a budget only warns (``block``
    false) or refuses the proposal (true): one conditional write on the cycle."""
    signed_in = await admin_of(context)
    store = signed_in.store
    cycle = await store.meritCycles.get(cycle_id)
    if cycle is None:
        return not_found("cycleId", "merit cycle")
    if not await store.meritCycles.update(cycle_id, {"blockOverBudget": block},
                                          where={"phase": {"$nin": [p.value for p in LOCKED]}}):
        return Outcome.refused("cycleId", ErrorCode.READ_ONLY, "the cycle is approved: its budget rule is fixed")
    context.fresh_loaders()
    return Outcome(await store.meritCycles.get(cycle_id))


async def _share_department_pools(store: TenantStore, cycle: Mapping[str, Any], department_id: str,
                                  pools: set[Pool]) -> list[str]:
    """Inside the caller's transaction: every manager with people in the department gets their share of its
    pools again (``models.compensation.budgets.allocation``), in one bulk write; returns those managers."""
    departments = {b["departmentId"]: b for b in await pay_store.department_budgets(store, cycle["_id"])}
    percents = cycle_percents(cycle)
    changes = {}
    managers = await pay_store.managers_in_department(store, cycle["_id"], department_id)
    for manager in managers:
        shares = manager["payrollByDepartment"]
        changes[manager["_id"]] = {FIELDS[pool][0]: allocation(shares, departments, pool, percents[pool])
                                   for pool in pools} | {f"pools.{pool.value}": None for pool in pools}  # shared now
    await store.compensationBudgets.update_each(changes)
    return [m["managerId"] for m in managers]
