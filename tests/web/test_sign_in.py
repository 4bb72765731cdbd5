"""One-time sign-in codes (POST /auth/code-exchange) and the development sign-in that mints them
(GET /dev/personas, POST /dev/sign-in), over HTTP against a running server."""

from __future__ import annotations

import asyncio
import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from models.core import clock
from server.__main__ import print_tokens
from server.config import ConfigError, Settings
from server.signin import persona_links
from store.core.signin import mint_code
from tests.conftest import RunningServer, fixed_moment
from tests.interleave import hold
from tests.web.conftest import app_server, base_url


async def post(server: RunningServer, path: str, body: Any = None, *, content: bytes | None = None) -> httpx.Response:
    async with httpx.AsyncClient(base_url=base_url(server)) as http:
        if content is not None:
            return await http.post(path, content=content, headers={"Content-Type": "application/json"})
        return await http.post(path, json=body)


async def get(server: RunningServer, path: str, **params: str) -> httpx.Response:
    async with httpx.AsyncClient(base_url=base_url(server)) as http:
        return await http.get(path, params=params)


async def new_code(server: RunningServer, persona: str = "employee") -> str:
    answer = await post(server, "/dev/sign-in", {"employeeId": server.demo.personas.get(persona, persona)})
    assert answer.status_code == 200, answer.text
    return str(answer.json()["code"])


def person(server: RunningServer, persona: str) -> dict[str, Any]:
    id = server.demo.personas.get(persona, persona)
    return next(e for e in server.demo.employees if e["_id"] == id)


def refusal(answer: httpx.Response, status: int, code: str) -> None:
    assert answer.status_code == status, answer.text
    body = answer.json()
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]


async def me(server: RunningServer, token: str) -> dict[str, Any]:
    async with httpx.AsyncClient() as http:
        answer = await http.post(server.url, json={"query": "{ me { id name } }"},
                                 headers={"Authorization": f"Bearer {token}"})
    return dict(answer.json()["data"]["me"])


async def test_a_sign_in_link_signs_in_once() -> None:
    async with app_server() as server:
        manager = person(server, "manager")
        answer = await post(server, "/dev/sign-in", {"employeeId": manager["_id"]})
        assert answer.status_code == 200
        code, link = answer.json()["code"], answer.json()["link"]
        assert link == f"{base_url(server)}/app/sign-in?code={code}"
        before = datetime.now(UTC)
        exchanged = await post(server, "/auth/code-exchange", {"code": code})
        # then the code becomes a 12-hour token for the manager, which the API accepts
        assert exchanged.status_code == 200, exchanged.text
        assert exchanged.headers["cache-control"] == "no-store"
        body = exchanged.json()
        assert body["employee"] == {"id": manager["_id"], "name": manager["name"]}
        assert body["organizationId"] == server.demo.organization["_id"]
        expires = datetime.fromisoformat(body["expiresAt"])
        assert timedelta(hours=12) - timedelta(seconds=5) <= expires - before <= timedelta(hours=12, seconds=5)
        assert await me(server, body["token"]) == {"id": manager["_id"], "name": manager["name"]}
        # and the same code a second time signs no one in
        refusal(await post(server, "/auth/code-exchange", {"code": code}), 400, "CODE_INVALID")


async def test_the_store_keeps_the_code_hash_for_ten_minutes() -> None:
    async with app_server() as server:
        code = await new_code(server)
        stored = await server.database.signInCodes.find({}).to_list(None)
        assert len(stored) == 1
        [document] = stored
        assert document["_id"] == hashlib.sha256(code.encode()).hexdigest()
        assert code not in repr(document)
        assert document["expiresAt"] - document["createdAt"] == timedelta(minutes=10)
        # and a TTL index removes what expired
        ttl = (await server.database.signInCodes.index_information())["expires_ttl"]
        assert ttl["key"] == [("expiresAt", 1)]
        assert ttl["expireAfterSeconds"] == 0


async def test_an_expired_code_is_refused() -> None:
    async with app_server() as server:
        employee = person(server, "employee")
        code = await mint_code(server.database, server.demo.organization["_id"], employee["_id"],
                               clock.now() - timedelta(minutes=10, seconds=1))
        refusal(await post(server, "/auth/code-exchange", {"code": code}), 400, "CODE_EXPIRED")
        fresh = await mint_code(server.database, server.demo.organization["_id"], employee["_id"],
                                clock.now() - timedelta(minutes=9, seconds=50))
        assert (await post(server, "/auth/code-exchange", {"code": fresh})).status_code == 200


