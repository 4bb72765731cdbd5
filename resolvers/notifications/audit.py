"""``auditLog``: the organisation's audit trail for HR admins (nothing in the API changes or deletes it)."""

from __future__ import annotations

from models.core.documents import Document
from models.notifications.audit import AuditFilterSpec, can_read_audit_log, can_read_history
from resolvers.core import history as core_history
from resolvers.core.context import Context, require, require_role
from resolvers.core.pages import Window, check_window, issued_cursor
from store.core.pagination import Page
from store.notifications import audit as audit_store


async def audit_log(context: Context, spec: AuditFilterSpec, window: Window) -> Page:
    signed_in = await require_role(context, can_read_audit_log, "only HR admins may read the audit trail")
    check_window(window)
    with issued_cursor():
        return await audit_store.page(signed_in.store, spec, window)


async def entry(context: Context, object_id: str, id: str) -> Document | None:
    """One audit entry (about ``object_id``) as the trail or an employee's history shows it, else ``None``."""
    signed_in = await require(context)
    if can_read_audit_log(signed_in.viewer):
        return await signed_in.store.auditLog.get(id)
    shown = await core_history.history(context, object_id, can_read_history(signed_in.viewer, object_id),
                                       "an employee's history is for HR admins and the person themself")
    return next((e for e in shown or [] if e["_id"] == id), None)
