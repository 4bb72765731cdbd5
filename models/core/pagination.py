"""The one page-size rule and the window of a connection.

A connection's ``first`` and ``last`` each lie between 0 and MAX_PAGE; a window is Relay's four
arguments: ``first`` items after the cursor ``after``, or the ``last`` items before the cursor ``before``
(both: the ``last`` of the ``first``, as the Relay specification applies them).
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_PAGE = 100


def page_size_error(first: int, name: str = "first") -> str | None:
    """Why ``first`` (or the argument ``name``) is not an acceptable page size, or ``None``."""
    if not 0 <= first <= MAX_PAGE:
        return f"{name} must be between 0 and {MAX_PAGE}, not {first}"
    return None


@dataclass(frozen=True)
class Window:
    """Which part of a connection a client asked for (``first`` ``None``: none given, ``last`` decides)."""

    first: int | None = 20
    after: str | None = None
    last: int | None = None
    before: str | None = None

    @property
    def backward(self) -> bool:
        """Only ``last`` given: the page is read from the end of the window."""
        return self.first is None and self.last is not None


def window_error(window: Window) -> str | None:
    """Why ``window`` is not acceptable (a size outside the rule, or neither size), or ``None``."""
    if window.first is None and window.last is None:
        return "give first or last"
    for name, size in (("first", window.first), ("last", window.last)):
        if size is not None and (error := page_size_error(size, name)):
            return error
    return None
