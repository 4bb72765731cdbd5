"""GraphQL enums of the review domain, from the model enums."""

from __future__ import annotations

import strawberry

from models.reviews.cycles import SkipReason
from models.reviews.rules import (
    AnswerReader,
    CycleStatus,
    FeedbackVisibility,
    FormState,
    Phase,
    QuestionKind,
    ReviewerKind,
    ReviewState,
)

ReviewerKindEnum = strawberry.enum(ReviewerKind, name="ReviewerKind")
QuestionKindEnum = strawberry.enum(QuestionKind, name="QuestionKind")
AnswerReaderEnum = strawberry.enum(AnswerReader, name="AnswerReader")
FeedbackVisibilityEnum = strawberry.enum(FeedbackVisibility, name="ReviewFeedbackVisibility")
FormStateEnum = strawberry.enum(FormState, name="ReviewFormState")
ReviewStateEnum = strawberry.enum(ReviewState, name="ReviewState")
PhaseEnum = strawberry.enum(Phase, name="ReviewPhase")
CycleStatusEnum = strawberry.enum(CycleStatus, name="ReviewCycleStatus")
SkipReasonEnum = strawberry.enum(SkipReason, name="LaunchSkipReason")
