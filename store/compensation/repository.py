"""The compensation domain's collections: pay records, pay bands, merit cycles, their participants (the pay
snapshot, matrix inputs and proposal of each eligible person) and budgets per manager.

Budgets are kept exact by atomic increments made in the same transaction as the proposal they count:
a proposal's change (new amount − old amount) is ``$inc``-ed on the budget of every manager above the
person, so each total equals the sum of its proposals whatever the concurrency.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pymongo.errors import BulkWriteError
from strawberry.dataloader import DataLoader

from store.core.loaders import MAX_BATCH, ByIdLoader
from store.core.repository import Document, TenantCollection, TenantStore

BY_ID = [("_id", 1)]


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


class BandByPositionIdLoader(DataLoader[str, Document | None]):
    def __init__(self, collection: TenantCollection) -> None:
        self.collection = collection
        super().__init__(load_fn=self.load_batch, max_batch_size=MAX_BATCH)

    async def load_batch(self, ids: Sequence[str]) -> list[Document | None]:
        found = {d["positionId"]: d for d in await self.collection.find({"positionId": {"$in": list(ids)}})}
        return [found.get(id) for id in ids]


class CompensationLoaders:
    """``context.loaders.compensation``: one request's (or one event's) compensation loaders."""

    def __init__(self, store: TenantStore) -> None:
        self.pay_records_by_employee_id = PayRecordsByEmployeeIdLoader(store.payRecords)
        self.band_by_position_id = BandByPositionIdLoader(store.payBands)
        self.cycle_by_id = ByIdLoader(store.meritCycles)
        self.participant_by_id = ByIdLoader(store.meritParticipants)


async def records_of(collection: TenantCollection, employee_ids: Iterable[str]) -> list[Document]:
    return await collection.find({"employeeId": {"$in": list(employee_ids)}},
                                 sort=[("employeeId", 1), ("effectiveDate", 1), ("recordedAt", 1), ("_id", 1)])


async def save_band(store: TenantStore, band: Mapping[str, Any], new_id: str) -> Document:
    """One band per position: replaced whole (one upsert keyed on the position)."""
    collection = store.payBands
    return await collection.collection.find_one_and_update(
        collection.scope({"positionId": band["positionId"]}),
        {"$set": dict(band), "$setOnInsert": {"_id": new_id}}, upsert=True, return_document=True)


async def open_cycles(store: TenantStore, phases: Iterable[str]) -> list[Document]:
    return await store.meritCycles.find({"phase": {"$in": list(phases)}}, sort=BY_ID,
                                        projection={"phase": 1, "organizationId": 1})


async def participants(store: TenantStore, cycle_id: str, *, below: str | None = None,
                       employee_ids: Sequence[str] | None = None) -> list[Document]:
    """A cycle's participants (of a manager's organisation, or some people), by employee id."""
    query: dict[str, Any] = {"cycleId": cycle_id}
    if below is not None:
        query["managerChain"] = below
    if employee_ids is not None:
        query["employeeId"] = {"$in": list(employee_ids)}
    return await store.meritParticipants.find(query, sort=[("employeeId", 1)])


async def participant_of(store: TenantStore, cycle_id: str, employee_id: str) -> Document | None:
    found = await store.meritParticipants.find({"cycleId": cycle_id, "employeeId": employee_id}, limit=1)
    return found[0] if found else None


async def launch(store: TenantStore, cycle_id: str, changes: Mapping[str, Any], people: list[Document],
                 budgets: list[Document]) -> bool:
    """Launch a draft cycle: claim it (draft → launching, one conditional write: of two concurrent launches
    one wins), write its participants and budgets in two unordered bulk inserts with deterministic ids, then
    open it (launching → proposals, with ``changes``). A launch stopped part-way leaves the cycle launching;
    launching it again inserts only what is missing and opens it. A cycle past launching writes nothing."""
    claimed = await store.meritCycles.update(cycle_id, {"phase": "launching"}, where={"phase": "draft"})
    if not claimed:
        current = await store.meritCycles.get(cycle_id)
        if current is None or current.get("phase") != "launching":
            return False
    await insert_missing(store.meritParticipants, people)
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
    return await store.compensationBudgets.find({"cycleId": cycle_id, "managerId": {"$in": list(manager_ids)}},
                                                sort=BY_ID)


async def write_proposal(store: TenantStore, participant: Mapping[str, Any], changes: Mapping[str, Any],
                         entry: Mapping[str, Any], deltas: Mapping[str, int]) -> bool:
    """The change on the participant (one write, conditional on the version read and on the cycle not being
    locked for it), then ``deltas`` (``proposedMinor``, ``committedMinor``) added atomically to the budget
    of every manager above: each total stays the sum of its proposals under any concurrency."""
    collection = store.meritParticipants
    result = await collection.collection.update_one(
        collection.scope({"_id": participant["_id"], "version": participant["version"], "locked": {"$ne": True}}),
        {"$set": dict(changes), "$push": {"trail": dict(entry)}, "$inc": {"version": 1}})
    if result.matched_count != 1:
        return False
    increments = {name: value for name, value in deltas.items() if value}
    if increments:
        budgets = store.compensationBudgets
        await budgets.collection.update_many(
            budgets.scope({"cycleId": participant["cycleId"], "managerId": {"$in": participant["managerChain"]}}),
            {"$inc": increments})
    return True


async def set_budget(store: TenantStore, cycle_id: str, manager_id: str, changes: Mapping[str, Any]) -> Document | None:
    budgets = store.compensationBudgets
    return await budgets.collection.find_one_and_update(
        budgets.scope({"cycleId": cycle_id, "managerId": manager_id}), {"$set": dict(changes)},
        return_document=True)


async def lock_and_recount(store: TenantStore, cycle_id: str, *, lock: bool) -> None:
    """Inside the caller's transaction: lock the participants (``lock``) and set every budget of the cycle to
    the sums of the proposals below its manager (``proposal.increaseMinor``), in one aggregation."""
    participants = store.meritParticipants
    if lock:
        await participants.collection.update_many(participants.scope({"cycleId": cycle_id}),
                                                  {"$set": {"locked": True}})
    rows = await participants.collection.aggregate([
        {"$match": participants.scope({"cycleId": cycle_id, "proposal": {"$ne": None}})},
        {"$unwind": "$managerChain"},
        {"$group": {"_id": "$managerChain", "proposed": {"$sum": "$proposal.increaseMinor"},
                    "committed": {"$sum": {"$cond": [{"$in": ["$proposal.state", ["submitted", "approved"]]},
                                                     "$proposal.increaseMinor", 0]}}}},
    ])
    sums = {row["_id"]: row for row in rows}
    budgets = store.compensationBudgets
    changes = {}
    for budget in await budgets.find({"cycleId": cycle_id}, projection={"managerId": 1}):
        row = sums.get(budget["managerId"], {})
        changes[budget["_id"]] = {"proposedMinor": int(row.get("proposed", 0)),
                                  "committedMinor": int(row.get("committed", 0))}
    await budgets.update_each(changes)
