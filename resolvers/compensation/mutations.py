"""Compensation mutations: bands, pay records, merit cycles (create, launch, advance, matrix, rates,
budgets) and proposals. Refusals are payload errors with nothing written; messages never carry amounts."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from models.compensation import cycles as rules
from models.compensation.cycles import CurrencyMissing, Phase, is_locked
from models.compensation.money import Money, check_percent, percent_of, to_minor
from models.compensation.permissions import can_manage_compensation, can_propose
from models.compensation.rules import check_band, check_pay_record, current_record
from models.core import clock
from models.core.documents import Document, new_id
from models.core.errors import ErrorCode
from models.core.validation import check_name
from resolvers.compensation.access import ADMIN_REFUSAL
from resolvers.compensation.channels import budget_event, matrix_channel
from resolvers.compensation.promotions import promotion_increase
from resolvers.core.context import Context, SignedIn, require, require_role
from resolvers.core.errors import Forbidden
from resolvers.core.outcome import Outcome
from resolvers.core.publish import publish_after_commit
from resolvers.reviews.access import final_ratings_for_pay
from store.compensation import repository as pay_store
from store.core.repository import TenantStore

CHAIN_REFUSAL = "only a manager above this person (when the cycle launched) proposes their increase"


async def _admin(context: Context) -> SignedIn:
    return await require_role(context, can_manage_compensation, ADMIN_REFUSAL)


def _not_found(field_name: str, what: str) -> Outcome:
    return Outcome.refused(field_name, ErrorCode.NOT_FOUND, f"no such {what}")


# ---- bands and pay records ---------------------------------------------------------------------------------

async def save_band(context: Context, data: dict[str, Any]) -> Outcome:
    """The band of a position (replaced whole)."""
    signed_in = await _admin(context)
    band, errors = check_band(data)
    if errors or band is None:
        return Outcome(errors=errors)
    if await signed_in.loaders.position_by_id.load(band["positionId"]) is None:
        return _not_found("positionId", "position")
    doc = await pay_store.save_band(signed_in.store, {**band, "updatedAt": clock.now(),
                                                      "updatedById": signed_in.viewer.employee_id}, new_id())
    context.fresh_loaders()
    return Outcome(doc)


async def record_pay(context: Context, data: dict[str, Any]) -> Outcome:
    """A pay record (history kept: records are only added). A record in effect at a cycle's cutoff while
    that cycle is in proposals or review updates the person's snapshot in the same transaction; once the
    cycle is approved the snapshot is locked and the record waits for the next cycle."""
    signed_in = await _admin(context)
    record, errors = check_pay_record(data)
    if errors or record is None:
        return Outcome(errors=errors)
    store = signed_in.store
    employee = await signed_in.loaders.employee_by_id.load(record["employeeId"])
    if employee is None:
        return _not_found("employeeId", "employee")
    doc = {"_id": new_id(), **record, "recordedAt": clock.now(), "recordedById": signed_in.viewer.employee_id}

    async def step() -> Document:
        written = await store.payRecords.insert(doc)
        await _refresh_snapshots(store, employee)
        return written

    written = await store.transaction(step)
    context.fresh_loaders()
    return Outcome(written)


async def _refresh_snapshots(store: TenantStore, employee: Mapping[str, Any]) -> None:
    """Inside a transaction: the snapshot of ``employee`` in every cycle still open to pay changes, from the
    records in effect at its cutoff (the proposal's percentage stays; budgets follow the new amount)."""
    open_cycles = await store.meritCycles.find({"phase": {"$in": [Phase.PROPOSALS.value, Phase.REVIEW.value]}})
    if not open_cycles:
        return
    records = await pay_store.records_of(store.payRecords, [employee["_id"]])
    for cycle in open_cycles:
        participant = await pay_store.participant_of(store, cycle["_id"], employee["_id"])
        record = current_record(records, _snapshot_on(cycle))
        if participant is None or record is None:
            continue
        band = await store.payBands.find({"positionId": participant["positionId"]}, limit=1)
        try:
            fresh = rules.snapshot(cycle, employee, record, band[0] if band else None, participant["rating"])
        except CurrencyMissing:
            continue  # a currency the cycle has no rate for: the snapshot stays as it was
        changes = {k: fresh[k] for k in ("payRecordId", "frequency", "pay", "payInCycle", "compaRatio")}
        if participant.get("proposal"):
            proposal = participant["proposal"]
            changes["proposal"] = {**proposal, "increaseMinor": rules.increase(
                {**participant, **changes}, Decimal(proposal["percent"])).minor}
        entry = {"kind": "pay_changed", "byId": None, "at": clock.now(), "payRecordId": record["_id"]}
        await pay_store.write_proposal(store, participant, changes, entry,
                                       _deltas(participant, _applied(participant, changes, entry)))


def _snapshot_on(cycle: Mapping[str, Any]) -> date:
    """The day whose pay a launched cycle's snapshot holds (its launch day)."""
    return date.fromisoformat(cycle["snapshotOn"])


# ---- cycles ------------------------------------------------------------------------------------------------

async def create_cycle(context: Context, data: dict[str, Any]) -> Outcome:
    signed_in = await _admin(context)
    review_cycle = None
    if data.get("reviewCycleId"):
        review_cycle = await signed_in.loaders.reviews.cycle_by_id.load(data["reviewCycleId"])
    excluded = await signed_in.loaders.employee_by_id.load_many(list(dict.fromkeys(
        data.get("excludedEmployeeIds") or [])))
    errors = rules.check_cycle(data, review_cycle=review_cycle, employee_ids={e["_id"] for e in excluded if e})
    if errors:
        return Outcome(errors=errors)
    doc = {"_id": new_id(), **rules.cycle_document(data), "phase": Phase.DRAFT.value, "createdAt": clock.now(),
           "createdById": signed_in.viewer.employee_id, "history": []}
    return Outcome(await signed_in.store.meritCycles.insert(doc))


@dataclass
class LaunchReport:
    eligible: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    payroll: Money | None = None


async def launch_cycle(context: Context, cycle_id: str) -> Outcome:
    """Draft → proposals: eligibility, the pay snapshot of everyone eligible (in the cycle currency with its
    rates, refused when a currency has no rate), the calibrated ratings from the linked review cycle, and a
    merit budget per manager (``meritBudgetPercent`` of their organisation's eligible payroll); a launch
    stopped part-way completes when run again (``store.compensation.repository.launch``).
    ``extra["launch"]`` is the :class:`LaunchReport`."""
    signed_in = await _admin(context)
    store = signed_in.store
    cycle = await store.meritCycles.get(cycle_id)
    if cycle is None:
        return _not_found("cycleId", "merit cycle")
    if cycle["phase"] not in {Phase.DRAFT, Phase.LAUNCHING}:
        return Outcome.refused("cycleId", ErrorCode.INVALID_TRANSITION, f"the cycle is {cycle['phase']}, not a draft")
    ratings = (await final_ratings_for_pay(context, cycle["reviewCycleId"]) or {}) if cycle.get("reviewCycleId") \
        else {}
    employees = await store.employees.find({"status": {"$ne": "terminated"}}, projection={
        "name": 0, "email": 0, "statusHistory": 0})
    records: dict[str, list[Document]] = defaultdict(list)
    for record in await store.payRecords.find({}, sort=[("employeeId", 1), ("effectiveDate", 1)]):
        records[record["employeeId"]].append(record)
    bands = {b["positionId"]: b for b in await store.payBands.find({})}
    today = clock.today()
    chosen = rules.eligibility(cycle, employees, records, today)
    people: list[Document] = []
    missing: set[str] = set()
    for employee in chosen.eligible:
        record = current_record(records[employee["_id"]], today)
        assert record is not None  # eligibility requires pay in effect on the snapshot day
        try:
            people.append(rules.snapshot(cycle, employee, record, bands.get(employee.get("positionId")),
                                         ratings.get(employee["_id"])))
        except CurrencyMissing as error:
            missing.add(error.currency)
    if missing:
        return Outcome.refused("rates", ErrorCode.INVALID,
                               f"no exchange rate into {cycle['currency']} for {', '.join(sorted(missing))}")
    percent = Decimal(cycle["meritBudgetPercent"])
    payroll: dict[str, int] = defaultdict(int)
    for person in people:
        for manager_id in person["managerChain"]:
            payroll[manager_id] += person["payInCycle"]["minor"]
    budgets = [{"_id": rules.budget_id(cycle_id, m), "cycleId": cycle_id, "managerId": m,
                "payrollMinor": total, "allocatedMinor": percent_of(total, percent), "proposedMinor": 0,
                "committedMinor": 0, "currency": cycle["currency"]} for m, total in sorted(payroll.items())]
    now = clock.now()
    changes = {"phase": Phase.PROPOSALS.value, "launchedAt": now, "snapshotOn": today.isoformat(),
               "launchedById": signed_in.viewer.employee_id, "eligibleCount": len(people),
               "skipped": [{"employeeId": i, "reason": r.value} for i, r in chosen.skipped]}
    if not await pay_store.launch(store, cycle_id, changes, people, budgets):
        return Outcome.refused("cycleId", ErrorCode.CONFLICT, "the cycle was launched meanwhile")
    context.fresh_loaders()
    report = LaunchReport(len(people), [(i, r.value) for i, r in chosen.skipped],
                          Money(sum(p["payInCycle"]["minor"] for p in people), cycle["currency"]))
    return Outcome(await store.meritCycles.get(cycle_id), extra={"launch": report})


async def advance_cycle(context: Context, cycle_id: str, to: str) -> Outcome:
    """proposals → review → approved → shared → exported, one step at a time (a conditional write on the
    phase read). Approving locks the snapshots, rates, matrix and proposals."""
    signed_in = await _admin(context)
    store = signed_in.store
    cycle = await store.meritCycles.get(cycle_id)
    if cycle is None:
        return _not_found("cycleId", "merit cycle")
    if cycle["phase"] == Phase.DRAFT or rules.next_phase(cycle["phase"]) != Phase(to):
        return Outcome.refused("phase", ErrorCode.INVALID_TRANSITION, f"a {cycle['phase']} cycle cannot move to {to}")
    entry = {"from": cycle["phase"], "to": to, "byId": signed_in.viewer.employee_id, "at": clock.now()}

    async def step() -> bool:
        if not await store.meritCycles.update(cycle_id, {"phase": to}, push={"history": entry},
                                              where={"phase": cycle["phase"]}):
            return False
        if to in {Phase.REVIEW, Phase.APPROVED}:
            # Approving locks every participant (a proposal's write is conditional on it); both steps recount
            # the budgets from the proposals, so they hold the exact sums whatever happened before.
            await pay_store.lock_and_recount(store, cycle_id, lock=to == Phase.APPROVED)
        return True

    if not await store.transaction(step):
        return Outcome.refused("phase", ErrorCode.CONFLICT, "the cycle changed phase meanwhile")
    context.fresh_loaders()
    return Outcome(await store.meritCycles.get(cycle_id))


async def save_matrix(context: Context, cycle_id: str, bounds: list[Decimal], cells: list[dict[str, Any]],
                      base_version: int) -> Outcome:
    """HR's matrix (replaced whole, conditional on the version it was edited from); refused once locked."""
    signed_in = await _admin(context)
    store = signed_in.store
    cycle = await store.meritCycles.get(cycle_id)
    if cycle is None:
        return _not_found("cycleId", "merit cycle")
    if is_locked(cycle):
        return Outcome.refused("cycleId", ErrorCode.READ_ONLY, f"the cycle is {cycle['phase']}: its matrix is locked")
    errors = rules.check_matrix(bounds, cells)
    if errors:
        return Outcome(errors=errors)
    matrix = rules.matrix_document(bounds, cells, base_version + 1)
    if not await store.meritCycles.update(cycle_id, {"matrix": matrix}, where={
            "matrix.version": base_version, "phase": {"$nin": [p.value for p in rules.LOCKED]}}):
        return Outcome.refused("baseVersion", ErrorCode.CONFLICT, "the matrix changed meanwhile or the cycle locked")
    context.fresh_loaders()
    updated = await store.meritCycles.get(cycle_id)
    await publish_after_commit(context, matrix_channel(store.organization_id, cycle_id),
                               {"kind": "matrix", "cycleId": cycle_id, "version": base_version + 1})
    return Outcome(updated)


async def save_rates(context: Context, cycle_id: str, rates: dict[str, Decimal]) -> Outcome:
    """A draft cycle's exchange rates (replaced whole); fixed at launch with the snapshot."""
    signed_in = await _admin(context)
    store = signed_in.store
    cycle = await store.meritCycles.get(cycle_id)
    if cycle is None:
        return _not_found("cycleId", "merit cycle")
    errors = rules.check_rates(rates, cycle["currency"])
    if errors:
        return Outcome(errors=errors)
    if not await store.meritCycles.update(cycle_id, {"rates": {c: str(r) for c, r in rates.items()}},
                                          where={"phase": Phase.DRAFT.value}):
        return Outcome.refused("cycleId", ErrorCode.READ_ONLY, "rates are fixed once the cycle is launched")
    context.fresh_loaders()
    return Outcome(await store.meritCycles.get(cycle_id))


async def set_budget(context: Context, cycle_id: str, manager_id: str, percent: Decimal | None,
                     amount: Decimal | None) -> Outcome:
    """A manager's merit budget: a % of their organisation's eligible payroll, or an amount in the cycle
    currency; refused once locked."""
    signed_in = await _admin(context)
    store = signed_in.store
    cycle = await store.meritCycles.get(cycle_id)
    if cycle is None:
        return _not_found("cycleId", "merit cycle")
    if is_locked(cycle):
        return Outcome.refused("cycleId", ErrorCode.READ_ONLY, f"the cycle is {cycle['phase']}: budgets are locked")
    if (percent is None) == (amount is None):
        return Outcome.refused("percent", ErrorCode.INVALID, "give either percent or amount")
    budget = (await pay_store.budgets_of(store, cycle_id, [manager_id]) or [None])[0]
    if budget is None:
        return Outcome.refused("managerId", ErrorCode.NOT_FOUND, "no budget for this manager in the cycle")
    if percent is not None:
        errors = check_percent(percent, "percent")
        if errors:
            return Outcome(errors=errors)
        allocated = percent_of(budget["payrollMinor"], percent)
    else:
        assert amount is not None
        minor, errors = to_minor(amount, cycle["currency"], "amount", positive=False)
        if errors or minor is None:
            return Outcome(errors=errors)
        allocated = minor
    doc = await pay_store.set_budget(store, cycle_id, manager_id, {"allocatedMinor": allocated})
    context.fresh_loaders()
    await publish_after_commit(context, *budget_event(store.organization_id, cycle_id, [manager_id]))
    return Outcome(doc)


# ---- proposals ---------------------------------------------------------------------------------------------

def _applied(participant: Mapping[str, Any], changes: Mapping[str, Any], entry: Mapping[str, Any]) -> Document:
    """The participant as :func:`store.compensation.repository.write_proposal` leaves it."""
    return {**participant, **changes, "trail": [*participant.get("trail", []), dict(entry)],
            "version": participant["version"] + 1}


def _deltas(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, int]:
    """How a participant's change moves the budgets above them: proposed (any proposal) and committed
    (submitted or approved ones)."""
    def amounts(p: Mapping[str, Any]) -> tuple[int, int]:
        proposal = p.get("proposal")
        if not proposal:
            return 0, 0
        minor = int(proposal["increaseMinor"])
        return minor, minor if proposal["state"] in {"submitted", "approved"} else 0
    (p0, c0), (p1, c1) = amounts(before), amounts(after)
    return {"proposedMinor": p1 - p0, "committedMinor": c1 - c0}


async def _cycle_for_proposals(store: TenantStore, cycle_id: str) -> tuple[Document | None, Outcome | None]:
    cycle = await store.meritCycles.get(cycle_id)
    if cycle is None:
        return None, _not_found("cycleId", "merit cycle")
    if is_locked(cycle):
        return None, Outcome.refused("cycleId", ErrorCode.READ_ONLY, f"the cycle is {cycle['phase']}: proposals are "
                                                                     "locked")
    if cycle["phase"] != Phase.PROPOSALS:
        return None, Outcome.refused("cycleId", ErrorCode.INVALID_TRANSITION,
                                     f"proposals are made in the proposals phase, not {cycle['phase']}")
    return cycle, None


async def propose(context: Context, cycle_id: str, employee_id: str, percent: Decimal | None,
                  amount: Decimal | None, justification: str | None) -> Outcome:
    """A manager's proposed increase for a person (a % or an amount in the cycle currency): within the matrix
    cell or with a justification. One conditional write, then atomic increments on the budgets above;
    ``extra["overBudget"]`` lists the managers whose committed spend now exceeds their budget."""
    signed_in = await require(context)
    viewer, store = signed_in.viewer, signed_in.store
    cycle, refusal = await _cycle_for_proposals(store, cycle_id)
    if refusal or cycle is None:
        return refusal or _not_found("cycleId", "merit cycle")
    participant = await pay_store.participant_of(store, cycle_id, employee_id)
    if participant is None:
        if not can_manage_compensation(viewer):
            employee = await signed_in.loaders.employee_by_id.load(employee_id)
            if employee is None or viewer.employee_id not in employee.get("managerChain", []):
                raise Forbidden(CHAIN_REFUSAL)
        return Outcome.refused("employeeId", ErrorCode.INACTIVE, "this person is not eligible in this cycle")
    if not can_propose(viewer, cycle, participant):
        raise Forbidden(CHAIN_REFUSAL)
    if (percent is None) == (amount is None):
        return Outcome.refused("percent", ErrorCode.INVALID, "give either percent or amount")
    if amount is not None:
        minor, errors = to_minor(amount, cycle["currency"], "amount", positive=False)
        if errors or minor is None:
            return Outcome(errors=errors)
        percent = rules.percent_for_amount(participant, minor)
    assert percent is not None
    errors = rules.check_proposal(participant, cycle["matrix"], percent, justification)
    if errors:
        return Outcome(errors=errors)
    promotion = await promotion_increase(context, cycle, participant)
    at = clock.now()
    cell = rules.cell_for(cycle["matrix"], participant.get("rating"), participant.get("compaRatio"))
    proposal = {"percent": str(percent), "justification": (justification or "").strip() or None, "state": "draft",
                "byId": viewer.employee_id, "at": at, "matrixVersion": cycle["matrix"]["version"],
                "cell": dict(cell) if cell else None, "promotion": promotion}
    entry = {"kind": "proposed", "byId": viewer.employee_id, "at": at, "percent": str(percent),
             "justification": proposal["justification"]}

    # One conditional single-document write on the participant (the version read, not locked), then one
    # atomic $inc on the budgets above: no lost update whatever the concurrency, and no transaction for
    # fifty managers to conflict on over the budgets at the top of the chain.
    current = participant  # read from the store above, not through a loader: the version this write expects
    if current.get("locked"):
        return Outcome.refused("cycleId", ErrorCode.READ_ONLY, "the cycle is locked")
    if (current.get("proposal") or {}).get("state") in {"submitted", "approved"}:
        return Outcome.refused("employeeId", ErrorCode.READ_ONLY, "this proposal is submitted; it changes when "
                                                                  "sent back")
    proposal["increaseMinor"] = rules.increase(current, percent).minor
    after = _applied(current, {"proposal": proposal}, entry)
    deltas = _deltas(current, after)

    async def write() -> Outcome:
        if cycle.get("blockOverBudget") and deltas["proposedMinor"] > 0:
            # HR chose to block: the budgets are checked and the proposal written in one transaction, so two
            # proposals cannot both fit in the same remaining budget
            over = [b["managerId"] for b in await pay_store.budgets_of(store, cycle_id, current["managerChain"])
                    if b["proposedMinor"] + deltas["proposedMinor"] > b["allocatedMinor"]]
            if over:
                return Outcome.refused("percent", ErrorCode.CONFLICT, f"this increase would take {len(over)} "
                                                                      "budget(s) above over their allocation")
        if not await pay_store.write_proposal(store, current, {"proposal": proposal}, entry, deltas):
            return Outcome.refused("employeeId", ErrorCode.CONFLICT, "the proposal changed meanwhile (or the cycle "
                                                                     "locked): read it again")
        return Outcome(after)

    outcome = await (store.transaction(write) if cycle.get("blockOverBudget") else write())
    if not outcome.ok:
        return outcome
    await publish_after_commit(context, *budget_event(store.organization_id, cycle_id, participant["managerChain"]))
    # going over warns (the payload lists the budgets above now over their allocation)
    chain = current["managerChain"]
    mine = chain if can_manage_compensation(viewer) else chain[chain.index(viewer.employee_id):]  # theirs and below
    outcome.extra["overBudget"] = [b for b in await pay_store.budgets_of(store, cycle_id, mine)
                                   if b["proposedMinor"] > b["allocatedMinor"]]
    return outcome


async def submit(context: Context, cycle_id: str) -> Outcome:
    """The viewer's draft proposals go up for approval (committed spend rises by their amounts)."""
    signed_in = await require(context)
    viewer, store = signed_in.viewer, signed_in.store
    cycle, refusal = await _cycle_for_proposals(store, cycle_id)
    if refusal or cycle is None:
        return refusal or _not_found("cycleId", "merit cycle")
    at = clock.now()

    drafts = await store.meritParticipants.find({"cycleId": cycle_id, "proposal.byId": viewer.employee_id,
                                                 "proposal.state": "draft"})
    moved = []
    for participant in drafts:  # each: a conditional write and its atomic increments, as for a proposal
        proposal = {**participant["proposal"], "state": "submitted", "submittedAt": at,
                    "pendingWith": rules.next_approver(participant["managerChain"], viewer.employee_id)}
        entry = {"kind": "submitted", "byId": viewer.employee_id, "at": at}
        after = _applied(participant, {"proposal": proposal}, entry)
        if await pay_store.write_proposal(store, participant, {"proposal": proposal}, entry,
                                          _deltas(participant, after)):
            moved.append(after)
    chain = sorted({m for p in moved for m in p["managerChain"]})
    if moved:
        await publish_after_commit(context, *budget_event(store.organization_id, cycle_id, chain))
    return Outcome(cycle, extra={"submitted": moved})


async def decide(context: Context, cycle_id: str, employee_ids: list[str], approve: bool,
                 reason: str | None) -> Outcome:
    """Approvals go up the chain to HR: the manager a submitted proposal is pending with approves it (it
    moves on to the manager above them, then to HR) or sends it back to draft with a reason; compensation
    admins give the final approval (and may decide at any step). Every decision is kept in the trail; all of
    the listed proposals are decided, or none; refused once locked."""
    signed_in = await require(context)
    store = signed_in.store
    viewer = signed_in.viewer
    admin = can_manage_compensation(viewer)
    cycle = await store.meritCycles.get(cycle_id)
    if cycle is None:
        return _not_found("cycleId", "merit cycle")
    if is_locked(cycle) or cycle["phase"] not in {Phase.PROPOSALS, Phase.REVIEW}:
        return Outcome.refused("cycleId", ErrorCode.READ_ONLY, f"the cycle is {cycle['phase']}: decisions are closed")
    if not approve:
        errors = check_name(reason, "reason")
        if errors:
            return Outcome(errors=errors)
    at = clock.now()

    async def step() -> Outcome:
        found = await pay_store.participants(store, cycle_id, employee_ids=employee_ids)
        waiting = [p for p in found if (p.get("proposal") or {}).get("state") == "submitted"]
        if not admin and any((p.get("proposal") or {}).get("pendingWith") != viewer.employee_id for p in found):
            raise Forbidden("a proposal is decided by the manager it is pending with, then by compensation admins")
        if len(waiting) != len(set(employee_ids)):
            return Outcome.refused("employeeIds", ErrorCode.INVALID_TRANSITION,
                                   "every person decided needs a submitted proposal")
        decided = []
        for participant in waiting:
            current = participant["proposal"]
            if not approve:
                proposal, kind = {**current, "state": "draft", "pendingWith": None}, "sent_back"
            elif admin:
                proposal, kind = {**current, "state": "approved", "pendingWith": None}, "approved"
            else:
                proposal = {**current, "pendingWith": rules.next_approver(participant["managerChain"],
                                                                           viewer.employee_id)}
                kind = "endorsed"
            entry = {"kind": kind, "byId": viewer.employee_id, "at": at, "reason": reason.strip() if reason else None}
            after = _applied(participant, {"proposal": proposal}, entry)
            if not await pay_store.write_proposal(store, participant, {"proposal": proposal}, entry,
                                                  _deltas(participant, after)):
                return Outcome.refused("employeeIds", ErrorCode.CONFLICT, "a proposal changed meanwhile")
            decided.append(after)
        return Outcome(cycle, extra={"decided": decided})

    outcome = await store.transaction(step)
    if outcome.ok:
        chain = sorted({m for p in outcome.extra["decided"] for m in p["managerChain"]})
        await publish_after_commit(context, *budget_event(store.organization_id, cycle_id, chain))
    return outcome

