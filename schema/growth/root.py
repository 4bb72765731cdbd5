"""Growth queries, mutations and the live ``growthPlanChanged`` subscription."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import date
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from models.growth.candidates import Factor
from models.growth.promotions import Decision, ProposalStatus
from models.growth.readiness import ReadinessLevel
from models.growth.rules import ActionKind, ActionStatus, TrackKind
from resolvers.core.context import Context
from resolvers.growth import candidates as growth_candidates
from resolvers.growth import mentorships as growth_mentorships
from resolvers.growth import plans as growth_plans
from resolvers.growth import promotions as growth_promotions
from resolvers.growth import readiness as growth_readiness
from resolvers.growth import subscriptions as growth_subscriptions
from resolvers.growth import succession as growth_succession
from resolvers.growth import suggestions as growth_suggestions
from resolvers.growth import talent as growth_talent
from resolvers.growth import tracks as growth_tracks
from schema.core.cost import listed
from schema.core.errors import errors_of
from schema.growth.advancement import (
    PositionCandidate,
    PromotionEvent,
    PromotionProposal,
    SuccessionEvent,
    SuccessionPlan,
    TalentGrid,
)
from schema.growth.enums import (
    DecisionEnum,
    GrowthPlanChangeKind,
    PromotionChangeKind,
    ProposalStatusEnum,
    ReadinessLevelEnum,
    SuccessionChangeKind,
    TrackKindEnum,
)
from schema.growth.inputs import CandidateWeightsInput, DevelopmentActionInput, GrowthTargetInput, SuccessorInput
from schema.growth.payloads import (
    MAX_TRACKS,
    AppliedPromotionsPayload,
    CareerTrackPayload,
    DevelopmentActionPayload,
    GrowthPlanPayload,
    GrowthSettingsPayload,
    MentoringSessionPayload,
    MentorshipPayload,
    PromotionProposalPayload,
    ReadinessPayload,
    SuccessionPlanPayload,
    TalentRatingPayload,
    mentorship_payload,
    plan_payload,
    proposal_payload,
    settings_of,
)
from schema.growth.suggestions import SUGGESTIONS_BOUND, MentorSuggestion
from schema.growth.types import (
    CareerTrack,
    DevelopmentAction,
    GrowthPlan,
    GrowthPlanEvent,
    MentoringSession,
    Mentorship,
    Readiness,
)


def arg(description: str) -> Any:
    """An argument's description (``Annotated[type, arg("...")]``)."""
    return strawberry.argument(description=description)


