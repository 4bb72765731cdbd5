"""The review workflow end to end: form states (not started → in progress → submitted, reopened by HR with a
reason) and review states (self_review → manager_review → calibration → shared → acknowledged), each move by
who may make it, every refusal typed and writing nothing."""

from __future__ import annotations

from typing import Any

import pytest

from models.reviews.rules import is_required, questions_for
from tests.client import refused_codes
from tests.conftest import RunningServer
from tests.reviews.support import (
    FINISHED,
    MOVE_REVIEW,
    REOPEN_FORM,
    REVIEW_COLLECTIONS,
    RUNNING,
    SUBMIT_FORM,
    TEMPLATE,
    UPDATE_ANSWER,
    answer_required,
    move,
    persona,
    seeded_form,
    seeded_review,
    stored,
    submit,
)


def running_review() -> dict[str, Any]:
    return seeded_review(RUNNING, persona("employee")["_id"])


def codes(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors", [])]


async def test_submitting_needs_every_required_answer(server: RunningServer) -> None:
    # given the persona's self form with some required questions unanswered
    form = seeded_form(running_review(), "self")
    missing = [q["id"] for s, q in questions_for(TEMPLATE, "self")
               if is_required(s, q) and q["id"] not in form["answers"]]
    before = await server.snapshot(REVIEW_COLLECTIONS)
    # when they submit it
    data = await server.client("employee").data(SUBMIT_FORM, {"form": form["_id"]})
    # then each missing answer is named, and nothing changed
    assert data["submitReviewForm"] == {"form": None, "errors": [
        {"field": f"answers.{q}", "code": "REQUIRED", "message": f"question {q!r} needs an answer"} for q in missing]}
    assert await server.snapshot(REVIEW_COLLECTIONS) == before


async def test_a_submitted_form_is_read_only(server: RunningServer) -> None:
    # given the persona's self form, completed and submitted
    me = persona("employee")["_id"]
    form = seeded_form(running_review(), "self")
    await answer_required(server, "employee", form)
    data = await server.client("employee").data(SUBMIT_FORM, {"form": form["_id"]})
    assert data["submitReviewForm"]["form"]["state"] == "SUBMITTED"
    assert data["submitReviewForm"]["form"]["history"] == [{"kind": "submitted", "byId": me}]
    before = await server.snapshot(REVIEW_COLLECTIONS)
    # when they change an answer, or submit again
    question = next(iter(form["answers"]))
    version = (await stored(server, "reviewForms", form["_id"]))["answers"][question]["version"]
    answer = await server.client("employee").data(UPDATE_ANSWER, {"form": form["_id"], "question": question,
                                                                  "value": 1, "base": version})
    again = await server.client("employee").data(SUBMIT_FORM, {"form": form["_id"]})
    # then both are refused with typed errors and nothing changed
    assert answer["updateReviewAnswer"]["errors"] == [{
        "field": "formId", "code": "READ_ONLY", "message": "the form has been submitted; an HR admin can reopen it"}]
    assert again["submitReviewForm"]["errors"] == [{"field": "formId", "code": "INVALID_TRANSITION",
                                                    "message": "the form is already submitted"}]
    assert await server.snapshot(REVIEW_COLLECTIONS) == before


async def test_hr_admins_reopen_a_submitted_form_with_a_reason(server: RunningServer) -> None:
    # given a submitted self form
    me = persona("employee")["_id"]
    hr = persona("hr_admin")["_id"]
    form = seeded_form(running_review(), "self")
    await answer_required(server, "employee", form)
    await submit(server, "employee", form["_id"])
    before = await server.snapshot(REVIEW_COLLECTIONS)
    # when the reviewee or their manager try to reopen it, then it is forbidden
    for who in ("employee", persona("employee")["managerId"]):
        body = await server.client(who).execute(REOPEN_FORM, {"form": form["_id"], "reason": "typo"})
        assert refused_codes(body) == ["FORBIDDEN"]
    # when HR gives no reason, then it is refused
    data = await server.client("hr_admin").data(REOPEN_FORM, {"form": form["_id"], "reason": "  "})
    assert data["reopenReviewForm"]["errors"] == [{"field": "reason", "code": "REQUIRED",
                                                   "message": "reason is required"}]
    assert await server.snapshot(REVIEW_COLLECTIONS) == before
    # when HR reopens it with a reason, then it is in progress again and the reason is in its history
    data = await server.client("hr_admin").data(REOPEN_FORM, {"form": form["_id"], "reason": "Wrong period rated"})
    assert data["reopenReviewForm"] == {"errors": [], "form": {"id": form["_id"], "state": "IN_PROGRESS", "history": [
        {"kind": "submitted", "byId": me, "note": None},
        {"kind": "reopened", "byId": hr, "note": "Wrong period rated"}]}}
    # and reopening a form that is not submitted is an illegal transition
    again = await server.client("hr_admin").data(REOPEN_FORM, {"form": form["_id"], "reason": "again"})
    assert again["reopenReviewForm"]["errors"] == [{"field": "formId", "code": "INVALID_TRANSITION",
                                                    "message": "only a submitted form can be reopened"}]


async def test_a_review_moves_through_every_state_by_who_may_move_it(server: RunningServer) -> None:
    review = running_review()
    me, manager = persona("employee")["_id"], review["managerId"]
    # given the review in self_review: the reviewee cannot move it on before submitting their form
    refused = await move(server, "employee", review["_id"], "MANAGER_REVIEW")
    assert refused["errors"] == [{
        "field": "state", "code": "INVALID_TRANSITION",
        "message": "the self form must be submitted before the review moves to manager_review"}]
    # when they submit it and move on, then it is in manager_review
    self_form = seeded_form(review, "self")
    await answer_required(server, "employee", self_form)
    await submit(server, "employee", self_form["_id"])
    assert (await move(server, "employee", review["_id"], "MANAGER_REVIEW"))["review"]["state"] == "MANAGER_REVIEW"
    # the reviewee may not move it to calibration; the manager may, once their form is submitted
    body = await server.client("employee").execute(MOVE_REVIEW, {"review": review["_id"], "state": "CALIBRATION"})
    assert refused_codes(body) == ["FORBIDDEN"]
    early = await move(server, manager, review["_id"], "CALIBRATION")
    assert early["errors"][0]["code"] == "INVALID_TRANSITION"
    manager_form = await stored(server, "reviewForms", seeded_form(review, "manager")["_id"])
    await answer_required(server, manager, manager_form)
    await submit(server, manager, manager_form["_id"])
    assert (await move(server, manager, review["_id"], "CALIBRATION"))["review"]["state"] == "CALIBRATION"
    # the reviewee may not share it; an HR admin may
    body = await server.client("employee").execute(MOVE_REVIEW, {"review": review["_id"], "state": "SHARED"})
    assert refused_codes(body) == ["FORBIDDEN"]
    assert (await move(server, "hr_admin", review["_id"], "SHARED"))["review"]["state"] == "SHARED"
    # only the reviewee acknowledges it
    body = await server.client(manager).execute(MOVE_REVIEW, {"review": review["_id"], "state": "ACKNOWLEDGED"})
    assert refused_codes(body) == ["FORBIDDEN"]
    done = await move(server, "employee", review["_id"], "ACKNOWLEDGED")
    hr = persona("hr_admin")["_id"]
    assert done["review"]["history"] == [
        {"kind": "moved", "fromState": a, "toState": b, "byId": by, "note": None}
        for a, b, by in (("self_review", "manager_review", me), ("manager_review", "calibration", manager),
                         ("calibration", "shared", hr), ("shared", "acknowledged", me))]
    # and an acknowledged review goes nowhere
    final = await move(server, "hr_admin", review["_id"], "CALIBRATION")
    assert final["errors"] == [{"field": "state", "code": "INVALID_TRANSITION",
                                "message": "a review cannot move from acknowledged to calibration"}]


@pytest.mark.parametrize("target", ["CALIBRATION", "SHARED", "ACKNOWLEDGED", "SELF_REVIEW"])
async def test_illegal_jumps_are_typed_errors_and_write_nothing(server: RunningServer, target: str) -> None:
    # given a review in self_review and the store before
    review = running_review()
    before = await server.snapshot(REVIEW_COLLECTIONS)
    # when an HR admin tries to skip (or stay in) a state
    result = await move(server, "hr_admin", review["_id"], target)
    # then it is an invalid transition and nothing changed
    assert result == {"review": None, "errors": [{
        "field": "state", "code": "INVALID_TRANSITION",
        "message": f"a review cannot move from self_review to {target.lower()}"}]}
    assert await server.snapshot(REVIEW_COLLECTIONS) == before


async def test_hr_admins_may_move_a_review_on_without_the_forms(server: RunningServer) -> None:
    # given a review whose self form is not submitted / when HR moves it on / then it moves
    review = running_review()
    result = await move(server, "hr_admin", review["_id"], "MANAGER_REVIEW")
    assert result["errors"] == [] and result["review"]["state"] == "MANAGER_REVIEW"


async def test_the_forms_of_a_shared_review_are_read_only(server: RunningServer) -> None:
    # given the persona's finished (acknowledged) review and the store before
    form = seeded_form(seeded_review(FINISHED, persona("employee")["_id"]), "self")
    assert form["state"] == "submitted"
    before = await server.snapshot(REVIEW_COLLECTIONS)
    # when HR tries to reopen one of its forms, or the reviewer to answer
    reopen = await server.client("hr_admin").data(REOPEN_FORM, {"form": form["_id"], "reason": "late change"})
    question = next(iter(form["answers"]))
    answer = await server.client("employee").data(UPDATE_ANSWER, {
        "form": form["_id"], "question": question, "value": 1, "base": form["answers"][question]["version"]})
    # then both are refused and nothing changed
    assert reopen["reopenReviewForm"]["errors"] == [{"field": "formId", "code": "INVALID_TRANSITION",
                                                     "message": "the review has been shared"}]
    assert answer["updateReviewAnswer"]["errors"][0]["code"] == "READ_ONLY"
    assert await server.snapshot(REVIEW_COLLECTIONS) == before
