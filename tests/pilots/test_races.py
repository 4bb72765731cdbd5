"""Forced interleavings of a pilot's endings (a revert committed while an adoption is under way), and store round
trips of the comparison, which do not grow with the size of the groups compared."""

from __future__ import annotations

import asyncio

from tests.client import refused
from tests.conftest import RunningServer
from tests.interleave import hold
from tests.pilots.support import ADOPT, COMPARISON, END, SAVE_SURVEY, SEND, department, start, stored


async def test_an_adoption_that_read_a_pilot_reverted_meanwhile_is_refused_and_writes_nothing(
        server: RunningServer) -> None:
    # given a running pilot in Data, and HR adopting it for Finance: parked just before it marks the pilot adopted
    pilot = await start(server)
    admin = server.client("hr_admin")
    finance = department("Finance")["_id"]
    async with hold(server.database, "pilots", "update_one") as held:
        adoption = asyncio.create_task(admin.execute(ADOPT, {"id": pilot["id"], "reason": "Works",
                                                             "departments": [finance]}))
        await held.reached.wait()
        # when another HR admin reverts it meanwhile
        body = await admin.data(END, {"id": pilot["id"], "action": "REVERT", "reason": "Does not work"})
        assert body["endPilot"]["errors"] == []
    late = await adoption
    # then the adoption, tried again on the reverted pilot, is refused; Data is weekly again, Finance untouched
    assert refused(late) == [("pilotId", "INVALID_TRANSITION", "this pilot was ended meanwhile")]
    cadences = {d["_id"]: d["cadence"] for d in await stored(server, "departments")}
    assert (cadences[department("Data")["_id"]], cadences[finance]) == ("weekly", "weekly")
    (doc,) = await stored(server, "pilots")
    assert (doc["status"], [d["action"] for d in doc["decisions"]]) == ("reverted", ["start", "revert"])


async def calls(server: RunningServer, pilot_id: str) -> int:
    hr = server.client("hr_admin")
    server.database.stats.reset()
    await hr.data(COMPARISON, {"id": pilot_id})
    return server.database.stats.calls


async def test_the_comparison_costs_the_same_store_calls_for_a_small_or_a_whole_organisation(
        server: RunningServer) -> None:
    # a comparison with one department (23 people) and one with the rest of the organisation (about 180)
    small = await start(server)
    whole = await start(server, name="Whole", departments=("Sales", "Marketing"), value="BIWEEKLY", comparison=())
    assert await calls(server, small["id"]) == await calls(server, whole["id"])


async def test_of_two_concurrent_sends_of_a_round_one_is_refused(server: RunningServer) -> None:
    # given a survey of a pilot, and HR sending its first round twice at once: the first parked before inserting it
    pilot = await start(server)
    admin = server.client("hr_admin")
    body = await admin.data(SAVE_SURVEY, {"input": {"title": "Rhythm", "pilotId": pilot["id"],
                                                    "questions": ["Right cadence?"]}})
    survey = body["saveProcessSurvey"]["survey"]["id"]
    window = {"id": survey, "opens": "2099-01-01", "closes": "2099-01-31"}
    async with hold(server.database, "processSurveyRounds", "insert_one") as held:
        first = asyncio.create_task(admin.execute(SEND, window))
        await held.reached.wait()
        second = await admin.execute(SEND, window)
    late = await first
    # then one round 1 exists, and the other send was refused
    results = [second["data"]["sendProcessSurvey"], late["data"]["sendProcessSurvey"]]
    assert sorted(r["round"] is None for r in results) == [False, True]
    (refusal,) = [r for r in results if r["round"] is None]
    assert refusal["errors"] == [{"field": "surveyId", "code": "DUPLICATE",
                                  "message": "another round of this survey was sent meanwhile"}]
    assert [r["number"] for r in await stored(server, "processSurveyRounds")] == [1]
    (doc,) = await stored(server, "processSurveys")
    assert [r["number"] for r in doc["rounds"]] == [1]
