"""Check-in types: series, occurrences and their parts, templates, the overdue list and participation.

A ``CheckIn`` or ``CheckInSeries`` is only ever built from a document the viewer was allowed to
read; its fields then show everything but other people's private notes, which no field returns, and
goals the viewer may not see: ``linkedGoalIds``, ``linkedGoals`` and ``progressUpdates`` show only the
goals the goals domain lets the viewer see, checked once per check-in for the three fields.
"""

from __future__ import annotations

import asyncio
from dataclasses import field
from datetime import date, datetime
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from models.checkins.permissions import can_read_check_in
from models.checkins.rules import Cadence, CheckInChange, CheckInStatus, ParticipationRow, day
from models.core.documents import Document
from models.core.ids import scoped_id
from resolvers.checkins import queries as checkins
from resolvers.core.context import Context
from resolvers.core.loading import load
from schema.core.cost import listed
from schema.core.descriptions import described_enum
from schema.core.history import HISTORY_LISTED, LAST, AuditEntry, history_of, withheld_unless_hr
from schema.core.node import Node
from schema.goals.types import Goal
from schema.org.types import Department, DepartmentFields, Employee, EmployeeFields

CadenceEnum = described_enum(Cadence, name="CheckInCadence", description="How often a check-in series meets.", values={
    Cadence.WEEKLY: "Every week.",
    Cadence.BIWEEKLY: "Every other week.",
    Cadence.MONTHLY: "Every month.",
})
CheckInStatusEnum = described_enum(CheckInStatus, name="CheckInStatus", description="Where one check-in stands.",
                                   values={
    CheckInStatus.SCHEDULED: "Planned (or overdue, when its date has passed).",
    CheckInStatus.COMPLETED: "Held and closed.",
    CheckInStatus.SKIPPED: "Closed without being held.",
    CheckInStatus.CANCELLED: "The series ended (a new manager, a leaver) before it was held.",
})
CheckInChangeKind = described_enum(CheckInChange, name="CheckInChangeKind", description=(
    "What a checkInUpdated event reports."), values={
    CheckInChange.TALKING_POINT_ADDED: "A talking point was added.",
    CheckInChange.TALKING_POINT_UPDATED: "A talking point's text changed.",
    CheckInChange.TALKING_POINT_REMOVED: "A talking point was removed.",
    CheckInChange.ANSWERED: "A question was answered.",
    CheckInChange.RATED: "The check-in was rated.",
    CheckInChange.ACTION_ITEM_SAVED: "An action item was added or changed.",
    CheckInChange.GOAL_LINKED: "A goal was linked to the check-in.",
    CheckInChange.GOAL_UNLINKED: "A goal was unlinked.",
    CheckInChange.PROGRESS_RECORDED: "Progress on a linked goal's key result was recorded.",
    CheckInChange.COMPLETED: "The check-in was completed.",
    CheckInChange.SKIPPED: "The check-in was skipped.",
})


def optional_day(value: str | None) -> date | None:
    return day(value) if value else None


async def employee(info: Info[Context, Any], id: str | None) -> Employee | None:
    return EmployeeFields.wrap(await load(info.context, "employee_by_id", id))


def person(key: str, description: str) -> Any:
    """A field of a type wrapping a document: the person whose id the document keeps under ``key``."""
    async def resolve(self: Any, info: Info[Context, Any]) -> Employee | None:
        return await employee(info, self.doc.get(key))

    return strawberry.field(resolver=resolve, description=description)


@strawberry.type(description="One participant's answer to a question.")
class CheckInAnswer:
    author_id: strawberry.Private[str]
    text: str = strawberry.field(description="The answer as written.")
    at: datetime = strawberry.field(description="When it was last written (UTC).")

    @strawberry.field(description="Who answered.")
    async def author(self, info: Info[Context, Any]) -> Employee | None:
        return await employee(info, self.author_id)


