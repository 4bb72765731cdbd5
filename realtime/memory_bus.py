"""In-process bus backend (``memory://``): for tests and single-process use."""

from __future__ import annotations

from .base import Bus, Message, encode


class MemoryBus(Bus):
    """Delivers published messages directly to local subscribers.

    Messages still go through JSON encoding so both backends behave alike.
    """

    async def publish(self, channel: str, message: Message) -> None:
        """Deliver ``message`` to the channel's subscribers; never blocks."""
        self._require_connected()
        self._fan_out(channel, encode(message))
