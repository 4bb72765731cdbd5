"""Every refused check-in write: FORBIDDEN (or UNAUTHENTICATED) for who may not, a typed payload error
for bad input — and in each case proof that the store is exactly as it was."""

from __future__ import annotations

from typing import Any

import pytest

from tests.checkins.support import (
    ADD_ACTION_ITEM,
    ADD_TALKING_POINT,
    ANSWER,
    COMPLETE,
    EMPLOYEES,
    GLOBEX_SEED,
    RATE,
    REMOVE_TALKING_POINT,
    SEED,
    SET_DEPARTMENT_CADENCE,
    SET_SERIES_CADENCE,
    SKIP,
    START_SERIES,
    UNKNOWN_ID,
    UPDATE_ACTION_ITEM,
    UPDATE_TALKING_POINT,
    Document,
    codes,
    department,
    error,
    occurrences,
    peer,
    person,
    series_of,
    snapshot,
    upcoming,
)
from tests.client import GraphQLClient, refused_codes
from tests.conftest import RunningServer

SAVE_TEMPLATE = """
mutation($id: ID, $input: CheckInTemplateInput!) { saveCheckInTemplate(id: $id, input: $input) {
  template { id } errors { field code message } } }
"""
SET_DEFAULT = """
mutation($id: ID!) { setDefaultCheckInTemplate(templateId: $id) { template { id } errors { field code message } } }
"""
SET_DEPARTMENT_TEMPLATE = """
mutation($id: ID!, $template: ID) { setDepartmentCheckInTemplate(departmentId: $id, templateId: $template) {
  department { id } errors { field code message } } }
"""
LINK_GOAL = """
mutation($id: ID!, $goal: ID!) { linkCheckInGoal(checkInId: $id, goalId: $goal) { errors { field code message } } }
"""
RECORD = """
mutation($id: ID!, $kr: ID!) { recordCheckInProgress(checkInId: $id, keyResultId: $kr, value: 1) {
  errors { field code message } } }
"""
Call = tuple[str, dict[str, Any]]


def the_check_in() -> Document:
    return upcoming(person("employee")["_id"])


def participant_writes() -> dict[str, Call]:
    """Every write on the employee persona's upcoming check-in that only its two participants may make."""
    check_in = the_check_in()
    [point] = check_in["talkingPoints"]
    item = next(i for i in SEED["checkInActionItems"] if i["seriesId"] == check_in["seriesId"])
    return {
        "add talking point": (ADD_TALKING_POINT, {"id": check_in["_id"], "text": "x"}),
        "edit talking point": (UPDATE_TALKING_POINT, {"id": check_in["_id"], "point": point["_id"], "version": 1,
                                                      "text": "x"}),
        "remove talking point": (REMOVE_TALKING_POINT, {"id": check_in["_id"], "point": point["_id"], "version": 1}),
        "answer": (ANSWER, {"id": check_in["_id"], "question": check_in["questions"][0]["_id"], "text": "x"}),
        "rate": (RATE, {"id": check_in["_id"], "rating": 3}),
        "add action item": (ADD_ACTION_ITEM, {"id": check_in["_id"], "input": {"ownerId": check_in["employeeId"],
                                                                              "text": "x"}}),
        "tick action item": (UPDATE_ACTION_ITEM, {"id": item["_id"], "input": {"done": True}}),
        "complete": (COMPLETE, {"id": check_in["_id"], "heldOn": None}),
        "skip": (SKIP, {"id": check_in["_id"]}),
        "link goal": (LINK_GOAL, {"id": check_in["_id"], "goal": UNKNOWN_ID}),
        "record progress": (RECORD, {"id": check_in["_id"], "kr": UNKNOWN_ID}),
    }


def hr_writes() -> dict[str, Call]:
    default = next(t for t in SEED["checkInTemplates"] if t["defaultSince"] is not None)
    sales = department("Sales")["_id"]
    return {
        "department cadence": (SET_DEPARTMENT_CADENCE, {"id": sales, "cadence": "MONTHLY"}),
        "new template": (SAVE_TEMPLATE, {"input": {"name": "Mine", "questions": ["Why?"]}}),
        "edit template": (SAVE_TEMPLATE, {"id": default["_id"], "input": {"name": "Renamed"}}),
        "default template": (SET_DEFAULT, {"id": default["_id"]}),
        "department template": (SET_DEPARTMENT_TEMPLATE, {"id": sales, "template": default["_id"]}),
    }


