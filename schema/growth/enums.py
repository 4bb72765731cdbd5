"""The growth domain's GraphQL enums, each value described (the model enums stay free of GraphQL)."""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from typing import Any

import strawberry

from models.growth.candidates import Factor
from models.growth.promotions import Decision, PromotionChange, ProposalStatus
from models.growth.readiness import EvidenceKind, ReadinessLevel
from models.growth.rules import ActionKind, ActionStatus, GrowthPlanChange, Horizon, MentorshipStatus, TrackKind
from models.growth.succession import SuccessionChange, SuccessorStatus
from models.growth.talent import Band


def described(enum: type[Enum], name: str, description: str, values: Mapping[Enum, str]) -> Any:
    """``strawberry.enum`` with a description on every value (a value left out fails at import)."""
    if set(values) != set(enum):
        raise ValueError(f"{name}: describe every value ({sorted(str(v) for v in set(enum) - set(values))})")
    wrapped = strawberry.enum(enum, name=name, description=description)
    for value in wrapped.__strawberry_definition__.values:
        value.description = values[enum[value.name]]
    return wrapped


TrackKindEnum = described(TrackKind, "CareerTrackKind", "Which ladder a career track climbs.", {
    TrackKind.INDIVIDUAL_CONTRIBUTOR: "Individual-contributor rungs: growing in craft without managing people.",
    TrackKind.MANAGER: "Manager rungs: leading people and teams."})
HorizonEnum = described(Horizon, "GrowthHorizon", "When the person hopes to reach a target position.", {
    Horizon.WITHIN_A_YEAR: "Within the coming year.",
    Horizon.ONE_TO_TWO_YEARS: "In one to two years.",
    Horizon.THREE_PLUS_YEARS: "In three years or more."})
ActionKindEnum = described(ActionKind, "DevelopmentActionKind", "What kind of development.", {
    ActionKind.LEARNING: "A course, reading or certification.",
    ActionKind.STRETCH_ASSIGNMENT: "Work beyond the current role, to grow into the target.",
    ActionKind.MENTORING: "Being mentored (or mentoring) on the way to the target.",
    ActionKind.PROJECT: "A project that builds the competencies the target needs."})
ActionStatusEnum = described(ActionStatus, "DevelopmentActionStatus", "Where a development action stands.", {
    ActionStatus.PLANNED: "Not started yet.",
    ActionStatus.IN_PROGRESS: "Under way.",
    ActionStatus.DONE: "Completed: counts toward the plan's progress.",
    ActionStatus.DROPPED: "Given up: left out of the plan's progress."})
MentorshipStatusEnum = described(MentorshipStatus, "MentorshipStatus", "Whether a mentorship is running.", {
    MentorshipStatus.ACTIVE: "Running: the pair logs sessions; it takes one of the mentor's places.",
    MentorshipStatus.ENDED: "Ended: kept with its sessions, no longer counted against the mentor."})
GrowthPlanChangeKind = described(GrowthPlanChange, "GrowthPlanChangeKind", "What changed in a growth plan.", {
    GrowthPlanChange.TARGETS_SET: "The target positions (or the sharing with mentors) were replaced.",
    GrowthPlanChange.ACTION_SAVED: "A development action was added or changed.",
    GrowthPlanChange.MENTORSHIP_CHANGED: "A mentorship of the person started or ended."})
ReadinessLevelEnum = described(ReadinessLevel, "ReadinessLevel",
                               "The readiness scale: ready now, in 1–2 years, in 3+ years.", {
    ReadinessLevel.READY_NOW: "Could take the position now.",
    ReadinessLevel.READY_IN_1_2_YEARS: "Ready in one to two years.",
    ReadinessLevel.READY_IN_3_PLUS_YEARS: "Ready in three years or more."})
EvidenceKindEnum = described(EvidenceKind, "ReadinessEvidenceKind", "What a piece of readiness evidence is.", {
    EvidenceKind.COMPETENCY_GAPS: "The target's expected levels against those of the last shared review.",
    EvidenceKind.RATING: "The final (calibrated) rating of the last shared review.",
    EvidenceKind.TENURE_IN_ROLE: "How long the person has held their current position.",
    EvidenceKind.TIME_SINCE_PROMOTION: "How long since the person's last promotion.",
    EvidenceKind.GOAL_ACHIEVEMENT: "How far the person's goals (those you may see) got.",
    EvidenceKind.MANAGER_ASSESSMENT: "A manager's or HR admin's assessment on the readiness scale."})
SuccessorStatusEnum = described(SuccessorStatus, "SuccessorStatus", "Whether a successor is proposed or confirmed.", {
    SuccessorStatus.PROPOSED: "Named, not yet agreed.",
    SuccessorStatus.CONFIRMED: "Agreed by those who own the plan."})
SuccessionChangeKind = described(SuccessionChange, "SuccessionChangeKind", "What changed in a succession plan.", {
    SuccessionChange.PLAN_SAVED: "The plan's successors were saved.",
    SuccessionChange.READINESS_CHANGED: "A successor's readiness for the position was assessed.",
    SuccessionChange.SUCCESSOR_MOVED: "A successor's position or department changed (a promotion included).",
    SuccessionChange.SUCCESSOR_LEFT: "A successor is leaving or has left: their slot no longer counts.",
    SuccessionChange.REVIEW_RESULT_CHANGED: "A review of a successor was shared: new evidence of readiness.",
    SuccessionChange.EMPLOYMENT_CHANGED: "A successor's employment status changed (on leave, back at work)."})
ProposalStatusEnum = described(ProposalStatus, "PromotionProposalStatus", "Where a promotion proposal stands.", {
    ProposalStatus.PENDING: "Waiting for the current step's approver.",
    ProposalStatus.SENT_BACK: "Sent back with a reason: closed, may be proposed again.",
    ProposalStatus.REJECTED: "Rejected with a reason.",
    ProposalStatus.APPROVED: "Approved by every step; applied on its effective date.",
    ProposalStatus.APPLIED: "Applied: the person holds the new position."})
DecisionEnum = described(Decision, "PromotionDecision", "What an approver decides.", {
    Decision.APPROVE: "Approve: the next step decides, or the proposal is approved.",
    Decision.SEND_BACK: "Send back to the proposer, with a reason.",
    Decision.REJECT: "Reject, with a reason."})
PromotionChangeKind = described(PromotionChange, "PromotionChangeKind", "What happened to a promotion proposal.", {
    PromotionChange.PROPOSED: "It was proposed.",
    PromotionChange.DECIDED: "An approver decided a step.",
    PromotionChange.APPLIED: "The promotion was applied: the position changed."})
FactorEnum = described(Factor, "CandidateFactor", "A factor of the candidate ranking.", {
    Factor.COMPETENCY_FIT: "The position's expected levels met by the last shared review.",
    Factor.PERFORMANCE: "The final (calibrated) rating of the last shared review, out of 5.",
    Factor.POTENTIAL: "The potential rating, out of 3.",
    Factor.READINESS: "A fresh readiness assessment for this position.",
    Factor.ASPIRATION: "The growth plan targets this position (or another rung of its track).",
    Factor.MOBILITY: "In the position's department, or willing to change department.",
    Factor.TENURE: "Time in the current role, up to three years."})
BandEnum = described(Band, "TalentBand", "Low, moderate or high.", {
    Band.LOW: "The lowest third: performance rated 1–2, or potential 1.",
    Band.MODERATE: "The middle: performance rated 3, or potential 2.",
    Band.HIGH: "The highest third: performance rated 4–5, or potential 3."})
