"""What a mutation's input names in the org chart: the person, department or position an id refers to,
read as the viewer's organisation sees it (another organisation's id is unknown). Shared by org's mutations
and, through :mod:`resolvers.org.access`, by every other domain."""

from __future__ import annotations

from typing import Literal

from models.core.documents import Document
from models.core.errors import ErrorCode, FieldError
from models.org.permissions import can_see_org_chart
from models.org.rules import EmployeeStatus
from resolvers.core.context import Context, require

OrgKind = Literal["employee", "department", "position"]
LOADER_OF: dict[OrgKind, str] = {"employee": "employee_by_id", "department": "department_by_id",
                                 "position": "position_by_id"}
COLLECTION_OF: dict[OrgKind, str] = {"employee": "employees", "department": "departments", "position": "positions"}


async def referenced(context: Context, kind: OrgKind, id: str | None, field_name: str, errors: list[FieldError],
                     *, active: bool = False, fresh: bool = False) -> Document | None:
    """The person, department or position a mutation's input field ``field_name`` names (``None``: none),
    or ``None`` with the reason appended to ``errors``: ``NOT_FOUND`` for an id not in the viewer's
    organisation, and with ``active`` ``INACTIVE`` for someone who has left it. ``fresh`` reads the store
    itself, not the request's loader: inside a transaction's step, where the read joins the transaction."""
    if id is None:
        return None
    signed_in = await require(context)
    if fresh:
        doc = await getattr(signed_in.store, COLLECTION_OF[kind]).get(id)
    else:
        doc = await getattr(signed_in.loaders, LOADER_OF[kind]).load(id)
    if doc is None or not can_see_org_chart(signed_in.viewer, doc):
        errors.append(FieldError(field_name, ErrorCode.NOT_FOUND, f"no {kind} {id!r} in your organisation"))
        return None
    if active and doc.get("status") == EmployeeStatus.TERMINATED.value:
        errors.append(FieldError(field_name, ErrorCode.INACTIVE, f"{doc['name']} has left the organisation"))
        return None
    return doc
