"""The feedback domain's fields on Employee, Department and Position (composed in ``schema/employee.py``)."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from resolvers.core.context import Context
from schema.core.cost import listed
from schema.feedback.praise import Praise, praise_received
from schema.feedback.types import FollowUp, open_follow_ups


@strawberry.type(name="FeedbackEmployeeFields", description="The feedback domain's fields of a person.")
class FeedbackEmployeeFields:
    @strawberry.field(description="Praise this person received, newest first (praise is public in the organisation).")
    async def praise_received(self, info: Info[Context, Any], first: int = 10,
                              ) -> list[Praise]:
        return await praise_received(info, self.doc, first)

    @strawberry.field(
        metadata=listed(50),
        description="Open follow-ups of feedback this person received, soonest due first. The person "
                    "and their management chain; null for anyone else, by design and without an error.")
    async def open_follow_ups(self, info: Info[Context, Any],
                              ) -> list[FollowUp] | None:
        return await open_follow_ups(info, self.doc)
