"""Inputs of the exits domain's mutations and queries."""

from __future__ import annotations

from datetime import date

import strawberry
from strawberry.scalars import JSON

from models.exits.report import GroupBy
from models.exits.rules import ExitKind, ExitQuestionKind, ExitStatus, ReasonCategory
from schema.core.enums import described_enum

ExitStatusEnum = described_enum(
    ExitStatus, name="ExitStatus",
    description="pending → scheduled → completed, or cancelled (a future end date withdrawn).",
    values={
        "PENDING": "Open, no interview scheduled.",
        "SCHEDULED": "An interview is scheduled.",
        "COMPLETED": "The interview was recorded.",
        "CANCELLED": "The end date was withdrawn.",
    })
ExitKindEnum = described_enum(
    ExitKind, name="ExitKind",
    description="Whether the leaver chose to leave.",
    values={
        "VOLUNTARY": "The leaver chose to leave.",
        "INVOLUNTARY": "The organisation ended the employment.",
    })
ReasonCategoryEnum = described_enum(
    ReasonCategory, name="ExitReasonCategory",
    description="What kind of reason for leaving an exit reason is.",
    values={
        "COMPENSATION": "Pay and benefits.",
        "MANAGER": "The relationship with the manager.",
        "GROWTH": "Career growth and development.",
        "WORKLOAD": "Workload and hours.",
        "RELOCATION": "Moving away.",
        "PERSONAL": "Personal or family reasons.",
        "CULTURE": "Culture and values.",
        "OTHER": "Anything else.",
    })
ExitQuestionKindEnum = described_enum(
    ExitQuestionKind, name="ExitQuestionKind",
    description="RATING 1-5, TEXT, CHOICE among options, REASON (an exit reason's id), RECOMMEND 0-10.",
    values={
        "RATING": "A rating from 1 to 5.",
        "TEXT": "Free text.",
        "CHOICE": "One of the question's options.",
        "REASON": "One of the organisation's exit reasons (its id).",
        "RECOMMEND": "0-10: would you recommend working here.",
    })
AttritionGroupByEnum = described_enum(
    GroupBy, name="AttritionGroupBy",
    description="How the attrition report groups leavers and headcounts.",
    values={
        "DEPARTMENT": "By the leaver's department (at exit) and each person's current one.",
        "MANAGER": "By the leaver's manager (at exit) and each person's current one.",
        "POSITION_LEVEL": "By the level of the position.",
        "TENURE_BAND": "By time since hire: under a year, 1-2, 2-5, 5 years or more.",
        "MONTH": "By calendar month of the period (survey answers of each month's own).",
    })


@strawberry.input(description="HR's classification of an exit; only the fields sent change.")
class ClassifyExitInput:
    kind: ExitKindEnum | None = strawberry.field(default=strawberry.UNSET, description="Voluntary or involuntary.")
    regretted: bool | None = strawberry.field(default=strawberry.UNSET, description="Whether the loss is regretted.")
    primary_reason_id: strawberry.ID | None = strawberry.field(default=strawberry.UNSET,
                                                               description="An exit reason of your organisation.")
    secondary_reason_id: strawberry.ID | None = strawberry.field(default=strawberry.UNSET,
                                                                 description="Needs a primary reason.")
    tertiary_reason_id: strawberry.ID | None = strawberry.field(default=strawberry.UNSET,
                                                                description="Needs a secondary reason.")
    rehire_eligible: bool | None = strawberry.field(default=strawberry.UNSET, description="Eligible for rehire.")
    notes: str | None = strawberry.field(default=strawberry.UNSET, description="At most 5,000 characters.")


@strawberry.input(description="An exit reason: code (on creation, never changed), label, category, archived.")
class ExitReasonInput:
    code: str | None = strawberry.field(default=strawberry.UNSET, description="1-40 of a-z, 0-9, _; unique.")
    label: str | None = strawberry.field(default=strawberry.UNSET, description="At most 200 characters.")
    category: ReasonCategoryEnum | None = strawberry.field(default=strawberry.UNSET, description="Its category.")
    archived: bool | None = strawberry.field(default=strawberry.UNSET,
                                             description="Archived reasons can no longer be chosen.")


@strawberry.input(description="A question of an exit interview template.")
class ExitQuestionInput:
    id: str | None = strawberry.field(default=None, description="The question's key: 1-40 letters, digits, - or _; "
                                                                "generated if null. Editing a template, its "
                                                                "ExitQuestion.id is taken for its key too.")
    kind: ExitQuestionKindEnum = strawberry.field(description="What the answer is.")
    text: str = strawberry.field(description="At most 1,000 characters.")
    options: list[str] | None = strawberry.field(default=None, description="CHOICE: 2 to 20 options.")
    required: bool = strawberry.field(default=False, description="Whether an answer is required.")


@strawberry.input(description="An exit interview template (used by the named interview and the candid survey).")
class ExitInterviewTemplateInput:
    name: str = strawberry.field(description="At most 200 characters.")
    department_id: strawberry.ID | None = strawberry.field(
        default=None, description="On creation: the department it serves; null: the organisation's default.")
    questions: list[ExitQuestionInput] = strawberry.field(description="1 to 40 questions.")


@strawberry.input(description="One answer: the question's id and its value (a number, a text or an option).")
class ExitAnswerInput:
    question_id: str = strawberry.field(description="A question of the template: its key (ExitQuestion.key) or its "
                                                    "id (ExitQuestion.id).")
    value: JSON | None = strawberry.field(description="The answer; null leaves it unanswered.")


@strawberry.input(description="The days an attrition report covers (default: the 365 days up to today).")
class AttritionPeriodInput:
    start: date | None = strawberry.field(default=None, description="The first day.")
    end: date | None = strawberry.field(default=None, description="The last day (default today).")


@strawberry.input(description="Which leavers and people an attrition report counts.")
class AttritionFilterInput:
    department_id: strawberry.ID | None = strawberry.field(default=None, description="One department only.")
    kind: ExitKindEnum | None = strawberry.field(
        default=None, description="Only voluntary or involuntary leavers (the survey's figures are then hidden: "
                                  "anonymous answers carry no classification).")


@strawberry.input(description="The organisation's exit settings; only the fields sent change.")
class ExitSettingsInput:
    k: int | None = strawberry.field(default=strawberry.UNSET,
                                     description="The smallest group a report shows (3 to 50).")
    window_months: int | None = strawberry.field(default=strawberry.UNSET,
                                                 description="The candid survey's rolling window (1 to 36 months).")
    survey_opens_days_before: int | None = strawberry.field(default=strawberry.UNSET,
                                                            description="Days before the last day (0 to 90).")
    survey_closes_days_after: int | None = strawberry.field(default=strawberry.UNSET,
                                                            description="Days after the last day (0 to 90).")


def sent(input: object) -> dict[str, object]:
    """The fields of an input that were sent (UNSET left out)."""
    return {key: value for key, value in vars(input).items() if value is not strawberry.UNSET}
