"""The exits domain's bus channel and its events (ids of exit records only: never a survey's anything)."""

from __future__ import annotations

from models.exits.rules import ExitChange
from resolvers.core.context import Context
from resolvers.core.publish import publish_after_commit

# The changes that move the attrition report's figures (a survey answer moves them too, but publishes nothing:
# an event at the moment someone answers would tell a subscriber who it was).
REPORT_CHANGES = frozenset({ExitChange.OPENED.value, ExitChange.WITHDRAWN.value, ExitChange.CLASSIFIED.value,
                            ExitChange.INTERVIEW_RECORDED.value})


def exits_channel(organization_id: str) -> str:
    return f"exits:{organization_id}"


async def publish_exit_change(context: Context, organization_id: str, kind: ExitChange, exit_id: str) -> None:
    """After the commit: ``{kind, exitId}`` (``exitChecklistChanged`` and ``attritionReportChanged`` listen)."""
    await publish_after_commit(context, exits_channel(organization_id), {"kind": kind.value, "exitId": exit_id})
