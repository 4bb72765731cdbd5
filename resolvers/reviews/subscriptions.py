"""Live review streams: every committed change of a form, a review's score, a cycle's ratings.

Each event is checked for the subscriber it goes to (models/permissions.py), with the review state
and the reviewee's management chain the publisher read right after its write. The subscriber's own
standing (still employed, roles) is re-read, with fresh loaders, at most once a second; in between only
the token's expiry is checked: answers arrive in bursts, and a store read (and a set of loaders) per
subscriber per keystroke would cost more than the edits themselves.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from models.core.viewer import Viewer
from models.reviews.permissions import (
    can_read_review_answer,
    can_read_review_form,
    can_see_cycle_scores,
    can_see_review_score,
)
from models.reviews.rules import questions_for
from realtime import SubscriberOverflow
from resolvers.core.context import Context
from resolvers.core.errors import BadUserInput, Forbidden
from resolvers.core.streams import close_connection
from resolvers.reviews.access import (
    cycle_scores_channel,
    form_channel,
    fresh_loaders,
    readable_form,
    score_channel,
    visible_review,
)

log = logging.getLogger("perfgraph.reviews")
RECHECK_SECONDS = 1.0


@dataclass
class Freshness:
    """When the subscriber's own document was last re-read."""

    checked_at: float = 0.0

    async def viewer(self, context: Context, *, loaders: bool = True) -> Viewer:
        """The subscriber for this event; ``loaders``: also fresh loaders for the event's nested fields
        (form changes carry everything they show and skip them)."""
        if time.monotonic() - self.checked_at < RECHECK_SECONDS:
            viewer = await context.authenticate()  # the token's expiry; the viewer was re-read < 1 s ago
            if loaders:
                fresh_loaders(context)
            return viewer
        viewer = await context.refresh()
        self.checked_at = time.monotonic()
        return viewer


async def review_form_changed(context: Context, form_id: str) -> AsyncIterator[dict[str, Any]]:
    """Every committed answer (question, value, version, who) and state change of one form."""
    viewer = await context.authenticate()
    bundle = await readable_form(context, form_id)
    if bundle is None:
        raise BadUserInput(f"no review form {form_id!r} in your organisation")
    static = {k: bundle.form[k] for k in ("_id", "organizationId", "kind", "reviewerId")}
    template = bundle.template
    questions = {q["id"]: q for _, q in questions_for(template, static["kind"])}
    freshness = Freshness(time.monotonic())
    try:
        async with context.bus.subscribe(form_channel(viewer.organization_id, form_id)) as subscription:
            async for message in subscription:
                viewer = await freshness.viewer(context, loaders=False)
                form = {**static, "state": message.get("state")}
                review, reviewee = message["review"], message["reviewee"]
                question = questions.get(message.get("questionId") or "")
                if question is not None:
                    allowed = can_read_review_answer(viewer, form, review, reviewee, template, question)
                else:
                    allowed = can_read_review_form(viewer, form, review, reviewee, template)
                if allowed:
                    yield message
    except SubscriberOverflow as error:
        log.warning("closing a review-form subscriber that fell behind: %s", error)
        await close_connection(context, str(error))


async def score_changed(context: Context, review_id: str) -> AsyncIterator[dict[str, Any]]:
    """The review's score after each change (answers, calibration, state); the score read fresh."""
    viewer = await context.authenticate()
    bundle = await visible_review(context, review_id)
    if bundle is None:
        raise BadUserInput(f"no review {review_id!r} in your organisation")
    if not can_see_review_score(viewer, bundle.review, bundle.reviewee):
        raise Forbidden("scores are visible to managers and HR admins, and to the reviewee once shared")
    freshness = Freshness(time.monotonic())
    try:
        async with context.bus.subscribe(score_channel(viewer.organization_id, review_id)) as subscription:
            async for message in subscription:
                viewer = await freshness.viewer(context)
                if not can_see_review_score(viewer, message["review"], message["reviewee"]):
                    continue
                assert context.loaders is not None
                review = await context.loaders.reviews.review_by_id.load(review_id)  # fresh loaders: as stored now
                if review is not None:
                    yield {"kind": message["kind"], "review": review}
    except SubscriberOverflow as error:
        log.warning("closing a score subscriber that fell behind: %s", error)
        await close_connection(context, str(error))


async def cycle_scores_changed(context: Context, cycle_id: str) -> AsyncIterator[dict[str, Any]]:
    """A review of the cycle changed rating (scores or calibration): HR admins, with the distribution."""
    viewer = await context.authenticate()
    if not can_see_cycle_scores(viewer):
        raise Forbidden("cycle score changes are for HR admins")
    assert context.loaders is not None
    if await context.loaders.reviews.cycle_by_id.load(cycle_id) is None:
        raise BadUserInput(f"no review cycle {cycle_id!r} in your organisation")
    freshness = Freshness(time.monotonic())
    try:
        async with context.bus.subscribe(cycle_scores_channel(viewer.organization_id, cycle_id)) as subscription:
            async for message in subscription:
                viewer = await freshness.viewer(context)
                if can_see_cycle_scores(viewer):
                    yield dict(message)
    except SubscriberOverflow as error:
        log.warning("closing a cycle-scores subscriber that fell behind: %s", error)
        await close_connection(context, str(error))
