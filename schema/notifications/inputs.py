"""Inputs of the webhook and reminder mutations."""

from __future__ import annotations

from datetime import datetime

import strawberry

from schema.notifications.types import ReminderKindEnum, WebhookEventTypeEnum


@strawberry.input(description="Only the fields sent are changed; url, description and eventTypes are required "
                              "to create one.")
class WebhookEndpointInput:
    url: str | None = strawberry.field(default=strawberry.UNSET, description=(
        "Where to POST messages: an https URL (private addresses refused unless allowed)."))
    description: str | None = strawberry.field(default=strawberry.UNSET, description=(
        "What it is for, at most 5,000 characters."))
    event_types: list[WebhookEventTypeEnum] | None = strawberry.field(default=strawberry.UNSET, description=(
        "Which events it receives."))
    enabled: bool | None = strawberry.field(default=strawberry.UNSET, description="Whether it receives messages.")
    rotate_secret: bool | None = strawberry.field(
        default=strawberry.UNSET, description="A new secret (shown once); the previous one signs too for a day.")


@strawberry.input(description="All given conditions must hold.")
class AuditFilter:
    object_id: strawberry.ID | None = strawberry.field(default=None, description="Only entries about this object.")
    actor_id: strawberry.ID | None = strawberry.field(default=None, description=(
        "Only entries by this actor (an employee id, or integration:<token id>)."))
    type: str | None = strawberry.field(default=None, description="The kind of object (e.g. `employees`).")
    from_: datetime | None = strawberry.field(default=None, name="from", description="At or after this instant.")
    to: datetime | None = strawberry.field(default=None, description="At or before this instant.")


@strawberry.input(description="Only the fields sent are changed.")
class ReminderSettingsInput:
    enabled: list[ReminderKindEnum] | None = strawberry.field(default=strawberry.UNSET, description=(
        "The kinds of reminder sent (the whole new set)."))
    days_before: int | None = strawberry.field(default=strawberry.UNSET, description="0 to 90.")
    repeat_every_days: int | None = strawberry.field(default=strawberry.UNSET, description="1 to 90.")
    quiet_on_weekends: bool | None = strawberry.field(default=strawberry.UNSET, description=(
        "Send no reminders on Saturdays and Sundays."))
    stale_goal_weeks: int | None = strawberry.field(default=strawberry.UNSET, description="1 to 52.")
