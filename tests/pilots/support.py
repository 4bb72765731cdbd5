"""Shared pieces of the pilots tests: the GraphQL documents, the demo's departments and people, and helpers that
start pilots and send survey rounds through the API."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time
from typing import Any

import pytest

from models.core import clock
from models.core.documents import Document
from tests.conftest import NORTHWIND, RunningServer

UNKNOWN_ID = "0" * 24
PILOT_COLLECTIONS = ("pilots", "pilotLocks", "processSurveys", "processSurveyRounds", "processSurveyMarkers",
                     "processSurveyAnswers", "departments", "checkInSeries")
PILOT_FIELDS = """
  id name practice value status startsOn endsOn endedOn
  cohortDepartments { id } cohortPeople { id } comparisonDepartments { id }
  decisions { action by { id } reason endsOn departments { id } }
"""
PAYLOAD = "pilot { " + PILOT_FIELDS + " } errors { field code message } overlappingPilotIds"
START = "mutation($input: StartPilotInput!) { startPilot(input: $input) { " + PAYLOAD + " } }"
END = """mutation($id: ID!, $action: PilotEnd!, $reason: String!, $endsOn: Date) {
  endPilot(pilotId: $id, action: $action, reason: $reason, endsOn: $endsOn) { """ + PAYLOAD + " } }"
ADOPT = """mutation($id: ID!, $reason: String!, $departments: [ID!]) {
  adoptPilot(pilotId: $id, reason: $reason, departmentIds: $departments) { """ + PAYLOAD + " } }"
PILOTS = "{ pilots { id name status } }"
PILOT = "query($id: ID!) { pilot(id: $id) { " + PILOT_FIELDS + " } }"
SAVE_SURVEY = """mutation($id: ID, $input: ProcessSurveyInput!) {
  saveProcessSurvey(id: $id, input: $input) { survey { id title questions { id text } pilot { id } }
                                              errors { field code message } } }"""
SEND = """mutation($id: ID!, $opens: Date!, $closes: Date!, $departments: [ID!]) {
  sendProcessSurvey(surveyId: $id, opensOn: $opens, closesOn: $closes, departmentIds: $departments) {
    round { id number opensOn closesOn recipients } errors { field code message } } }"""
ANSWER = """mutation($round: ID!, $answers: [ProcessSurveyAnswerInput!]!) {
  answerProcessSurvey(roundId: $round, answers: $answers) { answered errors { field code message } } }"""
MY_SURVEYS = "{ myProcessSurveys { roundId title opensOn closesOn answered questions { id text } } }"
SURVEYS = """query($pilot: ID) { processSurveys(pilotId: $pilot) { id title rounds { number recipients
  results { questionId groups { group score { respondents mean spread } } } } } }"""
FIGURES = "due held skipped missed completionRate"
GROUP = ("group people shown checkIns { " + FIGURES + " } feedbackAnswers meanDaysToFeedback goalUpdates "
         "goalUpdatesPerPersonMonth")
COMPARISON = """query($id: ID!) { pilotComparison(pilotId: $id) { k start end pilot { id }
  cohort { """ + GROUP + " } comparison { " + GROUP + """ }
  completionRateDifference { estimate low high }
  months { month cohort { """ + FIGURES + " } comparison { " + FIGURES + """ } }
  questions { round questionId text cohort { respondents mean spread } comparison { respondents mean spread }
              difference { estimate low high } } } }"""


def department(name: str) -> Document:
    return next(d for d in NORTHWIND.departments if d["name"] == name)


def members(name: str) -> list[Document]:
    """The people of one department who have not left, by id."""
    id = department(name)["_id"]
    return sorted((e for e in NORTHWIND.employees if e["departmentId"] == id and e["status"] != "terminated"),
                  key=lambda e: e["_id"])


def start_input(name: str = "Monthly check-ins in Data", departments: tuple[str, ...] = ("Data",),
                people: list[str] | None = None, value: str = "MONTHLY", ends_on: str = "2099-01-31",
                comparison: tuple[str, ...] = ("Platform",), practice: str = "CHECK_IN_CADENCE") -> dict[str, Any]:
    return {"name": name, "practice": practice, "value": value,
            "departmentIds": [] if people else [department(d)["_id"] for d in departments],
            "employeeIds": people or [], "comparisonDepartmentIds": [department(d)["_id"] for d in comparison],
            "endsOn": ends_on, "reason": "Is a monthly rhythm enough?"}


async def start(server: RunningServer, **options: Any) -> Document:
    body = await server.client("hr_admin").data(START, {"input": start_input(**options)})
    assert body["startPilot"]["errors"] == [], body
    return body["startPilot"]["pilot"]


async def stored(server: RunningServer, collection: str, **query: Any) -> list[Document]:
    org = server.demo.organization["_id"]
    return await getattr(server.database, collection).find({"organizationId": org, **query}).sort("_id").to_list(None)


@contextmanager
def on(monkeypatch: pytest.MonkeyPatch, day: date, at: time = time(9)) -> Iterator[None]:
    """The server's clock (``models.core.clock``) stopped at ``day`` and ``at`` within the block."""
    with monkeypatch.context() as patched:
        patched.setattr(clock, "now", lambda: datetime.combine(day, at, UTC))
        yield
