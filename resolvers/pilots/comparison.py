"""``pilotComparison``: the cohort and its comparison group side by side (``models/pilots/comparison.py``), read
through the check-ins, feedback, goals and exits domains' accessors: a constant number of store calls whatever
the organisation's size."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from models.checkins.rules import CheckInStatus
from models.core import clock
from models.core.documents import Document
from models.pilots.comparison import COHORT, COMPARISON, Comparison, Counts, GroupInput, build_comparison, months_of
from models.pilots.rules import round_closed
from resolvers.checkins import access as checkins
from resolvers.core.context import Context, require
from resolvers.exits import access as exits
from resolvers.feedback import access as feedback
from resolvers.goals import access as goals
from resolvers.pilots import pilots as pilot_rules
from store.core.people import ids_below
from store.pilots import repository as pilots_store

MONTHS = 25  # the months shown over time: the last 25 of the period (the field's cost bound)


@dataclass(frozen=True)
class PilotComparison:
    pilot: Document
    figures: Comparison
    question_texts: dict[tuple[int, str], str]


def period(pilot: Document, today: date) -> tuple[date, date]:
    """From the start to the end (or the day it was ended), not after today."""
    end = min(date.fromisoformat(pilot.get("endedOn") or pilot["endsOn"]), date.fromisoformat(pilot["endsOn"]),
              today)
    return date.fromisoformat(pilot["startsOn"]), end


async def comparison(context: Context, pilot_id: str) -> PilotComparison:
    pilot = await pilot_rules.known_pilot(context, pilot_id)
    signed_in = await require(context)
    store = signed_in.store
    k = await exits.anonymity_threshold(context)
    start, end = period(pilot, clock.today())
    cohort = list(pilot["affectedIds"])
    others = await pilot_rules.comparison_ids(context, pilot)
    if not signed_in.viewer.is_hr_admin:  # a manager compares with the people below them only
        below = set(await ids_below(store, signed_in.viewer.employee_id))
        others = [id for id in others if id in below]
    group_of = {**dict.fromkeys(others, COMPARISON), **dict.fromkeys(cohort, COHORT)}
    people = list(group_of)
    by_month: dict[str, dict[str, Counts]] = {COHORT: defaultdict(Counts), COMPARISON: defaultdict(Counts)}
    for row in await checkins.check_in_counts(context, people, start, end):
        status = row["status"]
        counts = Counts(row["count"], row["count"] if status == CheckInStatus.COMPLETED.value else 0,
                        row["count"] if status == CheckInStatus.SKIPPED.value else 0)
        group = by_month[group_of[row["employeeId"]]]
        group[row["month"]] = group[row["month"]] + counts
    first, last = datetime.combine(start, time.min, UTC), datetime.combine(end, time.max, UTC)
    delays: dict[str, list[float]] = {COHORT: [], COMPARISON: []}
    for requester, days in await feedback.answer_delays(context, people, first, last):
        delays[group_of[requester]].append(days)
    updates = {COHORT: 0, COMPARISON: 0}
    for person, count in (await goals.progress_update_counts(context, people, first, last)).items():
        updates[group_of[person]] += count
    surveys = await pilots_store.surveys(store, pilot_id)
    rounds = [r for r in await pilots_store.rounds_of(store, [s["_id"] for s in surveys])
              if round_closed(r, clock.today())] if surveys else []
    answers = await pilots_store.answers_of(store, [r["_id"] for r in rounds]) if rounds else []
    questions = {s["_id"]: s["questions"] for s in surveys}
    scored = []
    texts: dict[tuple[int, str], str] = {}
    for n, round in enumerate(sorted(rounds, key=lambda r: (r["opensOn"], r["_id"])), start=1):
        by_group: dict[str, dict[str, list[int]]] = {COHORT: defaultdict(list), COMPARISON: defaultdict(list)}
        for answer in answers:
            if answer["roundId"] == round["_id"] and answer.get("group") in by_group:
                for qid, value in sorted(answer["scores"].items()):
                    by_group[answer["group"]][qid].append(value)
        ids = [q["id"] for q in questions[round["surveyId"]]]
        texts.update({(n, q["id"]): q["text"] for q in questions[round["surveyId"]]})
        scored.append((n, ids, by_group))
    figures = build_comparison(
        k, start, end, months_of(start, end)[-MONTHS:] if start <= end else [],
        GroupInput(len(cohort), by_month[COHORT], delays[COHORT], updates[COHORT]),
        GroupInput(len(others), by_month[COMPARISON], delays[COMPARISON], updates[COMPARISON]), scored)
    return PilotComparison(pilot, figures, texts)
