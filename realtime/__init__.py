"""Realtime event bus: publish/subscribe over memory or Redis.

Usage::

    bus = create_bus("redis://localhost:6379/0")
    await bus.connect()
    async with bus.subscribe("orders") as sub:
        async for message in sub:
            ...
"""

from .base import Bus, Message, Subscription
from .errors import BusConnectionError, BusError, SubscriberOverflow
from .factory import create_bus

__all__ = [
    "Bus",
    "BusConnectionError",
    "BusError",
    "Message",
    "SubscriberOverflow",
    "Subscription",
    "create_bus",
]
