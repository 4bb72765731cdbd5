"""The pilots domain's GraphQL types: pilots and their decisions, process surveys (their questions, rounds and
thresholded results) and the comparison of a pilot's cohort with its comparison group."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import strawberry
from strawberry.types import Info

from models.core.documents import Document
from models.core.ids import scoped_id
from models.pilots.comparison import Counts, GroupFigures, Interval, Score
from resolvers.core.context import Context
from resolvers.core.loading import load
from resolvers.pilots import pilots as resolvers
from resolvers.pilots.comparison import PilotComparison as Figures
from resolvers.pilots.surveys import MyRound, RoundResults
from schema.core.cost import listed
from schema.core.node import Node
from schema.org.types import Department, DepartmentFields, Employee, EmployeeFields
from schema.pilots.inputs import PilotActionEnum, PilotPracticeEnum, PilotStatusEnum, SurveyGroupEnum


@strawberry.type(description="A decision recorded on a pilot: who, when, why.")
class PilotDecision:
    doc: strawberry.Private[Document]
    action: PilotActionEnum = strawberry.field(description="What was decided.")
    at: datetime = strawberry.field(description="When.")
    reason: str | None = strawberry.field(description="Why.")
    ends_on: date | None = strawberry.field(description="EXTEND: the new end date.")

    @classmethod
    def of(cls, doc: Document) -> PilotDecision:
        ends = doc.get("endsOn")
        return cls(doc=doc, action=PilotActionEnum(doc["action"]), at=doc["at"], reason=doc.get("reason"),
                   ends_on=date.fromisoformat(ends) if ends else None)

    @strawberry.field(description="Who decided.")
    async def by(self, info: Info[Context, Any]) -> Employee | None:
        return EmployeeFields.wrap(await load(info.context, "employee_by_id", self.doc.get("byId")))

    @strawberry.field(description="ADOPT: the departments the setting was applied to as well.", metadata=listed(200))
    async def departments(self, info: Info[Context, Any]) -> list[Department]:
        return await _departments(info, self.doc.get("departmentIds") or [])


async def _departments(info: Info[Context, Any], ids: list[str]) -> list[Department]:
    await info.context.authenticate()
    docs = await info.context.loaders.department_by_id.load_many(ids)
    return [d for d in map(DepartmentFields.wrap, docs) if d is not None]


@strawberry.type(description="A pilot: one practice changed for a cohort over a period, compared with a group.")
class Pilot(Node):
    doc: strawberry.Private[Document]
    id: strawberry.ID = strawberry.field(description="The pilot's id.")
    name: str = strawberry.field(description="What it is called.")
    practice: PilotPracticeEnum = strawberry.field(description="The setting it changes.")
    value: str = strawberry.field(description="The piloted value (a cadence in lower case, a check-in or review "
                                                "template id, or a number of weeks).")
    status: PilotStatusEnum = strawberry.field(description="Running, reverted or adopted.")
    starts_on: date = strawberry.field(description="The day it started (the setting applied).")
    ends_on: date = strawberry.field(description="The planned end.")
    ended_on: date | None = strawberry.field(description="The day it was reverted or adopted.")

    @classmethod
    def wrap(cls, doc: Document | None) -> Pilot | None:
        if doc is None:
            return None
        ended = doc.get("endedOn")
        return cls(doc=doc, id=strawberry.ID(doc["_id"]), name=doc["name"], practice=PilotPracticeEnum(doc["practice"]),
                   value=str(doc["value"]), status=PilotStatusEnum(doc["status"]),
                   starts_on=date.fromisoformat(doc["startsOn"]), ends_on=date.fromisoformat(doc["endsOn"]),
                   ended_on=date.fromisoformat(ended) if ended else None)

    @strawberry.field(description="The cohort's departments (none: a cohort of people).", metadata=listed(200))
    async def cohort_departments(self, info: Info[Context, Any]) -> list[Department]:
        return await _departments(info, self.doc["cohort"]["departmentIds"])

    @strawberry.field(description="The people the setting was changed for, fixed at the start (the first 500 by "
                                  "id).", metadata=listed(500))
    async def cohort_people(self, info: Info[Context, Any]) -> list[Employee]:
        return EmployeeFields.wrap_all(await resolvers.cohort_people(info.context, self.doc))

    @strawberry.field(description="How many people the setting was changed for.")
    def cohort_size(self) -> int:
        return len(self.doc.get("affectedIds", []))

    @strawberry.field(description="The comparison group's departments (none: the rest of the organisation).",
                      metadata=listed(200))
    async def comparison_departments(self, info: Info[Context, Any]) -> list[Department]:
        return await _departments(info, self.doc["comparison"]["departmentIds"])

    @strawberry.field(description="Its decisions, oldest first (the start and the last 49): extensions, the revert "
                                  "or adoption.", metadata=listed(50))
    def decisions(self) -> list[PilotDecision]:
        decisions = self.doc.get("decisions", [])
        return [PilotDecision.of(d) for d in (decisions[:1] + decisions[1:][-49:])]


@strawberry.type(description="A question of a process survey, answered with a score of 1 to 5 and a comment.")
class ProcessSurveyQuestion(Node):
    id: strawberry.ID = strawberry.field(description="Unique across the API (a normalised cache's key): the "
                                                     "survey's id, a colon, then key. answerProcessSurvey takes it "
                                                     "or the key.")
    key: str = strawberry.field(description="The question's id within its survey (what the results' questionId "
                                            "names).")
    text: str = strawberry.field(description="The question.")

    @classmethod
    def of(cls, survey_id: str, question: Document) -> ProcessSurveyQuestion:
        return cls(id=strawberry.ID(scoped_id(survey_id, question["id"])), key=question["id"], text=question["text"])


def _questions(doc: Document) -> list[ProcessSurveyQuestion]:
    return [ProcessSurveyQuestion.of(doc["_id"], q) for q in doc.get("questions", [])]


@strawberry.type(name="ProcessSurveyScore",
                  description="Scores of one question in one group: only over at least k respondents.")
class ScoreFigures:
    respondents: int = strawberry.field(description="How many answered (at least k).")
    mean: float = strawberry.field(description="The mean score (1-5).")
    spread: float | None = strawberry.field(description="The sample standard deviation; null with one answer.")

    @classmethod
    def of(cls, score: Score | None) -> ScoreFigures | None:
        return None if score is None else cls(respondents=score.respondents, mean=score.mean, spread=score.spread)


@strawberry.type(name="ProcessSurveyGroupScore",
                  description="One group's score of a question; null below k respondents.")
class GroupScore:
    group: SurveyGroupEnum = strawberry.field(description="Cohort, comparison group or everyone sent the round.")
    score: ScoreFigures | None = strawberry.field(description="Null: fewer than k answered, or hidden so that no "
                                                              "group is computable from another.")


@strawberry.type(name="ProcessSurveyQuestionScores",
                  description="One question's scores per group in a closed round.")
class QuestionScores:
    question_id: str = strawberry.field(description="The question.")
    groups: list[GroupScore] = strawberry.field(description="Per group.", metadata=listed(3))


@strawberry.type(description="A round of a process survey: its window, how many it went to, and once closed "
                             "its results (above k only).")
class ProcessSurveyRound(Node):
    doc: strawberry.Private[Document]
    results_doc: strawberry.Private[RoundResults]
    id: strawberry.ID = strawberry.field(description="The round's id (what answerProcessSurvey takes).")
    number: int = strawberry.field(description="1 for the first round.")
    opens_on: date = strawberry.field(description="The first day it can be answered.")
    closes_on: date = strawberry.field(description="The last day it can be answered.")

    @classmethod
    def of(cls, results: RoundResults) -> ProcessSurveyRound:
        doc = results.round
        return cls(doc=doc, results_doc=results, id=strawberry.ID(doc["_id"]), number=doc["number"],
                   opens_on=date.fromisoformat(doc["opensOn"]), closes_on=date.fromisoformat(doc["closesOn"]))

    @strawberry.field(description="How many people it was sent to.")
    def recipients(self) -> int:
        return sum(len(ids) for ids in self.doc["recipients"].values())

    @strawberry.field(description="Once it closed: each question's scores per group; null while it is open.",
                      metadata=listed(10))
    def results(self) -> list[QuestionScores] | None:
        scores = self.results_doc.scores
        if scores is None:
            return None
        return [QuestionScores(question_id=qid, groups=[GroupScore(group=SurveyGroupEnum(g), score=ScoreFigures.of(s))
                                                        for g, s in sorted(by_group.items())])
                for qid, by_group in scores.items()]


@strawberry.type(description="A process survey (HR admins): its questions and rounds.")
class ProcessSurvey(Node):
    doc: strawberry.Private[Document]
    rounds_of: strawberry.Private[list[RoundResults]]
    id: strawberry.ID = strawberry.field(description="The survey's id.")
    title: str = strawberry.field(description="Its title.")

    @classmethod
    def of(cls, doc: Document, rounds: list[RoundResults]) -> ProcessSurvey:
        return cls(doc=doc, rounds_of=rounds, id=strawberry.ID(doc["_id"]), title=doc["title"])

    @strawberry.field(description="Its questions, in order.", metadata=listed(10))
    def questions(self) -> list[ProcessSurveyQuestion]:
        return _questions(self.doc)

    @strawberry.field(description="Its rounds, first first.", metadata=listed(12))
    def rounds(self) -> list[ProcessSurveyRound]:
        return [ProcessSurveyRound.of(r) for r in self.rounds_of]

    @strawberry.field(description="The pilot it asks about.")
    async def pilot(self, info: Info[Context, Any]) -> Pilot | None:
        id = self.doc.get("pilotId")
        return Pilot.wrap(await resolvers.pilot(info.context, id)) if id else None


@strawberry.type(description="A round of a process survey sent to you: anonymous, answered once.")
class MyProcessSurvey:
    item: strawberry.Private[MyRound]
    round_id: strawberry.ID = strawberry.field(description="What answerProcessSurvey takes.")
    title: str = strawberry.field(description="The survey's title.")
    opens_on: date = strawberry.field(description="The first day it can be answered.")
    closes_on: date = strawberry.field(description="The last day it can be answered.")
    answered: bool = strawberry.field(description="Whether you answered this round.")

    @classmethod
    def of(cls, item: MyRound) -> MyProcessSurvey:
        return cls(item=item, round_id=strawberry.ID(item.round["_id"]), title=item.survey["title"],
                   opens_on=date.fromisoformat(item.round["opensOn"]),
                   closes_on=date.fromisoformat(item.round["closesOn"]), answered=item.answered)

    @strawberry.field(description="Its questions, in order.", metadata=listed(10))
    def questions(self) -> list[ProcessSurveyQuestion]:
        return _questions(self.item.survey)


@strawberry.type(name="PilotCheckInFigures",
                  description="Check-ins of a group: due (scheduled in the period, up to today), held, skipped, "
                             "missed (still scheduled, their day passed).")
class CheckInFigures:
    due: int = strawberry.field(description="Due in the period.")
    held: int = strawberry.field(description="Completed.")
    skipped: int = strawberry.field(description="Occurrences skipped (by either participant, with a reason).")
    missed: int = strawberry.field(description="Neither held nor skipped.")
    completion_rate: float | None = strawberry.field(description="held ÷ due; null with none due.")

    @classmethod
    def of(cls, counts: Counts | None) -> CheckInFigures | None:
        if counts is None:
            return None
        return cls(due=counts.due, held=counts.held, skipped=counts.skipped, missed=counts.missed,
                   completion_rate=counts.completion_rate)


@strawberry.type(name="PilotDifference",
                  description="A difference (cohort − comparison) with its 95 % confidence interval.")
class Difference:
    estimate: float = strawberry.field(description="Cohort minus comparison.")
    low: float = strawberry.field(description="The interval's lower bound.")
    high: float = strawberry.field(description="The interval's upper bound.")

    @classmethod
    def of(cls, interval: Interval | None) -> Difference | None:
        return None if interval is None else cls(estimate=interval.estimate, low=interval.low, high=interval.high)


@strawberry.type(description="One group's figures over the pilot's period; all null below k people.")
class PilotGroupFigures:
    group: SurveyGroupEnum = strawberry.field(description="COHORT or COMPARISON.")
    people: int = strawberry.field(description="How many people it holds.")
    shown: bool = strawberry.field(description="False: fewer than k people (or hidden with the other group).")
    check_ins: CheckInFigures | None = strawberry.field(description="Participation in the piloted practice.")
    feedback_answers: int | None = strawberry.field(description="Answers to feedback the group's people requested.")
    mean_days_to_feedback: float | None = strawberry.field(description="Mean days from a request to an answer.")
    goal_updates: int | None = strawberry.field(description="Key-result progress updates its people recorded.")
    goal_updates_per_person_month: float | None = strawberry.field(description="Updates per person and 30 days.")

    @classmethod
    def of(cls, figures: GroupFigures) -> PilotGroupFigures:
        return cls(group=SurveyGroupEnum(figures.group), people=figures.people, shown=figures.shown,
                   check_ins=CheckInFigures.of(figures.check_ins), feedback_answers=figures.feedback_answers,
                   mean_days_to_feedback=figures.mean_days_to_feedback, goal_updates=figures.goal_updates,
                   goal_updates_per_person_month=figures.goal_updates_per_person_month)


@strawberry.type(description="Check-ins of both groups in one calendar month.")
class PilotMonth:
    month: str = strawberry.field(description="YYYY-MM.")
    cohort: CheckInFigures | None = strawberry.field(description="The cohort's (null below k).")
    comparison: CheckInFigures | None = strawberry.field(description="The comparison group's (null below k).")


@strawberry.type(description="A survey question of a closed round, both groups side by side.")
class PilotQuestionComparison:
    round: int = strawberry.field(description="The round, 1 for the pilot's first.")
    question_id: str = strawberry.field(description="The question.")
    text: str = strawberry.field(description="Its text.")
    cohort: ScoreFigures | None = strawberry.field(description="The cohort's score (null below k).")
    comparison: ScoreFigures | None = strawberry.field(description="The comparison group's (null below k).")
    difference: Difference | None = strawberry.field(description="Mean difference and 95 % interval (Welch).")


@strawberry.type(description="A pilot's cohort and comparison group side by side and over time, every figure over "
                             "at least k people (survey scores: k respondents).")
class PilotComparison:
    figures: strawberry.Private[Figures]
    k: int = strawberry.field(description="The organisation's anonymity threshold.")
    start: date = strawberry.field(description="The period's first day (the pilot's start).")
    end: date = strawberry.field(description="Its last day: the end, the day it was ended, or today.")
    cohort: PilotGroupFigures = strawberry.field(description="The cohort's figures.")
    comparison: PilotGroupFigures = strawberry.field(description="The comparison group's figures.")
    completion_rate_difference: Difference | None = strawberry.field(
        description="Cohort − comparison completion rate, 95 % interval (Wald), with 10 due check-ins a side.")

    @classmethod
    def of(cls, figures: Figures) -> PilotComparison:
        f = figures.figures
        return cls(figures=figures, k=f.k, start=f.start, end=f.end, cohort=PilotGroupFigures.of(f.cohort),
                   comparison=PilotGroupFigures.of(f.comparison),
                   completion_rate_difference=Difference.of(f.completion_difference))

    @strawberry.field(description="The pilot compared.")
    def pilot(self) -> Pilot:
        return Pilot.wrap(self.figures.pilot)  # type: ignore[return-value]

    @strawberry.field(description="Check-ins per calendar month of the period (its last 25).", metadata=listed(25))
    def months(self) -> list[PilotMonth]:
        return [PilotMonth(month=m.month, cohort=CheckInFigures.of(m.cohort),
                           comparison=CheckInFigures.of(m.comparison)) for m in self.figures.figures.months]

    @strawberry.field(description="Survey questions of the pilot's closed rounds.", metadata=listed(120))
    def questions(self) -> list[PilotQuestionComparison]:
        texts = self.figures.question_texts
        return [PilotQuestionComparison(round=q.round_number, question_id=q.question_id,
                                        text=texts.get((q.round_number, q.question_id), ""),
                                        cohort=ScoreFigures.of(q.cohort), comparison=ScoreFigures.of(q.comparison),
                                        difference=Difference.of(q.difference))
                for q in self.figures.figures.questions]
