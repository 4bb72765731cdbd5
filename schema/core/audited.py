"""Every mutation audited: applied once to every field of the assembled ``Mutation`` type
(``schema/schema.py``), it runs the mutation inside an audit scope (resolvers/core/audit.py), so each write
it makes is recorded with its author; a refused mutation writes nothing and so records nothing."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from strawberry.extensions import FieldExtension
from strawberry.types import Info

from resolvers.core.audit import audit_scope


class Audited(FieldExtension):
    def resolve(self, next_: Callable[..., Any], source: Any, info: Info, **kwargs: Any) -> Any:
        with audit_scope(info.context, info.field_name):
            return next_(source, info, **kwargs)

    async def resolve_async(self, next_: Callable[..., Awaitable[Any]], source: Any, info: Info,
                            **kwargs: Any) -> Any:
        with audit_scope(info.context, info.field_name):
            return await next_(source, info, **kwargs)


def audited(mutation: type) -> type:
    """Every mutation of ``mutation`` (an assembled Strawberry type) runs in an audit scope."""
    for field in mutation.__strawberry_definition__.fields:  # type: ignore[attr-defined]
        field.extensions.append(Audited())
    return mutation
