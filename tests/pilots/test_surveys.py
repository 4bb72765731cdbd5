"""Process surveys: the rounds a person is sent, answered once (also when two answers race), anonymous (no path,
stored document, audit entry, event or log line links an answer to its author), and refused with typed errors
writing nothing."""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import date
from typing import Any

import pytest

from tests.client import refused
from tests.conftest import RunningServer
from tests.interleave import hold
from tests.pilots.support import (
    ANSWER,
    MY_SURVEYS,
    PILOT_COLLECTIONS,
    SAVE_SURVEY,
    SEND,
    SURVEYS,
    UNKNOWN_ID,
    department,
    members,
    on,
    start,
    stored,
)

COMMENT = "Monthly is too long to wait on my urgent projects."
OPENS, CLOSES = date(2030, 1, 1), date(2030, 1, 31)


async def sent_round(server: RunningServer, monkeypatch: pytest.MonkeyPatch) -> tuple[dict[str, Any], str, str]:
    """A running pilot in Data (started 2030-01-01) with a survey whose first round is open all January."""
    admin = server.client("hr_admin")
    with on(monkeypatch, OPENS):
        pilot = await start(server, ends_on="2030-03-31")
        body = await admin.data(SAVE_SURVEY, {"input": {"title": "The monthly rhythm", "pilotId": pilot["id"],
                                                        "questions": ["Is the cadence right for your work?"]}})
        survey = body["saveProcessSurvey"]["survey"]["id"]
        body = await admin.data(SEND, {"id": survey, "opens": OPENS.isoformat(), "closes": CLOSES.isoformat()})
    assert body["sendProcessSurvey"]["errors"] == []
    assert body["sendProcessSurvey"]["round"]["recipients"] == len(members("Data")) + len(members("Platform"))
    return pilot, survey, body["sendProcessSurvey"]["round"]["id"]


def one_answer(score: int = 2, comment: str | None = COMMENT) -> list[dict[str, Any]]:
    return [{"questionId": "q1", "score": score, "comment": comment}]


def respondent() -> dict[str, Any]:
    return next(p for p in members("Data") if p["status"] == "active")


