"""Static query cost and rate limits: every list has a bound, nested lists multiply, an operation over the
budget is refused before anything runs (nothing written), however its page sizes arrive; accepted
operations report their cost; each caller spends points per window, in process or shared in Redis;
subscriptions are costed per event against what their subscriber already has open."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from graphql import parse

from realtime.ratelimit import MemoryRateLimiter, RedisRateLimiter
from schema.core.cost import MAX_COST, operation_cost
from schema.schema import build_schema
from tests import conftest
from tests.client import GraphQLClient, shared_client, websocket
from tests.conftest import RunningServer, running_server, start_server, stop_server
from tests.goals.support import new_goal_input

# Each cost below is counted by hand: an object counts one per instance, a connection's edges take its
# ``first``, a plain list its declared maximum (Employee.reports: 15, Query.departments and
# Department.employees: 200, Praise.recipients: the default 20).
PAGE = "{ employees(first: 10) { totalCount edges { node { id manager { id } } } } }"
PAGE_COST = 1 + 10 * (1 + 1 + 1)  # the connection; per edge: the edge, its node, the node's manager
FRAGMENTS = """
{ employees(first: 5) { edges { node { ...Person } } } }
fragment Person on Employee { manager { ...Place } reports { id } again: manager { ...Place } }
fragment Place on Employee { department { id } }
"""
FRAGMENTS_COST = 1 + 5 * (1 + 1 + (2 + 15 + 2))  # per edge: edge, node, manager+department twice, 15 reports
FAN_OUT = "{ departments { employees { department { employees { department { employees { id } } } } } } }"
FAN_OUT_COST = 200 * (1 + 200 * (1 + 1 + 200 * (1 + 1 + 200)))


def schema_cost(query: str, variables: dict[str, Any] | None = None) -> int:
    return operation_cost(build_schema()._schema, parse(query), None, variables).requested


def test_costs_follow_the_bounds_and_multiply_when_nested() -> None:
    assert schema_cost(PAGE) == PAGE_COST == 31
    assert schema_cost(FRAGMENTS) == FRAGMENTS_COST == 106
    assert schema_cost(FAN_OUT) == FAN_OUT_COST


def test_a_fragment_spread_many_times_is_costed_once_and_multiplied() -> None:
    # a fragment spread ten times at each of four levels: 10^4 spreads of the innermost, costed in one walk
    levels = ["fragment F0 on Employee { manager { id } }"]
    for level in range(1, 5):
        levels.append(f"fragment F{level} on Employee {{ " + " ".join([f"...F{level - 1}"] * 10) + " }")
    query = "{ me { ...F4 } }\n" + "\n".join(levels)
    assert schema_cost(query) == 1 + 10 ** 4


async def test_an_accepted_query_reports_its_cost(server: RunningServer) -> None:
    body = await server.client("employee").execute(PAGE)
    assert "errors" not in body
    edges = body["data"]["employees"]["edges"]
    actual = 1 + 2 * len(edges) + sum(1 for e in edges if e["node"]["manager"])
    assert body["extensions"]["cost"] == {"requested": PAGE_COST, "actual": actual, "budget": MAX_COST,
                                          "remaining": server.settings.rate_limit_points - actual}


async def test_a_query_over_the_budget_is_refused_with_its_cost(server: RunningServer) -> None:
    body = await server.client("employee").execute(FAN_OUT)
    assert body == {"data": None, "errors": [{
        "message": f"the operation may return up to {FAN_OUT_COST} objects; at most {MAX_COST} are allowed: "
                   "ask for smaller pages (first) or fewer nested lists",
        "extensions": {"code": "LIMIT_EXCEEDED", "cost": {"requested": FAN_OUT_COST, "budget": MAX_COST}}}]}


OVER = "first must be between 0 and 100, not 1000"


@pytest.mark.parametrize(("query", "variables"), [
    ("{ employees(first: 1000) { totalCount } }", None),
    ("query($n: Int!) { employees(first: $n) { totalCount } }", {"n": 1000}),
    ("query($n: Int!) { employees(first: $n) { totalCount } }", {"n": 1000.0}),
    ("query($n: Int = 1000) { employees(first: $n) { totalCount } }", None),
    ("query($n: Int = 1000) { me { praiseReceived(first: $n) { id } } }", {}),
])
async def test_a_page_size_over_the_rule_is_refused_however_it_arrives(server: RunningServer, query: str,
                                                                     variables: dict[str, Any] | None) -> None:
    body = await server.client("employee").execute(query, variables)
    assert body["data"] is None
    assert [(e["message"], e["extensions"]["code"]) for e in body["errors"]] == [(OVER, "LIMIT_EXCEEDED")]


async def test_an_integral_float_page_size_is_taken_as_its_integer(server: RunningServer) -> None:
    data = await server.client("employee").data("query($n: Int!) { employees(first: $n) { edges { node { id } } } }",
                                                 {"n": 3.0})
    assert len(data["employees"]["edges"]) == 3


DEEP_CREATE = """
mutation($input: CreateGoalInput!, $n: Int = 1000) { createGoal(input: $input) {
  goal { ownerEmployee { praiseReceived(first: $n) { id } } } errors { field code message } } }"""
COSTLY_CREATE = """
mutation($input: CreateGoalInput!) { createGoal(input: $input) {
  goal { ownerEmployee { department { employees { reports { reports { reports { id } } } } } } } errors { code } } }"""


@pytest.mark.parametrize("mutation", [DEEP_CREATE, COSTLY_CREATE])
async def test_a_mutation_refused_by_a_limit_writes_nothing(server: RunningServer, mutation: str) -> None:
    # given the goals as seeded
    before = await server.snapshot(("goals",))
    # when a mutation whose selection breaks a limit is sent
    body = await server.client("employee").execute(mutation, {"input": new_goal_input()})
    # then it is refused before it runs, and no goal was written
    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["LIMIT_EXCEEDED"]
    assert await server.snapshot(("goals",)) == before


# --- rate limits ---------------------------------------------------------------------------------------

ME = "{ me { id manager { id } } }"  # two objects asked for, two in the answer


async def test_each_person_spends_their_own_points_until_refused_with_a_retry_after() -> None:
    settings = conftest.settings_for_tests(rate_limit_points=10, rate_limit_window=3600)
    uvicorn_server, server = await start_server(settings)
    try:
        employee, manager = server.client("employee"), server.client("manager")
        # given three queries of two objects each spent by one person (6 of 10 points)
        for remaining in (8, 6, 4):
            body = await employee.execute(ME)
            assert body["extensions"]["cost"] == {"requested": 2, "actual": 2, "budget": MAX_COST,
                                                  "remaining": remaining}
        # when they send a query that may cost more than is left (31 > 4)
        response = await employee.post(PAGE)
        # then it is refused: 429, a Retry-After within the window, RATE_LIMITED with retryAfter
        assert response.status_code == 429
        retry_after = int(response.headers["retry-after"])
        assert 0 < retry_after <= 3600
        assert response.json()["data"] is None
        assert response.json()["errors"] == [{
            "message": f"rate limit reached: this operation may cost {PAGE_COST} points and 3 of your 10 per "
                       f"window are left; try again in {retry_after} s",
            "extensions": {"code": "RATE_LIMITED", "retryAfter": retry_after}}]
        # while a cheaper one still fits (the refusal cost one point: 3 left, then 1)
        assert (await employee.execute(ME))["extensions"]["cost"]["remaining"] == 1
        # and someone else, and a caller without a token (counted by address), have their own points
        assert "errors" not in await manager.execute(ME)
        anonymous = await GraphQLClient(server.url).execute("{ me { id } }")
        assert [e["extensions"]["code"] for e in anonymous["errors"]] == ["UNAUTHENTICATED"]
        # and a mutation refused by the rate limit writes nothing
        before = await server.snapshot(("goals",))
        create = await employee.post(COSTLY_CREATE.replace("reports { reports { reports { id } } }", "id"),
                                     {"input": new_goal_input()})
        assert (create.status_code, create.json()["errors"][0]["extensions"]["code"]) == (429, "RATE_LIMITED")
        assert await server.snapshot(("goals",)) == before
    finally:
        await stop_server(uvicorn_server, server)


async def test_the_actual_answer_is_what_is_spent(server: RunningServer) -> None:
    # given a query that may return 31 objects (ten people and their managers) but asks for a page of one
    body = await server.client("employee").execute(
        "{ employees(first: 1) { totalCount edges { node { id manager { id } } } } }")
    edges = body["data"]["employees"]["edges"]
    actual = 1 + len(edges) + len(edges) + sum(1 for e in edges if e["node"]["manager"])
    # then what it asked for was costed, and what came back spent
    assert body["extensions"]["cost"] == {"requested": 4, "actual": actual, "budget": MAX_COST,
                                          "remaining": server.settings.rate_limit_points - actual}


async def test_the_points_come_back_with_the_next_window() -> None:
    now = [1000.0]
    limiter = MemoryRateLimiter(points=50, window=60, clock=lambda: now[0])
    assert (await limiter.spend("person:a", 40)).remaining == 10
    refused = await limiter.spend("person:a", 20)
    assert (refused.allowed, refused.remaining, refused.reset_seconds) == (False, 0, 20)  # 1000 s: 20 s to 1020
    now[0] = 1020.0
    assert (await limiter.spend("person:a", 20)).remaining == 30


async def test_redis_counts_one_callers_points_across_processes() -> None:
    # given two limiters as two server processes would build them, on the same Redis and prefix
    prefix = f"perfgraph:test:{uuid.uuid4().hex}"
    first = RedisRateLimiter("redis://127.0.0.1:6379/0", 100, 60, prefix=prefix)
    second = RedisRateLimiter("redis://127.0.0.1:6379/0", 100, 60, prefix=prefix)
    try:
        # when one person spends 60 points through each
        assert (await first.spend("person:a", 60)).allowed
        answer = await second.spend("person:a", 60)
        # then the second process sees the first's spending: refused, nothing left
        assert (answer.allowed, answer.remaining) == (False, 0)
        assert (await first.spend("person:b", 60)).allowed  # another caller has their own counter
    finally:
        await first.close()
        await second.close()


async def test_an_unreachable_redis_lets_requests_through() -> None:
    limiter = RedisRateLimiter("redis://127.0.0.1:1/0", 10, 60)
    try:
        answer = await limiter.spend("person:a", 1000)
        assert (answer.allowed, answer.remaining) == (True, 10)
    finally:
        await limiter.close()


# --- subscriptions -------------------------------------------------------------------------------------

PRAISE = "subscription { praisePosted { id recipients { id reports { id } } } }"
PRAISE_COST = 1 + 20 * (1 + 15)  # 321 per event
SHARED = "subscription($root: ID!) { orgChartChanged(rootId: $root) { kind employeeIds } }"
OWN = "subscription { feedbackReceived { request { id requester { reports { id reports { id } } } } } }"  # 243


async def error_of(subscriber: Any, op_id: str) -> list[dict[str, Any]]:
    message = await subscriber.receive()
    assert (message["type"], message["id"]) == ("error", op_id), message
    return message["payload"]


async def test_a_subscription_over_the_budget_is_refused() -> None:
    async with running_server() as server:
        async with websocket(server.ws_url, server.token("employee")) as subscriber:
            op_id = await subscriber.subscribe(
                "subscription { praisePosted { recipients { department { employees { reports { id } } } } } }")
            errors = await error_of(subscriber, op_id)
            assert [e["extensions"]["code"] for e in errors] == ["LIMIT_EXCEEDED"]
            assert errors[0]["extensions"]["cost"]["requested"] == 1 + 20 * (1 + 1 + 200 * (1 + 15))


async def test_one_persons_open_subscriptions_share_one_live_budget() -> None:
    # given a live budget of 5,000 objects per event: twenty feedback subscriptions of 243 (4,860) fit
    # (a subscription of one's own: praise is shared by the organisation, and a grouped execution counts one)
    async with running_server(live_cost_budget=5_000) as server:
        token = server.token("employee")
        async with websocket(server.ws_url, token) as first, websocket(server.ws_url, token) as second:
            for _ in range(10):
                await first.subscribe(OWN)
            opened = [await second.subscribe(OWN) for _ in range(10)]
            await server.wait_subscribers(20)
            # when a twenty-first opens, on either connection
            refused_id = await second.subscribe(OWN)
            # then it is refused
            errors = await error_of(second, refused_id)
            assert [e["extensions"]["code"] for e in errors] == ["LIMIT_EXCEEDED"]
            # but a subscription sharing one grouped execution counts one object, and still fits
            await second.subscribe(SHARED, {"root": server.demo.personas["manager"]})
            await server.wait_subscribers(21)
            # and once one of the others is closed, another opens in its place
            await second.send({"id": opened[0], "type": "complete"})
            await server.wait_subscribers(20)
            await second.subscribe(OWN)
            await server.wait_subscribers(21)
            assert await second.nothing_within(0.2)
        # and someone else has a budget of their own
        async with websocket(server.ws_url, server.token("manager")) as other:
            await other.subscribe(OWN)
            await asyncio.wait_for(server.wait_subscribers(1), 5)


async def test_opening_a_subscription_spends_rate_points() -> None:
    settings = conftest.settings_for_tests(rate_limit_points=PRAISE_COST + 10, rate_limit_window=3600)
    uvicorn_server, server = await start_server(settings)
    try:
        async with websocket(server.ws_url, server.token("employee")) as subscriber:
            await subscriber.subscribe(PRAISE)
            await server.wait_subscribers(1)
            op_id = await subscriber.subscribe(PRAISE)
            errors = await error_of(subscriber, op_id)
            assert [e["extensions"]["code"] for e in errors] == ["RATE_LIMITED"]
        # and the person's costlier queries are refused too, until the window turns (10 points left)
        response = await shared_client().post(server.url, json={"query": PAGE},
                                              headers={"authorization": f"Bearer {server.token('employee')}"})
        assert response.status_code == 429
    finally:
        await stop_server(uvicorn_server, server)


async def test_a_refusal_is_not_logged_as_an_error(server: RunningServer, caplog: pytest.LogCaptureFixture) -> None:
    # when a query over the budget and one with an unknown field are refused
    await server.client("employee").execute(FAN_OUT)
    await server.client("employee").execute("{ me { nothing } }")
    # then the client got its answers, and the log holds no error for them
    assert [record for record in caplog.records if record.levelname == "ERROR"] == []
