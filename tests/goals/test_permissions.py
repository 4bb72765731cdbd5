"""Who edits which goal, and visibility on every path: goal(id), goals lists, nested fields, the alignment
tree (redacted nodes) and myTeamGoals. Expectations come from the seed and the rule in
``models.permissions``; the subscription path is in test_goals_subscriptions.py."""

from __future__ import annotations

from typing import Any

import pytest

from models.goals.rules import goal_progress
from tests.client import refused_codes
from tests.conftest import GLOBEX, NORTHWIND, RunningServer
from tests.goals.support import (
    CREATE_GOAL,
    GOAL,
    RECORD_PROGRESS,
    UPDATE_GOAL,
    employee,
    error,
    goals_of,
    new_goal_input,
    owner_of,
    persona,
    seeded_goals,
    snapshot,
    visible_to,
)

GOAL_IDS_PAGE = """
query($after: String) { goals(first: 100, after: $after) {
  totalCount pageInfo { hasNextPage endCursor } edges { node { id } }
} }
"""
EMPLOYEE_GOALS = "query($id: ID!) { employee(id: $id) { goals { id title } } }"
DEPARTMENT_GOALS = "{ departments { id goals { id } } }"
TREE = """
query($root: ID!) { goalTree(rootGoalId: $root) { ...Node children { ...Node children { ...Node children {
  ...Node children { ...Node children { ...Node children { ...Node } } } } } } } }
fragment Node on GoalTreeNode { id goalId redacted goal { title } }
"""
TEAM = """
{ myTeamGoals { employee { id } goalCount meanProgress atRiskCount offTrackCount goals { id } } }
"""
TEAM_IN_PERIOD = "query($start: Date) { myTeamGoals(period: {start: $start}) { goalCount } }"
TITLE = "mutation($id: ID!) { updateGoal(id: $id, input: {title: \"Renamed\"}) { goal { title } errors { code } } }"


def me() -> dict[str, Any]:
    return persona("employee")


def my(visibility: str) -> dict[str, Any]:
    return next(g for g in goals_of(me()["_id"]) if g["visibility"] == visibility)


def outsider(of: dict[str, Any]) -> dict[str, Any]:
    """An active level-2 leader outside ``of``'s chain, not an HR admin."""
    return next(e for e in NORTHWIND.employees if e.get("managerId") == of["managerChain"][0]
                and e["_id"] not in of["managerChain"] and e["status"] == "active" and "hr_admin" not in e["roles"])


def skip_level() -> dict[str, Any]:
    """The employee's manager's manager (not an HR admin)."""
    boss = employee(me()["managerChain"][-2])
    assert "hr_admin" not in boss["roles"]
    return boss


# editing

async def forbidden(server: RunningServer, who: str, query: str, variables: dict[str, Any]) -> None:
    before = await snapshot(server)
    body = await server.client(who).execute(query, variables)
    assert refused_codes(body) == ["FORBIDDEN"]  # the payload answers, with nothing but its error
    assert await snapshot(server) == before


async def renamed(server: RunningServer, who: str, goal_id: str) -> None:
    body = await server.client(who).data(TITLE, {"id": goal_id})
    assert body["updateGoal"] == {"goal": {"title": "Renamed"}, "errors": []}


async def test_the_owner_and_every_manager_above_edit_a_goal(server: RunningServer) -> None:
    goal = my("everyone")
    for who in (me()["_id"], me()["managerId"], skip_level()["_id"], "hr_admin"):
        await renamed(server, who, goal["_id"])


async def test_a_peer_or_another_branch_may_not_edit(server: RunningServer) -> None:
    goal = my("everyone")
    peer = next(e for e in NORTHWIND.employees if e.get("managerId") == me()["managerId"]
                and e["_id"] != me()["_id"] and e["status"] == "active")
    for who in (peer["_id"], outsider(me())["_id"]):
        await forbidden(server, who, TITLE, {"id": goal["_id"]})
        await forbidden(server, who, RECORD_PROGRESS, {"id": goal["keyResults"][0]["_id"], "value": 1})
    # nor create a goal for someone they do not manage
    await forbidden(server, peer["_id"], CREATE_GOAL, {"input": new_goal_input(ownerEmployeeId=me()["_id"])})


