"""Store round trips of goal queries: they grow with the nesting depth of the query (and of the alignment
tree it walks), never with the number of people or goals."""

from __future__ import annotations

from typing import Any

from models.demo.org import DemoOrganization
from tests.conftest import GLOBEX, NORTHWIND, RunningServer
from tests.goals.support import seeded_goals

EMPLOYEES_WITH_GOALS = """
query($first: Int!) {
  employees(first: $first) { edges { node { name goals { title status keyResults { title progress } } } } }
}
"""
NESTED_GOALS = """
query($id: ID!) {
  employee(id: $id) {
    goals { title keyResults { title } }
    reports { goals { title } reports { goals { title } } }
  }
}
"""
TREE = """
query($root: ID!) { goalTree(rootGoalId: $root) { ...Node children { ...Node children { ...Node children {
  ...Node children { ...Node children { ...Node children { ...Node } } } } } } } }
fragment Node on GoalTreeNode { id redacted goal { title progress keyResults { progress } } }
"""
# The token check reads the viewer's document once per request.
SIGN_IN = 1
# Sign-in, count, page; then every listed person's goals in one query, whatever the page size.
EMPLOYEES_WITH_GOALS_CALLS = {"employees": SIGN_IN + 2, "goals": 1}
# Sign-in and the root (unless the root is the viewer, read at sign-in); per level of `reports` one batch of
# people; per level of `goals` one batch of goals.
NESTED_CALLS = {"manager": {"employees": SIGN_IN + 2, "goals": 3},
                "hr_admin": {"employees": SIGN_IN + 1 + 2, "goals": 3}}


def live(org: DemoOrganization) -> list[dict[str, Any]]:
    return [g for g in seeded_goals(org) if not g["archived"]]


def levels_below(root: dict[str, Any], org: DemoOrganization) -> int:
    kids = [g for g in live(org) if g["parentId"] == root["_id"]]
    return 1 + max((levels_below(kid, org) for kid in kids), default=0) if kids else 0


async def test_goals_of_a_page_of_people_cost_one_call(server: RunningServer) -> None:
    for org in (NORTHWIND, GLOBEX):
        for first in (5, 40, 100):
            # given a viewer / when they list people with their goals and key results
            client = server.client("employee", org)
            server.database.stats.reset()
            data = await client.data(EMPLOYEES_WITH_GOALS, {"first": first})
            # then goals came back for the page ...
            people = [e["node"] for e in data["employees"]["edges"]]
            assert len(people) == min(first, sum(e["status"] != "terminated" for e in org.employees))
            # ... in one goals call on top of the page itself
            assert dict(server.database.stats.by_collection) == EMPLOYEES_WITH_GOALS_CALLS, (org, first)
    total = sum(len(e["node"]["goals"]) for e in data["employees"]["edges"])
    assert total > 0


async def test_nested_goals_cost_one_call_per_level(server: RunningServer) -> None:
    # given the manager persona's three levels (the manager, their reports, the reports' reports)
    for who in ("manager", "hr_admin"):
        client = server.client(who)
        server.database.stats.reset()
        data = await client.data(NESTED_GOALS, {"id": NORTHWIND.personas["manager"]})
        # then each level's goals were read in one batch
        assert dict(server.database.stats.by_collection) == NESTED_CALLS[who]
    reports = data["employee"]["reports"]
    assert sum(len(r["goals"]) for r in reports) + sum(len(x["goals"]) for r in reports for x in r["reports"]) > 0


async def test_the_alignment_tree_costs_one_call_per_level(server: RunningServer) -> None:
    for org in (NORTHWIND, GLOBEX):
        for root in [g for g in live(org) if g["level"] == "company"]:
            for who in ("employee", "hr_admin"):
                # when someone reads a company goal's whole tree with every node's (rolled-up) progress
                client = server.client(who, org)
                server.database.stats.reset()
                await client.data(TREE, {"root": root["_id"]})
                # then: sign-in and the owners of all nodes (one batch of people, one of departments);
                # the root, then one query per level of the tree, the last finding nothing below;
                # the roll-ups reuse what the walk read
                depth = levels_below(root, org)
                assert dict(server.database.stats.by_collection) == {
                    "employees": SIGN_IN + 1, "departments": 1, "goals": 1 + depth + 1}, (org, root["title"], who)
