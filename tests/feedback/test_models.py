"""The feedback domain's pure rules."""

from __future__ import annotations

from datetime import date

import pytest

from models.feedback.praise import ReactionKind, reaction_counts, toggled
from models.feedback.rules import Direction, check_body, check_threshold, contributor_hash, direction_of, period_of


@pytest.mark.parametrize(("day", "period"), [(date(2026, 1, 1), "2026-Q1"), (date(2026, 3, 31), "2026-Q1"),
                                             (date(2026, 4, 1), "2026-Q2"), (date(2026, 12, 31), "2026-Q4")])
def test_periods_are_calendar_quarters(day: date, period: str) -> None:
    assert period_of(day) == period


def test_direction_of_follows_the_chain() -> None:
    ceo = {"_id": "a", "managerChain": []}
    lead = {"_id": "b", "managerChain": ["a"]}
    dev, other = {"_id": "c", "managerChain": ["a", "b"]}, {"_id": "d", "managerChain": ["a", "b"]}
    assert direction_of(dev, ceo) == direction_of(dev, lead) == Direction.UPWARD
    assert direction_of(ceo, dev) == Direction.DOWNWARD
    assert direction_of(dev, other) == Direction.PEER


def test_contributor_hashes_differ_per_manager_period_and_key() -> None:
    base = contributor_hash(b"k", "org", "manager", "2026-Q4", "author")
    assert len(base) == 64 and "author" not in base
    assert base == contributor_hash(b"k", "org", "manager", "2026-Q4", "author")
    others = {contributor_hash(b"k", "org", "other", "2026-Q4", "author"),
              contributor_hash(b"k", "org", "manager", "2026-Q3", "author"),
              contributor_hash(b"j", "org", "manager", "2026-Q4", "author")}
    assert base not in others and len(others) == 3


def test_reactions_toggle_and_count() -> None:
    assert toggled(None, ReactionKind.LIKE) == "like"
    assert toggled("like", ReactionKind.LIKE) is None
    assert toggled("like", ReactionKind.HEART) == "heart"
    counts = reaction_counts({"reactions": {"a": "heart", "b": "like", "c": "heart"}})
    assert counts == [(ReactionKind.LIKE, 1), (ReactionKind.HEART, 2)]


def test_text_and_threshold_limits() -> None:
    assert check_body("x" * 5000, "text") == []
    assert [e.code for e in check_body("x" * 5001, "text") + check_body("", "text")] == ["too_long", "required"]
    assert check_threshold(3) == [] and [e.code for e in check_threshold(2)] == ["invalid"]
