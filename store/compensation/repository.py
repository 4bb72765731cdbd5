"""The compensation domain's collections: pay records, pay bands, merit cycles, their participants (the pay
snapshot, matrix inputs and proposal of each eligible person) and budgets per manager.

Budgets are kept exact by atomic increments made in the same transaction as the proposal they count:
a proposal's change (new amount − old amount) is ``$inc``-ed on the budget of every manager above the
person, so each total equals the sum of its proposals whatever the concurrency.
"""

from __future__ import annotations

import asyncio
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from operator import itemgetter
from typing import Any

from pymongo import UpdateOne
from pymongo.errors import BulkWriteError
from strawberry.dataloader import DataLoader

from models.compensation.budgets import department_budget_id, manager_budget_id
from models.compensation.cycles import applied, participant_id
from store.core.audit import derived_writes, read_before
from store.core.loaders import MAX_BATCH, ByIdLoader
from store.core.repository import Document, TenantCollection, TenantStore

BY_ID = [("_id", 1)]
UNLOCKED = {"locked": {"$ne": True}}  # budgets take increments until the approval locks them with their recount


class PayRecordsByEmployeeIdLoader(DataLoader[str, list[Document]]):
    """Every pay record of each person, oldest effective date first."""

    def __init__(self, collection: TenantCollection) -> None:
        self.collection = collection
        super().__init__(load_fn=self.load_batch, max_batch_size=MAX_BATCH)

    async def load_batch(self, ids: Sequence[str]) -> list[list[Document]]:
        grouped: dict[str, list[Document]] = {id: [] for id in ids}
        for doc in await records_of(self.collection, ids):
            grouped[doc["employeeId"]].append(doc)
        return [grouped[id] for id in ids]


class ZoneByEmployeeIdLoader(DataLoader[str, str | None]):
    """Each person's pay zone (``None``: no zone assigned)."""

    def __init__(self, collection: TenantCollection) -> None:
        self.collection = collection
        super().__init__(load_fn=self.load_batch, max_batch_size=MAX_BATCH)

    async def load_batch(self, ids: Sequence[str]) -> list[str | None]:
        found = {d["employeeId"]: d["zone"] for d in await self.collection.find(
            {"employeeId": {"$in": list(ids)}}, projection={"employeeId": 1, "zone": 1})}
        return [found.get(id) for id in ids]


class AllBands:
    """Every band of the organisation, read once (per request, or per event): a person's band depends on their
    position, its level and their zone (``models.compensation.rules.band_for``), and an organisation has a
    band per position or level and zone, never one per person."""

    def __init__(self, collection: TenantCollection) -> None:
        self.collection = collection
        self._bands: asyncio.Future[list[Document]] | None = None

    async def load(self) -> list[Document]:
        if self._bands is None:  # concurrent callers share the one read
            self._bands = asyncio.ensure_future(bands(self.collection))
        return await self._bands


class CompensationLoaders:
    """``context.loaders.compensation``: one request's (or one event's) compensation loaders."""

    def __init__(self, store: TenantStore) -> None:
        self.pay_records_by_employee_id = PayRecordsByEmployeeIdLoader(store.payRecords)
        self.bands = AllBands(store.payBands)
        self.zone_by_employee_id = ZoneByEmployeeIdLoader(store.payZones)
        self.cycle_by_id = ByIdLoader(store.meritCycles)
        self.participant_by_id = ByIdLoader(store.meritParticipants)


async def records_of(collection: TenantCollection, employee_ids: Iterable[str]) -> list[Document]:
    return await collection.find({"employeeId": {"$in": list(employee_ids)}},
                                 sort=[("employeeId", 1), ("effectiveDate", 1), ("recordedAt", 1), ("_id", 1)])


MAX_BANDS = 5000


async def bands(collection: TenantCollection) -> list[Document]:
    """The organisation's bands (position bands first, then level bands; zone-less first)."""
    return await collection.find({}, sort=[("positionId", 1), ("level", 1), ("zone", 1), ("_id", 1)],
                                 limit=MAX_BANDS)


async def save_band(store: TenantStore, band: Mapping[str, Any], new_id: str) -> Document:
    """One band per position or level and zone: replaced whole (one upsert keyed on the three)."""
    collection = store.payBands
    key = {"positionId": band["positionId"], "level": band["level"], "zone": band["zone"]}
    return await collection.collection.find_one_and_update(
        collection.scope(key), {"$set": dict(band), "$setOnInsert": {"_id": new_id}}, upsert=True,
        return_document=True)


