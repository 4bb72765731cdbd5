"""Enums of ``models/`` (which know nothing of Strawberry) exposed with a description on every value."""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from typing import TypeVar

import strawberry

E = TypeVar("E", bound=type[Enum])


def described_enum(cls: E, *, name: str, description: str, values: Mapping[str, str]) -> E:
    """``strawberry.enum(cls)`` with ``values`` (member name → description) on its values; every member must
    be described, and nothing else (a renamed or added member fails at import, not in the SDL)."""
    wrapped = strawberry.enum(cls, name=name, description=description)
    definition = wrapped.__strawberry_definition__  # type: ignore[attr-defined]
    members = {value.name for value in definition.values}
    if members != set(values):
        raise ValueError(f"{name}: describe exactly {sorted(members)}, not {sorted(values)}")
    for value in definition.values:
        value.description = values[value.name]
    return wrapped
