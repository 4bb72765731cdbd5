"""Shared wording of schema descriptions and the helper that describes enum values.

Every type, field, argument and enum value of the schema carries a description
(tests/core/test_schema_descriptions.py). A field some viewers may not see, on an object they may see,
answers ``null`` for them by design, without an error, and its description says who sees it and ends
with :data:`HIDDEN`.
"""

from __future__ import annotations

from enum import Enum
from typing import Any, TypeVar

import strawberry

HIDDEN = "null for anyone else, by design and without an error"

E = TypeVar("E", bound=Enum)


def described_enum(cls: type[E], *, name: str, description: str, values: dict[E, str]) -> Any:
    """``strawberry.enum(cls, name=…, description=…)`` with a description on every value: the enums live in
    ``models/`` (pure rules, no GraphQL), so their values are described here, where they become GraphQL's.
    Every member must be described (a new member fails at import, not silently)."""
    missing = [member.name for member in cls if member not in values]
    if missing:
        raise ValueError(f"{name}: no description for {', '.join(missing)}")
    wrapped = strawberry.enum(cls, name=name, description=description)
    for value in wrapped._enum_definition.values:
        value.description = values[cls[value.name]]
    return wrapped
