"""pilotComparisonChanged: HR admins get the comparison again when a check-in of the organisation is held and when
the pilot changes; anyone else is refused."""

from __future__ import annotations

from datetime import date

import pytest

from models.core import clock
from tests.client import websocket
from tests.conftest import RunningServer
from tests.pilots.support import END, members, on, start, stored

CHANGED = """subscription($id: ID!) { pilotComparisonChanged(pilotId: $id) {
  pilot { endsOn } cohort { checkIns { due held missed } } } }"""
COMPLETE = """mutation($id: ID!) { completeCheckIn(checkInId: $id) { errors { code } } }"""


async def test_hr_gets_the_comparison_again_as_check_ins_are_held_and_the_pilot_changes(
        server: RunningServer, monkeypatch: pytest.MonkeyPatch) -> None:
    # given a pilot in Data since 2026-10-01, and a Data member's check-in due in the period and not yet held
    with on(monkeypatch, date(2026, 10, 1)):
        pilot = await start(server, ends_on="2099-01-31")
    ids = [p["_id"] for p in members("Data")]
    due = [c for c in await stored(server, "checkIns", employeeId={"$in": ids}, status="scheduled")
           if "2026-10-01" <= c["scheduledOn"] <= clock.today().isoformat()]
    occurrence = due[0]
    period = {"employeeId": {"$in": ids}, "scheduledOn": {"$gte": "2026-10-01", "$lte": clock.today().isoformat()},
              "status": {"$ne": "cancelled"}}
    before = await stored(server, "checkIns", **period)
    counts = {"due": len(before), "held": sum(c["status"] == "completed" for c in before),
              "missed": sum(c["status"] == "scheduled" for c in before)}
    async with websocket(server.ws_url, server.token("hr_admin")) as hr, \
            websocket(server.ws_url, server.token("manager")) as manager:
        await manager.subscribe(CHANGED, {"id": pilot["id"]})
        refusal = await manager.receive()
        assert [e["extensions"]["code"] for e in refusal["payload"]["errors"]] == ["FORBIDDEN"]
        await hr.subscribe(CHANGED, {"id": pilot["id"]})
        await server.wait_subscribers(2)
        # when the check-in is held
        body = await server.client(occurrence["managerId"]).data(COMPLETE, {"id": occurrence["_id"]})
        assert body["completeCheckIn"]["errors"] == []
        held = (await hr.next_payload())["data"]["pilotComparisonChanged"]
        # and HR extends the pilot
        await server.client("hr_admin").data(END, {"id": pilot["id"], "action": "EXTEND", "reason": "Longer",
                                                   "endsOn": "2099-06-30"})
        extended = (await hr.next_payload())["data"]["pilotComparisonChanged"]
    # then the first push counts it held, no longer missed, and the second shows the new end
    assert held["cohort"]["checkIns"] == {"due": counts["due"], "held": counts["held"] + 1,
                                          "missed": counts["missed"] - 1}
    assert extended == {"pilot": {"endsOn": "2099-06-30"}, "cohort": held["cohort"]}
