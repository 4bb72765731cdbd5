"""Exceptions raised by the realtime event bus."""

from __future__ import annotations


class BusError(Exception):
    """Base class for event bus errors."""


class BusConnectionError(BusError):
    """The bus backend (Redis) could not be reached or the connection failed."""


class SubscriberOverflow(BusError):
    """A subscriber's queue filled up; it was dropped from fan-out."""
