"""What other domains may read of feedback: for reminders, the requests still waiting for answers."""

from __future__ import annotations

from datetime import date

from models.core.documents import Document
from store.core.repository import TenantStore


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
