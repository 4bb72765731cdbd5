"""Authentication over HTTP and both WebSocket protocols: every refusal says why, stored roles bound claimed ones."""

from __future__ import annotations

import time
from typing import Any

import jwt
import pytest
from websockets.exceptions import ConnectionClosed

import server.auth
from models.org.rules import EmployeeStatus
from server.auth import ALGORITHM, AuthenticationFailed, decode_token, mint_token
from tests.client import LEGACY_WS, TRANSPORT_WS, GraphQLClient, Subscriber, refused, websocket
from tests.conftest import RunningServer

ME = "{ me { name } }"
DEPARTMENTS = "{ departments { name } }"
SAVE_DEPARTMENT = ('mutation { saveDepartment(input: {name: "Skunkworks"}) '
                   '{ department { name } errors { field code message } } }')
ORG_CHART_CHANGED = "subscription Changed($root: ID!) { orgChartChanged(rootId: $root) { kind } }"

WRONG_SECRET = "not-the-server-secret-but-just-as-long-0123456789"


async def unauthenticated_reason(server: RunningServer, authorization: str | None) -> str:
    """The one error of ``{ me }`` sent with this Authorization header (None: no header); it must be
    UNAUTHENTICATED with a null ``me``."""
    headers = {"Authorization": authorization} if authorization is not None else {}
    response = await GraphQLClient(server.url).post(ME, headers=headers)
    assert response.status_code == 200
    body = response.json()
    assert body["data"] == {"me": None}
    assert [e["extensions"]["code"] for e in body["errors"]] == ["UNAUTHENTICATED"]
    [error] = body["errors"]
    return error["message"]


def claims_of(server: RunningServer, persona: str) -> dict[str, Any]:
    employee_id = server.demo.personas[persona]
    employee = next(e for e in server.demo.employees if e["_id"] == employee_id)
    now = int(time.time())
    return {"sub": employee_id, "org": server.demo.organization["_id"], "roles": employee["roles"],
            "iat": now, "exp": now + 3600}


def encode(server: RunningServer, payload: dict[str, Any]) -> str:
    return jwt.encode(payload, server.settings.jwt_secret, algorithm=ALGORITHM)


# --- HTTP --------------------------------------------------------------------------------------------------------


async def test_no_token(server: RunningServer) -> None:
    # when no Authorization header is sent / then the reason says how to send one
    assert await unauthenticated_reason(server, None) == "no bearer token: send 'Authorization: Bearer <token>'"


@pytest.mark.parametrize("authorization", ["Token x", "Bearer", "Basic dXNlcjpwYXNz"])
async def test_malformed_authorization_header(server: RunningServer, authorization: str) -> None:
    # when the header is not "Bearer <token>" / then the reason says what it must be
    assert await unauthenticated_reason(server, authorization) == "the authorization value must be 'Bearer <token>'"


async def test_not_a_jwt(server: RunningServer) -> None:
    # when the bearer value is not a JWT at all / then it is not valid
    assert await unauthenticated_reason(server, "Bearer not.a.jwt") == (
        "the token is not valid (Invalid header padding)")


async def test_bad_signature(server: RunningServer) -> None:
    # given a well-formed token signed with another secret
    token = mint_token(WRONG_SECRET, server.demo.personas["employee"], server.demo.organization["_id"], ["employee"])
    # when it is used / then the signature is refused
    assert await unauthenticated_reason(server, f"Bearer {token}") == (
        "the token is not valid (Signature verification failed)")


async def test_expired_token(server: RunningServer) -> None:
    # given a token that expired ten seconds ago
    token = server.token("employee", ttl=-10)
    # when it is used / then it is refused as expired
    assert await unauthenticated_reason(server, f"Bearer {token}") == "the token has expired"


async def test_token_without_org_claim(server: RunningServer) -> None:
    # given a correctly signed token with no organisation
    claims = claims_of(server, "employee")
    del claims["org"]
    # when it is used / then the missing claim is named
    assert await unauthenticated_reason(server, f"Bearer {encode(server, claims)}") == (
        'the token is not valid (Token is missing the "org" claim)')


async def test_token_with_an_unknown_role(server: RunningServer) -> None:
    # given a correctly signed token claiming a role that does not exist
    claims = {**claims_of(server, "employee"), "roles": ["employee", "superuser"]}
    # when it is used / then the roles claim is refused
    assert await unauthenticated_reason(server, f"Bearer {encode(server, claims)}") == (
        "the token's roles claim is not valid")


async def test_token_with_a_non_string_subject(server: RunningServer) -> None:
    # given a correctly signed token whose subject is a number
    claims = {**claims_of(server, "employee"), "sub": 42}
    # when it is used / then it is refused (PyJWT itself requires sub to be a string)
    assert await unauthenticated_reason(server, f"Bearer {encode(server, claims)}") == (
        "the token is not valid (Subject must be a string)")


async def test_token_of_a_terminated_employee(server: RunningServer) -> None:
    # given a valid token of someone who has left the organisation
    leaver = next(e for e in server.demo.employees if e["status"] == EmployeeStatus.TERMINATED.value)
    # when it is used / then it is no longer honoured
    assert await unauthenticated_reason(server, f"Bearer {server.token(leaver['_id'])}") == (
        "the token's employee does not exist or has left the organisation")


async def test_token_naming_another_organisation(server: RunningServer) -> None:
    # given a Northwind employee's token that claims to be for Globex
    claims = {**claims_of(server, "employee"), "org": server.other.organization["_id"]}
    # when it is used / then nobody by that id is found in Globex
    assert await unauthenticated_reason(server, f"Bearer {encode(server, claims)}") == (
        "the token's employee does not exist or has left the organisation")


