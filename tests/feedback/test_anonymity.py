"""The anonymity proof for upward feedback.

Through every query, nested field and subscription that can reach anonymous feedback, as the manager it
was sent to, that manager's own manager, an HR admin and another employee: the authors' ids, names and
emails never appear, and nothing (not a word of text) is released below the threshold. The stored
documents, the published events and the log lines are inspected too.
"""

from __future__ import annotations

import logging
import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from models.feedback.rules import period_of
from store.core.database import INDEXES
from tests.client import answer, websocket
from tests.conftest import RunningServer
from tests.feedback.support import (
    ACTIVE,
    clear_domain,
    codes,
    dumps,
    marker_comes_first,
    outsider,
    person,
    recorded_events,
    reports_of,
    snapshot,
    stored,
)

SEND = """
mutation($input: AnonymousFeedbackInput!) {
  sendAnonymousFeedback(input: $input) { sent errors { field code message } }
}"""
REQUEST = """
mutation($input: RequestFeedbackInput!) { requestFeedback(input: $input) { request { id } errors { code } } }"""
ANSWER = """
mutation($id: ID!, $text: String!) {
  answerFeedbackRequest(requestId: $id, input: {text: $text}) { feedback { id } request { id } errors { field code } }
}"""
FOLLOW_UP = """
mutation($input: CreateFollowUpInput!) { createFollowUp(input: $input) { followUp { id } errors { code } } }"""
# Everything that can reach anonymous feedback, for whoever asks.
REACHING = [
    """query($period: String!) {
      anonymousFeedback(period: $period) { period threshold pendingCount items {
        id text tags direction day period release
        followUps { id text owner { id name email } createdBy { id name } employee { id name } feedback { id } }
      } }
      anonymousFeedbackPeriods
    }""",
    """{ feedbackReceived(first: 100) { totalCount edges { node { id text author { id name email } } } }
         feedbackGiven(first: 100) { totalCount edges { node { id text recipient { id } } } } }""",
    "query($item: ID!) { feedback(id: $item) { id text author { id name } } }",
    """{ myFollowUps(includeDone: true) { id text anonymousFeedback { id text day } feedback { id author { id } } }
         myFeedbackRequests { id anonymous open answeredCount answeredBy { id } responses { id author { id } } }
         pendingFeedbackRequests { id anonymous myPartOpen } }""",
    """query($manager: ID!) { employee(id: $manager) { openFollowUps {
        id text fromAnonymousFeedback owner { id name } createdBy { id name }
        anonymousFeedback { id text day release followUps { id } } feedback { id author { id } } } } }""",
    "query($manager: ID!) { feedbackAbout(employeeId: $manager, first: 100) { edges { node { id author { id } } } } }",
    """query($request: ID!) { feedbackRequest(id: $request) {
        id anonymous open overdue answeredCount myPartOpen answeredBy { id } responses { id } } }""",
    "{ followUpStats { department { id } open overdue } }",
]
EVENTS = """
subscription { feedbackReceived {
  kind feedback { id author { id name email } } request { id }
  anonymousFeedback { id text tags day period release direction followUps { id } }
} }"""
SOON = (datetime.now(UTC).date() + timedelta(days=30)).isoformat()
ITEM_FIELDS = {"_id", "organizationId", "managerId", "period", "day", "text", "tags", "direction", "release", "rank"}
CONTRIBUTOR_FIELDS = {"_id", "organizationId", "managerId", "period", "contributors", "releases"}


class Scene:
    """A manager with five reports; four of them (and a fifth through a request) write anonymously."""

    def __init__(self) -> None:
        names = [e["name"] for e in ACTIVE]
        for manager in (e for e in ACTIVE if e["managerId"] and "hr_admin" not in e["roles"]):
            reports = reports_of(manager["_id"])
            unique = [r for r in reports if names.count(r["name"]) == 1 and r["name"] not in manager["name"]]
            if len(unique) >= 5:
                self.manager, self.authors = manager, unique[:5]
                break
        self.viewers = {"manager": self.manager["_id"], "manager's manager": self.manager["managerId"],
                        "hr admin": person("hr_admin")["_id"], "colleague": outsider(self.manager, *reports)["_id"]}
        self.secrets = [s for a in self.authors for s in (a["_id"], a["name"], a["email"])]
        self.texts: list[str] = []
        self.period = period_of(datetime.now(UTC).date())
        self.item = "0" * 24
        self.request = "0" * 24

    def text(self) -> str:
        self.texts.append(f"Anonymous note {uuid.uuid4().hex}")
        return self.texts[-1]

    def leaks(self, value: Any) -> list[str]:
        dumped = dumps(value)
        return [s for s in self.secrets if s in dumped]


