"""Every type, field, argument and enum value the growth schema (``schema/growth/``) defines or adds to
other types carries a description, checked on the built schema."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLEnumType, GraphQLInputObjectType, GraphQLObjectType

from schema.schema import build_schema


def module_of(definition: Any) -> str:
    resolver = getattr(definition, "base_resolver", None)
    found = getattr(getattr(resolver, "wrapped_func", None), "__module__", "") if resolver is not None else ""
    origin = getattr(definition, "origin", None)
    return found or getattr(origin, "__module__", "") or ""


def growth(extensions: dict[str, Any] | None) -> bool:
    return module_of((extensions or {}).get("strawberry-definition")).startswith("schema.growth")


def test_every_growth_type_field_argument_and_enum_value_is_described() -> None:
    schema = build_schema()._schema
    missing, seen = [], 0
    for name, type_ in schema.type_map.items():
        own = growth(type_.extensions)
        if isinstance(type_, GraphQLEnumType):
            enum = getattr((type_.extensions or {}).get("strawberry-definition"), "wrapped_cls", None)
            if getattr(enum, "__module__", "").startswith("models.growth"):  # wrapped in schema/growth/enums.py
                seen += 1
                missing += [f"{name}.{v}" for v, value in type_.values.items() if not value.description]
                missing += [] if type_.description else [name]
            continue
        if not isinstance(type_, GraphQLObjectType | GraphQLInputObjectType):
            continue
        if own:
            seen += 1
            missing += [] if type_.description else [name]
        for field_name, field in type_.fields.items():
            if not (own or growth(field.extensions)):
                continue
            seen += 1
            missing += [] if field.description else [f"{name}.{field_name}"]
            missing += [f"{name}.{field_name}({a})" for a, arg in getattr(field, "args", {}).items()
                        if not arg.description]
    assert seen > 100  # the walk found the growth schema
    assert missing == []
