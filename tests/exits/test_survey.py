"""The candid exit survey: the leaver's own while it is open, answered once (a race between two submissions), and
anonymous: no stored document, event or log line links the answers to their author."""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import date, timedelta
from typing import Any

import pytest

from models.core import clock
from tests.client import refused
from tests.conftest import RunningServer
from tests.exits.support import (
    MY_SURVEY,
    SET_END_DATE,
    SUBMIT_SURVEY,
    active_individual_contributors,
    record_of,
    save_reason,
    save_template,
)
from tests.interleave import hold

SURVEY_KEYS = {"_id", "organizationId", "month", "departmentId", "managerChain", "managerId", "positionLevel",
               "tenureBand", "recommend", "ratings", "reasonCategories", "choices", "texts"}
WORDS = "My manager never had time for our one-to-ones."


async def leaving_in(server: RunningServer, days: int) -> tuple[dict[str, Any], str]:
    """An individual contributor with an end date ``days`` ahead (their exit record opened), and a reason id."""
    reason = await save_reason(server, "manager", "MANAGER", "My manager")
    await save_template(server)
    leaver = active_individual_contributors()[4]
    end = (clock.today() + timedelta(days=days)).isoformat()
    body = await server.client("hr_admin").data(SET_END_DATE, {"id": leaver["_id"], "end": end})
    assert body["updateEmployee"]["errors"] == []
    return leaver, reason


def answers(reason: str) -> list[dict[str, Any]]:
    return [{"questionId": "why", "value": reason}, {"questionId": "manager", "value": 2},
            {"questionId": "recommend", "value": 4}, {"questionId": "next", "value": "Competitor"},
            {"questionId": "words", "value": WORDS}]


async def test_the_leaver_sees_their_survey_while_it_is_open_and_nobody_else_does(server: RunningServer) -> None:
    leaver, _ = await leaving_in(server, 5)
    last_day = clock.today() + timedelta(days=5)
    mine = await server.client(leaver["_id"]).data(MY_SURVEY)
    template = (await server.database.exitRecords.find_one({"employeeId": leaver["_id"]}))["surveyTemplateId"]
    keys = [("why", "REASON"), ("manager", "RATING"), ("recommend", "RECOMMEND"), ("next", "CHOICE"), ("words", "TEXT")]
    assert mine["myExitSurvey"] == {
        "opensOn": (last_day - timedelta(days=7)).isoformat(), "closesOn": (last_day + timedelta(days=14)).isoformat(),
        "submitted": False, "questions": [{"id": f"{template}:{key}", "key": key, "kind": kind} for key, kind in keys]}
    for who in ("hr_admin", "manager", leaver["managerId"]):
        assert (await server.client(who).data(MY_SURVEY))["myExitSurvey"] is None


async def test_a_survey_not_open_yet_is_refused_and_nothing_is_written(server: RunningServer) -> None:
    leaver, reason = await leaving_in(server, 30)
    me = server.client(leaver["_id"])
    assert (await me.data(MY_SURVEY))["myExitSurvey"] is None
    before = await server.snapshot()
    opens = date.fromisoformat((await record_of(server, leaver["_id"]))["lastDay"]) - timedelta(days=7)
    closes = opens + timedelta(days=21)
    body = await me.execute(SUBMIT_SURVEY, {"answers": answers(reason)})
    assert refused(body) == [(None, "TOO_LATE", f"your exit survey is open from {opens} to {closes}")]
    assert await server.snapshot() == before


async def test_bad_answers_are_refused_and_nothing_is_written(server: RunningServer) -> None:
    leaver, reason = await leaving_in(server, 5)
    before = await server.snapshot()
    bad = [{"questionId": "why", "value": reason}, {"questionId": "manager", "value": 7},
           {"questionId": "ghost", "value": 1}]
    body = await server.client(leaver["_id"]).execute(SUBMIT_SURVEY, {"answers": bad})
    assert refused(body) == [("answers[1].value", "INVALID", "not an answer to a rating question"),
                             ("answers[2].questionId", "NOT_FOUND", "no such question in the template")]
    body = await server.client(leaver["_id"]).execute(SUBMIT_SURVEY, {"answers": [{"questionId": "manager",
                                                                                   "value": 3}]})
    assert refused(body) == [("answers", "REQUIRED", "question 'why' must be answered")]
    assert await server.snapshot() == before


