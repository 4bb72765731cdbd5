"""The one clock: aware UTC datetimes and UTC dates, never the server's local time."""

from __future__ import annotations

from datetime import UTC, date, datetime


def now() -> datetime:
    """The current instant, timezone-aware, in UTC."""
    return datetime.now(UTC)


def today() -> date:
    """Today's date in UTC (what every "due", "overdue" and "as of" rule counts in)."""
    return now().date()
