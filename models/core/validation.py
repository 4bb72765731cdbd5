"""Checks every domain applies to free text: names, longer texts, searches and cursors. A domain's own
limits (a question's text, a praise message, …) live in its rules beside these; every string argument is
also capped at ``schema.core.limits.MAX_ARGUMENT_CHARS`` before anything runs."""

from __future__ import annotations

from models.core.errors import ErrorCode, FieldError

NAME_MAX = 200
TEXT_MAX = 5000
SEARCH_MAX = 100  # characters of a search (the store matches it as an escaped, case-insensitive pattern)
# characters of a cursor: the ones this API issues are base64 of [sort key, id], a sort key being at most a
# name (NAME_MAX characters, six bytes each once JSON-escaped) or a date
CURSOR_MAX = 2000


def check_name(value: str | None, field: str, *, required: bool = True) -> list[FieldError]:
    if value is None:
        return [FieldError(field, ErrorCode.REQUIRED, f"{field} is required")] if required else []
    if not value.strip():
        return [FieldError(field, ErrorCode.REQUIRED, f"{field} must not be empty")]
    if len(value) > NAME_MAX:
        return [FieldError(field, ErrorCode.TOO_LONG, f"{field} is longer than {NAME_MAX} characters")]
    return []


def check_text(value: str | None, field: str) -> list[FieldError]:
    if value is not None and len(value) > TEXT_MAX:
        return [FieldError(field, ErrorCode.TOO_LONG, f"{field} is longer than {TEXT_MAX} characters")]
    return []


def check_search(value: str | None, field: str = "search") -> list[FieldError]:
    if value is not None and len(value) > SEARCH_MAX:
        return [FieldError(field, ErrorCode.TOO_LONG, f"{field} is longer than {SEARCH_MAX} characters")]
    return []


def cursor_too_long(cursor: str) -> bool:
    """Longer than any cursor this API issues: refused before it is decoded."""
    return len(cursor) > CURSOR_MAX
