"""The candid exit survey: the leaver's own, answered once, stored with no author in any form.

What is stored: the answers' figures and texts with the leaver's cohort (department, manager chain, position
level, tenure band, the month of the last day) in ``exitSurveyResponses``, with a random id that carries no time;
and ``surveyDone: true`` on the exit record. Nothing links the two: no id, no time finer than the month, no
event (an event when someone answers would tell a subscriber who), no log line. Reports show the answers only as
aggregates over at least k of them (``models/exits/report.py``).

Answered once: the marker is set by a conditional write (only over ``surveyDone: false``) in the same transaction
as the answers' insert; of two concurrent submissions one commits and the other is refused, nothing written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from models.core import clock
from models.core.documents import Document
from models.core.errors import ErrorCode
from models.exits.permissions import can_answer_survey
from models.exits.rules import ExitStatus, check_answers, survey_response, survey_window
from resolvers.core.context import Context, require
from resolvers.core.outcome import Outcome
from resolvers.exits.records import template_of
from store.exits import repository as exits_store


class AnsweredAlready(Exception):
    """The marker was set meanwhile (aborts the transaction: the answers are not inserted)."""


@dataclass(frozen=True)
class Survey:
    template: Document
    opens_on: date
    closes_on: date
    submitted: bool


async def _own_record(context: Context) -> Document | None:
    signed_in = await require(context)
    record = await exits_store.record_of_employee(signed_in.store, signed_in.viewer.employee_id)
    if record is None or record["status"] == ExitStatus.CANCELLED.value or not can_answer_survey(signed_in.viewer,
                                                                                                   record):
        return None
    return record


async def my_survey(context: Context) -> Survey | None:
    """The viewer's own survey while it is open (or answered): its questions and window, never any answer."""
    record = await _own_record(context)
    if record is None:
        return None
    template = await template_of(context, record)
    if template is None:
        return None
    opens, closes = survey_window(record["lastDay"], await exits_store.settings((await require(context)).store))
    if not opens <= clock.today() <= closes:
        return None
    return Survey(template, opens, closes, bool(record.get("surveyDone")))


async def submit(context: Context, answers: list[dict[str, Any]]) -> Outcome:
    """``Outcome.extra["submitted"]`` on success; the payload returns nothing that was stored."""
    signed_in = await require(context)
    store = signed_in.store
    record = await _own_record(context)
    if record is None:
        return Outcome.refused(None, ErrorCode.NOT_FOUND, "you have no exit survey to answer")
    template = await template_of(context, record)
    opens, closes = survey_window(record["lastDay"], await exits_store.settings(store))
    if template is None or not opens <= clock.today() <= closes:
        return Outcome.refused(None, ErrorCode.TOO_LATE, f"your exit survey is open from {opens} to {closes}")
    if record.get("surveyDone"):
        return Outcome.refused(None, ErrorCode.DUPLICATE, "you have answered your exit survey already")
    reasons = {r["_id"]: r["category"] for r in await exits_store.reasons(store, False)}
    values, errors = check_answers(template, answers, reasons)
    if errors:
        return Outcome(errors=errors)
    response = survey_response(template["questions"], values, record, reasons)

    async def step() -> None:
        if not await store.exitRecords.update(record["_id"], {"surveyDone": True}, where={"surveyDone": False}):
            raise AnsweredAlready
        await store.exitSurveyResponses.insert(response)

    try:
        await store.transaction(step)
    except AnsweredAlready:
        return Outcome.refused(None, ErrorCode.DUPLICATE, "you have answered your exit survey already")
    return Outcome(extra={"submitted": True})
