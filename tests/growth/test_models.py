"""The pure ranking arithmetic: a ranking's numbers-only score equals the explained one, factor by factor."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from typing import Any

from models.growth.candidates import DEFAULT_WEIGHTS, FACTORS, Scoring, Weights, factor_values, weighted

TODAY = date(2026, 6, 1)
POSITION = {"_id": "lead", "departmentId": "d1"}
COMPETENCIES = ["c1", "c2", "c3", "c4"]


def some_person(rng: random.Random, index: int) -> dict[str, Any]:
    person: dict[str, Any] = {"_id": f"p{index:04d}", "departmentId": rng.choice(["d1", "d2", None])}
    hired = datetime(2019, 1, 1, tzinfo=UTC) + timedelta(days=rng.randrange(0, 2900))
    if rng.random() < 0.9:
        person["hireDate"] = hired
    if rng.random() < 0.3:
        person["positionHistory"] = [{"until": hired + timedelta(days=rng.randrange(-30, 900))}]
    return person


def some_inputs(rng: random.Random) -> dict[str, Any]:
    assessed = None if rng.random() < 0.4 else {c: rng.randrange(0, 6) for c in rng.sample(COMPETENCIES, 3)}
    targets = [{"positionId": rng.choice(["lead", "senior", "other", "staff"]),
                **({"willingToChangeDepartment": rng.random() < 0.5} if rng.random() < 0.7 else {})}
               for _ in range(rng.choice([0, 0, 1, 2]))]
    return {"assessed": assessed, "rating": rng.choice([None, 0, 1, 2, 3, 4, 5]),
            "potential": rng.choice([None, 1, 2, 3]), "targets": targets,
            "readiness": rng.choice([None, "ready_now", "ready_in_1_2_years", "ready_in_3_plus_years"])}


def some_weights(rng: random.Random) -> Weights:
    choice = rng.random()
    if choice < 0.2:
        return Weights.of(DEFAULT_WEIGHTS)
    return Weights.of({f.value: rng.choice([0, 0, 1, 5, 7.5, 13, 40, 100]) for f in FACTORS}
                      if choice < 0.9 else {f.value: 0 for f in FACTORS})


def test_the_numbers_only_score_is_the_explained_score() -> None:
    # given a thousand people with every mix of evidence, under random weights and expected levels
    rng = random.Random(14)
    for round_ in range(40):
        weights = some_weights(rng)
        expected = {c: rng.randrange(1, 6) for c in rng.sample(COMPETENCIES, rng.randrange(0, 4))}
        tracks = {"senior", "lead"} if rng.random() < 0.5 else set()
        scoring = Scoring.of(POSITION, expected=expected, track_positions=tracks, weights=weights, today=TODAY)
        for index in range(25):
            person, inputs = some_person(rng, index), some_inputs(rng)
            # when each is scored from numbers alone, and with every factor explained
            fast = scoring.score(person, **inputs)
            explained = weighted(factor_values(person, POSITION, expected=expected, track_positions=tracks,
                                               today=TODAY, **inputs), weights)
            # then both give the very same float
            assert fast == explained, (round_, index, person, inputs, weights, expected)
