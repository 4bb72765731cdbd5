"""The k-anonymity rule shared by every report over anonymous answers (exits' attrition report, pilots' process
surveys): which groups to hide so that none of fewer than k people shows, nor is computable by subtraction."""

from __future__ import annotations

from collections.abc import Mapping


def suppressed_keys(counts: Mapping[str, int], k: int) -> set[str]:
    """The groups to hide: those with 1 to k-1 individuals, and then, while the hidden ones are a single group or
    hold fewer than k together (so subtracting the groups shown from the total would reveal them), the smallest
    group still shown (by count, then key). Groups with nobody need no hiding."""
    hidden = {key for key, count in counts.items() if 0 < count < k}
    while hidden and (len(hidden) == 1 or sum(counts[key] for key in hidden) < k):
        shown = sorted((count, key) for key, count in counts.items() if key not in hidden and count > 0)
        if not shown:
            break
        hidden.add(shown[0][1])
    return hidden
