"""Views of a goal (a node of an alignment tree, a goal on a review form) have ids of their own, never the goal's:
``<root goal id>/<goal id>`` and ``<form id>:<goal id>``, with the goal's id in ``goalId``. ``node(id:)`` answers
each exactly as its tree or form shows it to the viewer (redacted alike), and null where they do not show it."""

from __future__ import annotations

from collections import Counter
from typing import Any

from models.reviews.rules import goals_of_period
from tests.conftest import GLOBEX, NORTHWIND, RunningServer
from tests.core.test_nodes import LOCATING
from tests.goals.support import seeded_goals
from tests.reviews.support import RUNNING, seeded_form, seeded_review

FIELDS = "__typename id goalId redacted goal { id title }"
TREE = ("query($root: ID!) { goalTree(rootGoalId: $root) { ...F children { ...F children { ...F children { ...F "
        "children { ...F children { ...F children { ...F } } } } } } } } fragment F on GoalTreeNode { " + FIELDS + " }")
TREE_NODES = "query($ids: [ID!]!) { nodes(ids: $ids) { ... on GoalTreeNode { " + FIELDS + " } } }"
FORM_GOALS = "query($id: ID!) { reviewForm(id: $id) { goals { __typename id goalId title goal { id title } } } }"
FORM_GOAL_NODES = ("query($ids: [ID!]!) { nodes(ids: $ids) { ... on ReviewGoal { __typename id goalId title "
                   "goal { id title } } } }")
NODE_TYPE = "query($id: ID!) { node(id: $id) { __typename id } }"


def flattened(node: dict[str, Any] | None) -> list[dict[str, Any]]:
    """A tree's nodes, each without its children."""
    if node is None:
        return []
    return [{k: v for k, v in node.items() if k != "children"},
            *(n for child in node.get("children", []) for n in flattened(child))]


def outsider() -> str:
    """An active level-2 leader outside the employee persona's chain, not an HR admin (sees redacted nodes)."""
    me = next(e for e in NORTHWIND.employees if e["_id"] == NORTHWIND.personas["employee"])
    return next(e["_id"] for e in NORTHWIND.employees if e.get("managerId") == me["managerChain"][0]
                and e["_id"] not in me["managerChain"] and e["status"] == "active" and "hr_admin" not in e["roles"])


async def trees(server: RunningServer, who: str) -> dict[str, list[dict[str, Any]]]:
    """Each company goal's tree as ``who`` reads it, flattened."""
    client = server.client(who)
    return {g["_id"]: flattened((await client.data(TREE, {"root": g["_id"]}))["goalTree"])
            for g in seeded_goals() if g["level"] == "company"}


async def test_a_tree_node_is_found_as_its_tree_shows_it_to_each_viewer(server: RunningServer) -> None:
    # given every company goal's tree as an HR admin and as a leader who sees parts of it redacted
    peer, hr = outsider(), NORTHWIND.personas["hr_admin"]
    seen = {who: await trees(server, who) for who in (peer, hr)}
    for who, shown in seen.items():
        nodes = [n for tree in shown.values() for n in tree]
        # then each node's id is its root's id, a slash and its goal's id, and never a goal's own id
        assert all(n["id"] == f"{root}/{n['goalId']}" for root, tree in shown.items() for n in tree)
        # and node(id) answers each node exactly as its tree shows it (redacted alike), in batches of 100
        for start in range(0, len(nodes), 100):
            batch = nodes[start:start + 100]
            answered = (await server.client(who).data(TREE_NODES, {"ids": [n["id"] for n in batch]}))["nodes"]
            assert answered == batch
    # and the peer's trees have redacted nodes, found redacted by node(id) too (checked above)
    assert any(n["redacted"] for tree in seen[peer].values() for n in tree)
    # and nodes the HR admin's trees show but the peer's leave out are null for the peer, with no error
    left_out = [n["id"] for root, tree in seen[hr].items() for n in tree
                if n["id"] not in {m["id"] for m in seen[peer][root]}]
    assert left_out
    body = await server.client(peer).execute(TREE_NODES, {"ids": left_out[:100]})
    assert body["data"] == {"nodes": [None] * len(left_out[:100])} and "errors" not in body
    # and another organisation's HR admin finds none of them
    foreign = await server.client("hr_admin", GLOBEX).execute(TREE_NODES, {"ids": left_out[:100]})
    assert foreign["data"] == {"nodes": [None] * len(left_out[:100])} and "errors" not in foreign


