"""Feedback requests end to end: asking, the respondents' pending lists, answering to completion, what the
requester and the subject see, a retry after a half-done answer, and every refusal writing nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.conftest import GLOBEX, RunningServer
from tests.feedback.support import (
    PEOPLE,
    SEED,
    UNKNOWN_ID,
    codes,
    outsider,
    person,
    reports_of,
    snapshot,
    stored,
    teammates,
)

REQUEST = """
mutation($input: RequestFeedbackInput!) {
  requestFeedback(input: $input) {
    request { id question dueDate anonymous open requester { id } subject { id } }
    errors { field code message }
  }
}"""
ANSWER = """
mutation($id: ID!, $input: AnswerFeedbackRequestInput!) {
  answerFeedbackRequest(requestId: $id, input: $input) {
    feedback { id text visibility direction author { id } recipient { id } request { id } }
    request { id open myPartOpen }
    errors { field code message }
  }
}"""
PENDING = "{ pendingFeedbackRequests { id myPartOpen anonymous requester { id } subject { id } } }"
AS_REQUESTER = """
query($id: ID!) {
  feedbackRequest(id: $id) {
    id open answeredCount myPartOpen
    respondents { id } answeredBy { id } responses { id text author { id } visibility }
  }
}"""
AS_RESPONDENT = "query($id: ID!) { feedbackRequest(id: $id) { id question myPartOpen requester { id } } }"
RESPONDENTS_ONLY = "query($id: ID!) { feedbackRequest(id: $id) { respondents { id } } }"
RECEIVED = "{ feedbackReceived(first: 100) { edges { node { id } } } }"


def due(days: int = 7) -> str:
    return (datetime.now(UTC).date() + timedelta(days=days)).isoformat()


def request_input(respondents: list[str], **overrides: Any) -> dict[str, Any]:
    return {"respondentIds": respondents, "question": "How did the launch go?", "dueDate": due(), **overrides}


async def ask(server: RunningServer, who: str, respondents: list[str], **overrides: Any) -> dict[str, Any]:
    body = await server.client(who).data(REQUEST, {"input": request_input(respondents, **overrides)})
    assert body["requestFeedback"]["errors"] == []
    return body["requestFeedback"]["request"]


async def pending_ids(server: RunningServer, who: str) -> list[str]:
    return [r["id"] for r in (await server.client(who).data(PENDING))["pendingFeedbackRequests"]]


async def test_a_self_request_flows_to_completion(server: RunningServer) -> None:
    # given the employee asks a teammate, an outsider and their manager about themselves
    employee = person("employee")
    respondents = [teammates(employee)[0]["_id"], outsider(employee)["_id"], employee["managerId"]]
    request = await ask(server, "employee", respondents)
    assert (request["requester"]["id"], request["subject"]["id"], request["open"]) == (employee["_id"],) * 2 + (True,)
    # then each respondent has it pending, and the requester sees who was asked but no answers yet
    for respondent in respondents:
        assert request["id"] in await pending_ids(server, respondent)
    view = (await server.client("employee").data(AS_REQUESTER, {"id": request["id"]}))["feedbackRequest"]
    assert [r["id"] for r in view["respondents"]] == respondents
    assert (view["answeredBy"], view["responses"], view["answeredCount"], view["open"]) == ([], [], 0, True)
    # when they answer one by one
    answers = []
    for index, respondent in enumerate(respondents):
        visibility = "RECIPIENT_AND_MANAGER" if index == 1 else None
        body = await server.client(respondent).data(ANSWER, {"id": request["id"], "input": {
            "text": f"Answer {index}", "visibility": visibility}})
        result = body["answerFeedbackRequest"]
        assert result["errors"] == []
        # then the answer is feedback from them to the requester, linked to the request
        feedback = result["feedback"]
        assert (feedback["author"]["id"], feedback["recipient"]["id"]) == (respondent, employee["_id"])
        assert feedback["request"]["id"] == request["id"]
        assert feedback["visibility"] == (visibility or "PRIVATE")
        assert result["request"]["myPartOpen"] is False
        view = (await server.client("employee").data(AS_REQUESTER, {"id": request["id"]}))["feedbackRequest"]
        assert view["answeredCount"] == index + 1
        answers.append(feedback["id"])
        # and their part is closed
        assert request["id"] not in await pending_ids(server, respondent)
    # then the requester sees who answered and every answer, and the request is closed
    view = (await server.client("employee").data(AS_REQUESTER, {"id": request["id"]}))["feedbackRequest"]
    assert [r["id"] for r in view["answeredBy"]] == respondents
    assert [r["id"] for r in view["responses"]] == answers
    assert [r["author"]["id"] for r in view["responses"]] == respondents
    assert (view["open"], view["answeredCount"], view["myPartOpen"]) == (False, 3, False)
    received = [e["node"]["id"] for e in (await server.client("employee").data(RECEIVED))["feedbackReceived"]["edges"]]
    assert set(answers) <= set(received)
    [doc] = await stored(server, "feedbackRequests", _id=request["id"])
    assert {k: v["feedbackId"] for k, v in doc["answers"].items()} == dict(zip(respondents, answers, strict=True))


async def test_only_the_requester_sees_who_was_asked_and_the_answers(server: RunningServer) -> None:
    # given a request to two colleagues
    employee = person("employee")
    asked = [teammates(employee)[0]["_id"], outsider(employee)["_id"]]
    request = await ask(server, "employee", asked)
    # when a respondent reads it, then they see the question and their own open part, not the others
    view = (await server.client(asked[0]).data(AS_RESPONDENT, {"id": request["id"]}))["feedbackRequest"]
    assert (view["myPartOpen"], view["requester"]["id"]) == (True, employee["_id"])
    body = await server.client(asked[0]).execute(RESPONDENTS_ONLY, {"id": request["id"]})
    assert "errors" not in body and body["data"] == {"feedbackRequest": {"respondents": None}}
    # when anyone else (HR admins included) reads it, then it does not exist for them
    for reader in ("hr_admin", employee["managerId"], GLOBEX.employees[0]["_id"]):
        org = GLOBEX if reader == GLOBEX.employees[0]["_id"] else server.demo
        assert (await server.client(reader, org).data(AS_RESPONDENT, {"id": request["id"]}))["feedbackRequest"] is None


async def test_a_manager_asks_about_a_report(server: RunningServer) -> None:
    # given the employee's manager asks two of the employee's teammates about the employee
    employee = person("employee")
    manager = employee["managerId"]
    asked = [t["_id"] for t in teammates(employee)[:2]]
    request = await ask(server, manager, asked, subjectId=employee["_id"])
    assert request["subject"]["id"] == employee["_id"]
    # when one answers privately, then it is refused (the requester could not read it) and nothing is written
    before = await snapshot(server)
    body = await server.client(asked[0]).data(ANSWER, {"id": request["id"], "input": {"text": "x",
                                                                                     "visibility": "PRIVATE"}})
    assert codes(body["answerFeedbackRequest"]["errors"]) == [("visibility", "INVALID")]
    assert await snapshot(server) == before
    # when they answer with the default, then it is a note to the subject's managers
    body = await server.client(asked[0]).data(ANSWER, {"id": request["id"], "input": {"text": "Strong quarter"}})
    answer = body["answerFeedbackRequest"]["feedback"]
    assert (answer["visibility"], answer["direction"]) == ("MANAGER_ONLY", "PEER")
    # then the requesting manager reads it, the subject does not see it nor the request
    view = (await server.client(manager).data(AS_REQUESTER, {"id": request["id"]}))["feedbackRequest"]
    assert [r["text"] for r in view["responses"]] == ["Strong quarter"]
    received = [e["node"]["id"] for e in (await server.client("employee").data(RECEIVED))["feedbackReceived"]["edges"]]
    assert answer["id"] not in received
    assert (await server.client("employee").data(AS_RESPONDENT, {"id": request["id"]}))["feedbackRequest"] is None


async def test_answering_again_or_without_being_asked_writes_nothing(server: RunningServer) -> None:
    # given a request answered once
    employee = person("employee")
    mate, stranger = teammates(employee)[0]["_id"], outsider(employee)["_id"]
    request = await ask(server, "employee", [mate])
    await server.client(mate).data(ANSWER, {"id": request["id"], "input": {"text": "first"}})
    before = await snapshot(server)
    # when the respondent answers again, someone not asked answers, or the text is empty / the id unknown
    cases = [(mate, request["id"], "again", [("requestId", "DUPLICATE")]),
             (stranger, request["id"], "uninvited", [("requestId", "NOT_FOUND")]),
             (mate, UNKNOWN_ID, "unknown", [("requestId", "NOT_FOUND")]),
             (mate, request["id"], "", [("text", "REQUIRED"), ("requestId", "DUPLICATE")])]
    for who, id, text, expected in cases:
        body = await server.client(who).data(ANSWER, {"id": id, "input": {"text": text}})
        # then each is refused and nothing changed
        assert codes(body["answerFeedbackRequest"]["errors"]) == expected, text
        assert body["answerFeedbackRequest"]["feedback"] is None
    assert await snapshot(server) == before


async def test_a_retry_completes_a_half_done_answer(server: RunningServer) -> None:
    # given an answer claimed on the request whose feedback was never written (the server stopped between)
    employee = person("employee")
    mate = teammates(employee)[0]["_id"]
    request = await ask(server, "employee", [mate])
    claimed = "f" * 24
    await server.database.feedbackRequests.update_one(
        {"_id": request["id"]}, {"$set": {f"answers.{mate}": {"feedbackId": claimed, "at": datetime.now(UTC)}}})
    # when the respondent answers (again)
    body = await server.client(mate).data(ANSWER, {"id": request["id"], "input": {"text": "second try"}})
    # then the missing answer is written under the claimed id and the request is complete
    result = body["answerFeedbackRequest"]
    assert result["errors"] == []
    assert result["feedback"]["id"] == claimed
    assert result["request"]["open"] is False
    assert [d["text"] for d in await stored(server, "feedback", requestId=request["id"])] == ["second try"]


async def test_pending_requests_match_the_seed(server: RunningServer) -> None:
    # given the seeded requests asking the employee persona (none of them answered by the persona)
    employee = person("employee")
    expected = sorted((r for r in SEED["feedbackRequests"] if employee["_id"] in r["respondentIds"]
                       and employee["_id"] not in r["answers"]), key=lambda r: (r["dueDate"], r["_id"]))
    assert expected
    # when they list their pending requests, then exactly those, soonest due first
    body = (await server.client("employee").data(PENDING))["pendingFeedbackRequests"]
    assert [r["id"] for r in body] == [r["_id"] for r in expected]
    assert all(r["myPartOpen"] for r in body)


def refusals() -> list[tuple[str, str, dict[str, Any], list[tuple[str, str]]]]:
    employee = person("employee")
    mate = teammates(employee)[0]["_id"]
    stranger = outsider(employee)
    leaver = next(e for e in PEOPLE.values() if e["status"] == "terminated")
    manager = person("manager")
    reports = [r["_id"] for r in reports_of(manager["_id"])]
    return [
        ("yourself", "employee", request_input([mate, employee["_id"]]), [("respondentIds", "INVALID")]),
        ("other organisation", "employee", request_input([GLOBEX.employees[2]["_id"]]),
         [("respondentIds", "NOT_FOUND")]),
        ("unknown", "employee", request_input([UNKNOWN_ID]), [("respondentIds", "NOT_FOUND")]),
        ("leaver", "employee", request_input([leaver["_id"]]), [("respondentIds", "INACTIVE")]),
        ("nobody", "employee", request_input([]), [("respondentIds", "REQUIRED")]),
        ("twice", "employee", request_input([mate, mate]), [("respondentIds", "DUPLICATE")]),
        ("subject asked", employee["managerId"], request_input([employee["_id"]], subjectId=employee["_id"]),
         [("respondentIds", "INVALID")]),
        ("not your report", "employee", request_input([mate], subjectId=stranger["_id"]), [("subjectId", "FORBIDDEN")]),
        ("past due", "employee", request_input([mate], dueDate=due(-1)), [("dueDate", "INVALID")]),
        ("empty question", "employee", request_input([mate], question=" "), [("question", "REQUIRED")]),
        ("anonymous about a report", employee["managerId"],
         request_input([mate], subjectId=employee["_id"], anonymous=True),
         [("subjectId", "INVALID"), ("respondentIds", "INVALID")]),
        ("anonymous from peers", "employee", request_input([mate, stranger["_id"], employee["managerId"]],
                                                           anonymous=True), [("respondentIds", "INVALID")]),
        ("anonymous below threshold", manager["_id"], request_input(reports[:2], anonymous=True),
         [("respondentIds", "INVALID")]),
    ]


async def test_refused_requests_write_nothing(server: RunningServer) -> None:
    # given the store before
    before = await snapshot(server)
    for case, who, input, expected in refusals():
        # when the request is refused, then the payload says why
        body = await server.client(who).data(REQUEST, {"input": input})
        assert codes(body["requestFeedback"]["errors"]) == expected, case
        assert body["requestFeedback"]["request"] is None
    # and nothing changed
    assert await snapshot(server) == before


async def test_how_many_answered_is_the_requesters_alone(server: RunningServer) -> None:
    # given a request to two teammates, one of whom has answered
    employee = person("employee")
    first, second = (t["_id"] for t in teammates(employee)[:2])
    request = await ask(server, "employee", [first, second])
    await server.client(first).data(ANSWER, {"id": request["id"], "input": {"text": "Went well"}})
    view = "query($id: ID!) { feedbackRequest(id: $id) { id open myPartOpen answeredCount } }"
    # when the other respondent reads the request
    body = await server.client(second).execute(view, {"id": request["id"]})
    # then they see it and their own part, but not how many answered: null by design, without an error
    assert body["data"]["feedbackRequest"] == {"id": request["id"], "open": True, "myPartOpen": True,
                                               "answeredCount": None}
    assert "errors" not in body
    # while the requester reads the count
    mine = await server.client("employee").data(view, {"id": request["id"]})
    assert mine["feedbackRequest"]["answeredCount"] == 1
