"""The exits domain's queries, mutations and subscriptions."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import date
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from models.core.ids import key_in
from models.exits.report import GroupBy
from resolvers.core.context import Context
from resolvers.core.outcome import Outcome
from resolvers.exits import checklist, records, survey, templates
from resolvers.exits import report as reports
from resolvers.exits import subscriptions as streams
from schema.core.cost import listed
from schema.core.errors import Error, errors_of
from schema.core.pagination import After, Before, Connection, First, Last, window
from schema.exits.inputs import (
    AttritionFilterInput,
    AttritionGroupByEnum,
    AttritionPeriodInput,
    ClassifyExitInput,
    ExitAnswerInput,
    ExitInterviewTemplateInput,
    ExitReasonInput,
    ExitSettingsInput,
    ExitStatusEnum,
    sent,
)
from schema.exits.types import (
    AttritionReport,
    ExitInterviewTemplate,
    ExitReason,
    ExitRecord,
    ExitSettings,
    ExitSurvey,
)

ItemId = Annotated[str, strawberry.argument(
    description="The item: its key on the exit record (ExitChecklistItem.key) or its id (ExitChecklistItem.id).")]


@strawberry.type(description="A page of exit records, newest last day first.")
class ExitRecordConnection(Connection[ExitRecord]):
    pass


@strawberry.type(description="An exit record after the change, or why nothing was written.")
class ExitRecordPayload:
    exit_record: ExitRecord | None = strawberry.field(description="The record after the change.")
    errors: list[Error] = strawberry.field(description="Empty when the change was made.")


@strawberry.type(description="An exit reason after the change, or why nothing was written.")
class ExitReasonPayload:
    reason: ExitReason | None = strawberry.field(description="The reason after the change.")
    errors: list[Error] = strawberry.field(description="Empty when the change was made.")


@strawberry.type(description="The template version written, or why nothing was written.")
class ExitInterviewTemplatePayload:
    template: ExitInterviewTemplate | None = strawberry.field(description="The template after the change.")
    errors: list[Error] = strawberry.field(description="Empty when the change was made.")
    new_version: bool = strawberry.field(description="True when the edit created a new version.")


@strawberry.type(description="Whether the survey was taken; nothing that was stored comes back.")
class ExitSurveyPayload:
    submitted: bool = strawberry.field(description="True once your answers are kept (anonymously).")
    errors: list[Error] = strawberry.field(description="Empty when the answers were kept.")


@strawberry.type(description="The settings after the change, or why nothing was written.")
class ExitSettingsPayload:
    settings: ExitSettings | None = strawberry.field(description="The settings after the change.")
    errors: list[Error] = strawberry.field(description="Empty when the change was made.")


def record_payload(outcome: Outcome) -> ExitRecordPayload:
    return ExitRecordPayload(exit_record=ExitRecord.wrap(outcome.document), errors=errors_of(outcome.errors))


def _period(period: AttritionPeriodInput | None) -> tuple[Any, Any]:
    return (period.start, period.end) if period else (None, None)


def _filter(filter: AttritionFilterInput | None) -> reports.ReportFilter:
    if filter is None:
        return reports.ReportFilter()
    return reports.ReportFilter(department_id=filter.department_id, kind=filter.kind.value if filter.kind else None)


def _answers(answers: list[ExitAnswerInput]) -> list[dict[str, Any]]:
    return [{"question_id": a.question_id, "value": a.value} for a in answers]


@strawberry.type
class ExitQuery:
    @strawberry.field(description="One exit record: HR admins and its interviewer.")
    async def exit_record(
        self, info: Info[Context, Any],
        id: Annotated[strawberry.ID, strawberry.argument(description="The exit record's id.")],
    ) -> ExitRecord | None:
        return ExitRecord.wrap(await records.exit_record_by_id(info.context, id))

    @strawberry.field(description="Exit records, newest last day first: HR admins all, interviewers theirs.")
    async def exit_records(self, info: Info[Context, Any],
                           status: Annotated[ExitStatusEnum | None, strawberry.argument(
                               description="Only the records in this status.")] = None,
                           first: First = 20, after: After = None,
                           last: Last = None, before: Before = None) -> ExitRecordConnection | None:
        page = await records.exit_records(info.context, status.value if status else None,
                                          window(info, first, after, last, before))
        return ExitRecordConnection.of(page, ExitRecord.wrap)

    @strawberry.field(description="Reminders: open exits whose interview (or last day) is within withinDays or "
                                  "past; HR admins all, interviewers theirs; soonest first.", metadata=listed(100))
    async def due_exit_interviews(
        self, info: Info[Context, Any],
        within_days: Annotated[int, strawberry.argument(
            description="Interviews due within this many days (0 to 90), or overdue.")] = 7,
    ) -> list[ExitRecord] | None:
        return [r for r in map(ExitRecord.wrap, await records.due_interviews(info.context, within_days)) if r]

    @strawberry.field(description="The organisation's reason taxonomy.", metadata=listed(100))
    async def exit_reasons(
        self, info: Info[Context, Any],
        include_archived: Annotated[bool, strawberry.argument(description="Also the archived reasons.")] = False,
    ) -> list[ExitReason] | None:
        return [r for r in map(ExitReason.wrap, await records.reasons(info.context, include_archived)) if r]

    @strawberry.field(description="HR admins: exit interview templates, latest versions unless asked.",
                      metadata=listed(200))
    async def exit_interview_templates(
        self, info: Info[Context, Any],
        include_old_versions: Annotated[bool, strawberry.argument(
            description="Also the versions a newer one replaced.")] = False,
    ) -> list[ExitInterviewTemplate] | None:
        docs = await templates.templates(info.context, include_old_versions)
        return [t for t in map(ExitInterviewTemplate.wrap, docs) if t]

    @strawberry.field(description="Your own candid exit survey while it is open; null if you have none.")
    async def my_exit_survey(self, info: Info[Context, Any]) -> ExitSurvey | None:
        return ExitSurvey.wrap(await survey.my_survey(info.context))

    @strawberry.field(description="HR admins (the organisation) and managers (the people below them): attrition "
                                  "by group over a period, every figure over at least k leavers.")
    async def attrition_report(
        self, info: Info[Context, Any],
        group_by: Annotated[AttritionGroupByEnum, strawberry.argument(description="How the rows group.")],
        period: Annotated[AttritionPeriodInput | None, strawberry.argument(
            description="The period (default: the last 365 days; three years at most).")] = None,
        filter: Annotated[AttritionFilterInput | None, strawberry.argument(
            description="Only leavers of a department, or of a kind (which hides the survey's figures).")] = None,
    ) -> AttritionReport | None:
        start, end = _period(period)
        return AttritionReport.of(await reports.attrition_report(info.context, GroupBy(group_by), start, end,
                                                                 _filter(filter)))

    @strawberry.field(description="The organisation's exit settings.")
    async def exit_settings(self, info: Info[Context, Any]) -> ExitSettings | None:
        return ExitSettings.of(await records.settings(info.context))


@strawberry.type
class ExitMutation:
    @strawberry.mutation(description="HR admins: assign the interviewer and the day (pending or scheduled exits).")
    async def schedule_exit_interview(
        self, info: Info[Context, Any],
        exit_id: Annotated[strawberry.ID, strawberry.argument(description="The exit record's id.")],
        interviewer_id: Annotated[strawberry.ID, strawberry.argument(
            description="Who holds the interview (and may then see the record).")],
        on: Annotated[date, strawberry.argument(description="The interview's day.")],
    ) -> ExitRecordPayload:
        return record_payload(await records.schedule_interview(info.context, exit_id, interviewer_id, on))

    @strawberry.mutation(description="HR admins and the interviewer: the named interview's answers; completes it.")
    async def record_exit_interview(
        self, info: Info[Context, Any],
        exit_id: Annotated[strawberry.ID, strawberry.argument(description="The exit record's id.")],
        answers: Annotated[list[ExitAnswerInput], strawberry.argument(
            description="The named interview's answers, by question id.")],
    ) -> ExitRecordPayload:
        return record_payload(await records.record_interview(info.context, exit_id, _answers(answers)))

    @strawberry.mutation(description="HR admins: kind, regretted, reasons, rehire eligibility, notes.")
    async def classify_exit(
        self, info: Info[Context, Any],
        exit_id: Annotated[strawberry.ID, strawberry.argument(description="The exit record's id.")],
        input: Annotated[ClassifyExitInput, strawberry.argument(
            description="HR's classification: kind, regretted, reasons, rehire eligibility, notes.")],
    ) -> ExitRecordPayload:
        return record_payload(await records.classify(info.context, exit_id, sent(input)))

    @strawberry.mutation(description="HR admins: create (id null) or change an exit reason.")
    async def save_exit_reason(
        self, info: Info[Context, Any],
        input: Annotated[ExitReasonInput, strawberry.argument(
            description="Its code, label, category and whether it is archived.")],
        id: Annotated[strawberry.ID | None, strawberry.argument(
            description="The reason to change; null: a new one.")] = None,
    ) -> ExitReasonPayload:
        data = {k: (v.value if hasattr(v, "value") else v) for k, v in sent(input).items()}
        outcome = await records.save_reason(info.context, id, data)
        return ExitReasonPayload(reason=ExitReason.wrap(outcome.document), errors=errors_of(outcome.errors))

    @strawberry.mutation(description="HR admins: create (id null) or edit an exit interview template.")
    async def save_exit_interview_template(
        self, info: Info[Context, Any],
        input: Annotated[ExitInterviewTemplateInput, strawberry.argument(
            description="Its name, department and questions.")],
        id: Annotated[strawberry.ID | None, strawberry.argument(
            description="The template to change; null: a new one.")] = None,
    ) -> ExitInterviewTemplatePayload:
        data = {"name": input.name, "department_id": input.department_id,
                "questions": [{"id": key_in(id, q.id) if id and q.id else q.id, "kind": q.kind.value,
                               "text": q.text, "options": q.options, "required": q.required}
                              for q in input.questions]}
        outcome = await templates.save_template(info.context, id, data)
        doc = outcome.document
        return ExitInterviewTemplatePayload(template=ExitInterviewTemplate.wrap(doc), errors=errors_of(outcome.errors),
                                            new_version=bool(doc and id and doc["_id"] != id))

    @strawberry.mutation(description="The leaver: answer your candid exit survey, once. Anonymous: nothing stored "
                                     "names you, and nothing comes back.")
    async def submit_exit_survey(
        self, info: Info[Context, Any],
        answers: Annotated[list[ExitAnswerInput], strawberry.argument(
            description="Your candid answers, by question id (stored without any author).")],
    ) -> ExitSurveyPayload:
        outcome = await survey.submit(info.context, _answers(answers))
        return ExitSurveyPayload(submitted=bool(outcome.extra.get("submitted")), errors=errors_of(outcome.errors))

    @strawberry.mutation(description="HR admins and the interviewer: tick off an item of the exit checklist.")
    async def complete_exit_checklist_item(
        self, info: Info[Context, Any],
        exit_id: Annotated[strawberry.ID, strawberry.argument(description="The exit record's id.")],
        item_id: ItemId,
    ) -> ExitRecordPayload:
        return record_payload(await checklist.complete_item(info.context, exit_id, item_id))

    @strawberry.mutation(description="HR admins and the interviewer: hand an open checklist item to someone else.")
    async def reassign_exit_checklist_item(
        self, info: Info[Context, Any],
        exit_id: Annotated[strawberry.ID, strawberry.argument(description="The exit record's id.")],
        item_id: ItemId,
        owner_id: Annotated[strawberry.ID, strawberry.argument(description="Who takes the work over.")],
    ) -> ExitRecordPayload:
        return record_payload(await checklist.reassign_item(info.context, exit_id, item_id, owner_id))

    @strawberry.mutation(description="HR admins: k, the survey's rolling window and its opening days.")
    async def save_exit_settings(
        self, info: Info[Context, Any],
        input: Annotated[ExitSettingsInput, strawberry.argument(
            description="The organisation's k, rolling window and survey days.")],
    ) -> ExitSettingsPayload:
        keys = {"k": "k", "window_months": "windowMonths", "survey_opens_days_before": "surveyOpensDaysBefore",
                "survey_closes_days_after": "surveyClosesDaysAfter"}
        outcome = await records.save_settings(info.context, {keys[k]: v for k, v in sent(input).items()})
        return ExitSettingsPayload(settings=ExitSettings.of(outcome.document) if outcome.document else None,
                                   errors=errors_of(outcome.errors))


@strawberry.type
class ExitSubscription:
    @strawberry.subscription(description="HR admins and the interviewer: the exit record after each change.")
    async def exit_checklist_changed(
        self, info: Info[Context, Any],
        exit_id: Annotated[strawberry.ID, strawberry.argument(description="The exit record to follow.")],
    ) -> AsyncGenerator[ExitRecord, None]:
        async for doc in streams.exit_checklist_changed(info.context, exit_id):
            record = ExitRecord.wrap(doc)
            if record is not None:
                yield record

    @strawberry.subscription(description="HR admins and managers: the report again after an exit is opened, "
                                         "withdrawn, classified or interviewed (figures only above k).")
    async def attrition_report_changed(
        self, info: Info[Context, Any],
        group_by: Annotated[AttritionGroupByEnum, strawberry.argument(description="As for `attritionReport`.")],
        period: Annotated[AttritionPeriodInput | None, strawberry.argument(
            description="As for `attritionReport`.")] = None,
        filter: Annotated[AttritionFilterInput | None, strawberry.argument(
            description="As for `attritionReport`.")] = None,
    ) -> AsyncGenerator[AttritionReport, None]:
        start, end = _period(period)
        async for labelled in streams.attrition_report_changed(info.context, GroupBy(group_by), start, end,
                                                               _filter(filter)):
            yield AttritionReport.of(labelled)
