"""Who may read and change reviews, forms, scores and cycles (plain functions; no store reads)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from models.core.viewer import Role, Viewer, same_organization
from models.org.permissions import can_see_personal, manages

# Performance reviews. ``review`` carries ``state``; ``form`` carries ``kind``
# (self/manager/peer/upward), ``reviewerId`` and ``state``; ``reviewee`` is the reviewed employee's
# document (its ``managerChain`` says who manages them now); ``template`` carries ``peerVisibility`` /
# ``upwardVisibility`` (named/anonymous/hidden). The reviewer of a form and HR admins read it all; the
# reviewee's management chain reads every form; the reviewee reads their own (self) form, the manager's
# form only once the review is shared, and peer/upward forms only when shared and the template names
# reviewers (anonymous answers come as an aggregate, and only with ANONYMITY_THRESHOLD answers).

REVIEW_SHARED = frozenset({"shared", "acknowledged"})
REVIEW_ANONYMITY_THRESHOLD = 3


def can_manage_reviews(viewer: Viewer) -> bool:
    """The competency framework, review templates, cycles, expected levels and reopening forms: HR admins."""
    return viewer.is_hr_admin


def review_relations(viewer: Viewer, reviewee: Mapping[str, Any]) -> frozenset[str]:
    """How the viewer relates to a reviewee: ``reviewee``, ``manager`` (anyone above), ``hr_admin``."""
    if not same_organization(viewer, reviewee):
        return frozenset()
    relations = set()
    if reviewee["_id"] == viewer.employee_id:
        relations.add("reviewee")
    if manages(viewer, reviewee):
        relations.add("manager")
    if viewer.is_hr_admin:
        relations.add("hr_admin")
    return frozenset(relations)


def can_see_review(viewer: Viewer, review: Mapping[str, Any], reviewee: Mapping[str, Any]) -> bool:
    """The review itself (state, history, its forms list): the reviewee, their managers, HR admins."""
    return same_organization(viewer, review) and bool(review_relations(viewer, reviewee))


def can_see_review_score(viewer: Viewer, review: Mapping[str, Any], reviewee: Mapping[str, Any]) -> bool:
    """Scores and calibration: managers and HR admins; the reviewee once the review is shared."""
    relations = review_relations(viewer, reviewee) if same_organization(viewer, review) else frozenset()
    return bool(relations - {"reviewee"}) or ("reviewee" in relations and review.get("state") in REVIEW_SHARED)


def _feedback_visibility(form: Mapping[str, Any], template: Mapping[str, Any]) -> str:
    key = "upwardVisibility" if form.get("kind") == "upward" else "peerVisibility"
    return str(template.get(key) or "anonymous")


@dataclass(frozen=True)
class FormReader:
    """How a reader stands to one form: its reviewer or not, and their relations to the reviewee. Readers who
    stand alike read the same fields of the form (every rule below decides on this alone), so one execution of
    ``reviewFormChanged`` may serve them all."""

    reviewer: bool
    relations: frozenset[str]


def form_reader(viewer: Viewer, form: Mapping[str, Any], review: Mapping[str, Any],
                reviewee: Mapping[str, Any]) -> FormReader:
    """The viewer's standing to the form (none at all for another organisation's)."""
    if not (same_organization(viewer, form) and same_organization(viewer, review)):
        return FormReader(False, frozenset())
    return FormReader(form.get("reviewerId") == viewer.employee_id, review_relations(viewer, reviewee))


def reader_may_read_form(reader: FormReader, form: Mapping[str, Any], review: Mapping[str, Any],
                         template: Mapping[str, Any]) -> bool:
    if reader.reviewer or reader.relations - {"reviewee"}:
        return True
    if "reviewee" not in reader.relations or review.get("state") not in REVIEW_SHARED:
        return False
    if form.get("kind") == "manager":
        return True
    return form.get("kind") in ("peer", "upward") and _feedback_visibility(form, template) == "named"


def reader_may_read_answer(reader: FormReader, form: Mapping[str, Any], review: Mapping[str, Any],
                           template: Mapping[str, Any], question: Mapping[str, Any]) -> bool:
    """One answer: readable form, and the question's ``readers`` include the reader's audience."""
    if not reader_may_read_form(reader, form, review, template):
        return False
    if reader.reviewer or "hr_admin" in reader.relations:
        return True
    readers = set(question.get("readers") or [])
    return ("manager" in reader.relations and "manager" in readers) or (
        "reviewee" in reader.relations and "reviewee" in readers)


def can_read_review_form(viewer: Viewer, form: Mapping[str, Any], review: Mapping[str, Any],
                         reviewee: Mapping[str, Any], template: Mapping[str, Any]) -> bool:
    if not (same_organization(viewer, form) and same_organization(viewer, review)):
        return False
    return reader_may_read_form(form_reader(viewer, form, review, reviewee), form, review, template)


def can_read_review_answer(viewer: Viewer, form: Mapping[str, Any], review: Mapping[str, Any],
                           reviewee: Mapping[str, Any], template: Mapping[str, Any],
                           question: Mapping[str, Any]) -> bool:
    """One answer: readable form, and the question's ``readers`` include the viewer's audience."""
    if not (same_organization(viewer, form) and same_organization(viewer, review)):
        return False
    return reader_may_read_answer(form_reader(viewer, form, review, reviewee), form, review, template, question)


def can_see_review_feedback(viewer: Viewer, kind: str, review: Mapping[str, Any], reviewee: Mapping[str, Any],
                            template: Mapping[str, Any], answered: int) -> bool:
    """Peer or upward answers as an unnamed aggregate: managers and HR admins; the reviewee once shared,
    unless the template hides them, and for anonymous answers only when enough people answered."""
    relations = review_relations(viewer, reviewee) if same_organization(viewer, review) else frozenset()
    if relations - {"reviewee"}:
        return True
    if "reviewee" not in relations or review.get("state") not in REVIEW_SHARED:
        return False
    visibility = _feedback_visibility({"kind": kind}, template)
    return visibility == "named" or (visibility == "anonymous" and answered >= REVIEW_ANONYMITY_THRESHOLD)


def can_edit_review_form(viewer: Viewer, form: Mapping[str, Any], review: Mapping[str, Any],
                         reviewee: Mapping[str, Any]) -> bool:
    """Answering: the reviewer (on any of their devices) until the form is submitted and while the review
    is not shared; during calibration also the reviewee's managers and HR admins, on the manager's form."""
    if not (same_organization(viewer, form) and same_organization(viewer, review)):
        return False
    if form.get("state") == "submitted" or review.get("state") in REVIEW_SHARED:
        return False
    if form.get("reviewerId") == viewer.employee_id:
        return True
    relations = review_relations(viewer, reviewee) - {"reviewee"}
    return review.get("state") == "calibration" and form.get("kind") == "manager" and bool(relations)


def can_submit_review_form(viewer: Viewer, form: Mapping[str, Any]) -> bool:
    return same_organization(viewer, form) and form.get("reviewerId") == viewer.employee_id


def can_move_review(viewer: Viewer, review: Mapping[str, Any], reviewee: Mapping[str, Any],
                    allowed: frozenset[str]) -> bool:
    """``allowed``: the relations the workflow table lets make this move (models/reviews.py)."""
    return same_organization(viewer, review) and bool(review_relations(viewer, reviewee) & allowed)


def can_calibrate_review(viewer: Viewer, review: Mapping[str, Any], reviewee: Mapping[str, Any]) -> bool:
    """A calibrated rating: the reviewee's managers and HR admins, never the reviewee."""
    return same_organization(viewer, review) and bool(review_relations(viewer, reviewee) - {"reviewee"})


def can_nominate_peers(viewer: Viewer, review: Mapping[str, Any], reviewee: Mapping[str, Any]) -> bool:
    """Choosing the peers who review someone: the reviewee, their managers and HR admins."""
    return same_organization(viewer, review) and bool(review_relations(viewer, reviewee))


def can_follow_cycle(viewer: Viewer) -> bool:
    """Cycle progress and overdue forms: HR admins (everyone), managers (the people below them)."""
    return viewer.is_hr_admin or Role.MANAGER in viewer.roles


def can_see_cycle_scores(viewer: Viewer) -> bool:
    """Rating distributions of a whole cycle, before and after calibration, live: HR admins."""
    return viewer.is_hr_admin


def can_see_competency_profile(viewer: Viewer, employee: Mapping[str, Any]) -> bool:
    """Expected and assessed competency levels are personal: the person, their managers, HR admins."""
    return can_see_personal(viewer, employee)


def can_read_ratings_for_pay(viewer: Viewer) -> bool:
    """The final (calibrated) ratings of a cycle's shared reviews, for a merit cycle: compensation admins."""
    return viewer.is_compensation_admin
