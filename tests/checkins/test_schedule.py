"""Scheduling end to end: department cadence changes, per-series overrides, completing and skipping,
carry-over of action items, starting a series, and retries that complete a half-done change."""

from __future__ import annotations

from datetime import date

from models.core.clock import today
from tests.checkins.support import (
    ADD_ACTION_ITEM,
    CHECK_IN,
    COMPLETE,
    SEED,
    SERIES,
    SET_DEPARTMENT_CADENCE,
    SET_SERIES_CADENCE,
    SKIP,
    START_SERIES,
    UPDATE_ACTION_ITEM,
    Document,
    department,
    error,
    next_after,
    person,
    sales_series,
    series_of,
    snapshot,
    stored,
    upcoming,
)
from tests.conftest import RunningServer

CREATE_EMPLOYEE = """
mutation($input: CreateEmployeeInput!) { createEmployee(input: $input) { employee { id } errors { code } } }
"""


def held_on(check_in: Document) -> date:
    """Hold it on its date, or early (today) if that is still ahead."""
    return min(date.fromisoformat(check_in["scheduledOn"]), today())


async def complete(server: RunningServer, who: str, check_in: Document) -> Document:
    held = held_on(check_in)
    data = await server.client(who).data(COMPLETE, {"id": check_in["_id"], "heldOn": held.isoformat()})
    assert data["completeCheckIn"]["errors"] == []
    return data["completeCheckIn"]["checkIn"]


async def series_view(server: RunningServer, who: str, employee_id: str) -> Document:
    data = await server.client(who).data(SERIES, {"id": employee_id})
    [series] = [s for s in data["employee"]["checkInSeries"] if s["active"]]
    return series


async def test_department_cadence_change_is_followed_from_the_next_occurrence(server: RunningServer) -> None:
    # given three weekly Sales series: one follows the department, one overrides it (biweekly), and a
    # Marketing series outside the department
    follows, overridden = sales_series(2)
    marketing = next(s for s in SEED["checkInSeries"]
                     if person(s["employeeId"])["departmentId"] == department("Marketing")["_id"])
    overridden_manager = overridden["managerId"]
    data = await server.client(overridden_manager).data(SET_SERIES_CADENCE, {"id": overridden["_id"],
                                                                            "cadence": "BIWEEKLY"})
    assert data["setCheckInSeriesCadence"]["errors"] == []
    # when HR switches Sales to monthly check-ins
    sales = department("Sales")["_id"]
    data = await server.client("hr_admin").data(SET_DEPARTMENT_CADENCE, {"id": sales, "cadence": "MONTHLY"})
    assert data["setDepartmentCadence"] == {"department": {"id": sales, "checkInCadence": "MONTHLY"}, "errors": []}
    # then the series that follows the department is monthly from now on, the overridden one stays biweekly
    view = await series_view(server, follows["managerId"], follows["employeeId"])
    assert (view["cadence"], view["cadenceOverride"]) == ("MONTHLY", None)
    assert (await series_view(server, overridden_manager, overridden["employeeId"]))["cadence"] == "BIWEEKLY"
    # and the occurrence already scheduled keeps the date and cadence it was scheduled with
    scheduled = upcoming(follows["employeeId"])
    assert view["upcoming"] == {**view["upcoming"], "id": scheduled["_id"], "scheduledOn": scheduled["scheduledOn"],
                                "cadence": "WEEKLY"}
    # when each series holds its upcoming check-in
    expectations = {}
    for series, cadence in ((follows, "monthly"), (overridden, "biweekly"), (marketing, "weekly")):
        current = upcoming(series["employeeId"])
        await complete(server, series["managerId"], current)
        expectations[series["employeeId"]] = (current, cadence)
    # then the next one is one period of the cadence in force after it: monthly, biweekly and weekly
    for employee_id, (current, cadence) in expectations.items():
        view = await series_view(server, "hr_admin", employee_id)
        following = view["upcoming"]
        assert following["sequence"] == current["sequence"] + 1
        assert following["cadence"] == cadence.upper()
        assert following["scheduledOn"] == next_after(date.fromisoformat(current["scheduledOn"]),
                                                      held_on(current), cadence).isoformat()
        assert following["department"] == {"id": person(employee_id)["departmentId"]}
        assert view["lastHeldOn"] == held_on(current).isoformat()


