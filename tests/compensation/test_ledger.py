"""The spend a process keeps from budget events (models/compensation/ledger.py): each participant counted at its
latest version, whatever order, repetition or overlap with a read the events come in; and sealed event parts
(realtime/sealing.py) open only with the key they were sealed with."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from models.compensation.ledger import Change, Spend
from realtime.sealing import Sealer


def participant(id: str, version: int, percent_minor: int, state: str = "draft", *, promotion: int = 0,
                chain: tuple[str, ...] = ("top", "lead"), department: str | None = "sales") -> dict[str, Any]:
    return {"_id": id, "version": version, "managerChain": list(chain), "departmentId": department,
            "proposal": {"increaseMinor": percent_minor, "promotionIncreaseMinor": promotion, "state": state}}


def test_each_participant_counts_once_at_its_latest_version_in_any_order() -> None:
    # given three changes of one participant (proposed, raised, submitted) and one of another
    changes = [Change.of(participant("a", 1, 100)), Change.of(participant("a", 2, 150)),
               Change.of(participant("a", 3, 150, "submitted")), Change.of(participant("b", 1, 40, promotion=7))]
    expected = {"proposedMinor": 190, "committedMinor": 150, "promotionProposedMinor": 7,
                "promotionCommittedMinor": 0}
    # when they are counted in every order, each twice
    for order in itertools.permutations(changes):
        spend = Spend()
        for change in [*order, *order]:
            spend.apply(change)
        # then every budget above them holds the latest of each, once
        assert spend.counters("m:top") == spend.counters("m:lead") == spend.counters("d:sales") == expected
        assert spend.counters("m:nobody") == dict.fromkeys(expected, 0)


def test_a_read_merged_with_events_keeps_the_newer_of_each_participant() -> None:
    # given events counted while a read was under way: a's change after the read, b's already in it
    spend = Spend()
    spend.apply(Change.of(participant("a", 2, 300)))
    spend.apply(Change.of(participant("b", 1, 50)))
    # when the read comes back with a at its older version, b at the same one and c unseen by events
    moved = spend.merge(Spend([participant("a", 1, 100), participant("b", 1, 50),
                               participant("c", 4, 20, department="ops")]))
    # then nothing is counted twice and the newer wins; only what the read brought moved (c's budgets)
    assert spend.counters("m:top")["proposedMinor"] == 300 + 50 + 20
    assert spend.counters("d:sales")["proposedMinor"] == 300 + 50
    assert moved == {"m:top", "m:lead", "d:ops"}
    # and a later event of a's older version changes nothing
    assert spend.apply(Change.of(participant("a", 1, 100))) is False
    assert spend.counters("m:top")["proposedMinor"] == 370


def test_a_participant_moved_under_another_manager_leaves_the_old_chain() -> None:
    spend = Spend([participant("a", 1, 100, chain=("top", "lead"))])
    assert spend.apply(Change.of(participant("a", 2, 100, chain=("top", "other")))) is True
    assert (spend.counters("m:lead")["proposedMinor"], spend.counters("m:other")["proposedMinor"],
            spend.counters("m:top")["proposedMinor"]) == (0, 100, 100)


def test_changes_travel_sealed_and_open_only_with_their_key() -> None:
    # given a change sealed by one process
    change = Change.of(participant("a", 3, 12345))
    sealed = Sealer("a shared secret of thirty-two chars").seal([change.encode()])
    # then the same secret opens it, another key or an altered one does not
    opened = Sealer("a shared secret of thirty-two chars").open(sealed)
    assert [Change.decode(item) for item in opened] == [change]
    assert Sealer("another secret of thirty-two chars.").open(sealed) is None
    assert Sealer().open(sealed) is None
    assert Sealer("a shared secret of thirty-two chars").open(sealed[:-4] + "AAAA") is None
    # and a secret shorter than 32 characters is refused
    with pytest.raises(ValueError, match="32"):
        Sealer("short")


def test_a_participant_first_seen_with_nothing_proposed_moves_no_budget() -> None:
    # a read that brings a proposal of nought (its event not heard yet) has nothing to announce
    spend = Spend()
    assert spend.merge(Spend([participant("a", 1, 0)])) == set()
    assert spend.counters("m:top")["proposedMinor"] == 0
