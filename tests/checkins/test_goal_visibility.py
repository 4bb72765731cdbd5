"""Goals in check-ins as the goals domain lets each reader see them: ``linkedGoalIds``, ``linkedGoals``
and ``progressUpdates`` leave out a goal the viewer may not see — on every path (``checkIn``,
``checkIns``, ``Employee.checkInSeries``, ``overdueCheckIns``, payloads and ``checkInUpdated``)."""

from __future__ import annotations

from typing import Any

from tests.checkins.support import ADD_TALKING_POINT, Document, person, upcoming
from tests.client import websocket
from tests.conftest import RunningServer
from tests.goals.support import UPDATE_GOAL, goals_of, visible_to

GOAL_FIELDS = """
fragment GoalFields on CheckIn {
  id linkedGoalIds linkedGoals { id }
  progressUpdates { goalId keyResultId keyResultTitle value comment by { id } }
}
"""
LINK = """
mutation($id: ID!, $goal: ID!) { linkCheckInGoal(checkInId: $id, goalId: $goal) { errors { code } } }
"""
RECORD = """
mutation($id: ID!, $kr: ID!, $value: Float!, $comment: String) {
  recordCheckInProgress(checkInId: $id, keyResultId: $kr, value: $value, comment: $comment) { errors { code } }
}
"""
READ = """
query($id: ID!, $employee: ID!) {
  checkIn(id: $id) { ...GoalFields }
  checkIns(employeeId: $employee, past: 0) { upcoming { ...GoalFields } }
  employee(id: $employee) { checkInSeries { upcoming { ...GoalFields } } }
}
""" + GOAL_FIELDS
OVERDUE = """
{ overdueCheckIns(asOf: "2027-06-01") { series { employee { id } upcoming { ...GoalFields } } } }
""" + GOAL_FIELDS
TALKING_POINT = """
mutation($id: ID!, $text: String!) { addTalkingPoint(checkInId: $id, text: $text) {
  checkIn { ...GoalFields } errors { code } } }
""" + GOAL_FIELDS
SUBSCRIBE = "subscription($id: ID!) { checkInUpdated(checkInId: $id) { kind checkIn { ...GoalFields } } }" \
    + GOAL_FIELDS
READ_ONE = "query($id: ID!) { checkIn(id: $id) { ...GoalFields } }" + GOAL_FIELDS
VISIBILITIES = ("private", "management_chain", "everyone")


def the_goals(employee: Document) -> dict[str, tuple[Document, Document]]:
    """The employee's goal of each visibility, with a numeric key result of it."""
    found = {}
    for visibility in VISIBILITIES:
        goal = next(g for g in goals_of(employee["_id"]) if g["visibility"] == visibility
                    and any(kr["metricKind"] == "number" for kr in g["keyResults"]))
        found[visibility] = (goal, next(kr for kr in goal["keyResults"] if kr["metricKind"] == "number"))
    return found


async def link_and_record(server: RunningServer) -> tuple[Document, dict[str, Document]]:
    """The employee persona links their PRIVATE, MANAGEMENT_CHAIN and EVERYONE goals to their upcoming
    check-in and records progress on each; the expected view of each of them, by visibility."""
    employee = person("employee")
    check_in = upcoming(employee["_id"])
    mine = server.client(employee["_id"])
    expected = {}
    for visibility, (goal, key_result) in the_goals(employee).items():
        assert (await mine.data(LINK, {"id": check_in["_id"], "goal": goal["_id"]}))["linkCheckInGoal"] == {
            "errors": []}
        value = key_result["currentValue"] + 1
        comment = f"{visibility} progress"
        data = await mine.data(RECORD, {"id": check_in["_id"], "kr": key_result["_id"], "value": value,
                                        "comment": comment})
        assert data["recordCheckInProgress"] == {"errors": []}
        expected[visibility] = {"goalId": goal["_id"], "keyResultId": key_result["_id"],
                                "keyResultTitle": key_result["title"], "value": value, "comment": comment,
                                "by": {"id": employee["_id"]}}
    return check_in, expected


def view(check_in: Document, updates: dict[str, Document], visibilities: tuple[str, ...]) -> Document:
    """The check-in's goal fields as someone who may see the goals of ``visibilities`` reads them."""
    shown = [updates[v] for v in VISIBILITIES if v in visibilities]
    return {"id": check_in["_id"], "linkedGoalIds": [u["goalId"] for u in shown],
            "linkedGoals": [{"id": u["goalId"]} for u in shown], "progressUpdates": shown}


