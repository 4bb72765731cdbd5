"""The feedback domain's visibility-aware accessor: the only way other domains read feedback.

A leaver's open requests are returned as facts HR may see (``can_see_request_exists``: due date, requester,
people asked; never the question or any answer); feedback received is only counted, for people whose
received feedback the viewer may count (``can_count_feedback_received``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime

from models.core import clock
from models.core.documents import Document
from models.feedback.permissions import can_count_feedback_received, can_see_request_exists
from resolvers.core.context import Context, require
from store.core.repository import TenantStore

REQUEST_FACTS = ("_id", "requesterId", "subjectId", "respondentIds", "dueDate", "anonymous", "organizationId")


async def open_requests_of(context: Context, employee_id: str) -> list[Document]:
    """Open requests the person made, or was asked and has not answered (anonymous requests they were asked
    are left out: nothing records whether they answered), soonest due first, as facts without their
    question or answers."""
    signed_in = await require(context)
    today = clock.today().isoformat()
    docs = await signed_in.store.feedbackRequests.find(
        {"dueDate": {"$gte": today}, "$or": [{"requesterId": employee_id},
                                             {"respondentIds": employee_id, "anonymous": {"$ne": True}}]},
        sort=[("dueDate", 1), ("_id", 1)])
    open_docs = [d for d in docs if d["requesterId"] == employee_id or employee_id not in (d.get("answers") or {})]
    return [{k: d.get(k) for k in REQUEST_FACTS} for d in open_docs if can_see_request_exists(signed_in.viewer, d)]


async def feedback_received_counts(context: Context, windows: Mapping[str, tuple[datetime, datetime]]
                                   ) -> dict[str, int | None]:
    """For each employee id, how many attributed feedback items they received within its window (not
    retracted); ``None`` for someone whose received feedback the viewer may not count
    (``can_count_feedback_received``). One query; no item is returned."""
    signed_in = await require(context)
    ids: Sequence[str] = list(windows)
    people = {d["_id"]: d for d in await signed_in.loaders.employee_by_id.load_many(list(ids)) if d is not None}
    countable = [id for id in ids if id in people and can_count_feedback_received(signed_in.viewer, people[id])]
    counts: dict[str, int | None] = dict.fromkeys(ids)
    if not countable:
        return counts
    earliest = min(windows[id][0] for id in countable)
    docs = await signed_in.store.feedback.find(
        {"recipientId": {"$in": countable}, "createdAt": {"$gte": earliest}, "retractedAt": None},
        projection={"recipientId": 1, "createdAt": 1})
    for id in countable:
        counts[id] = 0
    for doc in docs:
        start, end = windows[doc["recipientId"]]
        if start <= doc["createdAt"] <= end:
            counts[doc["recipientId"]] = (counts[doc["recipientId"]] or 0) + 1
    return counts


async def unanswered_until(store: TenantStore, until: date, limit: int = 5000) -> list[tuple[Document, list[str]]]:
    """For reminders (no viewer: the system reads): feedback requests due on or before ``until``, each with
    the respondents who have not answered (each may read the request addressed to them). Anonymous requests
    are left out: nothing records who answered them, and a reminder must not tell."""
    query = {"dueDate": {"$lte": until.isoformat()}, "anonymous": {"$ne": True}}
    docs = await store.feedbackRequests.find(query, sort=[("dueDate", 1), ("_id", 1)], limit=limit,
                                             projection={"dueDate": 1, "respondentIds": 1, "answers": 1})
    found = []
    for doc in docs:
        waiting = [r for r in doc.get("respondentIds") or [] if r not in (doc.get("answers") or {})]
        if waiting:
            found.append((doc, waiting))
    return found


async def answer_delays(context: Context, requester_ids: Sequence[str], start: datetime, end: datetime
                        ) -> list[tuple[str, float]]:
    """Time to feedback (the pilots' comparison): for each answer to a request one of ``requester_ids`` made
    within [start, end] (not anonymous ones: they record no answers), the requester and the days from the
    request to the answer. Only requests whose existence the viewer may see (``can_see_request_exists``);
    never a question or an answer's content. One query."""
    signed_in = await require(context)
    if not requester_ids:
        return []
    docs = await signed_in.store.feedbackRequests.find(
        {"requesterId": {"$in": list(requester_ids)}, "createdAt": {"$gte": start, "$lte": end},
         "anonymous": {"$ne": True}},
        projection={"requesterId": 1, "respondentIds": 1, "createdAt": 1, "answers": 1, "organizationId": 1})
    delays = []
    for doc in docs:
        if not can_see_request_exists(signed_in.viewer, doc):
            continue
        for answer in (doc.get("answers") or {}).values():
            delays.append((doc["requesterId"], (answer["at"] - doc["createdAt"]).total_seconds() / 86400))
    return sorted(delays)
