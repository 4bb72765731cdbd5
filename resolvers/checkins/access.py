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


async def open_until(store: TenantStore, until: date, limit: int = 5000) -> list[tuple[Document, list[str]]]:
    """For reminders (no viewer: the system reads): the organisation's check-ins still scheduled on or
    before ``until``, each with the people who may be reminded of it: its participants, who may read it."""
    query = {"status": CheckInStatus.SCHEDULED.value, "scheduledOn": {"$lte": until.isoformat()}}
    docs = await store.checkIns.find(query, sort=[("scheduledOn", 1), ("_id", 1)], limit=limit,
                                     projection={"scheduledOn": 1, "employeeId": 1, "managerId": 1})
    return [(d, [p for p in (d.get("employeeId"), d.get("managerId")) if p]) for d in docs]
