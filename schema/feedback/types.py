"""Feedback types: Feedback, AnonymousFeedback, FeedbackRequest, FollowUp, settings and events.

``AnonymousFeedback`` has no author field at all: there is nothing behind it that could fill one.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from models.core import clock
from models.core.documents import Document
from models.feedback.permissions import can_change_feedback
from models.feedback.rules import (
    Direction,
    FeedbackEventKind,
    Visibility,
    editable_until,
    is_overdue,
    is_retracted,
)
from resolvers.core.context import Context
from resolvers.core.loading import load
from resolvers.feedback import follow_ups as feedback_follow_ups
from resolvers.feedback import queries as feedback
from schema.core.cost import listed
from schema.core.descriptions import described_enum
from schema.core.history import HISTORY_LISTED, LAST, AuditEntry, history_of
from schema.core.node import Node
from schema.core.pagination import Connection
from schema.org.types import Department, Employee, EmployeeFields

DirectionEnum = described_enum(Direction, name="FeedbackDirection", description=(
    "How the author stands to the recipient in the org chart when the feedback is given."), values={
    Direction.DOWNWARD: "From one of the recipient's managers (direct or indirect).",
    Direction.UPWARD: "From someone the recipient manages (directly or indirectly).",
    Direction.PEER: "From anyone else in the organisation.",
})
VisibilityEnum = described_enum(Visibility, name="FeedbackVisibility", description=(
    "Who reads an attributed feedback item besides its author, who always reads their own."), values={
    Visibility.PRIVATE: "The recipient only: never their managers, nor HR admins.",
    Visibility.RECIPIENT_AND_MANAGER: "The recipient and their management chain.",
    Visibility.MANAGER_ONLY: "A note to the recipient's management chain; the recipient does not read it.",
})
FeedbackEventKindEnum = described_enum(FeedbackEventKind, name="FeedbackEventKind", description=(
    "What a feedbackReceived event brings."), values={
    FeedbackEventKind.FEEDBACK: "New feedback addressed to you (or an answer to a request you made).",
    FeedbackEventKind.REQUEST: "A new request asking you for feedback.",
    FeedbackEventKind.ANONYMOUS_RELEASED: "A batch of anonymous upward feedback was released to you.",
})


@strawberry.type(description="Feedback given under the author's name. A retracted item is a tombstone: "
                             "text null, tags empty, retracted true.")
class Feedback(Node):
    doc: strawberry.Private[Document]
    id: strawberry.ID
    text: str | None = strawberry.field(description="The feedback as written; null once retracted.")
    tags: list[str] = strawberry.field(description="Its tags; empty once retracted.")
    direction: DirectionEnum = strawberry.field(description="From the org chart when it was given.")
    visibility: VisibilityEnum = strawberry.field(description="Who reads it besides its author.")
    created_at: datetime = strawberry.field(description="When it was given (UTC).")
    edited_at: datetime | None = strawberry.field(description="When its author last edited it (UTC); null if never.")
    retracted_at: datetime | None = strawberry.field(description=(
        "When its author retracted it (UTC); null unless retracted."))

    @classmethod
    def wrap(cls, doc: Document | None) -> Feedback | None:
        if doc is None:
            return None
        return cls(doc=doc, id=strawberry.ID(doc["_id"]), text=doc.get("text"), tags=list(doc.get("tags") or []),
                   direction=Direction(doc["direction"]), visibility=Visibility(doc["visibility"]),
                   created_at=doc["createdAt"],
                   edited_at=doc.get("editedAt"),
                   retracted_at=doc.get("retractedAt"))

    @classmethod
    def wrap_all(cls, docs: list[Document]) -> list[Feedback]:
        return [f for f in map(cls.wrap, docs) if f is not None]

    @strawberry.field(description="Whether its author retracted it (a tombstone: text null, tags empty).")
    def retracted(self) -> bool:
        return is_retracted(self.doc)

    @strawberry.field(description="Until when the author may edit it (15 minutes after giving).")
    def editable_until(self) -> datetime:
        return editable_until(self.doc)

    @strawberry.field(description="Who gave it.")
    async def author(self, info: Info[Context, Any]) -> Employee | None:
        return EmployeeFields.wrap(await load(info.context, "employee_by_id", self.doc.get("authorId")))

    @strawberry.field(description="Whom it is for.")
    async def recipient(self, info: Info[Context, Any]) -> Employee | None:
        return EmployeeFields.wrap(await load(info.context, "employee_by_id", self.doc.get("recipientId")))

    @strawberry.field(description="The request this answers, if you may see it.")
    async def request(self, info: Info[Context, Any]) -> FeedbackRequest | None:
        return FeedbackRequest.wrap(await feedback.request_of(info.context, self.doc))

    @strawberry.field(description="Action items spawned from this feedback that you may see.")
    async def follow_ups(self, info: Info[Context, Any]) -> list[FollowUp]:
        return FollowUp.wrap_all(await feedback_follow_ups.follow_ups_of(info.context, self.doc["_id"]))

    @strawberry.field(description="Its author only: its latest changes, newest first (the text as it was before an "
                      "edit or retraction stays the author's); null for anyone else, by design and without an error.",
                      metadata=listed(HISTORY_LISTED))
    async def history(self, info: Info[Context, Any],
                      last: Annotated[int, LAST] = HISTORY_LISTED) -> list[AuditEntry] | None:
        viewer = info.context.viewer
        allowed = viewer is not None and can_change_feedback(viewer, self.doc)
        return await history_of(info, self.doc["_id"], allowed,
                                "a feedback item's history is for its author", last=last)


@strawberry.type(description="Anonymous upward feedback, released to its manager in batches of at least the "
                             "organisation's threshold of distinct authors. It has no author, nor an exact time.")
class AnonymousFeedback(Node):
    doc: strawberry.Private[Document]
    id: strawberry.ID
    text: str = strawberry.field(description="The feedback as written; nothing records its author.")
    tags: list[str] = strawberry.field(description="Its tags.")
    direction: DirectionEnum = strawberry.field(description=(
        "Always UPWARD: anonymous feedback goes from someone to one of their managers."))
    day: date = strawberry.field(description="The day it was written (never the time).")
    period: str = strawberry.field(description="The quarter of its batch, such as \"2026-Q4\".")
    release: int = strawberry.field(description="Which release of the period it came with; shuffled within.")

    @classmethod
    def wrap(cls, doc: Document | None) -> AnonymousFeedback | None:
        if doc is None:
            return None
        return cls(doc=doc, id=strawberry.ID(doc["_id"]), text=doc["text"], tags=list(doc.get("tags") or []),
                   direction=Direction(doc["direction"]), day=date.fromisoformat(doc["day"]), period=doc["period"],
                   release=doc["release"])

    @classmethod
    def wrap_all(cls, docs: list[Document]) -> list[AnonymousFeedback]:
        return [a for a in map(cls.wrap, docs) if a is not None]

    @strawberry.field(description="Follow-ups created from it (visible to the manager it was sent to).")
    async def follow_ups(self, info: Info[Context, Any]) -> list[FollowUp]:
        return FollowUp.wrap_all(await feedback_follow_ups.follow_ups_of(info.context, self.doc["_id"]))


@strawberry.type(description="Your anonymous upward feedback for one period.")
class AnonymousFeedbackSummary:
    period: str = strawberry.field(description="The quarter, such as \"2026-Q4\".")
    threshold: int = strawberry.field(description="Distinct authors needed before a batch is released.")
    pending_count: int = strawberry.field(description="Items waiting for enough other authors; never their text.")
    items: list[AnonymousFeedback] = strawberry.field(
        metadata=listed(50), description="Released items, release by release, shuffled.")


@strawberry.type(description="A request for feedback about the requester or one of their reports.")
class FeedbackRequest(Node):
    doc: strawberry.Private[Document]
    id: strawberry.ID
    question: str = strawberry.field(description="What the respondents are asked.")
    due_date: date = strawberry.field(description="When answers are due.")
    anonymous: bool = strawberry.field(description="Upward and anonymous: answers become anonymous feedback.")
    created_at: datetime = strawberry.field(description="When it was asked (UTC).")

    @classmethod
    def wrap(cls, doc: Document | None) -> FeedbackRequest | None:
        if doc is None:
            return None
        return cls(doc=doc, id=strawberry.ID(doc["_id"]), question=doc["question"],
                   due_date=date.fromisoformat(doc["dueDate"]), anonymous=bool(doc.get("anonymous")),
                   created_at=doc["createdAt"])

    @classmethod
    def wrap_all(cls, docs: list[Document]) -> list[FeedbackRequest]:
        return [r for r in map(cls.wrap, docs) if r is not None]

    @strawberry.field(description="Who asked.")
    async def requester(self, info: Info[Context, Any]) -> Employee | None:
        return EmployeeFields.wrap(await load(info.context, "employee_by_id", self.doc.get("requesterId")))

    @strawberry.field(description="Whom the feedback is about.")
    async def subject(self, info: Info[Context, Any]) -> Employee | None:
        return EmployeeFields.wrap(await load(info.context, "employee_by_id", self.doc.get("subjectId")))

    @strawberry.field(description="Who was asked. The requester only: null for the people asked, by design and "
                                  "without an error.")
    async def respondents(self, info: Info[Context, Any]) -> list[Employee] | None:
        docs = await feedback.respondents(info.context, self.doc)
        return None if docs is None else EmployeeFields.wrap_all(docs)

    @strawberry.field(description="Who answered. The requester only: null for the people asked (by design, without "
                                  "an error) and for an anonymous request (never recorded).")
    async def answered_by(self, info: Info[Context, Any]) -> list[Employee] | None:
        docs = await feedback.answered_by(info.context, self.doc)
        return None if docs is None else EmployeeFields.wrap_all(docs)

    @strawberry.field(description="The answers. The requester only: null for the people asked (by design, without "
                                  "an error) and for an anonymous request (see anonymousFeedback).")
    async def responses(self, info: Info[Context, Any]) -> list[Feedback] | None:
        docs = await feedback.responses(info.context, self.doc)
        return None if docs is None else Feedback.wrap_all(docs)

    @strawberry.field(description="How many of the people asked answered. The requester only: null for the people "
                                  "asked (by design, without an error) and for an anonymous request.")
    async def answered_count(self, info: Info[Context, Any]) -> int | None:
        return await feedback.answered_count(info.context, self.doc)

    @strawberry.field(description="Until everyone answered (anonymous: until the due date).")
    def open(self) -> bool:
        return feedback.is_open(self.doc)

    @strawberry.field(description="Still open and past its due day (UTC).")
    def overdue(self) -> bool:
        return feedback.is_open(self.doc) and date.fromisoformat(self.doc["dueDate"]) < clock.today()

    @strawberry.field(description="You were asked and have not answered yet.")
    async def my_part_open(self, info: Info[Context, Any]) -> bool:
        return await feedback.part_open(info.context, self.doc)


@strawberry.type(description="An action item spawned from feedback, tracked to done.")
class FollowUp(Node):
    doc: strawberry.Private[Document]
    id: strawberry.ID
    text: str = strawberry.field(description="What to do.")
    due_date: date = strawberry.field(description="When it is due.")
    done: bool = strawberry.field(description="Whether it is done.")
    done_at: datetime | None = strawberry.field(description="When it was marked done (UTC); null while open.")
    created_at: datetime = strawberry.field(description="When it was created (UTC).")
    from_anonymous_feedback: bool = strawberry.field(description=(
        "Whether it came from anonymous feedback (then `feedback` is null and `anonymousFeedback` names it, for "
        "the manager it was sent to)."))

    @classmethod
    def wrap(cls, doc: Document | None) -> FollowUp | None:
        if doc is None:
            return None
        return cls(doc=doc, id=strawberry.ID(doc["_id"]), text=doc["text"], due_date=date.fromisoformat(doc["dueDate"]),
                   done=bool(doc["done"]), done_at=doc.get("doneAt"),
                   created_at=doc["createdAt"], from_anonymous_feedback=bool(doc.get("anonymous")))

    @classmethod
    def wrap_all(cls, docs: list[Document]) -> list[FollowUp]:
        return [f for f in map(cls.wrap, docs) if f is not None]

    @strawberry.field(description="Open and past its due day (UTC).")
    def overdue(self) -> bool:
        return is_overdue(self.doc, clock.today())

    @strawberry.field(description="Who acts on it.")
    async def owner(self, info: Info[Context, Any]) -> Employee | None:
        return EmployeeFields.wrap(await load(info.context, "employee_by_id", self.doc.get("ownerId")))

    @strawberry.field(description="The person it concerns: the recipient of the feedback.")
    async def employee(self, info: Info[Context, Any]) -> Employee | None:
        return EmployeeFields.wrap(await load(info.context, "employee_by_id", self.doc.get("employeeId")))

    @strawberry.field(description="Who created it.")
    async def created_by(self, info: Info[Context, Any]) -> Employee | None:
        return EmployeeFields.wrap(await load(info.context, "employee_by_id", self.doc.get("createdById")))

    @strawberry.field(description="The feedback it came from, if you may see it.")
    async def feedback(self, info: Info[Context, Any]) -> Feedback | None:
        return Feedback.wrap(await feedback_follow_ups.feedback_of(info.context, self.doc))

    @strawberry.field(description="The anonymous feedback it came from: for the manager it was sent to only.")
    async def anonymous_feedback(self, info: Info[Context, Any]) -> AnonymousFeedback | None:
        return AnonymousFeedback.wrap(await feedback_follow_ups.anonymous_feedback_of(info.context, self.doc))


@strawberry.type(description="Open and overdue follow-ups of the people in one department (their department now).")
class DepartmentFollowUpStats:
    department: Department | None = strawberry.field(description="The department; null for people without one.")
    open: int = strawberry.field(description="Follow-ups not done.")
    overdue: int = strawberry.field(description="Of those, how many are past their due day.")


@strawberry.type(description=(
    "The organisation's feedback settings: the anonymity threshold, values and competencies."))
class FeedbackSettings:
    anonymity_threshold: int = strawberry.field(description=(
        "How many anonymous items a batch needs before the manager reads it (3 to 50)."))
    values: list[str] = strawberry.field(description="The organisation's values, usable as tags and praise values.")
    competencies: list[str] = strawberry.field(description="The competencies usable as tags.")

    @classmethod
    def of(cls, doc: Document) -> FeedbackSettings:
        return cls(anonymity_threshold=doc["anonymityThreshold"], values=list(doc["values"]),
                   competencies=list(doc["competencies"]))

    @classmethod
    def wrap(cls, doc: Document | None) -> FeedbackSettings | None:
        return None if doc is None else cls.of(doc)


FeedbackConnection = Connection[Feedback]


@strawberry.type(description="Something new addressed to you: feedback, a request, or a release of anonymous "
                             "upward feedback.")
class FeedbackEvent:
    kind: FeedbackEventKindEnum = strawberry.field(description="What the event brings.")
    feedback: Feedback | None = strawberry.field(default=None, description=(
        "The new feedback, for FEEDBACK events; null otherwise."))
    request: FeedbackRequest | None = strawberry.field(default=None, description=(
        "The new request, for REQUEST events; null otherwise."))
    anonymous_feedback: list[AnonymousFeedback] = strawberry.field(default_factory=list, description=(
        "The released batch, for ANONYMOUS_RELEASED events; empty otherwise."))

    @classmethod
    def of(cls, event: dict[str, Any]) -> FeedbackEvent:
        return cls(kind=event["kind"], feedback=Feedback.wrap(event.get("feedback")),
                   request=FeedbackRequest.wrap(event.get("request")),
                   anonymous_feedback=AnonymousFeedback.wrap_all(event.get("anonymous", [])))



async def open_follow_ups(info: Info[Context, Any], employee: Document) -> list[FollowUp] | None:
    """``employee { openFollowUps }`` (called from schema/feedback/org_fields.py)."""
    docs = await feedback_follow_ups.open_follow_ups(info.context, employee)
    return None if docs is None else FollowUp.wrap_all(docs)
