"""The exits domain's visibility-aware accessor: the only way upper domains (compensation, integrations,
notifications) read exits. Exit records only as ``can_see_exit_record`` allows (HR admins, the interviewer);
nothing of the candid survey, ever."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from models.core.documents import Document
from models.exits.rules import OPEN_STATUSES
from resolvers.core.context import Context, require
from resolvers.exits import records
from store.core.repository import TenantStore
from store.exits import repository as exits_store


async def due_exit_interviews(context: Context, within_days: int) -> list[Document]:
    """Exit interviews to remind of (notifications): as ``dueExitInterviews`` answers the viewer."""
    return await records.due_interviews(context, within_days)


async def anonymity_threshold(context: Context) -> int:
    """The organisation's k (``saveExitSettings``): the smallest group of anonymous answers any report shows
    (pilots' process surveys use the same one)."""
    return int((await exits_store.settings((await require(context)).store))["k"])


@dataclass(frozen=True)
class ExitDue:
    """For reminders: an open exit's interview or one of its open checklist items, when it is due and who may act
    on it: the exit's interviewer, or ``None`` for the organisation's HR admins (the only people who may see the
    record, ``can_see_exit_record``). ``item_id``/``title`` only for a checklist item."""

    exit_id: str
    due: date
    interviewer_id: str | None
    item_id: str | None = None
    title: str | None = None


async def exits_due_until(store: TenantStore, until: date, limit: int = 5000) -> tuple[list[ExitDue], list[ExitDue]]:
    """For reminders (no viewer: the system reads): the open exits whose interview day (or, unscheduled, last day)
    is on or before ``until``, and the open checklist items of open exits whose last day is on or before it (the
    work must have a new owner by then). One query; nothing of the interview's answers or the candid survey."""
    text = until.isoformat()
    docs = await store.exitRecords.find(
        {"status": {"$in": list(OPEN_STATUSES)},
         "$or": [{"interviewOn": {"$lte": text}}, {"interviewOn": None, "lastDay": {"$lte": text}},
                 {"lastDay": {"$lte": text}, "checklist.done": False}]},
        sort=[("lastDay", 1), ("_id", 1)], limit=limit,
        projection={"lastDay": 1, "interviewOn": 1, "interviewerId": 1, "checklist": 1})
    interviews: list[ExitDue] = []
    items: list[ExitDue] = []
    for doc in docs:
        day = date.fromisoformat(doc.get("interviewOn") or doc["lastDay"])
        if day <= until:
            interviews.append(ExitDue(doc["_id"], day, doc.get("interviewerId")))
        last_day = date.fromisoformat(doc["lastDay"])
        if last_day <= until:
            items += [ExitDue(doc["_id"], last_day, doc.get("interviewerId"), item["id"], item["title"])
                      for item in doc.get("checklist") or [] if not item.get("done")]
    return interviews, items
