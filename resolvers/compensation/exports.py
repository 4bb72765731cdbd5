"""The payroll export of a merit cycle: one row per approved proposal that raises pay (a merit increase, a
promotion increase or both; employee id, external id, effective date, new annual amount with both increases,
currency, reason). Compensation admins only, once the cycle is approved."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from models.compensation import cycles as rules
from models.compensation.cycles import LOCKED
from models.compensation.money import Money
from models.compensation.permissions import can_manage_compensation
from resolvers.compensation.access import ADMIN_REFUSAL
from resolvers.core.context import Context, require_role
from resolvers.core.errors import BadUserInput
from store.compensation import repository as pay_store

HEADER = ("employee_id", "external_id", "effective_date", "new_amount", "currency", "reason")


class NotExportable(BadUserInput):
    """The cycle is not approved yet: nothing to send to payroll."""


async def payroll_rows(context: Context, cycle_id: str) -> Iterator[tuple[str, ...]] | None:
    """The rows, or ``None`` for an unknown cycle (another organisation's included); :class:`Forbidden` for
    anyone but a compensation admin, :class:`NotExportable` before approval."""
    signed_in = await require_role(context, can_manage_compensation, ADMIN_REFUSAL)
    cycle = await signed_in.store.meritCycles.get(cycle_id)
    if cycle is None:
        return None
    if cycle["phase"] not in LOCKED:
        raise NotExportable(f"a {cycle['phase']} cycle is exported once approved")
    participants = await pay_store.participants(signed_in.store, cycle_id)
    # every approved proposal whose merit and promotion increases together raise pay
    approved: list[tuple[Mapping[str, Any], IncreaseParts]] = []
    for p in participants:
        if (p.get("proposal") or {}).get("state") == "approved":
            parts = increase_parts(p)
            if parts.merit > 0 or parts.promotion > 0:
                approved.append((p, parts))
    people = await signed_in.loaders.employee_by_id.load_many([p["employeeId"] for p, _ in approved])
    external = {e["_id"]: e.get("externalId") or "" for e in people if e}

    def rows() -> Iterator[tuple[str, ...]]:
        for p, parts in approved:
            yield (p["employeeId"], external.get(p["employeeId"], ""), cycle["effectiveDate"],
                   str(parts.new_pay.amount), parts.new_pay.currency, reason(parts, cycle["name"]))

    return rows()


@dataclass(frozen=True)
class IncreaseParts:
    """An approved proposal's new annual pay (``rules.new_pay``, as the statement shows it) and its merit and
    promotion parts, in minor units of the person's own currency."""

    new_pay: Money
    merit: int
    promotion: int


def increase_parts(participant: Mapping[str, Any]) -> IncreaseParts:
    """The new pay and what the prorated merit increase and the (not prorated) promotion increase add to it."""
    old, new = Money.of(participant["pay"]), rules.new_pay(participant)
    merit = rules.increase_in_own_currency(participant, Decimal(participant["proposal"]["percent"])).minor
    return IncreaseParts(new, merit, new.minor - old.minor - merit)


def reason(parts: IncreaseParts, cycle_name: str) -> str:
    """``merit: <cycle>``, ``promotion: <cycle>`` or ``merit and promotion: <cycle>``."""
    kinds = [kind for kind, minor in (("merit", parts.merit), ("promotion", parts.promotion)) if minor > 0]
    return f"{' and '.join(kinds)}: {cycle_name}"
