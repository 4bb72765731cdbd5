"""Praise: public recognition within the organisation, the wall, reactions and who received what."""

from __future__ import annotations

from typing import Any

from models.core.documents import Document, new_id
from models.core.errors import ErrorCode, FieldError
from models.feedback.permissions import can_see_praise
from models.feedback.praise import MESSAGE_MAX, ReactionKind, check_recipients, check_value, toggled
from models.feedback.rules import check_body, now
from resolvers.core.context import Context
from resolvers.core.errors import BadUserInput
from resolvers.feedback.common import (
    Outcome,
    check_page_size,
    existing_employee,
    fresh_loaders,
    praise_channel,
    publish,
    signed_in,
)
from store.core.pagination import BadCursor, Page
from store.feedback import praise as praise_store
from store.feedback import repository as feedback_store

REACTION_ATTEMPTS = 3


async def post_praise(context: Context, data: dict[str, Any]) -> Outcome:
    viewer, store, loaders = await signed_in(context)
    settings = await feedback_store.load_settings(store)
    ids = list(data.get("recipient_ids") or [])
    errors = [*check_body(data.get("message"), "message", MESSAGE_MAX), *check_value(data.get("value"),
                                                                                      settings["values"])]
    recipient_errors = check_recipients(ids, viewer.employee_id)
    if not recipient_errors:
        await loaders.employee_by_id.load_many(ids)  # one batch; the checks below read the cache
        for id in ids:
            await existing_employee(loaders, id, "recipientIds", recipient_errors)
    errors += recipient_errors
    if errors:
        return Outcome(errors=errors)
    doc = await store.praise.insert({
        "_id": new_id(), "authorId": viewer.employee_id, "recipientIds": ids, "message": data["message"],
        "value": data["value"].strip(), "createdAt": now(), "reactions": {},
    })
    fresh_loaders(context)
    await publish(context, praise_channel(viewer.organization_id), {"praiseId": doc["_id"]})
    return Outcome(doc)


async def react(context: Context, praise_id: str, kind: ReactionKind) -> Outcome:
    """Toggle the viewer's reaction: the same kind again removes it, another kind replaces it."""
    viewer, store, _ = await signed_in(context)
    praise = await store.praise.get(praise_id)
    for _ in range(REACTION_ATTEMPTS):
        if praise is None:
            return Outcome(errors=[FieldError("praiseId", ErrorCode.NOT_FOUND, f"no praise {praise_id!r}")])
        current = (praise.get("reactions") or {}).get(viewer.employee_id)
        if await praise_store.set_reaction(store, praise_id, viewer.employee_id, current, toggled(current, kind)):
            fresh_loaders(context)
            return Outcome(await store.praise.get(praise_id))
        praise = await store.praise.get(praise_id)  # changed meanwhile (another tab): decide again
    return Outcome(errors=[FieldError("kind", ErrorCode.CONFLICT, "your reaction changed meanwhile; try again")])


async def wall(context: Context, first: int, after: str | None, value: str | None) -> Page:
    _, store, _ = await signed_in(context)
    check_page_size(first)
    try:
        return await praise_store.praise_wall(store, first, after, value)
    except BadCursor as error:
        raise BadUserInput(str(error)) from None


async def praise_by_id(context: Context, id: str) -> Document | None:
    viewer, _, loaders = await signed_in(context)
    doc = await loaders.feedback.praise_by_id.load(id)
    return doc if doc is not None and can_see_praise(viewer, doc) else None


async def praise_received(context: Context, employee: Document, first: int) -> list[Document]:
    """Newest first; everyone in the organisation sees it (praise is public)."""
    viewer, _, loaders = await signed_in(context)
    check_page_size(first)
    docs = await loaders.feedback.praise_by_recipient_id.load(employee["_id"])
    return [d for d in docs if can_see_praise(viewer, d)][:first]
