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
    since: date | None = None
    until: date | None = None
    direction: DirectionEnum | None = None
    tag: str | None = None


@strawberry.input
class GiveFeedbackInput:
    recipient_id: strawberry.ID
    text: str
    tags: list[str] | None = None
    visibility: VisibilityEnum = Visibility.PRIVATE


@strawberry.input(description="Only the fields sent are changed; within 15 minutes of giving.")
class EditFeedbackInput:
    text: str | None = strawberry.UNSET
    tags: list[str] | None = strawberry.UNSET


@strawberry.input(description="To a manager above you; nothing about you is kept with it.")
class AnonymousFeedbackInput:
    manager_id: strawberry.ID
    text: str
    tags: list[str] | None = None


@strawberry.input
class RequestFeedbackInput:
    respondent_ids: list[strawberry.ID]
    question: str
    due_date: date
    subject_id: strawberry.ID | None = strawberry.field(default=None, description="Default: yourself.")
    anonymous: bool = strawberry.field(default=False, description="Ask your reports for anonymous upward feedback "
                                                                  "about yourself.")


@strawberry.input
class AnswerFeedbackRequestInput:
    text: str
    tags: list[str] | None = None
    visibility: VisibilityEnum | None = strawberry.field(
        default=None, description="Default: PRIVATE for a request about the requester, MANAGER_ONLY for one about "
                                  "a report; ignored for anonymous requests.")


@strawberry.input(description="Only the fields sent are changed.")
class FeedbackSettingsInput:
    anonymity_threshold: int | None = strawberry.UNSET
    values: list[str] | None = strawberry.UNSET
    competencies: list[str] | None = strawberry.UNSET


@strawberry.input
class PostPraiseInput:
    recipient_ids: list[strawberry.ID]
    message: str
    value: str = strawberry.field(description="One of the organisation's values.")


@strawberry.input
class CreateFollowUpInput:
    feedback_id: strawberry.ID = strawberry.field(description="Attributed or (its manager only) anonymous feedback.")
    text: str
    due_date: date
    owner_id: strawberry.ID | None = strawberry.field(default=None, description="Default: the feedback's recipient.")


@strawberry.input(description="Only the fields sent are changed.")
class UpdateFollowUpInput:
    text: str | None = strawberry.UNSET
    due_date: date | None = strawberry.UNSET
    owner_id: strawberry.ID | None = strawberry.UNSET
    done: bool | None = strawberry.UNSET