@strawberry.type(description="A question of the template the check-in was scheduled with, and its answers.")
class CheckInQuestion(Node):
    id: strawberry.ID = strawberry.field(description=(
        "Unique across check-ins (a normalised cache's key: each check-in has its own answers): the check-in's id, "
        "a colon, then key."))
    key: str = strawberry.field(description="The question's id in the template it was copied from, the same in every "
                                            "check-in scheduled with it: what answerCheckInQuestion refers to.")
    text: str = strawberry.field(description="The question as asked.")
    answers: list[CheckInAnswer] = strawberry.field(description="The participants' answers, at most one each.")


@strawberry.type(description="A subject either participant brings; edits are versioned (compare-and-set).")
class TalkingPoint(Node):
    doc: strawberry.Private[Document]
    id: strawberry.ID
    text: str = strawberry.field(description="What to talk about.")
    version: int = strawberry.field(description="Send it back when editing: a stale version is a CONFLICT.")
    removed: bool = strawberry.field(description=(
        "Whether it was removed (removed ones are listed only with includeRemoved)."))
    created_at: datetime = strawberry.field(description="When it was added (UTC).")
    updated_at: datetime = strawberry.field(description="When it was last changed (UTC).")

    @classmethod
    def wrap(cls, doc: Document | None) -> TalkingPoint | None:
        if doc is None:
            return None
        return cls(doc=doc, id=strawberry.ID(doc["_id"]), text=doc["text"], version=doc["version"],
                   removed=bool(doc.get("removed")), created_at=doc["createdAt"], updated_at=doc["updatedAt"])

    author = person("authorId", "Who added it.")
    updated_by = person("updatedById", "Who changed it last.")


@strawberry.type(description="A follow-up; open items carry over to the next check-ins of the series until done.")
class ActionItem(Node):
    doc: strawberry.Private[Document]
    shown_in: strawberry.Private[int | None]
    id: strawberry.ID
    text: str = strawberry.field(description="What is to be done.")
    due_on: date | None = strawberry.field(description="When it is due; null without a date.")
    done: bool = strawberry.field(description="Whether it was ticked off.")
    check_in_id: strawberry.ID = strawberry.field(description="The check-in it was created in.")

    @classmethod
    def wrap(cls, doc: Document | None, shown_in: int | None = None) -> ActionItem | None:
        if doc is None:
            return None
        return cls(doc=doc, shown_in=shown_in, id=strawberry.ID(doc["_id"]), text=doc["text"],
                   due_on=optional_day(doc.get("dueOn")), done=bool(doc.get("done")),
                   check_in_id=strawberry.ID(doc["checkInId"]))

    @strawberry.field(description="True when it comes from an earlier check-in of the series.")
    def carried_over(self) -> bool:
        return self.shown_in is not None and self.doc["fromSequence"] < self.shown_in

    @strawberry.field(description="When it was ticked off (UTC); null while open.")
    def done_at(self) -> datetime | None:
        return self.doc.get("doneAt")

    owner = person("ownerId", "Who does it (one of the two participants).")
    created_by = person("createdById", "Who added it.")


@strawberry.type(description="A key result's progress recorded during the check-in (written through to the goal).")
class CheckInProgressUpdate(Node):
    doc: strawberry.Private[Document]
    id: strawberry.ID
    goal_id: strawberry.ID = strawberry.field(description="The goal whose key result moved.")
    key_result_id: strawberry.ID = strawberry.field(description="The key result.")
    key_result_title: str | None = strawberry.field(description=(
        "Its title when the value was recorded; null if unknown."))
    value: float = strawberry.field(description="The value recorded, in the key result's unit.")
    comment: str | None = strawberry.field(description="Why it moved; null without a comment.")
    at: datetime = strawberry.field(description="When it was recorded (UTC).")

    @classmethod
    def wrap(cls, doc: Document | None) -> CheckInProgressUpdate | None:
        if doc is None:
            return None
        return cls(doc=doc, id=strawberry.ID(doc["_id"]), goal_id=strawberry.ID(doc["goalId"]),
                   key_result_id=strawberry.ID(doc["keyResultId"]), key_result_title=doc.get("keyResultTitle"),
                   value=doc["value"], comment=doc.get("comment"), at=doc["at"])

    by = person("byId", "Who recorded it.")


