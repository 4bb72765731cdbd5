"""Score arithmetic end to end: weighted means of rated questions normalised to the template's scale, kind
weights, skipped optional questions, provisional scores, and the live scoreChanged / cycleScoresChanged."""

from __future__ import annotations

from typing import Any

from tests.client import websocket
from tests.conftest import RunningServer
from tests.reviews.support import (
    UPDATE_ANSWER,
    create_cycle,
    create_template,
    cycle_documents,
    launch,
)

# Scale 1-5. Section A (weight 3): r1 rating 1-5 (weight 1), r2 rating 0-10 (weight 3, optional),
# c1 competency level (weight 1). Section B (weight 1): r3 rating 1-5, t1 text. Self 25 %, manager 75 %.
SECTIONS = [
    {"id": "a", "title": "Results", "weight": 3, "reviewerKinds": ["SELF", "MANAGER"], "questions": [
        {"id": "r1", "kind": "RATING", "text": "Impact", "weight": 1},
        {"id": "r2", "kind": "RATING", "text": "Stretch", "weight": 3, "required": False,
         "labels": [{"label": str(v), "value": v} for v in range(0, 11)]},
        {"id": "c1", "kind": "COMPETENCY", "text": "Delivery", "weight": 1, "expectedLevel": 3},
    ]},
    {"id": "b", "title": "Behaviour", "weight": 1, "reviewerKinds": ["SELF", "MANAGER"], "questions": [
        {"id": "r3", "kind": "RATING", "text": "Teamwork"},
        {"id": "t1", "kind": "TEXT", "text": "Comments"},
    ]},
]
SCORE = """
query($id: ID!) {
  review(id: $id) {
    score { value provisional rating byKind { kind value weight forms scoredForms } }
    forms { kind score { value provisional ratedAnswers missingRequired } }
  }
}"""
SCORE_CHANGED = """
subscription($id: ID!) { scoreChanged(reviewId: $id) { kind review { id } score { value provisional rating } } }"""
CYCLE_SCORES = """
subscription($id: ID!) {
  cycleScoresChanged(cycleId: $id) { kind reviewId distribution { total { before { rating count } } } }
}"""


async def scored_review(server: RunningServer) -> tuple[str, dict[str, Any], dict[str, Any], dict[str, Any]]:
    competency = (await server.database.competencies.find({"name": "Delivery"}).to_list(None))[0]["_id"]
    sections = [{**s, "questions": [{**q, "competencyId": competency} if q["kind"] == "COMPETENCY" else q
                                    for q in s["questions"]]} for s in SECTIONS]
    template = await create_template(server, name="Arithmetic", sections=sections,
                                     weights={"self": 25, "manager": 75, "peer": 0, "upward": 0})
    cycle_id = await create_cycle(server, template["_id"], peersPerReviewee=0)
    await launch(server, cycle_id)
    reviews, forms = await cycle_documents(server, cycle_id)
    review = next(r for r in reviews if r["managerId"])
    mine = {f["kind"]: f for f in forms if f["reviewId"] == review["_id"]}
    return cycle_id, review, mine["self"], mine["manager"]


async def answer(server: RunningServer, who: str, form: dict[str, Any], question: str, value: Any) -> None:
    doc = await server.database.reviewForms.find_one({"_id": form["_id"]})
    base = doc["answers"][question]["version"] if question in doc["answers"] else 0
    data = await server.client(who).data(UPDATE_ANSWER, {"form": form["_id"], "question": question, "value": value,
                                                         "base": base})
    assert data["updateReviewAnswer"]["errors"] == [], data


def kinds(self_value: float | None, manager_value: float | None) -> list[dict[str, Any]]:
    return [{"kind": "SELF", "value": self_value, "weight": 25.0, "forms": 1,
             "scoredForms": int(self_value is not None)},
            {"kind": "MANAGER", "value": manager_value, "weight": 75.0, "forms": 1,
             "scoredForms": int(manager_value is not None)}]


