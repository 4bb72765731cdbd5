"""Growth types: career tracks, growth plans (targets and development actions) and mentorships.

A ``GrowthPlan`` is only ever built from a plan the viewer may read (``resolvers/growth/visibility.py``);
a ``Mentorship`` only from one the viewer may read, and its sessions (notes private to the pair) are
empty for anyone but the mentor and the mentee.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import strawberry
from strawberry.types import Info

from models.core.documents import Document
from models.growth.candidates import Factor
from models.growth.permissions import can_read_session_notes
from models.growth.promotions import HR_STEP, MAX_EVIDENCE, Decision, PromotionChange, ProposalStatus
from models.growth.readiness import EvidenceKind, Gap, ReadinessLevel
from models.growth.rules import (
    MAX_ACTIONS,
    MAX_SESSIONS_SHOWN,
    MAX_TARGETS,
    MAX_TRACK_STEPS,
    ActionKind,
    ActionStatus,
    GrowthPlanChange,
    Horizon,
    MentorshipStatus,
    TrackKind,
    progress,
)
from models.growth.succession import MAX_SUCCESSORS, SuccessionChange, SuccessorStatus
from models.growth.talent import Band
from resolvers.core.context import Context, require
from resolvers.core.loading import load
from resolvers.goals.access import visible_goals
from resolvers.growth.candidates import Ranked
from resolvers.growth.mentorships import readable_mentorships
from resolvers.growth.readiness import ReadinessView
from resolvers.growth.succession import SuccessionView, SuccessorView
from resolvers.growth.talent import Grid
from resolvers.growth.visibility import PlanView
from resolvers.reviews.access import competencies
from schema.core.cost import listed
from schema.core.descriptions import describe_values
from schema.goals.types import Goal
from schema.org.types import Department, DepartmentFields, Employee, EmployeeFields, Position, PositionFields
from schema.reviews.competencies import Competency

MAX_MENTORSHIPS_SHOWN = 20

TrackKindEnum = strawberry.enum(TrackKind, name="CareerTrackKind", description="Which ladder a career track climbs.")
describe_values(TrackKindEnum, {
    "INDIVIDUAL_CONTRIBUTOR": "The ladder of individual contributors (engineer, senior, staff, …).",
    "MANAGER": "The ladder of people managers.",
})
HorizonEnum = strawberry.enum(Horizon, name="GrowthHorizon",
                              description="When the person hopes to reach a target position.")
describe_values(HorizonEnum, {
    "WITHIN_A_YEAR": "Within the next twelve months.",
    "ONE_TO_TWO_YEARS": "In one to two years.",
    "THREE_PLUS_YEARS": "In three years or more.",
})
ActionKindEnum = strawberry.enum(ActionKind, name="DevelopmentActionKind", description="What kind of development.")
describe_values(ActionKindEnum, {
    "LEARNING": "A course, certification or reading.",
    "STRETCH_ASSIGNMENT": "Work beyond the current role, taken on to grow.",
    "MENTORING": "Learning from a mentor.",
    "PROJECT": "A project that builds a skill.",
})
ActionStatusEnum = strawberry.enum(ActionStatus, name="DevelopmentActionStatus",
                                   description="Where a development action stands.")
describe_values(ActionStatusEnum, {
    "PLANNED": "Not started.",
    "IN_PROGRESS": "Under way.",
    "DONE": "Completed; counts in the plan's progress.",
    "DROPPED": "Given up; left out of the plan's progress.",
})
MentorshipStatusEnum = strawberry.enum(MentorshipStatus, name="MentorshipStatus",
                                       description="Whether a mentorship is running.")
describe_values(MentorshipStatusEnum, {
    "ACTIVE": "Running.",
    "ENDED": "Over; its sessions stay with the pair.",
})
GrowthPlanChangeKind = strawberry.enum(GrowthPlanChange, name="GrowthPlanChangeKind",
                                       description="What changed in a growth plan.")
describe_values(GrowthPlanChangeKind, {
    "TARGETS_SET": "The plan's target positions were set.",
    "ACTION_SAVED": "A development action was added or changed.",
    "MENTORSHIP_CHANGED": "A mentorship of the person started or ended.",
})


def day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


async def person(info: Info[Context, Any], id: str | None) -> Employee | None:
    return EmployeeFields.wrap(await load(info.context, "employee_by_id", id))


@strawberry.type(description="One rung of a career track.")
class CareerTrackStep:
    doc: strawberry.Private[Document]
    order: int = strawberry.field(description="1 for the first rung, one more for each above it.")

    @strawberry.field(description="The position at this rung (its expected competencies are on the position).")
    async def position(self, info: Info[Context, Any]) -> Position | None:
        return PositionFields.wrap(await load(info.context, "position_by_id", self.doc["positionId"]))


@strawberry.type(description="A ladder of positions, levels in rising order: an individual-contributor or a "
                             "manager track.")
class CareerTrack:
    doc: strawberry.Private[Document]
    id: strawberry.ID
    name: str = strawberry.field(description="The track's name.")
    kind: TrackKindEnum = strawberry.field(description="Individual contributor or manager.")
    updated_at: datetime = strawberry.field(description="When the track was last saved.")

    @classmethod
    def wrap(cls, doc: Document | None) -> CareerTrack | None:
        if doc is None:
            return None
        return cls(doc=doc, id=strawberry.ID(doc["_id"]), name=doc["name"], kind=TrackKind(doc["kind"]),
                   updated_at=doc["updatedAt"])

    @strawberry.field(description="The rungs, lowest first.", metadata=listed(MAX_TRACK_STEPS))
    def steps(self) -> list[CareerTrackStep]:
        return [CareerTrackStep(doc=s, order=s["order"]) for s in self.doc["steps"]]

    @strawberry.field(description="The department family the track belongs to, if any.")
    async def department(self, info: Info[Context, Any]) -> Department | None:
        return DepartmentFields.wrap(await load(info.context, "department_by_id", self.doc.get("departmentId")))


@strawberry.type(description="A position a person aims at, with their own aspiration, horizon and mobility.")
class GrowthTarget:
    doc: strawberry.Private[Document]
    aspiration: str = strawberry.field(description="In the person's own words.")
    horizon: HorizonEnum = strawberry.field(description="When they hope to get there.")
    willing_to_relocate: bool = strawberry.field(description="Whether they would move for it.")
    willing_to_change_department: bool = strawberry.field(description="Whether they would change department.")

    @classmethod
    def of(cls, doc: Document) -> GrowthTarget:
        return cls(doc=doc, aspiration=doc["aspiration"], horizon=Horizon(doc["horizon"]),
                   willing_to_relocate=doc["willingToRelocate"],
                   willing_to_change_department=doc["willingToChangeDepartment"])

    @strawberry.field(description="The target position.")
    async def position(self, info: Info[Context, Any]) -> Position | None:
        return PositionFields.wrap(await load(info.context, "position_by_id", self.doc["positionId"]))


@strawberry.type(description="A step of a growth plan: learning, a stretch assignment, mentoring or a project.")
class DevelopmentAction:
    doc: strawberry.Private[Document]
    id: strawberry.ID
    kind: ActionKindEnum = strawberry.field(description="What kind of development.")
    title: str = strawberry.field(description="What is to be done.")
    notes: str = strawberry.field(description="Details, in the plan's readers' words.")
    status: ActionStatusEnum = strawberry.field(description="Where it stands.")
    due_on: date | None = strawberry.field(description="When it is due, if it has a date.")
    created_at: datetime = strawberry.field(description="When it was added.")
    updated_at: datetime = strawberry.field(description="When it was last changed.")

    @classmethod
    def wrap(cls, doc: Document | None) -> DevelopmentAction | None:
        if doc is None:
            return None
        return cls(doc=doc, id=strawberry.ID(doc["_id"]), kind=ActionKind(doc["kind"]), title=doc["title"],
                   notes=doc.get("notes", ""), status=ActionStatus(doc["status"]), due_on=day(doc.get("dueOn")),
                   created_at=doc["createdAt"], updated_at=doc["updatedAt"])

    @strawberry.field(description="Who carries it out: the person, one of their managers or a mentor.")
    async def owner(self, info: Info[Context, Any]) -> Employee | None:
        return await person(info, self.doc.get("ownerId"))

    @strawberry.field(description="The competency it develops, if linked.")
    async def competency(self, info: Info[Context, Any]) -> Competency | None:
        id = self.doc.get("competencyId")
        found = await competencies(info.context, [id]) if id else []
        return Competency.wrap(found[0]) if found else None

    @strawberry.field(description="The goal it serves, if linked and if you may see that goal.")
    async def goal(self, info: Info[Context, Any]) -> Goal | None:
        id = self.doc.get("goalId")
        found = await visible_goals(info.context, [id]) if id else []
        return Goal.wrap(found[0]) if found else None


@strawberry.type(description="A session the pair logged; its notes are the mentor's and the mentee's alone.")
class MentoringSession:
    doc: strawberry.Private[Document]
    id: strawberry.ID
    held_on: date = strawberry.field(description="When the session took place.")
    notes: str = strawberry.field(description="Private to the mentor and the mentee.")

    @classmethod
    def of(cls, doc: Document) -> MentoringSession:
        return cls(doc=doc, id=strawberry.ID(doc["_id"]), held_on=date.fromisoformat(doc["heldOn"]), notes=doc["notes"])

    @classmethod
    def wrap(cls, doc: Document | None) -> MentoringSession | None:
        return None if doc is None else cls.of(doc)

    @strawberry.field(description="Who logged it (the mentor or the mentee).")
    async def logged_by(self, info: Info[Context, Any]) -> Employee | None:
        return await person(info, self.doc.get("loggedById"))


@strawberry.type(description="A mentor from outside the mentee's reporting line, the mentee, their goals and "
                             "the sessions they hold.")
class Mentorship:
    doc: strawberry.Private[Document]
    id: strawberry.ID
    goals: str = strawberry.field(description="What the mentee wants from the mentorship.")
    status: MentorshipStatusEnum = strawberry.field(description="Active or ended.")
    starts_on: date = strawberry.field(description="When it started.")
    ends_on: date | None = strawberry.field(description="When it ends or ended, if set.")
    session_count: int = strawberry.field(description="How many sessions the pair logged.")

    @classmethod
    def wrap(cls, doc: Document | None) -> Mentorship | None:
        if doc is None:
            return None
        return cls(doc=doc, id=strawberry.ID(doc["_id"]), goals=doc.get("goals", ""),
                   status=MentorshipStatus(doc["status"]), starts_on=date.fromisoformat(doc["startsOn"]),
                   ends_on=day(doc.get("endsOn")), session_count=doc.get("sessionCount", 0))

    @classmethod
    def wrap_all(cls, docs: list[Document]) -> list[Mentorship]:
        return [m for d in docs if (m := cls.wrap(d)) is not None]

    @strawberry.field(description="The person who mentors.")
    async def mentor(self, info: Info[Context, Any]) -> Employee | None:
        return await person(info, self.doc["mentorId"])

    @strawberry.field(description="The person mentored.")
    async def mentee(self, info: Info[Context, Any]) -> Employee | None:
        return await person(info, self.doc["menteeId"])

    @strawberry.field(description="The latest sessions, newest first: for the pair only, empty for anyone else.",
                      metadata=listed(MAX_SESSIONS_SHOWN))
    async def sessions(self, info: Info[Context, Any]) -> list[MentoringSession]:
        signed_in = await require(info.context)
        if not can_read_session_notes(signed_in.viewer, self.doc):
            return []
        docs = await signed_in.loaders.growth.sessions_by_mentorship_id.load(self.doc["_id"])
        return [MentoringSession.of(d) for d in docs[:MAX_SESSIONS_SHOWN]]


@strawberry.type(description="A person's growth plan: target positions, development actions and progress. "
                             "The person owns it; their managers, HR admins and a mentor it is shared with "
                             "contribute.")
class GrowthPlan:
    view: strawberry.Private[PlanView]

    @classmethod
    def wrap(cls, view: PlanView | None) -> GrowthPlan | None:
        return None if view is None else cls(view=view)

    @property
    def _plan(self) -> Document:
        return self.view.plan or {}

    @strawberry.field(description="Whose plan it is.")
    def employee(self) -> Employee:
        return EmployeeFields.of(self.view.employee)  # type: ignore[return-value]

    @strawberry.field(description="The positions aimed at.", metadata=listed(MAX_TARGETS))
    def targets(self) -> list[GrowthTarget]:
        return [GrowthTarget.of(t) for t in self._plan.get("targets", [])]

    @strawberry.field(description="The development actions, in the order they were added.",
                      metadata=listed(MAX_ACTIONS))
    def actions(self) -> list[DevelopmentAction]:
        return [a for d in self._plan.get("actions", []) if (a := DevelopmentAction.wrap(d)) is not None]

    @strawberry.field(description="Done actions over the actions not dropped, from 0 to 1.")
    def progress(self) -> float:
        return progress(self._plan.get("actions", []))

    @strawberry.field(description="Whether the person's mentors may read the plan and add actions.")
    def shared_with_mentors(self) -> bool:
        return bool(self._plan.get("sharedWithMentors"))

    @strawberry.field(description="Incremented by every change; 0 before the first.")
    def version(self) -> int:
        return int(self._plan.get("version", 0))

    @strawberry.field(description="When the plan last changed; null before the first change.")
    def updated_at(self) -> datetime | None:
        return self._plan.get("updatedAt")

    @strawberry.field(description="The person's mentorships (as mentee) that you may see, oldest first.",
                      metadata=listed(MAX_MENTORSHIPS_SHOWN))
    async def mentorships(self, info: Info[Context, Any]) -> list[Mentorship]:
        loaders = (await require(info.context)).loaders.growth
        docs = await loaders.mentorships_by_mentee_id.load(self.view.employee["_id"])
        return Mentorship.wrap_all((await readable_mentorships(info.context, docs))[-MAX_MENTORSHIPS_SHOWN:])


@strawberry.type(description="A committed change of a growth plan, with the plan as it is after it.")
class GrowthPlanEvent:
    message: strawberry.Private[dict[str, Any]]
    kind: GrowthPlanChangeKind = strawberry.field(description="What changed.")
    plan: GrowthPlan = strawberry.field(description="The plan after the change.")

    @strawberry.field(description="Whose plan changed.")
    def employee_id(self) -> strawberry.ID:
        return strawberry.ID(self.message["employeeId"])

    @strawberry.field(description="Who made the change.")
    async def by(self, info: Info[Context, Any]) -> Employee | None:
        return await person(info, self.message.get("byId"))


ReadinessLevelEnum = strawberry.enum(ReadinessLevel, name="ReadinessLevel",
                                     description="The readiness scale: ready now, in 1–2 years, in 3+ years.")
describe_values(ReadinessLevelEnum, {
    "READY_NOW": "Could take the position now.",
    "READY_IN_1_2_YEARS": "Could take it within one to two years.",
    "READY_IN_3_PLUS_YEARS": "Needs three years or more.",
})
EvidenceKindEnum = strawberry.enum(EvidenceKind, name="ReadinessEvidenceKind",
                                   description="What a piece of readiness evidence is.")
describe_values(EvidenceKindEnum, {
    "COMPETENCY_GAPS": "The total shortfall of their competencies against the position's expected levels.",
    "RATING": "The final rating of their last shared review, out of 5.",
    "TENURE_IN_ROLE": "Days in their current position.",
    "TIME_SINCE_PROMOTION": "Days since their last promotion.",
    "GOAL_ACHIEVEMENT": "The share of their goals of the last period that are done.",
    "MANAGER_ASSESSMENT": "Their manager's assessment of readiness.",
})


@strawberry.type(description="One competency the target position expects, against the level last assessed.")
class CompetencyGap:
    gap: strawberry.Private[Gap]
    expected_level: int = strawberry.field(description="What the target position expects.")
    assessed_level: int | None = strawberry.field(description="What the last shared review assessed, if it did.")
    shortfall: int = strawberry.field(description="Levels still to grow (0 when met; 2 when never assessed).")

    @strawberry.field(description="The competency with the gap.")
    async def competency(self, info: Info[Context, Any]) -> Competency | None:
        found = await competencies(info.context, [self.gap.competency_id])
        return Competency.wrap(found[0]) if found else None


@strawberry.type(description="A piece of readiness evidence, with its source and date.")
class ReadinessEvidence:
    kind: EvidenceKindEnum = strawberry.field(description="What it is.")
    source: str = strawberry.field(description="Where it comes from: review:<id>, assessment:<id>, employee:<id>, "
                                               "goals:<employee id>.")
    on: date | None = strawberry.field(description="The date of the evidence.")
    stale: bool = strawberry.field(description="Older than the organisation's staleAfterDays: it no longer counts.")
    summary: str = strawberry.field(description="In words.")
    value: float | None = strawberry.field(description="Its number: total shortfall, rating, days, share done.")


@strawberry.type(description="A person's readiness for a position and the evidence it rests on. The level is a "
                             "fresh manager's assessment, else what fresh competency gaps give, else null.")
class Readiness:
    view: strawberry.Private[ReadinessView]

    @strawberry.field(description="The person.")
    def employee(self) -> Employee:
        return EmployeeFields.of(self.view.employee)  # type: ignore[return-value]

    @strawberry.field(description="The key position the plan is for.")
    def position(self) -> Position:
        return PositionFields.wrap(self.view.position)  # type: ignore[return-value]

    @strawberry.field(description="Ready now, in 1–2 years, in 3+ years; null without fresh evidence.")
    def level(self) -> ReadinessLevelEnum | None:
        return self.view.readiness.level

    @strawberry.field(description="The evidence the level comes from.")
    def derived_from(self) -> EvidenceKindEnum | None:
        return self.view.readiness.derived_from

    @strawberry.field(description="Per competency the position expects.", metadata=listed(50))
    def gaps(self) -> list[CompetencyGap]:
        return [CompetencyGap(gap=g, expected_level=g.expected, assessed_level=g.assessed, shortfall=g.shortfall)
                for g in self.view.readiness.gaps[:50]]

    @strawberry.field(description="Every piece of evidence, with source, date and staleness.", metadata=listed(6))
    def evidence(self) -> list[ReadinessEvidence]:
        return [ReadinessEvidence(kind=e.kind, source=e.source, on=e.on, stale=e.stale, summary=e.summary,
                                  value=e.value) for e in self.view.readiness.evidence]

    @strawberry.field(description="The manager's (or HR admin's) note with the assessment, if any.")
    def note(self) -> str | None:
        return self.view.assessment.get("note") if self.view.assessment else None

    @strawberry.field(description="Who assessed it, if someone did.")
    async def assessed_by(self, info: Info[Context, Any]) -> Employee | None:
        return await person(info, (self.view.assessment or {}).get("assessedById"))


SuccessorStatusEnum = strawberry.enum(SuccessorStatus, name="SuccessorStatus",
                                      description="Whether a successor is proposed or confirmed.")
describe_values(SuccessorStatusEnum, {
    "PROPOSED": "Named as a possible successor, not yet confirmed.",
    "CONFIRMED": "Confirmed as a successor.",
})
SuccessionChangeKind = strawberry.enum(SuccessionChange, name="SuccessionChangeKind",
                                       description="What changed in a succession plan.")
describe_values(SuccessionChangeKind, {
    "PLAN_SAVED": "The plan was saved.",
    "READINESS_CHANGED": "A successor's readiness was assessed again.",
    "SUCCESSOR_MOVED": "A successor changed position.",
    "SUCCESSOR_LEFT": "A successor left the organisation.",
})


@strawberry.type(description="How many successors (who have not left or moved) are at each readiness level.")
class BenchStrength:
    ready_now: int = strawberry.field(description="Ready now.")
    ready_in_1_2_years: int = strawberry.field(description="Ready in 1–2 years.")
    ready_in_3_plus_years: int = strawberry.field(description="Ready in 3 or more years.")
    unknown: int = strawberry.field(description="Without fresh evidence.")
    at_risk: bool = strawberry.field(description="No successor is ready now.")


@strawberry.type(description="One successor slot: a person or an external placeholder, in rank order.")
class Successor:
    view: strawberry.Private[SuccessorView]

    @strawberry.field(description="1 for the first choice.")
    def rank(self) -> int:
        return int(self.view.slot["rank"])

    @strawberry.field(description="The one to step in at once if the position falls vacant.")
    def emergency(self) -> bool:
        return bool(self.view.slot.get("emergency"))

    @strawberry.field(description="Proposed or confirmed.")
    def status(self) -> SuccessorStatusEnum:
        return SuccessorStatus(self.view.slot["status"])

    @strawberry.field(description="The person, unless the successor is an external placeholder.")
    def employee(self) -> Employee | None:
        return EmployeeFields.wrap(self.view.employee)  # type: ignore[return-value]

    @strawberry.field(description="The external placeholder's name (a hire to make).")
    def external_name(self) -> str | None:
        return self.view.slot.get("externalName")

    @strawberry.field(description="Readiness for the position now: from the evidence (people) or as stated "
                                  "(external); null when unknown, or when the person left or moved.")
    def readiness(self) -> ReadinessLevelEnum | None:
        return self.view.level

    @strawberry.field(description="The person has left the organisation: the slot is empty.")
    def left(self) -> bool:
        return self.view.left

    @strawberry.field(description="The person now holds the position.")
    def moved(self) -> bool:
        return self.view.moved


@strawberry.type(description="The succession plan of a key position: incumbents, ranked successors with live "
                             "readiness, and bench strength. HR admins and the management chain above it.")
class SuccessionPlan:
    view: strawberry.Private[SuccessionView]

    @strawberry.field(description="The key position whose plan changed (its id).")
    def position(self) -> Position:
        return PositionFields.wrap(self.view.position)  # type: ignore[return-value]

    @strawberry.field(description="Who holds the position now.", metadata=listed(50))
    def incumbents(self) -> list[Employee]:
        return EmployeeFields.wrap_all(self.view.incumbents[:50])  # type: ignore[return-value]

    @strawberry.field(description="The successors in rank order.", metadata=listed(MAX_SUCCESSORS))
    def successors(self) -> list[Successor]:
        return [Successor(view=s) for s in self.view.successors]

    @strawberry.field(description="Successors per readiness level.")
    def bench_strength(self) -> BenchStrength:
        b = self.view.bench
        return BenchStrength(ready_now=b.ready_now, ready_in_1_2_years=b.ready_in_1_2_years,
                             ready_in_3_plus_years=b.ready_in_3_plus_years, unknown=b.unknown, at_risk=b.at_risk)

    @strawberry.field(description="Send it back when saving: a stale version is a CONFLICT (0: no plan yet).")
    def version(self) -> int:
        return int((self.view.plan or {}).get("version", 0))


@strawberry.type(description="A change of a succession plan, with the plan as it is after it.")
class SuccessionEvent:
    message: strawberry.Private[dict[str, Any]]
    kind: SuccessionChangeKind = strawberry.field(description="What changed.")
    plan: SuccessionPlan = strawberry.field(description="The plan after the change.")

    @strawberry.field(description="The position the readiness is for.")
    def position_id(self) -> strawberry.ID:
        return strawberry.ID(self.message["positionId"])

    @strawberry.field(description="The successor concerned, if one is.")
    def employee_id(self) -> strawberry.ID | None:
        id = self.message.get("employeeId")
        return strawberry.ID(id) if id else None


ProposalStatusEnum = strawberry.enum(ProposalStatus, name="PromotionProposalStatus",
                                     description="Where a promotion proposal stands.")
describe_values(ProposalStatusEnum, {
    "PENDING": "Waiting for the approver of its current step.",
    "SENT_BACK": "Returned to the proposer for changes.",
    "REJECTED": "Refused; final.",
    "APPROVED": "Approved by every step; applied on its effective date.",
    "APPLIED": "Applied: the person holds the new position.",
})
DecisionEnum = strawberry.enum(Decision, name="PromotionDecision", description="What an approver decides.")
describe_values(DecisionEnum, {
    "APPROVE": "Approve this step (the next approver decides next, or it is approved).",
    "SEND_BACK": "Return it to the proposer for changes.",
    "REJECT": "Refuse it; final.",
})
PromotionChangeKind = strawberry.enum(PromotionChange, name="PromotionChangeKind",
                                      description="What happened to a promotion proposal.")
describe_values(PromotionChangeKind, {
    "PROPOSED": "A proposal was made (or made again after being sent back).",
    "DECIDED": "An approver decided a step.",
    "APPLIED": "The promotion was applied.",
})


@strawberry.type(description="One step of the approval chain: a manager, or any HR admin.")
class ApprovalStep:
    doc: strawberry.Private[Document]

    @strawberry.field(description="True for the HR step (any HR admin decides it).")
    def hr_step(self) -> bool:
        return self.doc["approverId"] == HR_STEP

    @strawberry.field(description="The manager who decides this step (null for the HR step).")
    async def approver(self, info: Info[Context, Any]) -> Employee | None:
        return None if self.doc["approverId"] == HR_STEP else await person(info, self.doc["approverId"])

    @strawberry.field(description="The decision, once made.")
    def decision(self) -> DecisionEnum | None:
        return Decision(self.doc["decision"]) if self.doc.get("decision") else None

    @strawberry.field(description="Who decided.")
    async def decided_by(self, info: Info[Context, Any]) -> Employee | None:
        return await person(info, self.doc.get("decidedById"))

    @strawberry.field(description="When.")
    def decided_at(self) -> datetime | None:
        return self.doc.get("decidedAt")

    @strawberry.field(description="Why (required to send back or reject).")
    def reason(self) -> str | None:
        return self.doc.get("reason")


@strawberry.type(description="Something that happened to a proposal: who, when and why.")
class PromotionHistoryEntry:
    doc: strawberry.Private[Document]

    @strawberry.field(description="proposed, approve, send_back, reject or applied.")
    def kind(self) -> str:
        return str(self.doc["kind"])

    @strawberry.field(description="Who.")
    async def by(self, info: Info[Context, Any]) -> Employee | None:
        return await person(info, self.doc.get("byId"))

    @strawberry.field(description="When.")
    def at(self) -> datetime:
        return self.doc["at"]

    @strawberry.field(description="Why, if a reason was given.")
    def reason(self) -> str | None:
        return self.doc.get("reason")


@strawberry.type(description="A proposal to promote someone, its approval chain and its history. HR admins, the "
                             "proposer, the approvers and the person's managers see it.")
class PromotionProposal:
    doc: strawberry.Private[Document]
    id: strawberry.ID
    status: ProposalStatusEnum = strawberry.field(description="Pending, sent back, rejected, approved or applied.")
    effective_on: date = strawberry.field(description="When the position changes.")
    justification: str = strawberry.field(description="Why, in the proposer's words.")
    evidence: list[str] = strawberry.field(description="Sources it rests on (review:<id>, assessment:<id>, …).",
                                           metadata=listed(MAX_EVIDENCE))
    created_at: datetime = strawberry.field(description="When it was proposed.")
    applied_on: date | None = strawberry.field(description="When the position changed, once applied.")

    @classmethod
    def wrap(cls, doc: Document | None) -> PromotionProposal | None:
        if doc is None:
            return None
        return cls(doc=doc, id=strawberry.ID(doc["_id"]), status=ProposalStatus(doc["status"]),
                   effective_on=date.fromisoformat(doc["effectiveOn"]), justification=doc["justification"],
                   evidence=list(doc.get("evidence", [])), created_at=doc["createdAt"],
                   applied_on=day(doc.get("appliedOn")))

    @strawberry.field(description="The person proposed.")
    async def employee(self, info: Info[Context, Any]) -> Employee | None:
        return await person(info, self.doc["employeeId"])

    @strawberry.field(description="Who proposed it.")
    async def proposed_by(self, info: Info[Context, Any]) -> Employee | None:
        return await person(info, self.doc["proposedById"])

    @strawberry.field(description="The position held when proposed.")
    async def from_position(self, info: Info[Context, Any]) -> Position | None:
        return PositionFields.wrap(await load(info.context, "position_by_id", self.doc.get("fromPositionId")))

    @strawberry.field(description="The position proposed.")
    async def to_position(self, info: Info[Context, Any]) -> Position | None:
        return PositionFields.wrap(await load(info.context, "position_by_id", self.doc["toPositionId"]))

    @strawberry.field(description="The approval chain, in order.", metadata=listed(3))
    def steps(self) -> list[ApprovalStep]:
        return [ApprovalStep(doc=s) for s in self.doc["steps"]]

    @strawberry.field(description="Every decision, oldest first.", metadata=listed(10))
    def history(self) -> list[PromotionHistoryEntry]:
        return [PromotionHistoryEntry(doc=h) for h in self.doc.get("history", [])[-10:]]


@strawberry.type(description="A change of a promotion proposal, with the proposal after it.")
class PromotionEvent:
    kind: PromotionChangeKind = strawberry.field(description="What happened.")
    proposal: PromotionProposal = strawberry.field(description="The proposal after it.")


FactorEnum = strawberry.enum(Factor, name="CandidateFactor", description="A factor of the candidate ranking.")
describe_values(FactorEnum, {
    "COMPETENCY_FIT": ("How far the levels assessed in their last shared review meet the position's expected "
                       "levels (0 to 1)."),
    "PERFORMANCE": "The final rating of their last shared review, out of 5.",
    "POTENTIAL": "Their managers' potential rating, out of 3.",
    "READINESS": "Their readiness for the position: ready now 1, in 1–2 years 0.5, in 3+ years 0.2.",
    "ASPIRATION": ("1 when their growth plan targets the position, 0.5 when it targets another rung of a track "
                   "holding it."),
    "MOBILITY": "1 in the position's department, or when their plan says they would change department.",
    "TENURE": "Time in their current role, full at three years.",
})


@strawberry.type(description="One factor's part in a candidate's score, and why.")
class FactorContribution:
    factor: FactorEnum = strawberry.field(description="Which factor of the ranking.")
    value: float = strawberry.field(description="The candidate's value for it, from 0 to 1.")
    weight: float = strawberry.field(description="Its weight (HR admins set the weights).")
    contribution: float = strawberry.field(description="value × weight ÷ the sum of the weights.")
    explanation: str = strawberry.field(description="In words.")


@strawberry.type(description="A candidate for a position, ranked, with each factor's contribution explained.")
class PositionCandidate:
    ranked: strawberry.Private[Ranked]

    @strawberry.field(description="1 for the best fit.")
    def rank(self) -> int:
        return self.ranked.rank

    @strawberry.field(description="The weighted score, from 0 to 1.")
    def score(self) -> float:
        return self.ranked.candidate.score

    @strawberry.field(description="The candidate.")
    def employee(self) -> Employee:
        return EmployeeFields.of(self.ranked.employee)  # type: ignore[return-value]

    @strawberry.field(description="Every factor's contribution.", metadata=listed(len(Factor)))
    def factors(self) -> list[FactorContribution]:
        return [FactorContribution(factor=c.factor, value=c.value, weight=c.weight, contribution=c.contribution,
                                   explanation=c.explanation) for c in self.ranked.candidate.contributions]


BandEnum = strawberry.enum(Band, name="TalentBand", description="Low, moderate or high.")
describe_values(BandEnum, {
    "LOW": "Performance: a final rating of 1 or 2; potential: 1.",
    "MODERATE": "Performance: a final rating of 3; potential: 2.",
    "HIGH": "Performance: a final rating of 4 or 5; potential: 3.",
})


@strawberry.type(description="One box of the 9-box grid: a performance band and a potential band.")
class TalentGridCell:
    performance: BandEnum = strawberry.field(description="The performance band (the cycle's final rating).")
    potential: BandEnum = strawberry.field(description="The potential band (as rated at the end of the period).")
    count: int = strawberry.field(description="How many people are in it.")
    people: strawberry.Private[list[Document]]

    @strawberry.field(description="Who is in it, by id.", metadata=listed(500))
    def employees(self) -> list[Employee]:
        return EmployeeFields.wrap_all(self.people[:500])  # type: ignore[return-value]


@strawberry.type(description="Someone whose box changed since the previous cycle.")
class TalentMovement:
    person: strawberry.Private[Document]
    from_performance: BandEnum = strawberry.field(description="Performance band in the previous cycle.")
    from_potential: BandEnum = strawberry.field(description="Potential band in the previous cycle.")
    to_performance: BandEnum = strawberry.field(description="Performance band now.")
    to_potential: BandEnum = strawberry.field(description="Potential band now.")

    @strawberry.field(description="The person.")
    def employee(self) -> Employee:
        return EmployeeFields.of(self.person)  # type: ignore[return-value]


@strawberry.type(description="The 9-box talent grid of a review cycle: HR admins (everyone), managers (the "
                             "people below them).")
class TalentGrid:
    grid: strawberry.Private[Grid]

    @strawberry.field(description="The cycle.")
    def cycle_id(self) -> strawberry.ID:
        return strawberry.ID(self.grid.cycle["_id"])

    @strawberry.field(description="The previous cycle movements are measured against, if any.")
    def previous_cycle_id(self) -> strawberry.ID | None:
        return strawberry.ID(self.grid.previous["_id"]) if self.grid.previous else None

    @strawberry.field(description="All nine boxes, low to high performance, then low to high potential.",
                      metadata=listed(9))
    def cells(self) -> list[TalentGridCell]:
        return [TalentGridCell(performance=perf, potential=pot, count=len(people), people=people)
                for perf, pot, people in self.grid.cells]

    @strawberry.field(description="People whose box changed since the previous cycle, by id.", metadata=listed(500))
    def movements(self) -> list[TalentMovement]:
        return [TalentMovement(person=p, from_performance=a[0], from_potential=a[1], to_performance=b[0],
                               to_potential=b[1]) for p, a, b in self.grid.moved[:500]]

    @strawberry.field(description="People rated in the cycle without a potential rating yet.")
    def unplaced(self) -> int:
        return self.grid.unplaced
