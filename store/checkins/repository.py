"""Check-in reads and writes: loaders, conditional updates and the steps of scheduling (run inside the
resolvers' transactions, so each looks before it writes: a refused write would end the transaction)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from strawberry.dataloader import DataLoader

from models.checkins.rules import CheckInStatus
from models.core.documents import Document
from store.core.loaders import MAX_BATCH, ByIdLoader, ByParentLoader
from store.core.repository import Duplicate, TenantCollection, TenantStore

SCHEDULED = CheckInStatus.SCHEDULED.value
NEWEST_FIRST = [("sequence", -1)]


class CheckInSeriesByEmployeeIdLoader(ByParentLoader):
    parent_field = "employeeId"
    sort = [("startedOn", 1), ("_id", 1)]


class UpcomingCheckInsBySeriesIdLoader(ByParentLoader):
    """The scheduled occurrence of each series (a list of at most one)."""

    parent_field = "seriesId"
    extra = {"status": SCHEDULED}
    sort = [("sequence", 1)]


class CheckInsBySeriesIdLoader(ByParentLoader):
    """Every occurrence of each series, newest first."""

    parent_field = "seriesId"
    sort = NEWEST_FIRST


class CheckInActionItemsBySeriesIdLoader(ByParentLoader):
    parent_field = "seriesId"
    sort = [("fromSequence", 1), ("createdAt", 1), ("_id", 1)]


class CheckInNoteByKeyLoader(DataLoader[tuple[str, str], Document | None]):
    """Private notes by (check-in id, author id): callers only ever pass the viewer as author."""

    def __init__(self, collection: TenantCollection) -> None:
        self.collection = collection
        super().__init__(load_fn=self.load_batch, max_batch_size=MAX_BATCH)

    async def load_batch(self, keys: Sequence[tuple[str, str]]) -> list[Document | None]:
        query = {"checkInId": {"$in": sorted({k[0] for k in keys})}, "authorId": {"$in": sorted({k[1] for k in keys})}}
        found = {(doc["checkInId"], doc["authorId"]): doc for doc in await self.collection.find(query)}
        return [found.get(key) for key in keys]


class CheckInLoaders:
    """The check-in domain's loaders of one request (or subscription event)."""

    def __init__(self, store: TenantStore) -> None:
        self.series_by_id = ByIdLoader(store.checkInSeries)
        self.series_by_employee_id = CheckInSeriesByEmployeeIdLoader(store.checkInSeries)
        self.check_in_by_id = ByIdLoader(store.checkIns)
        self.check_ins_by_series_id = CheckInsBySeriesIdLoader(store.checkIns)
        self.upcoming_by_series_id = UpcomingCheckInsBySeriesIdLoader(store.checkIns)
        self.action_items_by_series_id = CheckInActionItemsBySeriesIdLoader(store.checkInActionItems)
        self.template_by_id = ByIdLoader(store.checkInTemplates)
        self.note_by_key = CheckInNoteByKeyLoader(store.checkInNotes)
        self._store = store
        self._default: list[Document | None] = []

    async def default_template(self) -> Document | None:
        """The organisation's default template, read once per request (or subscription event)."""
        if not self._default:
            self._default.append(await default_template(self._store))
        return self._default[0]


# queries

async def check_ins_of_series(store: TenantStore, series_ids: list[str], *, closed: bool, limit: int) -> list[Document]:
    """Closed (held or skipped) occurrences newest first, or scheduled ones soonest first."""
    status = {"$ne": SCHEDULED} if closed else SCHEDULED
    sort = [("scheduledOn", -1), ("_id", -1)] if closed else [("scheduledOn", 1), ("_id", 1)]
    return await store.checkIns.find({"seriesId": {"$in": series_ids}, "status": status}, sort=sort, limit=limit)


async def templates(store: TenantStore) -> list[Document]:
    """Every template, by name."""
    return await store.checkInTemplates.find(sort=[("name", 1), ("_id", 1)])


async def default_template(store: TenantStore) -> Document | None:
    """The organisation's default: the template most recently made default (ties: the greatest id)."""
    found = await store.checkInTemplates.find({"defaultSince": {"$ne": None}},
                                              sort=[("defaultSince", -1), ("_id", -1)], limit=1)
    return found[0] if found else None


async def last_check_in(store: TenantStore, series_id: str) -> Document | None:
    """The series' occurrence with the highest sequence."""
    found = await store.checkIns.find({"seriesId": series_id}, sort=NEWEST_FIRST, limit=1)
    return found[0] if found else None


