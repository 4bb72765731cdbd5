"""The suppression rule alone (models/exits/report.py): which groups a report hides for a given k."""

from __future__ import annotations

import itertools

import pytest

from models.exits.report import suppressed_keys


@pytest.mark.parametrize(("counts", "k", "hidden"), [
    ({"a": 5, "b": 6}, 5, set()),                      # every group at k or more: nothing hidden
    ({"a": 0, "b": 5}, 5, set()),                      # nobody left in a: nothing to hide
    ({"a": 1, "b": 5, "c": 6}, 5, {"a", "b"}),         # a alone = total - b - c: the next-smallest goes too
    ({"a": 1, "b": 1, "c": 10}, 3, {"a", "b", "c"}),   # a and b hold 2 < k together: c goes too
    ({"a": 2, "b": 3, "c": 3}, 3, {"a", "b"}),         # ties: by key
    ({"a": 4}, 5, {"a"}),                              # the only group: hidden (and so is the total)
])
def test_which_groups_are_hidden(counts: dict[str, int], k: int, hidden: set[str]) -> None:
    assert suppressed_keys(counts, k) == hidden


def test_no_hidden_count_is_computable_from_the_total_for_any_small_report() -> None:
    # for every report of three groups with 0 to 7 people each, and k from 3 to 5
    for k in (3, 4, 5):
        for values in itertools.product(range(8), repeat=3):
            counts = dict(zip("abc", values, strict=True))
            hidden = suppressed_keys(counts, k)
            shown = [c for key, c in counts.items() if key not in hidden]
            # then no group shown is below k, and what the total minus the shown groups leaves is nothing, or
            # at least k people in at least two groups
            assert all(c == 0 or c >= k for c in shown)
            remainder = sum(counts.values()) - sum(shown)
            assert remainder == 0 or (remainder >= k and len(hidden) >= 2) or sum(counts.values()) < k