async def assign_zone(store: TenantStore, employee_id: str, zone: str | None, changes: Mapping[str, Any],
                      new_id: str) -> None:
    """A person's pay zone (one upsert; ``None`` removes it)."""
    collection = store.payZones
    if zone is None:
        await collection.collection.delete_one(collection.scope({"employeeId": employee_id}))
        return
    await collection.collection.update_one(collection.scope({"employeeId": employee_id}), {
        "$set": {"zone": zone, **changes}, "$setOnInsert": {"_id": new_id}}, upsert=True)


async def zones_of(store: TenantStore, employee_ids: Iterable[str] | None = None) -> dict[str, str]:
    """Pay zones by employee id (of some people, or everyone's)."""
    query = {} if employee_ids is None else {"employeeId": {"$in": list(employee_ids)}}
    return {d["employeeId"]: d["zone"] for d in await store.payZones.find(query, projection={"employeeId": 1,
                                                                                            "zone": 1})}


async def open_cycles(store: TenantStore, phases: Iterable[str]) -> list[Document]:
    return await store.meritCycles.find({"phase": {"$in": list(phases)}}, sort=BY_ID,
                                        projection={"phase": 1, "organizationId": 1})


async def participants(store: TenantStore, cycle_id: str, *, below: str | None = None,
                       employee_ids: Sequence[str] | None = None) -> list[Document]:
    """A cycle's participants (of a manager's organisation, or some people: by their ids, ``participant_id``), by
    employee id (sorted here: the embedded server sorts thousands slower than it reads them)."""
    query: dict[str, Any] = {"cycleId": cycle_id}
    if below is not None:
        query["managerChain"] = below
    if employee_ids is not None:
        query["_id"] = {"$in": [participant_id(cycle_id, e) for e in employee_ids]}
    return sorted(await store.meritParticipants.find(query), key=itemgetter("employeeId"))


def _one(cycle_id: str, employee_id: str) -> dict[str, Any]:
    """One person's participant in a cycle: by its id (``participant_id``), the cycle checked as well."""
    return {"_id": participant_id(cycle_id, employee_id), "cycleId": cycle_id}


async def participant_of(store: TenantStore, cycle_id: str, employee_id: str) -> Document | None:
    found = await store.meritParticipants.find(_one(cycle_id, employee_id), limit=1)
    return found[0] if found else None


async def cycle_and_participant(store: TenantStore, cycle_id: str,
                                employee_id: str) -> tuple[Document | None, Document | None]:
    """A cycle and one person's participant in it, in one round trip (what a proposal reads)."""
    found, cycles = await store.find_together([
        ("meritParticipants", _one(cycle_id, employee_id)), ("meritCycles", {"_id": cycle_id})])
    return (cycles[0] if cycles else None), (found[0] if found else None)


SPEND_FIELDS = {"version": 1, "managerChain": 1, "departmentId": 1, "proposal.increaseMinor": 1,
                "proposal.promotionIncreaseMinor": 1, "proposal.state": 1}


async def cycle_budgets_and_spend(store: TenantStore, cycle_id: str
                                  ) -> tuple[Document | None, list[Document], list[Document]]:
    """In one round trip: a cycle, all its budgets, and of each participant with a proposal what budgets count
    (its version, chain, department and proposal's amounts and state: ``SPEND_FIELDS``) — what a server process
    keeps a cycle's budget pushes from (``resolvers/compensation/ledger.py``)."""
    participants, cycles, budgets = await store.find_together([
        ("meritParticipants", {"cycleId": cycle_id, "proposal": {"$ne": None}}, SPEND_FIELDS),
        ("meritCycles", {"_id": cycle_id}), ("compensationBudgets", {"cycleId": cycle_id})])
    return (cycles[0] if cycles else None), budgets, participants


async def launch(store: TenantStore, cycle_id: str, changes: Mapping[str, Any], people: list[Document],
                 budgets: list[Document]) -> bool:
    """Launch a draft cycle: claim it (draft → launching, one conditional write: of two concurrent launches
    one wins), write its participants (one unordered bulk insert) and budgets (one more) with deterministic ids, then
    open it (launching → proposals, with ``changes``). A launch stopped part-way leaves the cycle launching;
    launching it again inserts only what is missing and opens it. A cycle past launching writes nothing."""
    claimed = await store.meritCycles.update(cycle_id, {"phase": "launching"}, where={"phase": "draft"})
    if not claimed:
        current = await store.meritCycles.get(cycle_id)
        if current is None or current.get("phase") != "launching":
            return False
    with derived_writes():  # the trail records the launch on the cycle; these rows derive from audited pay
        await insert_missing(store.meritParticipants, people)  # one call (the driver splits it by message size)
        await insert_missing(store.compensationBudgets, budgets)
    return await store.meritCycles.update(cycle_id, changes, where={"phase": "launching"})


