"""Inputs of the check-in mutations."""

from __future__ import annotations

from datetime import date

import strawberry


@strawberry.input(description="A new action item agreed in a check-in.")
class ActionItemInput:
    owner_id: strawberry.ID = strawberry.field(description="One of the two participants.")
    text: str = strawberry.field(description="What is to be done, 1 to 5,000 characters.")
    due_on: date | None = strawberry.field(default=None, description="When it is due; none if omitted.")


@strawberry.input(description="Only the fields sent are changed; null clears the due date.")
class UpdateActionItemInput:
    text: str | None = strawberry.field(default=strawberry.UNSET, description="A new text, 1 to 5,000 characters.")
    owner_id: strawberry.ID | None = strawberry.field(default=strawberry.UNSET, description=(
        "Who does it now: one of the check-in's two participants."))
    due_on: date | None = strawberry.field(default=strawberry.UNSET, description="A new due day; null: none.")
    done: bool | None = strawberry.field(default=strawberry.UNSET, description=(
        "Ticked off (true) or open again (false)."))


@strawberry.input(description="Only the fields sent are changed; questions sent replace the old ones.")
class CheckInTemplateInput:
    name: str | None = strawberry.field(default=strawberry.UNSET, description=(
        "The template's name, 1 to 200 characters (required when creating)."))
    questions: list[str] | None = strawberry.field(default=strawberry.UNSET, description=(
        "Its questions, in order: at most 20, each 1 to 500 characters (replacing the old list)."))