async def test_claimed_hr_admin_without_stored_role_cannot_change_the_organisation(server: RunningServer) -> None:
    # given an ordinary employee whose token claims hr_admin, and the departments there are
    before = await server.client("hr_admin").data(DEPARTMENTS)
    token = server.token("employee", roles=["employee", "hr_admin"])
    # when they try an HR mutation
    body = await GraphQLClient(server.url, token).execute(SAVE_DEPARTMENT)
    # then it is forbidden and nothing is written
    assert refused(body) == [(None, "FORBIDDEN", "only HR admins may change the organisation")]
    assert await server.client("hr_admin").data(DEPARTMENTS) == before


async def test_real_hr_admin_can_change_the_organisation(server: RunningServer) -> None:
    # given the HR admin persona / when they run the same mutation / then it is applied
    data = await server.client("hr_admin").data(SAVE_DEPARTMENT)
    assert data == {"saveDepartment": {"department": {"name": "Skunkworks"}, "errors": []}}


# --- WebSocket ---------------------------------------------------------------------------------------------------


async def closed_with(subscriber: Subscriber) -> int | None:
    """Wait for the server to close the connection; its close code."""
    with pytest.raises(ConnectionClosed):
        await subscriber.receive()
    return subscriber.ws.close_code


@pytest.mark.parametrize("payload", [{}, {"authorization": "Bearer not.a.jwt"}, {"authorization": "Token x"}])
async def test_transport_ws_without_a_valid_token_is_closed_4403(server: RunningServer,
                                                                 payload: dict[str, Any]) -> None:
    # given a graphql-transport-ws connection
    async with websocket(server.ws_url, None, TRANSPORT_WS, init=False) as subscriber:
        # when connection_init carries no valid token
        await subscriber.send({"type": "connection_init", "payload": payload})
        # then the server closes it as Forbidden
        assert await closed_with(subscriber) == 4403


async def test_transport_ws_with_an_expired_token_is_closed_4403(server: RunningServer) -> None:
    async with websocket(server.ws_url, None, TRANSPORT_WS, init=False) as subscriber:
        # when connection_init carries an expired token / then the server closes it as Forbidden
        await subscriber.send({"type": "connection_init",
                               "payload": {"authorization": f"Bearer {server.token('employee', ttl=-10)}"}})
        assert await closed_with(subscriber) == 4403


async def test_legacy_ws_with_a_bad_token_gets_connection_error_then_close(server: RunningServer) -> None:
    # given a legacy graphql-ws connection
    async with websocket(server.ws_url, None, LEGACY_WS, init=False) as subscriber:
        # when connection_init carries a malformed token
        await subscriber.send({"type": "connection_init", "payload": {"authorization": "Bearer not.a.jwt"}})
        # then a connection_error says why, then the connection closes
        assert await subscriber.receive() == {
            "type": "connection_error",
            "payload": {"code": "UNAUTHENTICATED", "message": "the token is not valid (Invalid header padding)"},
        }
        assert await closed_with(subscriber) == 1011


async def test_transport_ws_subscribe_before_init_is_closed_4401(server: RunningServer) -> None:
    # given a graphql-transport-ws connection that never sent connection_init
    async with websocket(server.ws_url, None, TRANSPORT_WS, init=False) as subscriber:
        # when it subscribes
        await subscriber.subscribe(ORG_CHART_CHANGED, {"root": server.demo.personas["manager"]})
        # then the server closes it as Unauthorized
        assert await closed_with(subscriber) == 4401


@pytest.mark.parametrize("protocol", [TRANSPORT_WS, LEGACY_WS])
async def test_valid_token_gets_connection_ack(server: RunningServer, protocol: str) -> None:
    async with websocket(server.ws_url, None, protocol, init=False) as subscriber:
        # when connection_init carries the manager's token
        await subscriber.send({"type": "connection_init",
                               "payload": {"authorization": f"Bearer {server.token('manager')}"}})
        # then the connection is acknowledged for them
        assert await subscriber.receive() == {"type": "connection_ack",
                                              "payload": {"employeeId": server.demo.personas["manager"]}}


# --- tokens: verified once (a bounded cache of verified claims), expiry checked on every call ------------

TOKEN_SECRET = "a-test-secret-long-enough-for-hs256-0123456789"


def test_a_verified_token_still_expires(monkeypatch: pytest.MonkeyPatch) -> None:
    # given a token valid for a minute, verified once
    token = mint_token(TOKEN_SECRET, "employee-1", "org-1", ["employee"], ttl=60)
    claims = decode_token(TOKEN_SECRET, token)
    assert (claims.employee_id, claims.organization_id) == ("employee-1", "org-1")
    # when it is used again after its expiry
    later = time.time() + 61
    monkeypatch.setattr(server.auth.time, "time", lambda: later)
    # then it is refused as expired
    with pytest.raises(AuthenticationFailed, match="the token has expired"):
        decode_token(TOKEN_SECRET, token)


def test_a_token_is_verified_against_the_secret_it_is_used_with() -> None:
    # given a token verified with its own secret
    token = mint_token(TOKEN_SECRET, "employee-1", "org-1", ["employee"])
    decode_token(TOKEN_SECRET, token)
    # when the same token is checked against another secret, twice / then it is refused both times
    for _ in range(2):
        with pytest.raises(AuthenticationFailed, match=r"Signature verification failed"):
            decode_token(TOKEN_SECRET + "-other", token)