# goals linked to a check-in, and progress recorded on them, may be some the reader may not see: their values are
# withheld, and an entry that changed nothing else is left out, except for HR admins
WITHHELD = frozenset({"linkedGoalIds", "progressUpdates"})


@strawberry.type(description="One occurrence of a check-in series.")
class CheckIn(Node):
    doc: strawberry.Private[Document]
    id: strawberry.ID
    sequence: int = strawberry.field(description="Its number in the series, from 1.")
    scheduled_on: date = strawberry.field(description="The day it is planned for.")
    status: CheckInStatusEnum = strawberry.field(description="Where it stands.")
    held_on: date | None = strawberry.field(description="The day it was held; null unless completed.")
    cadence: CadenceEnum = strawberry.field(description="The cadence in force when it was scheduled.")
    rating: int | None = strawberry.field(description="Mood or confidence, 1–5.")
    # the goals this occurrence names that the viewer may see (one goals-domain call for all fields)
    shown: strawberry.Private[dict[str, Document] | None] = None
    shown_lock: strawberry.Private[asyncio.Lock] = field(default_factory=asyncio.Lock)

    @classmethod
    def wrap(cls, doc: Document | None) -> CheckIn | None:
        if doc is None:
            return None
        return cls(doc=doc, id=strawberry.ID(doc["_id"]), sequence=doc["sequence"],
                   scheduled_on=day(doc["scheduledOn"]), status=CheckInStatus(doc["status"]),
                   held_on=optional_day(doc.get("heldOn")), cadence=Cadence(doc["cadence"]), rating=doc.get("rating"))

    @classmethod
    def wrap_all(cls, docs: list[Document]) -> list[CheckIn]:
        return [c for c in map(cls.wrap, docs) if c is not None]

    employee = person("employeeId", "The employee of the check-in.")
    manager = person("managerId", "Their manager in it (when it was scheduled).")

    @strawberry.field(description="The department it was scheduled under.")
    async def department(self, info: Info[Context, Any]) -> Department | None:
        return DepartmentFields.wrap(await load(info.context, "department_by_id", self.doc.get("departmentId")))

    @strawberry.field(description="The series it belongs to.")
    async def series(self, info: Info[Context, Any]) -> CheckInSeries | None:
        return CheckInSeries.wrap(await checkins.series_of(info.context, self.doc))

    @strawberry.field(description="The questions asked, copied from the template when it was scheduled.")
    def questions(self) -> list[CheckInQuestion]:
        answers = self.doc.get("answers") or {}
        return [CheckInQuestion(id=strawberry.ID(scoped_id(self.doc["_id"], q["_id"])), key=q["_id"], text=q["text"],
                                answers=[
            CheckInAnswer(author_id=author, text=a["text"], at=a["at"])
            for author, a in sorted((answers.get(q["_id"]) or {}).items(), key=lambda kv: (kv[1]["at"], kv[0]))])
            for q in self.doc.get("questions", [])]

    @strawberry.field(description="Removed talking points are left out unless asked for.")
    def talking_points(
        self,
        include_removed: Annotated[bool, strawberry.argument(description=(
            "Include removed talking points (default false)."))] = False,
    ) -> list[TalkingPoint]:
        return [t for t in map(TalkingPoint.wrap, self.doc.get("talkingPoints", []))
                if t is not None and (include_removed or not t.removed)]

    rated_by = person("ratedById", "Who rated it; null while unrated.")

    async def goals_shown(self, info: Info[Context, Any]) -> dict[str, Document]:
        """The goals this occurrence names that the viewer may see, read once for all its fields."""
        async with self.shown_lock:
            if self.shown is None:
                self.shown = await checkins.goals_shown(info.context, self.doc)
            return self.shown

    @strawberry.field(description="The ids of the linked goals you may see (the goals' visibility rules); "
                                  "a goal hidden from you is left out.")
    async def linked_goal_ids(self, info: Info[Context, Any]) -> list[strawberry.ID]:
        return [strawberry.ID(g["_id"]) for g in checkins.linked_goals(self.doc, await self.goals_shown(info))]

    @strawberry.field(description="Progress recorded during the check-in on goals you may see (the goals' "
                                  "visibility rules); an update on a goal hidden from you is left out whole.")
    async def progress_updates(self, info: Info[Context, Any]) -> list[CheckInProgressUpdate]:
        updates = checkins.progress_updates(self.doc, await self.goals_shown(info))
        return [p for p in map(CheckInProgressUpdate.wrap, updates) if p is not None]

    @strawberry.field(description="The linked goals you may see (the goals' visibility rules).")
    async def linked_goals(self, info: Info[Context, Any]) -> list[Goal]:
        return Goal.wrap_all(checkins.linked_goals(self.doc, await self.goals_shown(info)))

    @strawberry.field(description="Created here, or still open from earlier check-ins of the series.")
    async def action_items(self, info: Info[Context, Any]) -> list[ActionItem]:
        items = await checkins.action_items_of(info.context, self.doc)
        return [a for a in (ActionItem.wrap(i, self.doc["sequence"]) for i in items) if a is not None]

    @strawberry.field(description="Your own private note; nobody else's is ever returned.")
    async def my_private_note(self, info: Info[Context, Any]) -> str | None:
        return await checkins.my_private_note(info.context, self.doc)

    @strawberry.field(description="Those who may read the check-in (its participants, the employee's managers, HR "
                                  "admins): its latest changes, newest first (private notes never show; the goals "
                                  "linked and the progress recorded on them are left out, except for HR admins).",
                      metadata=listed(HISTORY_LISTED))
    async def history(self, info: Info[Context, Any],
                      last: Annotated[int, LAST] = HISTORY_LISTED) -> list[AuditEntry] | None:
        viewer = info.context.viewer
        employee = await load(info.context, "employee_by_id", self.doc.get("employeeId"))
        allowed = viewer is not None and can_read_check_in(viewer, self.doc, employee)
        return await history_of(info, self.doc["_id"], allowed, "a check-in's history is for those who may read it",
                                last=last, withheld=withheld_unless_hr(info, WITHHELD),
                                dropped=withheld_unless_hr(info, WITHHELD))


