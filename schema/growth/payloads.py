"""The growth mutations' payloads (each ``{ thing, errors }``) and the settings type."""

from __future__ import annotations

from typing import Any

import strawberry

from models.growth.candidates import DEFAULT_WEIGHTS, Factor
from models.growth.readiness import DEFAULT_STALE_AFTER_DAYS
from models.growth.rules import DEFAULT_MAX_MENTEES
from resolvers.core.outcome import Outcome
from schema.core.cost import listed
from schema.core.errors import Error, errors_of
from schema.growth.advancement import (
    FactorContribution,
    PromotionProposal,
    SuccessionPlan,
)
from schema.growth.types import (
    CareerTrack,
    DevelopmentAction,
    GrowthPlan,
    MentoringSession,
    Mentorship,
    Readiness,
)

MAX_TRACKS = 100


@strawberry.type(description="The career track saved, or why nothing was written.")
class CareerTrackPayload:
    track: CareerTrack | None = strawberry.field(description="The track as saved.")
    errors: list[Error] = strawberry.field(description="Empty when the track was saved.")


@strawberry.type(description="The growth plan after the change, or why nothing was written.")
class GrowthPlanPayload:
    plan: GrowthPlan | None = strawberry.field(description="The plan as it is after the change.")
    errors: list[Error] = strawberry.field(description="Empty when the change was made.")


@strawberry.type(description="The development action saved and its plan, or why nothing was written.")
class DevelopmentActionPayload:
    development_action: DevelopmentAction | None = strawberry.field(description="The action as saved.")
    plan: GrowthPlan | None = strawberry.field(description="The plan as it is after the change.")
    errors: list[Error] = strawberry.field(description="Empty when the action was saved.")


@strawberry.type(description="The mentorship after the change, or why nothing was written.")
class MentorshipPayload:
    mentorship: Mentorship | None = strawberry.field(description="The mentorship as it is after the change.")
    errors: list[Error] = strawberry.field(description="Empty when the change was made.")


@strawberry.type(description="The session logged, or why nothing was written.")
class MentoringSessionPayload:
    session: MentoringSession | None = strawberry.field(description="The session as logged.")
    mentorship: Mentorship | None = strawberry.field(description="Its mentorship.")
    errors: list[Error] = strawberry.field(description="Empty when the session was logged.")


@strawberry.type(description="The readiness after the assessment, or why nothing was written.")
class ReadinessPayload:
    readiness: Readiness | None = strawberry.field(description="The readiness with the new assessment.")
    errors: list[Error] = strawberry.field(description="Empty when the assessment was saved.")


@strawberry.type(description="The organisation's growth settings.")
class GrowthSettings:
    stale_after_days: int = strawberry.field(description="Evidence older than this many days is stale.")
    max_mentees_per_mentor: int = strawberry.field(description="How many active mentees one mentor may have.")
    candidate_weights: list[FactorContribution] = strawberry.field(
        description="The ranking's weights (each as a factor with its weight; value and contribution 0).",
        metadata=listed(7))


@strawberry.type(description="A potential rating after the change, or why nothing was written.")
class TalentRatingPayload:
    potential_rating: int | None = strawberry.field(description="The person's potential now (1 to 3).")
    errors: list[Error] = strawberry.field(description="Empty when the rating was saved.")


@strawberry.type(description="The growth settings after the change, or why nothing was written.")
class GrowthSettingsPayload:
    settings: GrowthSettings | None = strawberry.field(description="The settings now.")
    errors: list[Error] = strawberry.field(description="Empty when the settings were saved.")


def settings_of(doc: dict[str, Any]) -> GrowthSettings:
    weights = {**DEFAULT_WEIGHTS, **doc.get("candidateWeights", {})}
    return GrowthSettings(stale_after_days=int(doc.get("staleAfterDays", DEFAULT_STALE_AFTER_DAYS)),
                          max_mentees_per_mentor=int(doc.get("maxMenteesPerMentor", DEFAULT_MAX_MENTEES)),
                          candidate_weights=[FactorContribution(factor=f, value=0, weight=weights[f.value],
                                                                contribution=0, explanation="")
                                             for f in Factor])


@strawberry.type(description="The succession plan after the change, or why nothing was written.")
class SuccessionPlanPayload:
    plan: SuccessionPlan | None = strawberry.field(description="The plan as saved.")
    errors: list[Error] = strawberry.field(description="Empty when the plan was saved.")


@strawberry.type(description="The promotion proposal after the change, or why nothing was written.")
class PromotionProposalPayload:
    proposal: PromotionProposal | None = strawberry.field(description="The proposal after the change.")
    errors: list[Error] = strawberry.field(description="Empty when the change was made.")


@strawberry.type(description="The promotions applied, or why nothing was written.")
class AppliedPromotionsPayload:
    proposals: list[PromotionProposal] = strawberry.field(description="The proposals applied now.",
                                                          metadata=listed(MAX_TRACKS))
    errors: list[Error] = strawberry.field(description="Empty when the due promotions were applied.")


def proposal_payload(outcome: Outcome) -> PromotionProposalPayload:
    return PromotionProposalPayload(proposal=PromotionProposal.wrap(outcome.document), errors=errors_of(outcome.errors))


def plan_payload(outcome: Outcome) -> GrowthPlanPayload:
    return GrowthPlanPayload(plan=GrowthPlan.wrap(outcome.extra.get("view")), errors=errors_of(outcome.errors))


def mentorship_payload(outcome: Outcome) -> MentorshipPayload:
    return MentorshipPayload(mentorship=Mentorship.wrap(outcome.document), errors=errors_of(outcome.errors))