async def assert_refused(server: RunningServer, client: GraphQLClient, call: Call, code: str, case: str = "") -> None:
    before = await snapshot(server)
    body = await client.execute(*call)
    if code == "UNAUTHENTICATED":
        assert codes(body) == [code], (case, body)
        assert body["data"] is None, case
    else:  # a refused mutation answers in its payload
        assert refused_codes(body) == [code], (case, body)
    assert await snapshot(server) == before, case


@pytest.mark.parametrize("who", ["skip-level manager", "HR admin", "colleague"])
async def test_only_participants_change_a_check_in(server: RunningServer, who: str) -> None:
    # given someone who is not a participant: above the employee, an HR admin (both may read), or a colleague
    viewer = {"skip-level manager": person("manager")["_id"], "HR admin": person("hr_admin")["_id"],
              "colleague": peer()["_id"]}[who]
    for case, call in participant_writes().items():
        # when they try each write, then it is FORBIDDEN and nothing changed
        await assert_refused(server, server.client(viewer), call, "FORBIDDEN", case)


@pytest.mark.parametrize("who", ["employee", "manager"])
async def test_only_hr_admins_change_check_in_settings(server: RunningServer, who: str) -> None:
    for case, call in hr_writes().items():
        await assert_refused(server, server.client(who), call, "FORBIDDEN", case)


async def test_series_cadence_is_the_managers_or_hrs_to_change(server: RunningServer) -> None:
    # given the employee persona's series
    series = series_of(person("employee")["_id"])
    call = (SET_SERIES_CADENCE, {"id": series["_id"], "cadence": "MONTHLY"})
    # when the employee themselves (a participant, not its manager) or a colleague tries, then FORBIDDEN
    for viewer in (person("employee")["_id"], peer()["_id"]):
        await assert_refused(server, server.client(viewer), call, "FORBIDDEN")


async def test_only_the_manager_or_hr_start_a_series(server: RunningServer) -> None:
    # given the employee persona, whose manager is their team lead
    employee = person("employee")
    for viewer in (employee["_id"], peer()["_id"], person("manager")["_id"]):
        # when the employee, a colleague or a skip-level manager starts their check-ins, then FORBIDDEN
        await assert_refused(server, server.client(viewer), (START_SERIES, {"id": employee["_id"]}), "FORBIDDEN")


async def test_without_a_token_nothing_is_written(server: RunningServer) -> None:
    await assert_refused(server, server.client(), participant_writes()["add talking point"], "UNAUTHENTICATED")


