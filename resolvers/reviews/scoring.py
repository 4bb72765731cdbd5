"""Recomputing a review's score after a write, and telling the review's and the cycle's subscribers."""

from __future__ import annotations

from resolvers.core.context import Context, require
from resolvers.core.publish import publish_after_commit
from resolvers.reviews.access import ReviewBundle
from resolvers.reviews.channels import cycle_scores_channel, score_channel, snapshot
from store.reviews import repository as review_store


async def rescore(context: Context, bundle: ReviewBundle) -> None:
    """Recompute the review's score; tell subscribers when it changed (and the cycle when its rating did)."""
    result = await review_store.recompute_score((await require(context)).store, bundle.review, bundle.template)
    if result is None:
        return
    before, after = result
    if before == after:
        return
    review = bundle.review
    org = review["organizationId"]
    await publish_after_commit(context, score_channel(org, review["_id"]),
                               {"kind": "score", "reviewId": review["_id"], **snapshot(review, bundle.reviewee)})
    if (before or {}).get("rating") != after.get("rating"):
        await publish_after_commit(context, cycle_scores_channel(org, review["cycleId"]),
                                   {"kind": "score", "cycleId": review["cycleId"], "reviewId": review["_id"],
                                    "departmentId": review.get("departmentId")})
