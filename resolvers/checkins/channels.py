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


async def changed(signed_in: SignedIn, check_in_id: str, kind: CheckInChange, **extra: Any) -> Document | None:
    """After a committed write: one event for the participants, then the occurrence as it is now."""
    message = {"checkInId": check_in_id, "kind": kind.value, "byId": signed_in.viewer.employee_id, **extra}
    await publish_after_commit(signed_in.context, check_in_channel(signed_in.viewer.organization_id, check_in_id),
                               message)
    return await signed_in.store.checkIns.get(check_in_id)
