"""The spend of a merit cycle's budgets as the sum of its participants' proposals, kept from their changes in any
order: each participant counts as its latest version seen, so an event that comes twice, late, or after a read
that already counted it changes nothing. Pure rules, no I/O (``resolvers/compensation/ledger.py`` keeps one per
cycle in a server process and feeds it).

A participant's change is ``Change(participant_id, version, keys, amounts)``: the version its write left
(``store.compensation.repository.write_proposal`` increments it, conditional on the one read, so versions order
a participant's changes), the budgets it counts on (:func:`budget_keys`) and :func:`amounts_of` after it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from models.compensation.budgets import COUNTERS, amounts

Amounts = tuple[int, int, int, int]  # in the order of COUNTERS
NOTHING: Amounts = (0, 0, 0, 0)


def budget_keys(participant: Mapping[str, Any]) -> tuple[str, ...]:
    """The budgets a participant's proposal counts on: every manager above them (``m:<id>``) and their
    department's (``d:<id>``), as ``store.compensation.repository.lock_and_recount`` sums them."""
    keys = [f"m:{m}" for m in participant.get("managerChain") or ()]
    if participant.get("departmentId"):
        keys.append(f"d:{participant['departmentId']}")
    return tuple(keys)


def amounts_of(participant: Mapping[str, Any]) -> Amounts:
    counted = amounts(participant)
    return tuple(int(counted[name]) for name in COUNTERS)  # type: ignore[return-value]


@dataclass(frozen=True)
class Change:
    """A participant as a write left it, as far as budgets count it."""

    participant_id: str
    version: int
    keys: tuple[str, ...]
    amounts: Amounts

    @classmethod
    def of(cls, participant: Mapping[str, Any]) -> Change:
        return cls(participant["_id"], int(participant.get("version") or 0), budget_keys(participant),
                   amounts_of(participant))

    def encode(self) -> list[Any]:
        return [self.participant_id, self.version, list(self.keys), list(self.amounts)]

    @classmethod
    def decode(cls, data: list[Any]) -> Change:
        participant_id, version, keys, counted = data
        if len(counted) != len(COUNTERS):
            raise ValueError("a change counts four amounts")
        return cls(str(participant_id), int(version), tuple(str(k) for k in keys),
                   tuple(int(a) for a in counted))  # type: ignore[arg-type]


class Spend:
    """Each budget's four counters (:data:`COUNTERS`) as the sum of its participants at their latest version."""

    def __init__(self, participants: Iterable[Mapping[str, Any]] = ()) -> None:
        self._counted: dict[str, Change] = {}
        self._totals: dict[str, list[int]] = {}
        for participant in participants:
            self.apply(Change.of(participant))

    def apply(self, change: Change) -> bool:
        """Count ``change`` unless a version of that participant as new or newer is counted already; returns
        whether the spend moved."""
        known = self._counted.get(change.participant_id)
        if known is not None and known.version >= change.version:
            return False
        before = known or Change(change.participant_id, -1, (), NOTHING)
        for key in before.keys:
            totals = self._totals[key]
            for index, amount in enumerate(before.amounts):
                totals[index] -= amount
        for key in change.keys:
            totals = self._totals.setdefault(key, [0, 0, 0, 0])
            for index, amount in enumerate(change.amounts):
                totals[index] += amount
        self._counted[change.participant_id] = change
        # the totals moved: other amounts, or other budgets for amounts that are not all nought
        return before.amounts != change.amounts or (before.keys != change.keys and any(change.amounts))

    def merge(self, other: Spend) -> set[str]:
        """Count every participant of ``other`` (a fresh read) unless a newer version is counted here; returns the
        budgets whose figures moved."""
        moved: set[str] = set()
        for change in other._counted.values():
            before = self._counted.get(change.participant_id)
            if self.apply(change):
                moved.update(change.keys, before.keys if before is not None else ())
        return moved

    def counters(self, key: str) -> dict[str, int]:
        """The four counters of one budget (``m:<manager id>`` or ``d:<department id>``)."""
        return dict(zip(COUNTERS, self._totals.get(key, NOTHING), strict=True))
