"""Inputs of the webhook and reminder mutations."""

from __future__ import annotations

from datetime import datetime

import strawberry

from schema.notifications.types import ReminderKindEnum, WebhookEventTypeEnum


@strawberry.input(description="Only the fields sent are changed; url, description and eventTypes are required "
                              "to create one.")
class WebhookEndpointInput:
    url: str | None = strawberry.UNSET
    description: str | None = strawberry.UNSET
    event_types: list[WebhookEventTypeEnum] | None = strawberry.UNSET
    enabled: bool | None = strawberry.UNSET
    rotate_secret: bool | None = strawberry.field(
        default=strawberry.UNSET, description="A new secret (shown once); the previous one signs too for a day.")


@strawberry.input(description="All given conditions must hold.")
class AuditFilter:
    object_id: strawberry.ID | None = None
    actor_id: strawberry.ID | None = None
    type: str | None = strawberry.field(default=None, description="The kind of object (e.g. `employees`).")
    from_: datetime | None = strawberry.field(default=None, name="from", description="At or after this instant.")
    to: datetime | None = strawberry.field(default=None, description="At or before this instant.")


@strawberry.input(description="Only the fields sent are changed.")
class ReminderSettingsInput:
    enabled: list[ReminderKindEnum] | None = strawberry.UNSET
    days_before: int | None = strawberry.field(default=strawberry.UNSET, description="0 to 90.")
    repeat_every_days: int | None = strawberry.field(default=strawberry.UNSET, description="1 to 90.")
    quiet_on_weekends: bool | None = strawberry.UNSET
    stale_goal_weeks: int | None = strawberry.field(default=strawberry.UNSET, description="1 to 52.")