async def test_weights_skipped_optional_and_provisional(server: RunningServer) -> None:
    # given a review with a self and a manager form on the arithmetic template
    _, review, self_form, manager_form = await scored_review(server)
    manager = review["managerId"]
    # when the reviewee answers everything required and skips the optional r2
    for question, value in (("r1", 4), ("c1", 2), ("r3", 5), ("t1", "Fine")):
        await answer(server, review["employeeId"], self_form, question, value)
    # and the manager answers r1 = 5, r2 = 5 (of 0-10: 3 on the scale) and c1 = 4, but not section B
    for question, value in (("r1", 5), ("r2", 5), ("c1", 4)):
        await answer(server, manager, manager_form, question, value)
    data = (await server.client("hr_admin").data(SCORE, {"id": review["_id"]}))["review"]
    # then self = (3·mean(4, 2) + 1·5) / 4 = 3.5, complete; manager = A only: (5 + 3·3 + 4) / 5 = 3.6, provisional
    assert sorted(data["forms"], key=lambda f: f["kind"]) == [
        {"kind": "MANAGER", "score": {"value": 3.6, "provisional": True, "ratedAnswers": 3,
                                      "missingRequired": ["r3", "t1"]}},
        {"kind": "SELF", "score": {"value": 3.5, "provisional": False, "ratedAnswers": 3, "missingRequired": []}}]
    # and overall = (25·3.5 + 75·3.6) / 100 = 3.575, rating 4, provisional while the manager's form is
    assert data["score"] == {"value": 3.575, "provisional": True, "rating": 4, "byKind": kinds(3.5, 3.6)}
    # when the manager completes section B (r3 = 1): manager = (3·3.6 + 1·1) / 4 = 2.95
    for question, value in (("r3", 1), ("t1", "Needs to share more")):
        await answer(server, manager, manager_form, question, value)
    data = (await server.client("hr_admin").data(SCORE, {"id": review["_id"]}))["review"]
    # then overall = (25·3.5 + 75·2.95) / 100 = 3.0875, rating 3, final
    assert data["score"] == {"value": 3.0875, "provisional": False, "rating": 3, "byKind": kinds(3.5, 2.95)}
    # when the reviewee clears a required answer, then their form and the review are provisional again
    await answer(server, review["employeeId"], self_form, "t1", None)
    data = (await server.client("hr_admin").data(SCORE, {"id": review["_id"]}))["review"]
    assert data["score"]["provisional"] is True and data["score"]["value"] == 3.0875


async def test_score_changes_are_pushed_to_the_manager_and_rating_changes_to_hr(server: RunningServer) -> None:
    # given the reviewee's answers (self = 3.5, overall 3.5 on its own: rating 4)
    cycle_id, review, self_form, manager_form = await scored_review(server)
    for question, value in (("r1", 4), ("c1", 2), ("r3", 5), ("t1", "Fine")):
        await answer(server, review["employeeId"], self_form, question, value)
    reviews, _ = await cycle_documents(server, cycle_id)
    async with websocket(server.ws_url, server.token(review["managerId"])) as manager, \
            websocket(server.ws_url, server.token("hr_admin")) as hr:
        await manager.subscribe(SCORE_CHANGED, {"id": review["_id"]})
        await hr.subscribe(CYCLE_SCORES, {"id": cycle_id})
        await server.wait_subscribers(2)
        # when the manager answers step by step
        steps = [("r1", 5, 4.625, True, 5), ("r2", 5, 3.5, True, 4), ("c1", 4, 3.575, True, 4),
                 ("r3", 1, 3.0875, True, 3), ("t1", "Done", 3.0875, False, 3)]
        ratings = [4]
        for question, value, overall, provisional, rating in steps:
            await answer(server, review["managerId"], manager_form, question, value)
            # then each committed answer pushes the new score to the manager
            event = (await manager.next_payload())["data"]["scoreChanged"]
            assert event == {"kind": "score", "review": {"id": review["_id"]},
                             "score": {"value": overall, "provisional": provisional, "rating": rating}}
            # and HR hears about it when the rating moved, with the cycle's distribution after it
            if rating != ratings[-1]:
                change = (await hr.next_payload())["data"]["cycleScoresChanged"]
                counts = {c["rating"]: c["count"] for c in change["distribution"]["total"]["before"]}
                assert change["kind"] == "score" and change["reviewId"] == review["_id"]
                assert counts == {1: 0, 2: 0, 3: int(rating == 3), 4: int(rating == 4), 5: int(rating == 5),
                                  None: len(reviews) - 1}
            ratings.append(rating)
        # and nothing else: when r3 moves the rating to 4, that change is the next thing HR gets
        await answer(server, review["managerId"], manager_form, "r3", 5)
        change = (await hr.next_payload())["data"]["cycleScoresChanged"]
        counts = {c["rating"]: c["count"] for c in change["distribution"]["total"]["before"]}
        assert change["reviewId"] == review["_id"] and (counts[3], counts[4]) == (0, 1)


async def test_score_streams_are_refused_to_those_who_may_not_see_scores(server: RunningServer) -> None:
    # given a scored review
    cycle_id, review, _, _ = await scored_review(server)
    async with websocket(server.ws_url, server.token(review["employeeId"])) as reviewee, \
            websocket(server.ws_url, server.token(review["managerId"])) as manager:
        # when the reviewee follows their (unshared) score, and a manager the cycle's ratings
        await reviewee.subscribe(SCORE_CHANGED, {"id": review["_id"]})
        await manager.subscribe(CYCLE_SCORES, {"id": cycle_id})
        # then both are refused
        for subscriber in (reviewee, manager):
            message = await subscriber.receive()
            assert [e["extensions"]["code"] for e in message["payload"]["errors"]] == ["FORBIDDEN"]
