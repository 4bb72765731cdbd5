"""Versioned answers: the conflict rule, answer validation and reviewFormChanged, end to end."""

from __future__ import annotations

from typing import Any

import pytest

from models.reviews.rules import goals_of_period
from tests.client import refused_codes, websocket
from tests.conftest import GLOBEX, RunningServer
from tests.reviews.support import (
    REVIEW_COLLECTIONS,
    RUNNING,
    UNKNOWN_ID,
    UPDATE_ANSWER,
    persona,
    seeded_form,
    seeded_review,
    stored,
)

FORM_CHANGED = """
subscription($form: ID!) {
  reviewFormChanged(formId: $form) { kind formId questionId value version byId by { name } state }
}"""
FORM_GOALS = """query($id: ID!) {
  reviewForm(id: $id) { goals { id goalId title } answers { questionId value version } } }"""


def self_form() -> dict[str, Any]:
    """The employee persona's self form in the running cycle (in progress, one answer given)."""
    return seeded_form(seeded_review(RUNNING, persona("employee")["_id"]), "self")


def answered(form: dict[str, Any]) -> tuple[str, int, Any]:
    question = next(iter(form["answers"]))
    return question, form["answers"][question]["version"], form["answers"][question]["value"]


async def write(server: RunningServer, who: str, form: str, question: str, value: Any, base: int) -> dict[str, Any]:
    data = await server.client(who).data(UPDATE_ANSWER, {"form": form, "question": question, "value": value,
                                                         "base": base})
    return data["updateReviewAnswer"]


async def test_a_write_on_the_current_version_succeeds_and_bumps_it(server: RunningServer) -> None:
    # given the persona's self form with one answer at version 1
    form = self_form()
    question, version, _ = answered(form)
    me = persona("employee")["_id"]
    # when they change it on top of that version
    result = await write(server, "employee", form["_id"], question, 5, version)
    # then it is written at the next version, the form's revision counts the write
    assert result["errors"] == [] and result["conflict"] is None
    assert result["answer"] == {"questionId": question, "value": 5, "version": version + 1, "byId": me}
    assert result["form"] == {"id": form["_id"], "state": "IN_PROGRESS", "revision": form["revision"] + 1}
    doc = await stored(server, "reviewForms", form["_id"])
    assert {k: doc["answers"][question][k] for k in ("value", "version", "byId")} == {
        "value": 5, "version": version + 1, "byId": me}


async def test_a_stale_write_is_refused_with_the_current_value_and_version(server: RunningServer) -> None:
    # given two devices that both read version v of an answer, and the first one writes
    form = self_form()
    question, version, _ = answered(form)
    first = await write(server, "employee", form["_id"], question, 4, version)
    assert first["errors"] == []
    before = await server.snapshot(REVIEW_COLLECTIONS)
    # when the second one writes on top of the same (now stale) version
    second = await write(server, "employee", form["_id"], question, 1, version)
    # then it is refused with the current value and version, and nothing changed
    assert second["answer"] is None
    assert second["conflict"] == {"questionId": question, "value": 4, "version": version + 1,
                                  "byId": persona("employee")["_id"]}
    assert second["errors"] == [{"field": "baseVersion", "code": "CONFLICT",
                                 "message": f"the answer is at version {version + 1}, not {version}: merge and retry"}]
    assert await server.snapshot(REVIEW_COLLECTIONS) == before
    # and a retry on the version the conflict reported succeeds
    retry = await write(server, "employee", form["_id"], question, 1, second["conflict"]["version"])
    assert retry["answer"]["version"] == version + 2


async def test_two_first_answers_to_a_question_cannot_both_win(server: RunningServer) -> None:
    # given a question nobody answered yet
    form = self_form()
    question = "impact"
    assert question not in form["answers"]
    # when two devices both write it as a first answer (baseVersion 0)
    first = await write(server, "employee", form["_id"], question, 3, 0)
    second = await write(server, "employee", form["_id"], question, 5, 0)
    # then the first one is version 1 and the second learns about it
    assert first["answer"]["version"] == 1
    assert second["conflict"]["value"] == 3 and second["conflict"]["version"] == 1
    assert (await stored(server, "reviewForms", form["_id"]))["answers"][question]["value"] == 3


