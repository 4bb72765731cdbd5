"""Review queries, workflow mutations and the live streams (form changes, presence, scores)."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import datetime
from typing import Annotated, Any

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from models.core.errors import ErrorCode, FieldError
from resolvers.core.context import Context
from resolvers.core.outcome import Outcome
from resolvers.reviews import form_mutations, presence, review_mutations
from resolvers.reviews import review_queries as resolvers
from resolvers.reviews import subscriptions as streams
from schema.core.cost import listed
from schema.core.errors import Error, errors_of
from schema.org.types import Employee
from schema.reviews.cycles import CycleDistribution, CycleProgress, distribution
from schema.reviews.enums import FormStateEnum, ReviewStateEnum
from schema.reviews.inputs import ReviewAnswerValue
from schema.reviews.types import AnswerConflict, Review, ReviewAnswer, ReviewForm, ReviewScore, as_datetime, employee_by


@strawberry.type
class ReviewAnswerPayload:
    form: ReviewForm | None
    answer: ReviewAnswer | None = strawberry.field(description="The answer as written (its new version).")
    conflict: AnswerConflict | None = strawberry.field(description="Set when baseVersion was stale: the current "
                                                                   "value and version (errors has a CONFLICT).")
    errors: list[Error]


@strawberry.type
class ReviewFormPayload:
    form: ReviewForm | None
    errors: list[Error]


@strawberry.type
class ReviewPayload:
    review: Review | None
    errors: list[Error]


@strawberry.type
class ReviewPresencePayload:
    session_id: str
    question_id: str | None
    errors: list[Error]


@strawberry.type(description="A committed change of a form: an answer (question, value, version, who) or a state "
                             "change (kind submitted/reopened, questionId null).")
class ReviewFormChange:
    kind: str = strawberry.field(description="What changed: answer (an answer saved), submitted or reopened.")
    form_id: strawberry.ID = strawberry.field(description="The form.")
    question_id: str | None = strawberry.field(description="The question's key, for an answer; null otherwise.")
    value: JSON | None = strawberry.field(description="The answer now, for an answer you may read; null otherwise.")
    version: int | None = strawberry.field(description=(
        "The answer's version after the change; null when not about an answer."))
    by_id: strawberry.ID | None = strawberry.field(description="Who made the change.")
    at: datetime | None = strawberry.field(description="When (UTC).")
    state: FormStateEnum = strawberry.field(description="The form's state after the change.")

    @strawberry.field(description="Who made the change.")
    async def by(self, info: Info[Context, Any]) -> Employee | None:
        return await employee_by(info, self.by_id)


@strawberry.type(description="One open session on a review form.")
class PresenceViewer:
    session_id: str = strawberry.field(description="The session (a browser tab).")
    employee_id: strawberry.ID = strawberry.field(description="Whose session it is.")
    question_id: str | None = strawberry.field(description="The question being edited; null when just viewing.")
    since: datetime | None = strawberry.field(description="When they opened it (UTC).")

    @strawberry.field(description="Whose session it is.")
    async def employee(self, info: Info[Context, Any]) -> Employee | None:
        return await employee_by(info, self.employee_id)


@strawberry.type(description="Everyone viewing a form now, after each change.")
class ReviewPresence:
    form_id: strawberry.ID = strawberry.field(description="The form.")
    session_id: str = strawberry.field(description="This subscription's session (for moveReviewPresence).")
    viewers: list[PresenceViewer] = strawberry.field(description="Who has it open now, one entry per session.")


@strawberry.type(description="A review's scores after a change.")
class ScoreChange:
    kind: str = strawberry.field(description="score, calibration or state")
    review: Review = strawberry.field(description="The review whose scores changed, as you may see it.")

    @strawberry.field(description="Its scores now; null when nothing is scored.")
    def score(self) -> ReviewScore | None:
        return ReviewScore.of(self.review.doc.get("score"))


@strawberry.type(description="A review of the cycle changed rating; the distribution after it.")
class CycleScoresChange:
    kind: str = strawberry.field(description=(
        "What changed the rating: score (answers) or calibration. State moves are not sent here "
        "(cycleProgressChanged has them)."))
    cycle_id: strawberry.ID = strawberry.field(description="The cycle of the review that changed.")
    review_id: strawberry.ID = strawberry.field(description="The review that changed.")
    department_id: strawberry.ID | None = strawberry.field(description=(
        "Its reviewee's department; null without one."))

    @strawberry.field(description="The cycle's rating distribution after the change.")
    async def distribution(self, info: Info[Context, Any]) -> CycleDistribution:
        return await distribution(info, self.cycle_id)


def form_payload(outcome: Outcome) -> ReviewFormPayload:
    return ReviewFormPayload(form=ReviewForm.wrap(outcome.document), errors=errors_of(outcome.errors))


def review_payload(outcome: Outcome) -> ReviewPayload:
    return ReviewPayload(review=Review.wrap(outcome.document), errors=errors_of(outcome.errors))


@strawberry.type
class ReviewQuery:
    @strawberry.field(description="A review: the reviewee, their managers and HR admins; null for an unknown id.")
    async def review(
        self, info: Info[Context, Any],
        id: Annotated[strawberry.ID, strawberry.argument(description="The review's id (Review.id).")],
    ) -> Review | None:
        return Review.wrap(await resolvers.review(info.context, id))

    @strawberry.field(description="A review form, for those allowed to read it; null for an unknown id.")
    async def review_form(
        self, info: Info[Context, Any],
        id: Annotated[strawberry.ID, strawberry.argument(description="The form's id (ReviewForm.id).")],
    ) -> ReviewForm | None:
        return ReviewForm.wrap(await resolvers.review_form(info.context, id))

    @strawberry.field(metadata=listed(20), description="The signed-in employee's own reviews, newest first.")
    async def my_reviews(self, info: Info[Context, Any]) -> list[Review]:
        return Review.wrap_all(await resolvers.my_reviews(info.context))

    @strawberry.field(
        metadata=listed(50), description="The forms the signed-in employee fills in (pending: not submitted yet).")
    async def my_review_forms(
        self, info: Info[Context, Any],
        cycle_id: Annotated[strawberry.ID | None, strawberry.argument(description=(
            "Only forms of this cycle."))] = None,
        pending: Annotated[bool, strawberry.argument(description=(
            "Only forms not submitted yet (default false)."))] = False,
    ) -> list[ReviewForm]:
        return ReviewForm.wrap_all(await resolvers.my_review_forms(info.context, cycle_id, pending))


@strawberry.type
class ReviewMutation:
    @strawberry.mutation(description="Write one answer on top of baseVersion (0: no answer yet). A stale "
                                     "baseVersion is refused with CONFLICT and the current value and version.")
    async def update_review_answer(
        self, info: Info[Context, Any],
        form_id: Annotated[strawberry.ID, strawberry.argument(description=(
            "The form, one you are the reviewer of."))],
        question_id: Annotated[str, strawberry.argument(description="The question's key (ReviewQuestion.key).")],
        base_version: Annotated[int, strawberry.argument(description=(
            "The answer's version you edited (ReviewAnswer.version, 0 for a first answer); a stale one is "
            "refused with CONFLICT."))],
        answer: Annotated[ReviewAnswerValue | None, strawberry.argument(description=(
            "The answer, typed by the question's kind (send this or the deprecated value, not both)."))] = None,
        value: Annotated[JSON | None, strawberry.argument(description=(
            "The answer, untyped: a number (RATING, COMPETENCY), a text (TEXT), one of the options (CHOICE), or "
            "an object of goal ids to ratings (GOALS); null clears it."), deprecation_reason=(
            "Untyped, it defeats code generation: use `answer` (ReviewAnswerValue), typed per question kind. "
            "Still accepted as before."))] = strawberry.UNSET,
    ) -> ReviewAnswerPayload:
        if answer is not None and value is not strawberry.UNSET:
            return ReviewAnswerPayload(form=None, answer=None, conflict=None, errors=errors_of([FieldError(
                "answer", ErrorCode.INVALID, "send the answer either as `answer` or as the deprecated `value`")]))
        if answer is None and value is strawberry.UNSET:
            return ReviewAnswerPayload(form=None, answer=None, conflict=None, errors=errors_of([FieldError(
                "answer", ErrorCode.REQUIRED, "the answer is required (`answer`)")]))
        member, stored = answer.member_and_value() if answer is not None else (None, value)
        if stored is False:
            return ReviewAnswerPayload(form=None, answer=None, conflict=None, errors=errors_of([FieldError(
                "answer.clear", ErrorCode.INVALID, "`clear` is true or left out")]))
        outcome = await form_mutations.update_answer(info.context, form_id, question_id, stored, base_version,
                                                     member)
        answer, conflict = outcome.extra.get("answer"), outcome.extra.get("conflict")
        return ReviewAnswerPayload(
            form=ReviewForm.wrap(outcome.document), errors=errors_of(outcome.errors),
            answer=ReviewAnswer.of(answer) if answer else None,
            conflict=AnswerConflict(question_id=conflict["questionId"], value=conflict["value"],
                                    version=conflict["version"], by_id=conflict["byId"], at=as_datetime(conflict["at"]))
            if conflict else None)

    @strawberry.mutation(description="The reviewer: submit a form (every required question answered); "
                                     "it is read-only afterwards.")
    async def submit_review_form(
        self, info: Info[Context, Any],
        form_id: Annotated[strawberry.ID, strawberry.argument(description=(
            "The form, with every required question answered."))],
    ) -> ReviewFormPayload:
        return form_payload(await form_mutations.submit_form(info.context, form_id))

    @strawberry.mutation(description="HR admins: reopen a submitted form; the reason is kept in its history.")
    async def reopen_review_form(
        self, info: Info[Context, Any],
        form_id: Annotated[strawberry.ID, strawberry.argument(description="The submitted form.")],
        reason: Annotated[str, strawberry.argument(description=(
            "Why, kept in its history (1 to 5,000 characters)."))],
    ) -> ReviewFormPayload:
        return form_payload(await form_mutations.reopen_form(info.context, form_id, reason))

    @strawberry.mutation(description="Move a review to its next state (self_review → manager_review → calibration "
                                     "→ shared → acknowledged), as the workflow allows the viewer.")
    async def move_review(
        self, info: Info[Context, Any],
        review_id: Annotated[strawberry.ID, strawberry.argument(description="The review to move.")],
        state: Annotated[ReviewStateEnum, strawberry.argument(description="The state to move it to.")],
        note: Annotated[str | None, strawberry.argument(description=(
            "Why, kept in its history (at most 5,000 characters)."))] = None,
    ) -> ReviewPayload:
        return review_payload(await review_mutations.move_review(info.context, review_id, state.value, note))

    @strawberry.mutation(description="Managers and HR admins, during calibration: a calibrated rating with its "
                                     "justification (every change is kept).")
    async def calibrate_review(
        self, info: Info[Context, Any],
        review_id: Annotated[strawberry.ID, strawberry.argument(description="The review, in CALIBRATION.")],
        rating: Annotated[int, strawberry.argument(description=(
            "The calibrated rating, an integer of the template's scale."))],
        justification: Annotated[str, strawberry.argument(description=(
            "Why, 1 to 5,000 characters (kept in its calibration history)."))],
    ) -> ReviewPayload:
        return review_payload(await review_mutations.calibrate(info.context, review_id, rating, justification))

    @strawberry.mutation(description="Say which question your session is editing (null: just viewing).")
    async def move_review_presence(
        self, info: Info[Context, Any],
        form_id: Annotated[strawberry.ID, strawberry.argument(description="The form you have open.")],
        session_id: Annotated[str, strawberry.argument(description=(
            "Your browser tab's session id (the one you subscribed with)."))],
        question_id: Annotated[str | None, strawberry.argument(description=(
            "The question you are on now; null: none."))] = None,
    ) -> ReviewPresencePayload:
        errors = await presence.move_presence(info.context, form_id, session_id, question_id)
        return ReviewPresencePayload(session_id=session_id, question_id=question_id, errors=errors_of(errors))


@strawberry.type
class ReviewSubscription:
    @strawberry.subscription(description="Every committed change of a form, for those allowed to read it.")
    async def review_form_changed(
        self, info: Info[Context, Any],
        form_id: Annotated[strawberry.ID, strawberry.argument(description="A form you may read.")],
    ) -> AsyncGenerator[ReviewFormChange, None]:
        async for m in streams.review_form_changed(info.context, form_id):
            yield ReviewFormChange(kind=m["kind"], form_id=m["formId"], question_id=m.get("questionId"),
                                   value=m.get("value"), version=m.get("version"), by_id=m.get("byId"),
                                   at=as_datetime(m.get("at")), state=FormStateEnum(m["state"]))

    @strawberry.subscription(description="Who is viewing a form and which question each is editing; cleared when "
                                         "a connection closes. Pass your own sessionId to move it later.")
    async def review_presence(
        self, info: Info[Context, Any],
        form_id: Annotated[strawberry.ID, strawberry.argument(description="A form you may read.")],
        session_id: Annotated[str | None, strawberry.argument(description=(
            "Your session id (one per browser tab); omitted, one is made up."))] = None,
        question_id: Annotated[str | None, strawberry.argument(description=(
            "The question you start on; null: none."))] = None,
    ) -> AsyncGenerator[ReviewPresence, None]:
        async for m in presence.review_presence(info.context, form_id, session_id, question_id):
            yield ReviewPresence(form_id=m["formId"], session_id=m["sessionId"], viewers=[
                PresenceViewer(session_id=v["sessionId"], employee_id=v["employeeId"], question_id=v.get("questionId"),
                               since=as_datetime(v.get("since"))) for v in m["viewers"]])

    @strawberry.subscription(description="A review's score after each change (managers, HR admins; the reviewee "
                                         "once shared).")
    async def score_changed(
        self, info: Info[Context, Any],
        review_id: Annotated[strawberry.ID, strawberry.argument(description="A review whose scores you may see.")],
    ) -> AsyncGenerator[ScoreChange, None]:
        async for m in streams.score_changed(info.context, review_id):
            yield ScoreChange(kind=m["kind"], review=Review.of(m["review"]))

    @strawberry.subscription(description="HR admins: a review of the cycle changed rating (score or calibration).")
    async def cycle_scores_changed(
        self, info: Info[Context, Any],
        cycle_id: Annotated[strawberry.ID, strawberry.argument(description="The cycle (HR admins).")],
    ) -> AsyncGenerator[CycleScoresChange, None]:
        async for m in streams.cycle_scores_changed(info.context, cycle_id):
            yield CycleScoresChange(kind=m["kind"], cycle_id=m["cycleId"], review_id=m["reviewId"],
                                    department_id=m.get("departmentId"))

    @strawberry.subscription(description="Managers (the people below them) and HR admins (everyone): the cycle's "
                                         "progress, as cycleProgress answers it, again after each change of it (a "
                                         "form started, submitted or reopened, peers nominated, a review moved, "
                                         "the cycle launched); a burst of changes within 250 ms is one event.")
    async def cycle_progress_changed(
        self, info: Info[Context, Any],
        cycle_id: Annotated[strawberry.ID, strawberry.argument(description=(
            "The cycle whose progress to follow (managers and HR admins)."))],
    ) -> AsyncGenerator[CycleProgress, None]:
        async for progress in streams.cycle_progress_changed(info.context, cycle_id):
            yield CycleProgress.of(progress)
