"""Growth types: career tracks, growth plans (targets and development actions) and mentorships.

A ``GrowthPlan`` is only ever built from a plan the viewer may read (``resolvers/growth/visibility.py``);
a ``Mentorship`` only from one the viewer may read, and its sessions (notes private to the pair) are
empty for anyone but the mentor and the mentee.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from models.core.documents import Document
from models.growth.permissions import can_read_session_notes
from models.growth.readiness import Gap
from models.growth.rules import (
    MAX_ACTIONS,
    MAX_SESSIONS_SHOWN,
    MAX_TARGETS,
    MAX_TRACK_STEPS,
    ActionKind,
    ActionStatus,
    Horizon,
    MentorshipStatus,
    TrackKind,
    progress,
)
from resolvers.core.context import Context, require
from resolvers.core.loading import load
from resolvers.goals.access import visible_goals
from resolvers.growth.access import EVIDENCE_KEPT
from resolvers.growth.mentorships import readable_mentorships
from resolvers.growth.readiness import ReadinessView
from resolvers.growth.visibility import PlanView
from resolvers.reviews.access import competencies
from schema.core.cost import listed
from schema.core.history import HISTORY_LISTED, LAST, AuditEntry, history_of
from schema.core.node import Node
from schema.goals.types import Goal
from schema.growth.enums import (
    ActionKindEnum,
    ActionStatusEnum,
    EvidenceKindEnum,
    GrowthPlanChangeKind,
    HorizonEnum,
    MentorshipStatusEnum,
    ReadinessLevelEnum,
    TrackKindEnum,
)
from schema.org.types import Department, DepartmentFields, Employee, EmployeeFields, Position, PositionFields
from schema.reviews.competencies import Competency

MAX_MENTORSHIPS_SHOWN = 20



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
class CareerTrack(Node):
    doc: strawberry.Private[Document]
    id: strawberry.ID = strawberry.field(description="The track's id.")
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



@strawberry.type(description="Learning evidence on a development action: an activity a learning system reported "
                             "passed (xAPI), mapped by HR to the action's competency.")
class ActionEvidence:
    source: str = strawberry.field(description="Where it came from: `xapi`.")
    activity_id: str = strawberry.field(description="The learning system's activity id.")
    activity_name: str | None = strawberry.field(description="The activity's name, as the learning system sent it.")
    level: int = strawberry.field(description="The competency level (1-5) HR's mapping gives it.")
    achieved_at: datetime = strawberry.field(description="When the learner passed it.")

@strawberry.type(description="A step of a growth plan: learning, a stretch assignment, mentoring or a project.")
class DevelopmentAction(Node):
    doc: strawberry.Private[Document]
    id: strawberry.ID = strawberry.field(description="The action's id (within its plan).")
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

    @strawberry.field(description="Learning evidence of its competency passed while it was open, oldest first (the "
                                  "latest 20).", metadata=listed(EVIDENCE_KEPT))
    def evidence(self) -> list[ActionEvidence]:
        return [ActionEvidence(source=e["source"], activity_id=e["activityId"], activity_name=e.get("activityName"),
                               level=e["level"], achieved_at=e["achievedAt"]) for e in self.doc.get("evidence") or []]

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
class MentoringSession(Node):
    doc: strawberry.Private[Document]
    id: strawberry.ID = strawberry.field(description="The session's id.")
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
class Mentorship(Node):
    doc: strawberry.Private[Document]
    id: strawberry.ID = strawberry.field(description="The mentorship's id.")
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

    @strawberry.field(description="The person and HR admins: the plan's latest changes, newest first (its actions "
                                  "name goals and competencies others who read the plan may not see); empty before "
                                  "anything was written; null for anyone else, by design and without an error.",
                      metadata=listed(HISTORY_LISTED))
    async def history(self, info: Info[Context, Any],
                      last: Annotated[int, LAST] = HISTORY_LISTED) -> list[AuditEntry] | None:
        viewer = info.context.viewer
        allowed = viewer is not None and self.view.readable_by(viewer) and (
            viewer.is_hr_admin or viewer.employee_id == self.view.employee["_id"])
        plan = self.view.plan
        return await history_of(info, plan["_id"] if plan else None, allowed,
                                "a growth plan's history is for the person and HR admins", last=last)


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
