"""Every connection of the schema pages both ways, with Relay's semantics: ``first``/``after`` forward,
``last``/``before`` backward, both sizes together (the ``last`` of the ``first``), ``hasNextPage`` and
``hasPreviousPage`` as the specification defines them, and a ``last`` outside the page-size rule refused
as a ``first`` is."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest
from graphql import GraphQLObjectType, get_named_type

from models.core.pagination import MAX_PAGE
from models.demo.compensation import demo_compensation
from models.demo.reviews import demo_review_documents
from schema.schema import build_schema
from tests.client import GraphQLClient
from tests.compensation.support import comp_admin
from tests.conftest import NORTHWIND, RunningServer
from tests.exits.support import active_individual_contributors, terminate
from tests.notifications.support import create_person

SCHEMA = build_schema()._schema
SELECTION = "totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { id } }"
TOP = next(e["_id"] for e in NORTHWIND.employees if e.get("managerId") is None)
MERIT_CYCLE = demo_compensation(NORTHWIND)["meritCycles"][-1]["_id"]
REVIEW_CYCLE = demo_review_documents(NORTHWIND)["reviewCycles"][-1]["_id"]


@dataclass(frozen=True)
class Reach:
    """How a viewer reaches one connection field: ``query`` with ``ARGS`` where the page's arguments go
    (``who``: a persona; ``compensation``: a compensation admin, the only ones to see every proposal)."""

    who: str
    query: str
    path: tuple[str, ...]
    prepare: Callable[[RunningServer], Awaitable[None]] | None = None  # makes the items the seed lacks

    async def client(self, server: RunningServer) -> GraphQLClient:
        return await comp_admin(server) if self.who == "compensation" else server.client(self.who)


async def six_people(server: RunningServer) -> None:
    """Six people created: six entries in the audit trail."""
    for n in range(6):
        await create_person(server, n)


async def six_leavers(server: RunningServer) -> None:
    """Six people terminated: six exit records."""
    for leaver in active_individual_contributors()[:6]:
        await terminate(server, leaver["_id"])


# Every connection field of the schema: the generic test fails for one left out.
REACH = {
    "Query.employees": Reach("hr_admin", "{ employees(ARGS) { SELECTION } }", ("employees",)),
    "Query.goals": Reach("hr_admin", "{ goals(ARGS) { SELECTION } }", ("goals",)),
    "Query.praiseWall": Reach("employee", "{ praiseWall(ARGS) { SELECTION } }", ("praiseWall",)),
    "Query.feedbackReceived": Reach("employee", "{ feedbackReceived(ARGS) { SELECTION } }", ("feedbackReceived",)),
    "Query.feedbackGiven": Reach("employee", "{ feedbackGiven(ARGS) { SELECTION } }", ("feedbackGiven",)),
    "Query.feedbackAbout": Reach("manager", f'{{ feedbackAbout(employeeId: "{NORTHWIND.personas["employee"]}", '
                                             'ARGS) { SELECTION } }', ("feedbackAbout",)),
    "Query.exitRecords": Reach("hr_admin", "{ exitRecords(ARGS) { SELECTION } }", ("exitRecords",), six_leavers),
    "Query.webhookDeliveries": Reach("hr_admin", "{ webhookDeliveries(ARGS) { SELECTION } }", ("webhookDeliveries",)),
    "Query.auditLog": Reach("hr_admin", "{ auditLog(ARGS) { SELECTION } }", ("auditLog",), six_people),
    "Query.notifications": Reach("employee", "{ notifications(ARGS) { SELECTION } }", ("notifications",)),
    "Query.meritProposals": Reach("compensation", f'{{ meritProposals(cycleId: "{MERIT_CYCLE}", managerId: "{TOP}", '
                                              'ARGS) { SELECTION } }', ("meritProposals",)),
    "ReviewCycle.reviews": Reach("hr_admin",
                                 f'{{ reviewCycle(id: "{REVIEW_CYCLE}") {{ reviews(ARGS) {{ SELECTION }} }} }}',
                                 ("reviewCycle", "reviews")),
}


# Connections the tests' organisations hold fewer than five items of (checked for their tail only): their
# items come from the delivery worker and the reminders.
SHORT = {"Query.notifications", "Query.webhookDeliveries"}


def connection_fields() -> set[str]:
    """Every field of every object type returning a type with ``edges`` and ``pageInfo``."""
    found = set()
    for name, kind in SCHEMA.type_map.items():
        if not isinstance(kind, GraphQLObjectType) or name.startswith("__"):
            continue
        for field_name, field in kind.fields.items():
            returned = get_named_type(field.type)
            if isinstance(returned, GraphQLObjectType) and {"edges", "pageInfo"} <= set(returned.fields):
                found.add(f"{name}.{field_name}")
    return found


def arguments(**values: Any) -> str:
    return ", ".join(f"{k}: {v if isinstance(v, int) else repr(v).replace(chr(39), chr(34))}"
                     for k, v in values.items())


async def page(client: GraphQLClient, reach: Reach, **values: Any) -> dict[str, Any]:
    query = reach.query.replace("ARGS", arguments(**values)).replace("SELECTION", SELECTION)
    data = await client.data(query)
    for step in reach.path:
        data = data[step]
    return data


def ids(connection: dict[str, Any]) -> list[str]:
    return [edge["node"]["id"] for edge in connection["edges"]]


def flags(connection: dict[str, Any]) -> tuple[bool, bool]:
    return connection["pageInfo"]["hasPreviousPage"], connection["pageInfo"]["hasNextPage"]


def test_every_connection_field_is_walked() -> None:
    # then the table below names every connection of the built schema, and only those
    assert connection_fields() == set(REACH)


@pytest.mark.parametrize("field", sorted(REACH))
async def test_a_connection_pages_forward_and_backward(server: RunningServer, field: str) -> None:
    # given a connection's head (its first five items) and its whole length
    reach = REACH[field]
    if reach.prepare is not None:
        await reach.prepare(server)
    client = await reach.client(server)
    head = await page(client, reach, first=5)
    total, items = head["totalCount"], ids(head)
    cursors = [edge["cursor"] for edge in head["edges"]]
    assert len(items) == min(total, 5)
    # when its last two are asked for, without a cursor
    tail = await page(client, reach, last=2)
    # then they are the list's last two (the end of the head when the list is that short), nothing after them
    assert flags(tail) == (total > 2, False) and len(ids(tail)) == min(total, 2) and tail["totalCount"] == total
    if total <= 5:
        assert ids(tail) == items[-2:]
    else:
        after_tail = await page(client, reach, first=1, after=tail["pageInfo"]["endCursor"])
        assert ids(after_tail) == [] and flags(after_tail) == (True, False)
    if total < 5:
        assert field in SHORT, f"{field} holds {total} items: make some in its prepare step"
        return
    # when the head is walked forward and then backward two at a time
    forward = await page(client, reach, first=2, after=cursors[1])
    backward = await page(client, reach, last=2, before=cursors[4])
    start = await page(client, reach, last=2, before=cursors[2])
    both = await page(client, reach, first=4, last=2)
    # then each page holds the same items in the same order, with Relay's flags
    assert (ids(forward), flags(forward)) == (items[2:4], (True, total > 4))
    assert (ids(backward), flags(backward)) == (items[2:4], (True, True))
    assert (ids(start), flags(start)) == (items[0:2], (False, True))
    assert (ids(both), flags(both)) == (items[2:4], (True, True))
    assert backward["pageInfo"]["startCursor"] == cursors[2] and backward["pageInfo"]["endCursor"] == cursors[3]


@pytest.mark.parametrize("size", [MAX_PAGE + 1, -1])
async def test_a_last_outside_the_page_size_rule_is_refused_like_a_first(server: RunningServer, size: int) -> None:
    # when a connection is asked for its last items beyond the rule, as a literal and as a variable
    client = server.client("hr_admin")
    literal = await client.execute(f"{{ employees(last: {size}) {{ totalCount }} }}")
    variable = await client.execute("query($n: Int) { employees(last: $n) { totalCount } }", {"n": size})
    # then both are refused before anything runs, with the rule's message
    for body in (literal, variable):
        assert "data" not in body or body["data"] is None
        assert [(e["extensions"]["code"], e["message"]) for e in body["errors"]] == [
            ("LIMIT_EXCEEDED", f"last must be between 0 and {MAX_PAGE}, not {size}")]


async def test_last_is_costed_as_first_is(server: RunningServer) -> None:
    # when the same page is asked for by first and by last
    client = server.client("hr_admin")
    by_first = await client.execute("{ employees(first: 7) { edges { node { id } } } }")
    by_last = await client.execute("query($n: Int) { employees(last: $n) { edges { node { id } } } }", {"n": 7})
    # then both cost the same: the connection, its seven edges and their seven nodes
    assert by_first["extensions"]["cost"]["requested"] == by_last["extensions"]["cost"]["requested"] == 15


async def test_a_window_without_a_size_is_refused(server: RunningServer) -> None:
    # when a connection is asked for with first set to null and no last
    body = await server.client("hr_admin").execute("{ employees(first: null) { totalCount } }")
    # then it is refused as the client's mistake (employees is non-null: the data with it)
    assert [(e["extensions"]["code"], e["message"]) for e in body["errors"]] == [
        ("BAD_USER_INPUT", "give first or last")]
    assert body["data"] is None