@strawberry.type(description="Recurring check-ins between an employee and their manager.")
class CheckInSeries(Node):
    doc: strawberry.Private[Document]
    id: strawberry.ID
    started_on: date = strawberry.field(description="The day the series started.")
    active: bool = strawberry.field(description=(
        "Whether it still runs (false once ended, as when the employee gets a new manager)."))
    last_held_on: date | None = strawberry.field(description=(
        "The day of the last check-in held; null before the first."))
    cadence_override: CadenceEnum | None = strawberry.field(description="Set: this series ignores its department's.")

    @classmethod
    def wrap(cls, doc: Document | None) -> CheckInSeries | None:
        if doc is None:
            return None
        return cls(doc=doc, id=strawberry.ID(doc["_id"]), started_on=day(doc["startedOn"]), active=bool(doc["active"]),
                   last_held_on=optional_day(doc.get("lastHeldOn")),
                   cadence_override=Cadence(doc["cadence"]) if doc.get("cadence") else None)

    @classmethod
    def wrap_all(cls, docs: list[Document]) -> list[CheckInSeries]:
        return [s for s in map(cls.wrap, docs) if s is not None]

    @strawberry.field(description="The cadence in force: the override, else the employee's department's.")
    async def cadence(self, info: Info[Context, Any]) -> CadenceEnum:
        return await checkins.series_cadence(info.context, self.doc)

    employee = person("employeeId", "The employee of the series.")
    manager = person("managerId", "Their manager in the series.")

    @strawberry.field(description="The scheduled occurrence.")
    async def upcoming(self, info: Info[Context, Any]) -> CheckIn | None:
        return CheckIn.wrap(await checkins.upcoming_of(info.context, self.doc))

    @strawberry.field(description="Closed occurrences, newest first (last ≤ 100).")
    async def history(self, info: Info[Context, Any], last: int = 10) -> list[CheckIn]:
        return CheckIn.wrap_all(await checkins.history_of(info.context, self.doc, last))

    @strawberry.field(description="Action items of its check-ins not done yet, carried over from one to the next.")
    async def open_action_items(self, info: Info[Context, Any]) -> list[ActionItem]:
        items = await checkins.open_action_items(info.context, self.doc)
        return [a for a in map(ActionItem.wrap, items) if a is not None]


