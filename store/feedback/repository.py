"""Feedback reads and writes: the domain's loaders, newest-first pages, requests, settings, follow-up counts."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from strawberry.dataloader import DataLoader

from models.core.documents import Document, new_id
from models.core.pagination import Window
from models.feedback.rules import FeedbackFilterSpec, settings_with_defaults
from store.core.loaders import MAX_BATCH, ByIdLoader, ByParentLoader
from store.core.pagination import Keyset, Page, keyset_page
from store.core.repository import Duplicate, TenantCollection, TenantStore


def _instant(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:  # every cursor issued names UTC
        raise ValueError(f"no time zone in {text!r}")
    return moment


# Newest first over (createdAt, _id): feedback connections and the praise wall. A cursor is the
# creation time (ISO 8601, UTC) and the id.
NEWEST_FIRST = Keyset("createdAt", descending=True, to_text=datetime.isoformat, from_text=_instant)


class FeedbackByRequestIdLoader(ByParentLoader):
    """The answers to each request, oldest first."""

    parent_field = "requestId"
    sort = [("createdAt", 1), ("_id", 1)]


class FollowUpsByFeedbackIdLoader(ByParentLoader):
    parent_field = "feedbackId"
    sort = [("dueDate", 1), ("_id", 1)]


class OpenFollowUpsByEmployeeIdLoader(ByParentLoader):
    """Follow-ups not done yet, by the person they concern, soonest due first."""

    parent_field = "employeeId"
    extra = {"done": False}
    sort = [("dueDate", 1), ("_id", 1)]


class PraiseByRecipientIdLoader(ByParentLoader):
    """Praise each person received, newest first (one query for every person asked; a praise has
    several recipients)."""

    parent_field = "recipientIds"
    sort = NEWEST_FIRST.sort

    async def load_batch(self, recipient_ids: Sequence[str]) -> list[list[Document]]:
        grouped: dict[str, list[Document]] = {id: [] for id in recipient_ids}
        for doc in await self.collection.find({self.parent_field: {"$in": list(recipient_ids)}}, sort=self.sort):
            for recipient_id in doc["recipientIds"]:
                if recipient_id in grouped:
                    grouped[recipient_id].append(doc)
        return [grouped[id] for id in recipient_ids]


class ContributorSetByKeyLoader(DataLoader[tuple[str, str], list[str]]):
    """The keyed contributor hashes of each (manager, period); callers only test the viewer's own hash."""

    def __init__(self, collection: TenantCollection) -> None:
        self.collection = collection
        super().__init__(load_fn=self.load_batch, max_batch_size=MAX_BATCH)

    async def load_batch(self, keys: Sequence[tuple[str, str]]) -> list[list[str]]:
        query = {"managerId": {"$in": sorted({k[0] for k in keys})}, "period": {"$in": sorted({k[1] for k in keys})}}
        found = {(d["managerId"], d["period"]): d.get("contributors", [])
                 for d in await self.collection.find(query, projection={"managerId": 1, "period": 1,
                                                                        "contributors": 1})}
        return [found.get(key, []) for key in keys]


class FeedbackLoaders:
    def __init__(self, store: TenantStore) -> None:
        self.feedback_by_id = ByIdLoader(store.feedback)
        self.feedback_by_request_id = FeedbackByRequestIdLoader(store.feedback)
        self.request_by_id = ByIdLoader(store.feedbackRequests)
        self.anonymous_by_id = ByIdLoader(store.anonymousFeedback)
        self.contributors_by_key = ContributorSetByKeyLoader(store.anonymousContributors)
        self.follow_ups_by_feedback_id = FollowUpsByFeedbackIdLoader(store.followUps)
        self.open_follow_ups_by_employee_id = OpenFollowUpsByEmployeeIdLoader(store.followUps)
        self.praise_by_id = ByIdLoader(store.praise)
        self.praise_by_recipient_id = PraiseByRecipientIdLoader(store.praise)


def filtered(query: dict[str, Any], spec: FeedbackFilterSpec) -> dict[str, Any]:
    """``query`` narrowed by the filter: a UTC day window on createdAt, a direction, a tag."""
    query = dict(query)
    window: dict[str, Any] = {}
    if spec.since:
        window["$gte"] = datetime.combine(spec.since, time(), tzinfo=UTC)
    if spec.until:
        window["$lt"] = datetime.combine(spec.until + timedelta(days=1), time(), tzinfo=UTC)
    if window:
        query["createdAt"] = window
    if spec.direction:
        query["direction"] = spec.direction
    if spec.tag:
        query["tags"] = spec.tag
    return query


