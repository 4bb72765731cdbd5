"""growth's departure step: a successor leaving pushes successionChanged to the plans that name them."""

from __future__ import annotations

from tests.client import websocket
from tests.conftest import NORTHWIND, RunningServer
from tests.exits.support import terminate
from tests.growth.test_succession import CHANGED, SUBSCRIPTIONS, incumbent, vp_plan


async def test_a_successor_leaving_pushes_succession_changed(server: RunningServer) -> None:
    # given the VP Engineering plan and the chief executive subscribed to it
    plan = vp_plan()
    position = plan["positionId"]
    ceo = incumbent(position)["managerId"]
    leaver = next(s["employeeId"] for s in plan["successors"]
                  if s.get("employeeId") and s["employeeId"] not in NORTHWIND.personas.values())
    async with websocket(server.ws_url, server.token(ceo)) as live:
        await live.subscribe(CHANGED, {"p": position})
        await server.wait_subscribers(SUBSCRIPTIONS)
        # when HR terminates one of its successors
        await terminate(server, leaver)
        # then the plan's reader is told which successor left
        event = (await live.next_payload())["data"]["successionChanged"]
        assert (event["kind"], event["positionId"], event["employeeId"]) == ("SUCCESSOR_LEFT", position, leaver)
