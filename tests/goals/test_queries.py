"""Goal queries: the goals connection's filters and cursors, archived goals, and history from lists."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import NORTHWIND, RunningServer
from tests.goals.support import ARCHIVE_GOAL, codes, goals_of, persona, seeded_goals

GOALS = """
query($filter: GoalFilter, $first: Int!, $after: String) {
  goals(filter: $filter, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { id } }
  }
}
"""
GOALS_WITH_HISTORY = """
query($owner: ID!) { goals(filter: {ownerId: $owner}) { edges { node { id progressHistory { id } } } } }
"""
TREE_IDS = "query($root: ID!) { goalTree(rootGoalId: $root) { goalId children { goalId children { goalId } } } }"


def ordered(goals: list[dict[str, Any]]) -> list[str]:
    return [g["_id"] for g in sorted(goals, key=lambda g: (g["dueDate"], g["_id"]))]


def live() -> list[dict[str, Any]]:
    return [g for g in seeded_goals() if not g["archived"]]


def members_of(department_id: str) -> set[str]:
    return {e["_id"] for e in NORTHWIND.employees if e["departmentId"] == department_id}


ENGINEERING_TEAM = next(d["_id"] for d in NORTHWIND.departments if d["name"] == "Product Engineering")
FILTERS: list[tuple[str, dict[str, Any], Any]] = [
    ("owner", {"ownerId": persona("manager")["_id"]},
     lambda g: g["ownerEmployeeId"] == persona("manager")["_id"]),
    ("department: its own goals and its people's", {"departmentId": ENGINEERING_TEAM},
     lambda g: g["ownerDepartmentId"] == ENGINEERING_TEAM or g["ownerEmployeeId"] in members_of(ENGINEERING_TEAM)),
    ("level", {"level": "DEPARTMENT"}, lambda g: g["level"] == "department"),
    ("statuses", {"status": ["AT_RISK", "OFF_TRACK"]}, lambda g: g["status"] in ("at_risk", "off_track")),
    ("period overlapping the third quarter only", {"period": {"start": "2026-07-01", "end": "2026-09-30"}},
     lambda g: g["dueDate"] >= "2026-07-01" and g["startDate"] <= "2026-09-30"),
    ("period from December", {"period": {"start": "2026-12-01"}}, lambda g: g["dueDate"] >= "2026-12-01"),
    ("combined", {"level": "INDIVIDUAL", "status": ["DONE"], "period": {"end": "2026-09-30"}},
     lambda g: g["level"] == "individual" and g["status"] == "done" and g["startDate"] <= "2026-09-30"),
]


@pytest.mark.parametrize(("filter", "matches"), [(f, m) for _, f, m in FILTERS], ids=[n for n, _, _ in FILTERS])
async def test_filters(server: RunningServer, filter: dict[str, Any], matches: Any) -> None:
    # when an HR admin (who sees every goal) filters the goals
    page = (await server.client("hr_admin").data(GOALS, {"filter": filter, "first": 100}))["goals"]
    # then exactly the matching, not archived goals come back by due date
    expected = ordered([g for g in live() if matches(g)])
    assert expected, "the seed has goals for this filter"
    assert [e["node"]["id"] for e in page["edges"]] == expected[:100]
    assert page["totalCount"] == len(expected)


async def test_cursors_walk_every_page_once(server: RunningServer) -> None:
    client = server.client("hr_admin")
    seen, after, pages = [], None, 0
    while True:
        page = (await client.data(GOALS, {"first": 30, "after": after}))["goals"]
        pages += 1
        assert page["pageInfo"]["hasPreviousPage"] == (after is not None)
        seen += [e["node"]["id"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == ordered(live())
    assert pages == -(-len(live()) // 30)


async def test_archived_goals_leave_lists_and_trees_unless_asked_for(server: RunningServer) -> None:
    archived = [g for g in seeded_goals() if g["archived"]]
    assert archived
    client = server.client("hr_admin")
    everything = (await client.data(GOALS, {"filter": {"includeArchived": True}, "first": 100}))["goals"]
    assert everything["totalCount"] == len(seeded_goals())
    # archiving a goal with an aligned child: the tree above skips the goal and keeps the child one level up
    goal = next(g for g in live() if g["level"] == "department" and any(c["parentId"] == g["_id"] for c in live()))
    children = {c["_id"] for c in live() if c["parentId"] == goal["_id"]}
    await client.data(ARCHIVE_GOAL, {"id": goal["_id"]})
    tree = (await client.data(TREE_IDS, {"root": goal["parentId"]}))["goalTree"]
    below = {c["goalId"] for c in tree["children"]}
    assert goal["_id"] not in below and children <= below


async def test_history_is_read_for_goals_that_come_from_a_list(server: RunningServer) -> None:
    me = persona("employee")
    body = await server.client("employee").data(GOALS_WITH_HISTORY, {"owner": me["_id"]})
    got = {e["node"]["id"]: [h["id"] for h in e["node"]["progressHistory"]] for e in body["goals"]["edges"]}
    assert got == {g["_id"]: [h["_id"] for h in g["progressHistory"]] for g in goals_of(me["_id"])}


async def test_bad_page_arguments_are_refused(server: RunningServer) -> None:
    client = server.client("employee")
    assert codes(await client.execute(GOALS, {"first": 101})) == ["LIMIT_EXCEEDED"]
    assert codes(await client.execute(GOALS, {"first": 10, "after": "not-a-cursor"})) == ["BAD_USER_INPUT"]
    assert codes(await client.execute(GOALS, {"first": 10, "after": "WyJhIl0="})) == ["BAD_USER_INPUT"]


async def test_goal_queries_need_a_token(server: RunningServer) -> None:
    assert codes(await server.client().execute(GOALS, {"first": 1})) == ["UNAUTHENTICATED"]
