"""Growth types for advancement: succession plans (successors, bench strength), promotion proposals (the
approval chain, history), candidates for a position (each factor explained) and the 9-box talent grid."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from models.core.documents import Document
from models.growth.candidates import Factor
from models.growth.promotions import HR_STEP, MAX_EVIDENCE, Decision, ProposalStatus, can_see_proposal
from models.growth.succession import MAX_SUCCESSORS, SuccessorStatus
from resolvers.core.context import Context
from resolvers.core.loading import load
from resolvers.growth.candidates import Ranked
from resolvers.growth.succession import SuccessionView, SuccessorView
from resolvers.growth.talent import Grid
from schema.core.cost import listed
from schema.core.history import HISTORY_LISTED, LAST, AuditEntry, history_of
from schema.core.node import Node
from schema.growth.enums import (
    BandEnum,
    DecisionEnum,
    FactorEnum,
    PromotionChangeKind,
    ProposalStatusEnum,
    ReadinessLevelEnum,
    SuccessionChangeKind,
    SuccessorStatusEnum,
)
from schema.growth.types import day, person
from schema.org.types import Employee, EmployeeFields, Position, PositionFields


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

    @strawberry.field(description="The key position this plan is for.")
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

    @strawberry.field(description="The id of the key position whose plan changed.")
    def position_id(self) -> strawberry.ID:
        return strawberry.ID(self.message["positionId"])

    @strawberry.field(description="The successor concerned, if one is.")
    def employee_id(self) -> strawberry.ID | None:
        id = self.message.get("employeeId")
        return strawberry.ID(id) if id else None




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
class PromotionProposal(Node):
    doc: strawberry.Private[Document]
    id: strawberry.ID = strawberry.field(description="The proposal's id.")
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

    @strawberry.field(description="Those who may see the proposal (HR admins, the proposer, its approvers, the "
                      "person's managers): its latest changes, newest first.",
                      metadata=listed(HISTORY_LISTED))
    async def audit_history(self, info: Info[Context, Any],
                            last: Annotated[int, LAST] = HISTORY_LISTED) -> list[AuditEntry] | None:
        viewer = info.context.viewer
        employee = await load(info.context, "employee_by_id", self.doc.get("employeeId"))
        allowed = viewer is not None and employee is not None and can_see_proposal(viewer, self.doc, employee)
        return await history_of(info, self.doc["_id"], allowed, "a promotion proposal's history is for those who "
                                                                "may see it", last=last)


@strawberry.type(description="A change of a promotion proposal, with the proposal after it.")
class PromotionEvent:
    kind: PromotionChangeKind = strawberry.field(description="What happened.")
    proposal: PromotionProposal = strawberry.field(description="The proposal after it.")




@strawberry.type(description="One factor's part in a candidate's score, and why.")
class FactorContribution:
    factor: FactorEnum = strawberry.field(
        description="Which part of the ranking this is (competency fit, performance, potential, ...).")
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

    @strawberry.field(description="The review cycle whose calibrated ratings place people in the grid.")
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
