"""Praise: public recognition within the organisation, the wall, reactions and who received what."""

from __future__ import annotations

from typing import Any

from models.core import clock
from models.core.documents import Document, new_id
from models.core.errors import ErrorCode, FieldError
from models.feedback.permissions import can_see_praise
from models.feedback.praise import MESSAGE_MAX, ReactionKind, check_recipients, check_value, toggled
from models.feedback.rules import check_body, stored_instant
from resolvers.core.context import Context, require
from resolvers.core.outcome import Outcome
from resolvers.core.pages import Window, check_page_size
from resolvers.core.publish import publish_after_commit
from resolvers.feedback.channels import praise_channel
from resolvers.feedback.colleagues import existing_employee
from resolvers.feedback.pages import newest_first
from resolvers.org import access as org_access
from store.core.pagination import Page
from store.feedback import praise as praise_store
from store.feedback import repository as feedback_store

REACTION_ATTEMPTS = 3


async def post_praise(context: Context, data: dict[str, Any]) -> Outcome:
    """Praise for one or several colleagues, tagged with one of the organisation's values; told to everyone."""
    me = await require(context)
    settings = await feedback_store.load_settings(me.store)
    ids = list(data.get("recipient_ids") or [])
    errors = [*check_body(data.get("message"), "message", MESSAGE_MAX), *check_value(data.get("value"),
                                                                                      settings["values"])]
    recipient_errors = check_recipients(ids, me.viewer.employee_id)
    if not recipient_errors:
        await org_access.employees(context, ids)  # one batch; the checks below read the loader's cache
        for id in ids:
            await existing_employee(context, id, "recipientIds", recipient_errors)
    errors += recipient_errors
    if errors:
        return Outcome(errors=errors)
    doc = await me.store.praise.insert({
        "_id": new_id(), "authorId": me.viewer.employee_id, "recipientIds": ids, "message": data["message"],
        "value": data["value"].strip(), "createdAt": stored_instant(clock.now()), "reactions": {},
    })
    # The people it names ride along (ids only), so that receivers read them beside the praise, not after it.
    await publish_after_commit(context, praise_channel(me.viewer.organization_id),
                               {"praiseId": doc["_id"], "peopleIds": [doc["authorId"], *ids]})
    return Outcome(doc)


async def react(context: Context, praise_id: str, kind: ReactionKind) -> Outcome:
    """Toggle the viewer's reaction: the same kind again removes it, another kind replaces it."""
    me = await require(context)
    employee_id = me.viewer.employee_id
    praise = await me.store.praise.get(praise_id)
    for _ in range(REACTION_ATTEMPTS):
        if praise is None:
            return Outcome(errors=[FieldError("praiseId", ErrorCode.NOT_FOUND, f"no praise {praise_id!r}")])
        current = (praise.get("reactions") or {}).get(employee_id)
        if await praise_store.set_reaction(me.store, praise_id, employee_id, current, toggled(current, kind)):
            context.fresh_loaders()
            return Outcome(await me.store.praise.get(praise_id))
        praise = await me.store.praise.get(praise_id)  # changed meanwhile (another tab): decide again
    return Outcome(errors=[FieldError("kind", ErrorCode.CONFLICT, "your reaction changed meanwhile; try again")])


async def wall(context: Context, window: Window, value: str | None) -> Page:
    """The organisation's praise, newest first, optionally of one value."""
    return await newest_first(context, lambda store: praise_store.praise_wall(store, window, value), window)


async def praise_by_id(context: Context, id: str) -> Document | None:
    """One praise of the viewer's organisation, or ``None``."""
    me = await require(context)
    doc = await me.loaders.feedback.praise_by_id.load(id)
    return doc if doc is not None and can_see_praise(me.viewer, doc) else None


async def praise_received(context: Context, employee: Document, first: int) -> list[Document]:
    """Newest first; everyone in the organisation sees it (praise is public)."""
    me = await require(context)
    check_page_size(first)
    docs = await me.loaders.feedback.praise_by_recipient_id.load(employee["_id"])
    return [d for d in docs if can_see_praise(me.viewer, d)][:first]


async def recipients(context: Context, praise: Document) -> list[Document]:
    """The colleagues a praise is for (everyone in the organisation may see who they are)."""
    return await org_access.employees(context, praise.get("recipientIds", []))


async def my_reaction(context: Context, praise: Document) -> ReactionKind | None:
    """The viewer's own reaction to a praise, if any."""
    me = await require(context)
    kind = (praise.get("reactions") or {}).get(me.viewer.employee_id)
    return ReactionKind(kind) if kind else None
