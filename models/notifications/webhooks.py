"""Webhook rules, no I/O: event types, endpoint validation, which addresses are refused (server-side request
forgery), the retry schedule with jitter, what an answer means, and the thin payload."""

from __future__ import annotations

import base64
import ipaddress
import json
import random
import secrets
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from models.core.errors import ErrorCode, FieldError
from models.core.validation import NAME_MAX
from models.core.viewer import Viewer

URL_MAX = 2000
ENDPOINTS_MAX = 20  # per organisation
ROTATION_OVERLAP = timedelta(hours=24)  # the previous secret still signs for this long after a rotation
LEASE = timedelta(seconds=60)  # how long a worker owns a delivery it is sending
SEND_TIMEOUT_SECONDS = 15.0
RETRY_AFTER_MAX = timedelta(hours=24)
# Standard Webhooks' suggested schedule, stretched to about three days: the delay before each retry.
RETRY_DELAYS = (timedelta(seconds=5), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2),
                timedelta(hours=5), timedelta(hours=10), timedelta(hours=14), timedelta(hours=20),
                timedelta(hours=20))
ATTEMPTS_MAX = len(RETRY_DELAYS) + 1
JITTER = 0.2  # each delay is moved by up to ±20 %


class EventType(StrEnum):
    """What an outbox event (and a webhook message) reports."""

    EMPLOYEE_CREATED = "employee.created"
    EMPLOYEE_CHANGED = "employee.changed"
    EMPLOYEE_TERMINATED = "employee.terminated"
    GOAL_PROGRESS = "goal.progress"
    REVIEW_SHARED = "review.shared"
    FEEDBACK_GIVEN = "feedback.given"
    CYCLE_LAUNCHED = "cycle.launched"
    NOTIFICATION_CREATED = "notification.created"


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


def can_manage_webhooks(viewer: Viewer) -> bool:
    """Registering endpoints, reading deliveries, replaying: HR admins."""
    return viewer.is_hr_admin


def new_secret() -> str:
    """A Standard Webhooks secret: ``whsec_`` and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def check_endpoint(data: Mapping[str, Any], *, creating: bool) -> list[FieldError]:
    """The fields of ``saveWebhookEndpoint`` before any address is resolved."""
    errors: list[FieldError] = []
    if creating or "url" in data:
        errors += check_url(data.get("url"))
    if len(data.get("description") or "") > NAME_MAX:
        errors.append(FieldError("description", ErrorCode.TOO_LONG,
                                 f"description is longer than {NAME_MAX} characters"))
    if creating or "event_types" in data:
        types = data.get("event_types")
        if not types:
            errors.append(FieldError("eventTypes", ErrorCode.REQUIRED, "choose at least one event type"))
    return errors


def check_url(url: str | None) -> list[FieldError]:
    if not url:
        return [FieldError("url", ErrorCode.REQUIRED, "url is required")]
    if len(url) > URL_MAX:
        return [FieldError("url", ErrorCode.TOO_LONG, f"url is longer than {URL_MAX} characters")]
    try:
        parts = urlsplit(url)
        port = parts.port  # raises on a port that is not a number
    except ValueError:
        return [FieldError("url", ErrorCode.INVALID, "url is not a valid URL")]
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return [FieldError("url", ErrorCode.INVALID, "url must be an http or https URL with a host")]
    if parts.username or parts.password:
        return [FieldError("url", ErrorCode.INVALID, "url must not carry credentials")]
    if port == 0:
        return [FieldError("url", ErrorCode.INVALID, "url's port must not be 0")]
    return []


def refused_address(addresses: Iterable[str], *, allow_private: bool) -> str | None:
    """Why a host resolving to ``addresses`` may not receive webhooks (server-side request forgery): loopback,
    private, link-local, multicast, reserved or unspecified addresses, unless ``allow_private`` (development)."""
    found = False
    for text in addresses:
        found = True
        address = ipaddress.ip_address(text.split("%", 1)[0])
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        if allow_private:
            continue
        if address.is_loopback:
            return "the url resolves to a loopback address"
        if address.is_link_local:
            return "the url resolves to a link-local address"
        if address.is_private or address.is_reserved or address.is_multicast or address.is_unspecified \
                or not address.is_global:
            return "the url resolves to a private or reserved address"
    return None if found else "the url's host does not resolve"


def next_attempt(attempt: int, now: datetime, retry_after: timedelta | None = None,
                 rng: random.Random | None = None) -> datetime | None:
    """When to try again after the ``attempt``-th attempt (1-based) failed; None once the schedule is spent.
    A ``retry-after`` longer than the scheduled delay (capped at a day) is honoured."""
    if attempt >= ATTEMPTS_MAX:
        return None
    delay = RETRY_DELAYS[attempt - 1]
    delay = delay * (1 + (rng or random).uniform(-JITTER, JITTER))
    if retry_after is not None:
        delay = max(delay, min(retry_after, RETRY_AFTER_MAX))
    return now + delay


def retry_after(value: str | None, now: datetime) -> timedelta | None:
    """A ``retry-after`` header (seconds, or an HTTP date) as a delay; None if absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return timedelta(seconds=int(value))
    from email.utils import parsedate_to_datetime

    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(when - now, timedelta(0))


class Answer(StrEnum):
    """What one attempt's answer means."""

    SUCCESS = "success"  # 2xx
    GONE = "gone"  # 410: the endpoint is disabled
    RETRY = "retry"  # anything else (redirects included: they are never followed)


def answer_of(status: int | None) -> Answer:
    if status is not None and 200 <= status < 300:
        return Answer.SUCCESS
    if status == 410:
        return Answer.GONE
    return Answer.RETRY


def payload(event: Mapping[str, Any]) -> str:
    """The thin JSON body of one outbox event: its type, when it happened, and the ids it concerns."""
    created: datetime = event["createdAt"]
    return json.dumps({"type": event["type"], "timestamp": created.isoformat().replace("+00:00", "Z"),
                       "data": dict(event.get("data") or {})}, separators=(",", ":"), sort_keys=True)


def subscribed(endpoint: Mapping[str, Any], event_type: str) -> bool:
    return bool(endpoint.get("enabled")) and event_type in (endpoint.get("eventTypes") or [])


def signing_secrets(endpoint: Mapping[str, Any], now: datetime) -> list[str]:
    """The current secret, and the previous one while a rotation overlaps."""
    keys = [endpoint["secret"]]
    previous = endpoint.get("previousSecret")
    if previous and endpoint.get("previousSecretUntil") and endpoint["previousSecretUntil"] > now:
        keys.append(previous)
    return keys
