"""The pilots domain's queries, mutations and subscription."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import date
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from models.pilots.rules import PilotStatus, Practice
from resolvers.core.context import Context
from resolvers.core.outcome import Outcome
from resolvers.pilots import comparison as comparisons
from resolvers.pilots import pilots, surveys
from resolvers.pilots import subscriptions as streams
from resolvers.pilots.surveys import RoundResults
from schema.core.cost import listed
from schema.core.errors import Error, errors_of
from schema.pilots.inputs import (
    PilotEnd,
    PilotStatusEnum,
    ProcessSurveyAnswerInput,
    ProcessSurveyInput,
    StartPilotInput,
)
from schema.pilots.types import MyProcessSurvey, Pilot, PilotComparison, ProcessSurvey, ProcessSurveyRound


@strawberry.type(description="The pilot after the change, or why nothing was written.")
class PilotPayload:
    pilot: Pilot | None = strawberry.field(description="The pilot as written.")
    errors: list[Error] = strawberry.field(description="Why nothing was written.")
    overlapping_pilot_ids: list[strawberry.ID] = strawberry.field(
        description="CONFLICT: the running pilots changing the same setting for the same departments or people.",
        metadata=listed(100))


@strawberry.type(description="The survey after the change, or why nothing was written.")
class ProcessSurveyPayload:
    survey: ProcessSurvey | None = strawberry.field(description="The survey as written.")
    errors: list[Error] = strawberry.field(description="Why nothing was written.")


@strawberry.type(description="The round sent, or why nothing was written.")
class ProcessSurveyRoundPayload:
    round: ProcessSurveyRound | None = strawberry.field(description="The round as sent.")
    errors: list[Error] = strawberry.field(description="Why nothing was written.")


@strawberry.type(description="Whether your answer was taken; nothing that was stored comes back.")
class ProcessSurveyAnswerPayload:
    answered: bool = strawberry.field(description="True when your answer was stored.")
    errors: list[Error] = strawberry.field(description="Why nothing was written.")


def arg(description: str) -> Any:
    """An argument's description."""
    return strawberry.argument(description=description)


def pilot_payload(outcome: Outcome) -> PilotPayload:
    return PilotPayload(pilot=Pilot.wrap(outcome.document), errors=errors_of(outcome.errors),
                        overlapping_pilot_ids=[strawberry.ID(i) for i in outcome.extra.get("overlapping", [])])


def survey_payload(outcome: Outcome) -> ProcessSurveyPayload:
    doc = outcome.document
    return ProcessSurveyPayload(survey=ProcessSurvey.of(doc, []) if doc else None, errors=errors_of(outcome.errors))


@strawberry.type
class PilotQuery:
    @strawberry.field(description="Pilots, newest first: HR admins all, managers those whose whole cohort is below "
                                  "them.", metadata=listed(100))
    async def pilots(self, info: Info[Context, Any],
                     status: Annotated[PilotStatusEnum | None, arg("Only pilots in this state.")] = None
                     ) -> list[Pilot] | None:
        docs = await pilots.pilots(info.context, PilotStatus(status.value) if status else None)
        return [p for p in map(Pilot.wrap, docs) if p]

    @strawberry.field(description="One pilot (HR admins; managers of its whole cohort); null if unknown.")
    async def pilot(self, info: Info[Context, Any],
                    id: Annotated[strawberry.ID, arg("The pilot's id.")]) -> Pilot | None:
        return Pilot.wrap(await pilots.pilot(info.context, id))

    @strawberry.field(description="A pilot's cohort and comparison group side by side and by month, every figure "
                                  "over at least k people: HR admins; managers of its whole cohort (compared with "
                                  "the people below them).")
    async def pilot_comparison(self, info: Info[Context, Any],
                               pilot_id: Annotated[strawberry.ID, arg("The pilot compared.")]
                               ) -> PilotComparison | None:
        return PilotComparison.of(await comparisons.comparison(info.context, pilot_id))

    @strawberry.field(description="HR admins: process surveys (of one pilot, if given), newest first, with their "
                                  "rounds and closed rounds' results above k (at most 20).", metadata=listed(20))
    async def process_surveys(self, info: Info[Context, Any],
                              pilot_id: Annotated[strawberry.ID | None, arg("Only this pilot's surveys.")] = None
                              ) -> list[ProcessSurvey] | None:
        return [ProcessSurvey.of(doc, rounds) for doc, rounds in await surveys.surveys(info.context, pilot_id)]

    @strawberry.field(description="The survey rounds sent to you that are open now, with whether you answered.",
                      metadata=listed(50))
    async def my_process_surveys(self, info: Info[Context, Any]) -> list[MyProcessSurvey]:
        return [MyProcessSurvey.of(item) for item in await surveys.my_rounds(info.context)]


