"""Publish after commit: the one way a mutation tells subscribers about a write it has made."""

from __future__ import annotations

import logging
from typing import Any

from resolvers.core.context import Context

log = logging.getLogger("perfgraph.events")


async def publish_after_commit(context: Context, channel: str, message: dict[str, Any]) -> None:
    """Call once the write is acknowledged: fresh loaders for the payload's nested fields (the request's
    cache predates the write), then the event. A lost event is logged and the write stands; the log line
    names the channel's kind and the event's kind only, never ids (some events concern anonymous items)."""
    context.fresh_loaders()
    try:
        await context.bus.publish(channel, message)
    except Exception as error:
        log.error("event not published on %s (%s): %s", channel.split(":", 1)[0], message.get("kind", "-"),
                  type(error).__name__)
