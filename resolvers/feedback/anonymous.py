"""Anonymous upward feedback: sending it, releasing it in batches, and what its manager may read.

No function here receives, stores, logs or publishes the author's id together with an item: the
author's id only ever enters :func:`models.feedback.rules.contributor_hash` (by way of
:func:`own_contribution`), whose output goes to the contributor set (see :mod:`store.feedback.anonymous`
for the whole design).
"""

from __future__ import annotations

import hashlib
import hmac
import os
from typing import Any

from models.core import clock
from models.core.documents import Document, new_id
from models.core.errors import ErrorCode, FieldError
from models.core.viewer import Viewer
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
)
from resolvers.core.context import Context, require
from resolvers.core.errors import BadUserInput
from resolvers.core.outcome import Outcome
from resolvers.feedback.channels import notify
from resolvers.feedback.colleagues import existing_employee
from resolvers.org import access as org_access
from store.feedback import anonymous as anonymous_store
from store.feedback import repository as feedback_store

# Used only with the embedded store's dev defaults, like the dev JWT secret; production sets FEEDBACK_SECRET
# (or at least JWT_SECRET, which start-up requires with a real MongoDB).
DEV_SECRET = "perfgraph-dev-feedback-secret-embedded-store-only"


def contributor_key() -> bytes:
    """The server-side key of the anonymous contributor hashes (never stored, never sent anywhere).

    Derived for this one purpose from ``FEEDBACK_SECRET`` (or ``JWT_SECRET``) so the same secret
    never serves two uses as is.
    """
    base = os.environ.get("FEEDBACK_SECRET") or os.environ.get("JWT_SECRET") or DEV_SECRET
    return hmac.new(base.encode(), b"perfgraph:anonymous-feedback-contributors", hashlib.sha256).digest()


def own_contribution(viewer: Viewer, manager_id: str, period: str) -> str:
    """The viewer's keyed hash in the (manager, period) contributor set."""
    return contributor_hash(contributor_key(), viewer.organization_id, manager_id, period, viewer.employee_id)


async def send_anonymous(context: Context, data: dict[str, Any]) -> Outcome:
    """Upward feedback to a manager above the viewer, with no author kept anywhere."""
    me = await require(context)
    settings = await feedback_store.load_settings(me.store)
    text, tags = data.get("text"), clean_tags(data.get("tags"))
    errors = [*check_body(text, "text"), *check_tags(tags, allowed_tags(settings))]
    manager = await existing_employee(context, data.get("manager_id"), "managerId", errors)
    if manager is not None:
        author = await org_access.employee(context, me.viewer.employee_id)
        if author is None or manager["_id"] not in author.get("managerChain", []):
            errors.append(FieldError("managerId", ErrorCode.INVALID,
                                     "anonymous upward feedback goes to a manager above you"))
    if errors or manager is None or text is None:
        return Outcome(errors=errors)
    errors = await contribute(context, manager["_id"], period_of(clock.today()), text, tags)
    return Outcome(errors=errors)


async def contribute(context: Context, manager_id: str, period: str, text: str, tags: list[str]) -> list[FieldError]:
    """One anonymous item from the viewer to ``manager_id`` for ``period``; at most one per author and period."""
    me = await require(context)
    item = {"_id": new_id(), "managerId": manager_id, "period": period, "day": clock.today().isoformat(),
            "text": text, "tags": tags, "direction": Direction.UPWARD.value}
    if not await anonymous_store.contribute(me.store, own_contribution(me.viewer, manager_id, period), item):
        return [FieldError("managerId", ErrorCode.DUPLICATE,
                           f"you have already sent anonymous feedback to this manager for {period}")]
    await release(context, manager_id, period)
    return []


async def release(context: Context, manager_id: str, period: str) -> list[str]:
    """Release the pending items of (manager, period) if there are enough, and tell the manager."""
    me = await require(context)
    ids = await anonymous_store.release_if_ready(me.store, manager_id, period)
    if ids:
        await notify(context, me.viewer.organization_id, [manager_id], FeedbackEventKind.ANONYMOUS_RELEASED,
                     ids=sorted(ids), period=period)
    return ids


async def release_all_ready(context: Context, threshold: int) -> None:
    """After the threshold was lowered: every (manager, period) with enough pending items gets its release."""
    me = await require(context)
    for manager_id, period in await anonymous_store.groups_ready(me.store, threshold):
        await release(context, manager_id, period)


def _period(period: str | None) -> str:
    if period is None:
        return period_of(clock.today())
    if not is_period(period):
        raise BadUserInput(f"period must look like 2026-Q4, not {period!r}")
    return period


async def summary(context: Context, period: str | None) -> dict[str, Any]:
    """The viewer's own anonymous upward feedback for one period: released items and a pending count."""
    me = await require(context)
    period = _period(period)
    settings = await feedback_store.load_settings(me.store)
    items = await anonymous_store.released_items(me.store, me.viewer.employee_id, period)
    return {
        "period": period, "threshold": settings["anonymityThreshold"],
        "pending": await anonymous_store.pending_count(me.store, me.viewer.employee_id, period),
        "items": [anonymous_store.scrubbed(i) for i in items if can_read_anonymous_feedback(me.viewer, i)],
    }


async def periods(context: Context) -> list[str]:
    """Every period with anonymous feedback to the viewer, newest first."""
    me = await require(context)
    return await anonymous_store.periods_of(me.store, me.viewer.employee_id)


async def released_item(context: Context, id: str | None) -> Document | None:
    """One released item for the manager it was sent to; ``None`` for anybody else or while pending."""
    if id is None:
        return None
    me = await require(context)
    item = await me.loaders.feedback.anonymous_by_id.load(id)
    if item is None or item.get("release") is None or not can_read_anonymous_feedback(me.viewer, item):
        return None
    return anonymous_store.scrubbed(item)


async def released_items(context: Context, ids: list[str]) -> list[Document]:
    """The released items among ``ids`` the viewer may read, release by release, in their shuffled order."""
    me = await require(context)
    items = await me.loaders.feedback.anonymous_by_id.load_many(ids)
    visible = [i for i in items if i is not None and i.get("release") is not None
               and can_read_anonymous_feedback(me.viewer, i)]
    return [anonymous_store.scrubbed(i) for i in sorted(visible, key=lambda i: (i["release"], i["rank"]))]
