"""The exit checklist: ticking items off and reassigning them (HR admins and the interviewer), refusals that write
nothing, a race between two completions, and exitChecklistChanged."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from models.core import clock
from tests.client import refused, websocket
from tests.conftest import RunningServer
from tests.exits.support import (
    COMPLETE_ITEM,
    EXIT_COLLECTIONS,
    REASSIGN_ITEM,
    SCHEDULE,
    persona,
    record_of,
    terminate,
)
from tests.interleave import hold

CHANGED = """subscription($id: ID!) {
  exitChecklistChanged(exitId: $id) { id checklist { id key done owner { id } } } }"""


async def leaver_record(server: RunningServer) -> dict:
    leaver = persona("manager")
    await terminate(server, leaver["_id"])
    return await record_of(server, leaver["_id"])


async def test_hr_ticks_off_and_reassigns_items(server: RunningServer) -> None:
    record = await leaver_record(server)
    first, second = record["checklist"][0]["id"], record["checklist"][1]["id"]
    new_owner = persona("employee")["_id"]
    hr = server.client("hr_admin")
    # when HR ticks the first item off and hands the second to the employee persona
    done = await hr.data(COMPLETE_ITEM, {"id": record["_id"], "item": first})
    assert done["completeExitChecklistItem"]["errors"] == []
    moved = await hr.data(REASSIGN_ITEM, {"id": record["_id"], "item": second, "owner": new_owner})
    assert moved["reassignExitChecklistItem"]["errors"] == []
    # then the stored items say so, and nothing else changed on them
    after = (await record_of(server, record["employeeId"]))["checklist"]
    assert [(i["id"], i["done"], i["ownerId"]) for i in after[:2]] == [(first, True, record["checklist"][0]["ownerId"]),
                                                                      (second, False, new_owner)]
    assert after[0]["doneById"] == server.demo.personas["hr_admin"]
    assert after[2:] == record["checklist"][2:]


async def test_refusals_write_nothing(server: RunningServer) -> None:
    record = await leaver_record(server)
    item = record["checklist"][0]["id"]
    hr = server.client("hr_admin")
    await hr.data(COMPLETE_ITEM, {"id": record["_id"], "item": item})
    before = await server.snapshot(EXIT_COLLECTIONS)
    # an item done already, an unknown item, the leaver as new owner, someone not HR nor the interviewer
    body = await hr.execute(COMPLETE_ITEM, {"id": record["_id"], "item": item})
    assert refused(body) == [("itemId", "INVALID_TRANSITION", "this item is done already")]
    body = await hr.execute(COMPLETE_ITEM, {"id": record["_id"], "item": "nope"})
    assert refused(body) == [("itemId", "NOT_FOUND", "no checklist item 'nope' on this exit record")]
    body = await hr.execute(REASSIGN_ITEM, {"id": record["_id"], "item": record["checklist"][1]["id"],
                                            "owner": record["employeeId"]})
    assert refused(body) == [("ownerId", "INACTIVE", f"{persona('manager')['name']} has left the organisation")]
    body = await server.client("employee").execute(COMPLETE_ITEM, {"id": record["_id"],
                                                                   "item": record["checklist"][1]["id"]})
    assert refused(body) == [(None, "FORBIDDEN", "only HR admins and the exit's interviewer work on its checklist")]
    assert await server.snapshot(EXIT_COLLECTIONS) == before


async def test_the_interviewer_works_on_the_checklist(server: RunningServer) -> None:
    record = await leaver_record(server)
    interviewer = persona("employee")["_id"]
    on = (clock.today() + timedelta(days=2)).isoformat()
    await server.client("hr_admin").data(SCHEDULE, {"id": record["_id"], "who": interviewer, "on": on})
    body = await server.client(interviewer).data(COMPLETE_ITEM, {"id": record["_id"],
                                                                 "item": record["checklist"][0]["id"]})
    assert body["completeExitChecklistItem"]["errors"] == []


async def test_of_two_concurrent_completions_one_wins(server: RunningServer) -> None:
    # given HR and the interviewer ticking off the same item at once
    record = await leaver_record(server)
    interviewer = persona("employee")["_id"]
    await server.client("hr_admin").data(SCHEDULE, {"id": record["_id"], "who": interviewer,
                                                    "on": clock.today().isoformat()})
    item = record["checklist"][0]["id"]
    async with hold(server.database, "exitRecords", "update_one") as held:
        first = asyncio.create_task(server.client("hr_admin").execute(COMPLETE_ITEM, {"id": record["_id"],
                                                                                      "item": item}))
        await held.reached.wait()  # HR has read the record (item open) and is parked before its write
        second = await server.client(interviewer).execute(COMPLETE_ITEM, {"id": record["_id"], "item": item})
    late = await first
    # then the interviewer's completion landed and HR's conditional write matched nothing
    assert second["data"]["completeExitChecklistItem"]["errors"] == []
    assert refused(late) == [("itemId", "INVALID_TRANSITION", "this item is done already")]
    stored = (await record_of(server, record["employeeId"]))["checklist"][0]
    assert (stored["done"], stored["doneById"]) == (True, interviewer)


async def test_exit_checklist_changed_reaches_hr_and_refuses_others(server: RunningServer) -> None:
    record = await leaver_record(server)
    item = record["checklist"][0]["id"]
    async with websocket(server.ws_url, server.token("hr_admin")) as hr, \
            websocket(server.ws_url, server.token("employee")) as outsider:
        await outsider.subscribe(CHANGED, {"id": record["_id"]})
        refusal = await outsider.receive()
        assert refusal["type"] == "next"
        assert [e["extensions"]["code"] for e in refusal["payload"]["errors"]] == ["FORBIDDEN"]
        await hr.subscribe(CHANGED, {"id": record["_id"]})
        await server.wait_subscribers(1)
        await server.client("hr_admin").data(COMPLETE_ITEM, {"id": record["_id"], "item": item})
        payload = await hr.next_payload()
    changed = payload["data"]["exitChecklistChanged"]
    assert changed["id"] == record["_id"]
    assert changed["checklist"][0] == {"id": f"{record['_id']}:{item}", "key": item, "done": True,
                                       "owner": {"id": record["checklist"][0]["ownerId"]}}
