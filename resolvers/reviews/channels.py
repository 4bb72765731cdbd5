"""The reviews domain's bus channels, and the snapshot each review event carries for its subscribers."""

from __future__ import annotations

from typing import Any

from models.core.documents import Document


def form_channel(organization_id: str, form_id: str) -> str:
    """Every committed answer and state change of one form."""
    return f"review-form:{organization_id}:{form_id}"


def presence_channel(organization_id: str, form_id: str) -> str:
    """Who is viewing one form (join, here, move, leave)."""
    return f"review-presence:{organization_id}:{form_id}"


def score_channel(organization_id: str, review_id: str) -> str:
    """A review's score, calibration or state changed."""
    return f"review-score:{organization_id}:{review_id}"


def cycle_scores_channel(organization_id: str, cycle_id: str) -> str:
    """A review of the cycle changed rating."""
    return f"cycle-scores:{organization_id}:{cycle_id}"


def review_results_channel(organization_id: str) -> str:
    """A review of the organisation was shared with its reviewee (its result, calibrated rating included, is
    now evidence): ``{"kind": "shared", "reviewId", "employeeId", "cycleId"}``. Other domains follow it
    (growth's ``successionChanged``); it carries ids only."""
    return f"review-results:{organization_id}"


def snapshot(review: Document, reviewee: Document) -> dict[str, Any]:
    """What a subscriber's permission check needs, as the publisher saw it after its write."""
    return {"review": {"_id": review["_id"], "organizationId": review["organizationId"], "state": review["state"],
                       "employeeId": review["employeeId"], "cycleId": review["cycleId"]},
            "reviewee": {"_id": reviewee["_id"], "organizationId": reviewee["organizationId"],
                         "managerChain": list(reviewee.get("managerChain", []))}}


def cycle_progress_channel(organization_id: str, cycle_id: str) -> str:
    """A write changed what ``cycleProgress`` answers for the cycle: a form started, submitted, reopened,
    created or withdrawn, a review moved, the cycle launched. One message per write (a launch of thousands of
    forms is one): ``{"kind", "cycleId", "employeeId", "managerChain"}``, the reviewee and their managers as the
    publisher read them (``employeeId`` null: any reviewee of the cycle, as after a launch)."""
    return f"cycle-progress:{organization_id}:{cycle_id}"


def progress_event(kind: str, review: Document, reviewee: Document | None) -> dict[str, Any]:
    """The message of :func:`cycle_progress_channel` for a write to one review's forms or state."""
    return {"kind": kind, "cycleId": review["cycleId"], "employeeId": review["employeeId"],
            "managerChain": list(reviewee.get("managerChain", [])) if reviewee else []}