async def send(server: RunningServer, scene: Scene, author: dict[str, Any]) -> dict[str, Any]:
    variables = {"input": {"managerId": scene.manager["_id"], "text": scene.text(), "tags": ["Candor"]}}
    with recorded_events(server) as events:
        result = (await server.client(author["_id"]).data(SEND, variables))["sendAnonymousFeedback"]
    assert scene.leaks(events) == [], "an event payload names an author"
    return result


async def look_everywhere(server: RunningServer, scene: Scene, released: int) -> dict[str, int]:
    """Run every reaching query as every viewer; check no author leaks and texts only when released."""
    pending = {}
    variables = {"period": scene.period, "item": scene.item, "manager": scene.manager["_id"],
                 "request": scene.request}
    for label, viewer in scene.viewers.items():
        for query in REACHING:
            wanted = {k: v for k, v in variables.items() if f"${k}" in query}
            body = await server.client(viewer).execute(query, wanted)
            assert scene.leaks(body) == [], (label, query)
            shown = [t for t in scene.texts if t in dumps(body)]
            if label != "manager":
                assert shown == [], (label, query)
            else:  # released texts only, and all of them where the items are listed
                assert set(shown) <= set(scene.texts[:released]), query
            if "pendingCount" in query:
                pending[label] = body["data"]["anonymousFeedback"]["pendingCount"]
                items = body["data"]["anonymousFeedback"]["items"]
                assert sorted(i["text"] for i in items) == sorted(scene.texts[:released] if label == "manager" else [])
    return pending


