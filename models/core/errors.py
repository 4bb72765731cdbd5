"""Why a write was refused: one code per kind of problem and one error per input field, shared by every payload."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ErrorCode(StrEnum):
    """Why a write was refused; one code per kind of problem, shared by every payload."""

    REQUIRED = "required"
    INVALID = "invalid"
    TOO_LONG = "too_long"
    NOT_FOUND = "not_found"
    DUPLICATE = "duplicate"
    CYCLE = "cycle"
    INACTIVE = "inactive"
    CONFLICT = "conflict"
    INVALID_TRANSITION = "invalid_transition"
    READ_ONLY = "read_only"
    TOO_LATE = "too_late"
    FORBIDDEN = "forbidden"
    KIND_MISMATCH = "kind_mismatch"


@dataclass(frozen=True)
class FieldError:
    """One refusal of one input field, as mutation payloads report it."""

    field: str | None
    code: ErrorCode
    message: str


MESSAGE_MAX = 300  # characters of any error message a client gets: one quoting its input quotes a prefix


def shortened(message: str) -> str:
    """``message`` cut to :data:`MESSAGE_MAX` characters (a message quoting a long id or text sent to it
    would otherwise echo it whole: a 1 MB cursor once gave a 976 KB answer)."""
    return message if len(message) <= MESSAGE_MAX else message[:MESSAGE_MAX - 1] + "…"
