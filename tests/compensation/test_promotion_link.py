"""A merit proposal carries the person's promotion, read from the growth domain through its accessor."""

from __future__ import annotations

from tests.compensation.support import PEOPLE, PROPOSE, close_running_cycle, comp_admin, launched_cycle
from tests.conftest import NORTHWIND, RunningServer
from tests.growth.support import BY_TITLE, person
from tests.growth.test_promotions import DECIDE, cast
from tests.growth.test_promotions import propose as propose_promotion

MANAGER = NORTHWIND.personas["manager"]
EMPLOYEE = NORTHWIND.personas["employee"]
TEAM_LEAD = PEOPLE[EMPLOYEE]["managerId"]


async def test_a_proposal_for_a_promoted_person_carries_the_promotion(server: RunningServer) -> None:
    # given the employee persona promoted to senior software engineer, approved by the whole chain, effective today
    people = cast()
    senior = BY_TITLE["Senior Software Engineer"]["_id"]
    promotion = (await propose_promotion(server, people["lead"]))["proposal"]
    for approver in (people["manager"], people["vp"], person("hr_admin")["_id"]):
        decided = await server.client(approver).data(DECIDE, {"id": promotion["id"], "d": "APPROVE"})
        assert decided["decidePromotion"]["errors"] == []
    # and a merit cycle launched over this year
    await close_running_cycle(server)
    cycle_id, _ = await launched_cycle(await comp_admin(server))
    # when the manager proposes increases for the promoted employee and for their team lead (not promoted)
    manager = server.client("manager")
    for who in (EMPLOYEE, TEAM_LEAD):
        body = await manager.data(PROPOSE, {"cycle": cycle_id, "employee": who, "percent": "3", "why": "merit"})
        assert body["proposeIncrease"]["errors"] == [], body
    # then the employee's stored proposal records the promotion decision, the team lead's none
    stored = {p["employeeId"]: p for p in await server.database.meritParticipants.find(
        {"cycleId": cycle_id, "employeeId": {"$in": [EMPLOYEE, TEAM_LEAD]}}).to_list(None)}
    assert stored[EMPLOYEE]["proposal"]["promotion"] == {
        "decisionId": promotion["id"], "positionId": senior, "fromPositionId": PEOPLE[EMPLOYEE]["positionId"],
        "effectiveOn": promotion["effectiveOn"], "percent": None}
    assert stored[TEAM_LEAD]["proposal"]["promotion"] is None
