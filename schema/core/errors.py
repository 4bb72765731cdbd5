"""The error shape every mutation payload carries: ``errors: [Error!]!`` with field, code, message."""

from __future__ import annotations

import strawberry

from models.core.errors import ErrorCode, FieldError, shortened
from schema.core.descriptions import described_enum

ErrorCodeEnum = described_enum(ErrorCode, name="ErrorCode", description=(
    "Why a mutation wrote nothing; one code per kind of problem, shared by every payload."), values={
    ErrorCode.REQUIRED: "A required input is missing or blank.",
    ErrorCode.INVALID: "An input is malformed or out of its range (the message says which rule).",
    ErrorCode.TOO_LONG: "A text is longer than its limit (the message says the limit).",
    ErrorCode.NOT_FOUND: "An id names nothing you may see (another organisation's ids included).",
    ErrorCode.DUPLICATE: "Something with the same unique value (an email, a name) exists already.",
    ErrorCode.CYCLE: "The change would make a loop (someone managing their own manager, a goal below itself).",
    ErrorCode.INACTIVE: "The person or object named has left or been archived.",
    ErrorCode.CONFLICT: "Someone changed it meanwhile (a stale version): merge with the current value and retry.",
    ErrorCode.INVALID_TRANSITION: "The object may not move from its current state to the one asked.",
    ErrorCode.READ_ONLY: "It may no longer be changed: closed, archived, ended or submitted, or a value that never "
                         "changes once set.",
    ErrorCode.TOO_LATE: "Its deadline or window has passed.",
    ErrorCode.FORBIDDEN: "You may not make this change.",
    ErrorCode.KIND_MISMATCH: "The answer's kind is not the question's (a text for a RATING question): the "
                             "message names the member to use.",
})


@strawberry.type(description="Why a mutation wrote nothing: the input field at fault, a code and a message.")
class Error:
    field: str | None = strawberry.field(description=(
        "The input field at fault, as a path in the input (`keyResults.0.title`); null when the refusal "
        "concerns the whole mutation (FORBIDDEN, CONFLICT)."))
    code: ErrorCodeEnum = strawberry.field(description="The kind of problem, for programs to branch on.")
    message: str = strawberry.field(description="A human-readable explanation, in English, for the person at the "
                                                "keyboard (it quotes at most a short prefix of what was sent).")

    @classmethod
    def from_model(cls, error: FieldError) -> Error:
        return cls(field=error.field and shortened(error.field), code=error.code, message=shortened(error.message))


def errors_of(errors: list[FieldError]) -> list[Error]:
    return [Error.from_model(e) for e in errors]
