"""Check-in queries, mutations and the live ``checkInUpdated`` subscription."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import date
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from models.checkins.rules import Cadence, CheckInStatus
from resolvers.checkins import mutations as checkins_mutations
from resolvers.checkins import queries as checkins
from resolvers.checkins import schedule as checkins_schedule
from resolvers.checkins import settings as checkins_settings
from resolvers.checkins import subscriptions as checkins_subscriptions
from resolvers.core.context import Context
from resolvers.core.outcome import Outcome
from schema.checkins.inputs import ActionItemInput, CheckInTemplateInput, UpdateActionItemInput
from schema.checkins.types import (
    ActionItem,
    CadenceEnum,
    CheckIn,
    CheckInEvent,
    CheckInParticipation,
    CheckInProgressUpdate,
    CheckInSeries,
    CheckInTemplate,
    CheckInTimeline,
    OverdueCheckIn,
    TalkingPoint,
)
from schema.core.cost import listed
from schema.core.errors import Error, errors_of
from schema.org.inputs import provided
from schema.org.root import DepartmentPayload
from schema.org.types import DepartmentFields, EmployeeFields


@strawberry.type
class CheckInPayload:
    check_in: CheckIn | None
    errors: list[Error]


@strawberry.type
class TalkingPointPayload:
    check_in: CheckIn | None
    talking_point: TalkingPoint | None
    conflict: TalkingPoint | None = strawberry.field(
        description="On a CONFLICT: the talking point as it is now (current text and version).")
    errors: list[Error]


@strawberry.type
class ActionItemPayload:
    action_item: ActionItem | None
    check_in: CheckIn | None
    errors: list[Error]


@strawberry.type
class PrivateNotePayload:
    check_in: CheckIn | None
    note: str | None
    errors: list[Error]


@strawberry.type
class CheckInProgressPayload:
    check_in: CheckIn | None
    progress_update: CheckInProgressUpdate | None
    errors: list[Error]


@strawberry.type
class CheckInSeriesPayload:
    series: CheckInSeries | None
    errors: list[Error]


@strawberry.type
class CheckInTemplatePayload:
    template: CheckInTemplate | None
    errors: list[Error]


def check_in_payload(outcome: Outcome) -> CheckInPayload:
    return CheckInPayload(check_in=CheckIn.wrap(outcome.document), errors=errors_of(outcome.errors))


def talking_point_payload(outcome: Outcome) -> TalkingPointPayload:
    return TalkingPointPayload(check_in=CheckIn.wrap(outcome.document),
                               talking_point=TalkingPoint.wrap(outcome.extra.get("talking_point")),
                               conflict=TalkingPoint.wrap(outcome.extra.get("conflict")),
                               errors=errors_of(outcome.errors))


def action_item_payload(outcome: Outcome) -> ActionItemPayload:
    shown_in = outcome.document["sequence"] if outcome.document else None
    return ActionItemPayload(action_item=ActionItem.wrap(outcome.extra.get("action_item"), shown_in),
                             check_in=CheckIn.wrap(outcome.document), errors=errors_of(outcome.errors))


def progress_payload(outcome: Outcome) -> CheckInProgressPayload:
    return CheckInProgressPayload(check_in=CheckIn.wrap(outcome.document),
                                  progress_update=CheckInProgressUpdate.wrap(outcome.extra.get("progress")),
                                  errors=errors_of(outcome.errors))


def private_note_payload(outcome: Outcome) -> PrivateNotePayload:
    note = outcome.extra.get("note")
    return PrivateNotePayload(check_in=CheckIn.wrap(outcome.document), note=note["text"] if note else None,
                              errors=errors_of(outcome.errors))


def department_payload(outcome: Outcome) -> DepartmentPayload:
    return DepartmentPayload(department=DepartmentFields.wrap(outcome.document), errors=errors_of(outcome.errors))


def series_payload(outcome: Outcome) -> CheckInSeriesPayload:
    return CheckInSeriesPayload(series=CheckInSeries.wrap(outcome.document), errors=errors_of(outcome.errors))


def template_payload(outcome: Outcome) -> CheckInTemplatePayload:
    return CheckInTemplatePayload(template=CheckInTemplate.wrap(outcome.document), errors=errors_of(outcome.errors))


@strawberry.type
class CheckInQuery:
    @strawberry.field(description="One check-in; null for an unknown id.")
    async def check_in(
        self, info: Info[Context, Any],
        id: Annotated[strawberry.ID, strawberry.argument(description="The check-in's id (CheckIn.id).")],
    ) -> CheckIn | None:
        return CheckIn.wrap(await checkins.check_in(info.context, id))

    @strawberry.field(description="Someone's check-ins: upcoming, and the last `past` (≤ 100) held or skipped; "
                                  "null (with the error) when refused.")
    async def check_ins(
        self, info: Info[Context, Any],
        employee_id: Annotated[strawberry.ID, strawberry.argument(description=(
            "The employee whose check-ins to read (yourself, one of your reports, or anyone for HR admins)."))],
        past: Annotated[int, strawberry.argument(description=(
            "How many held or skipped check-ins to include, newest first, 0 to 100."))] = 10,
    ) -> CheckInTimeline | None:
        timeline = await checkins.check_ins(info.context, employee_id, past)
        return CheckInTimeline(employee=EmployeeFields.of(timeline.employee),
                               upcoming=CheckIn.wrap_all(timeline.upcoming), past=CheckIn.wrap_all(timeline.past))

    @strawberry.field(
        metadata=listed(200),
        description="Managers: series below you; HR admins: all. Most overdue first. Null (with the "
                                  "error) when refused.")
    async def overdue_check_ins(
        self, info: Info[Context, Any],
        as_of: Annotated[date | None, strawberry.argument(description=(
            "The day to count from; omitted, today (UTC)."))] = None,
    ) -> list[OverdueCheckIn] | None:
        found = await checkins.overdue_check_ins(info.context, as_of)
        return [OverdueCheckIn(series=series, cadence=o.cadence, days_overdue=o.days_overdue)
                for o in found if (series := CheckInSeries.wrap(o.series)) is not None]

    @strawberry.field(
        metadata=listed(100),
        description="HR admins: completion of the check-ins due in a period, by department and cadence; "
                                  "null (with the error) when refused.")
    async def check_in_participation(
        self, info: Info[Context, Any],
        from_: Annotated[date, strawberry.argument(name="from", description="The period's first day.")],
        to: Annotated[date, strawberry.argument(description="The period's last day.")],
        as_of: Annotated[date | None, strawberry.argument(description=(
            "Check-ins scheduled after this day are not yet due; omitted, today (UTC)."))] = None,
    ) -> list[CheckInParticipation] | None:
        rows = await checkins.participation(info.context, from_, to, as_of)
        return [CheckInParticipation.wrap(row) for row in rows]

    @strawberry.field(metadata=listed(50), description=(
        "HR admins: every check-in template of the organisation, by name."))
    async def check_in_templates(self, info: Info[Context, Any]) -> list[CheckInTemplate]:
        return [t for t in map(CheckInTemplate.wrap, await checkins.templates(info.context)) if t is not None]


@strawberry.type
class CheckInMutation:
    @strawberry.mutation(description="HR admins: a department's cadence; its series follow from their next occurrence.")
    async def set_department_cadence(
        self, info: Info[Context, Any],
        department_id: Annotated[strawberry.ID, strawberry.argument(description="The department.")],
        cadence: Annotated[CadenceEnum, strawberry.argument(description=(
            "How often its check-ins meet from now on."))],
    ) -> DepartmentPayload:
        return department_payload(
            await checkins_settings.set_department_cadence(info.context, department_id, Cadence(cadence)))

    @strawberry.mutation(description="HR admins: create a check-in template (id omitted) or change one.")
    async def save_check_in_template(
        self, info: Info[Context, Any],
        input: Annotated[CheckInTemplateInput, strawberry.argument(description="The template's fields.")],
        id: Annotated[strawberry.ID | None, strawberry.argument(description=(
            "The template to change; omitted, a new one is created."))] = None,
    ) -> CheckInTemplatePayload:
        return template_payload(await checkins_settings.save_template(info.context, id, provided(input)))

    @strawberry.mutation(description="HR admins: the organisation's default check-in template.")
    async def set_default_check_in_template(
        self, info: Info[Context, Any],
        template_id: Annotated[strawberry.ID, strawberry.argument(description=(
            "The template every department without its own uses."))],
    ) -> CheckInTemplatePayload:
        return template_payload(await checkins_settings.set_default_template(info.context, template_id))

    @strawberry.mutation(description="HR admins: a department's own template (null: the organisation's default).")
    async def set_department_check_in_template(
        self, info: Info[Context, Any],
        department_id: Annotated[strawberry.ID, strawberry.argument(description="The department.")],
        template_id: Annotated[strawberry.ID | None, strawberry.argument(description=(
            "Its own template; null: the organisation's default."))],
    ) -> DepartmentPayload:
        return department_payload(
            await checkins_settings.set_department_template(info.context, department_id, template_id))

    @strawberry.mutation(description="The manager or HR: start check-ins between someone and their manager.")
    async def start_check_in_series(
        self, info: Info[Context, Any],
        employee_id: Annotated[strawberry.ID, strawberry.argument(description=(
            "The employee; the series is with their current manager."))],
        first_on: Annotated[date | None, strawberry.argument(description=(
            "The day of the first check-in; omitted, the next one the cadence gives."))] = None,
        cadence: Annotated[CadenceEnum | None, strawberry.argument(description=(
            "How often they meet; omitted, the department's cadence."))] = None,
    ) -> CheckInSeriesPayload:
        return series_payload(await checkins_schedule.start_series(info.context, employee_id, first_on,
                                                                   Cadence(cadence) if cadence else None))

    @strawberry.mutation(description="The series' manager or HR: override its cadence (null: the department's).")
    async def set_check_in_series_cadence(
        self, info: Info[Context, Any],
        series_id: Annotated[strawberry.ID, strawberry.argument(description="The series.")],
        cadence: Annotated[CadenceEnum | None, strawberry.argument(description=(
            "Its own cadence; null: follow the department's."))],
    ) -> CheckInSeriesPayload:
        return series_payload(await checkins_schedule.set_series_cadence(info.context, series_id,
                                                                         Cadence(cadence) if cadence else None))

    @strawberry.mutation(description="Add a talking point to an open check-in you take part in.")
    async def add_talking_point(
        self, info: Info[Context, Any],
        check_in_id: Annotated[strawberry.ID, strawberry.argument(description="The check-in.")],
        text: Annotated[str, strawberry.argument(description="What to talk about, 1 to 5,000 characters.")],
    ) -> TalkingPointPayload:
        return talking_point_payload(await checkins_mutations.add_talking_point(info.context, check_in_id, text))

    @strawberry.mutation(description="Refused with CONFLICT (and the current value) if `version` is stale.")
    async def update_talking_point(
        self, info: Info[Context, Any],
        check_in_id: Annotated[strawberry.ID, strawberry.argument(description="The check-in.")],
        talking_point_id: Annotated[strawberry.ID, strawberry.argument(description=(
            "The talking point (TalkingPoint.id)."))],
        version: Annotated[int, strawberry.argument(description=(
            "The version you edited (TalkingPoint.version); a stale one is refused with CONFLICT."))],
        text: Annotated[str, strawberry.argument(description="Its new text, 1 to 5,000 characters.")],
    ) -> TalkingPointPayload:
        return talking_point_payload(await checkins_mutations.change_talking_point(
            info.context, check_in_id, talking_point_id, version, text))

    @strawberry.mutation(description="Refused with CONFLICT (and the current value) if `version` is stale.")
    async def remove_talking_point(
        self, info: Info[Context, Any],
        check_in_id: Annotated[strawberry.ID, strawberry.argument(description="The check-in.")],
        talking_point_id: Annotated[strawberry.ID, strawberry.argument(description="The talking point to remove.")],
        version: Annotated[int, strawberry.argument(description=(
            "The version you saw; a stale one is refused with CONFLICT."))],
    ) -> TalkingPointPayload:
        return talking_point_payload(await checkins_mutations.change_talking_point(
            info.context, check_in_id, talking_point_id, version, None, remove=True))

    @strawberry.mutation(description="Your own answer to one of the check-in's questions.")
    async def answer_check_in_question(
        self, info: Info[Context, Any],
        check_in_id: Annotated[strawberry.ID, strawberry.argument(description="The check-in.")],
        question_id: Annotated[strawberry.ID, strawberry.argument(description=(
            "The question (CheckInQuestion.id)."))],
        text: Annotated[str, strawberry.argument(description=(
            "Your answer, 1 to 5,000 characters (replacing your earlier one)."))],
    ) -> CheckInPayload:
        return check_in_payload(await checkins_mutations.answer_question(info.context, check_in_id, question_id, text))

    @strawberry.mutation(description="Mood or confidence, 1–5.")
    async def rate_check_in(
        self, info: Info[Context, Any],
        check_in_id: Annotated[strawberry.ID, strawberry.argument(description="The check-in.")],
        rating: Annotated[int, strawberry.argument(description="1 (low) to 5 (high).")],
    ) -> CheckInPayload:
        return check_in_payload(await checkins_mutations.rate(info.context, check_in_id, rating))

    @strawberry.mutation(description="Your private note on a check-in: only you will ever see it.")
    async def set_check_in_private_note(
        self, info: Info[Context, Any],
        check_in_id: Annotated[strawberry.ID, strawberry.argument(description="The check-in.")],
        text: Annotated[str, strawberry.argument(description=(
            "Your note, at most 5,000 characters (empty removes it)."))],
    ) -> PrivateNotePayload:
        return private_note_payload(await checkins_mutations.set_private_note(info.context, check_in_id, text))

    @strawberry.mutation(description="Add an action item to a check-in you take part in.")
    async def add_action_item(
        self, info: Info[Context, Any],
        check_in_id: Annotated[strawberry.ID, strawberry.argument(description="The check-in.")],
        input: Annotated[ActionItemInput, strawberry.argument(description="The action item.")],
    ) -> ActionItemPayload:
        data = {"owner_id": input.owner_id, "text": input.text, "due_on": input.due_on}
        return action_item_payload(await checkins_mutations.add_action_item(info.context, check_in_id, data))

    @strawberry.mutation(description="Change or tick off an action item.")
    async def update_action_item(
        self, info: Info[Context, Any],
        action_item_id: Annotated[strawberry.ID, strawberry.argument(description=(
            "The action item (ActionItem.id)."))],
        input: Annotated[UpdateActionItemInput, strawberry.argument(description=(
            "The fields to change; the others stay as they are."))],
    ) -> ActionItemPayload:
        return action_item_payload(
            await checkins_mutations.update_action_item(info.context, action_item_id, provided(input)))

    @strawberry.mutation(description="Link one of the employee's goals to discuss it in the check-in.")
    async def link_check_in_goal(
        self, info: Info[Context, Any],
        check_in_id: Annotated[strawberry.ID, strawberry.argument(description="The check-in.")],
        goal_id: Annotated[strawberry.ID, strawberry.argument(description=(
            "One of the employee's goals that you may see."))],
    ) -> CheckInPayload:
        return check_in_payload(await checkins_mutations.link_goal(info.context, check_in_id, goal_id))

    @strawberry.mutation(description="Unlink a goal from a check-in; its recorded progress stays on the goal.")
    async def unlink_check_in_goal(
        self, info: Info[Context, Any],
        check_in_id: Annotated[strawberry.ID, strawberry.argument(description="The check-in.")],
        goal_id: Annotated[strawberry.ID, strawberry.argument(description="The linked goal.")],
    ) -> CheckInPayload:
        return check_in_payload(await checkins_mutations.link_goal(info.context, check_in_id, goal_id, link=False))

    @strawberry.mutation(description="Progress on a key result of a linked goal, written through to the goal.")
    async def record_check_in_progress(
        self, info: Info[Context, Any],
        check_in_id: Annotated[strawberry.ID, strawberry.argument(description="The check-in.")],
        key_result_id: Annotated[strawberry.ID, strawberry.argument(description=(
            "A key result of a goal linked to the check-in."))],
        value: Annotated[float, strawberry.argument(description="Its current value now, in its unit.")],
        comment: Annotated[str | None, strawberry.argument(description=(
            "Why it moved (at most 5,000 characters)."))] = None,
    ) -> CheckInProgressPayload:
        return progress_payload(
            await checkins_mutations.record_progress(info.context, check_in_id, key_result_id, value, comment))

    @strawberry.mutation(description="Mark the check-in held (default today) and schedule the next one.")
    async def complete_check_in(
        self, info: Info[Context, Any],
        check_in_id: Annotated[strawberry.ID, strawberry.argument(description="The check-in.")],
        held_on: Annotated[date | None, strawberry.argument(description=(
            "The day it was held; omitted, today (UTC)."))] = None,
    ) -> CheckInPayload:
        return check_in_payload(await checkins_schedule.close_check_in(info.context, check_in_id,
                                                                       CheckInStatus.COMPLETED, held_on))

    @strawberry.mutation(description="Skip the check-in and schedule the next one.")
    async def skip_check_in(
        self, info: Info[Context, Any],
        check_in_id: Annotated[strawberry.ID, strawberry.argument(description="The check-in.")],
    ) -> CheckInPayload:
        return check_in_payload(await checkins_schedule.close_check_in(info.context, check_in_id,
                                                                       CheckInStatus.SKIPPED))


@strawberry.type
class CheckInSubscription:
    @strawberry.subscription(description="Edits of a check-in, pushed to its two participants only.")
    async def check_in_updated(
        self, info: Info[Context, Any],
        check_in_id: Annotated[strawberry.ID, strawberry.argument(description="A check-in you take part in.")],
    ) -> AsyncGenerator[CheckInEvent, None]:
        async for message in checkins_subscriptions.check_in_updated(info.context, check_in_id):
            check_in = CheckIn.wrap(message["checkIn"])
            assert check_in is not None
            yield CheckInEvent(kind=message["kind"], check_in_id=message["checkInId"], by_id=message["byId"],
                               talking_point_id=message.get("talkingPointId"), check_in=check_in)
