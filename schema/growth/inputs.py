"""Inputs of the growth mutations."""

from __future__ import annotations

from datetime import date

import strawberry

from models.growth.rules import ActionStatus
from models.growth.succession import SuccessorStatus
from schema.growth.enums import ActionKindEnum, ActionStatusEnum, HorizonEnum, ReadinessLevelEnum, SuccessorStatusEnum


@strawberry.input(description="A position the person aims at (replacing the plan's targets as a whole).")
class GrowthTargetInput:
    position_id: strawberry.ID = strawberry.field(description="A position of your organisation.")
    horizon: HorizonEnum = strawberry.field(description="When the person hopes to get there.")
    aspiration: str | None = strawberry.field(default=None, description="In the person's own words (≤ 5,000).")
    willing_to_relocate: bool = strawberry.field(default=False, description="Whether they would move for it.")
    willing_to_change_department: bool = strawberry.field(default=False,
                                                          description="Whether they would change department.")


@strawberry.input(description="A development action: without `actionId` a new one, with it the whole action "
                              "replaced.")
class DevelopmentActionInput:
    kind: ActionKindEnum = strawberry.field(description="What kind of development.")
    title: str = strawberry.field(description="What is to be done (≤ 200).")
    action_id: strawberry.ID | None = strawberry.field(default=None, description="The action to change.")
    status: ActionStatusEnum = strawberry.field(default=ActionStatus.PLANNED, description="Where it stands.")
    owner_id: strawberry.ID | None = strawberry.field(
        default=None, description="The person (the default), one of their managers or a mentor.")
    due_on: date | None = strawberry.field(default=None, description="When it is due.")
    notes: str | None = strawberry.field(default=None, description="Details (≤ 5,000).")
    competency_id: strawberry.ID | None = strawberry.field(default=None, description="A competency it develops.")
    goal_id: strawberry.ID | None = strawberry.field(default=None, description="A goal of the person it serves.")


@strawberry.input(description="A successor: a person of the organisation, or an external placeholder.")
class SuccessorInput:
    employee_id: strawberry.ID | None = strawberry.field(default=None, description="The person.")
    external_name: str | None = strawberry.field(default=None, description="Or a placeholder's name (≤ 200).")
    external_readiness: ReadinessLevelEnum | None = strawberry.field(
        default=None, description="A placeholder's readiness as stated (a person's comes from the evidence).")
    emergency: bool = strawberry.field(default=False, description="The one to step in at once (at most one).")
    status: SuccessorStatusEnum = strawberry.field(default=SuccessorStatus.PROPOSED,
                                                   description="Proposed or confirmed.")


@strawberry.input(description="The weights of the candidate ranking's factors (0 to 100 each; sent ones change).")
class CandidateWeightsInput:
    competency_fit: float | None = strawberry.field(default=None, description="Competency fit.")
    performance: float | None = strawberry.field(default=None, description="Calibrated performance.")
    potential: float | None = strawberry.field(default=None, description=(
        "The weight of potential (as managers rated it)."))
    readiness: float | None = strawberry.field(default=None, description="Readiness for the position.")
    aspiration: float | None = strawberry.field(default=None, description="Stated aspiration toward it.")
    mobility: float | None = strawberry.field(default=None, description=(
        "The weight of mobility (in the position's department, or willing to change)."))
    tenure: float | None = strawberry.field(default=None, description="Tenure in role.")