def bad_inputs() -> dict[str, tuple[str, Call, list[Document]]]:
    """case → (who, call, expected payload errors)."""
    employee = person("employee")
    check_in = the_check_in()
    past = occurrences(check_in["seriesId"])[-2]
    series = series_of(employee["_id"])
    globex = GLOBEX_SEED["checkIns"][0]["_id"]
    gone = next(e for e in EMPLOYEES.values() if e["status"] == "terminated")
    ceo = next(e for e in EMPLOYEES.values() if e["managerId"] is None)
    not_found = [error("checkInId", "NOT_FOUND", f"no check-in {UNKNOWN_ID!r} in your organisation")]
    return {
        "blank talking point": ("employee", (ADD_TALKING_POINT, {"id": check_in["_id"], "text": "  "}),
                                [error("text", "REQUIRED", "text must not be empty")]),
        "closed check-in": ("employee", (ADD_TALKING_POINT, {"id": past["_id"], "text": "late"}),
                            [error("checkInId", "READ_ONLY", f"this check-in was {past['status']}")]),
        "unknown check-in": ("employee", (ADD_TALKING_POINT, {"id": UNKNOWN_ID, "text": "x"}), not_found),
        "other organisation's check-in": ("hr_admin", (ADD_TALKING_POINT, {"id": globex, "text": "x"}),
                                          [error("checkInId", "NOT_FOUND",
                                                 f"no check-in {globex!r} in your organisation")]),
        "unknown question": ("employee", (ANSWER, {"id": check_in["_id"], "question": UNKNOWN_ID, "text": "x"}),
                             [error("questionId", "NOT_FOUND", f"no question {UNKNOWN_ID!r} in your organisation")]),
        "owner outside the pair": ("employee", (ADD_ACTION_ITEM, {"id": check_in["_id"], "input": {
            "ownerId": person("manager")["_id"], "text": "x"}}), [
            error("ownerId", "INVALID", "an action item is owned by one of the two participants")]),
        "unknown action item": ("employee", (UPDATE_ACTION_ITEM, {"id": UNKNOWN_ID, "input": {"done": True}}),
                                [error("actionItemId", "NOT_FOUND",
                                       f"no action item {UNKNOWN_ID!r} in your organisation")]),
        "held in the future": ("employee", (COMPLETE, {"id": check_in["_id"], "heldOn": "2099-01-01"}),
                               [error("heldOn", "INVALID", "heldOn must not be in the future")]),
        "held before the last one": ("employee", (COMPLETE, {"id": check_in["_id"], "heldOn": "2026-01-01"}), [
            error("heldOn", "INVALID", f"heldOn is before the series' last check-in ({series['lastHeldOn']})")]),
        "template without questions": ("hr_admin", (SAVE_TEMPLATE, {"input": {"name": "Empty"}}),
                                       [error("questions", "REQUIRED", "questions are required")]),
        "template with no question": ("hr_admin", (SAVE_TEMPLATE, {"input": {"name": "Empty", "questions": []}}),
                                      [error("questions", "INVALID", "a template has 1 to 20 questions")]),
        "blank question": ("hr_admin", (SAVE_TEMPLATE, {"input": {"name": "X", "questions": ["ok", " "]}}),
                           [error("questions", "INVALID", "each question must have 1 to 500 characters")]),
        "unknown department": ("hr_admin", (SET_DEPARTMENT_CADENCE, {"id": UNKNOWN_ID, "cadence": "WEEKLY"}),
                               [error("departmentId", "NOT_FOUND",
                                      f"no department {UNKNOWN_ID!r} in your organisation")]),
        "unknown template": ("hr_admin", (SET_DEPARTMENT_TEMPLATE, {"id": department("Sales")["_id"],
                                                                    "template": UNKNOWN_ID}),
                             [error("templateId", "NOT_FOUND",
                                    f"no check-in template {UNKNOWN_ID!r} in your organisation")]),
        "unknown series": ("hr_admin", (SET_SERIES_CADENCE, {"id": UNKNOWN_ID, "cadence": None}),
                           [error("seriesId", "NOT_FOUND",
                                  f"no check-in series {UNKNOWN_ID!r} in your organisation")]),
        "series for a leaver": ("hr_admin", (START_SERIES, {"id": gone["_id"]}),
                                [error("employeeId", "INACTIVE", f"{gone['name']} has left the organisation")]),
        "series for someone without a manager": ("hr_admin", (START_SERIES, {"id": ceo["_id"]}),
                                                 [error("employeeId", "INVALID", f"{ceo['name']} has no manager")]),
        "series starting years away": ("hr_admin", (START_SERIES, {"id": employee["_id"], "firstOn": "2031-01-01"}),
                                       [error("firstOn", "INVALID", "firstOn must lie within a year of today")]),
    }


async def test_bad_input_is_refused_and_writes_nothing(server: RunningServer) -> None:
    for case, (who, (query, variables), expected) in bad_inputs().items():
        # given the store before
        before = await snapshot(server)
        # when a write is sent with one problem
        body = await server.client(who).data(query, variables)
        [payload] = body.values()
        # then the payload names the field, code and message, and nothing changed
        assert payload["errors"] == expected, case
        assert all(value is None for key, value in payload.items() if key != "errors"), case
        assert await snapshot(server) == before, case