@strawberry.type
class PilotMutation:
    @strawberry.mutation(description="HR admins: start a pilot today: the setting is applied to the cohort through "
                                     "the check-ins domain, the earlier settings recorded. Refused (CONFLICT) if a "
                                     "running pilot changes the same setting for some of the same departments or "
                                     "people.")
    async def start_pilot(self, info: Info[Context, Any],
                          input: Annotated[StartPilotInput, arg("The pilot to start.")]) -> PilotPayload:
        data = pilots.StartInput(name=input.name, practice=Practice(input.practice.value), value=input.value,
                                 department_ids=list(dict.fromkeys(input.department_ids)),
                                 employee_ids=list(dict.fromkeys(input.employee_ids)),
                                 comparison_department_ids=list(dict.fromkeys(input.comparison_department_ids)),
                                 ends_on=input.ends_on, reason=input.reason)
        return pilot_payload(await pilots.start(info.context, data))

    @strawberry.mutation(description="HR admins: REVERT (restore the earlier settings exactly, end the pilot) or "
                                     "EXTEND (until a later endsOn), recorded with who and why.")
    async def end_pilot(self, info: Info[Context, Any], pilot_id: Annotated[strawberry.ID, arg("A running pilot.")],
                        action: Annotated[PilotEnd, arg("Revert or extend.")],
                        reason: Annotated[str, arg("Why (at most 2,000 characters).")],
                        ends_on: Annotated[date | None, arg("EXTEND: the new, later end date.")] = None
                        ) -> PilotPayload:
        if action == PilotEnd.EXTEND:
            return pilot_payload(await pilots.extend(info.context, pilot_id, ends_on, reason))
        return pilot_payload(await pilots.revert(info.context, pilot_id, reason))

    @strawberry.mutation(description="HR admins: adopt a running pilot's setting: kept for the cohort and applied "
                                     "to departmentIds too, recorded with who and why.")
    async def adopt_pilot(self, info: Info[Context, Any], pilot_id: Annotated[strawberry.ID, arg("A running pilot.")],
                          reason: Annotated[str, arg("Why (at most 2,000 characters).")],
                          department_ids: Annotated[list[strawberry.ID] | None,
                                                    arg("More departments to apply the setting to.")] = None
                          ) -> PilotPayload:
        ids = list(dict.fromkeys(department_ids or []))
        return pilot_payload(await pilots.adopt(info.context, pilot_id, ids, reason))

    @strawberry.mutation(description="HR admins: create (id null) or change a process survey (questions only "
                                     "until its first round is sent).")
    async def save_process_survey(self, info: Info[Context, Any],
                                  input: Annotated[ProcessSurveyInput, arg("The survey's title and questions.")],
                                  id: Annotated[strawberry.ID | None, arg("The survey to change; null: a new one.")]
                                  = None) -> ProcessSurveyPayload:
        data = {"title": input.title, "questions": list(input.questions), "pilot_id": input.pilot_id}
        return survey_payload(await surveys.save(info.context, id, data))

    @strawberry.mutation(description="HR admins: send the survey's next round, open from opensOn to closesOn: to the "
                                     "pilot's cohort and comparison group, else to departmentIds (none: everyone). "
                                     "Each group needs at least k recipients.")
    async def send_process_survey(self, info: Info[Context, Any],
                                  survey_id: Annotated[strawberry.ID, arg("The survey to send.")],
                                  opens_on: Annotated[date, arg("The round's first day.")],
                                  closes_on: Annotated[date, arg("The round's last day (not in the past).")],
                                  department_ids: Annotated[list[strawberry.ID] | None,
                                                            arg("A survey of no pilot: whom to send it to (none: "
                                                                "everyone).")] = None
                                  ) -> ProcessSurveyRoundPayload:
        outcome = await surveys.send(info.context, survey_id, opens_on, closes_on,
                                     list(dict.fromkeys(department_ids or [])))
        sent = outcome.extra.get("round")
        return ProcessSurveyRoundPayload(round=ProcessSurveyRound.of(RoundResults(sent, 0, None)) if sent else None,
                                         errors=errors_of(outcome.errors))

    @strawberry.mutation(description="Answer a round sent to you, once, anonymously: nothing stored names you, and "
                                     "nothing comes back.")
    async def answer_process_survey(self, info: Info[Context, Any],
                                    round_id: Annotated[strawberry.ID, arg("A round sent to you, open now.")],
                                    answers: Annotated[list[ProcessSurveyAnswerInput],
                                                       arg("A score for every question, comments optional.")]
                                    ) -> ProcessSurveyAnswerPayload:
        items = [{"question_id": a.question_id, "score": a.score, "comment": a.comment} for a in answers]
        outcome = await surveys.answer(info.context, round_id, items)
        return ProcessSurveyAnswerPayload(answered=bool(outcome.extra.get("answered")),
                                          errors=errors_of(outcome.errors))


@strawberry.type
class PilotSubscription:
    @strawberry.subscription(description="HR admins: the pilot's comparison again after each change of the pilot "
                                         "(extended, reverted, adopted, a survey round sent).")
    async def pilot_comparison_changed(self, info: Info[Context, Any],
                                       pilot_id: Annotated[strawberry.ID, arg("The pilot compared.")]
                                       ) -> AsyncGenerator[PilotComparison, None]:
        async for figures in streams.pilot_comparison_changed(info.context, pilot_id):
            yield PilotComparison.of(figures)
