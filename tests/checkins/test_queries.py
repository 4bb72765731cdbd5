"""Check-in queries end to end: past and upcoming lists, who reads what, nested series, settings."""

from __future__ import annotations

from models.checkins.permissions import can_read_check_in
from models.core.viewer import Role, Viewer
from tests.checkins.support import (
    CHECK_IN,
    CHECK_INS,
    DEPARTMENTS,
    EMPLOYEES,
    GLOBEX_SEED,
    SEED,
    UNKNOWN_ID,
    Document,
    codes,
    department,
    occurrences,
    peer,
    person,
    series_of,
    upcoming,
)
from tests.conftest import GLOBEX, RunningServer

NESTED_SERIES = """
query($id: ID!) { employee(id: $id) { checkInSeries { id employee { id } manager { id } } } }
"""
PAGE_SERIES = "{ employees(first: 100) { edges { node { id checkInSeries { id } } } } }"
SETTINGS = """
{ departments { id checkInCadence checkInTemplate { id name isDefault questions { text } } }
  checkInTemplates { id name isDefault } }
"""
SERIES_HISTORY = """
query($id: ID!) { employee(id: $id) { checkInSeries {
  id cadence lastHeldOn upcoming { id } history(last: 4) { id status } openActionItems { id } } } }
"""


def shown_items(check_in: Document) -> list[Document]:
    """Seeded action items of the series from their check-in until the one they were done in."""
    return [i for i in SEED["checkInActionItems"] if i["seriesId"] == check_in["seriesId"]
            and i["fromSequence"] <= check_in["sequence"]
            and (i["doneSequence"] is None or i["doneSequence"] >= check_in["sequence"])]


async def test_check_ins_lists_upcoming_and_past_occurrences(server: RunningServer) -> None:
    # given the employee persona's seeded series: about three months of history and one scheduled check-in
    employee = person("employee")
    history = occurrences(series_of(employee["_id"])["_id"])
    closed = sorted((c for c in history if c["status"] != "scheduled"), key=lambda c: c["scheduledOn"], reverse=True)
    # when they list their check-ins with the last five past ones
    data = await server.client("employee").data(CHECK_INS, {"id": employee["_id"], "past": 5})
    timeline = data["checkIns"]
    # then the scheduled one is upcoming and the five latest held or skipped ones are past, newest first
    assert timeline["employee"] == {"id": employee["_id"]}
    assert [c["id"] for c in timeline["upcoming"]] == [upcoming(employee["_id"])["_id"]]
    assert [(c["id"], c["status"], c["heldOn"], c["rating"]) for c in timeline["past"]] == [
        (c["_id"], c["status"].upper(), c["heldOn"], c["rating"]) for c in closed[:5]]
    # and each shows its questions (the department's own template), answers and talking points
    first = closed[0]
    shown = timeline["past"][0]
    assert [q["text"] for q in shown["questions"]] == [q["text"] for q in first["questions"]]
    assert [[a["text"] for a in q["answers"]] for q in shown["questions"]] == [
        [a["text"] for a in first["answers"].get(q["_id"], {}).values()] for q in first["questions"]]
    assert [(t["id"], t["text"], t["version"]) for t in shown["talkingPoints"]] == [
        (t["_id"], t["text"], t["version"]) for t in first["talkingPoints"]]


async def test_open_action_items_carry_over_into_the_upcoming_check_in(server: RunningServer) -> None:
    # given the seeded action items of the employee persona's series, some done, some still open
    employee = person("employee")
    scheduled = upcoming(employee["_id"])
    expected = shown_items(scheduled)
    assert any(not i["done"] for i in expected) and any(i["fromSequence"] < scheduled["sequence"] for i in expected)
    # when the employee reads the upcoming check-in
    data = await server.client("employee").data(CHECK_IN, {"id": scheduled["_id"]})
    # then it shows every item still open when it was scheduled, marked as carried over from earlier check-ins
    assert [(a["id"], a["done"], a["carriedOver"], a["owner"]["id"]) for a in data["checkIn"]["actionItems"]] == [
        (i["_id"], i["done"], i["fromSequence"] < scheduled["sequence"], i["ownerId"]) for i in
        sorted(expected, key=lambda i: (i["fromSequence"], i["createdAt"], i["_id"]))]


async def test_participants_chain_and_hr_read_a_check_in(server: RunningServer) -> None:
    # given the employee persona's upcoming check-in
    employee = person("employee")
    scheduled = upcoming(employee["_id"])
    readers = {"employee": employee["_id"], "team lead": employee["managerId"], "skip-level": person("manager")["_id"],
               "HR admin": person("hr_admin")["_id"]}
    assert readers["skip-level"] in employee["managerChain"]
    seen = {}
    for name, reader in readers.items():
        # when each reads it
        data = await server.client(reader).data(CHECK_IN, {"id": scheduled["_id"]})
        seen[name] = {k: v for k, v in data["checkIn"].items() if k != "myPrivateNote"}
    # then all four see the same check-in
    assert seen["employee"]["id"] == scheduled["_id"]
    assert all(view == seen["employee"] for view in seen.values())


