"""A field the viewer may not read never nulls the review (or the list, payload or cycle) they may read: the
non-null ``calibrationHistory`` is empty before sharing for the reviewee, the non-null ``feedback`` an empty
aggregate for anyone who may not see the review, both without an error; those who may read them get them
as before (docs/permissions.md#reviews)."""

from __future__ import annotations

from typing import Any

from models.reviews.rules import questions_for
from resolvers.reviews import review_queries
from tests.client import answer
from tests.conftest import NORTHWIND, RunningServer
from tests.org.test_access import context_of
from tests.reviews.support import (
    CALIBRATE,
    FINISHED,
    RUNNING,
    SEED,
    TEMPLATE,
    answer_required,
    move,
    person,
    persona,
    seeded_form,
    seeded_forms,
    seeded_review,
    submit,
)

HISTORY = "query($id: ID!) { review(id: $id) { id state calibrationHistory { rating } } }"
MY_REVIEWS = "{ myReviews { id calibrationHistory { rating } } }"
CYCLE_REVIEWS = """
query($id: ID!) {
  reviewCycle(id: $id) { id reviews(first: 100) { edges { node { id calibrationHistory { rating } } } } }
}"""
MOVE_WITH_HISTORY = """
mutation($review: ID!, $state: ReviewState!) {
  moveReview(reviewId: $review, state: $state) { review { id state calibrationHistory { rating } } errors { code } }
}"""


async def calibrated(server: RunningServer) -> dict[str, Any]:
    """The persona's running review in calibration, calibrated by their manager (3) and then HR (2)."""
    review = seeded_review(RUNNING, persona("employee")["_id"])
    for state in ("MANAGER_REVIEW", "CALIBRATION"):
        assert (await move(server, "hr_admin", review["_id"], state))["errors"] == []
    for who, rating in ((review["managerId"], 3), ("hr_admin", 2)):
        data = await server.client(who).data(CALIBRATE, {"review": review["_id"], "rating": rating, "why": "session"})
        assert data["calibrateReview"]["errors"] == []
    return review


async def test_the_reviewee_gets_the_review_with_an_empty_history_before_sharing(server: RunningServer) -> None:
    # given the persona's review calibrated twice, still in calibration
    review = await calibrated(server)
    reviewee = server.client("employee")
    # when the reviewee asks for it with its calibration history
    body = await reviewee.execute(HISTORY, {"id": review["_id"]})
    # then they get the review, the history empty and no error
    assert answer(body) == {"data": {"review": {"id": review["_id"], "state": "CALIBRATION", "calibrationHistory": []}}}
    # while the manager and HR admins get the whole history
    for who in (review["managerId"], "hr_admin"):
        assert await server.client(who).data(HISTORY, {"id": review["_id"]}) == {"review": {
            "id": review["_id"], "state": "CALIBRATION", "calibrationHistory": [{"rating": 3}, {"rating": 2}]}}
    # when the review is shared
    assert (await move(server, "hr_admin", review["_id"], "SHARED"))["errors"] == []
    # then the reviewee gets the whole history too
    assert answer(await reviewee.execute(HISTORY, {"id": review["_id"]})) == {"data": {"review": {
        "id": review["_id"], "state": "SHARED", "calibrationHistory": [{"rating": 3}, {"rating": 2}]}}}


async def test_an_unshared_history_keeps_the_reviewees_lists(server: RunningServer) -> None:
    # given the persona's running review calibrated before sharing, and their finished review (acknowledged)
    review = await calibrated(server)
    finished = seeded_review(FINISHED, persona("employee")["_id"])
    reviewee = server.client("employee")
    # when the reviewee lists their reviews with the history
    body = await reviewee.execute(MY_REVIEWS)
    # then both are listed, the running one with an empty history, and no error
    assert answer(body) == {"data": {"myReviews": [
        {"id": review["_id"], "calibrationHistory": []},
        {"id": finished["_id"], "calibrationHistory": [{"rating": c["rating"]}
                                                       for c in finished["calibrationHistory"]]}]}}
    # and the running cycle's reviews keep the cycle and the review, with an empty history
    body = await reviewee.execute(CYCLE_REVIEWS, {"id": RUNNING["_id"]})
    assert answer(body) == {"data": {"reviewCycle": {"id": RUNNING["_id"], "reviews": {"edges": [
        {"node": {"id": review["_id"], "calibrationHistory": []}}]}}}}


async def test_the_reviewees_move_payload_keeps_the_review(server: RunningServer) -> None:
    # given the persona's running review in self review, their self form answered and submitted
    review = seeded_review(RUNNING, persona("employee")["_id"])
    self_form = seeded_form(review, "self")
    await answer_required(server, "employee", self_form)
    await submit(server, "employee", self_form["_id"])
    # when the reviewee moves it to manager review, asking for the history in the payload
    body = await server.client("employee").execute(MOVE_WITH_HISTORY,
                                                   {"review": review["_id"], "state": "MANAGER_REVIEW"})
    # then the payload holds the moved review with an empty history, and no error
    assert answer(body) == {"data": {"moveReview": {
        "review": {"id": review["_id"], "state": "MANAGER_REVIEW", "calibrationHistory": []}, "errors": []}}}


async def test_feedback_of_a_review_the_viewer_may_not_see_is_the_empty_aggregate(server: RunningServer) -> None:
    # given a shared review with submitted peer answers, and an active colleague outside its reach
    review, submitted = next((r, n) for r in SEED["reviews"] if r["state"] in ("shared", "acknowledged")
                             for n in [len([f for f in seeded_forms(r, "peer") if f["state"] == "submitted"])]
                             if n > 0)
    reviewee = person(review["employeeId"])
    stranger = next(e for e in NORTHWIND.employees if e["status"] == "active" and "hr_admin" not in e["roles"]
                    and e["_id"] != reviewee["_id"] and e["_id"] not in reviewee["managerChain"])
    # (no query reaches a review its viewer may not see, `review(id)` refuses it first: the field's own
    # resolver is asked, with a context as the server builds one)
    # when its peer feedback is resolved for that colleague
    result = await review_queries.feedback(context_of(server, stranger["_id"]), review, "peer")
    # then it is the empty aggregate: nothing answered, not visible, no questions, and no refusal
    assert result == {"kind": "peer", "answered": 0, "visible": False, "questions": []}
    # while the reviewee's manager gets the count and the answers, as before
    manager = await review_queries.feedback(context_of(server, review["managerId"]), review, "peer")
    assert (manager["kind"], manager["answered"], manager["visible"]) == ("peer", submitted, True)
    assert [q["question"]["id"] for q in manager["questions"]] == [
        q["id"] for _, q in questions_for(TEMPLATE, "peer")]
