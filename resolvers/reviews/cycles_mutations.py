"""Cycle mutations: creating a cycle, launching it for every eligible employee at once, nominating peers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from models.core.documents import Document, new_id
from models.core.errors import ErrorCode, FieldError
from models.org.rules import EmployeeStatus
from models.reviews.cycles import MAX_PEERS, check_cycle, cycle_document, new_form
from models.reviews.permissions import can_manage_reviews, can_nominate_peers
from models.reviews.rules import FormState, ReviewerKind, ReviewState, form_id, kinds_in
from resolvers.core.context import Context
from resolvers.core.errors import Forbidden
from resolvers.reviews.access import ReviewBundle, fresh_loaders, now, review_bundle, viewer_store
from resolvers.reviews.mutations import ReviewOutcome, rescore
from store.reviews import cycles as cycle_store
from store.reviews import repository as review_store
from store.reviews.cycles import LaunchResult
from store.reviews.repository import WITHDRAWN

NOMINATION_STATES = {ReviewState.SELF_REVIEW.value, ReviewState.MANAGER_REVIEW.value}


@dataclass
class LaunchOutcome:
    result: LaunchResult | None = None
    errors: list[FieldError] = field(default_factory=list)


async def _admin(context: Context) -> tuple[Any, Any]:
    viewer, store, _ = await viewer_store(context)
    if not can_manage_reviews(viewer):
        raise Forbidden("only HR admins manage review cycles")
    return viewer, store


async def create_cycle(context: Context, data: dict[str, Any]) -> ReviewOutcome:
    viewer, store = await _admin(context)
    template = await store.reviewTemplates.get(data["templateId"]) if data.get("templateId") else None
    eligibility = data.get("eligibility") or {}
    departments = {d["_id"] for d in await store.departments.by_ids(eligibility.get("departmentIds") or [],
                                                                   projection={"_id": 1})}
    people = {e["_id"] for e in await store.employees.by_ids(eligibility.get("excludedEmployeeIds") or [],
                                                            projection={"_id": 1})}
    errors = check_cycle(data, template=template, department_ids=departments, employee_ids=people)
    if errors:
        return ReviewOutcome(errors=errors)
    at = now()
    doc = {"_id": new_id(), **cycle_document(data), "status": "draft", "createdAt": at,
           "createdById": viewer.employee_id}
    return ReviewOutcome(await store.reviewCycles.insert(doc))


async def launch_cycle(context: Context, cycle_id: str) -> LaunchOutcome:
    """Idempotent: a second launch creates nothing; a launch stopped part-way completes."""
    viewer, store = await _admin(context)
    cycle = await store.reviewCycles.get(cycle_id)
    if cycle is None:
        return LaunchOutcome(errors=[FieldError("cycleId", ErrorCode.NOT_FOUND, f"no review cycle {cycle_id!r}")])
    if cycle.get("status") == "closed":
        return LaunchOutcome(errors=[FieldError("cycleId", ErrorCode.INVALID_TRANSITION, "the cycle is closed")])
    template = await store.reviewTemplates.get(cycle["templateId"])
    if template is None:
        return LaunchOutcome(errors=[FieldError("templateId", ErrorCode.NOT_FOUND, "the cycle's template is gone")])
    result = await cycle_store.launch(store, cycle, template, viewer.employee_id, now())
    fresh_loaders(context)
    return LaunchOutcome(result)


async def nominate_peers(context: Context, review_id: str, peer_ids: list[str]) -> ReviewOutcome:
    """Set the peers who review someone: new peers get a form; peers removed before starting lose theirs."""
    viewer, store, _ = await viewer_store(context)
    fresh_loaders(context)
    bundle = await review_bundle(context, review_id)
    if bundle is None:
        return ReviewOutcome(errors=[FieldError("reviewId", ErrorCode.NOT_FOUND, f"no review {review_id!r}")])
    review = bundle.review
    if not can_nominate_peers(viewer, review, bundle.reviewee):
        raise Forbidden("peers are chosen by the reviewee, their managers and HR admins")
    errors = await _nomination_errors(store, bundle, peer_ids)
    wanted = list(dict.fromkeys(peer_ids))
    current = list(review.get("peerIds") or [])
    removed = [p for p in current if p not in wanted]
    added = [p for p in wanted if p not in current]
    peer_forms = await store.reviewForms.find({"reviewId": review_id, "kind": ReviewerKind.PEER.value})
    forms = {f["_id"]: f for f in peer_forms}
    cycle = {"_id": review["cycleId"]}
    withdraw = []
    for peer in removed:
        existing = forms.get(form_id(review["cycleId"], review["employeeId"], peer, ReviewerKind.PEER))
        if existing is not None and existing["state"] not in (FormState.NOT_STARTED.value, WITHDRAWN):
            errors.append(FieldError("peerIds", ErrorCode.INVALID, "a peer who has started their form stays nominated"))
        elif existing is not None:
            withdraw.append(existing["_id"])
    if errors:
        return ReviewOutcome(errors=errors)
    at = now()
    new_forms, revive = [], []
    for peer in added:
        form = new_form(cycle, review, peer, ReviewerKind.PEER, at)
        if form["_id"] in forms:
            revive.append(form["_id"])
        else:
            new_forms.append({**form, "revision": 1})
    await review_store.set_peers(store, review, wanted, new_forms, withdraw, revive, at)
    updated = await store.reviews.get(review_id)
    assert updated is not None
    await rescore(context, ReviewBundle(updated, bundle.reviewee, bundle.template))
    fresh_loaders(context)
    return ReviewOutcome(await store.reviews.get(review_id))


async def _nomination_errors(store: Any, bundle: ReviewBundle, peer_ids: list[str]) -> list[FieldError]:
    review = bundle.review
    errors: list[FieldError] = []
    if review["state"] not in NOMINATION_STATES:
        errors.append(FieldError("reviewId", ErrorCode.INVALID_TRANSITION,
                                 f"peers are nominated before calibration, not in {review['state']}"))
    if ReviewerKind.PEER not in kinds_in(bundle.template):
        errors.append(FieldError("peerIds", ErrorCode.INVALID, "the template has no questions for peers"))
    if len(set(peer_ids)) != len(peer_ids):
        errors.append(FieldError("peerIds", ErrorCode.DUPLICATE, "each peer may be nominated once"))
    if len(set(peer_ids)) > MAX_PEERS:
        errors.append(FieldError("peerIds", ErrorCode.INVALID, f"at most {MAX_PEERS} peers"))
    if review["employeeId"] in peer_ids:
        errors.append(FieldError("peerIds", ErrorCode.INVALID, "nobody reviews themselves as a peer"))
    found = await store.employees.by_ids(peer_ids, projection={"status": 1})
    people: dict[str, Document] = {e["_id"]: e for e in found}
    for peer in dict.fromkeys(peer_ids):
        person = people.get(peer)
        if person is None:
            errors.append(FieldError("peerIds", ErrorCode.NOT_FOUND, f"no employee {peer!r} in your organisation"))
        elif person["status"] != EmployeeStatus.ACTIVE and peer not in (review.get("peerIds") or []):
            errors.append(FieldError("peerIds", ErrorCode.INACTIVE, f"{peer!r} is not active"))
    return errors
