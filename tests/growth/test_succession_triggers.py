"""successionChanged follows the owning domains' events: a successor's review shared (reviews), their position,
department or employment status changed (org, promotions included), and nothing for other changes."""

from __future__ import annotations

from tests.client import websocket
from tests.conftest import NORTHWIND, RunningServer
from tests.growth.support import BY_TITLE, person
from tests.growth.test_succession import CHANGED, SAVE, SUBSCRIPTIONS, incumbent, vp_plan
from tests.org.support import MOVE_DEPARTMENT, UPDATE_EMPLOYEE
from tests.reviews.support import RUNNING, SEED, move

ACTIVE = "active"


def successor_ids(plan: dict) -> list[str]:
    return [s["employeeId"] for s in plan["successors"] if s.get("employeeId")]


async def update(server: RunningServer, employee_id: str, changes: dict) -> None:
    body = await server.client("hr_admin").data(UPDATE_EMPLOYEE, {"id": employee_id, "input": changes})
    assert body["updateEmployee"]["errors"] == [], body


async def test_a_successors_review_shared_pushes(server: RunningServer) -> None:
    # given the VP Engineering plan, to which the chief executive adds someone whose review of the running
    # cycle is with their manager, and the chief executive subscribed to the plan
    plan = vp_plan()
    position = plan["positionId"]
    ceo = incumbent(position)["managerId"]
    review = next(r for r in SEED["reviews"] if r["cycleId"] == RUNNING["_id"] and r["state"] == "manager_review"
                  and person(r["employeeId"])["positionId"] != position)
    reviewee = review["employeeId"]
    async with websocket(server.ws_url, server.token(ceo)) as live:
        await live.subscribe(CHANGED, {"p": position})
        await server.wait_subscribers(SUBSCRIPTIONS)
        saved = (await server.client(ceo).data(SAVE, {"p": position, "v": 1, "s": [
            {"employeeId": id, "status": "PROPOSED"} for id in [*successor_ids(plan), reviewee]]}))
        assert saved["saveSuccessionPlan"]["errors"] == []
        assert (await live.next_payload())["data"]["successionChanged"]["kind"] == "PLAN_SAVED"
        # when HR moves the review to calibration (not a result yet), then shares it
        assert (await move(server, "hr_admin", review["_id"], "CALIBRATION"))["errors"] == []
        assert (await move(server, "hr_admin", review["_id"], "SHARED"))["errors"] == []
        # then the one push is the shared result, naming the successor
        event = (await live.next_payload())["data"]["successionChanged"]
        assert (event["kind"], event["positionId"], event["employeeId"]) == ("REVIEW_RESULT_CHANGED", position,
                                                                              reviewee)


async def test_a_successors_position_department_and_employment_push(server: RunningServer) -> None:
    # given the VP Engineering plan and the chief executive subscribed to it
    plan = vp_plan()
    position = plan["positionId"]
    ceo = incumbent(position)["managerId"]
    first, second = successor_ids(plan)[:2]
    outsider = next(e["_id"] for e in NORTHWIND.employees if e["status"] == ACTIVE and e["positionId"] != position
                    and e["_id"] not in successor_ids(plan) and e["_id"] != ceo and "hr_admin" not in e["roles"])
    other_department = next(d["_id"] for d in NORTHWIND.departments if d["_id"] != person(first)["departmentId"])
    async with websocket(server.ws_url, server.token(ceo)) as live:
        await live.subscribe(CHANGED, {"p": position})
        await server.wait_subscribers(SUBSCRIPTIONS)
        # when HR renames a successor and moves someone who is no successor (nothing to push), then gives the
        # first successor another position
        await update(server, first, {"name": "Renamed Successor"})
        await update(server, outsider, {"positionId": BY_TITLE["Data Analyst"]["_id"]})
        elsewhere = next(BY_TITLE[t]["_id"] for t in ("Tech Lead", "Sales Manager")
                         if BY_TITLE[t]["_id"] != person(first)["positionId"])
        await update(server, first, {"positionId": elsewhere})
        # then the first push is the move
        event = (await live.next_payload())["data"]["successionChanged"]
        assert (event["kind"], event["employeeId"]) == ("SUCCESSOR_MOVED", first)
        # when HR moves the second successor to another department, then that is a move too
        moved = await server.client("hr_admin").data(MOVE_DEPARTMENT, {"employeeId": second,
                                                                         "departmentId": other_department})
        assert moved["moveDepartment"]["errors"] == []
        event = (await live.next_payload())["data"]["successionChanged"]
        assert (event["kind"], event["employeeId"]) == ("SUCCESSOR_MOVED", second)
        # when HR puts the second successor on leave, then their employment changed
        await update(server, second, {"status": "ON_LEAVE"})
        event = (await live.next_payload())["data"]["successionChanged"]
        assert (event["kind"], event["employeeId"]) == ("EMPLOYMENT_CHANGED", second)
        # when the first successor is promoted into the position itself, then the plan shows them moved
        await update(server, first, {"positionId": position})
        event = (await live.next_payload())["data"]["successionChanged"]
        assert (event["kind"], event["employeeId"]) == ("SUCCESSOR_MOVED", first)
