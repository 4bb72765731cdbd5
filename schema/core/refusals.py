"""One refusal style for every mutation: a refused mutation returns payload errors and writes nothing.

Resolvers refuse a viewer with :class:`~resolvers.core.errors.Forbidden` (the role guard, the rules of
``models``), as queries do; on a mutation that refusal becomes the payload's ``FORBIDDEN`` error, with
the payload's other fields empty. Only authentication failures (``UNAUTHENTICATED``) stay top-level
errors. Applied once, to every field of the assembled ``Mutation`` type (``schema/schema.py``).
"""

from __future__ import annotations

import typing
from collections.abc import Awaitable, Callable
from typing import Any

from strawberry.extensions import FieldExtension
from strawberry.types import Info
from strawberry.types.base import StrawberryList, StrawberryOptional
from strawberry.types.field import StrawberryField

from models.core.errors import ErrorCode
from resolvers.core.errors import Forbidden
from schema.core.errors import Error


def refused_payload(payload_type: type, message: str, arguments: dict[str, Any]) -> Any:
    """``payload_type`` with a single ``FORBIDDEN`` error and every other field empty (a required field
    that echoes an argument of the same name, such as a session id, echoes it)."""
    values: dict[str, Any] = {"errors": [Error(field=None, code=ErrorCode.FORBIDDEN, message=message)]}
    for field in payload_type.__strawberry_definition__.fields:  # type: ignore[attr-defined]
        if field.base_resolver is not None or field.python_name in values:
            continue
        if field.python_name in arguments:
            values[field.python_name] = arguments[field.python_name]
        elif isinstance(field.type, StrawberryOptional):
            values[field.python_name] = None
        elif isinstance(field.type, StrawberryList):
            values[field.python_name] = []
        elif field.type is bool:
            values[field.python_name] = False
    return payload_type(**values)


class RefusalAsPayload(FieldExtension):
    """Turns a :class:`Forbidden` raised while a mutation runs into its payload's ``FORBIDDEN`` error."""

    def apply(self, field: StrawberryField) -> None:
        self.field = field

    def resolve(self, next_: Callable[..., Any], source: Any, info: Info, **kwargs: Any) -> Any:
        try:
            return next_(source, info, **kwargs)
        except Forbidden as error:
            return refused_payload(self._payload_type(), error.message, kwargs)

    async def resolve_async(self, next_: Callable[..., Awaitable[Any]], source: Any, info: Info,
                            **kwargs: Any) -> Any:
        try:
            return await next_(source, info, **kwargs)
        except Forbidden as error:
            return refused_payload(self._payload_type(), error.message, kwargs)

    def _payload_type(self) -> type:
        return typing.cast(type, self.field.type)


def refusals_as_payloads(mutation: type) -> type:
    """Every mutation of ``mutation`` (an assembled Strawberry type) refuses through its payload."""
    for field in mutation.__strawberry_definition__.fields:  # type: ignore[attr-defined]
        field.extensions.append(RefusalAsPayload())
    return mutation
