"""The colleagues a feedback write refers to (recipients, respondents, owners, managers)."""

from __future__ import annotations

from models.core.documents import Document
from models.core.errors import ErrorCode, FieldError
from models.org.rules import EmployeeStatus
from store.loaders import Loaders


async def existing_employee(loaders: Loaders, id: str | None, field_name: str, errors: list[FieldError]
                            ) -> Document | None:
    """A colleague of the viewer's organisation who has not left, or the reason in ``errors``.

    Another organisation's id reads exactly like an unknown one (the loader is tenant-scoped).
    """
    if id is None:
        errors.append(FieldError(field_name, ErrorCode.REQUIRED, f"{field_name} is required"))
        return None
    doc = await loaders.employee_by_id.load(id)
    if doc is None:
        errors.append(FieldError(field_name, ErrorCode.NOT_FOUND, f"no employee {id!r} in your organisation"))
        return None
    if doc.get("status") == EmployeeStatus.TERMINATED.value:
        errors.append(FieldError(field_name, ErrorCode.INACTIVE, f"{doc['name']} has left the organisation"))
        return None
    return doc
