"""Growth plans: the person sets their targets, their managers, HR admins and a mentor the plan is shared
with add actions; everyone else is refused; bad input is a typed error and writes nothing."""

from __future__ import annotations

import asyncio
from collections import Counter

from tests.conftest import GLOBEX, NORTHWIND, RunningServer
from tests.growth.support import (
    GROWTH_PLAN,
    PLAN_FIELDS,
    SAVE_ACTION,
    SEED,
    SET_TARGETS,
    UNKNOWN_ID,
    active,
    error,
    mentors_of,
    peer,
    person,
    position_above,
    snapshot,
)
from tests.interleave import hold

PLAN_REFUSAL = ("a growth plan is visible to the person, their managers, HR admins and, when the person "
                "shares it, their mentors")


def plain_mentors(employee_id: str) -> list[str]:
    """The person's active mentors who are no HR admins (whose reading is the mentor rule's alone)."""
    return sorted(m for m in mentors_of(employee_id) if "hr_admin" not in person(m)["roles"])


def shared_plan(shared: bool) -> dict:
    """A seeded plan whose person has an active mentor, shared with mentors or not."""
    return next(p for p in SEED["growthPlans"] if p["sharedWithMentors"] is shared and plain_mentors(p["employeeId"]))


async def test_the_person_sets_targets_and_their_managers_read_them(server: RunningServer) -> None:
    # given the employee persona (no plan yet) and a position above theirs
    employee = person("employee")
    target = position_above(employee)
    client = server.client(employee["_id"])
    empty = (await client.data(GROWTH_PLAN, {"id": employee["_id"]}))["growthPlan"]
    assert (empty["targets"], empty["actions"], empty["version"], empty["progress"]) == ([], [], 0, 0.0)
    # when they set one target with their aspiration and mobility, shared with their mentors
    payload = (await client.data(SET_TARGETS, {"id": employee["_id"], "share": True, "targets": [{
        "positionId": target["_id"], "horizon": "ONE_TO_TWO_YEARS", "aspiration": " Lead a team ",
        "willingToRelocate": True}]}))["setGrowthTargets"]
    # then the plan holds it, aspiration trimmed
    assert payload["errors"] == []
    expected_target = {"position": {"id": target["_id"], "title": target["title"]}, "aspiration": "Lead a team",
                       "horizon": "ONE_TO_TWO_YEARS", "willingToRelocate": True, "willingToChangeDepartment": False}
    assert payload["plan"]["targets"] == [expected_target]
    assert (payload["plan"]["sharedWithMentors"], payload["plan"]["version"]) == (True, 1)
    # and their manager, their skip-level manager and HR admins read the same plan
    for reader in (employee["managerId"], employee["managerChain"][0], person("hr_admin")["_id"]):
        plan = (await server.client(reader).data(GROWTH_PLAN, {"id": employee["_id"]}))["growthPlan"]
        assert plan["targets"] == [expected_target], reader
    # but a peer is refused (null and FORBIDDEN), and Globex does not know the person
    body = await server.client(peer(employee)["_id"]).execute(GROWTH_PLAN, {"id": employee["_id"]})
    assert body["data"] == {"growthPlan": None}
    assert [(e["extensions"]["code"], e["message"]) for e in body["errors"]] == [("FORBIDDEN", PLAN_REFUSAL)]
    body = await server.client(GLOBEX.personas["hr_admin"], GLOBEX).execute(GROWTH_PLAN, {"id": employee["_id"]})
    assert body["data"] == {"growthPlan": None}
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_a_mentor_reads_and_contributes_only_while_the_plan_is_shared(server: RunningServer) -> None:
    # given a plan shared with mentors and one that is not, each of a person with an active mentor
    shared, private = shared_plan(True), shared_plan(False)
    mentor_of_shared = plain_mentors(shared["employeeId"])[0]
    mentor_of_private = plain_mentors(private["employeeId"])[0]
    # then the first's mentor reads it, and the second's mentor is refused
    data = await server.client(mentor_of_shared).data(GROWTH_PLAN, {"id": shared["employeeId"]})
    assert [a["id"] for a in data["growthPlan"]["actions"]] == [a["_id"] for a in shared["actions"]]
    body = await server.client(mentor_of_private).execute(GROWTH_PLAN, {"id": private["employeeId"]})
    assert body["data"] == {"growthPlan": None} and body["errors"][0]["message"] == PLAN_REFUSAL
    # when the first's mentor adds an action they own
    added = (await server.client(mentor_of_shared).data(SAVE_ACTION, {"id": shared["employeeId"], "action": {
        "kind": "MENTORING", "title": "Shadow a planning session", "ownerId": mentor_of_shared,
        "dueOn": "2027-01-15"}}))["saveDevelopmentAction"]
    # then it is in the plan, after the seeded one
    assert added["errors"] == []
    action = added["developmentAction"]
    assert (action["kind"], action["owner"], action["status"]) == ("MENTORING", {"id": mentor_of_shared}, "PLANNED")
    assert [a["id"] for a in added["plan"]["actions"]] == [shared["actions"][0]["_id"], action["id"]]
    # when the person stops sharing, then the mentor can neither read nor add
    await server.client(shared["employeeId"]).data(SET_TARGETS, {"id": shared["employeeId"], "share": False,
                                                                 "targets": []})
    body = await server.client(mentor_of_shared).execute(GROWTH_PLAN, {"id": shared["employeeId"]})
    assert body["data"] == {"growthPlan": None}
    refused = (await server.client(mentor_of_shared).data(SAVE_ACTION, {"id": shared["employeeId"], "action": {
        "kind": "LEARNING", "title": "More"}}))["saveDevelopmentAction"]
    assert refused == {"developmentAction": None, "plan": None, "errors": [error(None, "FORBIDDEN", PLAN_REFUSAL)]}


