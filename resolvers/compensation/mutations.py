"""Compensation mutations: bands, pay records, merit cycles (create, launch, advance, matrix, rates,
budgets) and proposals. Refusals are payload errors with nothing written; messages never carry amounts."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from operator import itemgetter
from typing import Any

from models.compensation import budgets as budget_rules
from models.compensation import cycles as rules
from models.compensation.budgets import launch_budgets
from models.compensation.cycles import CurrencyMissing, Phase, is_locked
from models.compensation.money import Money, convert
from models.compensation.permissions import MANAGER_PHASES, can_manage_compensation
from models.compensation.rules import band_for, check_band, check_pay_record, check_zone, current_record
from models.core import clock
from models.core.documents import Document, new_id
from models.core.errors import ErrorCode
from resolvers.compensation.access import ADMIN_REFUSAL
from resolvers.compensation.channels import budget_event, matrix_channel, participants_event
from resolvers.core.context import Context, SignedIn, require, require_role
from resolvers.core.outcome import Outcome
from resolvers.core.publish import publish_after_commit
from resolvers.org import access as org_access
from resolvers.reviews.access import final_ratings_for_pay
from store.compensation import repository as pay_store
from store.core.repository import TenantStore

LAUNCH_FIELDS = {"status": 1, "hireDate": 1, "managerId": 1, "managerChain": 1, "positionId": 1, "departmentId": 1,
                 "externalId": 1}
RECORD_FIELDS = {"employeeId": 1, "effectiveDate": 1, "recordedAt": 1, "base": 1, "frequency": 1}


async def admin_of(context: Context) -> SignedIn:
    """The signed-in compensation admin, or :class:`Forbidden`."""
    return await require_role(context, can_manage_compensation, ADMIN_REFUSAL)


def not_found(field_name: str, what: str) -> Outcome:
    """Nothing written: an unknown id (another organisation's included)."""
    return Outcome.refused(field_name, ErrorCode.NOT_FOUND, f"no such {what}")


# ---- bands and pay records ---------------------------------------------------------------------------------

async def save_band(context: Context, data: dict[str, Any]) -> Outcome:
    """The band of a position (replaced whole)."""
    signed_in = await admin_of(context)
    band, errors = check_band(data)
    if errors or band is None:
        return Outcome(errors=errors)
    if band["positionId"] and await signed_in.loaders.position_by_id.load(band["positionId"]) is None:
        return not_found("positionId", "position")
    doc = await pay_store.save_band(signed_in.store, {**band, "updatedAt": clock.now(),
                                                      "updatedById": signed_in.viewer.employee_id}, new_id())
    context.fresh_loaders()
    return Outcome(doc)


async def record_pay(context: Context, data: dict[str, Any]) -> Outcome:
    """A pay record (history kept: records are only added). While a cycle is in proposals or review, the person's
    snapshot follows the record in effect on the later of its launch day and today, in the same transaction (a
    record in a currency the cycle has no rate for is refused: add the rate first); once the cycle is approved the
    snapshot is locked and the record waits for the next cycle."""
    signed_in = await admin_of(context)
    record, errors = check_pay_record(data)
    if errors or record is None:
        return Outcome(errors=errors)
    store = signed_in.store
    employee = await signed_in.loaders.employee_by_id.load(record["employeeId"])
    if employee is None:
        return not_found("employeeId", "employee")
    doc = {"_id": new_id(), **record, "recordedAt": clock.now(), "recordedById": signed_in.viewer.employee_id}

    moved: list[Document] = []

    async def step() -> Document:
        written = await store.payRecords.insert(doc)
        moved[:] = await _refresh_snapshots(store, [employee], recorded=doc)
        return written

    try:
        written = await store.transaction(step)
    except NoRateInCycle as missing:  # the transaction is rolled back: nothing written
        return _no_rate(missing)
    context.fresh_loaders()
    await _publish_snapshots(context, moved)
    return Outcome(written)


class _Changed(Exception):
    """A participant that a transaction read changed before it wrote it (the transaction is rolled back)."""


def _no_rate(missing: NoRateInCycle) -> Outcome:
    return Outcome.refused("currency", ErrorCode.INVALID,
                           f"the merit cycle {missing.cycle_name!r} has no exchange rate into {missing.into} for "
                           f"{missing.currency}: add it first (saveExchangeRates)")


class NoRateInCycle(Exception):
    """A pay change an open cycle cannot express in its currency."""

    def __init__(self, cycle: Mapping[str, Any], currency: str) -> None:
        super().__init__(currency)
        self.cycle_name, self.into, self.currency = cycle["name"], cycle["currency"], currency


async def _publish_snapshots(context: Context, participants: list[Document]) -> None:
    """After a pay change moved snapshots (and so the budgets above their proposals): one budget event per cycle."""
    organization_id = (await require(context)).viewer.organization_id
    by_cycle: dict[str, list[Document]] = defaultdict(list)
    for participant in participants:
        by_cycle[participant["cycleId"]].append(participant)
    for cycle_id, moved in by_cycle.items():
        await publish_after_commit(context, *participants_event(context.bus, organization_id, cycle_id, moved))
        await publish_after_commit(context, matrix_channel(organization_id, cycle_id),
                                   {"kind": "pay", "cycleId": cycle_id})  # the projected spend moved


async def _refresh_snapshots(store: TenantStore, employees: Sequence[Mapping[str, Any]],
                             recorded: Mapping[str, Any] | None = None) -> list[Document]:
    """Inside a transaction: the snapshots of ``employees`` in every cycle still open to pay changes, from the
    records in effect on the later of its snapshot day and today, and their pay zones now (the proposals'
    percentages stay; budgets follow the new amounts: their spend, then once per cycle their payrolls and percentage
    pools). Raises :class:`NoRateInCycle` when a snapshot's currency, or that of a ``recorded`` record (dated later
    too), has no rate in such a cycle. Each cycle written is touched, so a concurrent rate or phase change conflicts
    with this transaction. Returns the participants as their writes left them."""
    open_cycles = await store.meritCycles.find({"phase": {"$in": [Phase.PROPOSALS.value, Phase.REVIEW.value]}})
    moved: list[Document] = []
    if not open_cycles or not employees:
        return moved
    ids = [e["_id"] for e in employees]
    records: dict[str, list[Document]] = defaultdict(list)
    for record in await pay_store.records_of(store.payRecords, ids):
        records[record["employeeId"]].append(record)
    bands = await pay_store.bands(store.payBands)
    zones = await pay_store.zones_of(store, ids)
    by_id = {e["_id"]: e for e in employees}
    for cycle in open_cycles:
        written = False
        for participant in await pay_store.participants(store, cycle["_id"], employee_ids=ids):
            employee, zone = by_id[participant["employeeId"]], zones.get(participant["employeeId"])
            record = current_record(records[employee["_id"]], max(_snapshot_on(cycle), clock.today()))
            if record is None:
                continue
            if recorded is not None and convert(Money.of(recorded["base"]), cycle["currency"],
                                                rules.rates_of(cycle)) is None:
                raise NoRateInCycle(cycle, recorded["base"]["currency"])
            band, _ = band_for(bands, participant.get("positionId"), participant.get("level"), zone)
            try:
                fresh = rules.snapshot(cycle, employee, record, band, participant.get("rating"),
                                       level=participant.get("level"), zone=zone)
            except CurrencyMissing as missing:
                raise NoRateInCycle(cycle, missing.currency) from None
            changes = {k: fresh.get(k) for k in ("payRecordId", "frequency", "pay", "payInCycle", "compaRatio",
                                                  "rangePosition", "bandId", "zone")}
            if participant.get("proposal"):
                changes["proposal"] = rules.repriced_proposal({**participant, **changes})
            entry = {"kind": "pay_changed", "byId": None, "at": clock.now(), "payRecordId": record["_id"]}
            after = rules.applied(participant, changes, entry)
            if await pay_store.write_proposal(store, participant, changes, entry, budget_deltas(participant, after)):
                moved.append(after)
                written = True
        if written:
            await pay_store.touch_cycle(store, cycle["_id"])
            await _reallocate(store, cycle)
    return moved


async def _reallocate(store: TenantStore, cycle: Mapping[str, Any], people: list[Document] | None = None) -> None:
    """Inside a transaction, after participants' pay in the cycle currency moved: every budget's payroll and its
    percentage pools' allocations worked out again from the participants (``budget_rules.reallocated``; ``people``:
    all of them as just written, else read)."""
    if people is None:
        people = await pay_store.participants(store, cycle["_id"])
    budgets = await store.compensationBudgets.find({"cycleId": cycle["_id"]})
    await store.compensationBudgets.update_each(budget_rules.reallocated(cycle, people, budgets))


async def assign_zone(context: Context, employee_id: str, zone: str | None) -> Outcome:
    """A person's pay zone (``None`` removes it): their band is looked up in it. While a merit cycle is in
    proposals or review their snapshot follows (band, compa-ratio), in the same transaction."""
    signed_in = await admin_of(context)
    errors = check_zone(zone)
    if errors:
        return Outcome(errors=errors)
    employee = await signed_in.loaders.employee_by_id.load(employee_id)
    if employee is None:
        return not_found("employeeId", "employee")
    store = signed_in.store

    moved: list[Document] = []

    async def step() -> None:
        await pay_store.assign_zone(store, employee_id, zone, {"updatedAt": clock.now(),
                                                               "updatedById": signed_in.viewer.employee_id}, new_id())
        moved[:] = await _refresh_snapshots(store, [employee])

    try:
        await store.transaction(step)
    except NoRateInCycle as missing:  # rolled back: nothing written
        return _no_rate(missing)
    context.fresh_loaders()
    await _publish_snapshots(context, moved)
    return Outcome({"_id": employee_id, "employeeId": employee_id, "zone": zone})


def _snapshot_on(cycle: Mapping[str, Any]) -> date:
    """The day whose pay a launched cycle's snapshot holds (its launch day)."""
    return date.fromisoformat(cycle["snapshotOn"])


# ---- cycles ------------------------------------------------------------------------------------------------

async def create_cycle(context: Context, data: dict[str, Any]) -> Outcome:
    signed_in = await admin_of(context)
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
    signed_in = await admin_of(context)
    store = signed_in.store
    cycle = await store.meritCycles.get(cycle_id)
    if cycle is None:
        return not_found("cycleId", "merit cycle")
    if cycle["phase"] not in {Phase.DRAFT, Phase.LAUNCHING}:
        return Outcome.refused("cycleId", ErrorCode.INVALID_TRANSITION, f"the cycle is {cycle['phase']}, not a draft")
    ratings = (await final_ratings_for_pay(context, cycle["reviewCycleId"]) or {}) if cycle.get("reviewCycleId") \
        else {}
    # bulk reads with projections: everyone who has not left, every pay record, band, zone and position level;
    # in no order (the embedded server sorts thousands slower than it reads them), ordered here
    employees = sorted(await org_access.active_people(context, LAUNCH_FIELDS, ordered=False),
                       key=itemgetter("_id"))
    records: dict[str, list[Document]] = defaultdict(list)
    for record in sorted(await store.payRecords.find({}, projection=RECORD_FIELDS),
                         key=lambda r: (r["employeeId"], r["effectiveDate"], r["_id"])):
        records[record["employeeId"]].append(record)
    bands = await pay_store.bands(store.payBands)
    zones = await pay_store.zones_of(store)
    levels = {p["_id"]: p.get("level") for p in await org_access.positions(context)}
    today = clock.today()
    chosen = rules.eligibility(cycle, employees, records, today)
    people: list[Document] = []
    missing: set[str] = set()
    for employee in chosen.eligible:
        record = current_record(records[employee["_id"]], today)
        assert record is not None  # eligibility requires pay in effect on the snapshot day
        level, zone = levels.get(employee.get("positionId") or ""), zones.get(employee["_id"])
        band, _ = band_for(bands, employee.get("positionId"), level, zone)
        try:
            people.append(rules.snapshot(cycle, employee, record, band, ratings.get(employee["_id"]), level=level,
                                         zone=zone))
        except CurrencyMissing as error:
            missing.add(error.currency)
    if missing:
        return Outcome.refused("rates", ErrorCode.INVALID,
                               f"no exchange rate into {cycle['currency']} for {', '.join(sorted(missing))}")
    budgets = launch_budgets(cycle, people)
    now = clock.now()
    changes = {"phase": Phase.PROPOSALS.value, "launchedAt": now, "snapshotOn": today.isoformat(),
               "launchedById": signed_in.viewer.employee_id, "eligibleCount": len(people),
               "skipped": [{"employeeId": i, "reason": r.value} for i, r in chosen.skipped]}
    if not await pay_store.launch(store, cycle_id, changes, people, budgets):
        return Outcome.refused("cycleId", ErrorCode.CONFLICT, "the cycle was launched meanwhile")
    context.fresh_loaders()
    # the cycle's budgets exist and are open now: a ledger that read them part-way through the launch reads again
    await publish_after_commit(context, *budget_event(store.organization_id, cycle_id, (), everyone=True))
    report = LaunchReport(len(people), [(i, r.value) for i, r in chosen.skipped],
                          Money(sum(p["payInCycle"]["minor"] for p in people), cycle["currency"]))
    return Outcome(await store.meritCycles.get(cycle_id), extra={"launch": report})


async def advance_cycle(context: Context, cycle_id: str, to: str) -> Outcome:
    """proposals → review → approved → shared → exported, one step at a time (a conditional write on the
    phase read). Approving locks the snapshots, rates, matrix and proposals."""
    signed_in = await admin_of(context)
    store = signed_in.store
    cycle = await store.meritCycles.get(cycle_id)
    if cycle is None:
        return not_found("cycleId", "merit cycle")
    if cycle["phase"] == Phase.DRAFT or rules.next_phase(cycle["phase"]) != Phase(to):
        return Outcome.refused("phase", ErrorCode.INVALID_TRANSITION, f"a {cycle['phase']} cycle cannot move to {to}")
    entry = {"from": cycle["phase"], "to": to, "byId": signed_in.viewer.employee_id, "at": clock.now()}
    # pay records dated after the launch that have come into effect since they were recorded: the snapshots take
    # them before review and before the lock (a record in effect on the day it is recorded is applied then)
    arrived: list[Document] = []
    if to in {Phase.REVIEW, Phase.APPROVED}:
        due = await store.payRecords.find({"effectiveDate": {"$gt": cycle["snapshotOn"],
                                                             "$lte": clock.today().isoformat()}},
                                          projection={"employeeId": 1})
        found = await signed_in.loaders.employee_by_id.load_many(sorted({r["employeeId"] for r in due}))
        arrived = [e for e in found if e is not None]

    async def step() -> bool:
        await _refresh_snapshots(store, arrived)
        if not await store.meritCycles.update(cycle_id, {"phase": to}, push={"history": entry},
                                              where={"phase": cycle["phase"]}):
            return False
        if to == Phase.APPROVED:
            # Approving locks every participant (a proposal's write is conditional on it) and every budget, set to
            # the exact sums of the proposals: an increment still on its way from a proposal written before the
            # lock finds its budgets locked and is not added twice. Review changes no figure: the increments are
            # exact (a recount there, with the budgets open, could count such a late increment twice).
            await pay_store.lock_and_recount(store, cycle_id, lock=True)
        return True

    try:
        if not await store.transaction(step):
            return Outcome.refused("phase", ErrorCode.CONFLICT, "the cycle changed phase meanwhile")
    except NoRateInCycle as missing:  # rolled back: nothing written
        return _no_rate(missing)
    context.fresh_loaders()
    # who may see budgets changed with the phase (and approval recounted them): every budget subscriber hears it
    await publish_after_commit(context, *budget_event(store.organization_id, cycle_id, (), everyone=True))
    return Outcome(await store.meritCycles.get(cycle_id))


async def save_matrix(context: Context, cycle_id: str, bounds: list[Decimal], cells: list[dict[str, Any]],
                      base_version: int) -> Outcome:
    """HR's matrix (replaced whole, conditional on the version it was edited from); refused once locked."""
    signed_in = await admin_of(context)
    store = signed_in.store
    cycle = await store.meritCycles.get(cycle_id)
    if cycle is None:
        return not_found("cycleId", "merit cycle")
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
    """A cycle's exchange rates into its currency (replaced whole): in a draft, for the launch; in proposals or
    review, in one transaction, every participant paid in another currency is expressed again with them (pay in
    the cycle currency, the proposals' amounts: their percentages stay) and every budget's payroll and the
    allocations of pools given as a percentage follow (pools given as an amount stay), spend moving by atomic
    increments as for a proposal. Refused once approved (locked), and when a participant's currency would have no
    rate."""
    signed_in = await admin_of(context)
    store = signed_in.store
    cycle = await store.meritCycles.get(cycle_id)
    if cycle is None:
        return not_found("cycleId", "merit cycle")
    errors = rules.check_rates(rates, cycle["currency"])
    if errors:
        return Outcome(errors=errors)
    stored = {c: str(r) for c, r in rates.items()}
    if cycle["phase"] == Phase.DRAFT:
        if not await store.meritCycles.update(cycle_id, {"rates": stored}, where={"phase": Phase.DRAFT.value}):
            return Outcome.refused("cycleId", ErrorCode.CONFLICT, "the cycle was launched meanwhile: save again")
        context.fresh_loaders()
        return Outcome(await store.meritCycles.get(cycle_id))
    if cycle["phase"] not in MANAGER_PHASES or is_locked(cycle):
        return Outcome.refused("cycleId", ErrorCode.READ_ONLY, f"the cycle is {cycle['phase']}: rates are fixed")

    async def step() -> Outcome:
        current = await store.meritCycles.get(cycle_id)
        if current is None or current["phase"] not in MANAGER_PHASES or is_locked(current):
            return Outcome.refused("cycleId", ErrorCode.READ_ONLY, "the cycle moved on meanwhile: rates are fixed")
        people = await pay_store.participants(store, cycle_id)
        changed: list[tuple[Document, dict[str, Any]]] = []
        missing: set[str] = set()
        for participant in people:
            try:
                changes = rules.in_new_rates(participant, current["currency"], rates)
            except CurrencyMissing as error:
                missing.add(error.currency)
                continue
            if changes is not None:
                changed.append((participant, changes))
        if missing:
            return Outcome.refused("rates", ErrorCode.INVALID, f"participants are paid in {', '.join(sorted(missing))}"
                                                               f": a rate into {current['currency']} is needed")
        await store.meritCycles.update(cycle_id, {"rates": stored}, where={"phase": current["phase"]})
        entry = {"kind": "rates_changed", "byId": signed_in.viewer.employee_id, "at": clock.now()}
        writes = []
        after_all = {p["_id"]: p for p in people}
        for participant, changes in changed:
            after = after_all[participant["_id"]] = rules.applied(participant, changes, entry)
            writes.append((participant, changes, entry, budget_deltas(participant, after)))
        if not await pay_store.reprice(store, writes):  # two bulk writes, whatever the number of people
            raise _Changed  # locked meanwhile: nothing of this transaction stays
        await _reallocate(store, {**current, "rates": stored}, list(after_all.values()))
        return Outcome(current)

    try:
        outcome = await store.transaction(step)
    except _Changed:
        return Outcome.refused("cycleId", ErrorCode.CONFLICT, "the cycle changed meanwhile: save again")
    if not outcome.ok:
        return outcome
    context.fresh_loaders()
    # payrolls and allocations moved everywhere: every budget subscriber's ledger reads again; the projected spend
    # moved too
    await publish_after_commit(context, *budget_event(store.organization_id, cycle_id, (), everyone=True))
    await publish_after_commit(context, matrix_channel(store.organization_id, cycle_id),
                               {"kind": "rates", "cycleId": cycle_id})
    return Outcome(await store.meritCycles.get(cycle_id))


# ---- shared by pay changes and proposals -------------------------------------------------------------

def budget_deltas(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, int]:
    """How a participant's change moves the budgets above them (merit and promotion, proposed and committed)."""
    return budget_rules.deltas(before, after)