def _invalid_cases() -> dict[str, tuple[str, Any, int, dict[str, Any]]]:
    form = self_form()
    question, version, _ = answered(form)
    long_text = "x" * 5001
    return {
        "rating off the scale": ("impact", 7, 0, {"field": "value", "code": "INVALID",
                                                  "message": "the rating must be one of [1, 2, 3, 4, 5]"}),
        "level above 5": (question, 6, version, {"field": "value", "code": "INVALID",
                                                 "message": "the assessed level must be an integer from 1 to 5"}),
        "text too long": ("strengths", long_text, 0, {"field": "value", "code": "TOO_LONG",
                                                      "message": "the answer is longer than 5000 characters"}),
        "text for a rating": ("impact", "great", 0, {"field": "value", "code": "INVALID",
                                                     "message": "the rating must be one of [1, 2, 3, 4, 5]"}),
        "unknown goal": ("goals", {UNKNOWN_ID: 3}, 0, {
            "field": "value", "code": "INVALID",
            "message": f"{UNKNOWN_ID!r} is not one of the reviewee's goals of the period"}),
        "manager-only question": ("promotion", "Ready now", 0, {
            "field": "questionId", "code": "NOT_FOUND",
            "message": "no question of the self form 'promotion' in your organisation"}),
        "negative base": (question, 3, -1, {"field": "baseVersion", "code": "INVALID",
                                            "message": "baseVersion is 0 (no answer yet) or more"}),
    }


@pytest.mark.parametrize("case", list(_invalid_cases()))
async def test_invalid_answers_are_refused_and_write_nothing(server: RunningServer, case: str) -> None:
    # given the store before
    question, value, base, error = _invalid_cases()[case]
    before = await server.snapshot(REVIEW_COLLECTIONS)
    # when the reviewer sends an answer with one problem
    result = await write(server, "employee", self_form()["_id"], question, value, base)
    # then it is refused with that reason and nothing changed
    assert result == {"form": None, "answer": None, "conflict": None, "errors": [error]}
    assert await server.snapshot(REVIEW_COLLECTIONS) == before


async def test_goal_achievement_rates_the_reviewees_goals_of_the_period(server: RunningServer) -> None:
    # given the persona's goals overlapping the cycle's period, read from the goals collection
    me = persona("employee")["_id"]
    goals = await server.database.goals.find({"ownerEmployeeId": me}).to_list(None)
    period = goals_of_period(goals, RUNNING["periodStart"], RUNNING["periodEnd"])
    assert period, "the demo persona has goals in the running period"
    form = self_form()
    # when they rate each of them
    rating = {g["_id"]: 4 for g in period}
    result = await write(server, "employee", form["_id"], "goals", rating, 0)
    # then the answer is stored and the form lists those goals
    assert result["errors"] == [] and result["answer"]["value"] == rating
    data = await server.client("employee").data(FORM_GOALS, {"id": form["_id"]})
    assert [(g["id"], g["goalId"]) for g in data["reviewForm"]["goals"]] == [(f"{form['_id']}:{g['_id']}", g["_id"])
                                                                             for g in period]


async def test_a_form_shows_and_rates_only_the_goals_its_viewer_may_see(server: RunningServer) -> None:
    # given the persona's goals of the running period, one of them private (the owner and HR admins only)
    me = persona("employee")
    goals = await server.database.goals.find({"ownerEmployeeId": me["_id"]}).to_list(None)
    period = goals_of_period(goals, RUNNING["periodStart"], RUNNING["periodEnd"])
    private = [g["_id"] for g in period if g["visibility"] == "private"]
    shown = [g["_id"] for g in period if g["visibility"] != "private"]
    assert private and shown, "the demo persona has private and shared goals in the running period"
    manager = me["managerId"]
    # when their manager reads the persona's self form
    data = await server.client(manager).data(FORM_GOALS, {"id": self_form()["_id"]})
    # then it lists only the goals the manager may see
    assert [g["goalId"] for g in data["reviewForm"]["goals"]] == shown
    # when the manager rates the private goal on their own form of the persona
    manager_form = seeded_form(seeded_review(RUNNING, me["_id"]), "manager")
    refused = await write(server, manager, manager_form["_id"], "goals", {private[0]: 3}, 0)
    # then it is refused as no goal of the period, and the goals they see may be rated
    assert refused["errors"] == [{"field": "value", "code": "INVALID",
                                  "message": f"{private[0]!r} is not one of the reviewee's goals of the period"}]
    rated = await write(server, manager, manager_form["_id"], "goals", {g: 4 for g in shown}, 0)
    assert rated["errors"] == [] and rated["answer"]["value"] == {g: 4 for g in shown}