async def test_a_managers_view_stops_at_a_private_goal(server: RunningServer) -> None:
    # the manager cannot see the report's private goal, so it is unknown to them; HR admins edit it
    goal = my("private")
    before = await snapshot(server)
    body = await server.client(me()["managerId"]).data(TITLE, {"id": goal["_id"]})
    assert body["updateGoal"] == {"goal": None, "errors": [{"code": "NOT_FOUND"}]}
    assert await snapshot(server) == before
    await renamed(server, "hr_admin", goal["_id"])


async def test_company_goals_are_edited_by_hr_admins_only(server: RunningServer) -> None:
    company = next(g for g in seeded_goals() if g["level"] == "company")
    ceo = owner_of(company)
    assert ceo is not None and "hr_admin" not in ceo["roles"]
    # even the CEO who owns it, and a manager, are refused
    for who in (ceo["_id"], "manager"):
        await forbidden(server, who, TITLE, {"id": company["_id"]})
        await forbidden(server, who, CREATE_GOAL, {"input": new_goal_input(level="COMPANY")})
    await renamed(server, "hr_admin", company["_id"])
    body = await server.client("hr_admin").data(CREATE_GOAL, {"input": new_goal_input(level="COMPANY")})
    assert body["createGoal"]["errors"] == []


async def test_department_goals_belong_to_the_head_and_above(server: RunningServer) -> None:
    # given a department goal, its head, the head's manager and a member who is not the head
    def members(goal: dict[str, Any]) -> list[dict[str, Any]]:
        head = owner_of(goal)
        return [e for e in NORTHWIND.employees if e["departmentId"] == goal["ownerDepartmentId"] and head
                and e["_id"] != head["_id"] and e["status"] == "active" and "hr_admin" not in e["roles"]]

    goal = next(g for g in seeded_goals() if g["level"] == "department" and g["visibility"] == "everyone"
                and members(g) and owner_of(g)["managerChain"] and "hr_admin" not in owner_of(g)["roles"])
    head, member = owner_of(goal), members(goal)[0]
    await forbidden(server, member["_id"], TITLE, {"id": goal["_id"]})
    await forbidden(server, member["_id"], CREATE_GOAL, {
        "input": new_goal_input(level="DEPARTMENT", ownerDepartmentId=goal["ownerDepartmentId"])})
    for who in (head["_id"], head["managerId"]):
        await renamed(server, who, goal["_id"])


# visibility

VIEWERS = ["self", "manager", "skip_level", "peer_branch", "hr_admin"]
SEES = {  # visibility → who sees it
    "everyone": {"self", "manager", "skip_level", "peer_branch", "hr_admin"},
    "management_chain": {"self", "manager", "skip_level", "hr_admin"},
    "private": {"self", "hr_admin"},
}


def viewer_id(name: str) -> str:
    return {"self": me()["_id"], "manager": me()["managerId"], "skip_level": skip_level()["_id"],
            "peer_branch": outsider(me())["_id"], "hr_admin": NORTHWIND.personas["hr_admin"]}[name]


@pytest.mark.parametrize("visibility", list(SEES))
async def test_goal_by_id_and_nested_goals_follow_visibility(server: RunningServer, visibility: str) -> None:
    goal = my(visibility)
    for name in VIEWERS:
        client = server.client(viewer_id(name))
        # goal(id): the goal or null
        seen = (await client.data(GOAL, {"id": goal["_id"]}))["goal"]
        assert (seen is not None) == (name in SEES[visibility]), name
        # employee { goals }: listed or not
        listed = [g["id"] for g in (await client.data(EMPLOYEE_GOALS, {"id": me()["_id"]}))["employee"]["goals"]]
        assert (goal["_id"] in listed) == (name in SEES[visibility]), name


