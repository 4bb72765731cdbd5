"""Checks every domain applies to free text: names and longer texts."""

from __future__ import annotations

from models.core.errors import ErrorCode, FieldError

NAME_MAX = 200
TEXT_MAX = 5000


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
