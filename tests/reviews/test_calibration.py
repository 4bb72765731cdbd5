"""Calibration: a calibrated rating needs a justification, every change is kept, and the distribution per
department is queryable before and after calibration (and pushed to HR admins)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.client import refused_codes, websocket
from tests.conftest import RunningServer
from tests.reviews.support import (
    CALIBRATE,
    FINISHED,
    REVIEW_COLLECTIONS,
    RUNNING,
    SEED,
    answer_required,
    create_cycle,
    cycle_documents,
    department_id,
    launch,
    move,
    persona,
    seeded_review,
)

DISTRIBUTION = """
query($id: ID!) {
  cycleDistribution(cycleId: $id) {
    cycle { id }
    departments { departmentId before { rating count } after { rating count } }
    total { before { rating count } after { rating count } }
  }
}"""
CYCLE_SCORES = "subscription($id: ID!) { cycleScoresChanged(cycleId: $id) { kind reviewId departmentId } }"
RATINGS = [1, 2, 3, 4, 5, None]


def counts(by_rating: dict[Any, int]) -> list[dict[str, Any]]:
    return [{"rating": r, "count": by_rating.get(r, 0)} for r in RATINGS]


def tally(values: list[Any]) -> dict[Any, int]:
    result: dict[Any, int] = {}
    for value in values:
        result[value] = result.get(value, 0) + 1
    return result


async def to_calibration(server: RunningServer, review_id: str) -> None:
    for state in ("MANAGER_REVIEW", "CALIBRATION"):
        assert (await move(server, "hr_admin", review_id, state))["errors"] == []


async def calibrate(server: RunningServer, who: str, review_id: str, rating: int, why: str) -> dict[str, Any]:
    data = await server.client(who).data(CALIBRATE, {"review": review_id, "rating": rating, "why": why})
    return data["calibrateReview"]


async def test_the_seeded_finished_cycle_has_its_distribution_before_and_after(server: RunningServer) -> None:
    # given the seeded finished cycle (some reviews calibrated)
    reviews = [r for r in SEED["reviews"] if r["cycleId"] == FINISHED["_id"]]
    before = tally([r["score"]["rating"] for r in reviews])
    after = tally([(r["calibration"] or {}).get("rating") or r["score"]["rating"] for r in reviews])
    assert before != after
    # when an HR admin asks for the distribution
    data = await server.client("hr_admin").data(DISTRIBUTION, {"id": FINISHED["_id"]})
    # then it counts reviews per rating before and after calibration, per department and in total
    [department] = {r["departmentId"] for r in reviews}
    assert data["cycleDistribution"] == {
        "cycle": {"id": FINISHED["_id"]},
        "departments": [{"departmentId": department, "before": counts(before), "after": counts(after)}],
        "total": {"before": counts(before), "after": counts(after)}}


async def test_calibration_moves_the_distribution_of_each_department(server: RunningServer) -> None:
    # given a cycle over two departments, with two manager forms answered in each (all at one level)
    cycle_id = await create_cycle(server, peersPerReviewee=0, eligibility={
        "departmentIds": [department_id("Data"), department_id("Finance")]})
    await launch(server, cycle_id)
    reviews, forms = await cycle_documents(server, cycle_id)
    chosen: dict[str, list[tuple[dict[str, Any], int]]] = {}
    for name, levels in (("Data", (4, 2)), ("Finance", (5, 3))):
        dept = department_id(name)
        candidates = [r for r in reviews if r["departmentId"] == dept and r["managerId"]][:2]
        chosen[dept] = list(zip(candidates, levels, strict=True))
        for review, level in chosen[dept]:
            form = next(f for f in forms if f["reviewId"] == review["_id"] and f["kind"] == "manager")
            await answer_required(server, review["managerId"], form, level=level)
            await to_calibration(server, review["_id"])
    # when one review of each department is calibrated (Data 2 → 3, Finance 5 → 4)
    data_low = chosen[department_id("Data")][1][0]
    finance_high = chosen[department_id("Finance")][0][0]
    assert (await calibrate(server, "hr_admin", data_low["_id"], 3, "Scope grew mid-period"))["errors"] == []
    assert (await calibrate(server, "hr_admin", finance_high["_id"], 4, "Aligned with peers"))["errors"] == []
    # then each department's distribution shows the ratings from the scores, and after calibration
    data = (await server.client("hr_admin").data(DISTRIBUTION, {"id": cycle_id}))["cycleDistribution"]
    unrated = {d: sum(1 for r in reviews if r["departmentId"] == d) - 2 for d in chosen}
    expected = {
        department_id("Data"): ({4: 1, 2: 1, None: unrated[department_id("Data")]},
                                {4: 1, 3: 1, None: unrated[department_id("Data")]}),
        department_id("Finance"): ({5: 1, 3: 1, None: unrated[department_id("Finance")]},
                                   {4: 1, 3: 1, None: unrated[department_id("Finance")]}),
    }
    assert data["departments"] == [{"departmentId": d, "before": counts(b), "after": counts(a)}
                                   for d, (b, a) in sorted(expected.items())]


async def test_every_calibration_is_kept_with_its_justification(server: RunningServer) -> None:
    # given the persona's running review in calibration, and HR following the cycle's ratings
    review = seeded_review(RUNNING, persona("employee")["_id"])
    await to_calibration(server, review["_id"])
    manager, hr = review["managerId"], persona("hr_admin")["_id"]
    async with websocket(server.ws_url, server.token("hr_admin")) as follower:
        await follower.subscribe(CYCLE_SCORES, {"id": RUNNING["_id"]})
        await server.wait_subscribers(1)
        # when the manager calibrates to 3 and an HR admin then to 2
        first = await calibrate(server, manager, review["_id"], 3, "Strong second half")
        second = await calibrate(server, "hr_admin", review["_id"], 2, "  Calibration session: below peers  ")
        # then HR hears about each calibration
        for _ in range(2):
            event = (await follower.next_payload())["data"]["cycleScoresChanged"]
            assert event == {"kind": "calibration", "reviewId": review["_id"], "departmentId": review["departmentId"]}
    # and the review keeps the latest and the whole history, the score itself untouched
    assert first["errors"] == [] and second["errors"] == []
    assert second["review"] == {
        "id": review["_id"],
        "calibration": {"rating": 2, "justification": "Calibration session: below peers", "byId": hr},
        "calibrationHistory": [
            {"rating": 3, "previousRating": None, "justification": "Strong second half", "byId": manager},
            {"rating": 2, "previousRating": 3, "justification": "Calibration session: below peers", "byId": hr}],
        "finalRating": 2, "score": {"rating": review["score"]["rating"]}}


REFUSALS = {
    "no justification": (3, " ", {"field": "justification", "code": "REQUIRED",
                                  "message": "justification is required"}),
    "rating off the scale": (6, "why", {"field": "rating", "code": "INVALID", "message": "the rating must be 1 to 5"}),
    "rating zero": (0, "why", {"field": "rating", "code": "INVALID", "message": "the rating must be 1 to 5"}),
}


@pytest.mark.parametrize("case", list(REFUSALS))
async def test_calibration_refusals_write_nothing(server: RunningServer, case: str) -> None:
    # given a review in calibration and the store before
    review = seeded_review(RUNNING, persona("employee")["_id"])
    await to_calibration(server, review["_id"])
    rating, why, error = REFUSALS[case]
    before = await server.snapshot(REVIEW_COLLECTIONS)
    # when HR calibrates with one problem
    result = await calibrate(server, "hr_admin", review["_id"], rating, why)
    # then it is refused and nothing changed
    assert result == {"review": None, "errors": [error]}
    assert await server.snapshot(REVIEW_COLLECTIONS) == before


async def test_calibration_happens_in_calibration_and_not_by_the_reviewee(server: RunningServer) -> None:
    # given the persona's review still in self_review
    review = seeded_review(RUNNING, persona("employee")["_id"])
    before = await server.snapshot(REVIEW_COLLECTIONS)
    # when HR calibrates it, then it is the wrong state
    result = await calibrate(server, "hr_admin", review["_id"], 3, "early")
    assert result["errors"] == [{"field": "reviewId", "code": "INVALID_TRANSITION",
                                 "message": "ratings are calibrated in the calibration state, not self_review"}]
    # when the reviewee calibrates their own review, then it is forbidden
    body = await server.client("employee").execute(CALIBRATE, {"review": review["_id"], "rating": 5, "why": "me"})
    assert refused_codes(body) == ["FORBIDDEN"]
    assert await server.snapshot(REVIEW_COLLECTIONS) == before


async def test_the_distribution_is_for_hr_admins(server: RunningServer) -> None:
    body = await server.client("manager").execute(DISTRIBUTION, {"id": RUNNING["_id"]})
    assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]
