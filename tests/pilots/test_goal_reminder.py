"""The GOAL_UPDATE_REMINDER practice: a pilot sets the cohort's own goal-update reminder cadence through the
notifications domain, the scheduler then reminds the cohort's goal owners sooner than everyone else's, reverting
restores the cadences exactly; HR's own setting of it; overlap and bad values refused, nothing written."""

from __future__ import annotations

from datetime import timedelta

from models.core import clock
from resolvers.notifications.reminders import ReminderScheduler
from tests.client import refused
from tests.conftest import NORTHWIND, RunningServer
from tests.pilots.support import (
    END,
    PILOT_COLLECTIONS,
    START,
    UNKNOWN_ID,
    department,
    members,
    start,
    start_input,
    stored,
)

SAVE_REMINDERS = """mutation($input: ReminderSettingsInput!) {
  saveReminderSettings(input: $input) { errors { code } } }"""
SET_DEPARTMENT = """mutation($department: ID!, $weeks: Int) {
  setDepartmentStaleGoalWeeks(departmentId: $department, weeks: $weeks) {
    override { departmentId employeeId staleGoalWeeks } errors { field code message } } }"""
SET_EMPLOYEE = """mutation($employee: ID!, $weeks: Int) {
  setEmployeeStaleGoalWeeks(employeeId: $employee, weeks: $weeks) {
    override { departmentId employeeId staleGoalWeeks } errors { field code message } } }"""
OVERRIDES = "{ goalReminderOverrides { departmentId employeeId staleGoalWeeks } }"
WATCHED = (*PILOT_COLLECTIONS, "reminderOverrides")
ONLY = [NORTHWIND.organization["_id"]]


async def open_goal_of(server: RunningServer, department_name: str) -> dict:
    """An open goal owned by someone of the department, made two weeks without an update."""
    owners = [p["_id"] for p in members(department_name)]
    goal = await server.database.goals.find_one({"organizationId": ONLY[0], "ownerEmployeeId": {"$in": owners},
                                                 "archived": False, "status": {"$nin": ["done", "cancelled"]}})
    assert goal is not None
    await server.database.goals.update_one({"_id": goal["_id"]},
                                           {"$set": {"updatedAt": clock.now() - timedelta(weeks=2)}})
    return goal


async def reminded(server: RunningServer, goal_ids: list[str]) -> list[tuple[str, str]]:
    await ReminderScheduler(server.database).run_once(clock.today(), ONLY)
    found = await server.database.notifications.find({"organizationId": ONLY[0], "subjectId": {"$in": goal_ids}}
                                                     ).to_list(None)
    return sorted((n["subjectId"], n["recipientId"]) for n in found)


async def test_a_pilot_reminds_the_cohort_sooner_and_reverting_restores_the_cadences_exactly(
        server: RunningServer) -> None:
    # given goals reminded after four weeks, one goal in Data and one in Sales two weeks without an update, and
    # one person of Data with a cadence of their own set by HR
    admin = server.client("hr_admin")
    body = await admin.data(SAVE_REMINDERS, {"input": {"enabled": ["GOAL_STALE"], "quietOnWeekends": False,
                                                       "staleGoalWeeks": 4}})
    assert body["saveReminderSettings"]["errors"] == []
    in_data, in_sales = await open_goal_of(server, "Data"), await open_goal_of(server, "Sales")
    ids = [in_data["_id"], in_sales["_id"]]
    assert await reminded(server, ids) == []
    own = next(p["_id"] for p in members("Data") if p["_id"] != in_data["ownerEmployeeId"])
    body = await admin.data(SET_EMPLOYEE, {"employee": own, "weeks": 6})
    assert body["setEmployeeStaleGoalWeeks"] == {"errors": [], "override": {
        "departmentId": None, "employeeId": own, "staleGoalWeeks": 6}}
    before = await server.snapshot(("reminderOverrides",))
    # when HR pilots a one-week goal-update reminder in Data
    pilot = await start(server, name="Weekly goal nudges", practice="GOAL_UPDATE_REMINDER", value="1",
                        comparison=("Sales",))
    # then Data's cadence is one week (the person's own stays theirs), the pilot recorded what was there, and the
    # scheduler reminds the owner of Data's goal but not Sales'
    assert (pilot["practice"], pilot["value"]) == ("GOAL_UPDATE_REMINDER", "1")
    assert (await admin.data(OVERRIDES))["goalReminderOverrides"] == [
        {"departmentId": department("Data")["_id"], "employeeId": None, "staleGoalWeeks": 1},
        {"departmentId": None, "employeeId": own, "staleGoalWeeks": 6}]
    (doc,) = await stored(server, "pilots")
    assert doc["earlier"] == {"departments": {department("Data")["_id"]: None}, "employees": {}}
    assert await reminded(server, ids) == [(in_data["_id"], in_data["ownerEmployeeId"])]
    # when it is reverted, the cadences are exactly as before
    body = await admin.data(END, {"id": pilot["id"], "action": "REVERT", "reason": "Too many nudges"})
    assert body["endPilot"]["errors"] == []
    assert await server.snapshot(("reminderOverrides",)) == before


