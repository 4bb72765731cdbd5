"""The error shape every mutation payload carries: ``errors: [Error!]!`` with field, code, message."""

from __future__ import annotations

import strawberry

from models.core.errors import ErrorCode, FieldError, shortened

ErrorCodeEnum = strawberry.enum(ErrorCode, name="ErrorCode")


@strawberry.type(description="Why a mutation wrote nothing: the input field at fault, a code and a message.")
class Error:
    field: str | None
    code: ErrorCodeEnum
    message: str

    @classmethod
    def from_model(cls, error: FieldError) -> Error:
        return cls(field=error.field and shortened(error.field), code=error.code, message=shortened(error.message))


def errors_of(errors: list[FieldError]) -> list[Error]:
    return [Error.from_model(e) for e in errors]
