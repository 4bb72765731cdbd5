"""Exit records: opened by org's departure hook, read by HR admins and the interviewer, scheduled, classified,
their named interview recorded; the reason taxonomy and the organisation's exit settings.

Every write that depends on a record's state is one conditional write on that state (``where``), so two
concurrent changes cannot both pass a check the other invalidates.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from models.core import clock
from models.core.documents import Document, new_id
from models.core.errors import ErrorCode, FieldError
from models.exits.permissions import can_manage_exits, can_record_interview, can_see_exit_record
from models.exits.rules import (
    MAX_REASONS,
    OPEN_STATUSES,
    ExitChange,
    ExitStatus,
    check_answers,
    check_classification,
    check_reason,
    check_settings,
    exit_record,
    merged_checklist,
)
from models.org.rules import EmployeeStatus
from resolvers.core.context import Context, require, require_role
from resolvers.core.errors import BadUserInput, Forbidden
from resolvers.core.outcome import Outcome
from resolvers.core.pages import Window, check_window, issued_cursor
from resolvers.exits.channels import publish_exit_change
from resolvers.exits.checklist import build_checklist
from resolvers.org import access as org_access
from store.core.pagination import Page
from store.core.repository import Duplicate
from store.exits import repository as exits_store

HR_ONLY = "only HR admins manage exits"
RECORD_REFUSAL = "exit records are visible to HR admins and the assigned interviewer only"


# --- opened and withdrawn by the org domain's departure hook ----------------------------------------------------

@org_access.on_departure
async def departure(context: Context, employee: Document, last_day: date | None) -> org_access.AfterCommit | None:
    """Inside org's transaction: open (or re-open, or move the last day of) the leaver's exit record with its
    checklist, or cancel a pending one when a future end date is withdrawn. Idempotent: the record is unique per
    employee and checklist items keep their ids, so a retried or repeated run writes the same state."""
    signed_in = await require(context)
    store = signed_in.store
    record = await exits_store.record_of_employee(store, employee["_id"])
    now = clock.now()
    if last_day is None:
        if record is None or record["status"] not in OPEN_STATUSES \
                or employee.get("status") == EmployeeStatus.TERMINATED.value:
            return None
        await store.exitRecords.update(record["_id"], {"status": ExitStatus.CANCELLED.value, "updatedAt": now})
        return _announce(context, store.organization_id, ExitChange.WITHDRAWN, record["_id"])
    position = await org_access.referenced(context, "position", employee.get("positionId"), "positionId", [],
                                           fresh=True)
    level = position.get("level") if position else None
    if record is None:
        fresh = exit_record(employee, last_day, level, signed_in.viewer.employee_id, now)
        template = await exits_store.template_for(store, employee.get("departmentId"))
        fresh["surveyTemplateId"] = template["_id"] if template else None
        fresh["checklist"] = merged_checklist([], await build_checklist(context, fresh["_id"], employee))
        await store.exitRecords.insert(fresh)
        return _announce(context, store.organization_id, ExitChange.OPENED, fresh["_id"])
    checklist = merged_checklist(record.get("checklist", []), await build_checklist(context, record["_id"], employee))
    changes: dict[str, Any] = {"lastDay": last_day.isoformat(), "checklist": checklist, "updatedAt": now}
    if record["status"] == ExitStatus.CANCELLED.value:
        changes["status"] = ExitStatus.PENDING.value
    if all(record.get(k) == v for k, v in changes.items() if k != "updatedAt"):
        return None
    await store.exitRecords.update(record["_id"], changes)
    return _announce(context, store.organization_id, ExitChange.OPENED, record["_id"])


def _announce(context: Context, organization_id: str, kind: ExitChange, exit_id: str) -> org_access.AfterCommit:
    async def then() -> None:
        await publish_exit_change(context, organization_id, kind, exit_id)
    return then


# --- reading ------------------------------------------------------------------------------------------------------

async def exit_record_by_id(context: Context, id: str) -> Document | None:
    """``None`` for an unknown id (another organisation's too); :class:`Forbidden` for one the viewer may not see."""
    signed_in = await require(context)
    record = await signed_in.loaders.exits.record_by_id.load(id)
    if record is not None and not can_see_exit_record(signed_in.viewer, record):
        raise Forbidden(RECORD_REFUSAL)
    return record


async def exit_records(context: Context, status: str | None, window: Window) -> Page:
    """HR admins: every record; anyone else: the records they are the interviewer of. Newest last day first."""
    signed_in = await require(context)
    check_window(window)
    query: dict[str, Any] = {} if signed_in.viewer.is_hr_admin else {"interviewerId": signed_in.viewer.employee_id}
    if status:
        query["status"] = status
    with issued_cursor():
        return await exits_store.records_page(signed_in.store, query, window)


DUE_MAX = 100


async def due_interviews(context: Context, within_days: int) -> list[Document]:
    """Reminders: open exits whose interview day, or else last day, falls within ``within_days`` from today (or
    has passed), soonest first; HR admins all of them, anyone else those they interview. At most 100."""
    signed_in = await require(context)
    if not 0 <= within_days <= 90:
        raise BadUserInput("withinDays must be between 0 and 90")
    until = (clock.today() + timedelta(days=within_days)).isoformat()
    query: dict[str, Any] = {"status": {"$in": list(OPEN_STATUSES)},
                             "$or": [{"interviewOn": {"$lte": until}},
                                     {"interviewOn": None, "lastDay": {"$lte": until}}]}
    if not signed_in.viewer.is_hr_admin:
        query["interviewerId"] = signed_in.viewer.employee_id
    docs = await signed_in.store.exitRecords.find(query, sort=[("lastDay", 1), ("_id", 1)], limit=DUE_MAX)
    return sorted(docs, key=lambda d: (d.get("interviewOn") or d["lastDay"], d["_id"]))


async def reasons(context: Context, include_archived: bool) -> list[Document]:
    """The organisation's reason taxonomy: everyone in it may read it."""
    return await exits_store.reasons((await require(context)).store, include_archived)


async def settings(context: Context) -> Document:
    return await exits_store.settings((await require(context)).store)


# --- HR's changes -------------------------------------------------------------------------------------------------

async def _record_for_change(context: Context, exit_id: str, errors: list[FieldError]) -> Document | None:
    record = await (await require(context)).store.exitRecords.get(exit_id)
    if record is None:
        errors.append(FieldError("exitId", ErrorCode.NOT_FOUND, f"no exit record {exit_id!r} in your organisation"))
    return record


async def schedule_interview(context: Context, exit_id: str, interviewer_id: str, on: date) -> Outcome:
    signed_in = await require_role(context, can_manage_exits, HR_ONLY)
    errors: list[FieldError] = []
    record = await _record_for_change(context, exit_id, errors)
    interviewer = await org_access.referenced(context, "employee", interviewer_id, "interviewerId", errors,
                                              active=True)
    if record is not None and interviewer is not None and interviewer["_id"] == record["employeeId"]:
        errors.append(FieldError("interviewerId", ErrorCode.INVALID, "the leaver cannot interview themselves"))
    if on.year < 2000 or on.year > clock.today().year + 2:
        errors.append(FieldError("on", ErrorCode.INVALID, "the interview's day must lie within two years"))
    if errors or record is None:
        return Outcome(errors=errors)
    changed = await signed_in.store.exitRecords.update(
        exit_id, {"status": ExitStatus.SCHEDULED.value, "interviewerId": interviewer_id, "interviewOn": on.isoformat(),
                  "updatedAt": clock.now()}, where={"status": {"$in": list(OPEN_STATUSES)}})
    if not changed:
        return _closed()
    await publish_exit_change(context, signed_in.store.organization_id, ExitChange.SCHEDULED, exit_id)
    return Outcome(await signed_in.store.exitRecords.get(exit_id))


def _closed() -> Outcome:
    return Outcome.refused("exitId", ErrorCode.INVALID_TRANSITION, "this exit is completed or cancelled")


async def _active_reason_ids(context: Context) -> dict[str, str]:
    """id → category of the organisation's reasons that are not archived."""
    return {r["_id"]: r["category"] for r in await reasons(context, False)}


async def classify(context: Context, exit_id: str, data: dict[str, Any]) -> Outcome:
    """HR's classification: kind, regretted, up to three reasons of the organisation's taxonomy, eligible for rehire,
    notes. Allowed until the record is cancelled (a completed interview may be classified later)."""
    signed_in = await require_role(context, can_manage_exits, HR_ONLY)
    errors: list[FieldError] = []
    record = await _record_for_change(context, exit_id, errors)
    errors += check_classification(data, await _active_reason_ids(context))
    if errors or record is None:
        return Outcome(errors=errors)
    changes: dict[str, Any] = {"updatedAt": clock.now(), "classifiedById": signed_in.viewer.employee_id}
    for key, doc_key in (("kind", "kind"), ("regretted", "regretted"), ("rehire_eligible", "rehireEligible"),
                         ("notes", "notes")):
        if key in data:
            changes[doc_key] = data[key].value if hasattr(data[key], "value") else data[key]
    for rank in ("primary", "secondary", "tertiary"):
        if f"{rank}_reason_id" in data:
            changes[f"reasons.{rank}"] = data[f"{rank}_reason_id"]
    changed = await signed_in.store.exitRecords.update(exit_id, changes,
                                                       where={"status": {"$ne": ExitStatus.CANCELLED.value}})
    if not changed:
        return _closed()
    await publish_exit_change(context, signed_in.store.organization_id, ExitChange.CLASSIFIED, exit_id)
    return Outcome(await signed_in.store.exitRecords.get(exit_id))


async def template_of(context: Context, record: Document) -> Document | None:
    """The interview template version the record was opened with, else its department's current one."""
    signed_in = await require(context)
    if record.get("surveyTemplateId"):
        return await signed_in.loaders.exits.template_by_id.load(record["surveyTemplateId"])
    return await exits_store.template_for(signed_in.store, (record.get("cohort") or {}).get("departmentId"))


async def record_interview(context: Context, exit_id: str, answers: list[dict[str, Any]]) -> Outcome:
    """The named interview's answers (HR admins and the interviewer), checked against the record's template; the
    record is completed by the same conditional write (it must still be pending or scheduled)."""
    signed_in = await require(context)
    errors: list[FieldError] = []
    record = await _record_for_change(context, exit_id, errors)
    if record is None:
        return Outcome(errors=errors)
    if not can_record_interview(signed_in.viewer, record):
        raise Forbidden("only HR admins and the assigned interviewer record an exit interview")
    template = await template_of(context, record)
    if template is None:
        return Outcome.refused("exitId", ErrorCode.NOT_FOUND, "no exit interview template applies to this exit")
    values, errors = check_answers(template, answers, await _active_reason_ids(context))
    if errors:
        return Outcome(errors=errors)
    now = clock.now()
    interview = {"templateId": template["_id"], "answers": [{"questionId": q, "value": v} for q, v in values.items()],
                 "recordedAt": now, "recordedById": signed_in.viewer.employee_id}
    changed = await signed_in.store.exitRecords.update(
        exit_id, {"interview": interview, "status": ExitStatus.COMPLETED.value, "updatedAt": now},
        where={"status": {"$in": list(OPEN_STATUSES)}})
    if not changed:
        return _closed()
    await publish_exit_change(context, signed_in.store.organization_id, ExitChange.INTERVIEW_RECORDED, exit_id)
    return Outcome(await signed_in.store.exitRecords.get(exit_id))


async def save_reason(context: Context, id: str | None, data: dict[str, Any]) -> Outcome:
    """Create a reason (``id`` null) or change its label, category or archived flag; codes are unique."""
    signed_in = await require_role(context, can_manage_exits, HR_ONLY)
    store = signed_in.store
    current = await store.exitReasons.get(id) if id else None
    if id and current is None:
        return Outcome.refused("id", ErrorCode.NOT_FOUND, f"no exit reason {id!r} in your organisation")
    errors = check_reason(data, current is None)
    if current is None and len(await exits_store.reasons(store, True)) >= MAX_REASONS:
        errors.append(FieldError("code", ErrorCode.INVALID, f"an organisation keeps at most {MAX_REASONS} exit "
                                                             "reasons"))
    if errors:
        return Outcome(errors=errors)
    fields = {k: (v.strip() if k == "label" else v) for k, v in data.items() if k in ("label", "category", "archived")}
    try:
        if current is None:
            doc = await store.exitReasons.insert({"_id": new_id(), "code": data["code"], "archived": False, **fields,
                                                  "createdAt": clock.now()})
        else:
            await store.exitReasons.update(id, fields)  # type: ignore[arg-type]
            doc = {**current, **fields}
    except Duplicate:
        return Outcome.refused("code", ErrorCode.DUPLICATE, f"the code {data['code']!r} is used already")
    context.fresh_loaders()
    return Outcome(doc)


async def save_settings(context: Context, data: dict[str, Any]) -> Outcome:
    signed_in = await require_role(context, can_manage_exits, HR_ONLY)
    errors = check_settings(data)
    if errors:
        return Outcome(errors=errors)
    await exits_store.save_settings(signed_in.store, data)
    return Outcome(await exits_store.settings(signed_in.store))
