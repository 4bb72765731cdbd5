"""Merit-cycle budgets: a pool per department (a % of its eligible payroll, or an amount), split for merit and
promotion, allocated to each manager's organisation in proportion to the payroll they have in each department and
rolled up the chain (a manager's budget covers everyone below them); spend counts proposals, merit and promotion
increases apart. Pure rules, no I/O.

A budget document (``compensationBudgets``) is a manager's (``managerId``, ``departmentId`` null) or a
department's (``departmentId``, ``managerId`` null); each holds, per pool, the allocation and two counters kept by
atomic increments: ``proposed`` (every proposal) and ``committed`` (submitted and approved ones).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any

from models.compensation.money import percent_of
from models.core.documents import stable_id

NO_DEPARTMENT = ""  # people without a department: allocated at the cycle's percentages


class Pool(StrEnum):
    MERIT = "merit"
    PROMOTION = "promotion"


# the stored counters of each pool (merit keeps the names budgets had before promotion was counted)
FIELDS = {Pool.MERIT: ("allocatedMinor", "proposedMinor", "committedMinor"),
          Pool.PROMOTION: ("promotionAllocatedMinor", "promotionProposedMinor", "promotionCommittedMinor")}
COUNTERS = ("proposedMinor", "committedMinor", "promotionProposedMinor", "promotionCommittedMinor")
COMMITTED_STATES = frozenset({"submitted", "approved"})


def manager_budget_id(cycle_id: str, manager_id: str) -> str:
    return stable_id(f"merit-budget:{cycle_id}:{manager_id}")


def department_budget_id(cycle_id: str, department_id: str) -> str:
    return stable_id(f"merit-budget:{cycle_id}:department:{department_id}")


def cycle_percents(cycle: Mapping[str, Any]) -> dict[Pool, str]:
    return {Pool.MERIT: str(cycle["meritBudgetPercent"]), Pool.PROMOTION: str(cycle.get("promotionBudgetPercent") or 0)}


def pool_minor(spec: Mapping[str, Any], payroll: int) -> int:
    """A pool's amount: its ``percent`` of ``payroll``, or its ``amountMinor``."""
    if "amountMinor" in spec:
        return int(spec["amountMinor"])
    return percent_of(payroll, Decimal(spec["percent"]))


def allocation(shares: Mapping[str, int], departments: Mapping[str, Mapping[str, Any]], pool: Pool,
               default_percent: str) -> int:
    """A manager's allocation of ``pool``: for each department, its pool × (the manager's eligible payroll in it ÷
    the department's eligible payroll), summed exactly and rounded once, half up. A percentage pool thus gives
    every manager that percentage of their payroll; an amount is shared in proportion to payroll."""
    total = Decimal(0)
    for department_id, payroll in shares.items():
        budget = departments.get(department_id)
        spec = (budget or {}).get("pools", {}).get(pool.value) or {"percent": default_percent}
        if "amountMinor" in spec:
            if budget and budget["payrollMinor"] > 0:
                total += Decimal(spec["amountMinor"]) * payroll / Decimal(budget["payrollMinor"])
        else:
            total += Decimal(payroll) * Decimal(spec["percent"]) / 100
    return int(total.to_integral_value(rounding=ROUND_HALF_UP))


def zero_counters() -> dict[str, int]:
    return dict.fromkeys(COUNTERS, 0)


