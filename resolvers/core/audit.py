"""The audit scope of one mutation: while it runs, every write it makes is recorded in the audit trail
(store/core/audit.py) with the signed-in viewer as its author."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from resolvers.core.context import Context
from store.core.audit import AuditScope, current_scope


@contextmanager
def audit_scope(context: Context, operation: str) -> Iterator[None]:
    def actor() -> tuple[str | None, str | None]:
        viewer = context.viewer
        return (viewer.organization_id, viewer.employee_id) if viewer is not None else (None, None)

    token = current_scope.set(AuditScope(operation, actor))
    try:
        yield
    finally:
        current_scope.reset(token)
