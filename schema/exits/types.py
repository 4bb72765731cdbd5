"""The exits domain's GraphQL types: exit records and their checklist, reasons, templates, the candid survey (its
questions only) and the attrition report."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from models.core.documents import Document
from models.core.ids import scoped_id
from models.exits.permissions import can_see_exit_record
from models.exits.report import Row
from resolvers.core.context import Context
from resolvers.core.loading import load
from resolvers.exits import records as resolvers
from resolvers.exits.report import Labelled
from resolvers.exits.survey import Survey
from schema.core.cost import listed
from schema.core.history import HISTORY_LISTED, LAST, AuditEntry, history_of
from schema.core.node import Node
from schema.exits.inputs import (
    AttritionGroupByEnum,
    ExitKindEnum,
    ExitQuestionKindEnum,
    ExitStatusEnum,
    ReasonCategoryEnum,
)
from schema.org.types import Department, DepartmentFields, Employee, EmployeeFields


async def _employee(info: Info[Context, Any], id: str | None) -> Employee | None:
    return EmployeeFields.wrap(await load(info.context, "employee_by_id", id))


@strawberry.type(description="A reason for leaving in the organisation's taxonomy (HR-managed).")
class ExitReason(Node):
    id: strawberry.ID = strawberry.field(description="The reason's id.")
    code: str = strawberry.field(description="Unique in the organisation; never changes.")
    label: str = strawberry.field(description="What people read.")
    category: ReasonCategoryEnum = strawberry.field(description="The kind of reason.")
    archived: bool = strawberry.field(description="Archived reasons can no longer be chosen.")

    @classmethod
    def wrap(cls, doc: Document | None) -> ExitReason | None:
        if doc is None:
            return None
        return cls(id=strawberry.ID(doc["_id"]), code=doc["code"], label=doc["label"],
                   category=ReasonCategoryEnum(doc["category"]), archived=bool(doc.get("archived")))


async def _reason(info: Info[Context, Any], id: str | None) -> ExitReason | None:
    if id is None:
        return None
    await info.context.authenticate()
    return ExitReason.wrap(await info.context.loaders.exits.reason_by_id.load(id))


@strawberry.type(description="A question of an exit interview template version.")
class ExitQuestion(Node):
    id: strawberry.ID = strawberry.field(description="Unique across every type (a normalised cache's key): the "
                                                     "template version's id, a colon, then key.")
    key: str = strawberry.field(description="The question's id within its template: what answers' questionId "
                                            "holds (ExitAnswerInput.questionId takes this key or the id).")
    kind: ExitQuestionKindEnum = strawberry.field(description="What the answer is.")
    text: str = strawberry.field(description="The question.")
    options: list[str] = strawberry.field(description="CHOICE: the options.", metadata=listed(20))
    required: bool = strawberry.field(description="Whether an answer is required.")

    @classmethod
    def of(cls, template_id: str, doc: Document) -> ExitQuestion:
        return cls(id=strawberry.ID(scoped_id(template_id, doc["id"])), key=doc["id"],
                   kind=ExitQuestionKindEnum(doc["kind"]), text=doc["text"],
                   options=list(doc.get("options", [])), required=bool(doc.get("required")))


@strawberry.type(description="One version of an exit interview template, for one department or the organisation. "
                             "Editing a version exit records use creates the next version.")
class ExitInterviewTemplate(Node):
    doc: strawberry.Private[Document]
    id: strawberry.ID = strawberry.field(description="The template version's id.")
    family_id: strawberry.ID = strawberry.field(description="The same for every version of the template.")
    version: int = strawberry.field(description="1 for the first version.")
    name: str = strawberry.field(description="Its name.")
    latest: bool = strawberry.field(description="False once a newer version exists.")

    @classmethod
    def wrap(cls, doc: Document | None) -> ExitInterviewTemplate | None:
        if doc is None:
            return None
        return cls(doc=doc, id=strawberry.ID(doc["_id"]), family_id=strawberry.ID(doc["familyId"]),
                   version=doc["version"], name=doc["name"], latest=not doc.get("supersededById"))

    @strawberry.field(description="Its questions, in order.", metadata=listed(40))
    def questions(self) -> list[ExitQuestion]:
        return [ExitQuestion.of(self.doc["_id"], q) for q in self.doc.get("questions", [])]

    @strawberry.field(description="The department it serves; null: the organisation's default.")
    async def department(self, info: Info[Context, Any]) -> Department | None:
        return DepartmentFields.wrap(await load(info.context, "department_by_id", self.doc.get("departmentId")))


@strawberry.type(description="An answer of the named exit interview.")
class ExitAnswer:
    question_id: str = strawberry.field(description="The key of the question answered (ExitQuestion.key).")
    value: JSON | None = strawberry.field(description="The answer.")


@strawberry.type(description="The named exit interview (HR admins and the interviewer only).")
class ExitInterview:
    doc: strawberry.Private[Document]
    recorded_at: datetime = strawberry.field(description="When it was recorded.")

    @strawberry.field(description="The answers, in the template's order.", metadata=listed(40))
    def answers(self) -> list[ExitAnswer]:
        return [ExitAnswer(question_id=a["questionId"], value=a["value"]) for a in self.doc.get("answers", [])]

    @strawberry.field(description="Who recorded it.")
    async def recorded_by(self, info: Info[Context, Any]) -> Employee | None:
        return await _employee(info, self.doc.get("recordedById"))


@strawberry.type(description="A piece of the leaver's open work: ticked off, or handed to a new owner.")
class ExitChecklistItem(Node):
    doc: strawberry.Private[Document]
    id: strawberry.ID = strawberry.field(description="Unique across every type (a normalised cache's key): the exit "
                                                     "record's id, a colon, then key.")
    key: str = strawberry.field(description="The item's id on its exit record (the checklist mutations' itemId "
                                            "takes this key or the id).")
    kind: str = strawberry.field(description="goal, check_in_series, review_form_owed, review_about, "
                                             "feedback_request, mentorship, succession_slot.")
    ref_id: strawberry.ID = strawberry.field(description="The id of the goal, series, form, review, request or "
                                                         "person it is about.")
    title: str = strawberry.field(description="What it is.")
    done: bool = strawberry.field(description="Ticked off.")
    done_at: datetime | None = strawberry.field(description="When it was ticked off.")

    @classmethod
    def of(cls, exit_id: str, doc: Document) -> ExitChecklistItem:
        return cls(doc=doc, id=strawberry.ID(scoped_id(exit_id, doc["id"])), key=doc["id"], kind=doc["kind"],
                   ref_id=strawberry.ID(doc["refId"]), title=doc["title"],
                   done=bool(doc.get("done")), done_at=doc.get("doneAt"))

    @strawberry.field(description="Who was suggested to take it over (the leaver's manager).")
    async def suggested_owner(self, info: Info[Context, Any]) -> Employee | None:
        return await _employee(info, self.doc.get("suggestedOwnerId"))

    @strawberry.field(description="Who takes it over now.")
    async def owner(self, info: Info[Context, Any]) -> Employee | None:
        return await _employee(info, self.doc.get("ownerId"))


@strawberry.type(description="Someone's departure: HR admins and the assigned interviewer only.")
class ExitRecord(Node):
    doc: strawberry.Private[Document]
    id: strawberry.ID = strawberry.field(description="The exit record's id.")
    last_day: date = strawberry.field(description="The leaver's last day.")
    status: ExitStatusEnum = strawberry.field(description="Where the exit process stands.")
    kind: ExitKindEnum | None = strawberry.field(description="HR's classification: voluntary or involuntary.")
    regretted: bool | None = strawberry.field(description="HR's classification: a regretted loss.")
    rehire_eligible: bool | None = strawberry.field(description="Eligible for rehire.")
    notes: str | None = strawberry.field(description="HR's notes.")
    interview_on: date | None = strawberry.field(description="The day the interview is scheduled for.")

    @classmethod
    def wrap(cls, doc: Document | None) -> ExitRecord | None:
        if doc is None:
            return None
        return cls(doc=doc, id=strawberry.ID(doc["_id"]), last_day=date.fromisoformat(doc["lastDay"]),
                   status=ExitStatusEnum(doc["status"]), kind=ExitKindEnum(doc["kind"]) if doc.get("kind") else None,
                   regretted=doc.get("regretted"), rehire_eligible=doc.get("rehireEligible"), notes=doc.get("notes"),
                   interview_on=date.fromisoformat(doc["interviewOn"]) if doc.get("interviewOn") else None)

    @strawberry.field(description="The leaver.")
    async def employee(self, info: Info[Context, Any]) -> Employee | None:
        return await _employee(info, self.doc["employeeId"])

    @strawberry.field(description="The assigned interviewer.")
    async def interviewer(self, info: Info[Context, Any]) -> Employee | None:
        return await _employee(info, self.doc.get("interviewerId"))

    @strawberry.field(description="The primary reason.")
    async def primary_reason(self, info: Info[Context, Any]) -> ExitReason | None:
        return await _reason(info, (self.doc.get("reasons") or {}).get("primary"))

    @strawberry.field(description="The secondary reason.")
    async def secondary_reason(self, info: Info[Context, Any]) -> ExitReason | None:
        return await _reason(info, (self.doc.get("reasons") or {}).get("secondary"))

    @strawberry.field(description="The tertiary reason.")
    async def tertiary_reason(self, info: Info[Context, Any]) -> ExitReason | None:
        return await _reason(info, (self.doc.get("reasons") or {}).get("tertiary"))

    @strawberry.field(description="The leaver's open work across the product.", metadata=listed(500))
    def checklist(self) -> list[ExitChecklistItem]:
        return [ExitChecklistItem.of(self.doc["_id"], i) for i in self.doc.get("checklist", [])]

    @strawberry.field(description="The named interview, once recorded.")
    def interview(self) -> ExitInterview | None:
        interview = self.doc.get("interview")
        return ExitInterview(doc=interview, recorded_at=interview["recordedAt"]) if interview else None

    @strawberry.field(description="The interview template this exit uses.")
    async def template(self, info: Info[Context, Any]) -> ExitInterviewTemplate | None:
        return ExitInterviewTemplate.wrap(await resolvers.template_of(info.context, self.doc))

    @strawberry.field(description="HR admins and the interviewer: the record's latest changes, newest first, every "
                      "value recorded as changed without it.",
                      metadata=listed(HISTORY_LISTED))
    async def history(self, info: Info[Context, Any],
                      last: Annotated[int, LAST] = HISTORY_LISTED) -> list[AuditEntry] | None:
        viewer = info.context.viewer
        allowed = viewer is not None and can_see_exit_record(viewer, self.doc)
        return await history_of(info, self.doc["_id"], allowed, "an exit record's history is for HR admins and its "
                                                                "interviewer", last=last)


@strawberry.type(description="Your own candid exit survey: anonymous, answered once. Its answers are never shown "
                             "to anyone, you included; reports show them only as aggregates over k leavers.")
class ExitSurvey:
    opens_on: date = strawberry.field(description="The first day it can be answered.")
    closes_on: date = strawberry.field(description="The last day it can be answered.")
    submitted: bool = strawberry.field(description="Whether you have answered it.")
    template: strawberry.Private[Document]

    @classmethod
    def wrap(cls, survey: Survey | None) -> ExitSurvey | None:
        if survey is None:
            return None
        return cls(opens_on=survey.opens_on, closes_on=survey.closes_on, submitted=survey.submitted,
                   template=survey.template)

    @strawberry.field(description="The questions (none once you have answered).", metadata=listed(40))
    def questions(self) -> list[ExitQuestion]:
        return [] if self.submitted else [ExitQuestion.of(self.template["_id"], q)
                                          for q in self.template.get("questions", [])]


@strawberry.type(description="How often a reason category was the primary reason.")
class ReasonCount:
    category: ReasonCategoryEnum = strawberry.field(description="The reason category counted.")
    count: int = strawberry.field(description="How many leavers gave it as their primary reason.")


@strawberry.type(description="One group's figures. Suppressed (null) below k leavers, or where they could be "
                             "computed by subtraction; the survey's figures likewise on their own counts.")
class AttritionRow:
    row: strawberry.Private[Row]
    key: str = strawberry.field(description="The group: a department or manager id, a level, a band, a month.")
    label: str = strawberry.field(description="What the group is called.")
    suppressed: bool = strawberry.field(description="True when the leavers' figures are hidden.")
    survey_suppressed: bool = strawberry.field(description="True when the survey's figures are hidden.")
    headcount_start: int | None = strawberry.field(description="People at the start of the period.")
    headcount_end: int | None = strawberry.field(description="People at its end.")
    leavers: int | None = strawberry.field(description="Last days within the period.")
    attrition_rate: float | None = strawberry.field(description="Leavers ÷ the average headcount.")
    voluntary_share: float | None = strawberry.field(description="Voluntary leavers ÷ leavers.")
    regretted_share: float | None = strawberry.field(description="Regretted leavers ÷ leavers.")
    survey_responses: int | None = strawberry.field(description="Candid answers pooled over the rolling window.")
    recommend_score: float | None = strawberry.field(description="% answering 9-10 minus % answering 0-6.")
    average_rating: float | None = strawberry.field(description="The mean of the survey's 1-5 ratings.")
    average_last_rating: float | None = strawberry.field(description="The leavers' mean last calibrated rating.")
    lapsed_check_ins: int | None = strawberry.field(description="Leavers without a check-in in their last 3 months.")
    average_feedback_received: float | None = strawberry.field(
        description="Feedback items received in the leavers' last 6 months, on average.")
    average_months_since_change: float | None = strawberry.field(
        description="Whole months from the leavers' last promotion or position change (else their hire date) to "
                    "their last day, on average.")
    stalled_in_role: int | None = strawberry.field(
        description="Leavers without a promotion or position change in their last 24 months.")
    preventable_regretted: int | None = strawberry.field(
        description="Voluntary regretted leavers rated 4 or more with lapsed check-ins, no growth plan, or no "
                    "promotion or position change in 24 months.")

    @classmethod
    def of(cls, row: Row, labels: dict[str, str]) -> AttritionRow:
        return cls(row=row, key=row.key, label=labels.get(row.key, row.key), suppressed=row.suppressed,
                   survey_suppressed=row.survey_suppressed, headcount_start=row.headcount_start,
                   headcount_end=row.headcount_end, leavers=row.leavers, attrition_rate=row.attrition_rate,
                   voluntary_share=row.voluntary_share, regretted_share=row.regretted_share,
                   survey_responses=row.survey_responses, recommend_score=row.recommend_score,
                   average_rating=row.average_rating, average_last_rating=row.average_last_rating,
                   lapsed_check_ins=row.lapsed_check_ins, average_feedback_received=row.average_feedback_received,
                   average_months_since_change=row.average_months_since_change,
                   stalled_in_role=row.stalled_in_role, preventable_regretted=row.preventable_regretted)

    @strawberry.field(description="The most frequent primary reasons (at most 3).", metadata=listed(3))
    def top_reasons(self) -> list[ReasonCount]:
        return [ReasonCount(category=ReasonCategoryEnum(c), count=n) for c, n in self.row.top_reasons]


@strawberry.type(description="Attrition over a period, by group, with the whole as total; every figure respects k.")
class AttritionReport:
    labelled: strawberry.Private[Labelled]
    group_by: AttritionGroupByEnum = strawberry.field(description="How the rows group.")
    start: date = strawberry.field(description="The period's first day.")
    end: date = strawberry.field(description="The period's last day.")
    k: int = strawberry.field(description="The smallest group shown.")
    window_months: int = strawberry.field(description="The survey's rolling window.")

    @classmethod
    def of(cls, labelled: Labelled) -> AttritionReport:
        report = labelled.report
        return cls(labelled=labelled, group_by=AttritionGroupByEnum(report.group_by), start=report.start,
                   end=report.end, k=report.k, window_months=report.window_months)

    @strawberry.field(description="One row per group, by key.", metadata=listed(500))
    def rows(self) -> list[AttritionRow]:
        return [AttritionRow.of(r, self.labelled.labels) for r in self.labelled.report.rows]

    @strawberry.field(description="The whole of what you may report on.")
    def total(self) -> AttritionRow:
        return AttritionRow.of(self.labelled.report.total, self.labelled.labels)

    @strawberry.field(description="The rows and the total as CSV (RFC 4180), suppressed figures empty.")
    def csv(self) -> str:
        return self.labelled.csv


@strawberry.type(description="The organisation's exit settings.")
class ExitSettings:
    k: int = strawberry.field(description="The smallest group a report shows (at least 3; default 5).")
    window_months: int = strawberry.field(description="The candid survey's rolling window in months.")
    survey_opens_days_before: int = strawberry.field(description="Days before the last day the survey opens.")
    survey_closes_days_after: int = strawberry.field(description="Days after the last day it closes.")

    @classmethod
    def of(cls, doc: Document) -> ExitSettings:
        return cls(k=doc["k"], window_months=doc["windowMonths"], survey_opens_days_before=doc["surveyOpensDaysBefore"],
                   survey_closes_days_after=doc["surveyClosesDaysAfter"])