def launch_budgets(cycle: Mapping[str, Any], people: Iterable[Mapping[str, Any]],
                   spend: Mapping[str, Mapping[str, int]] | None = None) -> list[dict[str, Any]]:
    """The budgets a launch writes: one per department with eligible people (pools at the cycle's merit and
    promotion percentages) and one per manager above someone eligible (their share of each department's pools).
    ``spend``: counters by budget id (the demo seeds a finished cycle with its proposals counted)."""
    percents = cycle_percents(cycle)
    by_department: dict[str, int] = defaultdict(int)
    by_manager: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for person in people:
        department = person.get("departmentId") or NO_DEPARTMENT
        minor = person["payInCycle"]["minor"]
        by_department[department] += minor
        for manager_id in person["managerChain"]:
            by_manager[manager_id][department] += minor
    base = {"cycleId": cycle["_id"], "currency": cycle["currency"]}
    departments: dict[str, dict[str, Any]] = {}
    for department_id, payroll in sorted(by_department.items()):
        if department_id == NO_DEPARTMENT:
            continue
        pools = {pool.value: {"percent": percents[pool]} for pool in Pool}
        departments[department_id] = {
            "_id": department_budget_id(cycle["_id"], department_id), **base, "managerId": None,
            "departmentId": department_id, "payrollMinor": payroll, "pools": pools,
            **{FIELDS[pool][0]: pool_minor(pools[pool.value], payroll) for pool in Pool}}
    managers = []
    for manager_id, shares in sorted(by_manager.items()):
        managers.append({
            "_id": manager_budget_id(cycle["_id"], manager_id), **base, "managerId": manager_id,
            "departmentId": None, "payrollMinor": sum(shares.values()), "payrollByDepartment": dict(shares),
            **{FIELDS[pool][0]: allocation(shares, departments, pool, percents[pool]) for pool in Pool}})
    budgets = [*departments.values(), *managers]
    for budget in budgets:
        budget.update(zero_counters())
        budget.update((spend or {}).get(budget["_id"], {}))
    return budgets


def reallocated(cycle: Mapping[str, Any], participants: Iterable[Mapping[str, Any]],
                budgets: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """After the participants' pay in the cycle currency moved (new exchange rates): each budget's payroll, worked
    out again as at launch, and its pools' allocations from it — a pool given as a percentage follows the payroll,
    one given as an amount stays, and a manager's share of their departments' pools follows their payroll in them
    (unless the manager's own pool was set). The spend counters are not touched (they move by increments)."""
    fresh = {b["_id"]: b for b in launch_budgets(cycle, participants)}
    percents = cycle_percents(cycle)
    budgets = list(budgets)
    departments: dict[str, dict[str, Any]] = {}
    changes: dict[str, dict[str, Any]] = {}
    for budget in (b for b in budgets if not b.get("managerId")):
        payroll = fresh.get(budget["_id"], {}).get("payrollMinor", 0)
        departments[budget["departmentId"]] = {**budget, "payrollMinor": payroll}
        changes[budget["_id"]] = {"payrollMinor": payroll, **{
            FIELDS[pool][0]: pool_minor((budget.get("pools") or {}).get(pool.value) or {"percent": percents[pool]},
                                        payroll) for pool in Pool}}
    for budget in (b for b in budgets if b.get("managerId")):
        shares = dict(fresh.get(budget["_id"], {}).get("payrollByDepartment", {}))
        payroll = sum(shares.values())
        own = budget.get("pools") or {}
        changes[budget["_id"]] = {"payrollMinor": payroll, "payrollByDepartment": shares, **{
            FIELDS[pool][0]: pool_minor(own[pool.value], payroll) if own.get(pool.value)
            else allocation(shares, departments, pool, percents[pool]) for pool in Pool}}
    return changes


def amounts(participant: Mapping[str, Any]) -> dict[str, int]:
    """What a participant's proposal counts on every budget above them (and their department's)."""
    proposal = participant.get("proposal")
    if not proposal:
        return zero_counters()
    merit = int(proposal.get("increaseMinor") or 0)
    promotion = int(proposal.get("promotionIncreaseMinor") or 0)
    committed = proposal.get("state") in COMMITTED_STATES
    return {"proposedMinor": merit, "committedMinor": merit if committed else 0,
            "promotionProposedMinor": promotion, "promotionCommittedMinor": promotion if committed else 0}


def deltas(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, int]:
    """How a participant's change moves the budgets above them: each counter's difference."""
    old, new = amounts(before), amounts(after)
    return {name: new[name] - old[name] for name in COUNTERS}


def over_after(budget: Mapping[str, Any], change: Mapping[str, int]) -> bool:
    """Whether ``change`` takes the budget's proposals above its allocation, in either pool."""
    return any(change.get(proposed, 0) > 0 and budget.get(proposed, 0) + change[proposed] > budget.get(allocated, 0)
               for allocated, proposed, _ in FIELDS.values())


def is_over(budget: Mapping[str, Any]) -> bool:
    """Proposals above the allocation, in either pool (the warning a proposal's payload lists)."""
    return any(budget.get(proposed, 0) > budget.get(allocated, 0) for allocated, proposed, _ in FIELDS.values())
