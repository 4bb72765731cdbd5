"""Feedback queries, mutations and the ``feedbackReceived`` subscription (praise: schema/feedback/praise.py)."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from models.feedback.rules import FeedbackFilterSpec
from resolvers.core.context import Context
from resolvers.core.outcome import Outcome
from resolvers.feedback import anonymous as feedback_anonymous
from resolvers.feedback import follow_ups as feedback_follow_ups
from resolvers.feedback import mutations as feedback_mutations
from resolvers.feedback import queries as feedback
from resolvers.feedback import subscriptions as feedback_subscriptions
from schema.core.cost import listed
from schema.core.errors import Error, errors_of
from schema.core.pagination import After, Before, First, Last, window
from schema.feedback.inputs import (
    AnonymousFeedbackInput,
    AnswerFeedbackRequestInput,
    CreateFollowUpInput,
    EditFeedbackInput,
    FeedbackFilter,
    FeedbackSettingsInput,
    GiveFeedbackInput,
    RequestFeedbackInput,
    UpdateFollowUpInput,
)
from schema.feedback.types import (
    AnonymousFeedback,
    AnonymousFeedbackSummary,
    DepartmentFollowUpStats,
    Feedback,
    FeedbackConnection,
    FeedbackEvent,
    FeedbackRequest,
    FeedbackSettings,
    FollowUp,
)
from schema.org.inputs import provided
from schema.org.types import DepartmentFields

FilterArg = Annotated[FeedbackFilter | None, strawberry.argument(
    description="Which items to list; omitted, all of them.")]


PersonBelowArg = Annotated[strawberry.ID, strawberry.argument(
    description="The person, someone below you in the org chart.")]


@strawberry.type
class FeedbackPayload:
    feedback: Feedback | None
    errors: list[Error]


@strawberry.type(description="Whether it was sent; nothing identifying the sender comes back, not even an id.")
class AnonymousFeedbackPayload:
    sent: bool
    errors: list[Error]


@strawberry.type
class FeedbackRequestPayload:
    request: FeedbackRequest | None
    errors: list[Error]


@strawberry.type(description="feedback is null for an anonymous request: the answer became anonymous feedback.")
class AnswerFeedbackRequestPayload:
    feedback: Feedback | None
    request: FeedbackRequest | None
    errors: list[Error]


@strawberry.type
class FeedbackSettingsPayload:
    settings: FeedbackSettings | None
    errors: list[Error]


@strawberry.type
class FollowUpPayload:
    follow_up: FollowUp | None
    errors: list[Error]


def spec_of(filter: FeedbackFilter | None) -> FeedbackFilterSpec:
    if filter is None:
        return FeedbackFilterSpec()
    return FeedbackFilterSpec(filter.since, filter.until, filter.direction.value if filter.direction else None,
                              filter.tag)


def feedback_payload(outcome: Outcome) -> FeedbackPayload:
    return FeedbackPayload(feedback=Feedback.wrap(outcome.document), errors=errors_of(outcome.errors))


def follow_up_payload(outcome: Outcome) -> FollowUpPayload:
    return FollowUpPayload(follow_up=FollowUp.wrap(outcome.document), errors=errors_of(outcome.errors))


@strawberry.type
class FeedbackQuery:
    @strawberry.field(description="Feedback addressed to you (not the notes to your managers), newest first.")
    async def feedback_received(self, info: Info[Context, Any], filter: FilterArg = None,
                                first: First = 20, after: After = None, last: Last = None,
                                before: Before = None) -> FeedbackConnection:
        page = await feedback.feedback_received(info.context, spec_of(filter), window(info, first, after, last, before))
        return FeedbackConnection.of(page, Feedback.wrap)

    @strawberry.field(description="Feedback you gave under your name, newest first.")
    async def feedback_given(self, info: Info[Context, Any], filter: FilterArg = None,
                             first: First = 20, after: After = None, last: Last = None,
                             before: Before = None) -> FeedbackConnection:
        page = await feedback.feedback_given(info.context, spec_of(filter), window(info, first, after, last, before))
        return FeedbackConnection.of(page, Feedback.wrap)

    @strawberry.field(description="Managers: what you may see of the feedback someone below you received; null "
                                  "(with the error) when refused.")
    async def feedback_about(self, info: Info[Context, Any], employee_id: PersonBelowArg,
                             filter: FilterArg = None, first: First = 20, after: After = None,
                             last: Last = None, before: Before = None) -> FeedbackConnection | None:
        page = await feedback.feedback_about(info.context, employee_id, spec_of(filter),
                                             window(info, first, after, last, before))
        return FeedbackConnection.of(page, Feedback.wrap)

    @strawberry.field(description="One feedback item you may see; null otherwise.")
    async def feedback(
        self, info: Info[Context, Any],
        id: Annotated[strawberry.ID, strawberry.argument(description="The feedback's id (Feedback.id).")],
    ) -> Feedback | None:
        return Feedback.wrap(await feedback.feedback_by_id(info.context, id))

    @strawberry.field(
        metadata=listed(50),
        description="Requests asking you for feedback that you have not answered, soonest due first.")
    async def pending_feedback_requests(self, info: Info[Context, Any]) -> list[FeedbackRequest]:
        return FeedbackRequest.wrap_all(await feedback.pending_requests(info.context))

    @strawberry.field(description="Requests you made, newest first.")
    async def my_feedback_requests(self, info: Info[Context, Any], first: int = 20) -> list[FeedbackRequest]:
        return FeedbackRequest.wrap_all(await feedback.my_requests(info.context, first))

    @strawberry.field(description="A request you made or were asked; null otherwise.")
    async def feedback_request(
        self, info: Info[Context, Any],
        id: Annotated[strawberry.ID, strawberry.argument(description="The request's id (FeedbackRequest.id).")],
    ) -> FeedbackRequest | None:
        return FeedbackRequest.wrap(await feedback.request_by_id(info.context, id))

    @strawberry.field(description="Anonymous upward feedback sent to you for a period (default: the current one).")
    async def anonymous_feedback(
        self, info: Info[Context, Any],
        period: Annotated[str | None, strawberry.argument(description=(
            "A quarter such as \"2026-Q4\"; omitted, every released period."))] = None,
    ) -> AnonymousFeedbackSummary:
        summary = await feedback_anonymous.summary(info.context, period)
        return AnonymousFeedbackSummary(period=summary["period"], threshold=summary["threshold"],
                                        pending_count=summary["pending"],
                                        items=AnonymousFeedback.wrap_all(summary["items"]))

    @strawberry.field(description="Periods with anonymous upward feedback sent to you, newest first.")
    async def anonymous_feedback_periods(self, info: Info[Context, Any]) -> list[str]:
        return await feedback_anonymous.periods(info.context)

    @strawberry.field(metadata=listed(50), description="Follow-ups you own, soonest due first.")
    async def my_follow_ups(
        self, info: Info[Context, Any],
        include_done: Annotated[bool, strawberry.argument(description=(
            "Include done follow-ups (default false)."))] = False,
    ) -> list[FollowUp]:
        return FollowUp.wrap_all(await feedback_follow_ups.my_follow_ups(info.context, include_done))

    @strawberry.field(
        metadata=listed(200),
        description="HR admins: open and overdue follow-ups per department of the people concerned; "
                                  "null (with the error) when refused.")
    async def follow_up_stats(self, info: Info[Context, Any]) -> list[DepartmentFollowUpStats] | None:
        rows = await feedback_follow_ups.stats(info.context)
        return [DepartmentFollowUpStats(department=DepartmentFields.wrap(row["department"]), open=row["open"],
                                        overdue=row["overdue"]) for row in rows]

    @strawberry.field(description="The anonymity threshold, values and competencies (tags) of your organisation.")
    async def feedback_settings(self, info: Info[Context, Any]) -> FeedbackSettings:
        return FeedbackSettings.of(await feedback.settings(info.context))


@strawberry.type
class FeedbackMutation:
    @strawberry.mutation(description="Feedback to a colleague; its direction comes from the org chart.")
    async def give_feedback(
        self, info: Info[Context, Any],
        input: Annotated[GiveFeedbackInput, strawberry.argument(description="The feedback.")],
    ) -> FeedbackPayload:
        return feedback_payload(await feedback_mutations.give_feedback(info.context, vars(input)))

    @strawberry.mutation(description="Your own feedback, within 15 minutes of giving it (then TOO_LATE).")
    async def edit_feedback(
        self, info: Info[Context, Any],
        id: Annotated[strawberry.ID, strawberry.argument(description=(
            "Your feedback, given less than 15 minutes ago."))],
        input: Annotated[EditFeedbackInput, strawberry.argument(description=(
            "The fields to change; the others stay as they are."))],
    ) -> FeedbackPayload:
        return feedback_payload(await feedback_mutations.edit_feedback(info.context, id, provided(input)))

    @strawberry.mutation(description="Take back your own feedback; a tombstone stays.")
    async def retract_feedback(
        self, info: Info[Context, Any],
        id: Annotated[strawberry.ID, strawberry.argument(description=(
            "Your feedback to retract (it stays as a tombstone)."))],
    ) -> FeedbackPayload:
        return feedback_payload(await feedback_mutations.retract_feedback(info.context, id))

    @strawberry.mutation(description="Anonymous upward feedback to a manager above you: one per manager and period.")
    async def send_anonymous_feedback(
        self, info: Info[Context, Any],
        input: Annotated[AnonymousFeedbackInput, strawberry.argument(description="The anonymous feedback.")],
    ) -> AnonymousFeedbackPayload:
        outcome = await feedback_anonymous.send_anonymous(info.context, vars(input))
        return AnonymousFeedbackPayload(sent=not outcome.errors, errors=errors_of(outcome.errors))

    @strawberry.mutation(description="Ask colleagues for feedback about yourself or a report.")
    async def request_feedback(
        self, info: Info[Context, Any],
        input: Annotated[RequestFeedbackInput, strawberry.argument(description="The request.")],
    ) -> FeedbackRequestPayload:
        outcome = await feedback_mutations.request_feedback(info.context, vars(input))
        return FeedbackRequestPayload(request=FeedbackRequest.wrap(outcome.extra.get("request")),
                                      errors=errors_of(outcome.errors))

    @strawberry.mutation(description="Answer a request you were asked; this closes your part.")
    async def answer_feedback_request(
        self, info: Info[Context, Any],
        request_id: Annotated[strawberry.ID, strawberry.argument(description=(
            "A request you were asked and have not answered."))],
        input: Annotated[AnswerFeedbackRequestInput, strawberry.argument(description="Your answer.")],
    ) -> AnswerFeedbackRequestPayload:
        outcome = await feedback_mutations.answer_request(info.context, request_id, vars(input))
        return AnswerFeedbackRequestPayload(feedback=Feedback.wrap(outcome.document),
                                            request=FeedbackRequest.wrap(outcome.extra.get("request")),
                                            errors=errors_of(outcome.errors))

    @strawberry.mutation(description="HR admins: the anonymity threshold (at least 3), values and competencies.")
    async def set_feedback_settings(
        self, info: Info[Context, Any],
        input: Annotated[FeedbackSettingsInput, strawberry.argument(description=(
            "The settings to change; the others stay as they are."))],
    ) -> FeedbackSettingsPayload:
        outcome = await feedback_mutations.set_settings(info.context, provided(input))
        return FeedbackSettingsPayload(settings=FeedbackSettings.wrap(outcome.document),
                                       errors=errors_of(outcome.errors))

    @strawberry.mutation(description="An action item from feedback you received or feedback about your reports.")
    async def create_follow_up(
        self, info: Info[Context, Any],
        input: Annotated[CreateFollowUpInput, strawberry.argument(description="The follow-up.")],
    ) -> FollowUpPayload:
        return follow_up_payload(await feedback_follow_ups.create_follow_up(info.context, vars(input)))

    @strawberry.mutation(description="Change a follow-up or mark it done.")
    async def update_follow_up(
        self, info: Info[Context, Any],
        id: Annotated[strawberry.ID, strawberry.argument(description="The follow-up (FollowUp.id).")],
        input: Annotated[UpdateFollowUpInput, strawberry.argument(description=(
            "The fields to change; the others stay as they are."))],
    ) -> FollowUpPayload:
        return follow_up_payload(await feedback_follow_ups.update_follow_up(info.context, id, provided(input)))


@strawberry.type
class FeedbackSubscription:
    @strawberry.subscription(description="New feedback, requests and anonymous-feedback releases addressed to you.")
    async def feedback_received(self, info: Info[Context, Any]) -> AsyncGenerator[FeedbackEvent, None]:
        async for event in feedback_subscriptions.feedback_received(info.context):
            yield FeedbackEvent.of(event)
