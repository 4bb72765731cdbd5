"""Reviews and review forms: answers, scores, calibration, history and anonymous feedback."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from models.core.documents import Document
from models.core.ids import scoped_id
from models.reviews.permissions import can_see_review_score
from models.reviews.scores import FormScore
from resolvers.core.context import Context
from resolvers.core.loading import load
from resolvers.reviews import cycle_queries as cycle_resolvers
from resolvers.reviews import review_queries as resolvers
from resolvers.reviews import templates as template_resolvers
from schema.core.cost import listed
from schema.core.history import HISTORY_LISTED, LAST, AuditEntry, history_of
from schema.core.node import Node
from schema.goals.types import Goal
from schema.org.types import Employee, EmployeeFields
from schema.reviews.cycle_fields import LazyReviewCycle, ReviewCycleFields
from schema.reviews.enums import FormStateEnum, ReviewerKindEnum, ReviewStateEnum
from schema.reviews.templates import ReviewQuestion, ReviewTemplate

SCORES = ("Visible to the reviewee's management chain and HR admins, and to the reviewee once the review is "
          "shared; null for anyone else, by design and without an error.")


async def employee_by(info: Info[Context, Any], id: str | None) -> Employee | None:
    return EmployeeFields.wrap(await load(info.context, "employee_by_id", id))


async def cycle_of(info: Info[Context, Any], id: str) -> ReviewCycleFields | None:
    """A review's or a form's cycle, as the ``ReviewCycle`` type shows it."""
    return ReviewCycleFields.wrap(await cycle_resolvers.review_cycle(info.context, id))


def as_datetime(value: Any) -> datetime | None:
    if value is None:
        return None
    return datetime.fromisoformat(value) if isinstance(value, str) else value


@strawberry.type(description="One answer: its value (JSON: a number, text, an option, a level, or goal id → "
                             "rating), its version (each write bumps it) and who wrote it when.")
class ReviewAnswer:
    question_id: str = strawberry.field(description="The question's key.")
    value: JSON | None = strawberry.field(description=(
        "The answer, as its question's kind takes it (see updateReviewAnswer); null when cleared."))
    version: int = strawberry.field(description="Its version, raised by each save (send it back as baseVersion).")
    by_id: strawberry.ID | None = strawberry.field(description="Who saved it last.")
    at: datetime | None = strawberry.field(description="When it was saved last (UTC).")

    @classmethod
    def of(cls, answer: Document) -> ReviewAnswer:
        return cls(question_id=answer["questionId"], value=answer.get("value"), version=int(answer.get("version", 0)),
                   by_id=answer.get("byId"), at=as_datetime(answer.get("at")))

    @strawberry.field(description="Who saved it last.")
    async def by(self, info: Info[Context, Any]) -> Employee | None:
        return await employee_by(info, self.by_id)


@strawberry.type(description="A write refused because the answer moved on: its current value and version.")
class AnswerConflict:
    question_id: str = strawberry.field(description="The question's key.")
    value: JSON | None = strawberry.field(description="The answer stored now.")
    version: int = strawberry.field(description="Its version now (send it as baseVersion after merging).")
    by_id: strawberry.ID | None = strawberry.field(description="Who saved it.")
    at: datetime | None = strawberry.field(description="When (UTC).")

    @strawberry.field(description="Who saved it.")
    async def by(self, info: Info[Context, Any]) -> Employee | None:
        return await employee_by(info, self.by_id)


@strawberry.type(description="A form's score: the weighted mean of its rated answers on the template's scale.")
class ReviewFormScore:
    value: float | None = strawberry.field(description=(
        "The form's score on the template's scale (scaleMin to scaleMax), rounded to four decimal places; null "
        "when nothing rated is answered."))
    provisional: bool = strawberry.field(description="True while a required question is unanswered.")
    rated_answers: int = strawberry.field(description="How many rated questions are answered.")
    missing_required: list[str] = strawberry.field(description="The keys of required questions still unanswered.")

    @classmethod
    def of(cls, score: FormScore | None) -> ReviewFormScore | None:
        if score is None:
            return None
        return cls(value=score.value, provisional=score.provisional, rated_answers=score.rated_answers,
                   missing_required=list(score.missing_required))


@strawberry.type(description="One reviewer kind's share of a review's score.")
class KindScore:
    kind: ReviewerKindEnum = strawberry.field(description="The reviewer kind.")
    value: float | None = strawberry.field(description=(
        "The mean of its forms' scores on the template's scale (scaleMin to scaleMax), rounded to four decimal "
        "places; null without a scored form."))
    weight: float = strawberry.field(description=(
        "Its weight in the template (renormalised over the kinds with a score)."))
    forms: int = strawberry.field(description="How many forms of this kind the review has.")
    scored_forms: int = strawberry.field(description="How many of them have a score.")


@strawberry.type(description="A review's overall score: reviewer kinds combined with the template's weights.")
class ReviewScore:
    value: float | None = strawberry.field(description=(
        "The overall score on the template's scale (scaleMin to scaleMax), rounded to four decimal places: the "
        "kinds' scores weighted by the template; null when nothing is scored."))
    provisional: bool = strawberry.field(description=(
        "True while a form of a weighted kind is unsubmitted or misses a required answer."))
    rating: int | None = strawberry.field(description="The score rounded half up on the template's scale.")
    by_kind: list[KindScore] = strawberry.field(description="The score of each reviewer kind.")

    @classmethod
    def of(cls, doc: Document | None) -> ReviewScore | None:
        if not doc:
            return None
        return cls(value=doc.get("value"), provisional=bool(doc.get("provisional")), rating=doc.get("rating"),
                   by_kind=[KindScore(kind=ReviewerKindEnum(k["kind"]), value=k.get("value"), weight=k["weight"],
                                      forms=k["forms"], scored_forms=k["scoredForms"]) for k in doc.get("byKind", [])])


@strawberry.type(description="A calibrated rating and why.")
class Calibration:
    rating: int = strawberry.field(description="The calibrated rating, an integer of the template's scale.")
    justification: str = strawberry.field(description="Why, as written.")
    by_id: strawberry.ID | None = strawberry.field(description="Who calibrated.")
    at: datetime | None = strawberry.field(description="When (UTC).")
    previous_rating: int | None = strawberry.field(default=None, description=(
        "The rating before; null for the first calibration."))
    score_rating: int | None = strawberry.field(default=None, description="The rating from the scores at the time.")

    @classmethod
    def of(cls, doc: Document) -> Calibration:
        return cls(rating=doc["rating"], justification=doc["justification"], by_id=doc.get("byId"),
                   at=as_datetime(doc.get("at")), previous_rating=doc.get("previousRating"),
                   score_rating=doc.get("scoreRating"))

    @strawberry.field(description="Who calibrated.")
    async def by(self, info: Info[Context, Any]) -> Employee | None:
        return await employee_by(info, self.by_id)


@strawberry.type(description="A step in the history of a review or a form.")
class ReviewEvent:
    kind: str = strawberry.field(description="What happened: moved (a state change), submitted or reopened.")
    at: datetime | None = strawberry.field(description="When (UTC).")
    by_id: strawberry.ID | None = strawberry.field(description="Who did it; null for the system.")
    from_state: str | None = strawberry.field(description="The state before a move; null otherwise.")
    to_state: str | None = strawberry.field(description="The state after a move; null otherwise.")
    note: str | None = strawberry.field(description="Why, as written; null without a note.")

    @classmethod
    def of(cls, doc: Document) -> ReviewEvent:
        return cls(kind=doc["kind"], at=as_datetime(doc.get("at")), by_id=doc.get("byId"), from_state=doc.get("from"),
                   to_state=doc.get("to"), note=doc.get("note") or doc.get("reason"))

    @strawberry.field(description="Who did it; null for the system.")
    async def by(self, info: Info[Context, Any]) -> Employee | None:
        return await employee_by(info, self.by_id)


@strawberry.type(description="A goal of the reviewee in the review period as one review form shows it (what "
                             "goal-achievement questions rate).")
class ReviewGoal(Node):
    doc: strawberry.Private[Document]
    id: strawberry.ID = strawberry.field(description="Unique across every type (a normalised cache's key, never the "
                                                     "goal's own id): the review form's id, a colon, then goalId.")
    goal_id: strawberry.ID = strawberry.field(description="The goal's own id (the Goal's id): what goal-achievement "
                                                          "answers rate it under.")
    title: str = strawberry.field(description="The goal's title.")
    status: str | None = strawberry.field(description="The goal's status.")
    start_date: date | None = strawberry.field(description="The goal's start date.")
    due_date: date | None = strawberry.field(description="The goal's due date.")

    @classmethod
    def of(cls, form_id: str, goal: Document) -> ReviewGoal:
        return cls(doc=goal, id=strawberry.ID(scoped_id(form_id, goal["_id"])), goal_id=strawberry.ID(goal["_id"]),
                   title=goal.get("title", ""), status=goal.get("status"),
                   start_date=date.fromisoformat(goal["startDate"]) if goal.get("startDate") else None,
                   due_date=date.fromisoformat(goal["dueDate"]) if goal.get("dueDate") else None)

    @strawberry.field(description="The goal itself (only goals you may see are listed on a form).")
    def goal(self) -> Goal | None:
        return Goal.wrap(self.doc)


@strawberry.type(description="One question of an anonymous aggregate and its answers.")
class FeedbackQuestion:
    question: ReviewQuestion = strawberry.field(description="The question answered (as the template asks it).")
    answers: list[JSON] = strawberry.field(description="Submitted answers, without names, in a neutral order.")


@strawberry.type(description="Peer or upward answers as an unnamed aggregate.")
class ReviewFeedback:
    kind: ReviewerKindEnum = strawberry.field(description="PEER or UPWARD.")
    answered: int = strawberry.field(description="How many of these forms were submitted.")
    visible: bool = strawberry.field(description="False while the template or the anonymity threshold (3 answers) "
                                                 "keeps them from the viewer.")
    questions: list[FeedbackQuestion] = strawberry.field(description=(
        "Per question you may read, the submitted answers without names."))


@strawberry.type(description="One reviewer's form in a review.")
class ReviewForm(Node):
    doc: strawberry.Private[Document]
    id: strawberry.ID
    kind: ReviewerKindEnum = strawberry.field(description="Who fills it in, relative to the reviewee.")
    state: FormStateEnum = strawberry.field(description="Where it stands.")
    revision: int = strawberry.field(description="Bumped by every committed answer.")

    @classmethod
    def wrap(cls, doc: Document | None) -> ReviewForm | None:
        if doc is None:
            return None
        return cls(doc=doc, id=strawberry.ID(doc["_id"]), kind=ReviewerKindEnum(doc["kind"]),
                   state=FormStateEnum(doc["state"]), revision=int(doc.get("revision", 0)))

    @classmethod
    def wrap_all(cls, docs: list[Document]) -> list[ReviewForm]:
        return [f for f in map(cls.wrap, docs) if f is not None]

    @strawberry.field(description="Who fills it in.")
    async def reviewer(self, info: Info[Context, Any]) -> Employee | None:
        return await employee_by(info, self.doc["reviewerId"])

    @strawberry.field(description="Whom it is about.")
    async def reviewee(self, info: Info[Context, Any]) -> Employee | None:
        return await employee_by(info, self.doc["revieweeId"])

    @strawberry.field(description="The review this form belongs to: for the reviewee, their management chain and "
                                  "HR admins; null for anyone else (a peer reviewer), by design and without an "
                                  "error.")
    async def review(self, info: Info[Context, Any]) -> Review | None:
        return Review.wrap(await resolvers.review_of_form(info.context, self.doc))

    @strawberry.field(description="The cycle it belongs to.")
    async def cycle(self, info: Info[Context, Any]) -> LazyReviewCycle | None:
        return await cycle_of(info, self.doc["cycleId"])

    @strawberry.field(description="The template version the form was issued with.")
    async def template(self, info: Info[Context, Any]) -> ReviewTemplate | None:
        return ReviewTemplate.wrap(await template_resolvers.template(info.context, self.doc["templateId"]))

    @strawberry.field(description="The questions this reviewer answers, in template order.")
    async def questions(self, info: Info[Context, Any]) -> list[ReviewQuestion]:
        template_id = self.doc["templateId"]
        return [ReviewQuestion.of(template_id, s, q) for s, q in await resolvers.questions(info.context, self.doc)]

    @strawberry.field(description="The answers the viewer may read (question readers apply).")
    async def answers(self, info: Info[Context, Any]) -> list[ReviewAnswer]:
        return [ReviewAnswer.of(a) for a in await resolvers.readable_answers(info.context, self.doc)]

    @strawberry.field(description="Its score from the answers you may read; null when it has no rated question.")
    async def score(self, info: Info[Context, Any]) -> ReviewFormScore | None:
        return ReviewFormScore.of(await resolvers.score_of_form(info.context, self.doc))

    @strawberry.field(description="Whether the viewer may answer on this form now.")
    async def can_edit(self, info: Info[Context, Any]) -> bool:
        return await resolvers.can_edit(info.context, self.doc)

    @strawberry.field(description="The reviewee's goals of the cycle's period that you may see (what "
                                  "goal-achievement questions rate), each as this form shows it.")
    async def goals(self, info: Info[Context, Any]) -> list[ReviewGoal]:
        return [ReviewGoal.of(self.doc["_id"], g) for g in await resolvers.goals_of_form(info.context, self.doc)]

    @strawberry.field(description="Its submissions and reopenings, oldest first.")
    def history(self) -> list[ReviewEvent]:
        return [ReviewEvent.of(e) for e in self.doc.get("history", [])]

    @strawberry.field(description="When it was last submitted (UTC); null while not submitted.")
    def submitted_at(self) -> datetime | None:
        return as_datetime(self.doc.get("submittedAt"))

    @strawberry.field(description="Its reviewer and HR admins: the form's latest changes, newest first (drafts and "
                      "who wrote them stay theirs); null for anyone else, by design and without an error.",
                      metadata=listed(HISTORY_LISTED))
    async def audit_history(self, info: Info[Context, Any],
                      last: Annotated[int, LAST] = HISTORY_LISTED) -> list[AuditEntry] | None:
        viewer = info.context.viewer
        allowed = viewer is not None and viewer.organization_id == self.doc.get("organizationId") and (
            viewer.is_hr_admin or viewer.employee_id == self.doc.get("reviewerId"))
        return await history_of(info, self.doc["_id"], allowed, "a review form's history is for its reviewer and "
                                                                "HR admins", last=last)


@strawberry.type(description="One employee's review in a cycle.")
class Review(Node):
    doc: strawberry.Private[Document]
    id: strawberry.ID
    state: ReviewStateEnum = strawberry.field(description="Where the review stands.")

    @classmethod
    def wrap(cls, doc: Document | None) -> Review | None:
        return None if doc is None else cls.of(doc)

    @classmethod
    def of(cls, doc: Document) -> Review:
        return cls(doc=doc, id=strawberry.ID(doc["_id"]), state=ReviewStateEnum(doc["state"]))

    @classmethod
    def wrap_all(cls, docs: list[Document]) -> list[Review]:
        return [r for r in map(cls.wrap, docs) if r is not None]

    @strawberry.field(description="The reviewee.")
    async def employee(self, info: Info[Context, Any]) -> Employee | None:
        return await employee_by(info, self.doc["employeeId"])

    @strawberry.field(description="The manager who writes the manager's form.")
    async def manager(self, info: Info[Context, Any]) -> Employee | None:
        return await employee_by(info, self.doc.get("managerId"))

    @strawberry.field(description="The peers nominated to review.")
    async def peers(self, info: Info[Context, Any]) -> list[Employee]:
        return EmployeeFields.wrap_all(await resolvers.peers(info.context, self.doc))

    @strawberry.field(description="The cycle it belongs to.")
    async def cycle(self, info: Info[Context, Any]) -> LazyReviewCycle | None:
        return await cycle_of(info, self.doc["cycleId"])

    @strawberry.field(metadata=listed(30), description="The forms the viewer may read.")
    async def forms(
        self, info: Info[Context, Any],
        kind: Annotated[ReviewerKindEnum | None, strawberry.argument(description=(
            "Only forms of this reviewer kind."))] = None,
    ) -> list[ReviewForm]:
        docs = await resolvers.forms_of_review(info.context, self.doc, kind.value if kind else None)
        return ReviewForm.wrap_all(docs)

    @strawberry.field(description=f"The review's scores, per form and overall. {SCORES}")
    async def score(self, info: Info[Context, Any]) -> ReviewScore | None:
        doc = await resolvers.scored_review(info.context, self.doc)
        return None if doc is None else ReviewScore.of(doc.get("score"))

    @strawberry.field(description=f"The calibrated rating; null too before any calibration. {SCORES}")
    async def calibration(self, info: Info[Context, Any]) -> Calibration | None:
        doc = await resolvers.scored_review(info.context, self.doc)
        return Calibration.of(doc["calibration"]) if doc and doc.get("calibration") else None

    @strawberry.field(description="Every calibration of this review, oldest first. Empty for viewers who may "
                                  "not see it: anyone but the reviewee's managers and HR admins, and the "
                                  "reviewee until the review is shared (no error; the review stays).")
    async def calibration_history(self, info: Info[Context, Any]) -> list[Calibration]:
        return [Calibration.of(c) for c in await resolvers.calibration_history(info.context, self.doc)]

    @strawberry.field(description="The rating that counts, an integer of the template's scale: calibrated if "
                                  f"calibrated, else from the score; null too while nothing is scored. {SCORES}")
    async def final_rating(self, info: Info[Context, Any]) -> int | None:
        return await resolvers.final_rating_of(info.context, self.doc)

    @strawberry.field(description="Peer (or upward) answers without names, as the template and threshold allow. "
                                  "Empty for viewers who may not see it: for anyone who may not see the review, "
                                  "answered 0, visible false and no questions (no error).")
    async def feedback(
        self, info: Info[Context, Any],
        kind: Annotated[ReviewerKindEnum, strawberry.argument(description=(
            "PEER (default) or UPWARD."))] = ReviewerKindEnum.PEER,
    ) -> ReviewFeedback:
        data = await resolvers.feedback(info.context, self.doc, kind.value)
        template_id, whole = self.doc["templateId"], {"required": True}
        return ReviewFeedback(kind=kind, answered=data["answered"], visible=data["visible"],
                              questions=[FeedbackQuestion(question=ReviewQuestion.of(template_id, whole, q["question"]),
                                                          answers=q["answers"]) for q in data["questions"]])

    @strawberry.field(description="Its state changes, oldest first.")
    def history(self) -> list[ReviewEvent]:
        return [ReviewEvent.of(e) for e in self.doc.get("history", [])]

    @strawberry.field(description="When it was shared with the reviewee (UTC); null before.")
    def shared_at(self) -> datetime | None:
        return as_datetime(self.doc.get("sharedAt"))

    @strawberry.field(description="The reviewee's managers and HR admins (who may see its scores before it is "
                      "shared): its latest changes, newest first; null for anyone else (the reviewee included), "
                      "by design and without an error.",
                      metadata=listed(HISTORY_LISTED))
    async def audit_history(self, info: Info[Context, Any],
                      last: Annotated[int, LAST] = HISTORY_LISTED) -> list[AuditEntry] | None:
        viewer = info.context.viewer
        reviewee = await load(info.context, "employee_by_id", self.doc.get("employeeId"))
        allowed = viewer is not None and reviewee is not None and viewer.employee_id != reviewee["_id"] \
            and can_see_review_score(viewer, self.doc, reviewee)
        return await history_of(info, self.doc["_id"], allowed, "a review's history is for the reviewee's managers "
                                                                "and HR admins", last=last)
