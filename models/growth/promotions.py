"""Promotion decisions: a proposal (person, target position, effective date, justification linking
evidence) goes up the approval chain (the managers above the proposer in the person's chain, at most two,
nearest first, then an HR admin); each approver approves, sends back with a reason (the proposer may then
propose again), or rejects with one. A person has at most one pending proposal.
Once approved, on its effective date, the person's position changes through the org domain. Every decision
is kept with who made it, when and why."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from models.core.errors import ErrorCode, FieldError
from models.core.validation import NAME_MAX, check_text
from models.core.viewer import Viewer, same_organization

MAX_EVIDENCE = 10
MAX_CHAIN_APPROVERS = 2
HR_STEP = "hr_admin"


class ProposalStatus(StrEnum):
    PENDING = "pending"
    SENT_BACK = "sent_back"
    REJECTED = "rejected"
    APPROVED = "approved"
    APPLIED = "applied"


class Decision(StrEnum):
    APPROVE = "approve"
    SEND_BACK = "send_back"
    REJECT = "reject"


class PromotionChange(StrEnum):
    """What a ``promotionProposalChanged`` event reports."""

    PROPOSED = "proposed"
    DECIDED = "decided"
    APPLIED = "applied"


def approvers_for(employee: Mapping[str, Any], proposer_id: str) -> list[str]:
    """The managers above the proposer in the person's chain (nearest first, at most two); for a proposer
    outside the chain (an HR admin), the person's own nearest two managers."""
    chain = list(employee.get("managerChain", []))  # root first
    above = chain[:chain.index(proposer_id)] if proposer_id in chain else chain
    return list(reversed(above))[:MAX_CHAIN_APPROVERS]


def steps_for(approver_ids: Sequence[str]) -> list[dict[str, Any]]:
    return [*({"approverId": a, "decision": None} for a in approver_ids), {"approverId": HR_STEP, "decision": None}]


def current_step(proposal: Mapping[str, Any]) -> int | None:
    """The index of the first step not decided yet (``None``: all decided)."""
    return next((i for i, s in enumerate(proposal["steps"]) if s["decision"] is None), None)


def may_decide(viewer: Viewer, proposal: Mapping[str, Any]) -> bool:
    """The approver of the current step: the manager named, or any HR admin for the HR step (never the
    person being promoted)."""
    i = current_step(proposal)
    if i is None or not same_organization(viewer, proposal) or viewer.employee_id == proposal["employeeId"]:
        return False
    approver = proposal["steps"][i]["approverId"]
    return viewer.is_hr_admin if approver == HR_STEP else viewer.employee_id == approver


def can_propose(viewer: Viewer, employee: Mapping[str, Any]) -> bool:
    """The person's managers and HR admins (never the person themselves)."""
    return same_organization(viewer, employee) and employee["_id"] != viewer.employee_id and (
        viewer.is_hr_admin or viewer.employee_id in employee.get("managerChain", []))


def can_see_proposal(viewer: Viewer, proposal: Mapping[str, Any], employee: Mapping[str, Any]) -> bool:
    """HR admins, the proposer, its approvers and the person's management chain; not the person (a
    promotion is theirs to hear once decided: their position changes when it is applied)."""
    if not same_organization(viewer, proposal):
        return False
    return (viewer.is_hr_admin or viewer.employee_id == proposal["proposedById"]
            or any(s["approverId"] == viewer.employee_id for s in proposal["steps"])
            or viewer.employee_id in employee.get("managerChain", []))


def check_proposal(employee: Mapping[str, Any], position: Mapping[str, Any] | None,
                   current: Mapping[str, Any] | None, effective_on: date, justification: str | None,
                   evidence: Sequence[str], today: date) -> list[FieldError]:
    errors: list[FieldError] = []
    if position is not None:
        if position["_id"] == employee.get("positionId"):
            errors.append(FieldError("positionId", ErrorCode.INVALID, "this is the person's current position"))
        elif current is not None and position.get("level", 0) <= current.get("level", 0):
            errors.append(FieldError("positionId", ErrorCode.INVALID,
                                     "a promotion is to a position of a higher level than the current one"))
    if not (today - timedelta(days=90)) <= effective_on <= today + timedelta(days=365):
        errors.append(FieldError("effectiveOn", ErrorCode.INVALID,
                                 "effectiveOn lies between 90 days ago and a year from now"))
    if justification is None or not justification.strip():
        errors.append(FieldError("justification", ErrorCode.REQUIRED, "a promotion needs a justification"))
    errors += check_text(justification, "justification")
    if len(evidence) > MAX_EVIDENCE:
        errors.append(FieldError("evidence", ErrorCode.INVALID, f"at most {MAX_EVIDENCE} pieces of evidence"))
    elif any(not e.strip() or len(e) > NAME_MAX for e in evidence):
        errors.append(FieldError("evidence", ErrorCode.INVALID,
                                 f"each piece of evidence is a source of 1 to {NAME_MAX} characters"))
    return errors


def check_decision(decision: Decision, reason: str | None) -> list[FieldError]:
    errors = check_text(reason, "reason")
    if decision is not Decision.APPROVE and (reason is None or not reason.strip()):
        errors.append(FieldError("reason", ErrorCode.REQUIRED, "sending back or rejecting needs a reason"))
    return errors