async def test_nobody_can_learn_an_author(server: RunningServer, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    await clear_domain(server)
    scene = Scene()
    a, b, c, d, e = scene.authors
    async with websocket(server.ws_url, server.token(scene.manager["_id"])) as manager_socket, \
            websocket(server.ws_url, server.token("hr_admin")) as hr_socket, \
            websocket(server.ws_url, server.token(scene.viewers["colleague"])) as colleague_socket:
        for socket in (manager_socket, hr_socket, colleague_socket):
            await socket.subscribe(EVENTS)
        await server.wait_subscribers(3)

        # given one anonymous item: the manager sees a count, nobody sees a word
        assert await send(server, scene, a) == {"sent": True, "errors": []}
        assert await look_everywhere(server, scene, released=0) == {
            "manager": 1, "manager's manager": 0, "hr admin": 0, "colleague": 0}
        # when the same author sends again, then DUPLICATE and nothing changes (one author cannot fill the quota)
        before = await snapshot(server)
        repeat = await send(server, scene, a)
        assert (repeat["sent"], codes(repeat["errors"])) == (False, [("managerId", "DUPLICATE")])
        assert await snapshot(server) == before
        scene.texts.pop()
        # given a second author: still nothing released, nothing pushed
        await send(server, scene, b)
        assert (await look_everywhere(server, scene, released=0))["manager"] == 2
        await marker_comes_first(server, manager_socket, scene.manager["_id"], scene.manager["managerId"])

        # when the third distinct author writes, then the batch of three is released to the manager only
        await send(server, scene, c)
        event = (await manager_socket.next_payload())["data"]["feedbackReceived"]
        assert event["kind"] == "ANONYMOUS_RELEASED"
        assert sorted(i["text"] for i in event["anonymousFeedback"]) == sorted(scene.texts)
        assert {(i["day"], i["period"], i["release"], i["direction"]) for i in event["anonymousFeedback"]} == {
            (datetime.now(UTC).date().isoformat(), scene.period, 1, "UPWARD")}
        assert scene.leaks(event) == []
        scene.item = event["anonymousFeedback"][0]["id"]
        assert await look_everywhere(server, scene, released=3) == {
            "manager": 0, "manager's manager": 0, "hr admin": 0, "colleague": 0}

        # given a fourth author: a new batch starts, pending and unread
        await send(server, scene, d)
        assert (await look_everywhere(server, scene, released=3))["manager"] == 1

        # given an anonymous request to all five: the requester's view is the same before and after answers
        respondents = [r["_id"] for r in scene.authors]
        body = await server.client(scene.manager["_id"]).data(REQUEST, {"input": {
            "respondentIds": respondents, "question": "What should I change?", "dueDate": SOON,
            "anonymous": True}})
        scene.request = body["requestFeedback"]["request"]["id"]
        view = ("query($id: ID!) { feedbackRequest(id: $id) { id anonymous open answeredCount answeredBy { id } "
                "responses { id } respondents { id } myPartOpen } }")
        as_requester = answer(await server.client(scene.manager["_id"]).execute(view, {"id": scene.request}))
        with recorded_events(server) as events:
            answered = await server.client(e["_id"]).data(ANSWER, {"id": scene.request, "text": scene.text()})
        assert answered["answerFeedbackRequest"]["errors"] == []
        assert answered["answerFeedbackRequest"]["feedback"] is None
        assert scene.leaks(events) == []
        assert answer(await server.client(scene.manager["_id"]).execute(view, {"id": scene.request})) == as_requester
        # and an author who already wrote this period cannot answer a second time
        before = await snapshot(server)
        again = await server.client(a["_id"]).data(ANSWER, {"id": scene.request, "text": "twice"})
        assert codes(again["answerFeedbackRequest"]["errors"]) == [("managerId", "DUPLICATE")]
        assert await snapshot(server) == before
        # and the answered parts are closed without anything recording who answered
        for author in (a, e):
            pending = await server.client(author["_id"]).data("{ pendingFeedbackRequests { id } }")
            assert scene.request not in [r["id"] for r in pending["pendingFeedbackRequests"]]
        assert (await stored(server, "feedbackRequests", _id=scene.request))[0]["answers"] == {}

        # given a follow-up the manager spawned from a released item
        body = await server.client(scene.manager["_id"]).data(FOLLOW_UP, {"input": {
            "feedbackId": scene.item, "text": "Shorter meetings", "dueDate": SOON}})
        assert body["createFollowUp"]["errors"] == []
        # then still: nobody learns an author, the fifth and fourth items stay pending (two of them)
        assert (await look_everywhere(server, scene, released=3))["manager"] == 2
        # and the HR admin and the colleague were pushed nothing at all
        await marker_comes_first(server, hr_socket, scene.viewers["hr admin"], scene.viewers["colleague"])
        await marker_comes_first(server, colleague_socket, scene.viewers["colleague"], scene.viewers["hr admin"])

    await assert_storage_holds_no_author(server, scene)
    server_logs = [r.getMessage() for r in caplog.records if not r.name.startswith(("httpx", "httpcore", "websockets"))]
    assert scene.leaks(server_logs) == []


async def assert_storage_holds_no_author(server: RunningServer, scene: Scene) -> None:
    items = await stored(server, "anonymousFeedback")
    assert len(items) == 5
    for item in items:
        # no author field, no exact time, a random id; the day only
        assert set(item) <= ITEM_FIELDS
        assert not any(isinstance(v, datetime) for v in item.values())
        assert re.fullmatch(r"[0-9a-f]{24}", item["_id"])
        assert scene.leaks(item) == []
    released = sorted((i for i in items if i["release"] is not None), key=lambda i: i["rank"])
    assert [i["rank"] for i in released] == [0, 1, 2]
    [contributors] = await stored(server, "anonymousContributors", managerId=scene.manager["_id"])
    assert set(contributors) <= CONTRIBUTOR_FIELDS
    assert len(contributors["contributors"]) == 5 == len(set(contributors["contributors"]))
    assert contributors["contributors"] == sorted(contributors["contributors"])  # no order of arrival
    assert all(re.fullmatch(r"[0-9a-f]{64}", h) for h in contributors["contributors"])
    assert scene.leaks(contributors) == []
    assert not any(i["_id"] in dumps(contributors) for i in items)
    # and no document anywhere that names an item names an author
    item_ids = [i["_id"] for i in items]
    for name in INDEXES:
        for doc in await getattr(server.database, name).find({}).to_list(None):
            if any(id in dumps(doc) for id in item_ids):
                assert scene.leaks(doc) == [], name


async def test_a_lost_release_is_logged_without_any_id(server: RunningServer, caplog: pytest.LogCaptureFixture
                                                       ) -> None:
    # given two anonymous items waiting, and a bus that loses every event from now on
    await clear_domain(server)
    scene = Scene()
    for author in scene.authors[:2]:
        await send(server, scene, author)
    original = server.bus.publish

    async def lose(channel: str, message: Any) -> None:
        raise RuntimeError(f"lost {channel} {message}")

    server.bus.publish = lose
    caplog.set_level(logging.ERROR, logger="perfgraph.events")
    try:
        # when the third distinct author's item releases the batch
        assert await send(server, scene, scene.authors[2]) == {"sent": True, "errors": []}
    finally:
        server.bus.publish = original
    # then the release stands, and the one log line names the channel's and the event's kinds only
    items = await stored(server, "anonymousFeedback")
    assert sorted(i["release"] for i in items) == [1, 1, 1]
    lines = [r.getMessage() for r in caplog.records if r.name == "perfgraph.events"]
    assert lines == ["event not published on feedback-received (anonymous_released): RuntimeError"]
    ids = [scene.manager["_id"], scene.manager["organizationId"], *(i["_id"] for i in items)]
    assert [id for id in ids if id in lines[0]] == []
    assert scene.leaks(lines) == []