@strawberry.type
class GrowthQuery:
    @strawberry.field(description="The organisation's career tracks, by name: everyone in it reads them.",
                      metadata=listed(MAX_TRACKS))
    async def career_tracks(
            self,
            info: Info[Context, Any],
            kind: Annotated[TrackKindEnum | None, arg("Only the tracks of this kind.")] = None,
            department_id: Annotated[strawberry.ID | None, arg("Only the tracks of this department family.")] = None,
    ) -> list[CareerTrack] | None:
        docs = await growth_tracks.career_tracks(info.context, TrackKind(kind) if kind else None, department_id)
        return [t for d in docs[:MAX_TRACKS] if (t := CareerTrack.wrap(d)) is not None]

    @strawberry.field(description="A person's growth plan (empty before anything was written): the person, "
                                  "their managers, HR admins and mentors it is shared with.")
    async def growth_plan(
            self,
            info: Info[Context, Any],
            employee_id: Annotated[strawberry.ID, arg("Whose plan.")],
    ) -> GrowthPlan | None:
        return GrowthPlan.wrap(await growth_plans.growth_plan(info.context, employee_id))

    @strawberry.field(description="Mentors for a person: strong (in their last shared review) where the person's "
                                  "target positions need growth, from outside the person's reporting line, with room "
                                  "for a mentee; best first, each explained. The person, their managers and HR "
                                  "admins.", metadata=listed(SUGGESTIONS_BOUND))
    async def mentorship_suggestions(
            self, info: Info[Context, Any],
            employee_id: Annotated[strawberry.ID, strawberry.argument(description="The person to be mentored.")],
            first: Annotated[int, strawberry.argument(description="How many suggestions, 1 to 20.")] = 5,
    ) -> list[MentorSuggestion] | None:
        found = await growth_suggestions.mentorship_suggestions(info.context, employee_id, first)
        return [MentorSuggestion(view=v) for v in found]

    @strawberry.field(description="A person's readiness for a position, with its evidence: the person, their "
                                  "managers and HR admins.")
    async def readiness(self, info: Info[Context, Any], employee_id: Annotated[strawberry.ID, arg("Whose readiness.")],
                        position_id: Annotated[strawberry.ID, arg("For which position.")]) -> Readiness | None:
        return Readiness(view=await growth_readiness.readiness_for(info.context, employee_id, position_id))

    @strawberry.field(description="A key position's succession plan: HR admins and the management chain above it.")
    async def succession_plan(
            self,
            info: Info[Context, Any],
            position_id: Annotated[strawberry.ID, arg("The key position.")],
    ) -> SuccessionPlan | None:
        return SuccessionPlan(view=await growth_succession.succession_plan(info.context, position_id))

    @strawberry.field(description="Key positions (with a succession plan) you may see with no successor ready now.",
                      metadata=listed(MAX_TRACKS))
    async def succession_risks(self, info: Info[Context, Any]) -> list[SuccessionPlan] | None:
        return [SuccessionPlan(view=v) for v in (await growth_succession.succession_risks(info.context))[:MAX_TRACKS]]

    @strawberry.field(description="Promotion proposals you may see (HR admins, proposers, approvers, the person's "
                                  "managers), newest first.", metadata=listed(MAX_TRACKS))
    async def promotion_proposals(
            self,
            info: Info[Context, Any],
            status: Annotated[ProposalStatusEnum | None, arg("Only the proposals in this status.")] = None,
    ) -> list[PromotionProposal] | None:
        docs = await growth_promotions.promotion_proposals(info.context, ProposalStatus(status) if status else None)
        return [p for d in docs[:MAX_TRACKS] if (p := PromotionProposal.wrap(d)) is not None]

    @strawberry.field(description="The people of the organisation ranked for a position (incumbents left out), each "
                                  "factor's contribution explained: HR admins (everyone) and the chain above the "
                                  "position (the people below them). Never uses protected characteristics.",
                      metadata=listed(100))
    async def position_candidates(
            self,
            info: Info[Context, Any],
            position_id: Annotated[strawberry.ID, arg("The position to fill (open or held).")],
            department_id: Annotated[strawberry.ID | None, arg("Only candidates of this department.")] = None,
            first: Annotated[int, arg("How many candidates, best first (1 to 100).")] = 20,
    ) -> list[PositionCandidate] | None:
        found = await growth_candidates.position_candidates(info.context, position_id, department_id, first)
        return [PositionCandidate(ranked=r) for r in found]

    @strawberry.field(description="The 9-box grid of a review cycle (optionally one department), with counts and "
                                  "movement since the previous cycle: HR admins and managers (people below them).")
    async def talent_grid(
            self,
            info: Info[Context, Any],
            cycle_id: Annotated[strawberry.ID, arg("The review cycle whose ratings place people.")],
            department_id: Annotated[strawberry.ID | None, arg("Only the people of this department.")] = None,
    ) -> TalentGrid | None:
        return TalentGrid(grid=await growth_talent.talent_grid(info.context, cycle_id, department_id))


