"""Process surveys: questions about the process itself (a 1-5 score and a comment each), sent in rounds to a pilot's
cohort and comparison group, or to departments (or everyone), and answered anonymously, once per round.

What is stored of an answer: the round, the group it was sent in (cohort, comparison, everyone), the scores and the
comments, with a random id that carries no time, in ``processSurveyAnswers``; and, apart, a marker whose id is a
keyed hash of (organisation, round, person) in ``processSurveyMarkers``. Nothing links the two: no id, no time at
all, no event, no log line, no audit entry (models/core/audit.py leaves both collections out). The marker and the
answer are inserted in one transaction: of two concurrent answers of one person the second hits the marker's
unique id and is refused, nothing written. Scores reach people only as aggregates over at least k answers of a
closed round (``models/pilots/comparison.py``); comments never leave the store.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from models.core import clock
from models.core.documents import Document, new_id
from models.core.errors import ErrorCode, FieldError
from models.core.ids import key_in
from models.org.rules import EmployeeStatus
from models.pilots.comparison import Score, round_scores
from models.pilots.permissions import can_answer_round
from models.pilots.rules import (
    PilotChange,
    SurveyGroup,
    check_answers,
    check_name,
    check_questions,
    check_round,
    group_of,
    marker_id,
    round_closed,
    round_open,
)
from resolvers.core.context import Context, require
from resolvers.core.outcome import Outcome
from resolvers.exits import access as exits
from resolvers.org import access as org
from resolvers.pilots import pilots as pilot_rules
from resolvers.pilots.channels import publish_pilot_change
from store.core.repository import Duplicate
from store.pilots import repository as pilots_store

# Only with the embedded store's dev defaults, like the dev JWT secret; production sets PILOTS_SECRET (or at least
# JWT_SECRET, which start-up requires with a real MongoDB).
DEV_SECRET = "perfgraph-dev-pilots-secret-embedded-store-only"


def marker_key() -> bytes:
    """The server-side key of the "has answered" markers (never stored, never sent), derived for this one use."""
    base = os.environ.get("PILOTS_SECRET") or os.environ.get("JWT_SECRET") or DEV_SECRET
    return hmac.new(base.encode(), b"perfgraph:process-survey-markers", hashlib.sha256).digest()


@dataclass(frozen=True)
class MyRound:
    """A round sent to the viewer: the survey's questions, its window and whether they answered."""

    survey: Document
    round: Document
    answered: bool


def _questions(texts: list[str]) -> list[Document]:
    return [{"id": f"q{n}", "text": t.strip()} for n, t in enumerate(texts, start=1)]


async def save(context: Context, id: str | None, data: dict[str, Any]) -> Outcome:
    """Create a survey (id omitted) or change one; its questions only until a round was sent."""
    signed_in = await pilot_rules.admin(context)
    store = signed_in.store
    current = await store.processSurveys.get(id) if id else None
    errors: list[FieldError] = []
    if id and current is None:
        return Outcome.refused("id", ErrorCode.NOT_FOUND, f"no process survey {id!r} in your organisation")
    errors += check_name(data.get("title"), "title")
    errors += check_questions(data.get("questions"))
    pilot_id = data.get("pilot_id")
    if pilot_id is not None and await store.pilots.get(pilot_id) is None:
        errors.append(FieldError("pilotId", ErrorCode.NOT_FOUND, f"no pilot {pilot_id!r} in your organisation"))
    if current is not None and current.get("rounds"):
        errors.append(FieldError("id", ErrorCode.READ_ONLY, "a survey's questions are fixed once a round was sent"))
    if errors:
        return Outcome(errors=errors)
    fields = {"title": data["title"].strip(), "pilotId": pilot_id, "questions": _questions(data["questions"]),
              "updatedAt": clock.now()}
    if current is None:
        doc = await store.processSurveys.insert({"_id": new_id(), "rounds": [], "createdAt": clock.now(), **fields})
    elif not await store.processSurveys.update(current["_id"], fields, where={"rounds": []}):
        return Outcome.refused("id", ErrorCode.READ_ONLY, "a round of this survey was sent meanwhile")
    else:
        doc = {**current, **fields}
    context.fresh_loaders()
    return Outcome(doc)


