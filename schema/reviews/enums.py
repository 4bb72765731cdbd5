"""GraphQL enums of the review domain, from the model enums."""

from __future__ import annotations

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
from schema.core.descriptions import described_enum

ReviewerKindEnum = described_enum(ReviewerKind, name="ReviewerKind", description="Who fills in a review form.", values={
    ReviewerKind.SELF: "The reviewee, about themself.",
    ReviewerKind.MANAGER: "The reviewee's manager (the review's manager).",
    ReviewerKind.PEER: "A colleague nominated as a peer reviewer.",
    ReviewerKind.UPWARD: "One of the reviewee's direct reports, about their manager.",
})
QuestionKindEnum = described_enum(QuestionKind, name="QuestionKind", description="How a review question is answered.",
                                  values={
    QuestionKind.RATING: "A number on the question's rating scale (its labels' values); scored.",
    QuestionKind.TEXT: "Free text (at most 5,000 characters); not scored.",
    QuestionKind.CHOICE: "One of the question's choices, as text; not scored.",
    QuestionKind.COMPETENCY: "A level from 1 to 5 of the question's competency; scored.",
    QuestionKind.GOALS: "A rating of each of the reviewee's goals of the review period; scored (their mean).",
})
AnswerReaderEnum = described_enum(AnswerReader, name="AnswerReader", description=(
    "Who, besides the reviewer and HR admins, may read a question's answers."), values={
    AnswerReader.REVIEWEE: "The reviewee, once the review is shared.",
    AnswerReader.MANAGER: "The reviewee's management chain.",
})
FeedbackVisibilityEnum = described_enum(FeedbackVisibility, name="ReviewFeedbackVisibility", description=(
    "How peer (or upward) answers are shown to the reviewee once the review is shared."), values={
    FeedbackVisibility.NAMED: "The forms themselves, with their reviewers' names.",
    FeedbackVisibility.ANONYMOUS: "Only as an unnamed aggregate (Review.feedback), and only with at least 3 "
                                  "submitted answers.",
    FeedbackVisibility.HIDDEN: "Not at all: for the reviewee's managers and HR admins only.",
})
FormStateEnum = described_enum(FormState, name="ReviewFormState", description="Where a review form stands.", values={
    FormState.NOT_STARTED: "Issued, nothing answered yet.",
    FormState.IN_PROGRESS: "At least one answer saved, not submitted.",
    FormState.SUBMITTED: "Submitted by its reviewer; read-only from then on.",
})
ReviewStateEnum = described_enum(ReviewState, name="ReviewState", description=(
    "Where one person's review stands, in order; the moves are in docs/domains/reviews.md."), values={
    ReviewState.SELF_REVIEW: "The reviewee writes their self review.",
    ReviewState.MANAGER_REVIEW: "The manager writes theirs (peer and upward forms may still come in).",
    ReviewState.CALIBRATION: "HR admins and managers calibrate the rating.",
    ReviewState.SHARED: "Shared with the reviewee: they read the manager's form and the scores.",
    ReviewState.ACKNOWLEDGED: "The reviewee acknowledged the shared review; final.",
})
PhaseEnum = described_enum(Phase, name="ReviewPhase", description=(
    "A phase of a review cycle, in order; each has a deadline in the cycle's schedule."), values={
    Phase.SELF_REVIEW: "Reviewees write their self reviews (self forms are due by its end).",
    Phase.PEER_NOMINATION: "Peers are nominated for each review.",
    Phase.PEER_REVIEW: "Peers and reports write their forms (peer and upward forms are due by its end).",
    Phase.MANAGER_REVIEW: "Managers write their forms (manager forms are due by its end).",
    Phase.CALIBRATION: "Ratings are calibrated across the organisation.",
    Phase.SHARING: "Reviews are shared with the reviewees.",
})
CycleStatusEnum = described_enum(CycleStatus, name="ReviewCycleStatus", description="Where a review cycle stands.",
                                 values={
    CycleStatus.DRAFT: "Being prepared; no review or form exists yet.",
    CycleStatus.LAUNCHING: "A launch started and did not finish; launching again completes it.",
    CycleStatus.ACTIVE: "Launched: reviews and forms exist and are being written.",
    CycleStatus.CLOSED: "Over; its reviews stay readable.",
})
SkipReasonEnum = described_enum(SkipReason, name="LaunchSkipReason", description=(
    "Why a launch created no review for someone in the cycle's population."), values={
    SkipReason.TERMINATED: "They have left the organisation.",
    SkipReason.ON_LEAVE: "They are on leave.",
    SkipReason.HIRED_ON_OR_AFTER_CUTOFF: "They were hired on or after the cycle's hire cutoff date.",
    SkipReason.EXCLUDED: "The cycle excludes them by name.",
})
