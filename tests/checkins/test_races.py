"""Check-ins under concurrency: each test holds one operation at a chosen store call (tests/interleave.py)
while another runs, then checks the invariant: one scheduled occurrence per series, one active series per
employee, nothing written to a closed occurrence, no decision taken on a value that changed meanwhile."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

from tests.checkins.support import (
    ADD_ACTION_ITEM,
    COMPLETE,
    SEED,
    SKIP,
    START_SERIES,
    UPDATE_TALKING_POINT,
    Document,
    error,
    peer,
    person,
    series_of,
    stored,
    upcoming,
)
from tests.checkins.test_goals import LINK, UNLINK, goal_of
from tests.checkins.test_schedule import CREATE_EMPLOYEE
from tests.conftest import RunningServer
from tests.interleave import hold

CHANGE_MANAGER = """
mutation($id: ID!, $manager: ID) { changeManager(employeeId: $id, managerId: $manager) { errors { code } } }
"""
TICK = """
mutation($id: ID!, $input: UpdateActionItemInput!) { updateActionItem(actionItemId: $id, input: $input) {
  actionItem { id done doneAt } errors { field code message } } }
"""


async def scheduled_in(server: RunningServer, series_id: str) -> list[str]:
    found = await server.database.checkIns.find({"seriesId": series_id, "status": "scheduled"}).to_list(None)
    return [c["_id"] for c in found]


async def active_series_of(server: RunningServer, employee_id: str) -> list[Document]:
    return await server.database.checkInSeries.find({"employeeId": employee_id, "active": True}).to_list(None)


async def test_completing_closes_and_schedules_the_next_in_one_commit(server: RunningServer) -> None:
    # given the employee persona's upcoming check-in
    employee = person("employee")
    current = upcoming(employee["_id"])
    series_id = current["seriesId"]
    closing = {"id": current["_id"], "heldOn": None}
    # when the team lead's completion is held at its write closing the occurrence, and the employee's own
    # completion has read the occurrence (still scheduled) and is held at the series meanwhile
    async with hold(server.database, "checkIns", "update_one") as first_held:
        first = asyncio.create_task(server.client(employee["managerId"]).data(COMPLETE, closing))
        await first_held.reached.wait()
        # then the series has exactly one scheduled occurrence while the first completion is part-way
        assert await scheduled_in(server, series_id) == [current["_id"]]
        async with hold(server.database, "checkInSeries", "find_one") as second_held:
            second = asyncio.create_task(server.client("employee").data(COMPLETE, closing))
            await second_held.reached.wait()
    results = [(await task)["completeCheckIn"] for task in (first, second)]
    # and both completions succeed (the second finds it completed: a repeat), with one next occurrence
    assert [r["errors"] for r in results] == [[], []]
    following = await server.database.checkIns.find({"seriesId": series_id,
                                                     "sequence": current["sequence"] + 1}).to_list(None)
    assert len(following) == 1
    assert await scheduled_in(server, series_id) == [following[0]["_id"]]
    closed = await stored(server, "checkIns", current["_id"])
    assert closed is not None and (closed["status"], closed["closedById"]) == ("completed", employee["managerId"])
    series = await stored(server, "checkInSeries", series_id)
    assert series is not None and series["currentSequence"] == current["sequence"] + 1


async def test_a_completion_that_read_the_occurrence_before_it_was_skipped_is_refused(server: RunningServer) -> None:
    # given the employee persona's upcoming check-in and the series' last held date
    employee = person("employee")
    current = upcoming(employee["_id"])
    last_held = series_of(employee["_id"])["lastHeldOn"]
    # when the team lead's completion has read it (scheduled) and is held, and the employee skips it meanwhile
    async with hold(server.database, "checkInSeries", "find_one") as held:
        completing = asyncio.create_task(server.client(employee["managerId"]).data(
            COMPLETE, {"id": current["_id"], "heldOn": None}))
        await held.reached.wait()
        skipped = await server.client("employee").data(SKIP, {"id": current["_id"]})
        assert skipped["skipCheckIn"]["errors"] == []
    # then the completion is refused as the transition it now is, and the series was not held
    assert (await completing)["completeCheckIn"] == {"checkIn": None, "errors": [
        error("checkInId", "INVALID_TRANSITION", "this check-in was skipped")]}
    closed = await stored(server, "checkIns", current["_id"])
    series = await stored(server, "checkInSeries", current["seriesId"])
    assert closed is not None and (closed["status"], closed["heldOn"]) == ("skipped", None)
    assert series is not None and series["lastHeldOn"] == last_held
    assert len(await scheduled_in(server, current["seriesId"])) == 1


async def new_hire(server: RunningServer, manager_id: str) -> str:
    data = await server.client("hr_admin").data(CREATE_EMPLOYEE, {"input": {
        "name": "Nia Mensah", "email": "nia.mensah@northwind.example", "hireDate": "2026-10-01",
        "managerId": manager_id}})
    return str(data["createEmployee"]["employee"]["id"])


async def test_two_starts_of_one_series_one_is_refused_as_a_duplicate(server: RunningServer) -> None:
    # given a new hire under the employee persona's team lead
    lead = person("employee")["managerId"]
    hire = await new_hire(server, lead)
    # when the lead's start is held at inserting the series, and HR starts it meanwhile
    async with hold(server.database, "checkInSeries", "insert_one") as held:
        first = asyncio.create_task(server.client(lead).data(START_SERIES, {"id": hire}))
        await held.reached.wait()
        second = await server.client("hr_admin").data(START_SERIES, {"id": hire})
        assert second["startCheckInSeries"]["errors"] == []
    # then the held start is refused as a duplicate, and there is one series with one scheduled occurrence
    assert (await first)["startCheckInSeries"] == {"series": None, "errors": [
        error("employeeId", "DUPLICATE", "Nia Mensah already has a check-in series with their manager")]}
    [series] = await server.database.checkInSeries.find({"employeeId": hire}).to_list(None)
    assert series["active"] and len(await scheduled_in(server, series["_id"])) == 1


async def test_two_starts_with_a_manager_change_between_leave_one_active_series(server: RunningServer) -> None:
    # given the employee persona (a series with their team lead), moved under the manager persona
    employee = person("employee")["_id"]
    hr = server.client("hr_admin")
    moves = [person("manager")["_id"], peer()["_id"]]
    assert (await hr.data(CHANGE_MANAGER, {"id": employee, "manager": moves[0]}))["changeManager"]["errors"] == []
    # when HR's start of their series is held at looking up the earlier series to end, and they are moved
    # again and their series with the next manager started meanwhile
    async with hold(server.database, "checkInSeries", "find") as held:
        first = asyncio.create_task(hr.data(START_SERIES, {"id": employee}))
        await held.reached.wait()
        assert (await hr.data(CHANGE_MANAGER, {"id": employee, "manager": moves[1]}))["changeManager"]["errors"] == []
        second = await hr.data(START_SERIES, {"id": employee})
        assert second["startCheckInSeries"]["errors"] == []
    assert (await first)["startCheckInSeries"]["errors"] == []
    # then exactly one of the employee's series is active, and only it has a scheduled occurrence
    [active] = await active_series_of(server, employee)
    assert len(await scheduled_in(server, active["_id"])) == 1
    for series in await server.database.checkInSeries.find({"employeeId": employee}).to_list(None):
        assert (await scheduled_in(server, series["_id"]) != []) == (series["_id"] == active["_id"])


async def test_an_action_item_is_not_added_to_an_occurrence_closed_meanwhile(server: RunningServer) -> None:
    # given the employee persona's upcoming check-in
    employee = person("employee")
    current = upcoming(employee["_id"])
    text = "Book the design review"
    # when the lead's new action item is held at its insert, and the employee completes the check-in meanwhile
    async with hold(server.database, "checkInActionItems", "insert_one") as held:
        adding = asyncio.create_task(server.client(employee["managerId"]).data(ADD_ACTION_ITEM, {
            "id": current["_id"], "input": {"ownerId": employee["_id"], "text": text}}))
        await held.reached.wait()
        done = await server.client("employee").data(COMPLETE, {"id": current["_id"], "heldOn": None})
        assert done["completeCheckIn"]["errors"] == []
    # then the item is refused as written to a closed check-in, and nothing was stored
    payload = (await adding)["addActionItem"]
    assert (payload["actionItem"], payload["errors"]) == (None, [error("checkInId", "READ_ONLY",
                                                                       "this check-in was closed")])
    assert await server.database.checkInActionItems.find({"text": text}).to_list(None) == []


def stored_precision(at: str) -> datetime:
    """An instant as the store keeps it (milliseconds)."""
    value = datetime.fromisoformat(at)
    return value.replace(microsecond=value.microsecond // 1000 * 1000)


async def test_an_item_ticked_off_twice_at_once_keeps_the_first_tick(server: RunningServer) -> None:
    # given an open action item of the employee persona's series
    employee = person("employee")
    [item] = [i for i in SEED["checkInActionItems"] if i["seriesId"] == series_of(employee["_id"])["_id"]
              and not i["done"] and i["ownerId"] == employee["_id"]]
    tick: dict[str, Any] = {"id": item["_id"], "input": {"done": True}}
    # when the employee's tick is held at its write, and the lead ticks it off meanwhile
    async with hold(server.database, "checkInActionItems", "update_one") as held:
        mine = asyncio.create_task(server.client("employee").data(TICK, tick))
        await held.reached.wait()
        theirs = (await server.client(employee["managerId"]).data(TICK, tick))["updateActionItem"]
        assert theirs["errors"] == [] and theirs["actionItem"]["done"]
    # then the held tick finds it done and keeps when it was done: the first tick's
    assert (await mine)["updateActionItem"]["errors"] == []
    saved = await stored(server, "checkInActionItems", item["_id"])
    assert saved is not None and saved["done"]
    assert saved["doneAt"] == stored_precision(theirs["actionItem"]["doneAt"])


async def test_a_goal_unlinked_twice_at_once_is_unlinked_once(server: RunningServer) -> None:
    # given a goal of the employee persona linked to their upcoming check-in
    employee = person("employee")
    current = upcoming(employee["_id"])
    goal = goal_of(employee["_id"], "everyone")
    unlink = {"id": current["_id"], "goal": goal["_id"]}
    assert (await server.client("employee").data(LINK, unlink))["linkCheckInGoal"]["errors"] == []
    # when the employee's unlink is held at its write, and the lead unlinks it meanwhile
    async with hold(server.database, "checkIns", "update_one") as held:
        mine = asyncio.create_task(server.client("employee").data(UNLINK, unlink))
        await held.reached.wait()
        theirs = await server.client(employee["managerId"]).data(UNLINK, unlink)
        assert theirs["unlinkCheckInGoal"]["errors"] == []
    # then the held one finds nothing left to unlink
    assert (await mine)["unlinkCheckInGoal"] == {"checkIn": None, "errors": [
        error("goalId", "NOT_FOUND", "this goal is not linked to the check-in")]}


async def test_a_talking_point_edit_held_after_its_version_check_still_loses_to_the_first(
        server: RunningServer) -> None:
    # given the employee persona's upcoming check-in and its talking point at version 1
    employee = person("employee")
    current = upcoming(employee["_id"])
    [point] = current["talkingPoints"]
    edit = {"id": current["_id"], "point": point["_id"], "version": 1}
    # when the employee's edit has checked the version and is held at its write, and the lead's lands meanwhile
    async with hold(server.database, "checkIns", "update_one") as held:
        mine = asyncio.create_task(server.client("employee").data(UPDATE_TALKING_POINT, {**edit, "text": "Mine"}))
        await held.reached.wait()
        theirs = await server.client(employee["managerId"]).data(UPDATE_TALKING_POINT, {**edit, "text": "Theirs"})
        assert theirs["updateTalkingPoint"]["errors"] == []
    # then the held edit is a CONFLICT carrying the lead's text, which is what is stored
    refused = (await mine)["updateTalkingPoint"]
    assert [e["code"] for e in refused["errors"]] == ["CONFLICT"]
    assert (refused["conflict"]["text"], refused["conflict"]["version"]) == ("Theirs", 2)
    saved = await stored(server, "checkIns", current["_id"])
    assert saved is not None and [(p["text"], p["version"]) for p in saved["talkingPoints"]] == [("Theirs", 2)]