async def _recipients(context: Context, survey: Document, department_ids: list[str]
                      ) -> dict[str, list[str]] | None:
    if survey.get("pilotId"):
        pilot = await (await require(context)).store.pilots.get(survey["pilotId"])
        if pilot is None:
            return None
        return {SurveyGroup.COHORT.value: list(pilot["affectedIds"]),
                SurveyGroup.COMPARISON.value: await pilot_rules.comparison_ids(context, pilot)}
    if department_ids:
        people = await pilot_rules.members(context, department_ids)
    else:
        people = [p for p in await org.people(context) if p.get("status") != EmployeeStatus.TERMINATED.value]
    return {SurveyGroup.EVERYONE.value: sorted(p["_id"] for p in people)}


async def send(context: Context, survey_id: str, opens_on: date, closes_on: date,
               department_ids: list[str]) -> Outcome:
    """The next round: to the pilot's cohort and comparison group as they are now (a survey of a pilot), else to
    ``department_ids``' people (none: everyone). One insert; of two concurrent sends one wins."""
    signed_in = await pilot_rules.admin(context)
    store = signed_in.store
    survey = await store.processSurveys.get(survey_id)
    if survey is None:
        return Outcome.refused("surveyId", ErrorCode.NOT_FOUND, f"no process survey {survey_id!r} in your "
                                                                "organisation")
    errors = check_round(opens_on, closes_on, clock.today(), survey.get("rounds", []))
    known = {d["_id"] for d in await org.departments(context)}
    errors += [FieldError("departmentIds", ErrorCode.NOT_FOUND, f"no department {id!r} in your organisation")
               for id in department_ids if id not in known]
    if survey.get("pilotId") and department_ids:
        errors.append(FieldError("departmentIds", ErrorCode.INVALID, "a pilot's survey goes to its two groups"))
    if errors:
        return Outcome(errors=errors)
    recipients = await _recipients(context, survey, department_ids) or {}
    k = await exits.anonymity_threshold(context)
    small = sorted(group for group, ids in recipients.items() if len(ids) < k)
    if small:  # an answer's group would name its author
        return Outcome.refused("surveyId", ErrorCode.INVALID, f"each group needs at least {k} recipients: "
                               + ", ".join(small))
    number = len(survey.get("rounds", [])) + 1
    round = {"_id": new_id(), "surveyId": survey_id, "number": number, "opensOn": opens_on.isoformat(),
             "closesOn": closes_on.isoformat(), "recipients": recipients}
    summary = {"number": number, "opensOn": round["opensOn"], "closesOn": round["closesOn"], "roundId": round["_id"]}

    async def step() -> None:
        await store.processSurveyRounds.insert(round)
        if not await store.processSurveys.update(survey_id, {"updatedAt": clock.now()}, push={"rounds": summary},
                                                 where={"rounds": {"$size": number - 1}}):
            raise Duplicate("a round was sent meanwhile")

    try:
        await store.transaction(step)
    except Duplicate:
        return Outcome.refused("surveyId", ErrorCode.DUPLICATE, "another round of this survey was sent meanwhile")
    if survey.get("pilotId"):
        await publish_pilot_change(context, PilotChange.ROUND_SENT, survey["pilotId"])
    else:
        context.fresh_loaders()
    return Outcome({**survey, "rounds": [*survey.get("rounds", []), summary]}, extra={"round": round})


