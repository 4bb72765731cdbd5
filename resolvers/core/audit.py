"""The audit scope of one mutation: while it runs, every write it makes is recorded in the audit trail
(store/core/audit.py) with the signed-in viewer as its author. Another write path (a SCIM or import
request authenticated by an integration token) passes its own ``actor`` and ``actor_type``, and the
integration it came through as ``source``; :func:`audit_source` names the source of the writes of a part
of a mutation (``importRun``: the HR admin who runs it is the actor, the import is the source)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace

from resolvers.core.context import Context
from store.core.audit import AuditScope, current_scope

Actor = Callable[[], tuple[str | None, str | None]]  # (organization id, the actor's id)


@contextmanager
def audit_scope(context: Context | None, operation: str, *, actor: Actor | None = None,
                actor_type: str = "employee", source: str | None = None) -> Iterator[None]:
    def viewer() -> tuple[str | None, str | None]:
        signed_in = context.viewer if context is not None else None
        return (signed_in.organization_id, signed_in.employee_id) if signed_in is not None else (None, None)

    token = current_scope.set(AuditScope(operation, actor or viewer, actor_type, source))
    try:
        yield
    finally:
        current_scope.reset(token)


@contextmanager
def audit_source(source: str) -> Iterator[None]:
    """The writes made meanwhile name ``source`` (e.g. ``import:<id>``) beside the current scope's actor; outside
    any audit scope (nothing is audited there) it changes nothing."""
    scope = current_scope.get()
    if scope is None:
        yield
        return
    token = current_scope.set(replace(scope, source=source))
    try:
        yield
    finally:
        current_scope.reset(token)