async def feedback_page(store: TenantStore, query: dict[str, Any], spec: FeedbackFilterSpec, window: Window) -> Page:
    """The feedback items of ``window`` matching ``query`` and ``spec``, newest first."""
    return await keyset_page(store.feedback, filtered(query, spec), NEWEST_FIRST, window)


# Requests

async def requests_addressed_to(store: TenantStore, employee_id: str) -> list[Document]:
    """Requests asking ``employee_id`` whose part may still be open (anonymous ones are checked by hash)."""
    query = {"respondentIds": employee_id,
             "$or": [{"anonymous": True}, {f"answers.{employee_id}": {"$exists": False}}]}
    return await store.feedbackRequests.find(query, sort=[("dueDate", 1), ("_id", 1)])


async def requests_made_by(store: TenantStore, employee_id: str, first: int) -> list[Document]:
    """The requests ``employee_id`` made, newest first."""
    return await store.feedbackRequests.find({"requesterId": employee_id}, sort=NEWEST_FIRST.sort, limit=first)


async def answer_once(store: TenantStore, request_id: str, respondent_id: str, answer: Callable[[str], Document],
                      at: datetime) -> Document | None:
    """In one transaction: the respondent's answer recorded on the request and ``answer(feedback_id)``
    inserted; ``None`` when they had answered already (nothing written).

    An answer recorded without its feedback (written before answers were transactional) is completed
    under the recorded id.
    """
    requests, feedback = store.feedbackRequests, store.feedback
    key = f"answers.{respondent_id}"

    async def step() -> Document | None:
        request = await requests.get(request_id, projection={key: 1})
        recorded = ((request or {}).get("answers") or {}).get(respondent_id)
        if recorded is not None:
            if await feedback.get(recorded["feedbackId"], projection={"_id": 1}) is not None:
                return None
            return given(await feedback.insert(answer(recorded["feedbackId"])))
        feedback_id = new_id()
        if not await requests.update(request_id, {key: {"feedbackId": feedback_id, "at": at}},
                                     where={"respondentIds": respondent_id, key: {"$exists": False}}):
            return None
        return given(await feedback.insert(answer(feedback_id)))

    def given(doc: Document) -> Document:  # the webhook event, in the answer's transaction
        store.record_event("feedback.given", {"feedbackId": doc["_id"], "recipientId": doc["recipientId"],
                                              "requestId": request_id})
        return doc

    try:
        return await store.transaction(step)
    except Duplicate:  # a concurrent retry completed the same recorded answer: decide again
        return await store.transaction(step)


# Settings

async def load_settings(store: TenantStore) -> dict[str, Any]:
    """The organisation's feedback settings, defaults filled in."""
    found = await store.feedbackSettings.find(limit=1)
    return settings_with_defaults(found[0] if found else None)


async def save_settings(store: TenantStore, fields: dict[str, Any]) -> None:
    """Set ``fields`` on the organisation's settings document (created on first use)."""
    collection = store.feedbackSettings
    await collection.collection.update_one(collection.scope(), {"$set": fields, "$setOnInsert": {"_id": new_id()}},
                                           upsert=True)


# Follow-ups

async def open_follow_up_counts(store: TenantStore, current: date) -> dict[str, tuple[int, int]]:
    """employee id → (open, overdue) follow-ups concerning them, counted by the server."""
    collection = store.followUps
    pipeline = [
        {"$match": collection.scope({"done": False})},
        {"$group": {"_id": "$employeeId", "open": {"$sum": 1},
                    "overdue": {"$sum": {"$cond": [{"$lt": ["$dueDate", current.isoformat()]}, 1, 0]}}}},
        {"$sort": {"_id": 1}},
    ]
    rows = await collection.collection.aggregate(pipeline)
    return {row["_id"]: (row["open"], row["overdue"]) for row in rows}


async def follow_ups_owned_by(store: TenantStore, owner_id: str, include_done: bool) -> list[Document]:
    """The follow-ups ``owner_id`` owns (done ones too with ``include_done``), open first, soonest due first."""
    query: dict[str, Any] = {"ownerId": owner_id}
    if not include_done:
        query["done"] = False
    return await store.followUps.find(query, sort=[("done", 1), ("dueDate", 1), ("_id", 1)])
