"""The check-ins domain's read and edit rules applied to documents: what a viewer may read, which
occurrence a participant may change, and refusals that tell a reader why they may not act (and anyone
else nothing more)."""

from __future__ import annotations

from datetime import date

from models.checkins.permissions import can_edit_check_in, can_read_check_in
from models.checkins.rules import CheckInStatus
from models.core.documents import Document
from models.core.errors import ErrorCode, FieldError
from resolvers.core.context import Context, SignedIn, require
from resolvers.core.errors import Forbidden
from resolvers.core.outcome import Outcome
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
