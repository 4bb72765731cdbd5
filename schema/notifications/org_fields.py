"""The notifications domain's fields on Employee (composed in ``schema/employee.py``)."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from resolvers.core.context import Context
from resolvers.notifications import audit
from schema.core.cost import listed
from schema.notifications.types import AuditEntry

HISTORY_LISTED = 50


@strawberry.type(name="NotificationEmployeeFields", description="The notifications domain's fields of a person.")
class NotificationEmployeeFields:
    @strawberry.field(description="The latest changes to this person's record, newest first (the audit trail). HR "
                                  "admins and the person only; null for anyone else, by design and without an "
                                  "error.",
                      metadata=listed(HISTORY_LISTED))
    async def history(self, info: Info[Context, Any]) -> list[AuditEntry] | None:
        docs = await audit.history(info.context, self.doc["_id"])  # type: ignore[attr-defined]
        return None if docs is None else [e for e in map(AuditEntry.wrap, docs) if e is not None]