async def test_a_submitted_survey_carries_nothing_that_links_it_to_its_author(
        server: RunningServer, caplog: pytest.LogCaptureFixture) -> None:
    leaver, reason = await leaving_in(server, 5)
    record = await record_of(server, leaver["_id"])
    before = await server.snapshot()
    org = server.demo.organization["_id"]
    caplog.set_level(logging.DEBUG)
    async with server.bus.subscribe(f"exits:{org}") as events:
        # when the leaver submits their survey
        body = await server.client(leaver["_id"]).data(SUBMIT_SURVEY, {"answers": answers(reason)})
        assert body["submitExitSurvey"] == {"submitted": True, "errors": []}
        # then no event was published about it
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.5):
                await anext(aiter(events))
    after = await server.snapshot()
    # only two collections changed, besides the audit trail: the record's marker, and one anonymous answer
    # document; and the trail records the marker alone, never the answer document nor its collection
    changed = {name for name in after if after[name] != before[name]}
    assert changed == {"exitRecords", "exitSurveyResponses", "auditLog"}
    new_entries = [e for e in after["auditLog"] if e not in before["auditLog"]]
    assert [e["objectType"] for e in new_entries] == ["exitRecords"]
    assert after["exitSurveyResponses"][0]["_id"] not in json.dumps(new_entries, default=str)
    (stored_after,) = [d for d in after["exitRecords"] if d["_id"] == record["_id"]]
    assert {k: v for k, v in stored_after.items() if k != "surveyDone"} == \
        {k: v for k, v in record.items() if k != "surveyDone"}
    assert (record["surveyDone"], stored_after["surveyDone"]) == (False, True)
    (response,) = after["exitSurveyResponses"]
    # the answer document: the cohort and the figures, no author, no exit id, no time finer than the month
    assert set(response) == SURVEY_KEYS
    text = json.dumps(response, default=str)
    for secret in (leaver["_id"], record["_id"], leaver["email"], leaver["name"], leaver["hireDate"]):
        assert secret not in text
    assert response["month"] == record["lastDay"][:7]
    assert not any(isinstance(v, date) for v in response.values())
    assert (response["recommend"], response["ratings"], response["reasonCategories"], response["texts"]) == (
        4, [2], ["manager"], [WORDS])
    assert response["_id"] != record["_id"]
    # no log line names the leaver, their record or their words
    for line in caplog.records:
        message = line.getMessage()
        assert leaver["_id"] not in message and record["_id"] not in message and WORDS not in message
    # and the leaver's survey now says answered, without its questions
    again = await server.client(leaver["_id"]).data(MY_SURVEY)
    assert (again["myExitSurvey"]["submitted"], again["myExitSurvey"]["questions"]) == (True, [])


async def test_a_survey_is_answered_once(server: RunningServer) -> None:
    leaver, reason = await leaving_in(server, 5)
    me = server.client(leaver["_id"])
    await me.data(SUBMIT_SURVEY, {"answers": answers(reason)})
    before = await server.snapshot()
    body = await me.execute(SUBMIT_SURVEY, {"answers": answers(reason)})
    assert refused(body) == [(None, "DUPLICATE", "you have answered your exit survey already")]
    assert await server.snapshot() == before


async def test_of_two_concurrent_submissions_one_is_stored(server: RunningServer) -> None:
    # given the leaver submitting twice at once (two tabs)
    leaver, reason = await leaving_in(server, 5)
    me = server.client(leaver["_id"])
    async with hold(server.database, "exitRecords", "update_one") as held:
        first = asyncio.create_task(me.execute(SUBMIT_SURVEY, {"answers": answers(reason)}))
        await held.reached.wait()  # the first has checked (not answered) and is parked before setting the marker
        second = await me.execute(SUBMIT_SURVEY, {"answers": answers(reason)})
    late = await first
    # then exactly one of them is stored and the other is refused
    outcomes = sorted([second["data"]["submitExitSurvey"]["submitted"], late["data"]["submitExitSurvey"]["submitted"]])
    assert outcomes == [False, True]
    refusal = late if not late["data"]["submitExitSurvey"]["submitted"] else second
    assert refused(refusal) == [(None, "DUPLICATE", "you have answered your exit survey already")]
    org = server.demo.organization["_id"]
    assert await server.database.exitSurveyResponses.count_documents({"organizationId": org}) == 1