async def test_managers_update_actions_and_progress_follows(server: RunningServer) -> None:
    # given a seeded plan with one action, read by the person's manager
    plan = SEED["growthPlans"][0]
    employee = person(plan["employeeId"])
    manager = server.client(employee["managerId"])
    action = plan["actions"][0]
    # when the manager adds a stretch assignment owned by themselves and marks the first action done
    added = (await manager.data(SAVE_ACTION, {"id": employee["_id"], "action": {
        "kind": "STRETCH_ASSIGNMENT", "title": "Run the team's planning", "ownerId": employee["managerId"]}}))
    assert added["saveDevelopmentAction"]["errors"] == []
    done = (await manager.data(SAVE_ACTION, {"id": employee["_id"], "action": {
        "actionId": action["_id"], "kind": "LEARNING", "title": action["title"], "status": "DONE"}}))
    payload = done["saveDevelopmentAction"]
    # then the first is done, still owned by the person, and progress is one of two
    assert payload["errors"] == []
    saved = payload["developmentAction"]
    assert (saved["id"], saved["status"], saved["owner"]) == (action["_id"], "DONE", {"id": employee["_id"]})
    assert payload["plan"]["progress"] == 0.5
    # when a third is dropped, then progress counts only the two not dropped
    dropped = await manager.data(SAVE_ACTION, {"id": employee["_id"], "action": {
        "kind": "PROJECT", "title": "Side project", "status": "DROPPED"}})
    assert dropped["saveDevelopmentAction"]["plan"]["progress"] == 0.5


