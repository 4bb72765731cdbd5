"""The payroll export of a merit cycle: one row per approved increase (employee id, external id, effective
date, new annual amount, currency, reason). Compensation admins only, once the cycle is approved."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from models.compensation import cycles as rules
from models.compensation.cycles import LOCKED
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
    approved = [p for p in participants if (p.get("proposal") or {}).get("state") == "approved"
                and Decimal(p["proposal"]["percent"]) > 0]
    people = await signed_in.loaders.employee_by_id.load_many([p["employeeId"] for p in approved])
    external = {e["_id"]: e.get("externalId") or "" for e in people if e}
    reason = f"merit: {cycle['name']}"

    def rows() -> Iterator[tuple[str, ...]]:
        for p in approved:
            pay = rules.new_pay(p)
            yield (p["employeeId"], external.get(p["employeeId"], ""), cycle["effectiveDate"], str(pay.amount),
                   pay.currency, reason)

    return rows()
