"""The feedback domain's channels, and how a write tells the people it is addressed to.

A channel's kind (the text before its first ``:``) is all a lost event's log line shows of it
(:func:`resolvers.core.publish.publish_after_commit`): ``feedback-received`` and ``praise`` carry no
id, so the log of a lost anonymous release names nobody.
"""

from __future__ import annotations

from typing import Any

from models.feedback.rules import FeedbackEventKind
from resolvers.core.context import Context
from resolvers.core.publish import publish_after_commit


def feedback_channel(organization_id: str, employee_id: str) -> str:
    """New feedback, requests and released anonymous feedback addressed to one person."""
    return f"feedback-received:{organization_id}:{employee_id}"


def praise_channel(organization_id: str) -> str:
    """Each new praise in one organisation."""
    return f"praise:{organization_id}"


async def notify(context: Context, organization_id: str, recipients: list[str], kind: FeedbackEventKind,
                 **fields: Any) -> None:
    """After a committed write: fresh loaders for the payload (even when nobody is told), then one event
    of ``kind`` to each recipient, once each."""
    context.fresh_loaders()
    for employee_id in dict.fromkeys(recipients):
        await publish_after_commit(context, feedback_channel(organization_id, employee_id),
                                   {"kind": kind.value, **fields})