async def answer(context: Context, round_id: str, answers: list[dict[str, Any]]) -> Outcome:
    """``Outcome.extra["answered"]`` on success; nothing that was stored comes back, nothing is published."""
    signed_in = await require(context)
    store, viewer = signed_in.store, signed_in.viewer
    round = await store.processSurveyRounds.get(round_id)
    if round is None or not can_answer_round(viewer, round):
        return Outcome.refused("roundId", ErrorCode.NOT_FOUND, "no survey round sent to you with this id")
    if not round_open(round, clock.today()):
        return Outcome.refused("roundId", ErrorCode.TOO_LATE,
                               f"this round is open from {round['opensOn']} to {round['closesOn']}")
    survey = await store.processSurveys.get(round["surveyId"])
    marker = marker_id(marker_key(), viewer.organization_id, round_id, viewer.employee_id)
    if survey is None or await pilots_store.markers(store, [marker]):
        return Outcome.refused("roundId", ErrorCode.DUPLICATE, "you have answered this round already")
    # a question is named by its id (``<survey id>:<key>``, unique across the API) or by its key
    answers = [{**a, "question_id": key_in(survey["_id"], str(a.get("question_id", "")))} for a in answers]
    scores, comments, errors = check_answers(survey["questions"], answers)
    if errors:
        return Outcome(errors=errors)
    doc = {"_id": new_id(), "roundId": round_id, "surveyId": round["surveyId"],
           "group": group_of(round["recipients"], viewer.employee_id), "scores": scores, "comments": comments}
    try:
        await store.transaction(lambda: pilots_store.insert_answer(store, marker, doc))
    except Duplicate:
        return Outcome.refused("roundId", ErrorCode.DUPLICATE, "you have answered this round already")
    return Outcome(extra={"answered": True})


async def my_rounds(context: Context) -> list[MyRound]:
    """The rounds sent to the viewer that are open now, soonest closing first, each with whether they answered."""
    signed_in = await require(context)
    store, viewer, today = signed_in.store, signed_in.viewer, clock.today()
    rounds = [r for r in await pilots_store.rounds_sent_to(store, viewer.employee_id) if round_open(r, today)]
    if not rounds:
        return []
    surveys = await signed_in.loaders.pilots.survey_by_id.load_many([r["surveyId"] for r in rounds])
    key = marker_key()
    mine = {marker_id(key, viewer.organization_id, r["_id"], viewer.employee_id): r["_id"] for r in rounds}
    answered = {mine[m] for m in await pilots_store.markers(store, list(mine))}
    found = [MyRound(s, r, r["_id"] in answered) for s, r in zip(surveys, rounds, strict=True) if s is not None]
    return sorted(found, key=lambda x: (x.round["closesOn"], x.round["_id"]))


@dataclass(frozen=True)
class RoundResults:
    """A round and, once it closed, each question's score per group (``None``: below k)."""

    round: Document
    k: int
    scores: dict[str, dict[str, Score | None]] | None


async def surveys(context: Context, pilot_id: str | None) -> list[tuple[Document, list[RoundResults]]]:
    """HR admins: the process surveys (of one pilot, if asked), newest first (at most 20), with their rounds'
    results. Three store calls (and k) whatever the number of surveys, rounds and answers."""
    signed_in = await pilot_rules.admin(context)
    store, today = signed_in.store, clock.today()
    docs = await pilots_store.surveys(store, pilot_id, limit=20)
    rounds = await pilots_store.rounds_of(store, [d["_id"] for d in docs]) if docs else []
    closed = [r["_id"] for r in rounds if round_closed(r, today)]
    answers = await pilots_store.answers_of(store, closed) if closed else []
    k = await exits.anonymity_threshold(context)
    out = []
    for doc in docs:
        results = []
        for round in (r for r in rounds if r["surveyId"] == doc["_id"]):
            if round["_id"] not in closed:
                results.append(RoundResults(round, k, None))
                continue
            by_group: dict[str, dict[str, list[int]]] = {g: defaultdict(list) for g in round["recipients"]}
            for answer in (a for a in answers if a["roundId"] == round["_id"] and a.get("group") in by_group):
                for qid, value in answer["scores"].items():
                    by_group[answer["group"]][qid].append(value)
            results.append(RoundResults(round, k, round_scores([q["id"] for q in doc["questions"]], by_group, k,
                                                               sorted(round["recipients"]))))
        out.append((doc, results))
    return out
