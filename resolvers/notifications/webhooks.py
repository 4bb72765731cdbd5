"""Webhook endpoints (HR admins): register, change, rotate the secret, read deliveries, replay one."""

from __future__ import annotations

import asyncio
import socket
from typing import Any
from urllib.parse import urlsplit

from models.core import clock
from models.core.documents import Document, new_id
from models.core.errors import ErrorCode, FieldError
from models.notifications.webhooks import (
    ENDPOINTS_MAX,
    ROTATION_OVERLAP,
    EventType,
    can_manage_webhooks,
    check_endpoint,
    new_secret,
    refused_address,
)
from resolvers.core.context import Context, require_role
from resolvers.core.outcome import Outcome
from resolvers.core.pages import Window, check_window, issued_cursor
from store.core.pagination import Page
from store.notifications import webhooks as webhook_store

ONLY_HR = "only HR admins may manage webhooks"
PRIVATE_URLS = "webhook_private_urls"  # Context.extras: the development setting WEBHOOK_PRIVATE_URLS


async def resolve(host: str) -> list[str]:
    """Every address ``host`` resolves to (empty if it does not)."""
    try:
        found = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        return []
    return sorted({str(info[4][0]) for info in found})


async def url_refusal(url: str, *, allow_private: bool) -> str | None:
    """Why webhooks may not be sent to ``url`` now (server-side request forgery), or None."""
    host = urlsplit(url).hostname or ""
    return refused_address(await resolve(host), allow_private=allow_private)


async def save_endpoint(context: Context, id: str | None, data: dict[str, Any]) -> Outcome:
    """Create an endpoint (``id`` None: its secret is in ``extra["secret"]``, shown this once) or change one
    (``rotate_secret``: a new secret, shown once; the previous one still signs for a day)."""
    signed_in = await require_role(context, can_manage_webhooks, ONLY_HR)
    store = signed_in.store
    creating = id is None
    errors = check_endpoint(data, creating=creating)
    if not errors and data.get("url"):
        refusal = await url_refusal(data["url"], allow_private=bool(context.extras.get(PRIVATE_URLS)))
        if refusal is not None:
            errors.append(FieldError("url", ErrorCode.FORBIDDEN, refusal))
    if errors:
        return Outcome(errors=errors)
    now = clock.now()
    secret = new_secret() if creating or data.get("rotate_secret") else None
    types = sorted({EventType(t).value for t in data["event_types"]}) if data.get("event_types") else None

    async def create() -> Outcome:
        if not await webhook_store.claim_endpoint_slot(store, ENDPOINTS_MAX):
            return Outcome.refused(None, ErrorCode.INVALID, f"an organisation has at most {ENDPOINTS_MAX} endpoints")
        doc = await store.webhookEndpoints.insert({
            "_id": new_id(), "url": data["url"], "description": (data.get("description") or "").strip(),
            "eventTypes": types, "enabled": data.get("enabled") is not False, "secret": secret,
            "previousSecret": None, "previousSecretUntil": None, "disabledReason": None,
            "createdAt": now, "updatedAt": now, "createdById": signed_in.viewer.employee_id})
        return Outcome(doc, extra={"secret": secret})

    async def change() -> Outcome:
        assert id is not None
        current = await store.webhookEndpoints.get(id)
        if current is None:
            return Outcome.refused("id", ErrorCode.NOT_FOUND, f"no webhook endpoint {id!r} in your organisation")
        changes: dict[str, Any] = {"updatedAt": now}
        if "url" in data:
            changes["url"] = data["url"]
        if "description" in data:
            changes["description"] = (data.get("description") or "").strip()
        if types is not None:
            changes["eventTypes"] = types
        if data.get("enabled") is not None:
            changes["enabled"] = bool(data["enabled"])
            if data["enabled"]:
                changes["disabledReason"] = None
        if secret is not None:
            changes.update(secret=secret, previousSecret=current["secret"], previousSecretUntil=now + ROTATION_OVERLAP)
        await store.webhookEndpoints.update(id, changes)
        return Outcome(await store.webhookEndpoints.get(id), extra={"secret": secret})

    return await store.transaction(create if creating else change)


async def endpoints(context: Context) -> list[Document]:
    signed_in = await require_role(context, can_manage_webhooks, ONLY_HR)
    return await webhook_store.endpoints(signed_in.store, ENDPOINTS_MAX)


async def deliveries(context: Context, endpoint_id: str | None, window: Window) -> Page:
    """The organisation's deliveries (of one endpoint, if given), newest first."""
    signed_in = await require_role(context, can_manage_webhooks, ONLY_HR)
    check_window(window)
    with issued_cursor():
        return await webhook_store.deliveries_page(signed_in.store, endpoint_id, window)


async def delivery(context: Context, id: str) -> Document | None:
    """One delivery, for HR admins (FORBIDDEN for anyone else)."""
    signed_in = await require_role(context, can_manage_webhooks, ONLY_HR)
    return await signed_in.store.webhookDeliveries.get(id)


async def replay(context: Context, delivery_id: str) -> Outcome:
    """Send a delivery's message again (same ``webhook-id`` and body) as a new delivery, due now."""
    signed_in = await require_role(context, can_manage_webhooks, ONLY_HR)
    store = signed_in.store
    original = await store.webhookDeliveries.get(delivery_id)
    if original is None:
        return Outcome.refused("deliveryId", ErrorCode.NOT_FOUND, f"no webhook delivery {delivery_id!r}")
    endpoint = await store.webhookEndpoints.get(original["endpointId"])
    if endpoint is None or not endpoint.get("enabled"):
        return Outcome.refused("deliveryId", ErrorCode.INACTIVE, "the delivery's endpoint is disabled")
    now = clock.now()
    doc = {**original, "_id": new_id(), "status": "pending", "attempts": [], "attemptCount": 0, "nextAttemptAt": now,
           "leaseUntil": now, "leaseOwner": None, "createdAt": now, "replayOf": original["_id"]}
    return Outcome(await store.webhookDeliveries.insert(doc))