async def test_someone_else_cannot_write_on_a_form(server: RunningServer) -> None:
    # given the persona's self form and their manager (who may read it, but not write on it)
    form = self_form()
    question, version, _ = answered(form)
    before = await server.snapshot(REVIEW_COLLECTIONS)
    manager = persona("employee")["managerId"]
    body = await server.client(manager).execute(UPDATE_ANSWER, {"form": form["_id"], "question": question,
                                                                "value": 1, "base": version})
    # then it is forbidden, and nothing changed
    assert refused_codes(body) == ["FORBIDDEN"]
    assert await server.snapshot(REVIEW_COLLECTIONS) == before


async def test_another_organisations_form_is_unknown(server: RunningServer) -> None:
    # given a Globex employee / when they write on a Northwind form
    globex = server.client(GLOBEX.personas["hr_admin"], GLOBEX)
    form = self_form()
    data = await globex.data(UPDATE_ANSWER, {"form": form["_id"], "question": "impact", "value": 3, "base": 0})
    unknown = await globex.data(UPDATE_ANSWER, {"form": UNKNOWN_ID, "question": "impact", "value": 3, "base": 0})
    # then it is refused exactly like an unknown id
    assert data["updateReviewAnswer"]["errors"] == [{"field": "formId", "code": "NOT_FOUND",
                                                     "message": f"no review form {form['_id']!r} in your organisation"}]
    assert unknown["updateReviewAnswer"]["errors"][0]["code"] == "NOT_FOUND"


async def test_form_changes_reach_everyone_who_may_read_the_form(server: RunningServer) -> None:
    # given the reviewer on two devices and their manager following the self form
    form = self_form()
    me = persona("employee")
    manager = me["managerId"]
    question, version, _ = answered(form)
    async with websocket(server.ws_url, server.token("employee")) as phone, \
            websocket(server.ws_url, server.token("employee")) as laptop, \
            websocket(server.ws_url, server.token(manager)) as boss:
        for subscriber in (phone, laptop, boss):
            await subscriber.subscribe(FORM_CHANGED, {"form": form["_id"]})
        await server.wait_subscribers(3)
        # when the reviewer writes an answer, and then a stale write is refused
        await write(server, "employee", form["_id"], question, 3, version)
        refused = await write(server, "employee", form["_id"], question, 5, version)
        assert refused["conflict"] is not None
        # then each of them gets the committed change: question, value, version and who
        expected = {"kind": "answer", "formId": form["_id"], "questionId": question, "value": 3,
                    "version": version + 1, "byId": me["_id"], "by": {"name": me["name"]}, "state": "IN_PROGRESS"}
        for subscriber in (phone, laptop, boss):
            assert (await subscriber.next_payload())["data"]["reviewFormChanged"] == expected
        # and nothing for the refused write: the next write's event is the next thing each of them gets
        await write(server, "employee", form["_id"], question, 4, version + 1)
        for subscriber in (phone, laptop, boss):
            assert (await subscriber.next_payload())["data"]["reviewFormChanged"] == {
                **expected, "value": 4, "version": version + 2}


async def test_following_a_form_you_may_not_read_is_refused(server: RunningServer) -> None:
    # given a colleague outside the persona's management chain / when they follow the persona's self form
    me = persona("employee")
    outsider = next(e for e in server.demo.employees if e["status"] == "active" and "hr_admin" not in e["roles"]
                    and e["_id"] != me["_id"] and e["_id"] not in me["managerChain"]
                    and me["managerChain"][1] not in e["managerChain"])
    async with websocket(server.ws_url, server.token(outsider["_id"])) as subscriber:
        await subscriber.subscribe(FORM_CHANGED, {"form": self_form()["_id"]})
        message = await subscriber.receive()
    # then the subscription fails with FORBIDDEN
    assert message["type"] == "next"
    assert [e["extensions"]["code"] for e in message["payload"]["errors"]] == ["FORBIDDEN"]
