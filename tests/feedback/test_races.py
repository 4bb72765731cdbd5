"""Feedback writes under concurrency and failure: answering a request, editing against a retraction,
reactions and follow-ups each decide on what they read and write only if it still holds."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from models.core import clock
from tests.conftest import RunningServer
from tests.feedback.support import codes, first_of, person, stored, teammates, watching
from tests.interleave import failing_at, hold

REQUEST = """
mutation($input: RequestFeedbackInput!) { requestFeedback(input: $input) { request { id } errors { code } } }"""
ANSWER = """
mutation($id: ID!, $text: String!) {
  answerFeedbackRequest(requestId: $id, input: {text: $text}) {
    feedback { id } request { id open myPartOpen } errors { field code }
  }
}"""
GIVE = """
mutation($input: GiveFeedbackInput!) { giveFeedback(input: $input) { feedback { id } errors { code } } }"""
EDIT = """
mutation($id: ID!, $text: String!) {
  editFeedback(id: $id, input: {text: $text}) { feedback { text } errors { code } }
}"""
RETRACT = "mutation($id: ID!) { retractFeedback(id: $id) { errors { code } } }"
FOLLOW_UP = """
mutation($input: CreateFollowUpInput!) { createFollowUp(input: $input) { followUp { id } errors { code } } }"""
DONE = """
mutation($id: ID!) { updateFollowUp(id: $id, input: {done: true}) { followUp { done doneAt } errors { code } } }"""
POST = """
mutation($input: PostPraiseInput!) { postPraise(input: $input) { praise { id } errors { code } } }"""
REACT = """
mutation($id: ID!, $kind: ReactionKind!) {
  reactToPraise(praiseId: $id, kind: $kind) { praise { myReaction reactions { kind count } } errors { code } }
}"""


def due(days: int = 7) -> str:
    return (datetime.now(UTC).date() + timedelta(days=days)).isoformat()


async def ask(server: RunningServer, respondents: list[str]) -> str:
    body = await server.client("employee").data(REQUEST, {"input": {
        "respondentIds": respondents, "question": "How did the launch go?", "dueDate": due()}})
    assert body["requestFeedback"]["errors"] == []
    return body["requestFeedback"]["request"]["id"]


async def answer(server: RunningServer, who: str, request_id: str, text: str) -> dict[str, Any]:
    return await server.client(who).execute(ANSWER, {"id": request_id, "text": text})


async def test_answering_twice_at_once_writes_one_answer(server: RunningServer) -> None:
    # given a request to a teammate, answered from two tabs at once: the first is held as it writes its answer
    mate = teammates(person("employee"))[0]["_id"]
    request_id = await ask(server, [mate])
    async with hold(server.database, "feedback", "insert_one") as held:
        first = asyncio.create_task(answer(server, mate, request_id, "first tab"))
        await held.reached.wait()
        # when the second runs until it finishes or tries to record its own answer
        async with watching(server.database, "feedbackRequests", "update_one") as recording:
            second = asyncio.create_task(answer(server, mate, request_id, "second tab"))
            await first_of(second, recording)
    bodies = await asyncio.gather(first, second)
    # then one answer is written and the other is refused as a repeat, with no error
    assert [body.get("errors") for body in bodies] == [None, None]
    results = [body["data"]["answerFeedbackRequest"] for body in bodies]
    assert sorted(codes(r["errors"]) for r in results) == [[], [("requestId", "DUPLICATE")]]
    written = await stored(server, "feedback", requestId=request_id)
    assert len(written) == 1
    [request] = await stored(server, "feedbackRequests", _id=request_id)
    assert request["answers"][mate]["feedbackId"] == written[0]["_id"]


async def test_an_answer_failing_half_way_leaves_the_request_unanswered(server: RunningServer) -> None:
    # given an answer whose feedback fails to be written after the answer was recorded on the request
    mate = teammates(person("employee"))[0]["_id"]
    request_id = await ask(server, [mate])
    async with failing_at(server.database, "feedback", "insert_one"):
        body = await answer(server, mate, request_id, "lost")
    assert body.get("errors")
    # then the request shows no answer, and the respondent's part stays open
    [request] = await stored(server, "feedbackRequests", _id=request_id)
    assert request["answers"] == {}
    assert await stored(server, "feedback", requestId=request_id) == []
    # and answering again completes it once
    result = (await answer(server, mate, request_id, "again"))["data"]["answerFeedbackRequest"]
    assert (result["errors"], result["request"]["myPartOpen"]) == ([], False)
    [request] = await stored(server, "feedbackRequests", _id=request_id)
    assert list(request["answers"]) == [mate]


async def give(server: RunningServer) -> tuple[str, datetime]:
    """Private feedback from a teammate to the employee: its id and creation time."""
    body = await server.client(teammates(person("employee"))[0]["_id"]).data(GIVE, {"input": {
        "recipientId": person("employee")["_id"], "text": "Try smaller PRs", "visibility": "PRIVATE"}})
    id = body["giveFeedback"]["feedback"]["id"]
    [doc] = await stored(server, "feedback", _id=id)
    return id, doc["createdAt"]


async def test_an_edit_whose_window_closes_before_its_write_changes_nothing(server: RunningServer,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    # given feedback given a moment ago, and its author editing it at 14 minutes, held after the window
    # was checked (at its read of the settings) and before the write
    id, created = await give(server)
    author = teammates(person("employee"))[0]["_id"]
    monkeypatch.setattr(clock, "now", lambda: created + timedelta(minutes=14))
    async with hold(server.database, "feedbackSettings", "find") as held:
        edit = asyncio.create_task(server.client(author).data(EDIT, {"id": id, "text": "late words"}))
        await held.reached.wait()
        # when the 15 minutes end meanwhile
        monkeypatch.setattr(clock, "now", lambda: created + timedelta(minutes=16))
    body = (await edit)["editFeedback"]
    # then the edit is refused and the text stays
    assert [e["code"] for e in body["errors"]] == ["CONFLICT"]
    [doc] = await stored(server, "feedback", _id=id)
    assert (doc["text"], doc["editedAt"]) == ("Try smaller PRs", None)


async def test_a_retraction_during_an_edit_wins(server: RunningServer) -> None:
    # given the author editing their feedback, held before the write, and retracting it meanwhile
    id, _ = await give(server)
    author = server.client(teammates(person("employee"))[0]["_id"])
    async with hold(server.database, "feedback", "update_one") as held:
        edit = asyncio.create_task(author.data(EDIT, {"id": id, "text": "new words"}))
        await held.reached.wait()
        assert (await author.data(RETRACT, {"id": id}))["retractFeedback"]["errors"] == []
    # then the edit is refused and the tombstone keeps no text
    assert [e["code"] for e in (await edit)["editFeedback"]["errors"]] == ["CONFLICT"]
    [doc] = await stored(server, "feedback", _id=id)
    assert (doc["text"], doc["tags"], doc["retractedAt"] is not None) == (None, [], True)


async def test_marking_a_follow_up_done_from_two_tabs_sets_its_time_once(server: RunningServer,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    # given a follow-up of the employee's, marked done from two tabs: the first held before its write
    id, _ = await give(server)
    body = await server.client("employee").data(FOLLOW_UP, {"input": {
        "feedbackId": id, "text": "Split the next PR", "dueDate": due()}})
    follow_up = body["createFollowUp"]["followUp"]["id"]
    first_time = clock.now()
    monkeypatch.setattr(clock, "now", lambda: first_time)
    async with hold(server.database, "followUps", "update_one") as held:
        first = asyncio.create_task(server.client("employee").data(DONE, {"id": follow_up}))
        await held.reached.wait()
        # when the second tab marks it done a minute later, to completion
        monkeypatch.setattr(clock, "now", lambda: first_time + timedelta(minutes=1))
        second = (await server.client("employee").data(DONE, {"id": follow_up}))["updateFollowUp"]
    first_body = (await first)["updateFollowUp"]
    # then the second call's time stands (the first found it done already and changed nothing), and both say so
    [doc] = await stored(server, "followUps", _id=follow_up)
    assert doc["done"] and first_body["errors"] == second["errors"] == []
    assert doc["doneAt"] == datetime.fromisoformat(second["followUp"]["doneAt"])
    assert first_body["followUp"] == second["followUp"]


@pytest.mark.parametrize(("other", "expected"), [("LIKE", None), ("HEART", "like")])
async def test_reactions_from_two_tabs_apply_one_after_the_other(server: RunningServer, other: str,
                                                                 expected: str | None) -> None:
    # given a praise, and the employee liking it in one tab, held before the write
    body = await server.client("manager").data(POST, {"input": {
        "recipientIds": [person("employee")["_id"]], "message": "Great launch!", "value": "Ownership"}})
    praise = body["postPraise"]["praise"]["id"]
    employee = server.client("employee")
    async with hold(server.database, "praise", "update_one") as held:
        first = asyncio.create_task(employee.data(REACT, {"id": praise, "kind": "LIKE"}))
        await held.reached.wait()
        # when another tab reacts meanwhile (the same kind again, or another kind)
        assert (await employee.data(REACT, {"id": praise, "kind": other}))["reactToPraise"]["errors"] == []
    assert (await first)["reactToPraise"]["errors"] == []
    # then the like is applied after it: a second like takes the like back, a heart is replaced by it
    [doc] = await stored(server, "praise", _id=praise)
    assert doc["reactions"].get(person("employee")["_id"]) == expected
    assert len(doc["reactions"]) == (0 if expected is None else 1)