async def insert_missing(collection: TenantCollection, documents: list[Document]) -> int:
    """One unordered bulk insert; ids already stored (an earlier run's) are skipped."""
    if not documents:
        return 0
    docs = [{**d, "organizationId": collection.organization_id} for d in documents]
    try:
        result = await collection.collection.insert_many(docs, ordered=False)
    except BulkWriteError as error:
        if any(e.get("code") != 11000 for e in error.details.get("writeErrors", [])):
            raise
        return int(error.details.get("nInserted", 0))
    return len(result.inserted_ids)


async def budgets_of(store: TenantStore, cycle_id: str, manager_ids: Iterable[str]) -> list[Document]:
    """The budgets of these managers (by their deterministic ids: the ``_id`` index)."""
    ids = [manager_budget_id(cycle_id, m) for m in manager_ids]
    return await store.compensationBudgets.find({"_id": {"$in": ids}, "cycleId": cycle_id}, sort=BY_ID)


async def department_budgets(store: TenantStore, cycle_id: str,
                             department_ids: Iterable[str] | None = None) -> list[Document]:
    """The budgets of these departments (all of the cycle's without ``department_ids``)."""
    query: dict[str, Any] = {"cycleId": cycle_id, "managerId": None, "departmentId": {"$ne": None}}
    if department_ids is not None:
        query["departmentId"] = {"$in": list(department_ids)}
    return await store.compensationBudgets.find(query, sort=[("departmentId", 1)])


async def budgets_above(store: TenantStore, participant: Mapping[str, Any],
                        manager_ids: Sequence[str] | None = None) -> list[Document]:
    """In one read: the budgets of the managers above a participant (or of ``manager_ids``) and, with all of
    them, of the participant's department."""
    managers = participant["managerChain"] if manager_ids is None else manager_ids
    return await store.compensationBudgets.find(_above(participant, managers), sort=BY_ID)


def _above(participant: Mapping[str, Any], managers: Sequence[str]) -> dict[str, Any]:
    """The budgets of ``managers`` and of the participant's department, by their deterministic ids (one ``$in`` on
    the ``_id`` index, not an ``$or`` of two scans)."""
    return {"_id": {"$in": _budget_ids(participant, managers)}, "cycleId": participant["cycleId"]}


def _budget_ids(participant: Mapping[str, Any], managers: Sequence[str]) -> list[str]:
    """The ids of the budgets of ``managers`` and of the participant's department."""
    cycle_id = participant["cycleId"]
    ids = [manager_budget_id(cycle_id, m) for m in managers]
    if participant.get("departmentId"):
        ids.append(department_budget_id(cycle_id, participant["departmentId"]))
    return ids


