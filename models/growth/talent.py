"""The 9-box talent grid: calibrated performance (a cycle's final rating: 1–2 low, 3 moderate, 4–5 high)
against potential (the managers' rating as it stood at the end of the cycle's period: 1 low, 2 moderate,
3 high), with counts per box and each person's movement since the previous cycle."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from typing import Any


class Band(StrEnum):
    LOW = "low"
    MODERATE = "moderate"
    HIGH = "high"


def performance_band(rating: int) -> Band:
    return Band.LOW if rating <= 2 else Band.MODERATE if rating == 3 else Band.HIGH


def potential_band(potential: int) -> Band:
    return (Band.LOW, Band.MODERATE, Band.HIGH)[max(1, min(potential, 3)) - 1]


def potential_as_of(rating: Mapping[str, Any] | None, until: datetime) -> int | None:
    """The potential recorded last at or before ``until`` (``None``: none yet)."""
    entries = [h for h in (rating or {}).get("history", []) if h["at"] <= until]
    return int(entries[-1]["potential"]) if entries else None


def boxes(ratings: Mapping[str, int], potentials: Mapping[str, int | None]) -> dict[str, tuple[Band, Band]]:
    """Each person with both a rating and a potential: (performance band, potential band)."""
    return {id: (performance_band(r), potential_band(p)) for id, r in ratings.items()
            if (p := potentials.get(id)) is not None}


def counts(placed: Mapping[str, tuple[Band, Band]]) -> list[tuple[Band, Band, list[str]]]:
    """All nine boxes (performance, potential), low to high, with the people in each, by id."""
    return [(perf, pot, sorted(id for id, box in placed.items() if box == (perf, pot)))
            for perf in Band for pot in Band]


def movements(now: Mapping[str, tuple[Band, Band]], before: Mapping[str, tuple[Band, Band]]
              ) -> list[tuple[str, tuple[Band, Band], tuple[Band, Band]]]:
    """The people placed in both cycles whose box changed, by id."""
    return [(id, before[id], box) for id, box in sorted(now.items()) if id in before and before[id] != box]