async def test_unknown_codes_and_malformed_bodies_are_refused_and_change_nothing() -> None:
    async with app_server() as server:
        await new_code(server)
        before = await server.snapshot(("signInCodes",))
        refusal(await post(server, "/auth/code-exchange", {"code": "A" * 32}), 400, "CODE_INVALID")
        refusal(await post(server, "/auth/code-exchange", {"code": "short"}), 400, "CODE_INVALID")
        refusal(await post(server, "/auth/code-exchange", {"code": "x" * 10_000}), 400, "CODE_INVALID")
        for body in ({}, {"code": 12}, {"code": None}, ["code"], "code"):
            refusal(await post(server, "/auth/code-exchange", body), 400, "BAD_REQUEST")
        for content in (b"not json", b"\xff\xfe", b""):
            refusal(await post(server, "/auth/code-exchange", content=content), 400, "BAD_REQUEST")
        assert await server.snapshot(("signInCodes",)) == before


async def test_two_concurrent_redemptions_of_one_code_give_one_token() -> None:
    async with app_server() as server:
        code = await new_code(server)
        async with hold(server.database, "signInCodes", "find_one_and_delete") as held:
            first = asyncio.create_task(post(server, "/auth/code-exchange", {"code": code}))
            async with asyncio.timeout(5):
                await held.reached.wait()  # the first redemption is parked just before its conditional write
            second = await post(server, "/auth/code-exchange", {"code": code})
        assert second.status_code == 200
        refusal(await first, 400, "CODE_INVALID")
        assert await server.database.signInCodes.count_documents({}) == 0


async def test_a_code_of_someone_who_has_left_signs_no_one_in() -> None:
    async with app_server() as server:
        gone = next(e for e in server.demo.employees if e["status"] == "terminated")
        code = await mint_code(server.database, server.demo.organization["_id"], gone["_id"], clock.now())
        refusal(await post(server, "/auth/code-exchange", {"code": code}), 400, "CODE_INVALID")
        # nor can the development sign-in mint one for them
        refusal(await post(server, "/dev/sign-in", {"employeeId": gone["_id"]}), 404, "NOT_FOUND")


async def test_code_exchanges_are_rate_limited_per_address() -> None:
    async with app_server(sign_in_attempts=2) as server:
        # (the limiter's clock stands still mid-window: windows are aligned on the clock and could roll over
        # mid-test; and in a window no earlier run used, as with Redis the counters outlive the server)
        limiter = server.app.state.sign_in_limiter
        limiter.clock = fixed_moment(limiter.window)
        for _ in range(2):
            refusal(await post(server, "/auth/code-exchange", {"code": "A" * 32}), 400, "CODE_INVALID")
        code = await new_code(server)
        limited = await post(server, "/auth/code-exchange", {"code": code})
        refusal(limited, 429, "RATE_LIMITED")
        assert int(limited.headers["retry-after"]) >= 1
        # the refused attempt did not use the code up
        assert await server.database.signInCodes.count_documents({}) == 1


async def test_the_persona_picker_lists_the_personas_and_people_by_name() -> None:
    async with app_server() as server:
        answer = await get(server, "/dev/personas")
        assert answer.status_code == 200
        body = answer.json()
        assert [p["persona"] for p in body["personas"]] == ["employee", "manager", "hr_admin"]
        titles = {p["_id"]: p["title"] for p in server.demo.positions}
        departments = {d["_id"]: d["name"] for d in server.demo.departments}
        for card in body["personas"]:
            who = person(server, card["persona"])
            assert card == {"persona": card["persona"], "employeeId": who["_id"], "name": who["name"],
                            "title": titles[who["positionId"]], "department": departments[who["departmentId"]],
                            "roles": who["roles"]}
        assert body["people"] == []
        # one character lists nobody; two or more list matching names, case-insensitively, at most 20
        assert (await get(server, "/dev/personas", search="a")).json()["people"] == []
        manager = person(server, "manager")
        surname = manager["name"].split()[-1]
        found = (await get(server, "/dev/personas", search=surname.upper())).json()["people"]
        assert manager["_id"] in [p["employeeId"] for p in found]
        assert all(surname.lower() in p["name"].lower() and set(p) == {"employeeId", "name", "title", "department",
                                                                       "roles"} for p in found)
        many = (await get(server, "/dev/personas", search="an")).json()["people"]
        assert len(many) == 20
        assert [p["name"] for p in many] == sorted(p["name"] for p in many)
        # only the demo organisation's people who are still employed
        northwind = {e["_id"] for e in server.demo.employees if e["status"] != "terminated"}
        other = server.other.employees[0]
        listed = (await get(server, "/dev/personas", search=other["name"])).json()["people"]
        assert {p["employeeId"] for p in listed} <= northwind
        gone = next(e for e in server.demo.employees if e["status"] == "terminated")
        listed = (await get(server, "/dev/personas", search=gone["name"])).json()["people"]
        assert gone["_id"] not in {p["employeeId"] for p in listed}
        refusal(await get(server, "/dev/personas", search="x" * 101), 400, "BAD_REQUEST")


