"""Cycle mutations: creating a cycle, launching it for every eligible employee at once, nominating peers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from models.core import clock
from models.core.documents import Document, new_id
from models.core.errors import ErrorCode, FieldError
from models.org.rules import EmployeeStatus
from models.reviews.cycles import MAX_PEERS, check_cycle, cycle_document, new_form
from models.reviews.permissions import can_manage_reviews, can_nominate_peers
from models.reviews.rules import FormState, ReviewerKind, ReviewState, form_id, kinds_in
from resolvers.core.context import Context, SignedIn, require, require_role
from resolvers.core.errors import Forbidden
from resolvers.core.outcome import Outcome
from resolvers.core.publish import publish_after_commit
from resolvers.reviews.access import ReviewBundle, review_bundle
from resolvers.reviews.channels import cycle_progress_channel, progress_event
from resolvers.reviews.form_mutations import not_found
from resolvers.reviews.scoring import rescore
from store.core.repository import TenantStore
from store.reviews import cycles as cycle_store
from store.reviews import repository as review_store
from store.reviews.repository import WITHDRAWN

NOMINATION_STATES = {ReviewState.SELF_REVIEW.value, ReviewState.MANAGER_REVIEW.value}
HR_ONLY = "only HR admins manage review cycles"


async def _found(signed_in: SignedIn, loader_name: str, ids: list[str]) -> dict[str, Document]:
    """The people or departments among ``ids`` in the viewer's organisation, by id."""
    docs = await getattr(signed_in.loaders, loader_name).load_many(list(dict.fromkeys(ids)))
    return {d["_id"]: d for d in docs if d is not None}


async def create_cycle(context: Context, data: dict[str, Any]) -> Outcome:
    """A draft cycle; launching it creates the reviews and forms."""
    signed_in = await require_role(context, can_manage_reviews, HR_ONLY)
    store = signed_in.store
    template = await store.reviewTemplates.get(data["templateId"]) if data.get("templateId") else None
    eligibility = data.get("eligibility") or {}
    departments = await _found(signed_in, "department_by_id", eligibility.get("departmentIds") or [])
    people = await _found(signed_in, "employee_by_id", eligibility.get("excludedEmployeeIds") or [])
    errors = check_cycle(data, template=template, department_ids=set(departments), employee_ids=set(people))
    if errors:
        return Outcome(errors=errors)
    doc = {"_id": new_id(), **cycle_document(data), "status": "draft", "createdAt": clock.now(),
           "createdById": signed_in.viewer.employee_id}
    return Outcome(await store.reviewCycles.insert(doc))


async def launch_cycle(context: Context, cycle_id: str) -> Outcome:
    """Idempotent: a second launch creates nothing; a launch stopped part-way completes. The launch's
    report is ``extra["launch"]`` (a :class:`~models.reviews.cycles.LaunchResult`)."""
    signed_in = await require_role(context, can_manage_reviews, HR_ONLY)
    store = signed_in.store
    cycle = await store.reviewCycles.get(cycle_id)
    if cycle is None:
        return Outcome.refused("cycleId", ErrorCode.NOT_FOUND, f"no review cycle {cycle_id!r}")
    if cycle.get("status") == "closed":
        return Outcome.refused("cycleId", ErrorCode.INVALID_TRANSITION, "the cycle is closed")
    template = await store.reviewTemplates.get(cycle["templateId"])
    if template is None:
        return Outcome.refused("templateId", ErrorCode.NOT_FOUND, "the cycle's template is gone")
    result = await cycle_store.launch(store, cycle, template, signed_in.viewer.employee_id, clock.now())
    # one event for the whole launch, however many forms it created: any reviewee of the cycle may have new ones
    await publish_after_commit(context, cycle_progress_channel(signed_in.viewer.organization_id, cycle_id),
                               {"kind": "launched", "cycleId": cycle_id, "employeeId": None, "managerChain": []})
    return Outcome(result.cycle, extra={"launch": result})


