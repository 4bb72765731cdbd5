"""The pure review rules: score arithmetic, eligibility at the cutoff, the launch plan and the workflow table."""

from __future__ import annotations

from typing import Any

import pytest

from models.core.errors import ErrorCode
from models.reviews.cycles import SkipReason, eligibility, plan_launch
from models.reviews.rules import Actor, transition_errors
from models.reviews.scores import form_score, overall_score, rating_of

SCALE = {"min": 1, "max": 5}


def template(**weights: float) -> dict[str, Any]:
    return {"scale": SCALE, "kindWeights": {"self": 0, "manager": 0, "peer": 0, "upward": 0, **weights},
            "sections": [
                {"id": "a", "weight": 2, "required": True, "reviewerKinds": ["self", "manager", "peer"], "questions": [
                    {"id": "r", "kind": "rating", "weight": 1, "required": True,
                     "reviewerKinds": ["self", "manager", "peer"],
                     "labels": [{"label": "", "value": v} for v in (0, 50, 100)]},
                    {"id": "g", "kind": "goals", "weight": 1, "required": False, "reviewerKinds": ["self", "manager"],
                     "labels": [{"label": "", "value": v} for v in range(1, 6)]},
                ]},
                {"id": "b", "weight": 1, "required": False, "reviewerKinds": ["self", "manager", "peer"], "questions": [
                    {"id": "c", "kind": "competency", "weight": 1, "required": True,
                     "reviewerKinds": ["self", "manager", "peer"], "competencyId": "x", "expectedLevel": 3},
                    {"id": "t", "kind": "text", "weight": 1, "required": True, "reviewerKinds": ["self", "manager"]},
                ]},
            ]}


def form(kind: str, **answers: Any) -> dict[str, Any]:
    return {"kind": kind, "answers": {q: {"value": v, "version": 1} for q, v in answers.items()}}


def test_answers_are_normalised_to_the_scale_and_weighted_by_section() -> None:
    # r = 50 on 0..100 → 3; goals mean(2, 4) = 3 → 3; section a = 3; c = 5 → section b = 5
    score = form_score(template(), form("self", r=50, g={"x": 2, "y": 4}, c=5, t="ok"))
    assert score.value == round((2 * 3 + 1 * 5) / 3, 4)
    assert (score.provisional, score.rated_answers, score.missing_required) == (False, 3, [])


def test_skipped_optional_questions_do_not_count_and_missing_required_ones_make_it_provisional() -> None:
    # the optional goals question is skipped: section a is r alone (100 → 5); section b is optional, so its
    # questions are too: nothing is missing
    assert form_score(template(), form("self", r=100)) == form_score(template(), form("self", r=100, g=None))
    score = form_score(template(), form("self", r=100))
    assert (score.value, score.provisional) == (5.0, False)
    # without r (required) there is nothing to score in section a, and the form is provisional
    score = form_score(template(), form("self", c=1))
    assert (score.value, score.provisional, score.missing_required) == (1.0, True, ["r"])


def test_the_overall_score_weights_kinds_and_drops_those_without_a_score() -> None:
    weights = template(self=20, manager=60, peer=20)
    forms = [form("self", r=100), form("manager", r=50), form("peer", r=0), form("peer", r=100)]
    overall = overall_score(weights, forms)
    # self 5, manager 3, peers mean(1, 5) = 3 → (20·5 + 60·3 + 20·3) / 100
    assert (overall.value, overall.rating, overall.provisional) == (3.4, 3, False)
    # an unanswered peer form leaves the peer kind at the other peer's score, and makes it provisional
    overall = overall_score(weights, [form("self", r=100), form("manager", r=50), form("peer"), form("peer", r=0)])
    assert (overall.value, overall.provisional) == (round((20 * 5 + 60 * 3 + 20 * 1) / 100, 4), True)
    # a kind with no score at all drops out and the other weights count alone
    assert overall_score(weights, [form("manager", r=100), form("peer")]).value == 5.0


@pytest.mark.parametrize(("value", "rating"), [(2.49, 2), (2.5, 3), (0.2, 1), (9, 5)])
def test_ratings_round_half_up_within_the_scale(value: float, rating: int) -> None:
    assert rating_of(value, SCALE) == rating


def person(id: str, hired: str, status: str = "active", manager: str | None = "boss",
           department: str = "d") -> dict[str, Any]:
    return {"_id": id, "hireDate": hired, "status": status, "managerId": manager, "departmentId": department}


def test_hired_on_the_cutoff_is_not_eligible_the_day_before_is() -> None:
    cycle = {"eligibility": {"hiredBefore": "2026-10-01", "departmentIds": [], "excludedEmployeeIds": ["x"]}}
    people = [person("on", "2026-10-01"), person("before", "2026-09-30"), person("leave", "2020-01-01", "on_leave"),
              person("gone", "2020-01-01", "terminated"), person("x", "2020-01-01")]
    chosen, skipped = eligibility(cycle, people, [])
    assert [p["_id"] for p in chosen] == ["before"]
    assert {s.employee_id: s.reason for s in skipped} == {
        "on": SkipReason.HIRED_ON_OR_AFTER_CUTOFF, "leave": SkipReason.ON_LEAVE, "gone": SkipReason.TERMINATED,
        "x": SkipReason.EXCLUDED}


def test_the_launch_plan_is_the_same_every_time_and_skips_managers_on_leave() -> None:
    cycle = {"_id": "c", "peersPerReviewee": 1,
             "eligibility": {"hiredBefore": "2026-10-01", "departmentIds": [], "excludedEmployeeIds": []}}
    people = [person("top", "2020-01-01", manager=None), person("boss", "2020-01-01", "on_leave", manager="top"),
              person("a", "2021-01-01"), person("b", "2021-01-01")]
    first = plan_launch(cycle, {"_id": "t", **template(self=1)}, people, [], {}, None)
    again = plan_launch(cycle, {"_id": "t", **template(self=1)}, people, [], {}, None)
    assert first.reviews == again.reviews and first.forms == again.forms
    review_a = next(r for r in first.reviews if r["employeeId"] == "a")
    assert (review_a["managerId"], review_a["peerIds"]) == ("top", ["b"])
    assert {f["kind"] for f in first.forms if f["reviewId"] == review_a["_id"]} == {"self", "manager", "peer"}


def test_the_workflow_table() -> None:
    review = {"state": "self_review"}
    pending = [{"kind": "self", "state": "in_progress"}]
    assert transition_errors(review, "shared", frozenset({Actor.HR_ADMIN}), [])[0].code == ErrorCode.INVALID_TRANSITION
    assert transition_errors(review, "manager_review", frozenset({Actor.REVIEWEE}), pending)[0].code \
        == ErrorCode.INVALID_TRANSITION
    assert transition_errors(review, "manager_review", frozenset({Actor.HR_ADMIN}), pending) == []
