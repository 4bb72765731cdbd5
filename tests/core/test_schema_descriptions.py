"""The schema is a documented contract: every type, field, argument and enum value of the built schema has
a description (what it is, its units, who sees it, why it may be null); a new element without one fails
here by name. Deprecations carry a reason."""

from __future__ import annotations

from collections.abc import Iterator

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
)

from schema.schema import build_schema

BUILT_IN = {"String", "Int", "Float", "Boolean", "ID"}


def elements(schema: GraphQLSchema) -> Iterator[tuple[str, str | None]]:
    """Every described element of the schema, by name (``Type``, ``Type.field``, ``Type.field(argument)``,
    ``Enum.VALUE``), with its description."""
    for name, kind in schema.type_map.items():
        if name.startswith("__") or name in BUILT_IN:
            continue
        yield name, kind.description
        if isinstance(kind, (GraphQLObjectType, GraphQLInterfaceType, GraphQLInputObjectType)):
            for field_name, field in kind.fields.items():
                yield f"{name}.{field_name}", field.description
                for arg_name, arg in getattr(field, "args", {}).items():
                    yield f"{name}.{field_name}({arg_name})", arg.description
        elif isinstance(kind, GraphQLEnumType):
            for value_name, value in kind.values.items():
                yield f"{name}.{value_name}", value.description


def test_every_schema_element_has_a_description() -> None:
    # given the built schema, when each type, field, argument and enum value is looked at
    found = dict(elements(build_schema()._schema))
    missing = sorted(name for name, description in found.items() if not (description or "").strip())
    # then none lacks a description (and the walk did look at the whole schema)
    assert len(found) > 2000, len(found)
    assert missing == [], f"{len(missing)} schema elements without a description:\n" + "\n".join(missing)


def test_descriptions_say_more_than_the_name() -> None:
    # given every description, then none merely repeats its element's name ("id", "Name", "The title.")
    found = dict(elements(build_schema()._schema))
    echoes = sorted(name for name, description in found.items() if description
                    and description.strip(" .").lower().removeprefix("the ")
                    == name.rsplit(".", 1)[-1].split("(")[-1].rstrip(")").lower())
    assert echoes == [], "descriptions that only repeat the name:\n" + "\n".join(echoes)


def test_every_deprecation_carries_a_reason() -> None:
    # given every field, argument, input field and enum value of the built schema
    schema = build_schema()._schema
    deprecated = []
    for name, kind in schema.type_map.items():
        if name.startswith("__"):
            continue
        if isinstance(kind, (GraphQLObjectType, GraphQLInterfaceType, GraphQLInputObjectType)):
            for field_name, field in kind.fields.items():
                deprecated.append((f"{name}.{field_name}", getattr(field, "deprecation_reason", None)))
                deprecated += [(f"{name}.{field_name}({arg_name})", arg.deprecation_reason)
                               for arg_name, arg in getattr(field, "args", {}).items()]
        elif isinstance(kind, GraphQLEnumType):
            deprecated += [(f"{name}.{value_name}", value.deprecation_reason)
                           for value_name, value in kind.values.items()]
    # then each deprecated one says why and what to use instead (not graphql's "No longer supported")
    found = [(element, reason) for element, reason in deprecated if reason is not None]
    assert found, "the schema deprecates updateReviewAnswer(value:), so the check has something to look at"
    vague = [element for element, reason in found if len(reason.strip()) < 20 or reason == "No longer supported"]
    assert vague == [], "deprecations without a real reason:\n" + "\n".join(vague)