async def nominate_peers(context: Context, review_id: str, peer_ids: list[str]) -> Outcome:
    """Set the peers who review someone: new peers get a form; peers removed before starting lose theirs."""
    signed_in = await require(context)
    store = signed_in.store
    context.fresh_loaders()
    bundle = await review_bundle(context, review_id)
    if bundle is None:
        return not_found("reviewId", "review", review_id)
    review = bundle.review
    if not can_nominate_peers(signed_in.viewer, review, bundle.reviewee):
        raise Forbidden("peers are chosen by the reviewee, their managers and HR admins")
    errors = await _nomination_errors(signed_in, bundle, peer_ids)
    wanted = list(dict.fromkeys(peer_ids))
    at = clock.now()
    errors += (await _peer_changes(store, review, wanted, at)).errors
    if errors:
        return Outcome(errors=errors)

    async def step() -> list[FieldError]:
        current = await store.reviews.get(review_id)  # the peers and state as stored now
        if current is None or current["state"] not in NOMINATION_STATES:
            return [FieldError("reviewId", ErrorCode.CONFLICT, "the review moved meanwhile; retry")]
        changes = await _peer_changes(store, current, wanted, at)
        if not changes.errors:
            await review_store.set_peers(store, current, wanted, changes.new_forms, changes.withdraw,
                                         changes.revive, at)
        return changes.errors

    errors = await store.transaction(step)
    if errors:
        return Outcome(errors=errors)
    await publish_after_commit(context, cycle_progress_channel(signed_in.viewer.organization_id, review["cycleId"]),
                               progress_event("peers", review, bundle.reviewee))
    updated = await store.reviews.get(review_id)
    if updated is not None:
        await rescore(context, ReviewBundle(updated, bundle.reviewee, bundle.template))
    context.fresh_loaders()
    return Outcome(await store.reviews.get(review_id))


@dataclass
class PeerChanges:
    """What setting a review's peers to a list changes: forms to create, withdraw and revive, or why not."""

    errors: list[FieldError] = field(default_factory=list)
    new_forms: list[Document] = field(default_factory=list)
    withdraw: list[str] = field(default_factory=list)
    revive: list[str] = field(default_factory=list)


async def _peer_changes(store: TenantStore, review: Document, wanted: list[str], at: Any) -> PeerChanges:
    """From the review's peers and peer forms as stored now: a peer who started their form stays."""
    current = list(review.get("peerIds") or [])
    forms = {f["_id"]: f for f in await store.reviewForms.find({"reviewId": review["_id"],
                                                                 "kind": ReviewerKind.PEER.value})}
    changes = PeerChanges()
    for peer in (p for p in current if p not in wanted):
        existing = forms.get(form_id(review["cycleId"], review["employeeId"], peer, ReviewerKind.PEER))
        if existing is not None and existing["state"] not in (FormState.NOT_STARTED.value, WITHDRAWN):
            changes.errors.append(FieldError("peerIds", ErrorCode.INVALID,
                                             "a peer who has started their form stays nominated"))
        elif existing is not None:
            changes.withdraw.append(existing["_id"])
    for peer in (p for p in wanted if p not in current):
        form = new_form({"_id": review["cycleId"]}, review, peer, ReviewerKind.PEER, at)
        if form["_id"] in forms:
            changes.revive.append(form["_id"])
        else:
            changes.new_forms.append({**form, "revision": 1})
    return changes


async def _nomination_errors(signed_in: SignedIn, bundle: ReviewBundle, peer_ids: list[str]) -> list[FieldError]:
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
    people = await _found(signed_in, "employee_by_id", peer_ids)
    for peer in dict.fromkeys(peer_ids):
        person = people.get(peer)
        if person is None:
            errors.append(FieldError("peerIds", ErrorCode.NOT_FOUND, f"no employee {peer!r} in your organisation"))
        elif person["status"] != EmployeeStatus.ACTIVE and peer not in (review.get("peerIds") or []):
            errors.append(FieldError("peerIds", ErrorCode.INACTIVE, f"{peer!r} is not active"))
    return errors