async def test_the_development_sign_in_checks_the_employee_id() -> None:
    async with app_server() as server:
        before = await server.snapshot(("signInCodes",))
        for body in ({}, {"employeeId": 7}, {"employeeId": "not-an-id"}, {"employeeId": "A" * 24}, []):
            refusal(await post(server, "/dev/sign-in", body), 400, "BAD_REQUEST")
        refusal(await post(server, "/dev/sign-in", content=b"{"), 400, "BAD_REQUEST")
        refusal(await post(server, "/dev/sign-in", {"employeeId": "0" * 24}), 404, "NOT_FOUND")
        # someone of another organisation is not in the demo organisation
        refusal(await post(server, "/dev/sign-in", {"employeeId": server.other.employees[0]["_id"]}), 404, "NOT_FOUND")
        assert await server.snapshot(("signInCodes",)) == before


async def test_without_the_development_sign_in_its_routes_do_not_exist() -> None:
    async with app_server(dev_sign_in=False) as server:
        assert (await get(server, "/dev/personas")).status_code == 404
        employee_id = person(server, "employee")["_id"]
        assert (await post(server, "/dev/sign-in", {"employeeId": employee_id})).status_code == 404
        assert await server.database.signInCodes.count_documents({}) == 0
        # a code minted elsewhere (another process's `make serve`) is still redeemed
        code = await mint_code(server.database, server.demo.organization["_id"], employee_id, clock.now())
        assert (await post(server, "/auth/code-exchange", {"code": code})).status_code == 200


def test_the_development_sign_in_follows_the_development_secret() -> None:
    assert Settings.from_env({}).dev_sign_in_enabled
    assert Settings.from_env({"MONGODB_URL": "memory://"}).dev_sign_in_enabled
    secret = "s" * 32
    assert not Settings.from_env({"JWT_SECRET": secret}).dev_sign_in_enabled
    assert not Settings.from_env({"MONGODB_URL": "mongodb://db:27017", "JWT_SECRET": secret}).dev_sign_in_enabled
    assert not Settings.from_env({"DEV_SIGN_IN": "0"}).dev_sign_in_enabled
    assert Settings.from_env({"JWT_SECRET": secret, "DEV_SIGN_IN": "1"}).dev_sign_in_enabled
    with pytest.raises(ConfigError, match="DEV_SIGN_IN"):
        Settings.from_env({"DEV_SIGN_IN": "maybe"})
    with pytest.raises(ConfigError, match="SIGN_IN_RATE_LIMIT_ATTEMPTS"):
        Settings.from_env({"SIGN_IN_RATE_LIMIT_ATTEMPTS": "-1"})


async def test_make_serve_prints_a_working_sign_in_link_per_persona(capsys: pytest.CaptureFixture[str]) -> None:
    async with app_server() as server:
        settings = Settings(host="127.0.0.1", port=server.port)
        links = await persona_links(server.database, settings, server.demo)
        print_tokens(settings, server.demo, links)
        printed = capsys.readouterr().out
        assert "one-time and valid 10 minutes" in printed
        assert f"http://127.0.0.1:{server.port}/app/sign-in offers the persona picker" in printed
        for persona, link in links.items():
            assert f"    Sign in: {link}" in printed
            assert link.startswith(f"http://127.0.0.1:{server.port}/app/sign-in?code=")
            exchanged = await post(server, "/auth/code-exchange", {"code": link.rpartition("=")[2]})
            assert exchanged.json()["employee"]["id"] == server.demo.personas[persona]


async def test_an_exchange_costs_two_store_round_trips() -> None:
    async with app_server() as server:
        code = await new_code(server)
        server.database.stats.reset()
        assert (await post(server, "/auth/code-exchange", {"code": code})).status_code == 200
        # the conditional write that takes the code, and the read of the person it signs in
        assert dict(server.database.stats.by_collection) == {"signInCodes": 1, "employees": 1}
        server.database.stats.reset()
        refusal(await post(server, "/auth/code-exchange", {"code": code}), 400, "CODE_INVALID")
        assert dict(server.database.stats.by_collection) == {"signInCodes": 2}
        server.database.stats.reset()
        refusal(await post(server, "/auth/code-exchange", {"code": "short"}), 400, "CODE_INVALID")
        assert server.database.stats.calls == 0