async def test_a_tree_nodes_goal_id_is_the_goal(server: RunningServer) -> None:
    # given a company goal's tree root as the HR admin reads it
    root = next(g for g in seeded_goals() if g["level"] == "company")
    tree = (await server.client("hr_admin").data(TREE, {"root": root["_id"]}))["goalTree"]
    # when its id and its goalId are asked for by id alone
    client = server.client("hr_admin")
    found = [(await client.data(NODE_TYPE, {"id": i}))["node"] for i in (tree["id"], tree["goalId"])]
    # then the first is the tree node, the second the Goal
    assert found == [{"__typename": "GoalTreeNode", "id": f"{root['_id']}/{root['_id']}"},
                     {"__typename": "Goal", "id": root["_id"]}]
    assert tree["goal"]["id"] == tree["goalId"] == root["_id"]


async def test_a_review_goal_is_found_as_the_form_shows_it_to_each_viewer(server: RunningServer) -> None:
    # given the employee persona's self form in the running cycle, whose period goals include a private one
    me = NORTHWIND.personas["employee"]
    form = seeded_form(seeded_review(RUNNING, me), "self")
    goals = [g for g in seeded_goals() if g["ownerEmployeeId"] == me and not g["archived"]]
    period = goals_of_period(goals, RUNNING["periodStart"], RUNNING["periodEnd"])
    private = {g["_id"] for g in period if g["visibility"] == "private"}
    assert private and set(g["_id"] for g in period) - private
    manager = next(e for e in NORTHWIND.employees if e["_id"] == me)["managerId"]
    # when the persona (who sees every goal of theirs) and their manager (not the private one) read the form
    listed = {who: (await server.client(who).data(FORM_GOALS, {"id": form["_id"]}))["reviewForm"]["goals"]
              for who in (me, manager)}
    ids = [g["id"] for g in listed[me]]
    answered = {who: (await server.client(who).data(FORM_GOAL_NODES, {"ids": ids}))["nodes"] for who in listed}
    # then each review goal's id is the form's id, a colon and the goal's id, its goal that goal
    assert [(g["id"], g["goalId"], g["goal"]["id"]) for g in listed[me]] == [
        (f"{form['_id']}:{g['_id']}", g["_id"], g["_id"]) for g in period]
    # and node(id) answers each as the viewer's form shows it, null for the goal hidden from the manager
    assert answered[me] == listed[me]
    assert answered[manager] == [None if g["goalId"] in private else g for g in listed[me]]
    assert [g for g in answered[manager] if g] == listed[manager]
    # and another organisation's HR admin finds none, with no error
    foreign = await server.client("hr_admin", GLOBEX).execute(FORM_GOAL_NODES, {"ids": ids})
    assert foreign["data"] == {"nodes": [None] * len(ids)} and "errors" not in foreign


async def test_every_node_of_a_tree_costs_one_reading_of_the_tree(server: RunningServer) -> None:
    # given the deepest company goal's tree as the HR admin reads it, and what reading it costs
    client = server.client("hr_admin")
    roots = [g["_id"] for g in seeded_goals() if g["level"] == "company"]
    shown = {root: flattened((await client.data(TREE, {"root": root}))["goalTree"]) for root in roots}
    root = max(roots, key=lambda r: len(shown[r]))
    server.database.stats.reset()
    await client.data(TREE, {"root": root})
    tree_calls = dict(server.database.stats.by_collection)
    # when every node of it is asked for by id at once
    server.database.stats.reset()
    ids = [n["id"] for n in shown[root]][:100]
    answered = (await client.data(TREE_NODES, {"ids": ids}))["nodes"]
    node_calls = dict(server.database.stats.by_collection)
    # then each is found, and the tree was read once, beside the finds locating the ids' types
    assert [n["id"] for n in answered] == ids and len(ids) > 10
    assert node_calls == Counter(tree_calls) + LOCATING
