"""Pilots: starting applies the setting through the check-ins domain and records the earlier settings; reverting
restores them exactly; overlapping pilots are refused (also when two starts race); extending and adopting are
recorded with who and why; refusals write nothing."""

from __future__ import annotations

import asyncio
from collections import Counter

from models.core import clock
from tests.client import refused
from tests.conftest import RunningServer
from tests.pilots.support import (
    ADOPT,
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

SET_SERIES_CADENCE = """mutation($id: ID!, $cadence: CheckInCadence) {
  setCheckInSeriesCadence(seriesId: $id, cadence: $cadence) { errors { code } } }"""


async def test_starting_a_pilot_applies_the_setting_to_the_cohort_and_records_who_and_why(
        server: RunningServer) -> None:
    # given Data meeting weekly
    data = department("Data")
    assert data["cadence"] == "weekly"
    # when HR starts a monthly pilot in Data, compared with Platform
    pilot = await start(server)
    hr = server.demo.personas["hr_admin"]
    # then Data meets monthly from each series' next occurrence, and the pilot records what it changed
    (stored_data,) = await stored(server, "departments", _id=data["_id"])
    assert stored_data["cadence"] == "monthly"
    assert pilot == {
        "id": pilot["id"], "name": "Monthly check-ins in Data", "practice": "CHECK_IN_CADENCE", "value": "monthly",
        "status": "RUNNING", "startsOn": clock.today().isoformat(), "endsOn": "2099-01-31", "endedOn": None,
        "cohortDepartments": [{"id": data["_id"]}],
        "cohortPeople": [{"id": p["_id"]} for p in members("Data")],
        "comparisonDepartments": [{"id": department("Platform")["_id"]}],
        "decisions": [{"action": "START", "by": {"id": hr}, "reason": "Is a monthly rhythm enough?", "endsOn": None,
                       "departments": []}]}
    (doc,) = await stored(server, "pilots")
    assert doc["earlier"] == {"departments": {data["_id"]: "weekly"}, "series": {}}


async def test_reverting_restores_the_exact_earlier_settings(server: RunningServer) -> None:
    # given Data weekly and Customer Success monthly, and three people whose series follow their department except
    # one with a cadence of its own
    people = [p["_id"] for p in members("Sales")[:3]]
    series = await stored(server, "checkInSeries", employeeId={"$in": people}, active=True)
    body = await server.client("hr_admin").data(SET_SERIES_CADENCE, {"id": series[0]["_id"], "cadence": "BIWEEKLY"})
    assert body["setCheckInSeriesCadence"]["errors"] == []
    before = await server.snapshot(("departments", "checkInSeries"))
    # when HR pilots a biweekly cadence for two departments, and a monthly one for the three people, then reverts both
    by_department = await start(server, departments=("Data", "Customer Success"), value="BIWEEKLY", comparison=())
    by_people = await start(server, name="Monthly for three", people=people, comparison=())
    applied = await server.snapshot(("departments", "checkInSeries"))
    cadences = {d["_id"]: d["cadence"] for d in applied["departments"]}
    assert (cadences[department("Data")["_id"]], cadences[department("Customer Success")["_id"]]) == (
        "biweekly", "biweekly")
    assert sorted(s["cadence"] for s in applied["checkInSeries"] if s["_id"] in {x["_id"] for x in series}) == [
        "monthly"] * 3
    admin = server.client("hr_admin")
    for pilot in (by_department, by_people):
        body = await admin.data(END, {"id": pilot["id"], "action": "REVERT", "reason": "Back to what it was"})
        assert body["endPilot"]["errors"] == []
        assert (body["endPilot"]["pilot"]["status"], body["endPilot"]["pilot"]["endedOn"]) == (
            "REVERTED", clock.today().isoformat())
        assert [d["action"] for d in body["endPilot"]["pilot"]["decisions"]] == ["START", "REVERT"]
    # then every department and series is exactly as before, the series' own cadence included
    assert await server.snapshot(("departments", "checkInSeries")) == before
    # and reverting again is refused, writing nothing
    again = await admin.execute(END, {"id": by_people["id"], "action": "REVERT", "reason": "Twice"})
    assert refused(again) == [("pilotId", "INVALID_TRANSITION", "this pilot was reverted")]
    assert await server.snapshot(("departments", "checkInSeries")) == before


async def test_an_overlapping_pilot_is_refused_with_a_typed_error_and_nothing_written(server: RunningServer) -> None:
    # given a running cadence pilot in Data
    first = await start(server)
    before = await server.snapshot(PILOT_COLLECTIONS)
    # when HR starts another cadence pilot for people among whom one works in Data
    people = [members("Data")[0]["_id"], members("Sales")[0]["_id"]]
    body = await server.client("hr_admin").execute(START, {"input": start_input(name="Weekly", people=people,
                                                                                 value="WEEKLY")})
    # then it is refused, naming the running pilot, and nothing changed
    assert body["data"]["startPilot"] == {"pilot": None, "overlappingPilotIds": [first["id"]], "errors": [
        {"field": "cohort", "code": "CONFLICT", "message": "a running pilot changes this setting for some of the same "
                                                           f"departments or people: {first['id']}"}]}
    assert await server.snapshot(PILOT_COLLECTIONS) == before
    # while a pilot of another setting for the same department runs beside it
    template = (await stored(server, "checkInTemplates"))[0]["_id"]
    other = await start(server, name="A shorter template", practice="CHECK_IN_TEMPLATE", value=template)
    assert other["status"] == "RUNNING"


async def test_of_two_concurrent_overlapping_starts_one_is_refused(server: RunningServer) -> None:
    # given two HR starts of cadence pilots at once, one for Data and one for a person in Data (the two write
    # different documents: Data's settings, the person's series): the first has read that nothing overlaps and is
    # parked just before inserting its pilot when the second starts
    admin = server.client("hr_admin")
    calls: Counter[tuple[str, str]] = Counter()
    parked, release, second_started = asyncio.Event(), asyncio.Event(), asyncio.Event()

    async def gate(name: str, method: str) -> None:
        calls[name, method] += 1
        if (name, method) in (("pilotLocks", "update_one"), ("pilots", "find")) and calls[name, method] == 2:
            second_started.set()  # the second has reached its transaction
        if (name, method) == ("pilots", "insert_one") and calls[name, method] == 1:
            parked.set()
            await release.wait()

    person = members("Data")[0]["_id"]
    server.database.stats.gate = gate
    try:
        first = asyncio.create_task(admin.data(START, {"input": start_input(name="Data")}))
        await parked.wait()
        second = asyncio.create_task(admin.data(START, {"input": start_input(name="One person", people=[person],
                                                                              value="BIWEEKLY")}))
        await second_started.wait()
        await asyncio.sleep(0.2)  # the second runs as far as it can meanwhile
        release.set()
        results = [(await first)["startPilot"], (await second)["startPilot"]]
    finally:
        server.database.stats.gate = None
    # then the first runs, and the second, checked again once the first committed, was refused
    assert results[0]["errors"] == []
    assert results[1] == {"pilot": None, "overlappingPilotIds": [results[0]["pilot"]["id"]], "errors": [
        {"field": "cohort", "code": "CONFLICT", "message": "a running pilot changes this setting for some of the same "
                                                           f"departments or people: {results[0]['pilot']['id']}"}]}
    assert [p["name"] for p in await stored(server, "pilots")] == ["Data"]
    (series,) = await stored(server, "checkInSeries", employeeId=person, active=True)
    assert series.get("cadence") is None


async def test_extending_and_adopting_are_recorded_with_who_and_why(server: RunningServer) -> None:
    pilot = await start(server, ends_on="2098-12-31")
    admin = server.client("hr_admin")
    hr = server.demo.personas["hr_admin"]
    # when HR extends the pilot, then adopts it for Finance too
    body = await admin.data(END, {"id": pilot["id"], "action": "EXTEND", "reason": "Another quarter",
                                  "endsOn": "2099-03-31"})
    assert (body["endPilot"]["errors"], body["endPilot"]["pilot"]["endsOn"]) == ([], "2099-03-31")
    finance = department("Finance")["_id"]
    body = await admin.data(ADOPT, {"id": pilot["id"], "reason": "It works", "departments": [finance]})
    # then both decisions are on the pilot, and Finance meets monthly as Data keeps doing
    assert body["adoptPilot"]["errors"] == []
    assert body["adoptPilot"]["pilot"]["status"] == "ADOPTED"
    assert body["adoptPilot"]["pilot"]["decisions"] == [
        {"action": "START", "by": {"id": hr}, "reason": "Is a monthly rhythm enough?", "endsOn": None,
         "departments": []},
        {"action": "EXTEND", "by": {"id": hr}, "reason": "Another quarter", "endsOn": "2099-03-31", "departments": []},
        {"action": "ADOPT", "by": {"id": hr}, "reason": "It works", "endsOn": None, "departments": [{"id": finance}]}]
    cadences = {d["_id"]: d["cadence"] for d in await stored(server, "departments")}
    assert (cadences[department("Data")["_id"]], cadences[finance]) == ("monthly", "monthly")


async def test_bad_input_is_refused_with_typed_errors_and_nothing_written(server: RunningServer) -> None:
    admin = server.client("hr_admin")
    before = await server.snapshot(PILOT_COLLECTIONS)
    bad = {**start_input(value="FORTNIGHTLY", ends_on="2020-01-01"), "name": " ",
           "comparisonDepartmentIds": [department("Data")["_id"]]}
    body = await admin.execute(START, {"input": bad})
    assert refused(body) == [
        ("name", "REQUIRED", "name is required"),
        ("comparisonDepartmentIds", "INVALID", "a department cannot be in the cohort and in the comparison group"),
        ("endsOn", "INVALID", "a pilot ends after today"),
        ("value", "INVALID", "a cadence is WEEKLY, BIWEEKLY or MONTHLY")]
    body = await admin.execute(START, {"input": {**start_input(), "departmentIds": [UNKNOWN_ID]}})
    assert refused(body) == [("departmentIds", "NOT_FOUND", f"no department {UNKNOWN_ID!r} in your organisation")]
    people = [members("Data")[0]["_id"]]
    body = await admin.execute(START, {"input": start_input(people=people, practice="CHECK_IN_TEMPLATE",
                                                            value=UNKNOWN_ID)})
    assert refused(body) == [("cohort", "INVALID", "a check-in template is a department's setting")]
    body = await admin.execute(END, {"id": UNKNOWN_ID, "action": "REVERT", "reason": "x"})
    assert refused(body) == [("pilotId", "NOT_FOUND", f"no pilot {UNKNOWN_ID!r} in your organisation")]
    assert await server.snapshot(PILOT_COLLECTIONS) == before
    pilot = await start(server)
    before = await server.snapshot(PILOT_COLLECTIONS)
    body = await admin.execute(END, {"id": pilot["id"], "action": "EXTEND", "reason": "", "endsOn": "2099-01-01"})
    assert refused(body) == [("reason", "REQUIRED", "reason is required"),
                             ("endsOn", "INVALID", "extending moves the end date later")]
    assert await server.snapshot(PILOT_COLLECTIONS) == before


async def test_only_hr_admins_run_pilots(server: RunningServer) -> None:
    before = await server.snapshot(PILOT_COLLECTIONS)
    for who in ("manager", "employee"):
        body = await server.client(who).execute(START, {"input": start_input()})
        assert refused(body) == [(None, "FORBIDDEN", "only HR admins run pilots")]
    assert await server.snapshot(PILOT_COLLECTIONS) == before
