"""Who sees pilots: HR admins all; a manager the pilots whose whole cohort is below them, compared with the people
below them only; employees nothing but the rounds sent to them; another organisation nothing at all."""

from __future__ import annotations

from tests.client import answer
from tests.conftest import GLOBEX, NORTHWIND, RunningServer
from tests.pilots.support import COMPARISON, PILOT, PILOTS, SURVEYS, start

BELOW_MANAGER = sorted(e["_id"] for e in NORTHWIND.employees
                       if NORTHWIND.personas["manager"] in e.get("managerChain", []) and e["status"] != "terminated")


def codes(body: dict) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors", [])]


async def test_a_manager_sees_the_pilots_of_cohorts_below_them_and_compares_with_their_own_people(
        server: RunningServer) -> None:
    # given a pilot for six people below the manager persona, and one for Data (not theirs)
    theirs = await start(server, name="Theirs", people=BELOW_MANAGER[:6], comparison=())
    data = await start(server, name="Data", value="BIWEEKLY")
    manager = server.client("manager")
    # then the manager lists and reads their cohort's pilot only
    assert (await manager.data(PILOTS))["pilots"] == [{"id": theirs["id"], "name": "Theirs", "status": "RUNNING"}]
    assert (await manager.data(PILOT, {"id": theirs["id"]}))["pilot"]["cohortPeople"] == [
        {"id": id} for id in BELOW_MANAGER[:6]]
    assert (await manager.data(PILOT, {"id": data["id"]}))["pilot"] is None
    # and compares it with the other people below them (not the rest of the organisation)
    mine = (await manager.data(COMPARISON, {"id": theirs["id"]}))["pilotComparison"]
    assert (mine["cohort"]["people"], mine["comparison"]["people"]) == (6, len(BELOW_MANAGER) - 6)
    hr = (await server.client("hr_admin").data(COMPARISON, {"id": theirs["id"]}))["pilotComparison"]
    people = len([e for e in NORTHWIND.employees if e["status"] != "terminated"])
    assert (hr["cohort"]["people"], hr["comparison"]["people"]) == (6, people - 6)
    # Data's comparison is refused to them, on that field alone
    body = await manager.execute(COMPARISON, {"id": data["id"]})
    assert (body["data"], codes(body)) == ({"pilotComparison": None}, ["FORBIDDEN"])


async def test_employees_and_another_organisation_see_no_pilot(server: RunningServer) -> None:
    pilot = await start(server)
    for client in (server.client("employee"), server.client(BELOW_MANAGER[0])):
        assert answer(await client.execute(PILOTS)) == {"data": {"pilots": []}}
        assert (await client.data(PILOT, {"id": pilot["id"]}))["pilot"] is None
        body = await client.execute(COMPARISON, {"id": pilot["id"]})
        assert (body["data"], codes(body)) == ({"pilotComparison": None}, ["FORBIDDEN"])
        body = await client.execute(SURVEYS)
        assert (body["data"], codes(body)) == ({"processSurveys": None}, ["FORBIDDEN"])
    # another organisation's HR admin: the id is unknown there
    other = server.client("hr_admin", GLOBEX)
    assert (await other.data(PILOTS))["pilots"] == []
    assert (await other.data(PILOT, {"id": pilot["id"]}))["pilot"] is None
    body = await other.execute(COMPARISON, {"id": pilot["id"]})
    assert (body["data"], codes(body)) == ({"pilotComparison": None}, ["BAD_USER_INPUT"])
