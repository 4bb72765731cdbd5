"""The check-in event channel: one per occurrence, its live edits published after they commit."""

from __future__ import annotations

from typing import Any

from models.checkins.rules import CheckInChange
from models.core.documents import Document
from resolvers.core.context import SignedIn
from resolvers.core.publish import publish_after_commit


def check_in_channel(organization_id: str, check_in_id: str) -> str:
    """The bus channel of one occurrence's live edits."""
    return f"check-in:{organization_id}:{check_in_id}"


# Closing an occurrence moves participation figures (the pilots' comparison): announced on the organisation's
# activity channel too, with its kind alone (no id: subscribers re-read the figures they may see).
CLOSING = frozenset({CheckInChange.COMPLETED, CheckInChange.SKIPPED})


def activity_channel(organization_id: str) -> str:
    """The organisation's channel of closed occurrences (``{kind}`` only)."""
    return f"check-ins:{organization_id}"


async def changed(signed_in: SignedIn, check_in_id: str, kind: CheckInChange, **extra: Any) -> Document | None:
    """After a committed write: one event for the participants (and, for a closing, one on the organisation's
    activity channel), then the occurrence as it is now."""
    message = {"checkInId": check_in_id, "kind": kind.value, "byId": signed_in.viewer.employee_id, **extra}
    organization_id = signed_in.viewer.organization_id
    await publish_after_commit(signed_in.context, check_in_channel(organization_id, check_in_id), message)
    if kind in CLOSING:
        await publish_after_commit(signed_in.context, activity_channel(organization_id), {"kind": kind.value})
    return await signed_in.store.checkIns.get(check_in_id)
