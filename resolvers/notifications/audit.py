"""``auditLog``: the organisation's audit trail for HR admins (nothing in the API changes or deletes it)."""

from __future__ import annotations

from models.notifications.audit import AuditFilterSpec, can_read_audit_log
from resolvers.core.context import Context, require_role
from resolvers.core.pages import check_page_size, issued_cursor
from resolvers.notifications.listing import Listing
from store.notifications import audit as audit_store


async def audit_log(context: Context, spec: AuditFilterSpec, first: int, after: str | None) -> Listing:
    signed_in = await require_role(context, can_read_audit_log, "only HR admins may read the audit trail")
    check_page_size(first)
    with issued_cursor():
        page = await audit_store.page(signed_in.store, spec, first, after)
    return Listing.of(page, audit_store.NEWEST_FIRST)
