"""Live review streams: every committed change of a form, a review's score, a cycle's ratings.

Each runs on the one subscription stream (``resolvers/core/streams.py``, with its re-check policy) and
checks every event for the subscriber it goes to (``models/reviews/permissions.py``), with the review state
and the reviewee's management chain the publisher read right after its write.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from models.core.viewer import Viewer
from models.reviews.permissions import (
    can_follow_cycle,
    can_read_review_answer,
    can_read_review_form,
    can_see_cycle_scores,
    can_see_review_score,
    reader_may_read_answer,
    reader_may_read_form,
)
from models.reviews.rules import questions_for
from resolvers.core.context import Context, require, require_role
from resolvers.core.errors import BadUserInput, Forbidden
from resolvers.core.streams import coalesced, stream
from resolvers.reviews.access import readable_form, visible_review
from resolvers.reviews.channels import cycle_progress_channel, cycle_scores_channel, form_channel, score_channel
from resolvers.reviews.cycle_queries import Progress, progress
from resolvers.reviews.sharing import reader_of

Message = dict[str, Any]
COALESCE_SECONDS = 0.25  # a burst of writes within this long after the first is one push of cycleProgress
PROGRESS_REFUSAL = "cycle progress is for managers and HR admins"


async def review_form_changed(context: Context, form_id: str) -> AsyncIterator[Message]:
    """Every committed answer (question, value, version, who) and state change of one form; decided for the
    subscriber, or for the reader class a shared execution serves."""
    signed_in = await require(context)
    bundle = await readable_form(context, form_id)
    if bundle is None:
        raise BadUserInput(f"no review form {form_id!r} in your organisation")
    static = {k: bundle.form[k] for k in ("_id", "organizationId", "kind", "reviewerId")}
    template = bundle.template
    questions = {q["id"]: q for _, q in questions_for(template, static["kind"])}

    shared_by = reader_of(context)  # one execution for a reader class (resolvers/reviews/sharing.py)

    async def events(viewer: Viewer, message: Message) -> AsyncIterator[Message]:
        form = {**static, "state": message.get("state")}
        review, reviewee = message["review"], message["reviewee"]
        question = questions.get(message.get("questionId") or "")
        if shared_by is not None:
            allowed = reader_may_read_form(shared_by, form, review, template) if question is None else \
                reader_may_read_answer(shared_by, form, review, template, question)
        elif question is not None:
            allowed = can_read_review_answer(viewer, form, review, reviewee, template, question)
        else:
            allowed = can_read_review_form(viewer, form, review, reviewee, template)
        if allowed:
            yield message

    async for event in stream(context, form_channel(signed_in.viewer.organization_id, form_id), events):
        yield event


async def score_changed(context: Context, review_id: str) -> AsyncIterator[Message]:
    """The review's score after each change (answers, calibration, state); the review read as stored now."""
    signed_in = await require(context)
    bundle = await visible_review(context, review_id)
    if bundle is None:
        raise BadUserInput(f"no review {review_id!r} in your organisation")
    if not can_see_review_score(signed_in.viewer, bundle.review, bundle.reviewee):
        raise Forbidden("scores are visible to managers and HR admins, and to the reviewee once shared")

    async def events(viewer: Viewer, message: Message) -> AsyncIterator[Message]:
        if not can_see_review_score(viewer, message["review"], message["reviewee"]):
            return
        review = await signed_in.loaders.reviews.review_by_id.load(review_id)  # the event's fresh loaders
        if review is not None:
            yield {"kind": message["kind"], "review": review}

    async for event in stream(context, score_channel(signed_in.viewer.organization_id, review_id), events):
        yield event


async def cycle_scores_changed(context: Context, cycle_id: str) -> AsyncIterator[Message]:
    """A review of the cycle changed rating (scores or calibration): HR admins, with the distribution."""
    signed_in = await require_role(context, can_see_cycle_scores, "cycle score changes are for HR admins")
    if await signed_in.loaders.reviews.cycle_by_id.load(cycle_id) is None:
        raise BadUserInput(f"no review cycle {cycle_id!r} in your organisation")

    async def events(viewer: Viewer, message: Message) -> AsyncIterator[Message]:
        if can_see_cycle_scores(viewer):
            yield dict(message)

    async for event in stream(context, cycle_scores_channel(signed_in.viewer.organization_id, cycle_id), events):
        yield event


def concerns(viewer: Viewer, message: Message) -> bool:
    """Whether a progress event may change what ``cycleProgress`` answers the viewer: HR admins follow every
    reviewee, managers the people below them (the reviewee's management chain as the publisher read it); an
    event naming no reviewee (a launch) concerns everyone who follows the cycle."""
    if viewer.is_hr_admin or message.get("employeeId") is None:
        return True
    return viewer.employee_id in message.get("managerChain", ())


async def cycle_progress_changed(context: Context, cycle_id: str) -> AsyncIterator[Progress]:
    """``cycleProgress`` again, for the subscriber, after each write that may change it (forms started,
    submitted, reopened, created or withdrawn; reviews moved; the cycle launched), with the query's rules:
    managers see the people below them, HR admins everyone. Writes within :data:`COALESCE_SECONDS` of the
    first of a burst are answered by one push, read after them all."""
    signed_in = await require_role(context, can_follow_cycle, PROGRESS_REFUSAL)
    if await signed_in.loaders.reviews.cycle_by_id.load(cycle_id) is None:
        raise BadUserInput(f"no review cycle {cycle_id!r} in your organisation")

    async def events(viewer: Viewer, message: Message) -> AsyncIterator[Message]:
        if not can_follow_cycle(viewer):
            raise Forbidden(PROGRESS_REFUSAL)
        if concerns(viewer, message):
            yield message

    changes = stream(context, cycle_progress_channel(signed_in.viewer.organization_id, cycle_id), events)
    async for _ in coalesced(changes, COALESCE_SECONDS):
        context.fresh_loaders()  # the counts, the cycle and its departments as stored after the burst
        yield await progress(context, cycle_id)

