"""Inputs of the check-in mutations."""

from __future__ import annotations

from datetime import date

import strawberry


@strawberry.input
class ActionItemInput:
    owner_id: strawberry.ID = strawberry.field(description="One of the two participants.")
    text: str
    due_on: date | None = None


@strawberry.input(description="Only the fields sent are changed; null clears the due date.")
class UpdateActionItemInput:
    text: str | None = strawberry.UNSET
    owner_id: strawberry.ID | None = strawberry.UNSET
    due_on: date | None = strawberry.UNSET
    done: bool | None = strawberry.UNSET


@strawberry.input(description="Only the fields sent are changed; questions sent replace the old ones.")
class CheckInTemplateInput:
    name: str | None = strawberry.UNSET
    questions: list[str] | None = strawberry.UNSET