async def test_someone_outside_the_chain_is_refused(server: RunningServer) -> None:
    # given a colleague who is neither a participant, nor above the employee, nor HR
    employee, stranger = person("employee"), peer()
    scheduled = upcoming(employee["_id"])
    client = server.client(stranger["_id"])
    # when they ask for the check-in or the employee's check-ins
    one = await client.execute(CHECK_IN, {"id": scheduled["_id"]})
    listed = await client.execute(CHECK_INS, {"id": employee["_id"], "past": 3})
    # then both are FORBIDDEN, and nothing of the check-in is returned
    assert codes(one) == ["FORBIDDEN"] and one["data"] == {"checkIn": None}
    assert codes(listed) == ["FORBIDDEN"] and listed["data"] == {"checkIns": None}


async def test_another_organisations_check_in_is_like_an_unknown_one(server: RunningServer) -> None:
    # given a Globex check-in and an id nobody uses
    globex_check_in = GLOBEX_SEED["checkIns"][0]["_id"]
    client = server.client("hr_admin")
    # when a Northwind HR admin asks for them, then both are simply not there
    assert await client.data(CHECK_IN, {"id": globex_check_in}) == {"checkIn": None}
    assert await client.data(CHECK_IN, {"id": UNKNOWN_ID}) == {"checkIn": None}
    # and a Globex HR admin does see their own
    data = await server.client("hr_admin", GLOBEX).data(CHECK_IN, {"id": globex_check_in})
    assert data["checkIn"]["id"] == globex_check_in
    # and asking for the check-ins of another organisation's employee is like an unknown employee
    globex_person = GLOBEX.personas["employee"]
    for id in (globex_person, UNKNOWN_ID):
        body = await client.execute(CHECK_INS, {"id": id, "past": 1})
        assert codes(body) == ["BAD_USER_INPUT"]
        assert body["errors"][0]["message"] == f"no employee {id!r} in your organisation"


async def test_nested_series_are_filtered_by_the_rules(server: RunningServer) -> None:
    # given the employee persona and their series with their team lead
    employee = person("employee")
    series = series_of(employee["_id"])
    expected = [{"id": series["_id"], "employee": {"id": employee["_id"]}, "manager": {"id": employee["managerId"]}}]
    # when the employee, the skip-level manager, HR and a colleague look at the employee's series
    for who, sees in (("employee", expected), ("manager", expected), ("hr_admin", expected), (peer()["_id"], [])):
        data = await server.client(who).data(NESTED_SERIES, {"id": employee["_id"]})
        # then only those allowed see it; the colleague gets an empty list, not an error
        assert data["employee"]["checkInSeries"] == sees, who


async def test_a_page_of_employees_shows_only_the_series_the_viewer_may_read(server: RunningServer) -> None:
    # given the manager persona, who reads the series of everyone below them and their own
    manager = person("manager")
    viewer = Viewer(manager["_id"], manager["organizationId"], frozenset({Role.EMPLOYEE, Role.MANAGER}))
    # when they list the first 100 employees with their series
    data = await server.client("manager").data(PAGE_SERIES)
    # then each employee's series are there exactly when the rules allow it
    for edge in data["employees"]["edges"]:
        node = edge["node"]
        allowed = [s["_id"] for s in sorted(SEED["checkInSeries"], key=lambda s: (s["startedOn"], s["_id"]))
                   if s["employeeId"] == node["id"] and can_read_check_in(viewer, s, EMPLOYEES[node["id"]])]
        assert [s["id"] for s in node["checkInSeries"]] == allowed


async def test_series_history_and_open_items(server: RunningServer) -> None:
    # given the employee persona's series
    employee = person("employee")
    series = series_of(employee["_id"])
    history = occurrences(series["_id"])
    # when the skip-level manager reads it nested under the employee
    data = await server.client("manager").data(SERIES_HISTORY, {"id": employee["_id"]})
    [shown] = data["employee"]["checkInSeries"]
    # then it shows the cadence in force, the last held date, the upcoming one and the latest history
    assert shown["cadence"] == DEPARTMENTS[employee["departmentId"]]["cadence"].upper()
    assert shown["lastHeldOn"] == series["lastHeldOn"]
    assert shown["upcoming"] == {"id": history[-1]["_id"]}
    assert shown["history"] == [{"id": c["_id"], "status": c["status"].upper()} for c in reversed(history[:-1])][:4]
    open_items = [i for i in SEED["checkInActionItems"] if i["seriesId"] == series["_id"] and not i["done"]]
    assert sorted(a["id"] for a in shown["openActionItems"]) == sorted(i["_id"] for i in open_items)


async def test_cadence_and_template_settings_by_department(server: RunningServer) -> None:
    # given the seed: Customer Success pilots monthly check-ins, Product Engineering has its own template
    default, override = SEED["checkInTemplates"]
    # when anyone reads the departments and the templates
    data = await server.client("employee").data(SETTINGS)
    # then each department shows its cadence and the template it uses
    for shown in data["departments"]:
        stored = DEPARTMENTS[shown["id"]]
        template = override if stored.get("checkInTemplateId") else default
        assert shown["checkInCadence"] == stored["cadence"].upper()
        assert shown["checkInTemplate"] == {"id": template["_id"], "name": template["name"],
                                            "isDefault": template is default,
                                            "questions": [{"text": q["text"]} for q in template["questions"]]}
    assert department("Customer Success")["cadence"] == "monthly"
    assert sorted((t["name"], t["isDefault"]) for t in data["checkInTemplates"]) == sorted(
        [(default["name"], True), (override["name"], False)])
