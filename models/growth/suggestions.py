"""Mentor suggestions: people whose last shared review meets the levels the mentee's target positions expect
where the mentee still needs to grow, from outside the mentee's reporting line, with room for a mentee.

* A **need** is a competency one of the mentee's target positions expects above the level the mentee's last
  shared review assessed (a competency never assessed counts as ``MISSING_ASSESSMENT_GAP`` short, as for
  readiness). Over several targets a competency's need is its largest shortfall (the first target in the
  plan's order on a tie), with that target's expected level.
* A mentor **covers** a need when their own last shared review meets its expected level.
* The **score** is the number of levels of growth the mentor covers (the sum of the shortfalls of the
  needs covered); a suggestion covers at least one need. Higher first, then more room for mentees, then
  by employee id, so the order is stable.
* Never suggested: the mentee, anyone above or below them in the management chain, anyone who has left,
  a current mentor of theirs, or a mentor with no room left (active mentees at the organisation's
  ``maxMenteesPerMentor``).

Only that a mentor meets a level is used and shown, never the mentor's assessed levels themselves.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from models.growth.readiness import MISSING_ASSESSMENT_GAP
from models.growth.rules import in_reporting_line
from models.org.rules import EmployeeStatus

MAX_SUGGESTIONS = 20


@dataclass(frozen=True)
class Need:
    competency_id: str
    position_id: str  # the target position expecting it
    expected: int
    assessed: int | None  # the mentee's level in their last shared review

    @property
    def shortfall(self) -> int:
        return MISSING_ASSESSMENT_GAP if self.assessed is None else self.expected - self.assessed


@dataclass(frozen=True)
class Suggestion:
    mentor_id: str
    covers: list[Need]  # in the order of the needs
    room: int  # how many more mentees the mentor may take

    @property
    def score(self) -> int:
        return sum(n.shortfall for n in self.covers)


def needs(target_ids: Sequence[str], expected: Mapping[str, Mapping[str, int]],
          assessed: Mapping[str, int]) -> list[Need]:
    """The mentee's needs toward their targets (``expected``: position id → competency id → level), largest
    shortfall first, then by competency id."""
    found: dict[str, Need] = {}
    for position_id in target_ids:
        for competency_id, level in sorted(expected.get(position_id, {}).items()):
            need = Need(competency_id, position_id, level, assessed.get(competency_id))
            if need.shortfall > 0 and (competency_id not in found or need.shortfall > found[competency_id].shortfall):
                found[competency_id] = need
    return sorted(found.values(), key=lambda n: (-n.shortfall, n.competency_id))


def may_mentor(mentor: Mapping[str, Any], mentee: Mapping[str, Any], current_mentor_ids: Collection[str]) -> bool:
    """Someone who may be suggested at all: not the mentee, not in their reporting line (either way), not
    left, not already their mentor."""
    return (mentor["_id"] != mentee["_id"] and mentor.get("status") != EmployeeStatus.TERMINATED.value
            and mentor["_id"] not in current_mentor_ids and not in_reporting_line(mentor, mentee))


def suggest(mentee: Mapping[str, Any], wanted: Sequence[Need], people: Sequence[Mapping[str, Any]],
            meets: Mapping[str, Collection[str]], active_mentees: Mapping[str, int], max_mentees: int,
            current_mentor_ids: Collection[str], first: int) -> list[Suggestion]:
    """The ``first`` best mentors for ``wanted`` among ``people`` (``meets``: person id → the competency ids
    whose expected level, as in ``wanted``, their last shared review meets; ``active_mentees``: person id →
    how many they mentor now)."""
    found = []
    for person in people:
        room = max_mentees - active_mentees.get(person["_id"], 0)
        if room <= 0 or not may_mentor(person, mentee, current_mentor_ids):
            continue
        strong = meets.get(person["_id"], ())
        covers = [n for n in wanted if n.competency_id in strong]
        if covers:
            found.append(Suggestion(person["_id"], covers, room))
    found.sort(key=lambda s: (-s.score, -s.room, s.mentor_id))
    return found[:first]


def explanation(suggestion: Suggestion, competency_names: Mapping[str, str],
                position_titles: Mapping[str, str]) -> str:
    """In words: the levels of growth covered, and for each competency what the target expects and where the
    mentee is (never the mentor's own levels)."""
    parts = []
    for need in suggestion.covers:
        where = "not assessed yet" if need.assessed is None else f"assessed {need.assessed}"
        parts.append(f"{competency_names.get(need.competency_id, need.competency_id)}: "
                     f"{position_titles.get(need.position_id, need.position_id)} expects {need.expected}, "
                     f"the mentee is {where}")
    levels = "level" if suggestion.score == 1 else "levels"
    return (f"meets the expected level where the mentee needs {suggestion.score} {levels} of growth ("
            + "; ".join(parts) + f"); room for {suggestion.room} more mentee{'s' if suggestion.room != 1 else ''}")
