"""What browsers and real clients need from HTTP: CORS, compression, cache validators, persisted queries."""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx

from tests.client import answer, websocket
from tests.conftest import RunningServer, start_server, stop_server
from tests.conftest import settings_for_tests as settings_for

ORIGIN = "https://app.example"
ME = "query Me { me { name } }"
PEOPLE = "query People { employees(first: 100) { edges { node { id name email hireDate } } } }"


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def persisted(text: str) -> dict[str, Any]:
    return {"persistedQuery": {"version": 1, "sha256Hash": digest(text)}}


@asynccontextmanager
async def server_with(**settings: Any) -> AsyncIterator[RunningServer]:
    uvicorn_server, running = await start_server(settings_for(**settings))
    try:
        yield running
    finally:
        await stop_server(uvicorn_server, running)


async def raw(method: str, url: str, **kwargs: Any) -> httpx.Response:
    """A request on a client of its own (its headers exactly as given)."""
    async with httpx.AsyncClient(timeout=30) as http:
        return await http.request(method, url, **kwargs)


async def wire(method: str, url: str, **kwargs: Any) -> tuple[httpx.Response, bytes]:
    """The response and its body as sent (httpx's ``content`` is decompressed)."""
    async with httpx.AsyncClient(timeout=30) as http:
        request = http.build_request(method, url, **kwargs)
        response = await http.send(request, stream=True)
        body = b"".join([chunk async for chunk in response.aiter_raw()])
        await response.aclose()
        return response, body


def me_name(server: RunningServer) -> str:
    return next(e["name"] for e in server.demo.employees if e["_id"] == server.demo.personas["employee"])


# --- CORS ------------------------------------------------------------------------------------------------------


async def test_a_preflight_from_an_allowed_origin_is_answered() -> None:
    async with server_with(allowed_origins=(ORIGIN,)) as server:
        # when a browser on an allowed origin asks before a POST with a token
        response = await raw("OPTIONS", server.url, headers={
            "Origin": ORIGIN, "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type"})
        # then it may: the origin is echoed, the methods and headers allowed, credentials (cookies) not
        assert response.status_code == 200
        assert response.headers["access-control-allow-origin"] == ORIGIN
        assert set(response.headers["access-control-allow-methods"].split(", ")) == {"GET", "POST"}
        assert {"authorization", "content-type"} <= set(response.headers["access-control-allow-headers"].lower()
                                                         .split(", "))
        assert "access-control-allow-credentials" not in response.headers
        # and the POST itself carries the origin and exposes the request id and ETag headers
        got = await raw("POST", server.url, json={"query": ME}, headers={
            "Origin": ORIGIN, "Authorization": f"Bearer {server.token('employee')}"})
        assert got.status_code == 200
        assert got.headers["access-control-allow-origin"] == ORIGIN
        assert set(got.headers["access-control-expose-headers"].lower().split(", ")) == {"etag", "x-request-id"}
        assert answer(got.json()) == {"data": {"me": {"name": me_name(server)}}}