async def other_active_series(store: TenantStore, series: Document) -> list[str]:
    """The ids of the employee's active series other than ``series``, by id."""
    others = await store.checkInSeries.find({"employeeId": series["employeeId"], "active": True,
                                             "_id": {"$ne": series["_id"]}}, sort=[("_id", 1)], projection={"_id": 1})
    return [d["_id"] for d in others]


async def end_series(store: TenantStore, series_ids: list[str], at: Any) -> None:
    """Mark series ended and cancel their scheduled occurrences."""
    if not series_ids:
        return
    await store.checkInSeries.update_each({id: {"active": False, "endedAt": at} for id in series_ids})
    open_ones = await store.checkIns.find({"seriesId": {"$in": series_ids}, "status": SCHEDULED},
                                          sort=[("_id", 1)], projection={"_id": 1})
    await store.checkIns.update_each({d["_id"]: {"status": CheckInStatus.CANCELLED.value, "updatedAt": at}
                                      for d in open_ones})


async def active_series(store: TenantStore, employee_ids: list[str] | None) -> list[Document]:
    """Active series, of ``employee_ids`` only unless ``None``, by id."""
    query: dict[str, Any] = {"active": True}
    if employee_ids is not None:
        query["employeeId"] = {"$in": employee_ids}
    return await store.checkInSeries.find(query, sort=[("_id", 1)])


async def participation_groups(store: TenantStore, start: str, end: str) -> list[Document]:
    """Occurrences scheduled within [start, end], counted by department, cadence and status ($group)."""
    pipeline = [
        {"$match": store.checkIns.scope({"scheduledOn": {"$gte": start, "$lte": end}})},
        {"$group": {"_id": {"departmentId": "$departmentId", "cadence": "$cadence", "status": "$status"},
                    "count": {"$sum": 1}}},
        {"$sort": {"_id.departmentId": 1, "_id.cadence": 1, "_id.status": 1}},
    ]
    rows = await store.checkIns.collection.aggregate(pipeline)
    return [{**row["_id"], "count": row["count"]} for row in rows]


# writes

async def activate_series(store: TenantStore, existing: Document | None, series: Document) -> Document:
    """Insert ``series``, or re-activate the pair's earlier one (``existing``, same id) keeping its history
    (and taking the cadence asked for, if any)."""
    if existing is None:
        return await store.checkInSeries.insert(series)
    changes = {"active": True, **({"cadence": series["cadence"]} if series["cadence"] else {})}
    await store.checkInSeries.update(series["_id"], changes)
    return {**existing, **changes}


async def schedule_once(store: TenantStore, check_in: Document) -> None:
    """Insert an occurrence unless it is there already (scheduled by an earlier, interrupted attempt)."""
    if await store.checkIns.get(check_in["_id"]) is None:
        await store.checkIns.insert(check_in)


async def update_open_check_in(store: TenantStore, id: str, changes: dict[str, Any], *,
                               push: dict[str, Any] | None = None, where: dict[str, Any] | None = None) -> bool:
    """Change an occurrence only while it is still scheduled (and ``where`` holds): one atomic update."""
    return await store.checkIns.update(id, changes, push=push, where={**(where or {}), "status": SCHEDULED})


async def update_talking_point(store: TenantStore, check_in_id: str, point_id: str, version: int,
                               changes: dict[str, Any], now: Any) -> bool:
    """Compare-and-set on one talking point: applies only if it still has ``version``; bumps it.

    ``$elemMatch`` makes both conditions hold for the same array element, and the positional
    ``$`` then names that element: atomic on a real MongoDB, so of two writers holding the same
    version exactly one succeeds.
    """
    fields = {f"talkingPoints.$.{key}": value for key, value in changes.items()}
    fields["talkingPoints.$.version"] = version + 1
    fields["updatedAt"] = now
    where = {"talkingPoints": {"$elemMatch": {"_id": point_id, "version": version}}}
    return await update_open_check_in(store, check_in_id, fields, where=where)


async def save_note(store: TenantStore, note: Document) -> None:
    """Create or replace the author's private note on a check-in (one per author and occurrence)."""
    try:
        await store.checkInNotes.insert(note)
    except Duplicate:
        await store.checkInNotes.update(note["_id"], {"text": note["text"], "updatedAt": note["updatedAt"]})


async def pull_linked_goal(store: TenantStore, check_in_id: str, goal_id: str, now: Any) -> bool:
    """Unlink a goal from a still-scheduled occurrence that still links it (``$pull``: concurrent links are
    kept); False if it was closed or the goal unlinked meanwhile."""
    result = await store.checkIns.collection.update_one(
        store.checkIns.scope({"_id": check_in_id, "status": SCHEDULED, "linkedGoalIds": goal_id}),
        {"$pull": {"linkedGoalIds": goal_id}, "$set": {"updatedAt": now}})
    return result.matched_count == 1
