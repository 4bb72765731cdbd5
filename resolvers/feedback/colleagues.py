"""The colleagues a feedback write refers to (recipients, respondents, owners, managers)."""

from __future__ import annotations

from models.core.documents import Document
from models.core.errors import ErrorCode, FieldError
from resolvers.core.context import Context
from resolvers.org import access as org_access


async def existing_employee(context: Context, id: str | None, field_name: str, errors: list[FieldError]
                            ) -> Document | None:
    """A colleague of the viewer's organisation who has not left, or the reason in ``errors``: ``REQUIRED``
    without an id, else as :func:`resolvers.org.access.referenced` says (another organisation's id reads
    exactly like an unknown one)."""
    if id is None:
        errors.append(FieldError(field_name, ErrorCode.REQUIRED, f"{field_name} is required"))
        return None
    return await org_access.referenced(context, "employee", id, field_name, errors, active=True)
