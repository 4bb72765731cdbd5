"""The notifications domain's fields on Employee (composed in ``schema/employee.py``)."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from models.notifications.audit import can_read_history
from resolvers.core.context import Context
from schema.core.cost import listed
from schema.core.history import HISTORY_LISTED, LAST, AuditEntry, history_of


@strawberry.type(name="NotificationEmployeeFields", description="The notifications domain's fields of a person.")
class NotificationEmployeeFields:
    @strawberry.field(description="The latest changes to this person's record, newest first (the audit trail). HR "
                                  "admins and the person only; null for anyone else, by design and without an "
                                  "error.",
                      metadata=listed(HISTORY_LISTED))
    async def history(self, info: Info[Context, Any],
                      last: Annotated[int, LAST] = HISTORY_LISTED) -> list[AuditEntry] | None:
        employee_id = self.doc["_id"]  # type: ignore[attr-defined]
        viewer = info.context.viewer
        allowed = viewer is not None and can_read_history(viewer, employee_id)
        return await history_of(info, employee_id, allowed,
                                "an employee's history is for HR admins and the person themself", last=last)