def readers() -> dict[str, tuple[str, tuple[str, ...]]]:
    """Who reads the employee persona's check-in, and which of their goals the goals domain shows them."""
    employee = person("employee")
    return {"employee": (employee["_id"], VISIBILITIES),
            "team lead": (employee["managerId"], ("management_chain", "everyone")),
            "skip-level manager": (person("manager")["_id"], ("management_chain", "everyone")),
            "HR admin": (person("hr_admin")["_id"], VISIBILITIES)}


def test_the_readers_see_what_the_goals_rules_let_them_see() -> None:
    # the expectations below are those of models/goals/permissions.py for these people and goals
    employee = person("employee")
    goals = [goal for goal, _ in the_goals(employee).values()]
    assert person("manager")["_id"] in employee["managerChain"] and person("manager")["_id"] != employee["managerId"]
    for who, (reader, visibilities) in readers().items():
        assert [g["visibility"] for g in visible_to(reader, goals)] == list(visibilities), who


async def test_each_reader_sees_only_the_goals_they_may_see_in_every_query_path(server: RunningServer) -> None:
    # given the employee's check-in with their private, management-chain and everyone goals linked, and
    # progress recorded on each
    employee = person("employee")
    check_in, updates = await link_and_record(server)
    for who, (reader, visibilities) in readers().items():
        expected = view(check_in, updates, visibilities)
        # when each reader reads it through checkIn, checkIns and Employee.checkInSeries
        data = await server.client(reader).data(READ, {"id": check_in["_id"], "employee": employee["_id"]})
        # then each path shows exactly the goals (ids, goals and progress updates) they may see
        assert data["checkIn"] == expected, who
        assert data["checkIns"]["upcoming"] == [expected], who
        assert [s["upcoming"] for s in data["employee"]["checkInSeries"] if s["upcoming"]] == [expected], who
        if who == "employee":
            continue  # overdueCheckIns is for managers and HR admins
        # and so does overdueCheckIns
        data = await server.client(reader).data(OVERDUE)
        assert [s["series"]["upcoming"] for s in data["overdueCheckIns"]
                if s["series"]["employee"]["id"] == employee["_id"]] == [expected], who


async def test_a_payload_shows_the_acting_participant_only_the_goals_they_may_see(server: RunningServer) -> None:
    # given the linked goals with progress
    employee = person("employee")
    check_in, updates = await link_and_record(server)
    # when the team lead adds a talking point, then the check-in in the payload leaves out the private goal
    data = await server.client(employee["managerId"]).data(TALKING_POINT, {"id": check_in["_id"], "text": "Goals"})
    assert data["addTalkingPoint"] == {"checkIn": view(check_in, updates, ("management_chain", "everyone")),
                                       "errors": []}


async def test_check_in_updated_shows_each_participant_only_the_goals_they_may_see(server: RunningServer) -> None:
    # given the linked goals with progress, and both participants subscribed to the check-in
    employee = person("employee")
    check_in, updates = await link_and_record(server)
    async with websocket(server.ws_url, server.token(employee["_id"])) as mine, \
            websocket(server.ws_url, server.token(employee["managerId"])) as theirs:
        for subscriber in (mine, theirs):
            await subscriber.subscribe(SUBSCRIBE, {"id": check_in["_id"]})
        await server.wait_subscribers(2)
        # when the employee adds a talking point
        await server.client(employee["_id"]).data(ADD_TALKING_POINT, {"id": check_in["_id"], "text": "Goals"})
        # then the employee's event shows every goal, the team lead's leaves out the private one
        for subscriber, visibilities in ((mine, VISIBILITIES), (theirs, ("management_chain", "everyone"))):
            event = (await subscriber.next_payload())["data"]["checkInUpdated"]
            assert event == {"kind": "TALKING_POINT_ADDED", "checkIn": view(check_in, updates, visibilities)}


