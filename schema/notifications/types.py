"""Webhook endpoints and deliveries, notifications, reminder settings."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry

from models.core.documents import Document
from models.notifications.reminders import ReminderKind
from models.notifications.webhooks import ATTEMPTS_MAX, DeliveryStatus, EventType
from schema.core.cost import listed
from schema.core.enums import described_enum
from schema.core.history import AuditChange as AuditChange
from schema.core.history import AuditEntry as AuditEntry
from schema.core.node import Node
from schema.core.pagination import Connection

WebhookEventTypeEnum = described_enum(
    EventType, name="WebhookEventType",
    description="What a webhook message reports (its `type`).",
    values={
        "EMPLOYEE_CREATED": "People were created.",
        "EMPLOYEE_CHANGED": "People changed (details, manager, department).",
        "EMPLOYEE_TERMINATED": "Someone left.",
        "GOAL_PROGRESS": "A key result's progress was recorded.",
        "FEEDBACK_GIVEN": "Feedback was given.",
        "REVIEW_SHARED": "A review was shared with its reviewee.",
        "CYCLE_LAUNCHED": "A review cycle was launched.",
        "NOTIFICATION_CREATED": "A notification was created.",
    })
WebhookDeliveryStatusEnum = described_enum(
    DeliveryStatus, name="WebhookDeliveryStatus",
    description="PENDING: to be sent or retried; SUCCEEDED: a 2xx answer; FAILED: given up (410, a disabled endpoint, "
                "or every retry failed).",
    values={
        "PENDING": "To be sent or retried.",
        "SUCCEEDED": "A 2xx answer.",
        "FAILED": "Given up: 410, a disabled endpoint, or every retry failed.",
    })


@strawberry.type(description="Where an organisation's events are sent, signed as Standard Webhooks. Its secret "
                             "is shown once, when created or rotated.")
class WebhookEndpoint(Node):
    id: strawberry.ID = strawberry.field(description="The endpoint's id.")
    url: str = strawberry.field(description="Where messages are POSTed.")
    description: str = strawberry.field(description="What HR wrote about it.")
    event_types: list[WebhookEventTypeEnum] = strawberry.field(
        description="The event types sent to it.", metadata=listed(len(EventType)))
    enabled: bool = strawberry.field(description="Whether messages are sent to it.")
    disabled_reason: str | None = strawberry.field(description="Why it was disabled (410, persistent failure).")
    previous_secret_until: datetime | None = strawberry.field(
        description="After a rotation: until when the previous secret still signs (a second signature).")
    created_at: datetime = strawberry.field(description="When it was registered.")
    updated_at: datetime = strawberry.field(description="When it last changed.")

    @classmethod
    def wrap(cls, doc: Document | None) -> WebhookEndpoint | None:
        if doc is None:
            return None
        return cls(id=doc["_id"], url=doc["url"], description=doc.get("description") or "",
                   event_types=[EventType(t) for t in doc.get("eventTypes") or []], enabled=bool(doc["enabled"]),
                   disabled_reason=doc.get("disabledReason"), previous_secret_until=doc.get("previousSecretUntil"),
                   created_at=doc["createdAt"], updated_at=doc["updatedAt"])


@strawberry.type(description="One attempt at a delivery: the HTTP status (null: no answer) or the error.")
class WebhookAttempt:
    at: datetime = strawberry.field(description="When it was sent.")
    status: int | None = strawberry.field(description="The HTTP status answered (null: no answer).")
    error: str | None = strawberry.field(
        description="Why it failed without an answer (timeout, connection refused, a refused address).")
    duration_ms: int = strawberry.field(description="How long the answer took, in milliseconds.")

    @classmethod
    def of(cls, entry: dict[str, Any]) -> WebhookAttempt:
        return cls(at=entry["at"], status=entry.get("status"), error=entry.get("error"),
                   duration_ms=int(entry.get("durationMs") or 0))


@strawberry.type(description="One event sent to one endpoint: its body, status and attempts.")
class WebhookDelivery(Node):
    id: strawberry.ID = strawberry.field(description="The delivery's id.")
    endpoint_id: strawberry.ID = strawberry.field(description="The endpoint it goes to.")
    message_id: str = strawberry.field(description="The `webhook-id` header: the same on every attempt and replay.")
    event_type: WebhookEventTypeEnum = strawberry.field(description="What the message reports.")
    body: str = strawberry.field(description="The JSON sent: `type`, `timestamp` and `data` (ids only).")
    status: WebhookDeliveryStatusEnum = strawberry.field(description="Pending, succeeded or failed.")
    attempt_count: int = strawberry.field(description="How many attempts were made.")
    next_attempt_at: datetime | None = strawberry.field(description="When a pending delivery is tried next.")
    attempts: list[WebhookAttempt] = strawberry.field(description="Every attempt, oldest first.",
                                                      metadata=listed(ATTEMPTS_MAX))
    replay_of: strawberry.ID | None = strawberry.field(description="The delivery this one replays.")
    created_at: datetime = strawberry.field(description="When the delivery was created.")

    @classmethod
    def wrap(cls, doc: Document | None) -> WebhookDelivery | None:
        if doc is None:
            return None
        pending = doc["status"] == DeliveryStatus.PENDING.value
        return cls(id=doc["_id"], endpoint_id=doc["endpointId"], message_id=doc["messageId"],
                   event_type=EventType(doc["type"]), body=doc["body"], status=DeliveryStatus(doc["status"]),
                   attempt_count=int(doc.get("attemptCount") or 0),
                   next_attempt_at=doc.get("nextAttemptAt") if pending else None,
                   attempts=[WebhookAttempt.of(a) for a in doc.get("attempts") or []],
                   replay_of=doc.get("replayOf"), created_at=doc["createdAt"])


@strawberry.type(description="Deliveries, newest first.")
class WebhookDeliveryConnection(Connection[WebhookDelivery]):
    pass


@strawberry.type(description="Something for you to act on or know: a reminder, a disabled webhook endpoint.")
class Notification(Node):
    id: strawberry.ID = strawberry.field(description="The notification's id.")
    kind: str = strawberry.field(description="e.g. `checkin_due`, `review_form_overdue`, `webhook_disabled`.")
    text: str = strawberry.field(description="What it says.")
    subject_type: str | None = strawberry.field(description="The kind of object it concerns (`checkIn`, …).")
    subject_id: strawberry.ID | None = strawberry.field(description="The id of the object it concerns.")
    created_at: datetime = strawberry.field(description="When it was created.")
    read_at: datetime | None = strawberry.field(description="When you marked it read.")
    read: bool = strawberry.field(description="Whether you marked it read.")

    @classmethod
    def wrap(cls, doc: Document | None) -> Notification | None:
        if doc is None:
            return None
        return cls(id=doc["_id"], kind=doc["kind"], text=doc["text"], subject_type=doc.get("subjectType"),
                   subject_id=doc.get("subjectId"), created_at=doc["createdAt"], read_at=doc.get("readAt"),
                   read=doc.get("readAt") is not None)


@strawberry.type(description="Your notifications, newest first.")
class NotificationConnection(Connection[Notification]):
    pass


@strawberry.type(description="Audit entries, newest first.")
class AuditEntryConnection(Connection[AuditEntry]):
    pass


ReminderKindEnum = described_enum(
    ReminderKind, name="ReminderKind",
    description="What a reminder is about.",
    values={
        "CHECK_IN_DUE": "A check-in to prepare (both participants), from `daysBefore` its day.",
        "FEEDBACK_REQUEST_UNANSWERED": "A named feedback request waiting for your answer.",
        "REVIEW_FORM_DUE": "A review form you have not submitted, its phase's deadline near or past.",
        "GOAL_STALE": "A goal of yours without an update for `staleGoalWeeks` weeks.",
        "EXIT_INTERVIEW_DUE": "An exit interview to hold (its interviewer, else HR admins), from `daysBefore` its "
                              "day (unscheduled: the last day).",
        "EXIT_CHECKLIST_ITEM": "An open item of an exit checklist (the exit's interviewer, else HR admins), from "
                               "`daysBefore` the leaver's last day.",
        "PROMOTION_APPROVAL_WAITING": "A promotion proposal waiting for your decision (its current step's "
                                      "approver; the HR step: HR admins), from the day it reached you.",
        "COMPENSATION_APPROVAL_WAITING": "A submitted merit proposal waiting for your approval (the manager it is "
                                         "pending with, else compensation admins), from the day it reached you.",
    })


@strawberry.type(description="When the organisation's reminders are sent.")
class ReminderSettings:
    enabled: list[ReminderKindEnum] = strawberry.field(description="The reminders sent.",
                                                        metadata=listed(len(ReminderKind)))
    days_before: int = strawberry.field(description="Remind this many days before the due date.")
    repeat_every_days: int = strawberry.field(description="And again every this many days while overdue.")
    quiet_on_weekends: bool = strawberry.field(description="Send nothing on Saturdays and Sundays (UTC).")
    stale_goal_weeks: int = strawberry.field(description="A goal without an update for this many weeks is stale.")

    @classmethod
    def of(cls, doc: dict[str, Any]) -> ReminderSettings:
        return cls(enabled=[ReminderKind(k) for k in doc["enabled"]], days_before=doc["daysBefore"],
                   repeat_every_days=doc["repeatEveryDays"], quiet_on_weekends=doc["quietOnWeekends"],
                   stale_goal_weeks=doc["staleGoalWeeks"])