def _conditional_write(collection: TenantCollection, participant: Mapping[str, Any], changes: Mapping[str, Any],
                       entry: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The filter and update of a change on a participant: conditional on the version read and on the participant
    not being locked; the change, its trail entry, one version more."""
    return (collection.scope({"_id": participant["_id"], "version": participant["version"], "locked": {"$ne": True}}),
            {"$set": dict(changes), "$push": {"trail": dict(entry)}, "$inc": {"version": 1}})


async def write_proposal(store: TenantStore, participant: Mapping[str, Any], changes: Mapping[str, Any],
                         entry: Mapping[str, Any], deltas: Mapping[str, int]) -> int | None:
    """The change on the participant (one write, conditional on the version read and on the cycle not being
    locked for it), then ``deltas`` (merit and promotion, proposed and committed) added atomically, in one
    update, to the budget of every manager above and of the participant's department: each total stays the sum
    of its proposals under any concurrency. Returns the participant's new version (``None``: not written)."""
    collection = store.meritParticipants
    after = applied(participant, changes, entry)
    # the version this write is conditional on, and what it leaves when it matches: the audit reads neither
    with read_before(participant, after=after):
        result = await collection.collection.update_one(  # not find_one_and_update: a scan on SecantusDB
            *_conditional_write(collection, participant, changes, entry))
    if result.matched_count != 1:
        return None
    increments = {name: value for name, value in deltas.items() if value}
    if increments:
        budgets = store.compensationBudgets
        with derived_writes():  # counters of the participant's change, which the trail records
            # not on locked budgets: the approval counted this change already, from the participant it wrote first
            await budgets.collection.update_many(budgets.scope({**_above(participant, participant["managerChain"]),
                                                                **UNLOCKED}), {"$inc": increments})
    return int(participant["version"]) + 1


async def reprice(store: TenantStore, writes: Sequence[tuple[Mapping[str, Any], Mapping[str, Any],
                                                              Mapping[str, Any], Mapping[str, int]]]) -> bool:
    """Inside the caller's transaction (a rate change): each ``(participant, changes, entry, deltas)``, the changes
    written as :func:`write_proposal` writes one, all in one bulk write, then the deltas summed per budget above
    them in one more. Derived writes (the change is audited on the cycle). False when a participant did not match:
    the caller's transaction must not commit."""
    if not writes:
        return True
    participants, budgets = store.meritParticipants, store.compensationBudgets
    summed: dict[str, Counter[str]] = defaultdict(Counter)
    for participant, _, _, deltas in writes:
        for budget_id in _budget_ids(participant, participant["managerChain"]):
            summed[budget_id].update(deltas)
    with derived_writes():
        result = await participants.collection.bulk_write([
            UpdateOne(*_conditional_write(participants, p, changes, entry)) for p, changes, entry, _ in writes],
            ordered=False)
        if result.matched_count != len(writes):
            return False
        increments = [UpdateOne(budgets.scope({"_id": budget_id, **UNLOCKED}), {"$inc": nonzero})
                      for budget_id, counts in summed.items() if (nonzero := {k: v for k, v in counts.items() if v})]
        if increments:
            await budgets.collection.bulk_write(increments, ordered=False)
    return True


async def touch_cycle(store: TenantStore, cycle_id: str) -> None:
    """Inside the caller's transaction: a write on the cycle (``snapshotChanges``), so that a concurrent
    transaction that also writes it (a rate change, a phase change) conflicts with this one and runs again."""
    cycles = store.meritCycles
    with derived_writes():
        await cycles.collection.update_one(cycles.scope({"_id": cycle_id}), {"$inc": {"snapshotChanges": 1}})


async def set_budget(store: TenantStore, budget_id: str, changes: Mapping[str, Any]) -> Document | None:
    budgets = store.compensationBudgets
    return await budgets.collection.find_one_and_update(budgets.scope({"_id": budget_id}), {"$set": dict(changes)},
                                                        return_document=True)


async def managers_in_department(store: TenantStore, cycle_id: str, department_id: str) -> list[Document]:
    """The manager budgets with payroll in a department (those a department pool is shared among)."""
    return await store.compensationBudgets.find(
        {"cycleId": cycle_id, "departmentId": None, f"payrollByDepartment.{department_id}": {"$exists": True}},
        sort=BY_ID, projection={"managerId": 1, "payrollByDepartment": 1})


async def lock_and_recount(store: TenantStore, cycle_id: str, *, lock: bool) -> None:
    """Inside the caller's transaction: lock the participants and the budgets (``lock``: increments no longer
    apply to them) and set every budget of the cycle (the managers' and the departments') to the sums of the
    proposals below it, merit and promotion apart, in one aggregation."""
    participants = store.meritParticipants
    if lock:
        await participants.collection.update_many(participants.scope({"cycleId": cycle_id}),
                                                  {"$set": {"locked": True}})
    committed = {"$in": ["$proposal.state", ["submitted", "approved"]]}
    sums = {name: {"$sum": value} for name, value in {
        "proposedMinor": {"$ifNull": ["$proposal.increaseMinor", 0]},
        "committedMinor": {"$cond": [committed, {"$ifNull": ["$proposal.increaseMinor", 0]}, 0]},
        "promotionProposedMinor": {"$ifNull": ["$proposal.promotionIncreaseMinor", 0]},
        "promotionCommittedMinor": {"$cond": [committed, {"$ifNull": ["$proposal.promotionIncreaseMinor", 0]},
                                              0]}}.items()}
    rows = await participants.collection.aggregate([
        *participants.match({"cycleId": cycle_id, "proposal": {"$ne": None}}),
        {"$project": {"proposal": 1, "keys": {"$concatArrays": [
            {"$map": {"input": "$managerChain", "as": "m", "in": {"$concat": ["m:", "$$m"]}}},
            {"$cond": [{"$gt": ["$departmentId", None]}, [{"$concat": ["d:", "$departmentId"]}], []]}]}}},
        {"$unwind": "$keys"},
        {"$group": {"_id": "$keys", **sums}},
    ])
    totals = {row["_id"]: row for row in rows}
    budgets = store.compensationBudgets
    changes = {}
    for budget in await budgets.find({"cycleId": cycle_id}, projection={"managerId": 1, "departmentId": 1}):
        key = f"m:{budget['managerId']}" if budget.get("managerId") else f"d:{budget.get('departmentId')}"
        row = totals.get(key, {})
        changes[budget["_id"]] = {name: int(row.get(name, 0)) for name in sums} | ({"locked": True} if lock else {})
    await budgets.update_each(changes)
