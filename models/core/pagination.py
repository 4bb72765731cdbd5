"""The one page-size rule: a connection's ``first`` lies between 0 and MAX_PAGE."""

from __future__ import annotations

MAX_PAGE = 100


def page_size_error(first: int) -> str | None:
    """Why ``first`` is not an acceptable page size, or ``None``."""
    if not 0 <= first <= MAX_PAGE:
        return f"first must be between 0 and {MAX_PAGE}, not {first}"
    return None
