"""Feedback writes under concurrency and failure: answering a request, editing against a retraction,
reactions and follow-ups each decide on what they read and write only if it still holds."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.conftest import RunningServer
from tests.feedback.support import codes, failing_at, first_of, person, stored, teammates, watching
from tests.interleave import hold

REQUEST = """
mutation($input: RequestFeedbackInput!) { requestFeedback(input: $input) { request { id } errors { code } } }"""
ANSWER = """
mutation($id: ID!, $text: String!) {
  answerFeedbackRequest(requestId: $id, input: {text: $text}) {
    feedback { id } request { id open answeredCount } errors { field code }
  }
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
    assert (result["errors"], result["request"]["answeredCount"]) == ([], 1)
