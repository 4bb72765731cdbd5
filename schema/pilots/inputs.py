"""Inputs and enums of the pilots domain."""

from __future__ import annotations

from datetime import date
from enum import Enum

import strawberry

from models.pilots.rules import PilotAction, PilotStatus, Practice, SurveyGroup


@strawberry.enum(name="PilotPractice",
                 description="The setting a pilot changes (the check-ins, reviews or notifications domain's).")
class PilotPracticeEnum(Enum):
    CHECK_IN_CADENCE = strawberry.enum_value(Practice.CHECK_IN_CADENCE.value,
                                             description="A department's check-in cadence, or a person's series'.")
    CHECK_IN_TEMPLATE = strawberry.enum_value(Practice.CHECK_IN_TEMPLATE.value,
                                              description="A department's check-in question template.")
    REVIEW_TEMPLATE = strawberry.enum_value(Practice.REVIEW_TEMPLATE.value,
                                            description="A department's or a person's review template override, "
                                                        "which cycle launches use for the reviews they create.")
    GOAL_UPDATE_REMINDER = strawberry.enum_value(
        Practice.GOAL_UPDATE_REMINDER.value,
        description="A department's or a person's own goal-update reminder cadence: the weeks a goal may go "
                    "without an update before its owner is reminded (over the organisation's staleGoalWeeks).")


@strawberry.enum(name="PilotStatus", description="running, then reverted (earlier settings restored) or adopted.")
class PilotStatusEnum(Enum):
    RUNNING = strawberry.enum_value(PilotStatus.RUNNING.value, description="The piloted setting applies.")
    REVERTED = strawberry.enum_value(PilotStatus.REVERTED.value, description="Ended, the earlier settings restored.")
    ADOPTED = strawberry.enum_value(PilotStatus.ADOPTED.value, description="Ended, the setting kept (and spread).")


@strawberry.enum(name="PilotAction", description="A decision recorded on a pilot.")
class PilotActionEnum(Enum):
    START = strawberry.enum_value(PilotAction.START.value, description="The pilot started.")
    EXTEND = strawberry.enum_value(PilotAction.EXTEND.value, description="Its end date was moved later.")
    REVERT = strawberry.enum_value(PilotAction.REVERT.value, description="It ended, the earlier settings restored.")
    ADOPT = strawberry.enum_value(PilotAction.ADOPT.value, description="It ended, the setting kept and spread.")


@strawberry.enum(name="ProcessSurveyGroup", description="Whom a round went to, and how its answers are grouped.")
class SurveyGroupEnum(Enum):
    COHORT = strawberry.enum_value(SurveyGroup.COHORT.value, description="A pilot's cohort.")
    COMPARISON = strawberry.enum_value(SurveyGroup.COMPARISON.value, description="A pilot's comparison group.")
    EVERYONE = strawberry.enum_value(SurveyGroup.EVERYONE.value,
                                     description="Everyone a survey of no pilot was sent to.")


@strawberry.enum(description="How endPilot ends (or prolongs) a running pilot.")
class PilotEnd(Enum):
    REVERT = strawberry.enum_value("revert", description="Restore the settings recorded at the start, exactly.")
    EXTEND = strawberry.enum_value("extend", description="Keep it running until a later endsOn.")


@strawberry.input(description="A new pilot: one practice changed for a cohort (departments, or people) until "
                              "endsOn, compared with chosen departments or the rest of the organisation.")
class StartPilotInput:
    name: str = strawberry.field(description="What it is called (at most 200 characters).")
    practice: PilotPracticeEnum = strawberry.field(description="The setting it changes.")
    value: str = strawberry.field(description="CHECK_IN_CADENCE: WEEKLY, BIWEEKLY or MONTHLY; CHECK_IN_TEMPLATE: "
                                              "a check-in template's id; REVIEW_TEMPLATE: the current version of "
                                              "a review template; GOAL_UPDATE_REMINDER: weeks, 1 to 52.")
    department_ids: list[strawberry.ID] = strawberry.field(
        default_factory=list, description="The cohort's departments (or employeeIds; at most 200).")
    employee_ids: list[strawberry.ID] = strawberry.field(
        default_factory=list, description="The cohort's people (or departmentIds; at most 200).")
    comparison_department_ids: list[strawberry.ID] = strawberry.field(
        default_factory=list, description="The comparison group's departments; none: the rest of the organisation.")
    ends_on: date = strawberry.field(description="The planned end (after today); endPilot decides then.")
    reason: str | None = strawberry.field(default=None, description="Why (at most 2,000 characters).")


@strawberry.input(description="A process survey: a title and its questions (each answered 1-5 with a comment).")
class ProcessSurveyInput:
    title: str = strawberry.field(description="At most 200 characters.")
    questions: list[str] = strawberry.field(description="1 to 10 questions, each at most 300 characters.")
    pilot_id: strawberry.ID | None = strawberry.field(default=None,
                                                      description="The pilot it asks about; its rounds go to the "
                                                                  "pilot's cohort and comparison group.")


@strawberry.input(description="One answer of a process survey round.")
class ProcessSurveyAnswerInput:
    question_id: str = strawberry.field(description="The question answered.")
    score: int = strawberry.field(description="1 (not at all) to 5 (fully).")
    comment: str | None = strawberry.field(default=None, description="At most 2,000 characters; never shown.")
