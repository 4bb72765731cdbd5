"""``auditLog``: the organisation's audit trail for HR admins (nothing in the API changes or deletes it)."""

from __future__ import annotations

from models.core.documents import Document
from models.notifications.audit import AuditFilterSpec, can_read_audit_log, can_read_history
from resolvers.core.context import Context, require, require_role
from resolvers.core.pages import check_page_size, issued_cursor
from resolvers.notifications.listing import Listing
from store.notifications import audit as audit_store


async def audit_log(context: Context, spec: AuditFilterSpec, first: int, after: str | None) -> Listing:
    signed_in = await require_role(context, can_read_audit_log, "only HR admins may read the audit trail")
    check_page_size(first)
    with issued_cursor():
        page = await audit_store.page(signed_in.store, spec, first, after)
    return Listing.of(page, audit_store.NEWEST_FIRST)


async def history(context: Context, object_id: str) -> list[Document] | None:
    """An employee's audit history (HR admins, and the person themself), newest first; ``None`` for anyone
    else (a hidden field of a person they may see: null by design, without an error)."""
    signed_in = await require(context)
    if not can_read_history(signed_in.viewer, object_id):
        return None
    return await signed_in.loaders.notifications.history_by_object_id.load(object_id)
