"""Reviews and review forms: answers, scores, calibration, history and anonymous feedback."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from models.core.documents import Document
from models.core.ids import scoped_id
from models.reviews.scores import FormScore
from resolvers.core.context import Context
from resolvers.core.loading import load
from resolvers.reviews import cycle_queries as cycle_resolvers
from resolvers.reviews import review_queries as resolvers
from resolvers.reviews import templates as template_resolvers
from schema.core.cost import listed
from schema.core.node import Node
from schema.goals.types import Goal
from schema.org.types import Employee, EmployeeFields
from schema.reviews.cycle_fields import LazyReviewCycle, ReviewCycleFields
from schema.reviews.enums import FormStateEnum, ReviewerKindEnum, ReviewStateEnum
from schema.reviews.templates import ReviewQuestion, ReviewTemplate


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
    question_id: str
    value: JSON | None
    version: int
    by_id: strawberry.ID | None
    at: datetime | None

    @classmethod
    def of(cls, answer: Document) -> ReviewAnswer:
        return cls(question_id=answer["questionId"], value=answer.get("value"), version=int(answer.get("version", 0)),
                   by_id=answer.get("byId"), at=as_datetime(answer.get("at")))

    @strawberry.field
    async def by(self, info: Info[Context, Any]) -> Employee | None:
        return await employee_by(info, self.by_id)


@strawberry.type(description="A write refused because the answer moved on: its current value and version.")
class AnswerConflict:
    question_id: str
    value: JSON | None
    version: int
    by_id: strawberry.ID | None
    at: datetime | None

    @strawberry.field
    async def by(self, info: Info[Context, Any]) -> Employee | None:
        return await employee_by(info, self.by_id)


@strawberry.type(description="A form's score: the weighted mean of its rated answers on the template's scale.")
class ReviewFormScore:
    value: float | None
    provisional: bool = strawberry.field(description="True while a required question is unanswered.")
    rated_answers: int
    missing_required: list[str]

    @classmethod
    def of(cls, score: FormScore | None) -> ReviewFormScore | None:
        if score is None:
            return None
        return cls(value=score.value, provisional=score.provisional, rated_answers=score.rated_answers,
                   missing_required=list(score.missing_required))


@strawberry.type
class KindScore:
    kind: ReviewerKindEnum
    value: float | None
    weight: float
    forms: int
    scored_forms: int


@strawberry.type(description="A review's overall score: reviewer kinds combined with the template's weights.")
class ReviewScore:
    value: float | None
    provisional: bool
    rating: int | None = strawberry.field(description="The score rounded half up on the template's scale.")
    by_kind: list[KindScore]

    @classmethod
    def of(cls, doc: Document | None) -> ReviewScore | None:
        if not doc:
            return None
        return cls(value=doc.get("value"), provisional=bool(doc.get("provisional")), rating=doc.get("rating"),
                   by_kind=[KindScore(kind=ReviewerKindEnum(k["kind"]), value=k.get("value"), weight=k["weight"],
                                      forms=k["forms"], scored_forms=k["scoredForms"]) for k in doc.get("byKind", [])])


@strawberry.type(description="A calibrated rating and why.")
class Calibration:
    rating: int
    justification: str
    by_id: strawberry.ID | None
    at: datetime | None
    previous_rating: int | None = None
    score_rating: int | None = strawberry.field(default=None, description="The rating from the scores at the time.")

    @classmethod
    def of(cls, doc: Document) -> Calibration:
        return cls(rating=doc["rating"], justification=doc["justification"], by_id=doc.get("byId"),
                   at=as_datetime(doc.get("at")), previous_rating=doc.get("previousRating"),
                   score_rating=doc.get("scoreRating"))

    @strawberry.field
    async def by(self, info: Info[Context, Any]) -> Employee | None:
        return await employee_by(info, self.by_id)


@strawberry.type(description="A step in the history of a review or a form.")
class ReviewEvent:
    kind: str
    at: datetime | None
    by_id: strawberry.ID | None
    from_state: str | None
    to_state: str | None
    note: str | None

    @classmethod
    def of(cls, doc: Document) -> ReviewEvent:
        return cls(kind=doc["kind"], at=as_datetime(doc.get("at")), by_id=doc.get("byId"), from_state=doc.get("from"),
                   to_state=doc.get("to"), note=doc.get("note") or doc.get("reason"))

    @strawberry.field
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


@strawberry.type
class FeedbackQuestion:
    question: ReviewQuestion
    answers: list[JSON] = strawberry.field(description="Submitted answers, without names, in a neutral order.")


@strawberry.type(description="Peer or upward answers as an unnamed aggregate.")
class ReviewFeedback:
    kind: ReviewerKindEnum
    answered: int = strawberry.field(description="How many of these forms were submitted.")
    visible: bool = strawberry.field(description="False while the template or the anonymity threshold (3 answers) "
                                                 "keeps them from the viewer.")
    questions: list[FeedbackQuestion]


@strawberry.type(description="One reviewer's form in a review.")
class ReviewForm(Node):
    doc: strawberry.Private[Document]
    id: strawberry.ID
    kind: ReviewerKindEnum
    state: FormStateEnum
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

    @strawberry.field
    async def reviewer(self, info: Info[Context, Any]) -> Employee | None:
        return await employee_by(info, self.doc["reviewerId"])

    @strawberry.field
    async def reviewee(self, info: Info[Context, Any]) -> Employee | None:
        return await employee_by(info, self.doc["revieweeId"])

    @strawberry.field(description="The review: for the reviewee, their managers and HR admins (else null).")
    async def review(self, info: Info[Context, Any]) -> Review | None:
        return Review.wrap(await resolvers.review(info.context, self.doc["reviewId"]))

    @strawberry.field
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

    @strawberry.field
    async def score(self, info: Info[Context, Any]) -> ReviewFormScore | None:
        return ReviewFormScore.of(await resolvers.score_of_form(info.context, self.doc))

    @strawberry.field(description="Whether the viewer may answer on this form now.")
    async def can_edit(self, info: Info[Context, Any]) -> bool:
        return await resolvers.can_edit(info.context, self.doc)

    @strawberry.field(description="The reviewee's goals of the cycle's period that you may see (what "
                                  "goal-achievement questions rate), each as this form shows it.")
    async def goals(self, info: Info[Context, Any]) -> list[ReviewGoal]:
        return [ReviewGoal.of(self.doc["_id"], g) for g in await resolvers.goals_of_form(info.context, self.doc)]

    @strawberry.field
    def history(self) -> list[ReviewEvent]:
        return [ReviewEvent.of(e) for e in self.doc.get("history", [])]

    @strawberry.field
    def submitted_at(self) -> datetime | None:
        return as_datetime(self.doc.get("submittedAt"))


@strawberry.type(description="One employee's review in a cycle.")
class Review(Node):
    doc: strawberry.Private[Document]
    id: strawberry.ID
    state: ReviewStateEnum

    @classmethod
    def wrap(cls, doc: Document | None) -> Review | None:
        return None if doc is None else cls.of(doc)

    @classmethod
    def of(cls, doc: Document) -> Review:
        return cls(doc=doc, id=strawberry.ID(doc["_id"]), state=ReviewStateEnum(doc["state"]))

    @classmethod
    def wrap_all(cls, docs: list[Document]) -> list[Review]:
        return [r for r in map(cls.wrap, docs) if r is not None]

    @strawberry.field
    async def employee(self, info: Info[Context, Any]) -> Employee | None:
        return await employee_by(info, self.doc["employeeId"])

    @strawberry.field(description="The manager who writes the manager's form.")
    async def manager(self, info: Info[Context, Any]) -> Employee | None:
        return await employee_by(info, self.doc.get("managerId"))

    @strawberry.field(description="The peers nominated to review.")
    async def peers(self, info: Info[Context, Any]) -> list[Employee]:
        return EmployeeFields.wrap_all(await resolvers.peers(info.context, self.doc))

    @strawberry.field
    async def cycle(self, info: Info[Context, Any]) -> LazyReviewCycle | None:
        return await cycle_of(info, self.doc["cycleId"])

    @strawberry.field(metadata=listed(30), description="The forms the viewer may read.")
    async def forms(self, info: Info[Context, Any], kind: ReviewerKindEnum | None = None) -> list[ReviewForm]:
        docs = await resolvers.forms_of_review(info.context, self.doc, kind.value if kind else None)
        return ReviewForm.wrap_all(docs)

    @strawberry.field(description="Managers and HR admins; the reviewee once shared.")
    async def score(self, info: Info[Context, Any]) -> ReviewScore | None:
        doc = await resolvers.scored_review(info.context, self.doc, "score")
        return ReviewScore.of(doc.get("score"))

    @strawberry.field(description="The calibrated rating (managers and HR admins; the reviewee once shared).")
    async def calibration(self, info: Info[Context, Any]) -> Calibration | None:
        doc = await resolvers.scored_review(info.context, self.doc, "calibration")
        return Calibration.of(doc["calibration"]) if doc.get("calibration") else None

    @strawberry.field(description="Every calibration of this review, oldest first. Empty for viewers who may "
                                  "not see it: anyone but the reviewee's managers and HR admins, and the "
                                  "reviewee until the review is shared (no error; the review stays).")
    async def calibration_history(self, info: Info[Context, Any]) -> list[Calibration]:
        return [Calibration.of(c) for c in await resolvers.calibration_history(info.context, self.doc)]

    @strawberry.field(description="The rating that counts: calibrated if calibrated, else from the score.")
    async def final_rating(self, info: Info[Context, Any]) -> int | None:
        return await resolvers.final_rating_of(info.context, self.doc)

    @strawberry.field(description="Peer (or upward) answers without names, as the template and threshold allow. "
                                  "Empty for viewers who may not see it: for anyone who may not see the review, "
                                  "answered 0, visible false and no questions (no error).")
    async def feedback(self, info: Info[Context, Any],
                       kind: ReviewerKindEnum = ReviewerKindEnum.PEER) -> ReviewFeedback:
        data = await resolvers.feedback(info.context, self.doc, kind.value)
        template_id, whole = self.doc["templateId"], {"required": True}
        return ReviewFeedback(kind=kind, answered=data["answered"], visible=data["visible"],
                              questions=[FeedbackQuestion(question=ReviewQuestion.of(template_id, whole, q["question"]),
                                                          answers=q["answers"]) for q in data["questions"]])

    @strawberry.field
    def history(self) -> list[ReviewEvent]:
        return [ReviewEvent.of(e) for e in self.doc.get("history", [])]

    @strawberry.field
    def shared_at(self) -> datetime | None:
        return as_datetime(self.doc.get("sharedAt"))