async def test_the_nested_list_is_exactly_the_visible_goals(server: RunningServer) -> None:
    for name in VIEWERS:
        listed = (await server.client(viewer_id(name)).data(EMPLOYEE_GOALS, {"id": me()["_id"]}))["employee"]["goals"]
        expected = sorted(visible_to(viewer_id(name), goals_of(me()["_id"])), key=lambda g: (g["dueDate"], g["_id"]))
        assert [g["id"] for g in listed] == [g["_id"] for g in expected]


async def paged_ids(server: RunningServer, who: str) -> tuple[list[str], int]:
    client, ids, after = server.client(who), [], None
    while True:
        page = (await client.data(GOAL_IDS_PAGE, {"after": after}))["goals"]
        ids += [e["node"]["id"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            return ids, page["totalCount"]
        after = page["pageInfo"]["endCursor"]


async def test_goal_lists_hold_exactly_what_the_viewer_may_see(server: RunningServer) -> None:
    # for viewers from the top to the bottom of the organisation, HR included
    heads = [d["headId"] for d in NORTHWIND.departments if d["headId"]]
    for who in [viewer_id(name) for name in VIEWERS] + heads[:3]:
        ids, total = await paged_ids(server, who)
        expected = sorted(visible_to(who, [g for g in seeded_goals() if not g["archived"]]),
                          key=lambda g: (g["dueDate"], g["_id"]))
        assert ids == [g["_id"] for g in expected]
        assert total == len(expected)


async def test_department_goals_nested_follow_the_heads_chain(server: RunningServer) -> None:
    for who in (me()["_id"], outsider(me())["_id"], "hr_admin"):
        viewer = NORTHWIND.personas.get(who, who)
        departments = (await server.client(who).data(DEPARTMENT_GOALS))["departments"]
        for department in departments:
            own = [g for g in seeded_goals() if g["ownerDepartmentId"] == department["id"] and not g["archived"]]
            expected = sorted(visible_to(viewer, own), key=lambda g: (g["dueDate"], g["_id"]))
            assert [g["id"] for g in department["goals"]] == [g["_id"] for g in expected]
    hidden = [g for g in seeded_goals() if g["level"] == "department" and g["visibility"] == "management_chain"]
    assert hidden, "the seed has department goals shown only to the head's chain"


def expected_tree(root: dict[str, Any], viewer: str, root_id: str, depth: int = 6) -> dict[str, Any]:
    """The tree below ``root`` as ``viewer`` sees it; each node's id is ``<root_id>/<goal id>``."""
    live = [g for g in seeded_goals() if not g["archived"]]
    shown = {g["_id"] for g in visible_to(viewer, live)}

    def visible_below(goal: dict[str, Any]) -> bool:
        return any(kid["_id"] in shown or visible_below(kid) for kid in live if kid["parentId"] == goal["_id"])

    def node(goal: dict[str, Any], level: int) -> dict[str, Any]:
        result: dict[str, Any] = {"id": f"{root_id}/{goal['_id']}", "goalId": goal["_id"],
                                  "redacted": goal["_id"] not in shown,
                                  "goal": {"title": goal["title"]} if goal["_id"] in shown else None}
        if level < depth:  # a hidden goal stays only where goals the viewer sees hang below it
            kids = sorted((g for g in live if g["parentId"] == goal["_id"] and (g["_id"] in shown or visible_below(g))),
                          key=lambda g: (g["title"], g["_id"]))
            result["children"] = [node(kid, level + 1) for kid in kids]
        return result

    return node(root, 0)


async def test_the_alignment_tree_redacts_what_the_viewer_may_not_see(server: RunningServer) -> None:
    # given the company goal with the deepest tree, read by a peer in another branch and by HR
    company = [g for g in seeded_goals() if g["level"] == "company"]
    for who in (outsider(me())["_id"], NORTHWIND.personas["hr_admin"], me()["_id"]):
        for root in company:
            tree = (await server.client(who).data(TREE, {"root": root["_id"]}))["goalTree"]
            assert tree == expected_tree(root, who, root["_id"])
    # and the peer's view does have redacted nodes (id only), the HR admin's none
    peer = outsider(me())["_id"]
    assert any(redacted(expected_tree(root, peer, root["_id"])) for root in company)
    assert not any(redacted(expected_tree(root, NORTHWIND.personas["hr_admin"], root["_id"])) for root in company)


def redacted(node: dict[str, Any]) -> int:
    return int(node["redacted"]) + sum(redacted(child) for child in node.get("children", []))


async def test_an_invisible_root_with_nothing_visible_below_is_null(server: RunningServer) -> None:
    # given the persona's private goal, with nothing aligned to it
    private = my("private")
    assert not [g for g in seeded_goals() if g["parentId"] == private["_id"]]
    # then to an outsider it is as unknown as an id that does not exist, and to its owner a tree
    tree = (await server.client(outsider(me())["_id"]).data(TREE, {"root": private["_id"]}))["goalTree"]
    assert tree is None
    own = (await server.client(me()["_id"]).data(TREE, {"root": private["_id"]}))["goalTree"]
    assert own == {"id": f"{private['_id']}/{private['_id']}", "goalId": private["_id"], "redacted": False,
                   "goal": {"title": private["title"]}, "children": []}


async def test_unknown_and_foreign_goals_are_null_everywhere(server: RunningServer) -> None:
    foreign = seeded_goals(GLOBEX)[0]
    client = server.client("hr_admin")
    assert (await client.data(GOAL, {"id": foreign["_id"]}))["goal"] is None
    assert (await client.data(TREE, {"root": foreign["_id"]}))["goalTree"] is None
    # and a Globex viewer sees none of Northwind's goals
    body = await server.client("hr_admin", GLOBEX).data(GOAL_IDS_PAGE, {"after": None})
    expected = {g["_id"] for g in seeded_goals(GLOBEX) if not g["archived"]}
    assert {e["node"]["id"] for e in body["goals"]["edges"]} == expected


async def test_my_team_goals_summarises_each_direct_report(server: RunningServer) -> None:
    manager = persona("manager")
    reports = sorted((e for e in NORTHWIND.employees if e.get("managerId") == manager["_id"]
                      and e["status"] != "terminated"), key=lambda e: (e["name"], e["_id"]))
    team = (await server.client("manager").data(TEAM))["myTeamGoals"]
    assert [m["employee"]["id"] for m in team] == [r["_id"] for r in reports]
    for member, report in zip(team, reports, strict=True):
        active = [g for g in goals_of(report["_id"]) if g["status"] != "cancelled"]
        goals = sorted(visible_to(manager["_id"], active), key=lambda g: (g["dueDate"], g["_id"]))
        assert [g["id"] for g in member["goals"]] == [g["_id"] for g in goals]
        assert member["goalCount"] == len(goals)
        assert member["atRiskCount"] == sum(g["status"] == "at_risk" for g in goals)
        assert member["offTrackCount"] == sum(g["status"] == "off_track" for g in goals)
        if goals:
            assert member["meanProgress"] == round(sum(map(goal_progress, goals)) / len(goals), 4)
        else:
            assert member["meanProgress"] is None
    assert any(m["goalCount"] for m in team)
    # a period keeps the goals overlapping it
    body = await server.client("manager").data(TEAM_IN_PERIOD, {"start": "2026-10-01"})
    for member, report in zip(body["myTeamGoals"], reports, strict=True):
        active = [g for g in goals_of(report["_id"]) if g["status"] != "cancelled" and g["dueDate"] >= "2026-10-01"]
        assert member["goalCount"] == len(visible_to(manager["_id"], active))
    # someone without reports gets an empty summary
    assert (await server.client("employee").data(TEAM))["myTeamGoals"] == []


async def test_a_manager_may_not_make_a_reports_goal_private(server: RunningServer) -> None:
    goal = my("everyone")
    before = await snapshot(server)
    body = await server.client("manager").data(UPDATE_GOAL, {"id": goal["_id"], "input": {"visibility": "PRIVATE"}})
    assert body["updateGoal"]["errors"] == [
        error("visibility", "FORBIDDEN", "only the owner or HR admins make a goal private")]
    assert await snapshot(server) == before
