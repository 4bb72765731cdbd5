"""Growth queries, mutations and the live ``growthPlanChanged`` subscription."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import date
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from models.growth.candidates import DEFAULT_WEIGHTS, Factor
from models.growth.promotions import Decision, ProposalStatus
from models.growth.readiness import DEFAULT_STALE_AFTER_DAYS, ReadinessLevel
from models.growth.rules import ActionKind, ActionStatus, TrackKind
from resolvers.core.context import Context
from resolvers.core.outcome import Outcome
from resolvers.growth import candidates as growth_candidates
from resolvers.growth import mentorships as growth_mentorships
from resolvers.growth import plans as growth_plans
from resolvers.growth import promotions as growth_promotions
from resolvers.growth import readiness as growth_readiness
from resolvers.growth import subscriptions as growth_subscriptions
from resolvers.growth import succession as growth_succession
from resolvers.growth import talent as growth_talent
from resolvers.growth import tracks as growth_tracks
from schema.core.cost import listed
from schema.core.errors import Error, errors_of
from schema.growth.inputs import CandidateWeightsInput, DevelopmentActionInput, GrowthTargetInput, SuccessorInput
from schema.growth.types import (
    CareerTrack,
    DecisionEnum,
    DevelopmentAction,
    FactorContribution,
    GrowthPlan,
    GrowthPlanChangeKind,
    GrowthPlanEvent,
    MentoringSession,
    Mentorship,
    PositionCandidate,
    PromotionChangeKind,
    PromotionEvent,
    PromotionProposal,
    ProposalStatusEnum,
    Readiness,
    ReadinessLevelEnum,
    SuccessionChangeKind,
    SuccessionEvent,
    SuccessionPlan,
    TalentGrid,
    TrackKindEnum,
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


@strawberry.type
class GrowthQuery:
    @strawberry.field(description="The organisation's career tracks, by name: everyone in it reads them.",
                      metadata=listed(MAX_TRACKS))
    async def career_tracks(
        self, info: Info[Context, Any],
        kind: Annotated[TrackKindEnum | None, strawberry.argument(description="Only tracks of this kind.")] = None,
        department_id: Annotated[strawberry.ID | None, strawberry.argument(description=(
            "Only tracks of this department (and those shared across departments)."))] = None,
    ) -> list[CareerTrack] | None:
        docs = await growth_tracks.career_tracks(info.context, TrackKind(kind) if kind else None, department_id)
        return [t for d in docs[:MAX_TRACKS] if (t := CareerTrack.wrap(d)) is not None]

    @strawberry.field(description="A person's growth plan (empty before anything was written): the person, "
                                  "their managers, HR admins and mentors it is shared with.")
    async def growth_plan(
        self, info: Info[Context, Any],
        employee_id: Annotated[strawberry.ID, strawberry.argument(description="The person whose plan to read.")],
    ) -> GrowthPlan | None:
        return GrowthPlan.wrap(await growth_plans.growth_plan(info.context, employee_id))

    @strawberry.field(description="A person's readiness for a position, with its evidence: the person, their "
                                  "managers and HR admins.")
    async def readiness(
        self, info: Info[Context, Any],
        employee_id: Annotated[strawberry.ID, strawberry.argument(description="The person assessed.")],
        position_id: Annotated[strawberry.ID, strawberry.argument(description=(
            "The position they are assessed for."))],
    ) -> Readiness | None:
        return Readiness(view=await growth_readiness.readiness_for(info.context, employee_id, position_id))

    @strawberry.field(description="A key position's succession plan: HR admins and the management chain above it.")
    async def succession_plan(
        self, info: Info[Context, Any],
        position_id: Annotated[strawberry.ID, strawberry.argument(description="The key position.")],
    ) -> SuccessionPlan | None:
        return SuccessionPlan(view=await growth_succession.succession_plan(info.context, position_id))

    @strawberry.field(description="Key positions (with a succession plan) you may see with no successor ready now.",
                      metadata=listed(MAX_TRACKS))
    async def succession_risks(self, info: Info[Context, Any]) -> list[SuccessionPlan] | None:
        return [SuccessionPlan(view=v) for v in (await growth_succession.succession_risks(info.context))[:MAX_TRACKS]]

    @strawberry.field(description="Promotion proposals you may see (HR admins, proposers, approvers, the person's "
                                  "managers), newest first.", metadata=listed(MAX_TRACKS))
    async def promotion_proposals(
        self, info: Info[Context, Any],
        status: Annotated[ProposalStatusEnum | None, strawberry.argument(description=(
            "Only proposals with this status."))] = None,
    ) -> list[PromotionProposal] | None:
        docs = await growth_promotions.promotion_proposals(info.context, ProposalStatus(status) if status else None)
        return [p for d in docs[:MAX_TRACKS] if (p := PromotionProposal.wrap(d)) is not None]

    @strawberry.field(description="The people of the organisation ranked for a position (incumbents left out), each "
                                  "factor's contribution explained: HR admins (everyone) and the chain above the "
                                  "position (the people below them). Never uses protected characteristics.",
                      metadata=listed(100))
    async def position_candidates(
        self, info: Info[Context, Any],
        position_id: Annotated[strawberry.ID, strawberry.argument(description=(
            "The position to rank candidates for."))],
        department_id: Annotated[strawberry.ID | None, strawberry.argument(description=(
            "Only candidates from this department."))] = None,
        first: int = 20,
    ) -> list[PositionCandidate] | None:
        found = await growth_candidates.position_candidates(info.context, position_id, department_id, first)
        return [PositionCandidate(ranked=r) for r in found]

    @strawberry.field(description="The 9-box grid of a review cycle (optionally one department), with counts and "
                                  "movement since the previous cycle: HR admins and managers (people below them).")
    async def talent_grid(
        self, info: Info[Context, Any],
        cycle_id: Annotated[strawberry.ID, strawberry.argument(description=(
            "The review cycle whose ratings make the performance axis."))],
        department_id: Annotated[strawberry.ID | None, strawberry.argument(description=(
            "Only people of this department."))] = None,
    ) -> TalentGrid | None:
        return TalentGrid(grid=await growth_talent.talent_grid(info.context, cycle_id, department_id))


@strawberry.type
class GrowthMutation:
    @strawberry.mutation(description="HR admins: a new career track (no `id`) or a new version of one.")
    async def save_career_track(
        self, info: Info[Context, Any],
        name: Annotated[str, strawberry.argument(description="The track's name, 1 to 200 characters.")],
        kind: Annotated[TrackKindEnum, strawberry.argument(description="Which ladder it is.")],
        position_ids: Annotated[list[strawberry.ID], strawberry.argument(description=(
            "Its positions from the first rung up."))],
        id: Annotated[strawberry.ID | None, strawberry.argument(description=(
            "The track to give a new version; omitted, a new track."))] = None,
        department_id: Annotated[strawberry.ID | None, strawberry.argument(description=(
            "Its department; omitted, shared across departments."))] = None,
    ) -> CareerTrackPayload:
        outcome = await growth_tracks.save_career_track(info.context, id, name, TrackKind(kind), department_id,
                                                        list(position_ids))
        return CareerTrackPayload(track=CareerTrack.wrap(outcome.document), errors=errors_of(outcome.errors))

    @strawberry.mutation(description="The person (or an HR admin): replace the plan's target positions, and "
                                     "optionally whether mentors may read the plan.")
    async def set_growth_targets(
        self, info: Info[Context, Any],
        employee_id: Annotated[strawberry.ID, strawberry.argument(description="The person whose plan it is.")],
        targets: Annotated[list[GrowthTargetInput], strawberry.argument(description=(
            "The whole new list of target positions (replacing the old one)."))],
        share_with_mentors: Annotated[bool | None, strawberry.argument(description=(
            "Whether the person's mentors may read the plan; omitted, unchanged."))] = None,
    ) -> GrowthPlanPayload:
        data = [{"positionId": t.position_id, "aspiration": t.aspiration, "horizon": t.horizon,
                 "willingToRelocate": t.willing_to_relocate,
                 "willingToChangeDepartment": t.willing_to_change_department} for t in targets]
        return plan_payload(await growth_plans.set_growth_targets(info.context, employee_id, data,
                                                                  share_with_mentors))

    @strawberry.mutation(description="Add a development action to a person's plan, or change one.")
    async def save_development_action(
        self, info: Info[Context, Any],
        employee_id: Annotated[strawberry.ID, strawberry.argument(description="The person whose plan it is.")],
        action: Annotated[DevelopmentActionInput, strawberry.argument(description=(
            "The action (with its id to change an existing one)."))],
    ) -> DevelopmentActionPayload:
        data = growth_plans.ActionInput(
            action_id=action.action_id, kind=ActionKind(action.kind), title=action.title, owner_id=action.owner_id,
            due_on=action.due_on, status=ActionStatus(action.status), notes=action.notes,
            competency_id=action.competency_id, goal_id=action.goal_id)
        outcome = await growth_plans.save_development_action(info.context, employee_id, data)
        return DevelopmentActionPayload(development_action=DevelopmentAction.wrap(outcome.extra.get("action")),
                                        plan=GrowthPlan.wrap(outcome.extra.get("view")),
                                        errors=errors_of(outcome.errors))

    @strawberry.mutation(description="The mentee, their managers or an HR admin: a mentor from outside the "
                                     "mentee's reporting line, within the mentor's capacity.")
    async def start_mentorship(
        self, info: Info[Context, Any],
        mentor_id: Annotated[strawberry.ID, strawberry.argument(description=(
            "The mentor, someone outside the mentee's management chain."))],
        mentee_id: Annotated[strawberry.ID, strawberry.argument(description="The person to be mentored.")],
        goals: Annotated[str | None, strawberry.argument(description=(
            "What the mentorship is for (at most 5,000 characters)."))] = None,
        starts_on: Annotated[date | None, strawberry.argument(description="Its first day; omitted, today.")] = None,
        ends_on: Annotated[date | None, strawberry.argument(description=(
            "Its planned last day; omitted, open-ended."))] = None,
    ) -> MentorshipPayload:
        return mentorship_payload(await growth_mentorships.start_mentorship(info.context, mentor_id, mentee_id,
                                                                            goals, starts_on, ends_on))

    @strawberry.mutation(description="The pair, the mentee's managers or an HR admin: end a mentorship.")
    async def end_mentorship(
        self, info: Info[Context, Any],
        mentorship_id: Annotated[strawberry.ID, strawberry.argument(description="The mentorship to end.")],
        ends_on: Annotated[date | None, strawberry.argument(description="Its last day; omitted, today.")] = None,
    ) -> MentorshipPayload:
        return mentorship_payload(await growth_mentorships.end_mentorship(info.context, mentorship_id, ends_on))

    @strawberry.mutation(description="The mentor or the mentee: log a session (its notes stay the pair's).")
    async def log_mentoring_session(
        self, info: Info[Context, Any],
        mentorship_id: Annotated[strawberry.ID, strawberry.argument(description="The mentorship.")],
        held_on: Annotated[date | None, strawberry.argument(description=(
            "The day it was held; omitted, today."))] = None,
        notes: Annotated[str | None, strawberry.argument(description=(
            "Notes only the mentor and the mentee will read (at most 5,000 characters)."))] = None,
    ) -> MentoringSessionPayload:
        outcome = await growth_mentorships.log_mentoring_session(info.context, mentorship_id, held_on, notes)
        return MentoringSessionPayload(session=MentoringSession.wrap(outcome.extra.get("session")),
                                       mentorship=Mentorship.wrap(outcome.document), errors=errors_of(outcome.errors))

    @strawberry.mutation(description="The person's managers or an HR admin: assess readiness for a position on "
                                     "the organisation's scale (replacing the assessment before).")
    async def assess_readiness(
        self, info: Info[Context, Any],
        employee_id: Annotated[strawberry.ID, strawberry.argument(description="The person assessed.")],
        position_id: Annotated[strawberry.ID, strawberry.argument(description=(
            "The position they are assessed for."))],
        level: Annotated[ReadinessLevelEnum, strawberry.argument(description="How ready they are.")],
        note: Annotated[str | None, strawberry.argument(description="Why (at most 5,000 characters).")] = None,
    ) -> ReadinessPayload:
        outcome = await growth_readiness.assess_readiness(info.context, employee_id, position_id,
                                                          ReadinessLevel(level), note)
        view = outcome.extra.get("view")
        return ReadinessPayload(readiness=Readiness(view=view) if view else None, errors=errors_of(outcome.errors))

    @strawberry.mutation(description="HR admins: the organisation's growth settings (only those sent change).")
    async def save_growth_settings(
        self, info: Info[Context, Any],
        stale_after_days: Annotated[int | None, strawberry.argument(description=(
            "Evidence older than this many days counts as stale."))] = None,
        candidate_weights: Annotated[CandidateWeightsInput | None, strawberry.argument(description=(
            "The weights of the candidate ranking's factors."))] = None,
    ) -> GrowthSettingsPayload:
        weights = None if candidate_weights is None else {
            f.value: w for f in Factor if (w := getattr(candidate_weights, f.value)) is not None}
        outcome = await growth_readiness.save_growth_settings(info.context, stale_after_days, weights)
        settings = outcome.extra.get("settings")
        return GrowthSettingsPayload(settings=settings_of(settings) if settings is not None else None,
                                     errors=errors_of(outcome.errors))

    @strawberry.mutation(description="HR admins and the management chain above the position: replace the "
                                     "successors (rank is their order); send the plan's version.")
    async def save_succession_plan(
        self, info: Info[Context, Any],
        position_id: Annotated[strawberry.ID, strawberry.argument(description="The key position.")],
        successors: Annotated[list[SuccessorInput], strawberry.argument(description=(
            "The whole new list of successors, in order of preference."))],
        version: Annotated[int, strawberry.argument(description=(
            "The plan's version you edited (SuccessionPlan.version, 0 for a new plan); a stale one is refused "
            "with CONFLICT."))] = 0,
    ) -> SuccessionPlanPayload:
        data = [{"employeeId": s.employee_id, "externalName": s.external_name,
                 "externalReadiness": s.external_readiness.value if s.external_readiness else None,
                 "emergency": s.emergency, "status": s.status} for s in successors]
        outcome = await growth_succession.save_succession_plan(info.context, position_id, data, version)
        view = outcome.extra.get("view")
        return SuccessionPlanPayload(plan=SuccessionPlan(view=view) if view else None, errors=errors_of(outcome.errors))

    @strawberry.mutation(description="The person's managers or an HR admin: propose a promotion to a position of "
                                     "a higher level, with its justification and evidence.")
    async def propose_promotion(
        self, info: Info[Context, Any],
        employee_id: Annotated[strawberry.ID, strawberry.argument(description="The person to promote.")],
        position_id: Annotated[strawberry.ID, strawberry.argument(description="The position to promote them to.")],
        effective_on: Annotated[date, strawberry.argument(description="The day it takes effect once approved.")],
        justification: Annotated[str, strawberry.argument(description="Why, 1 to 5,000 characters.")],
        evidence: Annotated[list[str] | None, strawberry.argument(description=(
            "Supporting points, one a line (reviews, goals, feedback)."))] = None,
    ) -> PromotionProposalPayload:
        return proposal_payload(await growth_promotions.propose_promotion(
            info.context, employee_id, position_id, effective_on, justification, list(evidence or [])))

    @strawberry.mutation(description="The approver of the current step: approve, send back or reject (with a "
                                     "reason); the last approval of a promotion due applies it.")
    async def decide_promotion(
        self, info: Info[Context, Any],
        proposal_id: Annotated[strawberry.ID, strawberry.argument(description="The proposal, pending with you.")],
        decision: Annotated[DecisionEnum, strawberry.argument(description="Your decision.")],
        reason: Annotated[str | None, strawberry.argument(description=(
            "Why (required to send back or reject)."))] = None,
    ) -> PromotionProposalPayload:
        return proposal_payload(await growth_promotions.decide_promotion(info.context, proposal_id,
                                                                         Decision(decision), reason))

    @strawberry.mutation(description="HR admins: apply every approved promotion whose effective date has come "
                                     "(run daily; the last approval applies a promotion already due).")
    async def apply_due_promotions(self, info: Info[Context, Any]) -> AppliedPromotionsPayload:
        docs = await growth_promotions.apply_due_promotions(info.context)
        return AppliedPromotionsPayload(proposals=[p for d in docs[:MAX_TRACKS] if (p := PromotionProposal.wrap(d))],
                                        errors=[])

    @strawberry.mutation(description="The person's managers or an HR admin (calibrating): rate potential, 1 (low) "
                                     "to 3 (high). The person never sees it.")
    async def rate_talent(
        self, info: Info[Context, Any],
        employee_id: Annotated[strawberry.ID, strawberry.argument(description="The person rated.")],
        potential: Annotated[int, strawberry.argument(description="Their potential, 1 (low) to 3 (high).")],
        note: Annotated[str | None, strawberry.argument(description="Why (at most 5,000 characters).")] = None,
    ) -> TalentRatingPayload:
        outcome = await growth_candidates.rate_talent(info.context, employee_id, potential, note)
        rating = outcome.extra.get("rating")
        return TalentRatingPayload(potential_rating=rating["potential"] if rating else None,
                                   errors=errors_of(outcome.errors))


@strawberry.type
class GrowthSubscription:
    @strawberry.subscription(description="Each change of a person's growth plan, for the plan's readers.")
    async def growth_plan_changed(
        self, info: Info[Context, Any],
        employee_id: Annotated[strawberry.ID, strawberry.argument(description=(
            "The person whose plan to follow (you must be able to read it)."))],
    ) -> AsyncGenerator[GrowthPlanEvent, None]:
        async for message, view in growth_subscriptions.growth_plan_changed(info.context, employee_id):
            yield GrowthPlanEvent(message=message, kind=GrowthPlanChangeKind(message["kind"]),
                                  plan=GrowthPlan(view=view))

    @strawberry.subscription(description="Each change of a position's succession plan (saved, a successor's "
                                         "readiness), with bench strength: for those who may see the plan.")
    async def succession_changed(
        self, info: Info[Context, Any],
        position_id: Annotated[strawberry.ID, strawberry.argument(description=(
            "The key position whose plan to follow."))],
    ) -> AsyncGenerator[SuccessionEvent, None]:
        async for message, view in growth_succession.succession_changed(info.context, position_id):
            yield SuccessionEvent(message=message, kind=SuccessionChangeKind(message["kind"]),
                                  plan=SuccessionPlan(view=view))

    @strawberry.subscription(description="Each change of a promotion proposal you may see (proposer, approvers, "
                                         "the person's managers, HR admins).")
    async def promotion_proposal_changed(self, info: Info[Context, Any]) -> AsyncGenerator[PromotionEvent, None]:
        async for message, doc in growth_promotions.promotion_proposal_changed(info.context):
            yield PromotionEvent(kind=PromotionChangeKind(message["kind"]),
                                 proposal=PromotionProposal.wrap(doc))  # type: ignore[arg-type]
