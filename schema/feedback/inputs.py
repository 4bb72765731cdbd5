"""Inputs of the feedback, request, praise and follow-up mutations, and the feedback filter."""

from __future__ import annotations

from datetime import date

import strawberry

from models.feedback.praise import ReactionKind
from models.feedback.rules import Visibility
from schema.core.descriptions import described_enum
from schema.feedback.types import DirectionEnum, VisibilityEnum

ReactionKindEnum = described_enum(ReactionKind, name="ReactionKind", description=(
    "A reaction to a praise; one per person: the same kind again removes it, another replaces it."), values={
    ReactionKind.LIKE: "A thumbs-up.",
    ReactionKind.CELEBRATE: "A celebration.",
    ReactionKind.HEART: "A heart.",
    ReactionKind.INSIGHTFUL: "Found it insightful.",
    ReactionKind.THANKS: "A thank-you.",
})


@strawberry.input(description="All given conditions must hold; days are UTC and inclusive.")
class FeedbackFilter:
    since: date | None = strawberry.field(default=None, description="Only items given on or after this day (UTC).")
    until: date | None = strawberry.field(default=None, description="Only items given on or before this day (UTC).")
    direction: DirectionEnum | None = strawberry.field(default=None, description="Only items in this direction.")
    tag: str | None = strawberry.field(default=None, description="Only items carrying this tag.")


@strawberry.input(description="Feedback to someone, under your name.")
class GiveFeedbackInput:
    recipient_id: strawberry.ID = strawberry.field(description=(
        "Whom it is for: someone else in your organisation who has not left."))
    text: str = strawberry.field(description="The feedback, 1 to 5,000 characters.")
    tags: list[str] | None = strawberry.field(default=None, description=(
        "Its tags, at most 10, each one of the organisation's values or competencies (FeedbackSettings)."))
    visibility: VisibilityEnum = strawberry.field(default=Visibility.PRIVATE, description=(
        "Who reads it besides you."))


@strawberry.input(description="Only the fields sent are changed; within 15 minutes of giving.")
class EditFeedbackInput:
    text: str | None = strawberry.field(default=strawberry.UNSET, description="A new text, 1 to 5,000 characters.")
    tags: list[str] | None = strawberry.field(default=strawberry.UNSET, description=(
        "The whole new set of tags, at most 10, each one of the organisation's values or competencies "
        "(FeedbackSettings)."))


@strawberry.input(description="To a manager above you; nothing about you is kept with it.")
class AnonymousFeedbackInput:
    manager_id: strawberry.ID = strawberry.field(description=(
        "The manager it is for: one of your managers (direct or indirect)."))
    text: str = strawberry.field(description="The feedback, 1 to 5,000 characters; nothing records who wrote it.")
    tags: list[str] | None = strawberry.field(default=None, description=(
        "Its tags, at most 10, each one of the organisation's values or competencies (FeedbackSettings)."))


@strawberry.input(description="A request asking colleagues for feedback about you (or, as a manager, a report).")
class RequestFeedbackInput:
    respondent_ids: list[strawberry.ID] = strawberry.field(description=(
        "Whom to ask: 1 to 20 colleagues who have not left, never yourself."))
    question: str = strawberry.field(description="What to answer, 1 to 1,000 characters.")
    due_date: date = strawberry.field(description="When answers are due: from today to a year ahead.")
    subject_id: strawberry.ID | None = strawberry.field(default=None, description="Default: yourself.")
    anonymous: bool = strawberry.field(default=False, description="Ask your reports for anonymous upward feedback "
                                                                  "about yourself.")


@strawberry.input(description="Your answer to a request you were asked.")
class AnswerFeedbackRequestInput:
    text: str = strawberry.field(description="The answer, 1 to 5,000 characters.")
    tags: list[str] | None = strawberry.field(default=None, description=(
        "Its tags, at most 10, each one of the organisation's values or competencies (FeedbackSettings)."))
    visibility: VisibilityEnum | None = strawberry.field(
        default=None, description="Default: PRIVATE for a request about the requester, MANAGER_ONLY for one about "
                                  "a report; ignored for anonymous requests.")


@strawberry.input(description="Only the fields sent are changed.")
class FeedbackSettingsInput:
    anonymity_threshold: int | None = strawberry.field(default=strawberry.UNSET, description=(
        "How many anonymous items a batch needs before the manager reads it, 3 to 50."))
    values: list[str] | None = strawberry.field(default=strawberry.UNSET, description=(
        "The organisation's values, usable as tags and praise values (at most 30)."))
    competencies: list[str] | None = strawberry.field(default=strawberry.UNSET, description=(
        "The competencies usable as tags (at most 30)."))


@strawberry.input(description="Praise for one or more colleagues, shown to the whole organisation.")
class PostPraiseInput:
    recipient_ids: list[strawberry.ID] = strawberry.field(description=(
        "Whom to praise: 1 to 10 colleagues, never yourself."))
    message: str = strawberry.field(description="The praise, 1 to 2,000 characters.")
    value: str = strawberry.field(description="One of the organisation's values.")


@strawberry.input(description="A follow-up on feedback someone received: something to act on, by a date.")
class CreateFollowUpInput:
    feedback_id: strawberry.ID = strawberry.field(description="Attributed or (its manager only) anonymous feedback.")
    text: str = strawberry.field(description="What to do, 1 to 1,000 characters.")
    due_date: date = strawberry.field(description="When it is due.")
    owner_id: strawberry.ID | None = strawberry.field(default=None, description="Default: the feedback's recipient.")


@strawberry.input(description="Only the fields sent are changed.")
class UpdateFollowUpInput:
    text: str | None = strawberry.field(default=strawberry.UNSET, description="A new text, 1 to 1,000 characters.")
    due_date: date | None = strawberry.field(default=strawberry.UNSET, description="A new due day.")
    owner_id: strawberry.ID | None = strawberry.field(default=strawberry.UNSET, description=(
        "Who acts on it now: the person concerned or one of their managers."))
    done: bool | None = strawberry.field(default=strawberry.UNSET, description="Done (true) or open again (false).")