@strawberry.type(description="One question of a check-in template.")
class CheckInTemplateQuestion(Node):
    id: strawberry.ID
    text: str = strawberry.field(description="The question as asked.")


@strawberry.type(description="Questions for check-ins: the organisation's default, or a department's own.")
class CheckInTemplate(Node):
    doc: strawberry.Private[Document]
    id: strawberry.ID
    name: str = strawberry.field(description="The template's name.")
    questions: list[CheckInTemplateQuestion] = strawberry.field(description=(
        "Its questions, in the order they are asked."))

    @classmethod
    def wrap(cls, doc: Document | None) -> CheckInTemplate | None:
        if doc is None:
            return None
        return cls(doc=doc, id=strawberry.ID(doc["_id"]), name=doc["name"],
                   questions=[CheckInTemplateQuestion(id=strawberry.ID(q["_id"]), text=q["text"])
                              for q in doc["questions"]])

    @strawberry.field(description="True for the organisation's default template.")
    async def is_default(self, info: Info[Context, Any]) -> bool:
        return await checkins.is_default_template(info.context, self.doc)


@strawberry.type(description="Someone's check-ins: scheduled ones soonest first, past ones newest first.")
class CheckInTimeline:
    employee: Employee = strawberry.field(description="The person whose check-ins these are.")
    upcoming: list[CheckIn] = strawberry.field(description="Their scheduled check-ins, soonest first.")
    past: list[CheckIn] = strawberry.field(description=(
        "Their held or skipped check-ins, newest first (as many as `past` asked)."))


@strawberry.type(description="A series whose last held check-in is older than its cadence.")
class OverdueCheckIn:
    series: CheckInSeries = strawberry.field(description="The series whose check-in is overdue.")
    cadence: CadenceEnum = strawberry.field(description="The series' cadence.")
    days_overdue: int = strawberry.field(description="Days since the check-in was due (as of the day asked).")


@strawberry.type(description="Check-ins due in a period for one department and cadence, and how many were held.")
class CheckInParticipation:
    row: strawberry.Private[ParticipationRow]
    cadence: CadenceEnum = strawberry.field(description="The cadence this row counts.")
    due: int = strawberry.field(description="Check-ins due in the period (cancelled ones not counted).")
    completed: int = strawberry.field(description="Of those, how many were held.")
    skipped: int = strawberry.field(description="Of those, how many were skipped.")
    missed: int = strawberry.field(description="Of those, how many are still open although their day has passed.")
    completion_rate: float | None = strawberry.field(description=(
        "completed ÷ due, from 0 to 1, rounded to four decimal places; null when nothing was due."))

    @classmethod
    def wrap(cls, row: ParticipationRow) -> CheckInParticipation:
        return cls(row=row, cadence=Cadence(row.cadence), due=row.due, completed=row.completed, skipped=row.skipped,
                   missed=row.missed, completion_rate=row.completion_rate)

    @strawberry.field(description="The department of the employees counted; null for people without one.")
    async def department(self, info: Info[Context, Any]) -> Department | None:
        return DepartmentFields.wrap(await load(info.context, "department_by_id", self.row.department_id))


@strawberry.type(description="A committed edit of a check-in you take part in, and the check-in after it.")
class CheckInEvent:
    kind: CheckInChangeKind = strawberry.field(description="What changed.")
    check_in_id: strawberry.ID = strawberry.field(description="The check-in that changed.")
    by_id: strawberry.Private[str]
    talking_point_id: strawberry.ID | None = strawberry.field(description=(
        "The talking point concerned; null for other changes."))
    check_in: CheckIn = strawberry.field(description="The check-in as it is after the change, as you may see it.")

    @strawberry.field(description="Who made the change.")
    async def by(self, info: Info[Context, Any]) -> Employee | None:
        return await employee(info, self.by_id)
