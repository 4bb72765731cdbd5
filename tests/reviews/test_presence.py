"""reviewPresence: who is viewing a form and which question each is editing, updated as they move, cleared
when a connection closes, and shared between server processes through the bus."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from resolvers.reviews.presence import registry_for
from tests import conftest
from tests.client import Subscriber, answer, websocket
from tests.conftest import NORTHWIND, RunningServer, start_server, stop_server
from tests.reviews.support import RUNNING, persona, seeded_form, seeded_review

PRESENCE = """
subscription($form: ID!, $session: String, $question: String) {
  reviewPresence(formId: $form, sessionId: $session, questionId: $question) {
    formId sessionId viewers { sessionId employeeId questionId employee { name } }
  }
}"""
MOVE = """
mutation($form: ID!, $session: String!, $question: String) {
  moveReviewPresence(formId: $form, sessionId: $session, questionId: $question) { sessionId errors { code } }
}"""
REDIS_URL = "redis://127.0.0.1:6379/0"


def self_form() -> dict[str, Any]:
    return seeded_form(seeded_review(RUNNING, persona("employee")["_id"]), "self")


def viewer(employee_id: str, session: str, question: str | None) -> dict[str, Any]:
    name = next(e["name"] for e in NORTHWIND.employees if e["_id"] == employee_id)
    return {"sessionId": session, "employeeId": employee_id, "questionId": question, "employee": {"name": name}}


async def viewers(subscriber: Subscriber) -> list[dict[str, Any]]:
    return (await subscriber.next_payload())["data"]["reviewPresence"]["viewers"]


async def test_presence_follows_viewers_as_they_come_move_and_leave(server: RunningServer) -> None:
    # given the reviewer viewing their self form on their phone
    form = self_form()
    me, manager = persona("employee")["_id"], persona("employee")["managerId"]
    async with websocket(server.ws_url, server.token("employee")) as phone:
        await phone.subscribe(PRESENCE, {"form": form["_id"], "session": "phone"})
        assert await viewers(phone) == [viewer(me, "phone", None)]
        # when their manager opens the form, editing "impact"
        async with websocket(server.ws_url, server.token(manager)) as desk:
            await desk.subscribe(PRESENCE, {"form": form["_id"], "session": "desk", "question": "impact"})
            both = [viewer(me, "phone", None), viewer(manager, "desk", "impact")]
            # then both see both
            assert await viewers(desk) == both
            assert await viewers(phone) == both
            # when the reviewer moves to "strengths"
            moved = await server.client("employee").data(MOVE, {"form": form["_id"], "session": "phone",
                                                                 "question": "strengths"})
            assert moved["moveReviewPresence"] == {"sessionId": "phone", "errors": []}
            # then both see it
            now = [viewer(me, "phone", "strengths"), viewer(manager, "desk", "impact")]
            assert await viewers(phone) == now
            assert await viewers(desk) == now
            # when the manager tries to move the reviewer's session, then nothing moves
            await server.client(manager).data(MOVE, {"form": form["_id"], "session": "phone", "question": "growth"})
            # (the reviewer's own next moves are the next things the phone sees)
            for question in ("impact", "strengths"):
                await server.client("employee").data(MOVE, {"form": form["_id"], "session": "phone",
                                                            "question": question})
                assert await viewers(phone) == [viewer(me, "phone", question), viewer(manager, "desk", "impact")]
        # when the manager's connection closes, then the reviewer sees them gone
        assert await viewers(phone) == [viewer(me, "phone", "strengths")]
    # and when the last one leaves, nothing is left behind
    await server.wait_subscribers(0)
    assert registry_for(server.bus).forms == {}


async def test_presence_is_refused_to_those_who_may_not_read_the_form(server: RunningServer) -> None:
    form = self_form()
    peer = next(e for e in NORTHWIND.employees if e["managerId"] == persona("employee")["managerId"]
                and e["_id"] != persona("employee")["_id"])
    async with websocket(server.ws_url, server.token(peer["_id"])) as stranger:
        await stranger.subscribe(PRESENCE, {"form": form["_id"]})
        message = await stranger.receive()
    assert [e["extensions"]["code"] for e in message["payload"]["errors"]] == ["FORBIDDEN"]
    body = await server.client(peer["_id"]).execute(MOVE, {"form": form["_id"], "session": "x", "question": None})
    # the payload refuses, echoing only the caller's own session id
    assert answer(body) == {"data": {"moveReviewPresence": {"sessionId": "x", "errors": [{"code": "FORBIDDEN"}]}}}


@asynccontextmanager
async def redis_servers() -> AsyncIterator[tuple[RunningServer, RunningServer]]:
    """Two servers (each with a seeded database of its own) sharing Redis, like two processes."""
    started = []
    try:
        for _ in range(2):
            settings = dataclasses.replace(conftest.settings_for_tests(), broadcast_url=REDIS_URL)
            started.append(await start_server(settings))
        yield started[0][1], started[1][1]
    finally:
        for uvicorn_server, running in started:
            await stop_server(uvicorn_server, running)


async def test_presence_is_shared_between_processes() -> None:
    # given two server processes sharing Redis, and the reviewer viewing their form on the first
    form = self_form()
    me, manager = persona("employee")["_id"], persona("employee")["managerId"]
    async with redis_servers() as (first, second), websocket(first.ws_url, first.token("employee")) as phone:
        await phone.subscribe(PRESENCE, {"form": form["_id"], "session": "phone"})
        assert await viewers(phone) == [viewer(me, "phone", None)]
        # when the manager opens it on the second process
        async with websocket(second.ws_url, second.token(manager)) as desk:
            await desk.subscribe(PRESENCE, {"form": form["_id"], "session": "desk"})
            # then each sees the other, whichever process they are on
            both = [viewer(me, "phone", None), viewer(manager, "desk", None)]
            async with asyncio.timeout(5):
                while (seen := await viewers(desk)) != both:
                    assert len(seen) <= 2
            assert await viewers(phone) == both
        # when the second connection closes, then the first process hears that too
        assert await viewers(phone) == [viewer(me, "phone", None)]
