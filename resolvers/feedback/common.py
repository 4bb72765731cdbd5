"""What every feedback resolver shares: the viewer and store, outcomes, channels, events, references."""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
from dataclasses import dataclass, field
from typing import Any

from models.core.documents import Document
from models.core.errors import ErrorCode, FieldError
from models.core.viewer import Viewer
from models.feedback.rules import FeedbackEventKind
from models.org.rules import EmployeeStatus
from resolvers.core.context import Context
from resolvers.core.errors import BadUserInput
from store.core.repository import TenantStore
from store.loaders import Loaders

log = logging.getLogger("perfgraph.feedback")
MAX_PAGE = 100
# Used only with the embedded store's dev defaults, like the dev JWT secret; production sets FEEDBACK_SECRET
# (or at least JWT_SECRET, which start-up requires with a real MongoDB).
DEV_SECRET = "perfgraph-dev-feedback-secret-embedded-store-only"


@dataclass
class Outcome:
    document: Document | None = None
    errors: list[FieldError] = field(default_factory=list)
    request: Document | None = None


async def signed_in(context: Context) -> tuple[Viewer, TenantStore, Loaders]:
    viewer = await context.authenticate()
    assert context.store is not None and context.loaders is not None
    return viewer, context.store, context.loaders


def check_page_size(first: int) -> None:
    if not 0 <= first <= MAX_PAGE:
        raise BadUserInput(f"first must be between 0 and {MAX_PAGE}, not {first}")


def contributor_key() -> bytes:
    """The server-side key of the anonymous contributor hashes (never stored, never sent anywhere).

    Derived for this one purpose from ``FEEDBACK_SECRET`` (or ``JWT_SECRET``) so the same secret
    never serves two uses as is.
    """
    base = os.environ.get("FEEDBACK_SECRET") or os.environ.get("JWT_SECRET") or DEV_SECRET
    return hmac.new(base.encode(), b"perfgraph:anonymous-feedback-contributors", hashlib.sha256).digest()


async def existing_employee(loaders: Loaders, id: str | None, field_name: str, errors: list[FieldError]
                            ) -> Document | None:
    """A colleague of the viewer's organisation who has not left, or the reason in ``errors``.

    Another organisation's id reads exactly like an unknown one (the loader is tenant-scoped).
    """
    if id is None:
        errors.append(FieldError(field_name, ErrorCode.REQUIRED, f"{field_name} is required"))
        return None
    doc = await loaders.employee_by_id.load(id)
    if doc is None:
        errors.append(FieldError(field_name, ErrorCode.NOT_FOUND, f"no employee {id!r} in your organisation"))
        return None
    if doc.get("status") == EmployeeStatus.TERMINATED.value:
        errors.append(FieldError(field_name, ErrorCode.INACTIVE, f"{doc['name']} has left the organisation"))
        return None
    return doc


def feedback_channel(organization_id: str, employee_id: str) -> str:
    """New feedback, requests and released anonymous feedback addressed to one person."""
    return f"feedback-received:{organization_id}:{employee_id}"


def praise_channel(organization_id: str) -> str:
    return f"praise:{organization_id}"


async def publish(context: Context, channel: str, message: dict[str, Any]) -> None:
    """After the write: a lost event is logged by kind only (never ids: they may be anonymous items)."""
    try:
        await context.bus.publish(channel, message)
    except Exception as error:
        log.error("feedback event not published (%s): %s", message.get("kind", "praise"), type(error).__name__)


async def notify(context: Context, recipients: list[str], kind: FeedbackEventKind, **fields: Any) -> None:
    viewer = context.viewer
    assert viewer is not None
    for employee_id in dict.fromkeys(recipients):
        await publish(context, feedback_channel(viewer.organization_id, employee_id), {"kind": kind.value, **fields})


def fresh_loaders(context: Context) -> None:
    """After a write, nested fields of the payload read the state after it."""
    assert context.store is not None
    context.loaders = Loaders(context.store)
