"""Shared pieces of the check-in tests: the seeded check-ins, the people involved, queries and snapshots."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from typing import Any

from models.demo.checkins import demo_check_ins
from tests.conftest import GLOBEX, NORTHWIND, RunningServer

Document = dict[str, Any]
UNKNOWN_ID = "0" * 24
SEED = demo_check_ins(NORTHWIND)
GLOBEX_SEED = demo_check_ins(GLOBEX)
EMPLOYEES = {e["_id"]: e for e in NORTHWIND.employees}
DEPARTMENTS = {d["_id"]: {**d, **next((p for p in SEED["departments"] if p["_id"] == d["_id"]), {})}
               for d in NORTHWIND.departments}
COLLECTIONS = ("organizations", "employees", "departments", "goals", "checkInTemplates", "checkInSeries", "checkIns",
               "checkInActionItems", "checkInNotes")
PERIOD = {"weekly": 7, "biweekly": 14}

CHECK_IN_FIELDS = """
fragment CheckInFields on CheckIn {
  id sequence scheduledOn status heldOn cadence rating linkedGoalIds myPrivateNote
  employee { id } manager { id } department { id }
  questions { id text answers { text author { id } } }
  talkingPoints { id text version removed author { id } }
  actionItems { id text done carriedOver owner { id } }
}
"""
CHECK_IN = "query($id: ID!) { checkIn(id: $id) { ...CheckInFields } }" + CHECK_IN_FIELDS
CHECK_INS = """
query($id: ID!, $past: Int!) { checkIns(employeeId: $id, past: $past) {
  employee { id } upcoming { ...CheckInFields } past { ...CheckInFields }
} }
""" + CHECK_IN_FIELDS
PAYLOAD = "checkIn { ...CheckInFields } errors { field code message }"
ADD_TALKING_POINT = """
mutation($id: ID!, $text: String!) { addTalkingPoint(checkInId: $id, text: $text) {
  talkingPoint { id text version } @PAYLOAD@ } }
""".replace("@PAYLOAD@", PAYLOAD) + CHECK_IN_FIELDS
UPDATE_TALKING_POINT = """
mutation($id: ID!, $point: ID!, $version: Int!, $text: String!) {
  updateTalkingPoint(checkInId: $id, talkingPointId: $point, version: $version, text: $text) {
    talkingPoint { id text version } conflict { id text version removed updatedBy { id } } @PAYLOAD@
  }
}
""".replace("@PAYLOAD@", PAYLOAD) + CHECK_IN_FIELDS
REMOVE_TALKING_POINT = """
mutation($id: ID!, $point: ID!, $version: Int!) {
  removeTalkingPoint(checkInId: $id, talkingPointId: $point, version: $version) {
    talkingPoint { id text version removed } conflict { id text version removed } errors { field code message }
  }
}
"""
ANSWER = """
mutation($id: ID!, $question: ID!, $text: String!) {
  answerCheckInQuestion(checkInId: $id, questionId: $question, text: $text) { @PAYLOAD@ }
}
""".replace("@PAYLOAD@", PAYLOAD) + CHECK_IN_FIELDS
RATE = """
mutation($id: ID!, $rating: Int!) { rateCheckIn(checkInId: $id, rating: $rating) { @PAYLOAD@ } }
""".replace("@PAYLOAD@", PAYLOAD) + CHECK_IN_FIELDS
PRIVATE_NOTE = """
mutation($id: ID!, $text: String!) { setCheckInPrivateNote(checkInId: $id, text: $text) {
  note @PAYLOAD@ } }
""".replace("@PAYLOAD@", PAYLOAD) + CHECK_IN_FIELDS
ADD_ACTION_ITEM = """
mutation($id: ID!, $input: ActionItemInput!) { addActionItem(checkInId: $id, input: $input) {
  actionItem { id text done dueOn carriedOver owner { id } } @PAYLOAD@ } }
""".replace("@PAYLOAD@", PAYLOAD) + CHECK_IN_FIELDS
UPDATE_ACTION_ITEM = """
mutation($id: ID!, $input: UpdateActionItemInput!) { updateActionItem(actionItemId: $id, input: $input) {
  actionItem { id text done dueOn } @PAYLOAD@ } }
