"""Typed review answers (``updateReviewAnswer(answer: ReviewAnswerValue)``, a ``@oneOf`` input): each member
answers one kind of question, another member is a KIND_MISMATCH naming the right one, and the deprecated
untyped ``value`` keeps working. End to end, with proof that a refused write changes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from models.reviews.rules import goals_of_period
from tests.conftest import RunningServer
from tests.reviews.support import (
    REVIEW_COLLECTIONS,
    RUNNING,
    UPDATE_ANSWER,
    persona,
    seeded_form,
    seeded_review,
    stored,
)

TYPED = """
mutation Typed($form: ID!, $question: String!, $answer: ReviewAnswerValue, $base: Int!) {
  updateReviewAnswer(formId: $form, questionId: $question, answer: $answer, baseVersion: $base) {
    answer { questionId value version } errors { field code message } } }"""
BOTH = """
mutation Both($form: ID!, $answer: ReviewAnswerValue, $value: JSON) {
  updateReviewAnswer(formId: $form, questionId: "impact", answer: $answer, value: $value, baseVersion: 0) {
    answer { version } errors { field code message } } }"""


def self_form() -> dict[str, Any]:
    return seeded_form(seeded_review(RUNNING, persona("employee")["_id"]), "self")


def version(form: dict[str, Any], question: str) -> int:
    return (form.get("answers") or {}).get(question, {}).get("version", 0)


async def typed(server: RunningServer, question: str, answer: dict[str, Any], base: int) -> dict[str, Any]:
    data = await server.client("employee").data(TYPED, {"form": self_form()["_id"], "question": question,
                                                        "answer": answer, "base": base})
    return data["updateReviewAnswer"]


async def test_each_kind_is_answered_with_its_own_member(server: RunningServer) -> None:
    # given the persona's self form: a RATING, a TEXT and a GOALS question, and their goals of the period
    form = self_form()
    me = persona("employee")["_id"]
    goals = goals_of_period(await server.database.goals.find({"ownerEmployeeId": me}).to_list(None),
                            RUNNING["periodStart"], RUNNING["periodEnd"])
    # when each is answered with its member
    rating = await typed(server, "impact", {"rating": 4}, version(form, "impact"))
    text = await typed(server, "strengths", {"text": "Calm under pressure"}, version(form, "strengths"))
    rated = await typed(server, "goals", {"goals": [{"goalId": g["_id"], "rating": 3} for g in goals]},
                        version(form, "goals"))
    # then each is stored as the untyped value was (a whole rating as an integer)
    assert rating == {"answer": {"questionId": "impact", "value": 4, "version": version(form, "impact") + 1},
                      "errors": []}
    assert text["errors"] == [] and text["answer"]["value"] == "Calm under pressure"
    assert rated["errors"] == [] and rated["answer"]["value"] == {g["_id"]: 3 for g in goals}
    doc = await stored(server, "reviewForms", form["_id"])
    assert (doc["answers"]["impact"]["value"], doc["answers"]["strengths"]["value"]) == (4, "Calm under pressure")


@pytest.mark.parametrize(("question", "answer", "error"), [
    ("impact", {"text": "great"}, {"field": "answer.text", "code": "KIND_MISMATCH", "message":
        "question 'impact' is a RATING question: answer it with `rating`, not `text`"}),
    ("strengths", {"rating": 3}, {"field": "answer.rating", "code": "KIND_MISMATCH", "message":
        "question 'strengths' is a TEXT question: answer it with `text`, not `rating`"}),
    ("impact", {"rating": 7}, {"field": "answer.rating", "code": "INVALID", "message":
        "the rating must be one of [1, 2, 3, 4, 5]"}),
    ("impact", {"clear": False}, {"field": "answer.clear", "code": "INVALID", "message":
        "`clear` is true or left out"}),
], ids=["text for a rating", "rating for a text", "rating off the scale", "clear false"])
async def test_a_member_that_does_not_fit_the_question_is_refused(server: RunningServer, question: str,
                                                                   answer: dict[str, Any],
                                                                   error: dict[str, Any]) -> None:
    # given the store before
    before = await server.snapshot(REVIEW_COLLECTIONS)
    # when the reviewer answers with a member of another kind (or a value the kind refuses)
    result = await typed(server, question, answer, version(self_form(), question))
    # then it is refused with that typed error and nothing changed
    assert result == {"answer": None, "errors": [error]}
    assert await server.snapshot(REVIEW_COLLECTIONS) == before


async def test_clear_removes_an_answer_of_any_kind(server: RunningServer) -> None:
    # given the persona's answered question
    form = self_form()
    question = next(iter(form["answers"]))
    # when it is cleared
    result = await typed(server, question, {"clear": True}, version(form, question))
    # then the answer is empty at the next version
    assert result == {"answer": {"questionId": question, "value": None, "version": version(form, question) + 1},
                      "errors": []}


async def test_two_members_or_both_arguments_are_refused(server: RunningServer) -> None:
    before = await server.snapshot(REVIEW_COLLECTIONS)
    client = server.client("employee")
    # when a typed answer carries two members, then GraphQL refuses it (@oneOf) before anything runs
    two = await client.execute(TYPED, {"form": self_form()["_id"], "question": "impact",
                                       "answer": {"rating": 4, "text": "x"}, "base": 0})
    assert two["data"] is None and [(e["message"], e["extensions"]["code"]) for e in two["errors"]] == [
        ("OneOf Input Object 'ReviewAnswerValue' must specify exactly one key.", "GRAPHQL_VALIDATION_FAILED")]
    # when both the typed answer and the deprecated value are sent, then the payload says so
    both = (await client.data(BOTH, {"form": self_form()["_id"], "answer": {"rating": 4}, "value": 4}))
    assert both["updateReviewAnswer"] == {"answer": None, "errors": [{
        "field": "answer", "code": "INVALID", "message": "send the answer either as `answer` or as the deprecated "
                                                         "`value`"}]}
    # and nothing changed
    assert await server.snapshot(REVIEW_COLLECTIONS) == before


async def test_the_deprecated_untyped_value_still_works(server: RunningServer) -> None:
    # given a client that still sends `value: JSON`, when it answers the rating question
    form = self_form()
    data = await server.client("employee").data(UPDATE_ANSWER, {"form": form["_id"], "question": "impact",
                                                                "value": 2, "base": version(form, "impact")})
    # then it is written as before
    assert data["updateReviewAnswer"]["errors"] == [] and data["updateReviewAnswer"]["answer"]["value"] == 2
