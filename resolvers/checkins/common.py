"""What the check-in resolvers share: the event channel, the read rule applied to documents, refusals
that tell a reader why they may not act (and anyone else nothing more), and publishing a change."""

from __future__ import annotations

from typing import Any

from models.checkins.permissions import can_edit_check_in, can_read_check_in
from models.checkins.rules import Cadence, CheckInChange, CheckInStatus, effective_cadence
from models.core.documents import Document
from models.core.errors import ErrorCode, FieldError
from resolvers.core.context import Context, SignedIn, require
from resolvers.core.errors import Forbidden
from resolvers.core.outcome import Outcome
from resolvers.core.publish import publish_after_commit

NOT_VISIBLE = "check-ins are visible to their participants, the employee's managers and HR admins"


def check_in_channel(organization_id: str, check_in_id: str) -> str:
    """The bus channel of one occurrence's live edits."""
    return f"check-in:{organization_id}:{check_in_id}"


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


async def changed(signed_in: SignedIn, check_in_id: str, kind: CheckInChange, **extra: Any) -> Document | None:
    """After a committed write: one event for the participants, then the occurrence as it is now."""
    message = {"checkInId": check_in_id, "kind": kind.value, "byId": signed_in.viewer.employee_id, **extra}
    await publish_after_commit(signed_in.context, check_in_channel(signed_in.viewer.organization_id, check_in_id),
                               message)
    return await signed_in.store.checkIns.get(check_in_id)


async def department_of(context: Context, series: Document) -> tuple[str | None, Document | None]:
    """The id and the document of the department the series' employee is in now."""
    loaders = (await require(context)).loaders
    employee = await loaders.employee_by_id.load(series["employeeId"])
    department_id = employee.get("departmentId") if employee else None
    return department_id, await loaders.department_by_id.load(department_id) if department_id else None


async def scheduling_terms(context: Context, series: Document) -> tuple[Cadence, str | None, Document | None]:
    """Cadence, department and template in force now for the series' next occurrence."""
    department_id, department = await department_of(context, series)
    loaders = (await require(context)).loaders
    template = None
    if department is not None and department.get("checkInTemplateId"):
        template = await loaders.check_ins.template_by_id.load(department["checkInTemplateId"])
    if template is None:
        template = await loaders.check_ins.default_template()
    return effective_cadence(series, department), department_id, template
