"""The compensation domain's GraphQL enums, each value described. Built from the models' enums (same values), so a
stored value converts either way: ``MeritPhaseEnum(doc["phase"])``, ``member.value``."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any

import strawberry

from models.compensation.cycles import Phase, SkipReason
from models.compensation.rules import BandMatch, PayFrequency


class ProposalState(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"


def described(source: type[enum.Enum], name: str, description: str, values: Mapping[Any, str]) -> Any:
    """A GraphQL enum with ``source``'s members and values, and a description for each value."""
    missing = [m.name for m in source if m not in values]
    if missing:
        raise ValueError(f"{name}: no description for {', '.join(missing)}")
    members = [(m.name, strawberry.enum_value(m.value, description=values[m])) for m in source]
    return strawberry.enum(enum.Enum(name, members), name=name, description=description)  # type: ignore[misc]


PayFrequencyEnum = described(PayFrequency, "PayFrequency", "How often a base amount is paid (annual pay is monthly × "
                             "12, hourly × 2,080).", {
                                 PayFrequency.ANNUAL: "A yearly amount.",
                                 PayFrequency.MONTHLY: "A monthly amount (× 12 a year).",
                                 PayFrequency.HOURLY: "An hourly rate (× 2,080 hours a year)."})
MeritPhaseEnum = described(Phase, "MeritPhase", "A merit cycle's phase, in order.", {
    Phase.DRAFT: "Being set up: eligibility, currency, rates, budgets percentages.",
    Phase.LAUNCHING: "A launch under way (or stopped part-way: launching again completes it).",
    Phase.PROPOSALS: "Managers propose increases for the people below them.",
    Phase.REVIEW: "Proposals are reviewed up the chain; pay changes still update the snapshot.",
    Phase.APPROVED: "Approved and locked: snapshots, rates, matrix, budgets and proposals no longer change.",
    Phase.SHARED: "Each person sees their own statement.",
    Phase.EXPORTED: "Sent to payroll."})
MeritSkipReasonEnum = described(SkipReason, "MeritSkipReason", "Why a person takes no part in a merit cycle.", {
    SkipReason.NOT_ACTIVE: "On leave or terminated.",
    SkipReason.HIRED_AFTER_CUTOFF: "Hired on or after the eligibility cutoff.",
    SkipReason.SHORT_TENURE: "Fewer months of tenure at the cutoff than the cycle requires.",
    SkipReason.RECENT_PAY_CHANGE: "A pay change within the months before the cutoff the cycle excludes.",
    SkipReason.EXCLUDED: "Excluded by name.",
    SkipReason.NO_PAY: "No pay record in effect on the launch day."})
ProposalStateEnum = described(ProposalState, "ProposalState", "Where a proposed increase stands.", {
    ProposalState.DRAFT: "The manager edits it (counted as proposed).",
    ProposalState.SUBMITTED: "Sent up the chain for approval (counted as committed).",
    ProposalState.APPROVED: "Approved by a compensation admin."})
BandMatchEnum = described(BandMatch, "PayBandMatch", "How a person's band was found, in the lookup's order of "
                          "precedence.", {
                              BandMatch.POSITION_ZONE: "Their position's band in their zone.",
                              BandMatch.LEVEL_ZONE: "Their position level's band in their zone.",
                              BandMatch.POSITION: "Their position's band for every zone.",
                              BandMatch.LEVEL: "Their position level's band for every zone."})