async def test_linking_and_progressing_a_goal_the_other_participant_may_not_see_is_not_pushed_to_them(
        server: RunningServer) -> None:
    # given both participants subscribed to the employee's upcoming check-in
    employee = person("employee")
    check_in = upcoming(employee["_id"])
    goal, key_result = the_goals(employee)["private"]
    mine = server.client(employee["_id"])
    async with websocket(server.ws_url, server.token(employee["_id"])) as own, \
            websocket(server.ws_url, server.token(employee["managerId"])) as theirs:
        for subscriber in (own, theirs):
            await subscriber.subscribe(SUBSCRIBE, {"id": check_in["_id"]})
        await server.wait_subscribers(2)
        # when the employee links their private goal, records progress on it, then adds a talking point
        assert (await mine.data(LINK, {"id": check_in["_id"], "goal": goal["_id"]}))["linkCheckInGoal"] == {
            "errors": []}
        data = await mine.data(RECORD, {"id": check_in["_id"], "kr": key_result["_id"], "value": 1})
        assert data["recordCheckInProgress"] == {"errors": []}
        await mine.data(ADD_TALKING_POINT, {"id": check_in["_id"], "text": "Goals"})
        # then the employee receives all three, the team lead only the talking point (its check-in without the goal)
        kinds = [(await own.next_payload())["data"]["checkInUpdated"]["kind"] for _ in range(3)]
        assert kinds == ["GOAL_LINKED", "PROGRESS_RECORDED", "TALKING_POINT_ADDED"]
        event = (await theirs.next_payload())["data"]["checkInUpdated"]
        assert event == {"kind": "TALKING_POINT_ADDED", "checkIn": {"id": check_in["_id"], "linkedGoalIds": [],
                                                                     "linkedGoals": [], "progressUpdates": []}}


async def test_a_goal_made_private_after_its_progress_was_recorded_is_hidden_from_then_on(
        server: RunningServer) -> None:
    # given the linked goals with progress, read by the team lead
    employee = person("employee")
    check_in, updates = await link_and_record(server)
    lead = server.client(employee["managerId"])
    before = (await lead.data(READ_ONE, {"id": check_in["_id"]}))["checkIn"]
    assert before == view(check_in, updates, ("management_chain", "everyone"))
    # when the employee makes their management-chain goal private
    data = await server.client(employee["_id"]).data(UPDATE_GOAL, {
        "id": updates["management_chain"]["goalId"], "input": {"visibility": "PRIVATE"}})
    assert data["updateGoal"]["errors"] == []
    # then the team lead no longer sees it in the check-in either, and the employee still does
    assert (await lead.data(READ_ONE, {"id": check_in["_id"]}))["checkIn"] == view(check_in, updates, ("everyone",))
    mine = (await server.client(employee["_id"]).data(READ_ONE, {"id": check_in["_id"]}))["checkIn"]
    assert mine == view(check_in, updates, VISIBILITIES)


async def counted(server: RunningServer, who: str, check_in_id: str) -> tuple[Any, dict[str, int]]:
    server.database.stats.reset()
    data = await server.client(who).data(READ_ONE, {"id": check_in_id})
    return data, dict(server.database.stats.by_collection)


async def test_the_goal_check_costs_the_same_for_one_or_many_progress_updates(server: RunningServer) -> None:
    # given the employee's check-in with their goals linked and one progress update
    employee = person("employee")
    check_in = upcoming(employee["_id"])
    mine = server.client(employee["_id"])
    goals = the_goals(employee)
    for goal, _ in goals.values():
        await mine.data(LINK, {"id": check_in["_id"], "goal": goal["_id"]})
    _, key_result = goals["everyone"]
    await mine.data(RECORD, {"id": check_in["_id"], "kr": key_result["_id"], "value": 1})
    calls = []
    data, by_collection = await counted(server, employee["managerId"], check_in["_id"])
    assert len(data["checkIn"]["progressUpdates"]) == 1
    calls.append(by_collection)
    # when more progress is recorded, on every goal
    for _, key_result in goals.values():
        for value in (2, 3):
            await mine.data(RECORD, {"id": check_in["_id"], "kr": key_result["_id"], "value": value})
    data, by_collection = await counted(server, employee["managerId"], check_in["_id"])
    # then the team lead reads more updates (none on the private goal) in the same round trips, one of
    # them for the goals
    assert [u["goalId"] for u in data["checkIn"]["progressUpdates"]] == [goals["everyone"][0]["_id"]] + [
        goals[v][0]["_id"] for v in ("management_chain", "management_chain", "everyone", "everyone")]
    calls.append(by_collection)
    assert calls[0] == calls[1] and calls[0]["goals"] == 1
