"""Single sign-on: tokens signed by an identity provider whose keys (JWKS) are served on loopback, and the
reasons a refused WebSocket is given."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from tests.client import LEGACY_WS, TRANSPORT_WS, answer
from tests.conftest import RunningServer, start_server, stop_server
from tests.conftest import settings_for_tests as settings_for

ISSUER = "https://idp.example/"
AUDIENCE = "perfgraph"
ME = "{ me { id name } }"


class IdentityProvider:
    """A JWKS endpoint on a loopback port, with keys that can be added (rotated in) while it runs."""

    def __init__(self) -> None:
        self.keys: dict[str, Any] = {}
        self.published: list[str] = []
        self.fetches = 0
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                provider.fetches += 1
                body = json.dumps({"keys": [provider.jwk(kid) for kid in provider.published]}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.http.server_address[1]}/.well-known/jwks.json"

    def add(self, kid: str, key: Any, *, publish: bool = True) -> None:
        self.keys[kid] = key
        if publish:
            self.published.append(kid)

    def jwk(self, kid: str) -> dict[str, Any]:
        key = self.keys[kid]
        algorithm = jwt.algorithms.RSAAlgorithm if isinstance(key, rsa.RSAPrivateKey) else jwt.algorithms.ECAlgorithm
        return {**algorithm.to_jwk(key.public_key(), as_dict=True), "kid": kid, "use": "sig"}

    def token(self, kid: str, claims: dict[str, Any], *, ttl: int = 600) -> str:
        key = self.keys[kid]
        algorithm = "RS256" if isinstance(key, rsa.RSAPrivateKey) else "ES256"
        now = int(time.time())
        payload = {"iss": ISSUER, "aud": AUDIENCE, "iat": now, "exp": now + ttl, **claims}
        return jwt.encode(payload, key, algorithm=algorithm, headers={"kid": kid})


@contextmanager
def identity_provider() -> Iterator[IdentityProvider]:
    provider = IdentityProvider()
    provider.add("rsa-1", rsa.generate_private_key(public_exponent=65537, key_size=2048))
    provider.add("ec-1", ec.generate_private_key(ec.SECP256R1()))
    thread = threading.Thread(target=provider.http.serve_forever, daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        provider.http.shutdown()
        provider.http.server_close()


@asynccontextmanager
async def sso_server(provider: IdentityProvider, **settings: Any) -> AsyncIterator[RunningServer]:
    uvicorn_server, running = await start_server(settings_for(
        jwks_url=provider.url, jwt_issuer=ISSUER, jwt_audience=AUDIENCE, jwks_cooldown_seconds=0, **settings))
    try:
        yield running
    finally:
        await stop_server(uvicorn_server, running)


def person(server: RunningServer, persona: str) -> dict[str, Any]:
    return next(e for e in server.demo.employees if e["_id"] == server.demo.personas[persona])


async def ask(server: RunningServer, token: str) -> dict[str, Any]:
    client = server.client()
    client.token = token
    return await client.execute(ME)


def unauthenticated(body: dict[str, Any]) -> str:
    assert body["data"] == {"me": None}
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    return error["message"]


async def test_rs256_and_es256_tokens_sign_in_the_employee_with_that_email() -> None:
    with identity_provider() as provider:
        async with sso_server(provider) as server:
            manager = person(server, "manager")
            # when the provider's RS256 and ES256 tokens name the manager by email (in another case)
            for kid in ("rsa-1", "ec-1"):
                body = await ask(server, provider.token(kid, {"sub": "00u1abc", "email": manager["email"].upper()}))
                # then the manager is signed in
                assert answer(body) == {"data": {"me": {"id": manager["_id"], "name": manager["name"]}}}
            # and the dev HS256 tokens still work beside them
            assert (await ask(server, server.token("employee")))["data"]["me"]["id"] == server.demo.personas["employee"]


async def test_a_rotated_key_is_fetched_when_a_token_names_it() -> None:
    with identity_provider() as provider:
        async with sso_server(provider) as server:
            manager = person(server, "manager")
            claims = {"email": manager["email"]}
            assert (await ask(server, provider.token("rsa-1", claims)))["data"]["me"]["id"] == manager["_id"]
            fetched = provider.fetches
            # given the provider rotates in a new key after the server fetched its keys
            provider.add("rsa-2", rsa.generate_private_key(public_exponent=65537, key_size=2048))
            # when a token signed with it arrives / then the key set is fetched again and the token accepted
            assert (await ask(server, provider.token("rsa-2", claims)))["data"]["me"]["id"] == manager["_id"]
            assert provider.fetches == fetched + 1
            # and a known key is not fetched again
            await ask(server, provider.token("rsa-1", claims))
            assert provider.fetches == fetched + 1


@pytest.mark.parametrize(("change", "expected"), [
    ({"aud": "another-app"}, "the token is not valid (Audience doesn't match)"),
    ({"iss": "https://evil.example/"}, "the token is not valid (Invalid issuer)"),
    ({"email": "nobody@nowhere.example"}, "no employee has the token's email"),
    ({"email_verified": False}, "the token's email is not verified by the identity provider"),
])
async def test_a_token_with_the_wrong_audience_issuer_or_person_is_refused(change: dict[str, Any],
                                                                           expected: str) -> None:
    with identity_provider() as provider:
        async with sso_server(provider) as server:
            token = provider.token("rsa-1", {"email": person(server, "manager")["email"], **change})
            assert unauthenticated(await ask(server, token)) == expected


async def test_an_expired_unpublished_or_forged_token_is_refused() -> None:
    with identity_provider() as provider:
        async with sso_server(provider) as server:
            email = person(server, "manager")["email"]
            # expired
            assert unauthenticated(await ask(server, provider.token("rsa-1", {"email": email}, ttl=-10))) == \
                "the token has expired"
            # signed with a key the provider never published
            provider.add("stolen", rsa.generate_private_key(public_exponent=65537, key_size=2048), publish=False)
            assert unauthenticated(await ask(server, provider.token("stolen", {"email": email}))).startswith(
                "the token is not valid (Unable to find a signing key")
            # an algorithm outside the allow-list (HS512 with the provider's public key as the secret)
            forged = jwt.encode({"iss": ISSUER, "aud": AUDIENCE, "email": email, "exp": int(time.time()) + 60},
                                "k" * 64, algorithm="HS512", headers={"kid": "rsa-1"})
            assert unauthenticated(await ask(server, forged)) == "the token's algorithm 'HS512' is not accepted"


async def websocket_refusal(server: RunningServer, token: str | None, protocol: str) -> tuple[int, str] | dict:
    """How a WebSocket whose connection_init carries ``token`` is refused: the close (code, reason) on
    graphql-transport-ws, the connection_error payload on graphql-ws."""
    async with connect(server.ws_url, subprotocols=[protocol], compression=None, open_timeout=5) as ws:  # type: ignore[list-item]
        payload = {"authorization": f"Bearer {token}"} if token else {}
        await ws.send(json.dumps({"type": "connection_init", "payload": payload}))
        if protocol == LEGACY_WS:
            return json.loads(await ws.recv())
        with pytest.raises(ConnectionClosed) as closed:
            await ws.recv()
        assert closed.value.rcvd is not None
        return closed.value.rcvd.code, closed.value.rcvd.reason


async def test_a_refused_websocket_says_whether_the_token_expired(server: RunningServer) -> None:
    # a mobile app can tell "refresh the token" (expired) from "sign in again" (missing or invalid)
    assert await websocket_refusal(server, server.token("employee", ttl=-5), TRANSPORT_WS) == \
        (4403, "Forbidden: token expired")
    assert await websocket_refusal(server, None, TRANSPORT_WS) == (4403, "Forbidden: no token")
    assert await websocket_refusal(server, "not-a-jwt", TRANSPORT_WS) == (4403, "Forbidden: token invalid")
    assert await websocket_refusal(server, server.token("employee", ttl=-5), LEGACY_WS) == {
        "type": "connection_error", "payload": {"code": "UNAUTHENTICATED", "message": "the token has expired"}}