async def test_a_preflight_from_another_origin_is_refused(server: RunningServer) -> None:
    # given a server that allows no browser origin (the default) / when another site's page asks
    response = await raw("OPTIONS", server.url, headers={
        "Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
    # then the browser is not told it may
    assert response.status_code == 400
    assert "access-control-allow-origin" not in response.headers
    # and a simple request from there is answered without the header (the browser hides the answer)
    got = await raw("POST", server.url, json={"query": ME}, headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in got.headers


# --- compression ---------------------------------------------------------------------------------------------------


async def test_a_large_answer_is_gzipped_for_a_client_that_accepts_it(server: RunningServer) -> None:
    # given a manager listing 100 people
    headers = {"Authorization": f"Bearer {server.token('hr_admin')}", "Accept-Encoding": "gzip"}
    # when the client accepts gzip
    response, sent = await wire("POST", server.url, json={"query": PEOPLE}, headers=headers)
    # then the body is gzip, smaller than the JSON it holds, and that JSON is the answer
    assert response.headers["content-encoding"] == "gzip"
    assert "accept-encoding" in response.headers["vary"].lower()
    plain = gzip.decompress(sent)
    assert len(sent) < len(plain) / 3
    assert len(json.loads(plain)["data"]["employees"]["edges"]) == 100
    # and a client that does not accept it gets the same JSON uncompressed
    identity, sent = await wire("POST", server.url, json={"query": PEOPLE},
                                headers={**headers, "Accept-Encoding": "identity"})
    assert "content-encoding" not in identity.headers
    assert answer(json.loads(sent)) == answer(json.loads(plain))  # the same answer (the points left aside)


async def test_a_small_answer_is_not_compressed(server: RunningServer) -> None:
    response, sent = await wire("POST", server.url, json={"query": ME}, headers={
        "Authorization": f"Bearer {server.token('employee')}", "Accept-Encoding": "gzip"})
    assert "content-encoding" not in response.headers
    assert answer(json.loads(sent)) == {"data": {"me": {"name": me_name(server)}}}


# --- ETag and Cache-Control on GET ---------------------------------------------------------------------------------


async def test_a_get_answer_has_an_etag_and_answers_304_when_unchanged(server: RunningServer) -> None:
    # given the employee's GET of a query
    auth = {"Authorization": f"Bearer {server.token('employee')}"}
    first = await raw("GET", server.url, params={"query": ME}, headers=auth)
    assert first.status_code == 200
    tag = first.headers["etag"]
    assert tag.startswith('"') and len(tag) == 34
    assert first.headers["cache-control"] == "private, no-cache"
    assert "authorization" in first.headers["vary"].lower()
    # when they ask again with the tag
    again = await raw("GET", server.url, params={"query": ME}, headers={**auth, "If-None-Match": tag})
    # then nothing is sent again
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == tag
    # and once the answer changes (another viewer's answer here), the old tag no longer matches
    other = await raw("GET", server.url, params={"query": ME}, headers={
        "Authorization": f"Bearer {server.token('manager')}", "If-None-Match": tag})
    assert other.status_code == 200
    assert other.headers["etag"] != tag


async def test_a_post_answer_has_no_etag(server: RunningServer) -> None:
    response = await server.client("employee").post(ME)
    assert "etag" not in response.headers


# --- Automatic Persisted Queries -----------------------------------------------------------------------------------


async def test_apq_an_unknown_hash_then_the_query_with_it_then_the_hash_alone(server: RunningServer) -> None:
    client = server.client("employee")
    body = {"extensions": persisted(ME), "operationName": "Me"}
    # when a client sends only the hash of a query never seen
    unknown = await raw("POST", server.url, json=body, headers=client.headers())
    # then it is told so as a GraphQL error Apollo Client recognises
    assert unknown.status_code == 200
    assert unknown.json() == {"errors": [{"message": "PersistedQueryNotFound",
                                          "extensions": {"code": "PERSISTED_QUERY_NOT_FOUND"}}]}
    # when it sends the query with the hash, it is answered (and registered)
    registered = await raw("POST", server.url, json={**body, "query": ME}, headers=client.headers())
    assert answer(registered.json()) == {"data": {"me": {"name": me_name(server)}}}
    # then the hash alone is enough, by POST and by GET (with the cache headers of a GET)
    by_hash = await raw("POST", server.url, json=body, headers=client.headers())
    assert answer(by_hash.json()) == {"data": {"me": {"name": me_name(server)}}}
    by_get = await raw("GET", server.url, headers=client.headers(), params={
        "operationName": "Me", "extensions": json.dumps(persisted(ME))})
    assert by_get.status_code == 200
    assert answer(by_get.json()) == {"data": {"me": {"name": me_name(server)}}}
    assert by_get.headers["cache-control"] == "private, no-cache"


async def test_apq_a_hash_that_is_not_the_query_s_is_refused_and_not_registered(server: RunningServer) -> None:
    client = server.client("employee")
    wrong = {"persistedQuery": {"version": 1, "sha256Hash": digest("{ __typename }")}}
    # when the query sent is not the one the hash names
    response = await raw("POST", server.url, json={"query": ME, "extensions": wrong}, headers=client.headers())
    # then it is refused, and the hash still finds nothing
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"] == {"code": "PERSISTED_QUERY_HASH_MISMATCH"}
    after = await raw("POST", server.url, json={"extensions": wrong}, headers=client.headers())
    assert after.json()["errors"][0]["extensions"] == {"code": "PERSISTED_QUERY_NOT_FOUND"}


async def test_apq_a_malformed_persisted_query_is_a_json_error(server: RunningServer) -> None:
    client = server.client("employee")
    for extensions, code in [({"persistedQuery": {"version": 2, "sha256Hash": digest(ME)}},
                              "PERSISTED_QUERY_NOT_SUPPORTED"),
                             ({"persistedQuery": {"version": 1, "sha256Hash": "abc"}}, "BAD_REQUEST")]:
        response = await raw("POST", server.url, json={"extensions": extensions}, headers=client.headers())
        assert response.status_code == 400
        assert response.json()["errors"][0]["extensions"] == {"code": code}


# --- trusted documents ----------------------------------------------------------------------------------------------


def manifest(tmp_path: Path, *bodies: str) -> str:
    path = tmp_path / "persisted-query-manifest.json"
    path.write_text(json.dumps({"format": "apollo-persisted-query-manifest", "version": 1, "operations": [
        {"id": digest(body), "name": "Me", "type": "query", "body": body} for body in bodies]}))
    return str(path)


async def test_trusted_documents_run_only_registered_operations(tmp_path: Path) -> None:
    async with server_with(trusted_documents=True, persisted_queries_file=manifest(tmp_path, ME)) as server:
        headers = {"Authorization": f"Bearer {server.token('employee')}"}
        # when a registered operation is sent by hash (POST or GET) or as its exact text / then it runs
        expected = {"data": {"me": {"name": me_name(server)}}}
        by_hash = await raw("POST", server.url, json={"extensions": persisted(ME)}, headers=headers)
        assert answer(by_hash.json()) == expected
        by_get = await raw("GET", server.url, params={"extensions": json.dumps(persisted(ME))}, headers=headers)
        assert answer(by_get.json()) == expected
        assert answer((await raw("POST", server.url, json={"query": ME}, headers=headers)).json()) == expected
        # when any other text is sent, with or without its hash / then it is refused and nothing is registered
        other = "{ me { name email } }"
        for body in ({"query": other}, {"query": other, "extensions": persisted(other)}):
            refused = await raw("POST", server.url, json=body, headers=headers)
            assert refused.status_code == 400
            assert refused.json()["errors"][0]["extensions"] == {"code": "QUERY_NOT_IN_SAFELIST"}
        unknown = await raw("POST", server.url, json={"extensions": persisted(other)}, headers=headers)
        assert unknown.json()["errors"][0]["extensions"] == {"code": "PERSISTED_QUERY_NOT_FOUND"}


# --- GraphiQL without a CDN -----------------------------------------------------------------------------------------

BROWSER = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


async def test_graphiql_loads_every_asset_from_this_server(server: RunningServer) -> None:
    # when a browser opens the endpoint
    page = await raw("GET", server.url, headers=BROWSER)
    assert page.status_code == 200
    # then the page names no other host, and each of its seven assets is served here, as the page's
    # integrity hash says (the browser checks it too)
    assert "unpkg.com" not in page.text and "https://" not in page.text.split("<body>")[0]
    tags = re.findall(r'(?:src|href)="(/graphiql/assets/[^"]+)"\s+integrity="(sha384-[^"]+)"', page.text)
    assert len(tags) == 7
    for path, integrity in tags:
        asset = await raw("GET", server.url.removesuffix("/graphql") + path)
        assert asset.status_code == 200, path
        assert "sha384-" + base64.b64encode(hashlib.sha384(asset.content).digest()).decode() == integrity


async def test_graphiql_can_be_switched_off() -> None:
    async with server_with(graphiql=False) as server:
        page = await raw("GET", server.url, headers=BROWSER)
        asset = await raw("GET", server.url.removesuffix("/graphql") + "/graphiql/assets/graphiql--graphiql.min.js")
        assert (page.status_code, asset.status_code) == (404, 404)
        assert page.json()["errors"][0]["extensions"] == {"code": "BAD_REQUEST"}


async def test_trusted_documents_hold_for_websockets(tmp_path: Path) -> None:
    async with server_with(trusted_documents=True, persisted_queries_file=manifest(tmp_path, ME)) as server:
        async with websocket(server.ws_url, server.token("employee")) as ws:
            # a registered operation runs; any other is refused with the same code as over HTTP
            await ws.subscribe(ME)
            assert answer(await ws.next_payload()) == {"data": {"me": {"name": me_name(server)}}}
            assert (await ws.receive())["type"] == "complete"
            await ws.subscribe("subscription { praisePosted { id } }")
            message = await ws.receive()
            assert message["type"] == "error"
            assert [e["extensions"]["code"] for e in message["payload"]] == ["QUERY_NOT_IN_SAFELIST"]
