"""``feedbackReceived``: new feedback and requests addressed to the subscriber, and nothing addressed to anyone
else (notes to managers, other people's feedback, other organisations)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.client import LEGACY_WS, TRANSPORT_WS, websocket
from tests.conftest import GLOBEX, RunningServer
from tests.feedback.support import marker_comes_first, outsider, person, teammates

RECEIVED = """
subscription { feedbackReceived {
  kind
  feedback { id text visibility author { id } recipient { id } request { id question } }
  request { id question requester { id } myPartOpen }
  anonymousFeedback { id }
} }"""
GIVE = """
mutation($input: GiveFeedbackInput!) { giveFeedback(input: $input) { feedback { id } errors { code } } }"""
REQUEST = """
mutation($input: RequestFeedbackInput!) { requestFeedback(input: $input) { request { id } errors { code } } }"""
ANSWER = """
mutation($id: ID!) { answerFeedbackRequest(requestId: $id, input: {text: "Solid"}) { feedback { id } errors { code } } }
"""


async def give(server: RunningServer, author: str, recipient: str, visibility: str, text: str) -> str:
    body = await server.client(author).data(GIVE, {"input": {"recipientId": recipient, "text": text,
                                                             "visibility": visibility}})
    return body["giveFeedback"]["feedback"]["id"]


@pytest.mark.parametrize("protocol", [TRANSPORT_WS, LEGACY_WS])
async def test_feedback_reaches_its_recipient_only(server: RunningServer, protocol: str) -> None:
    # given subscribers: the employee, a teammate of theirs, their manager, and someone at Globex
    employee = person("employee")
    mate = teammates(employee)[0]["_id"]
    async with websocket(server.ws_url, server.token("employee"), protocol) as recipient, \
            websocket(server.ws_url, server.token(mate), protocol) as teammate, \
            websocket(server.ws_url, server.token(employee["managerId"]), protocol) as manager, \
            websocket(server.ws_url, server.token(GLOBEX.employees[0]["_id"], GLOBEX), protocol) as elsewhere:
        for socket in (recipient, teammate, manager, elsewhere):
            await socket.subscribe(RECEIVED)
        await server.wait_subscribers(4)
        # when an outsider gives the employee private feedback, then a note to their managers
        author = outsider(employee)["_id"]
        private = await give(server, author, employee["_id"], "PRIVATE", "Nice demo")
        await give(server, author, employee["_id"], "MANAGER_ONLY", "A note for the managers")
        shared = await give(server, author, employee["_id"], "RECIPIENT_AND_MANAGER", "Great write-up")
        # then the employee gets the private and the shared item, in order, never the note
        for expected, text, visibility in ((private, "Nice demo", "PRIVATE"),
                                           (shared, "Great write-up", "RECIPIENT_AND_MANAGER")):
            event = (await recipient.next_payload())["data"]["feedbackReceived"]
            assert event["kind"] == "FEEDBACK"
            assert event["feedback"] == {"id": expected, "text": text, "visibility": visibility,
                                         "author": {"id": author}, "recipient": {"id": employee["_id"]},
                                         "request": None}
            assert (event["request"], event["anonymousFeedback"]) == (None, [])
        # and nobody else hears anything: not the teammate, not the manager (it is not addressed to them), not Globex
        await marker_comes_first(server, recipient, employee["_id"], mate)
        await marker_comes_first(server, teammate, mate, employee["_id"])
        await marker_comes_first(server, manager, employee["managerId"], employee["_id"])
        globex = GLOBEX.employees[0]["_id"]
        await marker_comes_first(server, elsewhere, globex, GLOBEX.employees[1]["_id"], GLOBEX)


async def test_requests_reach_the_people_asked_and_answers_the_requester(server: RunningServer) -> None:
    # given the employee's manager asks two teammates about the employee; everyone involved is subscribed
    employee = person("employee")
    manager = employee["managerId"]
    asked = [t["_id"] for t in teammates(employee)[:2]]
    async with websocket(server.ws_url, server.token(asked[0])) as first, \
            websocket(server.ws_url, server.token(asked[1])) as second, \
            websocket(server.ws_url, server.token(manager)) as requester, \
            websocket(server.ws_url, server.token("employee")) as subject:
        for socket in (first, second, requester, subject):
            await socket.subscribe(RECEIVED)
        await server.wait_subscribers(4)
        due = (datetime.now(UTC).date() + timedelta(days=5)).isoformat()
        body = await server.client(manager).data(REQUEST, {"input": {
            "respondentIds": asked, "subjectId": employee["_id"], "question": "How is the onboarding going?",
            "dueDate": due}})
        request_id = body["requestFeedback"]["request"]["id"]
        # then each person asked gets the request, with their part open
        for socket in (first, second):
            event = (await socket.next_payload())["data"]["feedbackReceived"]
            assert event["kind"] == "REQUEST"
            assert event["request"] == {"id": request_id, "question": "How is the onboarding going?",
                                        "requester": {"id": manager}, "myPartOpen": True}
        # when the first answers (a note for the subject's managers by default)
        await server.client(asked[0]).data(ANSWER, {"id": request_id})
        # then the requesting manager gets the answer, and the subject nothing (the note is not for them)
        event = (await requester.next_payload())["data"]["feedbackReceived"]
        assert event["kind"] == "FEEDBACK"
        assert (event["feedback"]["visibility"], event["feedback"]["request"]["id"]) == ("MANAGER_ONLY", request_id)
        await marker_comes_first(server, subject, employee["_id"], manager)
        await marker_comes_first(server, second, asked[1], manager)
