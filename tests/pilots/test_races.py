"""Forced interleavings of a pilot's endings (a revert committed while an adoption is under way), and store round
trips of the comparison, which do not grow with the size of the groups compared."""

from __future__ import annotations

import asyncio

from tests.client import refused
from tests.conftest import RunningServer
from tests.interleave import hold
from tests.pilots.support import ADOPT, COMPARISON, END, department, start, stored


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