async def test_an_overlapping_reminder_pilot_and_bad_values_are_refused_and_write_nothing(
        server: RunningServer) -> None:
    # given a goal-update reminder pilot for one person of Data
    person = members("Data")[0]["_id"]
    first = await start(server, name="One person", practice="GOAL_UPDATE_REMINDER", value="2", people=[person],
                        comparison=())
    assert {d["unitId"]: d["staleGoalWeeks"] for d in await stored(server, "reminderOverrides")} == {person: 2}
    before = await server.snapshot(WATCHED)
    admin = server.client("hr_admin")
    # when HR starts another for Data, or one with a cadence out of range or not a number
    overlap = await admin.execute(START, {"input": start_input(practice="GOAL_UPDATE_REMINDER", value="1")})
    too_long = await admin.execute(START, {"input": start_input(name="Sales", departments=("Sales",), comparison=(),
                                                                practice="GOAL_UPDATE_REMINDER", value="53")})
    words = await admin.execute(START, {"input": start_input(name="Sales", departments=("Sales",), comparison=(),
                                                             practice="GOAL_UPDATE_REMINDER", value="weekly")})
    # then each is refused with its typed error, and nothing changed
    assert overlap["data"]["startPilot"] == {"pilot": None, "overlappingPilotIds": [first["id"]], "errors": [
        {"field": "cohort", "code": "CONFLICT", "message": "a running pilot changes this setting for some of the same "
                                                           f"departments or people: {first['id']}"}]}
    assert refused(too_long) == [("value", "INVALID", "value must be 1 to 52")]
    assert refused(words) == [("value", "INVALID", "a goal-update reminder cadence is a number of weeks")]
    assert await server.snapshot(WATCHED) == before


async def test_hr_sets_a_departments_cadence_with_typed_errors_and_only_hr_may(server: RunningServer) -> None:
    # given the store before
    before = await server.snapshot(("reminderOverrides",))
    admin, data = server.client("hr_admin"), department("Data")["_id"]
    # when HR names an unknown department or person, or weeks out of range, and a manager tries
    assert refused(await admin.execute(SET_DEPARTMENT, {"department": UNKNOWN_ID, "weeks": 2})) == [
        ("departmentId", "NOT_FOUND", f"no department {UNKNOWN_ID!r} in your organisation")]
    assert refused(await admin.execute(SET_EMPLOYEE, {"employee": UNKNOWN_ID, "weeks": 2})) == [
        ("employeeId", "NOT_FOUND", f"no employee {UNKNOWN_ID!r} in your organisation")]
    assert refused(await admin.execute(SET_DEPARTMENT, {"department": data, "weeks": 0})) == [
        ("staleGoalWeeks", "INVALID", "staleGoalWeeks must be 1 to 52")]
    assert refused(await server.client("manager").execute(SET_DEPARTMENT, {"department": data, "weeks": 2})) == [
        (None, "FORBIDDEN", "only HR admins configure reminders")]
    # then nothing was written
    assert await server.snapshot(("reminderOverrides",)) == before
    # and a valid one is stored, then removed with null
    body = await admin.data(SET_DEPARTMENT, {"department": data, "weeks": 2})
    assert body["setDepartmentStaleGoalWeeks"]["override"] == {"departmentId": data, "employeeId": None,
                                                               "staleGoalWeeks": 2}
    body = await admin.data(SET_DEPARTMENT, {"department": data, "weeks": None})
    assert body["setDepartmentStaleGoalWeeks"]["override"]["staleGoalWeeks"] is None
    assert await server.snapshot(("reminderOverrides",)) == before
