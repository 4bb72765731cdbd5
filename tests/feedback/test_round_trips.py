"""Store round trips of the feedback domain's nested queries: they follow the depth of the query, never
the number of items (counted at the store boundary, ``server.database.stats``)."""

from __future__ import annotations

from tests.conftest import NORTHWIND, RunningServer
from tests.feedback.support import SEED, person

CEO = next(e for e in NORTHWIND.employees if e["managerId"] is None)["_id"]
PEOPLE_WITH_FEEDBACK = """
query($first: Int!) { employees(first: $first) { edges { node {
  name
  openFollowUps { text owner { name title } feedback { text author { name } } }
  praiseReceived(first: 3) { message author { name } recipients { name } reactions { kind count } }
} } } }"""
RECEIVED = """
query($first: Int!) { feedbackReceived(first: $first) { totalCount edges { node {
  text author { name title } recipient { name }
  request { question requester { name } }
  followUps { text owner { name } }
} } } }"""
WALL = """
query($first: Int!) {
  praiseWall(first: $first) { edges { node { message author { name title } recipients { name } } } }
}"""
SIGN_IN = 1
# Upper bounds per collection, one batch per level of the query (the loaders may split a level in two when
# some of its documents were cached by a sibling field a tick earlier, which depends on timing):
# sign-in; the page (count + find); open follow-ups of every person and praise of every person in one batch
# each; the follow-ups' feedback; their recipients (visibility) and authors; owners, praise authors and
# recipients; the owners' titles.
# On a real server the follow-ups and the praise of a page come back in either order, a tick apart or not:
# each of the two levels of people they lead to (and the owners' titles) may then be read in one batch or in
# two, whatever the page size (seen: people 5–7, titles 1–3 for 10 and for 60 people).
PEOPLE_BOUND = {"employees": SIGN_IN + 2 + 4, "followUps": 1, "praise": 1, "feedback": 1, "positions": 3}
# Sign-in; count and page; authors (recipients are the viewer, cached since sign-in); the authors' titles;
# the requests; their requesters; the follow-ups (owners and concerned people: the viewer again).
RECEIVED_BOUND = {"employees": SIGN_IN + 2, "feedback": 2, "positions": 1, "feedbackRequests": 1, "followUps": 1}
# Sign-in; count and page; every author and recipient in one batch; the authors' titles.
WALL_BOUND = {"employees": SIGN_IN + 1, "praise": 2, "positions": 1}


async def calls(server: RunningServer, who: str, query: str, first: int) -> dict[str, int]:
    server.database.stats.reset()
    await server.client(who).data(query, {"first": first})
    return dict(server.database.stats.by_collection)


def within(measured: dict[str, int], bound: dict[str, int]) -> bool:
    return set(measured) == set(bound) and all(measured[name] <= bound[name] for name in bound)


async def test_people_with_follow_ups_and_praise_cost_the_same_for_any_page(server: RunningServer) -> None:
    # given the CEO, who manages everyone (so every openFollowUps is visible)
    body = await server.client(CEO).data(PEOPLE_WITH_FEEDBACK, {"first": 60})
    assert sum(len(e["node"]["openFollowUps"]) for e in body["employees"]["edges"]) > 0
    # when 10 or 60 people are read with their follow-ups and praise, then both stay within the same bound of
    # one batch per level (on a real server sibling loaders finish in either order, so a level may be split
    # in two for either page size: see PEOPLE_BOUND)
    small, large = [await calls(server, CEO, PEOPLE_WITH_FEEDBACK, first) for first in (10, 60)]
    assert within(small, PEOPLE_BOUND), small
    assert within(large, PEOPLE_BOUND), large


async def test_received_feedback_costs_the_same_for_any_page(server: RunningServer) -> None:
    mine = [f for f in SEED["feedback"] if f["recipientId"] == person("employee")["_id"]
            and f["visibility"] != "manager_only"]
    assert len(mine) >= 9
    small, large = [await calls(server, "employee", RECEIVED, first) for first in (2, 9)]
    assert small == large
    assert within(large, RECEIVED_BOUND), large


async def test_the_praise_wall_costs_the_same_for_any_page(server: RunningServer) -> None:
    small, large = [await calls(server, "employee", WALL, first) for first in (5, 100)]
    assert small == large
    assert within(large, WALL_BOUND), large
