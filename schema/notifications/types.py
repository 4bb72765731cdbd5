"""Webhook endpoints and deliveries, notifications, reminder settings."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

import strawberry

from models.core.documents import Document
from models.notifications.reminders import ReminderKind
from models.notifications.webhooks import ATTEMPTS_MAX, DeliveryStatus, EventType
from schema.core.cost import listed
from schema.core.descriptions import describe_values
from schema.core.pagination import PageInfo

WebhookEventTypeEnum = strawberry.enum(
    EventType, name="WebhookEventType", description="What a webhook message reports (its `type`).")
describe_values(WebhookEventTypeEnum, {
    "EMPLOYEE_CREATED": "employee.created: a person joined.",
    "EMPLOYEE_CHANGED": "employee.changed: a person's record changed.",
    "EMPLOYEE_TERMINATED": "employee.terminated: a person left.",
    "GOAL_PROGRESS": "goal.progress: a key result's value was recorded.",
    "REVIEW_SHARED": "review.shared: a review was shared with its reviewee.",
    "FEEDBACK_GIVEN": "feedback.given: attributed feedback was given.",
    "CYCLE_LAUNCHED": "cycle.launched: a review cycle was launched.",
    "NOTIFICATION_CREATED": "notification.created: an in-app notification was created.",
})
WebhookDeliveryStatusEnum = strawberry.enum(
    DeliveryStatus, name="WebhookDeliveryStatus",
    description="PENDING: to be sent or retried; SUCCEEDED: a 2xx answer; FAILED: given up (410, a disabled "
                "endpoint, or every retry failed).")
describe_values(WebhookDeliveryStatusEnum, {
    "PENDING": "Not delivered yet (queued or waiting for a retry).",
    "SUCCEEDED": "The endpoint answered 2xx.",
    "FAILED": "Every attempt failed; it can be replayed.",
})


@strawberry.type(description="Where an organisation's events are sent, signed as Standard Webhooks. Its secret "
                             "is shown once, when created or rotated.")
class WebhookEndpoint:
    id: strawberry.ID
    url: str = strawberry.field(description="Where messages are POSTed.")
    description: str = strawberry.field(description="What it is for; empty when none was written.")
    event_types: list[WebhookEventTypeEnum] = strawberry.field(
        description="The event types sent to it.", metadata=listed(len(EventType)))
    enabled: bool = strawberry.field(description="Whether it receives messages.")
    disabled_reason: str | None = strawberry.field(description="Why it was disabled (410, persistent failure).")
    previous_secret_until: datetime | None = strawberry.field(
        description="After a rotation: until when the previous secret still signs (a second signature).")
    created_at: datetime = strawberry.field(description="When it was registered (UTC).")
    updated_at: datetime = strawberry.field(description="When it was last changed (UTC).")

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
    at: datetime = strawberry.field(description="When the attempt was made (UTC).")
    status: int | None = strawberry.field(description=(
        "The HTTP status the endpoint answered; null when it did not answer."))
    error: str | None = strawberry.field(description=(
        "Why it failed (timeout, refused connection, …); null on success."))
    duration_ms: int = strawberry.field(description="How long it took, in milliseconds.")

    @classmethod
    def of(cls, entry: dict[str, Any]) -> WebhookAttempt:
        return cls(at=entry["at"], status=entry.get("status"), error=entry.get("error"),
                   duration_ms=int(entry.get("durationMs") or 0))


@strawberry.type(description="One event sent to one endpoint: its body, status and attempts.")
class WebhookDelivery:
    id: strawberry.ID
    endpoint_id: strawberry.ID = strawberry.field(description="The endpoint it goes to.")
    message_id: str = strawberry.field(description="The `webhook-id` header: the same on every attempt and replay.")
    event_type: WebhookEventTypeEnum = strawberry.field(description="The event it carries.")
    body: str = strawberry.field(description="The JSON sent: `type`, `timestamp` and `data` (ids only).")
    status: WebhookDeliveryStatusEnum = strawberry.field(description="Where it stands.")
    attempt_count: int = strawberry.field(description="How many attempts were made.")
    next_attempt_at: datetime | None = strawberry.field(description="When a pending delivery is tried next.")
    attempts: list[WebhookAttempt] = strawberry.field(description="Every attempt, oldest first.",
                                                      metadata=listed(ATTEMPTS_MAX))
    replay_of: strawberry.ID | None = strawberry.field(description="The delivery this one replays.")
    created_at: datetime = strawberry.field(description="When the event was queued (UTC).")

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


@strawberry.type(description="A delivery in a page.")
class WebhookDeliveryEdge:
    cursor: str
    node: WebhookDelivery


@strawberry.type(description="Deliveries, newest first.")
class WebhookDeliveryConnection:
    edges: list[WebhookDeliveryEdge]
    page_info: PageInfo
    total_count: int


@strawberry.type(description="Something for you to act on or know: a reminder, a disabled webhook endpoint.")
class Notification:
    id: strawberry.ID
    kind: str = strawberry.field(description="e.g. `checkin_due`, `review_form_overdue`, `webhook_disabled`.")
    text: str = strawberry.field(description="What it says.")
    subject_type: str | None = strawberry.field(description="The kind of object it concerns (`checkIn`, …).")
    subject_id: strawberry.ID | None = strawberry.field(description=(
        "The object it is about (a check-in, a form, …); null for none."))
    created_at: datetime = strawberry.field(description="When it was created (UTC).")
    read_at: datetime | None = strawberry.field(description="When you marked it read (UTC); null while unread.")
    read: bool = strawberry.field(description="Whether you marked it read.")

    @classmethod
    def wrap(cls, doc: Document | None) -> Notification | None:
        if doc is None:
            return None
        return cls(id=doc["_id"], kind=doc["kind"], text=doc["text"], subject_type=doc.get("subjectType"),
                   subject_id=doc.get("subjectId"), created_at=doc["createdAt"], read_at=doc.get("readAt"),
                   read=doc.get("readAt") is not None)


@strawberry.type(description="A notification in a page.")
class NotificationEdge:
    cursor: str
    node: Notification


@strawberry.type(description="Your notifications, newest first.")
class NotificationConnection:
    edges: list[NotificationEdge]
    page_info: PageInfo
    total_count: int


CHANGES_LISTED = 60


@strawberry.type(description="One field a write changed. `before`/`after` are JSON; both null and `redacted` true "
                             "for a sensitive value (pay, secrets, anonymous or private content). Of a list "
                             "changed in place: the items that left it (`before`) and joined it (`after`).")
class AuditChange:
    field: str = strawberry.field(description="The field that changed.")
    redacted: bool = strawberry.field(description=(
        "True when the values are withheld (pay and other sensitive fields)."))
    before: str | None = strawberry.field(description="The value before, as text; null when unset or redacted.")
    after: str | None = strawberry.field(description="The value after, as text; null when unset or redacted.")

    @classmethod
    def of(cls, change: dict[str, Any]) -> AuditChange:
        if change.get("redacted"):
            return cls(field=change["field"], redacted=True, before=None, after=None)
        return cls(field=change["field"], redacted=False, before=_json(change.get("before")),
                   after=_json(change.get("after")))


def _json(value: Any) -> str:
    return json.dumps(value, default=_plain, sort_keys=True)


def _plain(value: Any) -> str:
    return value.isoformat() if isinstance(value, datetime | date) else str(value)


@strawberry.type(description="One object one mutation wrote: who, when, what, and the fields it changed.")
class AuditEntry:
    id: strawberry.ID
    at: datetime = strawberry.field(description="When the change was made (UTC).")
    operation: str = strawberry.field(description="The mutation, e.g. `updateEmployee`.")
    action: str = strawberry.field(description="`created`, `changed` or `deleted`.")
    object_type: str = strawberry.field(description="The kind of object (its collection, e.g. `employees`).")
    object_id: strawberry.ID = strawberry.field(description="The object changed.")
    actor_type: str | None = strawberry.field(description="`employee`; null when the author is never named "
                                                          "(anonymous feedback).")
    actor_id: strawberry.ID | None = strawberry.field(description=(
        "Who made it: an employee id, or integration:<token id>; null for the system."))
    changes: list[AuditChange] = strawberry.field(description="The fields changed, by name.",
                                                  metadata=listed(CHANGES_LISTED))

    @classmethod
    def wrap(cls, doc: Document | None) -> AuditEntry | None:
        if doc is None:
            return None
        return cls(id=doc["_id"], at=doc["at"], operation=doc["operation"], action=doc["action"],
                   object_type=doc["objectType"], object_id=doc["objectId"], actor_type=doc.get("actorType"),
                   actor_id=doc.get("actorId"), changes=[AuditChange.of(c) for c in doc["changes"][:CHANGES_LISTED]])


@strawberry.type(description="An audit entry in a page.")
class AuditEntryEdge:
    cursor: str
    node: AuditEntry


@strawberry.type(description="Audit entries, newest first.")
class AuditEntryConnection:
    edges: list[AuditEntryEdge]
    page_info: PageInfo
    total_count: int


ReminderKindEnum = strawberry.enum(ReminderKind, name="ReminderKind",
                                   description="What a reminder is about: a check-in to prepare, a feedback request "
                                               "to answer, a goal without an update.")
describe_values(ReminderKindEnum, {
    "CHECK_IN_DUE": "A check-in you take part in is due.",
    "FEEDBACK_REQUEST_UNANSWERED": "A feedback request you were asked is still unanswered.",
    "REVIEW_FORM_DUE": "A review form you fill in is due.",
    "GOAL_STALE": "A goal of yours has had no progress recorded for a while.",
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
