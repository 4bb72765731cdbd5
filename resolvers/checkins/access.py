"""The check-ins domain's read and edit rules applied to documents: what a viewer may read, which
occurrence a participant may change, and refusals that tell a reader why they may not act (and anyone
else nothing more)."""

from __future__ import annotations

from datetime import date

from models.checkins.permissions import can_edit_check_in, can_read_check_in
from models.checkins.rules import Cadence, CheckInStatus
from models.core.documents import Document
from models.core.errors import ErrorCode, FieldError
from resolvers.checkins.channels import activity_channel as activity_channel
from resolvers.core.context import Context, SignedIn, require
from resolvers.core.errors import Forbidden
from resolvers.core.outcome import Outcome
from resolvers.org.access import set_department_fields
from store.core.people import ids_below
from store.core.repository import TenantStore

NOT_VISIBLE = "check-ins are visible to their participants, the employee's managers and HR admins"


def not_found(field_name: str, kind: str, id: str) -> FieldError:
    """NOT_FOUND for an id that is unknown in the viewer's organisation."""
    return FieldError(field_name, ErrorCode.NOT_FOUND, f"no {kind} {id!r} in your organisation")


def closed() -> Outcome:
    """The refusal of a write on an occurrence that was closed between reading and writing it."""
    return Outcome.refused("checkInId", ErrorCode.READ_ONLY, "this check-in was closed")


async def readable(context: Context, docs: list[Document]) -> list[Document]:
    """The series or occurrences among ``docs`` the viewer may read (their employees loaded in one batch)."""
    signed_in = await require(context)
    employees = await signed_in.loaders.employee_by_id.load_many([d["employeeId"] for d in docs])
    return [d for d, e in zip(docs, employees, strict=True) if can_read_check_in(signed_in.viewer, d, e)]


async def refuse_unless(context: Context, doc: Document, allowed: bool, refusal: str) -> None:
    """:class:`Forbidden` unless ``allowed``: with ``refusal`` for a viewer who may read ``doc`` (a series,
    an occurrence or an action item), else with the read rule."""
    if not allowed:
        raise Forbidden(refusal if await readable(context, [doc]) else NOT_VISIBLE)


async def editable(context: Context, check_in_id: str, errors: list[FieldError], *,
                   open_only: bool = True) -> tuple[SignedIn, Document | None]:
    """The occurrence a participant changes (FORBIDDEN for anyone else); records NOT_FOUND, or READ_ONLY
    for a closed one with ``open_only``, in ``errors``."""
    signed_in = await require(context)
    doc = await signed_in.store.checkIns.get(check_in_id)
    if doc is None:
        errors.append(not_found("checkInId", "check-in", check_in_id))
        return signed_in, None
    await refuse_unless(context, doc, can_edit_check_in(signed_in.viewer, doc),
                        "only the two participants may change a check-in")
    if open_only and doc["status"] != CheckInStatus.SCHEDULED.value:
        errors.append(FieldError("checkInId", ErrorCode.READ_ONLY, f"this check-in was {doc['status']}"))
    return signed_in, doc


async def open_series_of(context: Context, employee_id: str) -> list[Document]:
    """The active check-in series in which ``employee_id`` is the employee or the manager, that the viewer
    may read (what a leaver's exit checklist lists), oldest first."""
    signed_in = await require(context)
    docs = await signed_in.store.checkInSeries.find(
        {"active": True, "$or": [{"employeeId": employee_id}, {"managerId": employee_id}]},
        sort=[("startedOn", 1), ("_id", 1)])
    return await readable(context, docs)


async def held_check_in_counts(context: Context, windows: dict[str, tuple[str, str]]) -> dict[str, int | None]:
    """For each employee id, how many of their check-ins were held (completed) between the two ISO dates of
    its window, inclusive; ``None`` for a person whose check-ins the viewer may not read. One query."""
    signed_in = await require(context)
    ids = list(windows)
    employees = await signed_in.loaders.employee_by_id.load_many(ids)
    readable_ids = [id for id, e in zip(ids, employees, strict=True)
                    if e is not None and can_read_check_in(signed_in.viewer, {**e, "employeeId": id,
                                                                              "managerId": e.get("managerId")}, e)]
    held = await signed_in.store.checkIns.find(
        {"employeeId": {"$in": readable_ids}, "status": CheckInStatus.COMPLETED.value},
        projection={"employeeId": 1, "heldOn": 1, "scheduledOn": 1}) if readable_ids else []
    counts: dict[str, int | None] = {id: None for id in ids}
    for id in readable_ids:
        counts[id] = 0
    for doc in held:
        start, end = windows[doc["employeeId"]]
        day = doc.get("heldOn") or doc.get("scheduledOn") or ""
        if start <= day <= end:
            counts[doc["employeeId"]] = (counts[doc["employeeId"]] or 0) + 1
    return counts


