"""Feedback queries: received, given, about a report, single items, requests and the settings.

Every list is built from a query that encodes the visibility rule, and every document is checked again
with :mod:`models.feedback.permissions` before it is returned (nested fields included).
"""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

from models.core import clock
from models.core.documents import Document
from models.core.viewer import Viewer
from models.feedback.permissions import (
    can_read_feedback_about,
    can_see_feedback,
    can_see_feedback_request,
    can_see_request_answers,
)
from models.feedback.rules import FeedbackFilterSpec, Visibility
from resolvers.core.context import Context, require
from resolvers.core.errors import Forbidden
from resolvers.core.pages import Window, check_page_size
from resolvers.feedback.anonymous import own_contribution
from resolvers.feedback.pages import newest_first
from resolvers.org import access as org_access
from store.core.pagination import Page
from store.feedback import repository as feedback_store

MANAGER_VISIBLE = [Visibility.RECIPIENT_AND_MANAGER.value, Visibility.MANAGER_ONLY.value]


async def _page(context: Context, query: dict[str, Any], spec: FeedbackFilterSpec, window: Window) -> Page:
    """A newest-first page of the feedback matching ``query`` and ``spec``, each item checked again."""
    return await newest_first(context, lambda store: feedback_store.feedback_page(store, query, spec, window),
                              window, keep=lambda docs: visible_feedback(context, docs))


async def feedback_received(context: Context, spec: FeedbackFilterSpec, window: Window) -> Page:
    """Addressed to the viewer and meant for them (``manager_only`` notes are not)."""
    viewer = (await require(context)).viewer
    query = {"recipientId": viewer.employee_id, "visibility": {"$ne": Visibility.MANAGER_ONLY.value}}
    return await _page(context, query, spec, window)


async def feedback_given(context: Context, spec: FeedbackFilterSpec, window: Window) -> Page:
    """Everything the viewer wrote under their name (anonymous feedback is linked to nobody, them included)."""
    viewer = (await require(context)).viewer
    return await _page(context, {"authorId": viewer.employee_id}, spec, window)


async def feedback_about(context: Context, employee_id: str, spec: FeedbackFilterSpec, window: Window) -> Page:
    """For the people above ``employee_id``: what they may see of the feedback that person received."""
    me = await require(context)
    employee = await org_access.known_employee(context, employee_id)
    if not can_read_feedback_about(me.viewer, employee):
        raise Forbidden("feedbackAbout is for the person's managers")
    query = {"recipientId": employee_id,
             "$or": [{"visibility": {"$in": MANAGER_VISIBLE}}, {"authorId": me.viewer.employee_id}]}
    return await _page(context, query, spec, window)


async def visible_feedback(context: Context, docs: list[Document]) -> list[Document]:
    """The documents the viewer may see, recipients loaded in one batch."""
    me = await require(context)
    recipients = {e["_id"]: e for e in await org_access.employees(context, [d["recipientId"] for d in docs])}
    return [d for d in docs if can_see_feedback(me.viewer, d, recipients.get(d["recipientId"]))]


async def feedback_by_id(context: Context, id: str | None) -> Document | None:
    """One item if the viewer may see it; ``None`` for unknown, invisible or another organisation's ids."""
    if id is None:
        return None
    me = await require(context)
    doc = await me.loaders.feedback.feedback_by_id.load(id)
    if doc is None:
        return None
    visible = await visible_feedback(context, [doc])
    return visible[0] if visible else None


# Requests

async def request_by_id(context: Context, id: str | None) -> Document | None:
    """One request the viewer made or was asked, or ``None``."""
    if id is None:
        return None
    me = await require(context)
    doc = await me.loaders.feedback.request_by_id.load(id)
    return doc if doc is not None and can_see_feedback_request(me.viewer, doc) else None


async def pending_requests(context: Context) -> list[Document]:
    """Requests asking the viewer whose part is still open, soonest due first."""
    me = await require(context)
    candidates = await feedback_store.requests_addressed_to(me.store, me.viewer.employee_id)
    flags = await asyncio.gather(*(part_open(context, r) for r in candidates))  # one batch of contributor sets
    return [r for r, open_ in zip(candidates, flags, strict=True) if open_]


async def part_open(context: Context, request: Document) -> bool:
    """Whether the viewer was asked and has not answered yet.

    For an anonymous request nothing records who answered: the viewer's own keyed hash is looked up in
    the (requester, period) contributor set instead.
    """
    me = await require(context)
    if me.viewer.employee_id not in request.get("respondentIds", []):
        return False
    if not request.get("anonymous"):
        return me.viewer.employee_id not in (request.get("answers") or {})
    manager_id, period = request["requesterId"], request["period"]
    own = own_contribution(me.viewer, manager_id, period)
    return own not in await me.loaders.feedback.contributors_by_key.load((manager_id, period))


async def my_requests(context: Context, first: int) -> list[Document]:
    """The requests the viewer made, newest first."""
    me = await require(context)
    check_page_size(first)
    return await feedback_store.requests_made_by(me.store, me.viewer.employee_id, first)


# The requester-only fields of a request the viewer may see (as one of the people asked) are ``None`` for
# anyone else, by design and without an error (docs/permissions.md).

def _is_requester(viewer: Viewer, request: Document) -> bool:
    return request.get("requesterId") == viewer.employee_id


async def respondents(context: Context, request: Document) -> list[Document] | None:
    """Who was asked: the requester only (for an anonymous request too: asking is not answering)."""
    me = await require(context)
    if not _is_requester(me.viewer, request):
        return None
    return await org_access.employees(context, request.get("respondentIds", []))


async def answered_by(context: Context, request: Document) -> list[Document] | None:
    """Who answered: the requester only, and ``None`` for an anonymous request (it is never recorded)."""
    me = await require(context)
    if not _is_requester(me.viewer, request) or not can_see_request_answers(me.viewer, request):
        return None
    ids = [id for id in request.get("respondentIds", []) if id in (request.get("answers") or {})]
    return await org_access.employees(context, ids)


async def responses(context: Context, request: Document) -> list[Document] | None:
    """The answers: the requester only, ``None`` for an anonymous request (see ``anonymousFeedback``)."""
    me = await require(context)
    if not _is_requester(me.viewer, request) or not can_see_request_answers(me.viewer, request):
        return None
    return await visible_feedback(context, await me.loaders.feedback.feedback_by_request_id.load(request["_id"]))


async def answered_count(context: Context, request: Document) -> int | None:
    """How many answered: the requester only, like who answered (a respondent would learn how many of the
    others answered); ``None`` for an anonymous request (nothing records it)."""
    me = await require(context)
    if not _is_requester(me.viewer, request) or request.get("anonymous"):
        return None
    return len(request.get("answers") or {})


def is_open(request: Document, current: date | None = None) -> bool:
    """Non-anonymous: until everyone asked has answered; anonymous: until its due date has passed."""
    if request.get("anonymous"):
        return date.fromisoformat(request["dueDate"]) >= (current or clock.today())
    return len(request.get("answers") or {}) < len(request.get("respondentIds", []))


async def request_of(context: Context, feedback: Document) -> Document | None:
    """The request a feedback item answers, if the viewer may see it."""
    return await request_by_id(context, feedback.get("requestId"))


async def settings(context: Context) -> dict[str, Any]:
    """The organisation's anonymity threshold, values and competencies."""
    me = await require(context)
    return await feedback_store.load_settings(me.store)
