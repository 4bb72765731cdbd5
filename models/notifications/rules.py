"""Notification rules, no I/O."""

from __future__ import annotations

MARK_MAX = 100  # notifications marked read by one call (null marks them all)