async def open_until(store: TenantStore, until: date, limit: int = 5000) -> list[tuple[Document, list[str]]]:
    """For reminders (no viewer: the system reads): the organisation's check-ins still scheduled on or
    before ``until``, each with the people who may be reminded of it: its participants, who may read it."""
    query = {"status": CheckInStatus.SCHEDULED.value, "scheduledOn": {"$lte": until.isoformat()}}
    docs = await store.checkIns.find(query, sort=[("scheduledOn", 1), ("_id", 1)], limit=limit,
                                     projection={"scheduledOn": 1, "employeeId": 1, "managerId": 1})
    return [(d, [p for p in (d.get("employeeId"), d.get("managerId")) if p]) for d in docs]


# The settings a pilot (resolvers/pilots) changes for a cohort, read and written here so that their rules stay
# this domain's: a department's cadence or template (through the org chart, as setDepartmentCadence and
# setDepartmentCheckInTemplate write them) and a series' own cadence (as setCheckInSeriesCadence writes it).
PILOT_SETTINGS = {"check_in_cadence": "cadence", "check_in_template": "checkInTemplateId"}


async def check_setting_value(context: Context, setting: str, value: str | None, *,
                              people: bool) -> tuple[str | None, list[FieldError]]:
    """The stored form of a pilot's value for ``setting`` (a cadence in lower case, a template id), or errors:
    a cadence that is none of WEEKLY, BIWEEKLY, MONTHLY; a template unknown in the organisation; a template for
    a cohort of people (templates are a department's)."""
    signed_in = await require(context)
    if setting == "check_in_cadence":
        try:
            return Cadence((value or "").lower()).value, []
        except ValueError:
            return None, [FieldError("value", ErrorCode.INVALID, "a cadence is WEEKLY, BIWEEKLY or MONTHLY")]
    if people:
        return None, [FieldError("cohort", ErrorCode.INVALID, "a check-in template is a department's setting")]
    if value is None or await signed_in.store.checkInTemplates.get(value) is None:
        return None, [not_found("value", "check-in template", str(value))]
    return value, []


async def current_settings(context: Context, setting: str, department_ids: list[str],
                           employee_ids: list[str]) -> dict[str, dict[str, str | None]]:
    """The setting as it is now: ``{"departments": {id: value}, "series": {id: value}}`` (the active series of
    ``employee_ids``, their own cadence or ``None`` when they follow their department's). Read inside a pilot's
    transaction, this is what reverting restores."""
    signed_in = await require(context)
    field = PILOT_SETTINGS[setting]
    departments = await signed_in.store.departments.by_ids(department_ids, projection={field: 1})
    series = await active_series_docs(signed_in.store, employee_ids) if employee_ids else []
    return {"departments": {d["_id"]: d.get(field) for d in departments},
            "series": {s["_id"]: s.get("cadence") for s in series}}


async def active_series_docs(store: TenantStore, employee_ids: list[str]) -> list[Document]:
    return await store.checkInSeries.find({"active": True, "employeeId": {"$in": employee_ids}},
                                          sort=[("_id", 1)], projection={"cadence": 1})


async def apply_settings(context: Context, setting: str, values: dict[str, dict[str, str | None]]) -> None:
    """Write ``values`` (the shape of :func:`current_settings`) as HR admins' settings mutations would: new
    occurrences follow from their next scheduling on; scheduled and past ones keep theirs."""
    signed_in = await require(context)
    field = PILOT_SETTINGS[setting]
    for department_id, value in sorted(values.get("departments", {}).items()):
        await set_department_fields(context, department_id, {field: value})
    series = values.get("series", {})
    if series:
        await signed_in.store.checkInSeries.update_each({id: {"cadence": value} for id, value in series.items()})


async def check_in_counts(context: Context, employee_ids: list[str], start: date, end: date
                          ) -> list[Document]:
    """Occurrences of these people scheduled within [start, end] (not cancelled), counted by employee, month
    and status: ``[{employeeId, month, status, count}]``; only people whose check-ins the viewer may read (HR
    admins: everyone; a manager: the people below them). One aggregation (and, for a manager, one read of the
    people below them)."""
    signed_in = await require(context)
    ids = employee_ids
    if not signed_in.viewer.is_hr_admin:
        below = set(await ids_below(signed_in.store, signed_in.viewer.employee_id))
        ids = [id for id in employee_ids if id in below]
    if not ids or end < start:
        return []
    pipeline = [
        {"$match": signed_in.store.checkIns.scope({
            "employeeId": {"$in": ids}, "scheduledOn": {"$gte": start.isoformat(), "$lte": end.isoformat()},
            "status": {"$ne": CheckInStatus.CANCELLED.value}})},
        {"$group": {"_id": {"employeeId": "$employeeId", "month": {"$substrBytes": ["$scheduledOn", 0, 7]},
                            "status": "$status"}, "count": {"$sum": 1}}},
    ]
    rows = await signed_in.store.checkIns.collection.aggregate(pipeline)
    return [{**row["_id"], "count": row["count"]} for row in rows]
