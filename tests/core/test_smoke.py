"""The server starts, answers a query, and refuses an anonymous one."""

from __future__ import annotations

from tests.conftest import RunningServer

ME = "{ me { name } }"


async def test_me_answers_for_a_signed_in_employee(server: RunningServer) -> None:
    # given the demo employee's token / when they ask who they are
    data = await server.client("employee").data(ME)
    # then the server names them
    employee = next(e for e in server.demo.employees if e["_id"] == server.demo.personas["employee"])
    assert data == {"me": {"name": employee["name"]}}


async def test_me_without_token_is_unauthenticated(server: RunningServer) -> None:
    body = await server.client().execute(ME)
    assert body["data"] == {"me": None}
    assert [e["extensions"]["code"] for e in body["errors"]] == ["UNAUTHENTICATED"]
