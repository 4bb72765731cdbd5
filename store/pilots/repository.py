"""The pilots store: pilots and the per-practice lock, process surveys, rounds, markers and answers."""

from __future__ import annotations

from models.core.documents import Document
from models.pilots.rules import PilotStatus
from store.core.loaders import ByIdLoader
from store.core.repository import TenantStore


class PilotLoaders:
    """The pilots domain's loaders of one request (or subscription event)."""

    def __init__(self, store: TenantStore) -> None:
        self.pilot_by_id = ByIdLoader(store.pilots)
        self.survey_by_id = ByIdLoader(store.processSurveys)


async def pilots(store: TenantStore, status: str | None = None, limit: int = 100) -> list[Document]:
    """Pilots, newest first (by start, then id)."""
    query = {"status": status} if status else {}
    return await store.pilots.find(query, sort=[("startsOn", -1), ("_id", -1)], limit=limit)


async def running(store: TenantStore, practice: str) -> list[Document]:
    return await store.pilots.find({"status": PilotStatus.RUNNING.value, "practice": practice},
                                   projection={"practice": 1, "status": 1, "overlapKeys": 1})


async def bump_lock(store: TenantStore, practice: str) -> None:
    """Inside a start's transaction: two concurrent starts on one practice write the same document, so one of
    them conflicts and is retried (and then sees the other's pilot)."""
    await store.pilotLocks.collection.update_one(store.pilotLocks.scope({"_id": f"{store.organization_id}:{practice}"}),
                                                 {"$inc": {"version": 1}}, upsert=True)


async def surveys(store: TenantStore, pilot_id: str | None = None, limit: int = 100) -> list[Document]:
    query = {"pilotId": pilot_id} if pilot_id else {}
    return await store.processSurveys.find(query, sort=[("createdAt", -1), ("_id", -1)], limit=limit)


async def rounds_of(store: TenantStore, survey_ids: list[str]) -> list[Document]:
    return await store.processSurveyRounds.find({"surveyId": {"$in": survey_ids}},
                                                sort=[("surveyId", 1), ("number", 1)])


async def rounds_sent_to(store: TenantStore, employee_id: str, limit: int = 50) -> list[Document]:
    """The rounds sent to one person, newest first."""
    query = {"$or": [{f"recipients.{g}": employee_id} for g in ("cohort", "comparison", "everyone")]}
    return await store.processSurveyRounds.find(query, sort=[("opensOn", -1), ("_id", -1)], limit=limit)


async def markers(store: TenantStore, ids: list[str]) -> set[str]:
    """Which of these marker ids exist (callers only pass the viewer's own)."""
    return {d["_id"] for d in await store.processSurveyMarkers.find({"_id": {"$in": ids}}, projection={"_id": 1})}


async def answers_of(store: TenantStore, round_ids: list[str]) -> list[Document]:
    """The scores of these rounds' answers (never their comments)."""
    return await store.processSurveyAnswers.find({"roundId": {"$in": round_ids}}, projection={"comments": 0})


async def insert_answer(store: TenantStore, marker: str, answer: Document) -> None:
    """The marker, then the answer (in the caller's transaction): a second answer of the same person and round
    is refused by the marker's unique id (``Duplicate``)."""
    await store.processSurveyMarkers.insert({"_id": marker})
    await store.processSurveyAnswers.insert(answer)
