"""Webhooks, notifications and reminders: queries, mutations and ``notificationReceived``."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from models.notifications.audit import AuditFilterSpec
from resolvers.core.context import Context
from resolvers.core.outcome import Outcome
from resolvers.notifications import audit, inbox, reminders, webhooks
from resolvers.notifications.listing import Listing
from schema.core.cost import listed
from schema.core.errors import Error, errors_of
from schema.core.pagination import PageInfo
from schema.notifications.inputs import AuditFilter, ReminderSettingsInput, WebhookEndpointInput
from schema.notifications.types import (
    AuditEntry,
    AuditEntryConnection,
    AuditEntryEdge,
    Notification,
    NotificationConnection,
    NotificationEdge,
    ReminderSettings,
    WebhookDelivery,
    WebhookDeliveryConnection,
    WebhookDeliveryEdge,
    WebhookEndpoint,
)
from schema.org.inputs import provided

ENDPOINTS_LISTED = 20


@strawberry.type(description="The endpoint as saved, and its secret when it was created or rotated (shown once).")
class WebhookEndpointPayload:
    endpoint: WebhookEndpoint | None
    secret: str | None = strawberry.field(description="The signing secret (`whsec_…`): shown only in this answer.")
    errors: list[Error]


@strawberry.type(description="The new delivery a replay created.")
class WebhookDeliveryPayload:
    delivery: WebhookDelivery | None
    errors: list[Error]


@strawberry.type(description="The reminder settings as saved.")
class ReminderSettingsPayload:
    settings: ReminderSettings | None
    errors: list[Error]


@strawberry.type(description="How many of your notifications were unread and are read now.")
class MarkNotificationsReadPayload:
    count: int | None
    errors: list[Error]


def endpoint_payload(outcome: Outcome) -> WebhookEndpointPayload:
    return WebhookEndpointPayload(endpoint=WebhookEndpoint.wrap(outcome.document), secret=outcome.extra.get("secret"),
                                  errors=errors_of(outcome.errors))


def delivery_connection(page: Listing, after: str | None) -> WebhookDeliveryConnection:
    edges = [WebhookDeliveryEdge(cursor=c, node=node) for c, d in zip(page.cursors, page.documents, strict=True)
             if (node := WebhookDelivery.wrap(d)) is not None]
    return WebhookDeliveryConnection(edges=edges, page_info=PageInfo.of(edges, has_next_page=page.has_next_page,
                                                                        after=after), total_count=page.total_count)


def audit_connection(page: Listing, after: str | None) -> AuditEntryConnection:
    edges = [AuditEntryEdge(cursor=c, node=node) for c, d in zip(page.cursors, page.documents, strict=True)
             if (node := AuditEntry.wrap(d)) is not None]
    return AuditEntryConnection(edges=edges, page_info=PageInfo.of(edges, has_next_page=page.has_next_page,
                                                                   after=after), total_count=page.total_count)


def audit_spec(filter: AuditFilter | None) -> AuditFilterSpec:
    if filter is None:
        return AuditFilterSpec()
    return AuditFilterSpec(filter.object_id, filter.actor_id, filter.type, filter.from_, filter.to)


def notification_connection(page: Listing, after: str | None) -> NotificationConnection:
    edges = [NotificationEdge(cursor=c, node=node) for c, d in zip(page.cursors, page.documents, strict=True)
             if (node := Notification.wrap(d)) is not None]
    return NotificationConnection(edges=edges, page_info=PageInfo.of(edges, has_next_page=page.has_next_page,
                                                                     after=after), total_count=page.total_count)


@strawberry.type
class NotificationsQuery:
    @strawberry.field(description="HR admins: the organisation's webhook endpoints, oldest first.",
                      metadata=listed(ENDPOINTS_LISTED))
    async def webhook_endpoints(self, info: Info[Context, Any]) -> list[WebhookEndpoint] | None:
        return [e for e in map(WebhookEndpoint.wrap, await webhooks.endpoints(info.context)) if e is not None]

    @strawberry.field(description="HR admins: webhook deliveries (of one endpoint if given), newest first.")
    async def webhook_deliveries(
        self, info: Info[Context, Any],
        endpoint_id: Annotated[strawberry.ID | None, strawberry.argument(description=(
            "Only deliveries to this endpoint."))] = None,
        first: int = 20,
        after: str | None = None,
    ) -> WebhookDeliveryConnection | None:
        return delivery_connection(await webhooks.deliveries(info.context, endpoint_id, first, after), after)

    @strawberry.field(description="HR admins: the organisation's audit trail, newest first.")
    async def audit_log(
        self, info: Info[Context, Any],
        filter: Annotated[AuditFilter | None, strawberry.argument(description=(
            "Which entries to list; omitted, all of them."))] = None,
        first: int = 20,
        after: str | None = None,
    ) -> AuditEntryConnection | None:
        return audit_connection(await audit.audit_log(info.context, audit_spec(filter), first, after), after)

    @strawberry.field(description="HR admins: when reminders are sent.")
    async def reminder_settings(self, info: Info[Context, Any]) -> ReminderSettings | None:
        return ReminderSettings.of(await reminders.reminder_settings(info.context))

    @strawberry.field(description="Your notifications, newest first (`unread`: only unread, or only read ones).")
    async def notifications(
        self, info: Info[Context, Any],
        unread: Annotated[bool | None, strawberry.argument(description=(
            "true: only unread ones; omitted, all of them."))] = None,
        first: int = 20,
        after: str | None = None,
    ) -> NotificationConnection | None:
        return notification_connection(await inbox.notifications(info.context, unread, first, after), after)


@strawberry.type
class NotificationsMutation:
    @strawberry.mutation(description="HR admins: register a webhook endpoint (id omitted) or change one. The secret "
                                     "is returned once, on creation and on rotation.")
    async def save_webhook_endpoint(
        self, info: Info[Context, Any],
        input: Annotated[WebhookEndpointInput, strawberry.argument(description="The endpoint's fields.")],
        id: Annotated[strawberry.ID | None, strawberry.argument(description=(
            "The endpoint to change; omitted, a new one (its secret is returned once)."))] = None,
    ) -> WebhookEndpointPayload:
        return endpoint_payload(await webhooks.save_endpoint(info.context, id, provided(input)))

    @strawberry.mutation(description="HR admins: send a delivery's message again, as a new delivery.")
    async def replay_webhook_delivery(
        self, info: Info[Context, Any],
        delivery_id: Annotated[strawberry.ID, strawberry.argument(description="The delivery to send again.")],
    ) -> WebhookDeliveryPayload:
        outcome = await webhooks.replay(info.context, delivery_id)
        return WebhookDeliveryPayload(delivery=WebhookDelivery.wrap(outcome.document), errors=errors_of(outcome.errors))

    @strawberry.mutation(description="HR admins: which reminders are sent and when.")
    async def save_reminder_settings(
        self, info: Info[Context, Any],
        input: Annotated[ReminderSettingsInput, strawberry.argument(description=(
            "The settings to change; the others stay as they are."))],
    ) -> ReminderSettingsPayload:
        outcome = await reminders.save_settings(info.context, provided(input))
        return ReminderSettingsPayload(settings=ReminderSettings.of(outcome.document) if outcome.document else None,
                                       errors=errors_of(outcome.errors))

    @strawberry.mutation(description="Mark your notifications read: those of `ids` (at most 100), or all (null).")
    async def mark_notifications_read(
        self, info: Info[Context, Any],
        ids: Annotated[list[strawberry.ID] | None, strawberry.argument(description=(
            "Your notifications to mark read; omitted, all of them."))] = None,
    ) -> MarkNotificationsReadPayload:
        outcome = await inbox.mark_read(info.context, ids)
        return MarkNotificationsReadPayload(count=outcome.document["count"] if outcome.document else None,
                                            errors=errors_of(outcome.errors))


@strawberry.type
class NotificationsSubscription:
    @strawberry.subscription(description="Each new notification of yours, as it is created.")
    async def notification_received(self, info: Info[Context, Any]) -> AsyncGenerator[Notification, None]:
        async for doc in inbox.notification_received(info.context):
            notification = Notification.wrap(doc)
            if notification is not None:
                yield notification