""".replace("@PAYLOAD@", PAYLOAD) + CHECK_IN_FIELDS
COMPLETE = """
mutation($id: ID!, $heldOn: Date) { completeCheckIn(checkInId: $id, heldOn: $heldOn) { @PAYLOAD@ } }
""".replace("@PAYLOAD@", PAYLOAD) + CHECK_IN_FIELDS
SKIP = """
mutation($id: ID!) { skipCheckIn(checkInId: $id) { @PAYLOAD@ } }
""".replace("@PAYLOAD@", PAYLOAD) + CHECK_IN_FIELDS
SERIES_FIELDS = """
fragment SeriesFields on CheckInSeries {
  id cadence cadenceOverride active startedOn lastHeldOn employee { id } manager { id }
  upcoming { id sequence scheduledOn cadence status department { id } questions { text } }
}
"""
SERIES = "query($id: ID!) { employee(id: $id) { checkInSeries { ...SeriesFields } } }" + SERIES_FIELDS
SET_DEPARTMENT_CADENCE = """
mutation($id: ID!, $cadence: CheckInCadence!) { setDepartmentCadence(departmentId: $id, cadence: $cadence) {
  department { id checkInCadence } errors { field code message } } }
"""
SET_SERIES_CADENCE = """
mutation($id: ID!, $cadence: CheckInCadence) { setCheckInSeriesCadence(seriesId: $id, cadence: $cadence) {
  series { ...SeriesFields } errors { field code message } } }
""" + SERIES_FIELDS
START_SERIES = """
mutation($id: ID!, $firstOn: Date, $cadence: CheckInCadence) {
  startCheckInSeries(employeeId: $id, firstOn: $firstOn, cadence: $cadence) {
    series { ...SeriesFields } errors { field code message } } }
""" + SERIES_FIELDS


# the seed

def person(id_or_persona: str) -> Document:
    return EMPLOYEES[NORTHWIND.personas.get(id_or_persona, id_or_persona)]


def department(name: str) -> Document:
    return next(d for d in DEPARTMENTS.values() if d["name"] == name)


def series_of(employee_id: str) -> Document:
    return next(s for s in SEED["checkInSeries"] if s["employeeId"] == employee_id and s["active"])


def occurrences(series_id: str) -> list[Document]:
    return sorted((c for c in SEED["checkIns"] if c["seriesId"] == series_id), key=lambda c: c["sequence"])


def upcoming(employee_id: str) -> Document:
    return occurrences(series_of(employee_id)["_id"])[-1]


def peer() -> Document:
    """An active employee outside the employee persona's chain and team, with no special role."""
    employee = person("employee")
    return next(e for e in NORTHWIND.employees if e["status"] == "active" and e["roles"] == ["employee"]
                and e["_id"] != employee["_id"] and employee["managerId"] not in (e["managerId"], e["_id"])
                and e["_id"] not in employee["managerChain"] and employee["_id"] not in e["managerChain"])


def sales_series(count: int) -> list[Document]:
    """Active series of Sales people, by id."""
    sales = department("Sales")["_id"]
    return sorted((s for s in SEED["checkInSeries"] if EMPLOYEES[s["employeeId"]]["departmentId"] == sales),
                  key=lambda s: s["_id"])[:count]


def plus_period(start: date, cadence: str) -> date:
    """One cadence period later (a month: the same day, clamped to the month's end)."""
    if cadence != "monthly":
        return start + timedelta(days=PERIOD[cadence])
    year, month = start.year + start.month // 12, start.month % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def next_after(scheduled: date, held: date, cadence: str) -> date:
    """The next date in the rhythm of ``scheduled`` that falls after ``held``."""
    following = plus_period(scheduled, cadence)
    while following <= held:
        following = plus_period(following, cadence)
    return following


# the store

async def snapshot(server: RunningServer) -> dict[str, list[Document]]:
    """Every document of the collections check-ins touch, both organisations, in a stable order."""
    return await server.snapshot(COLLECTIONS)


async def stored(server: RunningServer, collection: str, id: str) -> Document | None:
    return await getattr(server.database, collection).find_one({"_id": id})


def error(field: str | None, code: str, message: str) -> Document:
    return {"field": field, "code": code, "message": message}


def codes(body: Document) -> list[str | None]:
    return [e.get("extensions", {}).get("code") for e in body.get("errors", [])]
