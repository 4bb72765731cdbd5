"""Shared pieces of the exits tests: the personas, the GraphQL documents, and helpers that run the leaving
process through the API (terminate, an end date ahead, reasons, a template)."""

from __future__ import annotations

from typing import Any

from models.core.documents import Document
from tests.conftest import NORTHWIND, RunningServer

UNKNOWN_ID = "0" * 24
EXIT_COLLECTIONS = ("exitRecords", "exitReasons", "exitTemplates", "exitSurveyResponses", "exitSettings")
RECORD_FIELDS = """
  id lastDay status kind regretted rehireEligible notes interviewOn
  employee { id } interviewer { id }
  primaryReason { id code } secondaryReason { id } tertiaryReason { id }
  checklist { id kind refId title done suggestedOwner { id } owner { id } }
  interview { answers { questionId value } recordedBy { id } }
"""
TERMINATE = """
mutation($id: ID!) { terminateEmployee(employeeId: $id) { employee { id status } errors { field code message } } }"""
SET_END_DATE = """
mutation($id: ID!, $end: Date) {
  updateEmployee(id: $id, input: {endDate: $end}) { employee { id endDate } errors { field code message } }
}"""
EXIT_RECORDS = ("query($status: ExitStatus) { exitRecords(status: $status, first: 20) { totalCount edges { node { "
                + RECORD_FIELDS + " } } } }")
EXIT_RECORD = "query($id: ID!) { exitRecord(id: $id) { " + RECORD_FIELDS + " } }"
SAVE_REASON = """
mutation($id: ID, $input: ExitReasonInput!) {
  saveExitReason(id: $id, input: $input) { reason { id code label category archived } errors { field code message } }
}"""
CLASSIFY = """
mutation($id: ID!, $input: ClassifyExitInput!) {
  classifyExit(exitId: $id, input: $input) { exitRecord { """ + RECORD_FIELDS + """ } errors { field code message } }
}"""
SCHEDULE = """
mutation($id: ID!, $who: ID!, $on: Date!) {
  scheduleExitInterview(exitId: $id, interviewerId: $who, on: $on) {
    exitRecord { id status interviewOn interviewer { id } } errors { field code message }
  }
}"""
SAVE_TEMPLATE = """
mutation($id: ID, $input: ExitInterviewTemplateInput!) {
  saveExitInterviewTemplate(id: $id, input: $input) {
    template { id familyId version latest questions { id kind } department { id } } newVersion
    errors { field code message }
  }
}"""
RECORD_INTERVIEW = """
mutation($id: ID!, $answers: [ExitAnswerInput!]!) {
  recordExitInterview(exitId: $id, answers: $answers) {
    exitRecord { id status interview { answers { questionId value } recordedBy { id } } }
    errors { field code message }
  }
}"""
MY_SURVEY = "{ myExitSurvey { opensOn closesOn submitted questions { id key kind } } }"
SUBMIT_SURVEY = """
mutation($answers: [ExitAnswerInput!]!) {
  submitExitSurvey(answers: $answers) { submitted errors { field code message } }
}"""
COMPLETE_ITEM = """
mutation($id: ID!, $item: String!) {
  completeExitChecklistItem(exitId: $id, itemId: $item) {
    exitRecord { id checklist { id done } } errors { field code message }
  }
}"""
REASSIGN_ITEM = """
mutation($id: ID!, $item: String!, $owner: ID!) {
  reassignExitChecklistItem(exitId: $id, itemId: $item, ownerId: $owner) {
    exitRecord { id checklist { id owner { id } } } errors { field code message }
  }
}"""
TEMPLATE_QUESTIONS = [
    {"id": "why", "kind": "REASON", "text": "What made you decide to leave?", "required": True},
    {"id": "manager", "kind": "RATING", "text": "How well did your manager support you?"},
    {"id": "recommend", "kind": "RECOMMEND", "text": "Would you recommend working here?"},
    {"id": "next", "kind": "CHOICE", "text": "Where are you going?", "options": ["Competitor", "Other"]},
    {"id": "words", "kind": "TEXT", "text": "Anything else?"},
]


def person(id: str) -> Document:
    return next(e for e in NORTHWIND.employees if e["_id"] == id)


def persona(name: str) -> Document:
    return person(NORTHWIND.personas[name])


def active_individual_contributors() -> list[Document]:
    """Active people who manage nobody and are not HR admins, in seed order."""
    managers = {e["managerId"] for e in NORTHWIND.employees}
    return [e for e in NORTHWIND.employees if e["status"] == "active" and e["_id"] not in managers
            and "hr_admin" not in e["roles"] and e["_id"] != NORTHWIND.personas["employee"]]


async def terminate(server: RunningServer, employee_id: str) -> None:
    body = await server.client("hr_admin").data(TERMINATE, {"id": employee_id})
    assert body["terminateEmployee"]["errors"] == [], body


async def record_of(server: RunningServer, employee_id: str) -> Document:
    """The stored exit record of ``employee_id``."""
    org = server.demo.organization["_id"]
    doc = await server.database.exitRecords.find_one({"organizationId": org, "employeeId": employee_id})
    assert doc is not None
    return doc


async def save_reason(server: RunningServer, code: str, category: str, label: str | None = None) -> str:
    body = await server.client("hr_admin").data(SAVE_REASON, {"input": {"code": code, "category": category,
                                                                         "label": label or code.title()}})
    assert body["saveExitReason"]["errors"] == [], body
    return body["saveExitReason"]["reason"]["id"]


async def save_template(server: RunningServer, questions: list[dict[str, Any]] | None = None,
                        department_id: str | None = None) -> str:
    body = await server.client("hr_admin").data(SAVE_TEMPLATE, {"input": {
        "name": "Exit interview", "departmentId": department_id, "questions": questions or TEMPLATE_QUESTIONS}})
    assert body["saveExitInterviewTemplate"]["errors"] == [], body
    return body["saveExitInterviewTemplate"]["template"]["id"]
