"""Anonymous upward feedback: sending it, releasing it in batches, and what its manager may read.

No function here receives, stores, logs or publishes the author's id together with an item: the
author's id only ever enters :func:`models.feedback.contributor_hash`, whose output goes to the
contributor set (see :mod:`store.feedback_anonymous` for the whole design).
"""

from __future__ import annotations

from typing import Any

from models.core.documents import Document, new_id
from models.core.errors import ErrorCode, FieldError
from models.feedback.permissions import can_read_anonymous_feedback
from models.feedback.rules import (
    Direction,
    FeedbackEventKind,
    allowed_tags,
    check_body,
    check_tags,
    clean_tags,
    contributor_hash,
    is_period,
    period_of,
    today,
)
from resolvers.core.context import Context
from resolvers.core.errors import BadUserInput
from resolvers.feedback.common import Outcome, contributor_key, existing_employee, notify, signed_in
from store.feedback import anonymous as anonymous_store
from store.feedback import repository as feedback_store


async def send_anonymous(context: Context, data: dict[str, Any]) -> Outcome:
    """Upward feedback to a manager above the viewer, with no author kept anywhere."""
    viewer, store, loaders = await signed_in(context)
    settings = await feedback_store.load_settings(store)
    text, tags = data.get("text"), clean_tags(data.get("tags"))
    errors = [*check_body(text, "text"), *check_tags(tags, allowed_tags(settings))]
    manager = await existing_employee(loaders, data.get("manager_id"), "managerId", errors)
    if manager is not None:
        me = await loaders.employee_by_id.load(viewer.employee_id)
        if me is None or manager["_id"] not in me.get("managerChain", []):
            errors.append(FieldError("managerId", ErrorCode.INVALID,
                                     "anonymous upward feedback goes to a manager above you"))
    if errors or manager is None or text is None:
        return Outcome(errors=errors)
    period = period_of(today())
    errors = await contribute(context, manager["_id"], period, text, tags, settings["anonymityThreshold"])
    return Outcome(errors=errors)


async def contribute(context: Context, manager_id: str, period: str, text: str, tags: list[str],
                     threshold: int) -> list[FieldError]:
    """One anonymous item from the viewer to ``manager_id`` for ``period``; at most one per author and period."""
    viewer, store, _ = await signed_in(context)
    own = contributor_hash(contributor_key(), viewer.organization_id, manager_id, period, viewer.employee_id)
    if (await anonymous_store.has_contributed(store, manager_id, period, own)
            or not await anonymous_store.add_contributor(store, manager_id, period, own)):
        return [FieldError("managerId", ErrorCode.DUPLICATE,
                           f"you have already sent anonymous feedback to this manager for {period}")]
    await anonymous_store.insert_item(store, {
        "_id": new_id(), "managerId": manager_id, "period": period, "day": today().isoformat(),
        "text": text, "tags": tags, "direction": Direction.UPWARD.value,
    })
    await release(context, manager_id, period, threshold)
    return []


async def release(context: Context, manager_id: str, period: str, threshold: int) -> list[str]:
    _, store, _ = await signed_in(context)
    ids = await anonymous_store.release_if_ready(store, manager_id, period, threshold)
    if ids:
        await notify(context, [manager_id], FeedbackEventKind.ANONYMOUS_RELEASED, ids=sorted(ids), period=period)
    return ids


async def release_all_ready(context: Context, threshold: int) -> None:
    """After the threshold was lowered: every (manager, period) with enough pending items gets its release."""
    _, store, _ = await signed_in(context)
    for manager_id, period in await anonymous_store.groups_ready(store, threshold):
        await release(context, manager_id, period, threshold)


def _period(period: str | None) -> str:
    if period is None:
        return period_of(today())
    if not is_period(period):
        raise BadUserInput(f"period must look like 2026-Q4, not {period!r}")
    return period


async def summary(context: Context, period: str | None) -> dict[str, Any]:
    """The viewer's own anonymous upward feedback for one period: released items and a pending count."""
    viewer, store, _ = await signed_in(context)
    period = _period(period)
    settings = await feedback_store.load_settings(store)
    items = await anonymous_store.released_items(store, viewer.employee_id, period)
    return {
        "period": period, "threshold": settings["anonymityThreshold"],
        "pending": await anonymous_store.pending_count(store, viewer.employee_id, period),
        "items": [anonymous_store.scrubbed(i) for i in items if can_read_anonymous_feedback(viewer, i)],
    }


async def periods(context: Context) -> list[str]:
    viewer, store, _ = await signed_in(context)
    return await anonymous_store.periods_of(store, viewer.employee_id)


async def released_item(context: Context, id: str | None) -> Document | None:
    """One released item for the manager it was sent to; ``None`` for anybody else or while pending."""
    if id is None:
        return None
    viewer, _, loaders = await signed_in(context)
    item = await loaders.feedback.anonymous_by_id.load(id)
    if item is None or item.get("release") is None or not can_read_anonymous_feedback(viewer, item):
        return None
    return anonymous_store.scrubbed(item)


async def released_items(context: Context, ids: list[str]) -> list[Document]:
    viewer, _, loaders = await signed_in(context)
    items = await loaders.feedback.anonymous_by_id.load_many(ids)
    visible = [i for i in items if i is not None and i.get("release") is not None
               and can_read_anonymous_feedback(viewer, i)]
    return [anonymous_store.scrubbed(i) for i in sorted(visible, key=lambda i: (i["release"], i["rank"]))]