async def test_a_recipient_sees_the_open_round_and_answers_it_once(server: RunningServer,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    _, survey, round_id = await sent_round(server, monkeypatch)
    me = server.client(respondent()["_id"])
    with on(monkeypatch, date(2030, 1, 10)):
        mine = (await me.data(MY_SURVEYS))["myProcessSurveys"]
        assert mine == [{"roundId": round_id, "title": "The monthly rhythm", "opensOn": "2030-01-01",
                         "closesOn": "2030-01-31", "answered": False,
                         "questions": [{"id": f"{survey}:q1", "text": "Is the cadence right for your work?"}]}]
        assert (await me.data(ANSWER, {"round": round_id, "answers": one_answer()}))["answerProcessSurvey"] == {
            "answered": True, "errors": []}
        assert [m["answered"] for m in (await me.data(MY_SURVEYS))["myProcessSurveys"]] == [True]
        # answering again is refused and writes nothing
        before = await server.snapshot(PILOT_COLLECTIONS)
        again = await me.execute(ANSWER, {"round": round_id, "answers": one_answer(5)})
        assert refused(again) == [("roundId", "DUPLICATE", "you have answered this round already")]
        assert await server.snapshot(PILOT_COLLECTIONS) == before
        # someone it was not sent to (Sales) sees nothing and cannot answer
        outsider = server.client(members("Sales")[0]["_id"])
        assert (await outsider.data(MY_SURVEYS))["myProcessSurveys"] == []
        body = await outsider.execute(ANSWER, {"round": round_id, "answers": one_answer()})
        assert refused(body) == [("roundId", "NOT_FOUND", "no survey round sent to you with this id")]
    with on(monkeypatch, date(2030, 2, 1)):  # closed
        assert (await me.data(MY_SURVEYS))["myProcessSurveys"] == []
        late = server.client(members("Data")[3]["_id"])
        body = await late.execute(ANSWER, {"round": round_id, "answers": one_answer()})
        assert refused(body) == [("roundId", "TOO_LATE", "this round is open from 2030-01-01 to 2030-01-31")]
        assert await server.snapshot(PILOT_COLLECTIONS) == before


async def test_an_answer_carries_nothing_that_links_it_to_its_author(
        server: RunningServer, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    pilot, survey, round_id = await sent_round(server, monkeypatch)
    person = respondent()
    before = await server.snapshot()
    org = server.demo.organization["_id"]
    caplog.set_level(logging.DEBUG)
    with on(monkeypatch, date(2030, 1, 10)):
        async with server.bus.subscribe(f"pilots:{org}") as events:
            # when a cohort member answers
            body = await server.client(person["_id"]).data(ANSWER, {"round": round_id, "answers": one_answer()})
            assert body["answerProcessSurvey"] == {"answered": True, "errors": []}
            # then no event was published about it
            with pytest.raises(TimeoutError):
                async with asyncio.timeout(0.5):
                    await anext(aiter(events))
    after = await server.snapshot()
    # only the marker and the answer were written: no audit entry, no outbox event, nothing else
    changed = {name for name in after if after[name] != before[name]}
    assert changed == {"processSurveyMarkers", "processSurveyAnswers"}
    (marker,) = after["processSurveyMarkers"]
    (answer,) = after["processSurveyAnswers"]
    # the marker is a keyed hash and nothing else
    assert set(marker) == {"_id", "organizationId"} and len(marker["_id"]) == 64
    # the answer: its round, its group and its figures; no author, no time at all, no link to the marker
    assert answer == {"_id": answer["_id"], "organizationId": org, "roundId": round_id, "surveyId": survey,
                      "group": "cohort", "scores": {"q1": 2}, "comments": {"q1": COMMENT}}
    text = json.dumps([answer, marker], default=str)
    for secret in (person["_id"], person["email"], person["name"]):
        assert secret not in text
    assert marker["_id"] not in json.dumps(answer) and answer["_id"] not in marker["_id"]
    # no log line names the respondent, the marker or their words
    for line in caplog.records:
        message = line.getMessage()
        assert person["_id"] not in message and marker["_id"] not in message and COMMENT not in message
    # and no query returns the answer: HR sees the round without results while it is open, never the comment
    with on(monkeypatch, date(2030, 1, 10)):
        listed = (await server.client("hr_admin").data(SURVEYS, {"pilot": pilot["id"]}))["processSurveys"]
    assert listed == [{"id": survey, "title": "The monthly rhythm", "rounds": [
        {"number": 1, "recipients": len(members("Data")) + len(members("Platform")), "results": None}]}]
    assert COMMENT not in json.dumps(listed)


async def test_of_two_concurrent_answers_of_one_person_one_is_stored(server: RunningServer,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    _, _, round_id = await sent_round(server, monkeypatch)
    me = server.client(respondent()["_id"])
    with on(monkeypatch, date(2030, 1, 10)):
        # given the same person answering twice at once: the first has checked (no marker) and is parked just
        # before writing its marker when the second runs
        async with hold(server.database, "processSurveyMarkers", "insert_one") as held:
            first = asyncio.create_task(me.execute(ANSWER, {"round": round_id, "answers": one_answer(1)}))
            await held.reached.wait()
            second = await me.execute(ANSWER, {"round": round_id, "answers": one_answer(5)})
        late = await first
    # then exactly one answer is stored, and the other was refused
    outcomes = sorted([second["data"]["answerProcessSurvey"]["answered"],
                       late["data"]["answerProcessSurvey"]["answered"]])
    assert outcomes == [False, True]
    refusal = late if not late["data"]["answerProcessSurvey"]["answered"] else second
    assert refused(refusal) == [("roundId", "DUPLICATE", "you have answered this round already")]
    assert len(await stored(server, "processSurveyAnswers")) == len(await stored(server, "processSurveyMarkers")) == 1


async def test_bad_surveys_rounds_and_answers_are_refused_and_nothing_is_written(
        server: RunningServer, monkeypatch: pytest.MonkeyPatch) -> None:
    _, survey, round_id = await sent_round(server, monkeypatch)
    admin = server.client("hr_admin")
    before = await server.snapshot(PILOT_COLLECTIONS)
    with on(monkeypatch, date(2030, 1, 10)):
        body = await admin.execute(SAVE_SURVEY, {"input": {"title": "", "questions": []}})
        assert refused(body) == [("title", "REQUIRED", "title is required"),
                                 ("questions", "REQUIRED", "a survey asks at least one question")]
        body = await admin.execute(SAVE_SURVEY, {"id": survey, "input": {"title": "New", "questions": ["Other?"]}})
        assert refused(body) == [("id", "READ_ONLY", "a survey's questions are fixed once a round was sent")]
        body = await admin.execute(SEND, {"id": survey, "opens": "2030-01-20", "closes": "2030-01-10"})
        assert refused(body) == [("closesOn", "INVALID", "a round closes on or after it opens, not in the past"),
                                 ("opensOn", "INVALID", "a round opens after the previous one closed")]
        body = await admin.execute(SEND, {"id": UNKNOWN_ID, "opens": "2030-02-01", "closes": "2030-02-10"})
        assert refused(body) == [("surveyId", "NOT_FOUND", f"no process survey {UNKNOWN_ID!r} in your organisation")]
        me = server.client(respondent()["_id"])
        body = await me.execute(ANSWER, {"round": round_id, "answers": [{"questionId": "q1", "score": 6},
                                                                        {"questionId": "q9", "score": 3}]})
        assert refused(body) == [("answers.0.score", "INVALID", "a score is 1 to 5"),
                                 ("answers.1.questionId", "INVALID", "an unknown or repeated question")]
        body = await me.execute(ANSWER, {"round": round_id, "answers": []})
        assert refused(body) == [("answers", "REQUIRED", "every question needs a score: q1")]
        for who in ("manager", "employee"):
            body = await server.client(who).execute(SEND, {"id": survey, "opens": "2030-02-01",
                                                           "closes": "2030-02-10"})
            assert refused(body) == [(None, "FORBIDDEN", "only HR admins run pilots")]
    assert await server.snapshot(PILOT_COLLECTIONS) == before


async def test_a_round_to_a_group_smaller_than_k_is_refused(server: RunningServer,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    # given a pilot for three people: each answer's group would name one of three
    admin = server.client("hr_admin")
    with on(monkeypatch, OPENS):
        pilot = await start(server, people=[p["_id"] for p in members("Sales")[:3]])
        body = await admin.data(SAVE_SURVEY, {"input": {"title": "Three", "pilotId": pilot["id"],
                                                        "questions": ["Right?"]}})
        before = await server.snapshot(PILOT_COLLECTIONS)
        body = await admin.execute(SEND, {"id": body["saveProcessSurvey"]["survey"]["id"], "opens": "2030-01-01",
                                          "closes": "2030-01-31"})
    assert refused(body) == [("surveyId", "INVALID", "each group needs at least 5 recipients: cohort")]
    assert await server.snapshot(PILOT_COLLECTIONS) == before


async def test_a_survey_of_no_pilot_goes_to_departments(server: RunningServer,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    admin = server.client("hr_admin")
    with on(monkeypatch, OPENS):
        body = await admin.data(SAVE_SURVEY, {"input": {"title": "Goals", "questions": ["Are goals useful?"]}})
        survey = body["saveProcessSurvey"]["survey"]["id"]
        body = await admin.data(SEND, {"id": survey, "opens": "2030-01-01", "closes": "2030-01-31",
                                       "departments": [department("Finance")["_id"]]})
    assert body["sendProcessSurvey"]["round"]["recipients"] == len(members("Finance"))
    (round_doc,) = await stored(server, "processSurveyRounds")
    assert round_doc["recipients"] == {"everyone": [p["_id"] for p in members("Finance")]}


async def test_process_surveys_show_a_closed_rounds_scores_above_k_only(server: RunningServer,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    # given a survey of Finance answered by 5 people in round 1 and 4 in round 2
    admin = server.client("hr_admin")
    finance = [p for p in members("Finance") if p["status"] == "active"]
    with on(monkeypatch, OPENS):
        body = await admin.data(SAVE_SURVEY, {"input": {"title": "Goals", "questions": ["Are goals useful?"]}})
        survey = body["saveProcessSurvey"]["survey"]["id"]
        rounds = []
        for opens, closes in (("2030-01-01", "2030-01-10"), ("2030-01-11", "2030-01-20")):
            body = await admin.data(SEND, {"id": survey, "opens": opens, "closes": closes,
                                           "departments": [department("Finance")["_id"]]})
            rounds.append(body["sendProcessSurvey"]["round"]["id"])
        for person, score in zip(finance[:5], (1, 2, 3, 4, 5), strict=True):
            await server.client(person["_id"]).data(ANSWER, {"round": rounds[0], "answers": one_answer(score)})
    with on(monkeypatch, date(2030, 1, 15)):
        for person in finance[5:9]:
            await server.client(person["_id"]).data(ANSWER, {"round": rounds[1], "answers": one_answer(4)})
    with on(monkeypatch, date(2030, 1, 21)):
        listed = (await admin.data(SURVEYS))["processSurveys"]
    # then round 1 shows its mean 3 and spread √2.5 = 1.5811 over 5 answers; round 2, with 4 (below k), nothing
    recipients = len(members("Finance"))
    assert listed == [{"id": survey, "title": "Goals", "rounds": [
        {"number": 1, "recipients": recipients, "results": [{"questionId": "q1", "groups": [
            {"group": "EVERYONE", "score": {"respondents": 5, "mean": 3.0, "spread": 1.5811}}]}]},
        {"number": 2, "recipients": recipients, "results": [{"questionId": "q1", "groups": [
            {"group": "EVERYONE", "score": None}]}]}]}]