@strawberry.type
class GrowthMutation:
    @strawberry.mutation(description="HR admins: a new career track (no `id`) or a new version of one.")
    async def save_career_track(
            self,
            info: Info[Context, Any],
            name: Annotated[str, arg("The track's name.")],
            kind: Annotated[TrackKindEnum, arg("Individual contributor or manager.")],
            position_ids: Annotated[list[strawberry.ID], arg("The rungs, lowest level first (2 to 12 positions).")],
            id: Annotated[strawberry.ID | None, arg("The track to change; omitted for a new one.")] = None,
            department_id: Annotated[strawberry.ID | None, arg("The department family it belongs to, if any.")] = None,
    ) -> CareerTrackPayload:
        outcome = await growth_tracks.save_career_track(info.context, id, name, TrackKind(kind), department_id,
                                                        list(position_ids))
        return CareerTrackPayload(track=CareerTrack.wrap(outcome.document), errors=errors_of(outcome.errors))

    @strawberry.mutation(description="The person (or an HR admin): replace the plan's target positions, and "
                                     "optionally whether mentors may read the plan.")
    async def set_growth_targets(
            self,
            info: Info[Context, Any],
            employee_id: Annotated[strawberry.ID, arg("Whose plan.")],
            targets: Annotated[list[GrowthTargetInput], arg(
                "The target positions (at most 5), replacing those before.")],
            share_with_mentors: Annotated[bool | None, arg(
                "Whether mentors may read the plan; unchanged if omitted.")] = None,
    ) -> GrowthPlanPayload:
        data = [{"positionId": t.position_id, "aspiration": t.aspiration, "horizon": t.horizon,
                 "willingToRelocate": t.willing_to_relocate,
                 "willingToChangeDepartment": t.willing_to_change_department} for t in targets]
        return plan_payload(await growth_plans.set_growth_targets(info.context, employee_id, data,
                                                                  share_with_mentors))

    @strawberry.mutation(description="Add a development action to a person's plan, or change one.")
    async def save_development_action(
            self,
            info: Info[Context, Any],
            employee_id: Annotated[strawberry.ID, arg("Whose plan.")],
            action: Annotated[DevelopmentActionInput, arg("The action (with its id to change one).")],
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
            self,
            info: Info[Context, Any],
            mentor_id: Annotated[strawberry.ID, arg("The mentor, from outside the mentee's reporting line.")],
            mentee_id: Annotated[strawberry.ID, arg("The mentee.")],
            goals: Annotated[str | None, arg("What the mentee wants from it.")] = None,
            starts_on: Annotated[date | None, arg("When it starts; today if omitted.")] = None,
            ends_on: Annotated[date | None, arg("When it is planned to end, if known.")] = None,
    ) -> MentorshipPayload:
        return mentorship_payload(await growth_mentorships.start_mentorship(info.context, mentor_id, mentee_id,
                                                                            goals, starts_on, ends_on))

    @strawberry.mutation(description="The pair, the mentee's managers or an HR admin: end a mentorship.")
    async def end_mentorship(
            self,
            info: Info[Context, Any],
            mentorship_id: Annotated[strawberry.ID, arg("The mentorship to end.")],
            ends_on: Annotated[date | None, arg("When it ended; today if omitted.")] = None,
    ) -> MentorshipPayload:
        return mentorship_payload(await growth_mentorships.end_mentorship(info.context, mentorship_id, ends_on))

    @strawberry.mutation(description="The mentor or the mentee: log a session (its notes stay the pair's).")
    async def log_mentoring_session(
            self,
            info: Info[Context, Any],
            mentorship_id: Annotated[strawberry.ID, arg("The active mentorship.")],
            held_on: Annotated[date | None, arg("When the session took place; today if omitted.")] = None,
            notes: Annotated[str | None, arg("Notes, private to the mentor and the mentee.")] = None,
    ) -> MentoringSessionPayload:
        outcome = await growth_mentorships.log_mentoring_session(info.context, mentorship_id, held_on, notes)
        return MentoringSessionPayload(session=MentoringSession.wrap(outcome.extra.get("session")),
                                       mentorship=Mentorship.wrap(outcome.document), errors=errors_of(outcome.errors))

    @strawberry.mutation(description="The person's managers or an HR admin: assess readiness for a position on "
                                     "the organisation's scale (replacing the assessment before).")
    async def assess_readiness(
            self,
            info: Info[Context, Any],
            employee_id: Annotated[strawberry.ID, arg("Whose readiness.")],
            position_id: Annotated[strawberry.ID, arg("For which position (not the person's own).")],
            level: Annotated[ReadinessLevelEnum, arg("The assessment on the readiness scale.")],
            note: Annotated[str | None, arg("Why, in the assessor's words.")] = None,
    ) -> ReadinessPayload:
        outcome = await growth_readiness.assess_readiness(info.context, employee_id, position_id,
                                                          ReadinessLevel(level), note)
        view = outcome.extra.get("view")
        return ReadinessPayload(readiness=Readiness(view=view) if view else None, errors=errors_of(outcome.errors))

    @strawberry.mutation(description="HR admins: the organisation's growth settings (only those sent change).")
    async def save_growth_settings(
            self,
            info: Info[Context, Any],
            stale_after_days: Annotated[int | None, arg(
                "Evidence older than this many days is stale (1 to 3650).")] = None,
            candidate_weights: Annotated[CandidateWeightsInput | None, arg(
                "The ranking's weights (only those sent change).")] = None,
            max_mentees_per_mentor: Annotated[int | None, strawberry.argument(
                                       description="How many active mentees one mentor may have, 1 to 20.")] = None,
    ) -> GrowthSettingsPayload:
        weights = None if candidate_weights is None else {
            f.value: w for f in Factor if (w := getattr(candidate_weights, f.value)) is not None}
        outcome = await growth_readiness.save_growth_settings(info.context, stale_after_days, weights,
                                                              max_mentees_per_mentor)
        settings = outcome.extra.get("settings")
        return GrowthSettingsPayload(settings=settings_of(settings) if settings is not None else None,
                                     errors=errors_of(outcome.errors))

    @strawberry.mutation(description="HR admins and the management chain above the position: replace the "
                                     "successors (rank is their order); send the plan's version.")
    async def save_succession_plan(
            self,
            info: Info[Context, Any],
            position_id: Annotated[strawberry.ID, arg("The key position.")],
            successors: Annotated[list[SuccessorInput], arg(
                "The successors in rank order (at most 10), replacing those before.")],
            version: Annotated[int, arg("The plan's version read (0 for a new plan); a stale one is a CONFLICT.")] = 0,
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
            self,
            info: Info[Context, Any],
            employee_id: Annotated[strawberry.ID, arg("The person proposed.")],
            position_id: Annotated[strawberry.ID, arg("The position of a higher level proposed.")],
            effective_on: Annotated[date, arg("When the position changes.")],
            justification: Annotated[str, arg("Why, in the proposer's words.")],
            evidence: Annotated[list[str] | None, arg("Sources it rests on (review:<id>, assessment:<id>, …).")] = None,
    ) -> PromotionProposalPayload:
        return proposal_payload(await growth_promotions.propose_promotion(
            info.context, employee_id, position_id, effective_on, justification, list(evidence or [])))

    @strawberry.mutation(description="The approver of the current step: approve, send back or reject (with a "
                                     "reason); the last approval of a promotion due applies it.")
    async def decide_promotion(
            self,
            info: Info[Context, Any],
            proposal_id: Annotated[strawberry.ID, arg("The proposal.")],
            decision: Annotated[DecisionEnum, arg("Approve, send back or reject.")],
            reason: Annotated[str | None, arg("Why; required to send back or reject.")] = None,
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
            self,
            info: Info[Context, Any],
            employee_id: Annotated[strawberry.ID, arg("Whose potential.")],
            potential: Annotated[int, arg("1 (low), 2 (moderate) or 3 (high).")],
            note: Annotated[str | None, arg("Why, in the rater's words.")] = None,
    ) -> TalentRatingPayload:
        outcome = await growth_candidates.rate_talent(info.context, employee_id, potential, note)
        rating = outcome.extra.get("rating")
        return TalentRatingPayload(potential_rating=rating["potential"] if rating else None,
                                   errors=errors_of(outcome.errors))


@strawberry.type
class GrowthSubscription:
    @strawberry.subscription(description="Each change of a person's growth plan, for the plan's readers.")
    async def growth_plan_changed(
            self,
            info: Info[Context, Any],
            employee_id: Annotated[strawberry.ID, arg("Whose plan.")],
    ) -> AsyncGenerator[GrowthPlanEvent, None]:
        async for message, view in growth_subscriptions.growth_plan_changed(info.context, employee_id):
            yield GrowthPlanEvent(message=message, kind=GrowthPlanChangeKind(message["kind"]),
                                  plan=GrowthPlan(view=view))

    @strawberry.subscription(description="Each change of a position's succession plan (saved, a successor's "
                                         "readiness), with bench strength: for those who may see the plan.")
    async def succession_changed(
            self,
            info: Info[Context, Any],
            position_id: Annotated[strawberry.ID, arg("The key position.")],
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