async def test_a_series_override_wins_until_it_is_cleared(server: RunningServer) -> None:
    # given a weekly series of the employee persona, overridden to monthly by their team lead
    employee = person("employee")
    series = series_of(employee["_id"])
    lead = employee["managerId"]
    data = await server.client(lead).data(SET_SERIES_CADENCE, {"id": series["_id"], "cadence": "MONTHLY"})
    assert (data["setCheckInSeriesCadence"]["series"]["cadence"],
            data["setCheckInSeriesCadence"]["series"]["cadenceOverride"]) == ("MONTHLY", "MONTHLY")
    # when the upcoming check-in is held
    first = upcoming(employee["_id"])
    after = await complete(server, lead, first)
    assert after["status"] == "COMPLETED"
    view = await series_view(server, "employee", employee["_id"])
    # then the next is a month later
    first_next = next_after(date.fromisoformat(first["scheduledOn"]), held_on(first), "monthly")
    assert (view["upcoming"]["scheduledOn"], view["upcoming"]["cadence"]) == (first_next.isoformat(), "MONTHLY")
    # when the override is cleared (by HR) and the next one is held
    data = await server.client("hr_admin").data(SET_SERIES_CADENCE, {"id": series["_id"], "cadence": None})
    assert data["setCheckInSeriesCadence"]["series"]["cadenceOverride"] is None
    second = await stored(server, "checkIns", view["upcoming"]["id"])
    assert second is not None
    await complete(server, lead, second)
    view = await series_view(server, "employee", employee["_id"])
    # then the department's weekly cadence applies again
    assert view["upcoming"]["cadence"] == "WEEKLY"
    assert view["upcoming"]["scheduledOn"] == next_after(first_next, held_on(second), "weekly").isoformat()


async def test_action_items_carry_over_until_done(server: RunningServer) -> None:
    # given the employee persona's upcoming check-in and an action item their team lead adds for them
    employee = person("employee")
    lead = server.client(employee["managerId"])
    first = upcoming(employee["_id"])
    data = await lead.data(ADD_ACTION_ITEM, {"id": first["_id"], "input": {
        "ownerId": employee["_id"], "text": "Draft the design doc", "dueOn": "2026-12-01"}})
    item = data["addActionItem"]["actionItem"]
    assert data["addActionItem"]["errors"] == []
    assert item == {"id": item["id"], "text": "Draft the design doc", "done": False, "dueOn": "2026-12-01",
                    "carriedOver": False, "owner": {"id": employee["_id"]}}
    # when the check-in is held
    await complete(server, employee["managerId"], first)
    second = (await series_view(server, "employee", employee["_id"]))["upcoming"]
    # then the open item carries over to the next check-in
    shown = (await lead.data(CHECK_IN, {"id": second["id"]}))["checkIn"]["actionItems"]
    assert {"id": item["id"], "text": "Draft the design doc", "done": False, "carriedOver": True,
            "owner": {"id": employee["_id"]}} in shown
    # when its owner ticks it off, it shows as done in that check-in
    data = await server.client("employee").data(UPDATE_ACTION_ITEM, {"id": item["id"], "input": {"done": True}})
    assert data["updateActionItem"]["errors"] == []
    shown = (await lead.data(CHECK_IN, {"id": second["id"]}))["checkIn"]["actionItems"]
    assert {"id": item["id"], "text": "Draft the design doc", "done": True, "carriedOver": True,
            "owner": {"id": employee["_id"]}} in shown
    # and once that check-in is held too, the next one no longer carries it (open items still do)
    second_doc = await stored(server, "checkIns", second["id"])
    assert second_doc is not None
    await complete(server, employee["managerId"], second_doc)
    third = (await series_view(server, "employee", employee["_id"]))["upcoming"]
    shown = (await lead.data(CHECK_IN, {"id": third["id"]}))["checkIn"]["actionItems"]
    assert item["id"] not in [a["id"] for a in shown]
    still_open = [i["_id"] for i in SEED["checkInActionItems"]
                  if i["seriesId"] == first["seriesId"] and i["doneSequence"] is None]
    assert [a["id"] for a in shown if not a["done"]] == still_open


