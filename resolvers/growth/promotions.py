"""Promotion proposals and their approval chain; an approved promotion due today is applied through the
org domain in the same transaction as its last decision (``resolvers/org/access.py``), later ones by
``applyDuePromotions``. Every write is conditional on the version read, so two decisions never both land."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from typing import Any

from models.core import clock
from models.core.documents import Document, new_id
from models.core.errors import ErrorCode, FieldError
from models.core.viewer import Viewer
from models.growth.promotions import (
    Decision,
    PromotionChange,
    ProposalStatus,
    approvers_for,
    can_propose,
    can_see_proposal,
    check_decision,
    check_proposal,
    current_step,
    may_decide,
    steps_for,
)
from resolvers.core.context import Context, SignedIn, require
from resolvers.core.errors import Forbidden
from resolvers.core.outcome import Outcome
from resolvers.core.publish import publish_after_commit
from resolvers.core.streams import stream
from resolvers.org.access import change_position, employees, referenced
from store.core.repository import Duplicate
from store.growth import repository as growth_store

PROPOSE_REFUSAL = "a promotion is proposed by the person's managers or an HR admin"
SEE_REFUSAL = "this promotion proposal is visible to HR admins, its proposer, its approvers and the person's managers"
CHAIN_REFUSAL = "only the approver of the current step decides: the next manager in the chain, then an HR admin"


def promotions_channel(organization_id: str) -> str:
    return f"promotions:{organization_id}"


async def published(signed_in: SignedIn, proposal: Document, kind: PromotionChange) -> None:
    await publish_after_commit(signed_in.context, promotions_channel(signed_in.viewer.organization_id), {
        "proposalId": proposal["_id"], "kind": kind.value, "byId": signed_in.viewer.employee_id,
        "names": sorted({proposal["proposedById"], *(s["approverId"] for s in proposal["steps"])})})


async def visible(context: Context, docs: list[Document]) -> list[Document]:
    viewer = (await require(context)).viewer
    people = {e["_id"]: e for e in await employees(context, [d["employeeId"] for d in docs])}
    return [d for d in docs if d["employeeId"] in people and can_see_proposal(viewer, d, people[d["employeeId"]])]


async def promotion_proposals(context: Context, status: ProposalStatus | None) -> list[Document]:
    """The proposals the viewer may see, newest first."""
    signed_in = await require(context)
    return await visible(context, await growth_store.proposals(signed_in.store, status.value if status else None))


async def propose_promotion(context: Context, employee_id: str, position_id: str, effective_on: date,
                            justification: str | None, evidence: list[str]) -> Outcome:
    signed_in = await require(context)
    viewer = signed_in.viewer
    errors: list[FieldError] = []
    employee = await referenced(context, "employee", employee_id, "employeeId", errors, active=True)
    if employee is not None and not can_propose(viewer, employee):
        raise Forbidden(PROPOSE_REFUSAL)
    position = await referenced(context, "position", position_id, "positionId", errors)
    if employee is None:
        return Outcome(errors=errors)
    current = await referenced(context, "position", employee.get("positionId"), "employeeId", [])
    errors += check_proposal(employee, position, current, effective_on, justification, evidence, clock.today())
    if errors:
        return Outcome(errors=errors)
    at = clock.now()
    proposal = {"_id": new_id(), "employeeId": employee_id, "fromPositionId": employee.get("positionId"),
                "toPositionId": position_id, "effectiveOn": effective_on.isoformat(),
                "justification": (justification or "").strip(), "evidence": [e.strip() for e in evidence],
                "proposedById": viewer.employee_id, "steps": steps_for(approvers_for(employee, viewer.employee_id)),
                "status": ProposalStatus.PENDING.value, "open": True, "version": 1, "createdAt": at,
                "history": [{"kind": PromotionChange.PROPOSED.value, "byId": viewer.employee_id, "at": at,
                             "reason": None}]}
    try:
        await signed_in.store.promotionProposals.insert(proposal)
    except Duplicate:
        return Outcome.refused("employeeId", ErrorCode.DUPLICATE, f"{employee['name']} already has an open proposal")
    await published(signed_in, proposal, PromotionChange.PROPOSED)
    return Outcome(await signed_in.store.promotionProposals.get(proposal["_id"]))


async def decide_promotion(context: Context, proposal_id: str, decision: Decision, reason: str | None) -> Outcome:
    signed_in = await require(context)
    viewer = signed_in.viewer
    proposal = await signed_in.store.promotionProposals.get(proposal_id)
    found = await visible(context, [proposal]) if proposal else []
    if proposal is None or (not found and not may_decide(viewer, proposal)):
        return Outcome.refused("proposalId", ErrorCode.NOT_FOUND, f"no promotion proposal {proposal_id!r} you may see")
    if proposal["status"] != ProposalStatus.PENDING.value:
        return Outcome.refused("proposalId", ErrorCode.INVALID_TRANSITION, f"this proposal is {proposal['status']}")
    if not may_decide(viewer, proposal):
        raise Forbidden(CHAIN_REFUSAL)
    errors = check_decision(decision, reason)
    if errors:
        return Outcome(errors=errors)
    step = current_step(proposal)
    assert step is not None  # pending: a step is open
    at = clock.now()
    last = step == len(proposal["steps"]) - 1
    status = {Decision.SEND_BACK: ProposalStatus.SENT_BACK, Decision.REJECT: ProposalStatus.REJECTED}.get(
        decision, ProposalStatus.APPROVED if last else ProposalStatus.PENDING)
    changes = {f"steps.{step}.decision": decision.value, f"steps.{step}.decidedById": viewer.employee_id,
               f"steps.{step}.decidedAt": at, f"steps.{step}.reason": (reason or "").strip() or None,
               "status": status.value, "open": status is ProposalStatus.PENDING}
    entry = {"kind": decision.value, "byId": viewer.employee_id, "at": at, "reason": (reason or "").strip() or None}
    store = signed_in.store
    due = status is ProposalStatus.APPROVED and date.fromisoformat(proposal["effectiveOn"]) <= clock.today()
    if due:
        applied = await apply(context, proposal, changes, entry)
        if not applied:
            return changed_meanwhile()
    elif not await growth_store.update_proposal(store, proposal_id, proposal["version"], changes, entry):
        return changed_meanwhile()
    after = await store.promotionProposals.get(proposal_id)
    await published(signed_in, after, PromotionChange.APPLIED if due else PromotionChange.DECIDED)
    return Outcome(after)


def changed_meanwhile() -> Outcome:
    return Outcome.refused("proposalId", ErrorCode.CONFLICT, "the proposal changed meanwhile: reload it and retry")


async def apply(context: Context, proposal: Document, changes: dict[str, Any], entry: Document) -> bool:
    """The last decision (``changes``) and the position change in one transaction through the org domain."""
    store = (await require(context)).store
    at = clock.now()
    applied = {**changes, "status": ProposalStatus.APPLIED.value, "open": False, "appliedOn": clock.today().isoformat(),
               "appliedAt": at}

    async def mine() -> bool:
        return await growth_store.update_proposal(store, proposal["_id"], proposal["version"], applied, entry)

    return await change_position(context, proposal["employeeId"], proposal["toPositionId"], with_step=mine,
                                 why=f"promotion:{proposal['_id']}") is not None


async def apply_due_promotions(context: Context) -> list[Document]:
    """HR admins: apply every approved promotion whose effective date has come; the proposals applied."""
    signed_in = await require(context)
    if not signed_in.viewer.is_hr_admin:
        raise Forbidden("only HR admins apply due promotions")
    done = []
    for proposal in await growth_store.proposals(signed_in.store, ProposalStatus.APPROVED.value):
        if date.fromisoformat(proposal["effectiveOn"]) > clock.today():
            continue
        entry = {"kind": PromotionChange.APPLIED.value, "byId": signed_in.viewer.employee_id, "at": clock.now(),
                 "reason": None}
        if await apply(context, proposal, {}, entry):
            after = await signed_in.store.promotionProposals.get(proposal["_id"])
            await published(signed_in, after, PromotionChange.APPLIED)
            done.append(after)
    return done


async def promotion_proposal_changed(context: Context) -> AsyncIterator[tuple[dict[str, Any], Document]]:
    """Each change of a proposal the subscriber may see (its proposer, approvers, the person's managers and
    HR admins), with the proposal after it."""
    signed_in = await require(context)

    async def events(viewer: Viewer, message: dict[str, Any]) -> AsyncIterator[tuple[dict[str, Any], Document]]:
        current = await (await require(context)).store.promotionProposals.get(message["proposalId"])
        if current is not None and await visible(context, [current]):
            yield message, current

    channel = promotions_channel(signed_in.viewer.organization_id)
    async for event in stream(context, channel, events, names=lambda m: m.get("names", ())):
        yield event