async def test_bad_targets_and_actions_are_typed_errors_and_write_nothing(server: RunningServer) -> None:
    # given the employee persona, their manager, and the store as seeded
    employee = person("employee")
    me = server.client(employee["_id"])
    before = await snapshot(server)
    globex_position = GLOBEX.positions[0]["_id"]
    target = position_above(employee)
    target_cases = [
        (me, [{"positionId": globex_position, "horizon": "WITHIN_A_YEAR"}],
         [error("targets.0.positionId", "NOT_FOUND", f"no position {globex_position!r} in your organisation")]),
        (me, [{"positionId": employee["positionId"], "horizon": "WITHIN_A_YEAR"}],
         [error("targets.0.positionId", "INVALID", "this is the person's current position")]),
        (me, [{"positionId": target["_id"], "horizon": "WITHIN_A_YEAR"}] * 2,
         [error("targets", "DUPLICATE", "a position is targeted twice")]),
        (me, [{"positionId": target["_id"], "horizon": "WITHIN_A_YEAR", "aspiration": "x" * 5001}],
         [error("targets.0.aspiration", "TOO_LONG", "targets.0.aspiration is longer than 5000 characters")]),
        (server.client(employee["managerId"]), [{"positionId": target["_id"], "horizon": "WITHIN_A_YEAR"}],
         [error(None, "FORBIDDEN", "only the person (or an HR admin) sets the targets of their growth plan")]),
        (server.client(peer(employee)["_id"]), [], [error(None, "FORBIDDEN", PLAN_REFUSAL)]),
    ]
    for client, targets, errors in target_cases:
        payload = (await client.data(SET_TARGETS, {"id": employee["_id"], "targets": targets}))["setGrowthTargets"]
        assert payload == {"plan": None, "errors": errors}, targets
    someone_else = peer(employee)["_id"]
    action_cases = [
        ({"kind": "LEARNING", "title": "Course", "ownerId": someone_else},
         [error("ownerId", "INVALID", "an action is owned by the person, one of their managers or their mentor")]),
        ({"kind": "LEARNING", "title": ""}, [error("title", "REQUIRED", "title must not be empty")]),
        ({"kind": "LEARNING", "title": "Course", "actionId": UNKNOWN_ID},
         [error("actionId", "NOT_FOUND", f"no action {UNKNOWN_ID!r} in this plan")]),
        ({"kind": "LEARNING", "title": "Course", "competencyId": UNKNOWN_ID},
         [error("competencyId", "NOT_FOUND", f"no competency {UNKNOWN_ID!r} in your organisation")]),
        ({"kind": "LEARNING", "title": "Course", "goalId": UNKNOWN_ID},
         [error("goalId", "NOT_FOUND", f"no goal {UNKNOWN_ID!r} of this person that you may see")]),
    ]
    for action, errors in action_cases:
        payload = (await me.data(SAVE_ACTION, {"id": employee["_id"], "action": action}))["saveDevelopmentAction"]
        assert payload == {"developmentAction": None, "plan": None, "errors": errors}, action
    # then nothing was written
    assert await snapshot(server) == before


async def test_two_people_adding_actions_at_once_both_land(server: RunningServer) -> None:
    # given the employee persona without a plan: the first write creates it
    employee = person("employee")
    me, manager = server.client(employee["_id"]), server.client(employee["managerId"])

    async def add(client, title: str) -> dict:
        return (await client.data(SAVE_ACTION, {"id": employee["_id"], "action": {
            "kind": "LEARNING", "title": title}}))["saveDevelopmentAction"]

    # when the person's write is held at the plan's update until the manager's has created the plan
    async with hold(server.database, "growthPlans", "update_one") as held:
        first = asyncio.create_task(add(me, "Mine"))
        await held.reached.wait()
        theirs = await add(manager, "Theirs")
    mine = await first
    # then both actions are in the one plan, the manager's first
    assert mine["errors"] == [] and theirs["errors"] == []
    stored = await server.database.growthPlans.find({"employeeId": employee["_id"]}).to_list(None)
    assert len(stored) == 1
    assert [a["title"] for a in stored[0]["actions"]] == ["Theirs", "Mine"] and stored[0]["version"] == 2


async def test_growth_plans_of_many_people_cost_the_same_round_trips(server: RunningServer) -> None:
    # given an HR admin reading the growth plan of each report of a manager, nested in the org chart
    query = "query($id: ID!) { employee(id: $id) { reports { growthPlan { ...PlanFields } } } }" + PLAN_FIELDS
    hr = server.client("hr_admin")
    reports = Counter(e["managerId"] for e in NORTHWIND.employees if e["managerId"] and active(e))
    small, large = min(reports, key=lambda m: (reports[m], m)), max(reports, key=lambda m: (reports[m], m))
    # and every one of those reports with a plan holding a target and an action (the same shape everywhere)
    for report in (e for e in NORTHWIND.employees if e["managerId"] in (small, large) and active(e)):
        added = await hr.data(SAVE_ACTION, {"id": report["_id"], "action": {"kind": "LEARNING", "title": "Course"}})
        targets = [{"positionId": position_above(report)["_id"], "horizon": "WITHIN_A_YEAR"}]
        aimed = await hr.data(SET_TARGETS, {"id": report["_id"], "targets": targets})
        assert added["saveDevelopmentAction"]["errors"] == aimed["setGrowthTargets"]["errors"] == []
    calls = []
    for manager in (small, large):
        server.database.stats.reset()
        data = await hr.data(query, {"id": manager})
        calls.append((len(data["employee"]["reports"]), server.database.stats.calls))
    # then the number of store calls does not depend on the number of reports
    assert calls[0][0] != calls[1][0]
    assert calls[0][1] == calls[1][1], calls