async def test_skipping_schedules_the_next_without_holding(server: RunningServer) -> None:
    # given the employee persona's upcoming check-in and the series' last held date
    employee = person("employee")
    current = upcoming(employee["_id"])
    last_held = series_of(employee["_id"])["lastHeldOn"]
    # when the employee skips it
    data = await server.client("employee").data(SKIP, {"id": current["_id"]})
    # then it is skipped, the series keeps its last held date, and the next one comes after today
    assert data["skipCheckIn"]["errors"] == []
    assert (data["skipCheckIn"]["checkIn"]["status"], data["skipCheckIn"]["checkIn"]["heldOn"]) == ("SKIPPED", None)
    view = await series_view(server, "employee", employee["_id"])
    assert view["lastHeldOn"] == last_held
    assert view["upcoming"]["scheduledOn"] == next_after(date.fromisoformat(current["scheduledOn"]), today(),
                                                         "weekly").isoformat()
    # and skipping it again is a no-op (a retry), not an error
    again = await server.client("employee").data(SKIP, {"id": current["_id"]})
    assert again["skipCheckIn"]["errors"] == []
    # while completing a skipped check-in is an invalid transition that changes nothing
    before = await snapshot(server)
    refused = await server.client("employee").data(COMPLETE, {"id": current["_id"], "heldOn": None})
    assert refused["completeCheckIn"] == {"checkIn": None, "errors": [
        error("checkInId", "INVALID_TRANSITION", "this check-in was skipped")]}
    assert await snapshot(server) == before


async def test_completing_again_finishes_a_half_done_completion(server: RunningServer) -> None:
    # given a completion interrupted before the series was moved on (its last step)
    employee = person("employee")
    series = series_of(employee["_id"])
    current = upcoming(employee["_id"])
    await complete(server, employee["managerId"], current)
    await server.database.checkInSeries.update_one({"_id": series["_id"]}, {"$set": {
        "currentSequence": series["currentSequence"], "lastHeldOn": series["lastHeldOn"]}})
    # when the participant completes it again
    data = await server.client("employee").data(COMPLETE, {"id": current["_id"], "heldOn": None})
    # then it succeeds, the series moves on, and there is still exactly one next occurrence
    assert data["completeCheckIn"]["errors"] == []
    repaired = await stored(server, "checkInSeries", series["_id"])
    assert repaired is not None
    assert (repaired["currentSequence"], repaired["lastHeldOn"]) == (current["sequence"] + 1,
                                                                     held_on(current).isoformat())
    following = await server.database.checkIns.find({"seriesId": series["_id"],
                                                     "sequence": current["sequence"] + 1}).to_list(None)
    assert len(following) == 1 and following[0]["status"] == "scheduled"


async def test_starting_a_series_for_a_new_report(server: RunningServer) -> None:
    # given a new hire in Customer Success (the monthly pilot) under an existing manager there
    pilot = department("Customer Success")
    lead = next(s["managerId"] for s in SEED["checkInSeries"]
                if person(s["employeeId"])["departmentId"] == pilot["_id"])
    data = await server.client("hr_admin").data(CREATE_EMPLOYEE, {"input": {
        "name": "Nia Mensah", "email": "nia.mensah@northwind.example", "hireDate": "2026-10-01",
        "managerId": lead, "departmentId": pilot["_id"]}})
    hire = data["createEmployee"]["employee"]["id"]
    # when their manager starts their check-ins on a given day
    data = await server.client(lead).data(START_SERIES, {"id": hire, "firstOn": "2026-11-23"})
    payload = data["startCheckInSeries"]
    # then the series follows the department (monthly) and its first check-in uses the default template
    default = next(t for t in SEED["checkInTemplates"] if t["defaultSince"] is not None)
    assert payload["errors"] == []
    series = payload["series"]
    assert (series["cadence"], series["cadenceOverride"], series["active"], series["startedOn"]) == (
        "MONTHLY", None, True, "2026-11-23")
    assert (series["employee"], series["manager"]) == ({"id": hire}, {"id": lead})
    assert series["upcoming"] == {"id": series["upcoming"]["id"], "sequence": 1, "scheduledOn": "2026-11-23",
                                  "cadence": "MONTHLY", "status": "SCHEDULED", "department": {"id": pilot["_id"]},
                                  "questions": [{"text": q["text"]} for q in default["questions"]]}
    # and starting it again is refused as a duplicate, changing nothing
    before = await snapshot(server)
    again = await server.client("hr_admin").data(START_SERIES, {"id": hire})
    assert again["startCheckInSeries"] == {"series": None, "errors": [
        error("employeeId", "DUPLICATE", "Nia Mensah already has a check-in series with their manager")]}
    assert await snapshot(server) == before
