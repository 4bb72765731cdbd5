"""Shared wording of schema descriptions and the helper that describes enum values.

Every type, field, argument and enum value of the schema carries a description
(tests/core/test_schema_descriptions.py). A field some viewers may not see, on an object they may see,
answers ``null`` for them by design, without an error, and its description says who sees it and ends
with :data:`HIDDEN`.
"""

from __future__ import annotations

import re
from enum import Enum
from typing import Any, TypeVar

import strawberry
from graphql import GraphQLInterfaceType, GraphQLObjectType, GraphQLSchema, get_named_type

HIDDEN = "null for anyone else, by design and without an error"

E = TypeVar("E", bound=Enum)


def described_enum(cls: type[E], *, name: str, description: str, values: dict[E, str]) -> Any:
    """``strawberry.enum(cls, name=…, description=…)`` with a description on every value: the enums live in
    ``models/`` (pure rules, no GraphQL), so their values are described here, where they become GraphQL's.
    Every member must be described (a new member fails at import, not silently)."""
    wrapped = strawberry.enum(cls, name=name, description=description)
    return describe_values(wrapped, {member.name: text for member, text in values.items()})


def describe_values(wrapped: Any, values: dict[str, str]) -> Any:
    """Describe every value of an enum already wrapped by ``strawberry.enum``, by member name."""
    definition = wrapped.__strawberry_definition__
    missing = [value.name for value in definition.values if value.name not in values]
    if missing:
        raise ValueError(f"{definition.name}: no description for {', '.join(missing)}")
    for value in definition.values:
        value.description = values[value.name]
    return wrapped


# Conventions: the few shapes every domain repeats (connections, their edges, mutation payloads, ids, page
# arguments) are described once, here, from the shape itself; a description written on the field wins.

def words(name: str) -> str:
    """``reviewForm`` → ``review form``."""
    return re.sub(r"(?<=[a-z0-9])([A-Z])", lambda m: " " + m.group(1).lower(), name).lower()


CONNECTION_FIELDS = {
    "edges": "The items of this page, in the list's order, each with its cursor.",
    "pageInfo": "Where this page sits: its first and last cursors and whether more items follow or precede.",
    "totalCount": "How many items the whole list holds, across every page (the same filters applied).",
}
EDGE_FIELDS = {
    "cursor": "An opaque cursor of this item: pass it as `after` to read the items that follow it.",
    "node": "The item itself.",
}
PAYLOAD_FIELDS = {
    "errors": "Why the mutation wrote nothing (the input field at fault, a code and a message); empty when "
              "it was applied.",
    "conflict": "On a CONFLICT error: the value and version stored now, so the client can merge and retry; "
                "null otherwise.",
}
PAGE_ARGUMENTS = {
    "first": "How many items to return, 0 to 100 (the cost of the query counts this many).",
    "after": "A cursor (an edge's `cursor` or `pageInfo.endCursor`): return the items after it; omitted, the "
             "first page.",
    "last": "How many items to return from the end, 0 to 100 (the cost of the query counts this many).",
    "before": "A cursor (an edge's `cursor` or `pageInfo.startCursor`): return the items before it.",
}


def _node_type(connection: GraphQLObjectType) -> str | None:
    edges = connection.fields.get("edges")
    if edges is None:
        return None
    edge = get_named_type(edges.type)
    node = edge.fields.get("node") if isinstance(edge, GraphQLObjectType) else None
    return get_named_type(node.type).name if node is not None else None


def _describe_object(name: str, kind: GraphQLObjectType | GraphQLInterfaceType) -> None:
    if name.endswith("Connection") and (node := _node_type(kind)) is not None:  # type: ignore[arg-type]
        kind.description = kind.description or (
            f"One page of a list of {node} items, read with cursors (`first`, `after`); `totalCount` counts "
            "the whole list.")
        defaults = CONNECTION_FIELDS
    elif name.endswith("Edge") and "node" in kind.fields and "cursor" in kind.fields:
        node = get_named_type(kind.fields["node"].type).name
        kind.description = kind.description or f"One {node} of a page and its cursor."
        defaults = EDGE_FIELDS
    elif name.endswith("Payload") and "errors" in kind.fields:
        written = [f"`{field}`" for field in kind.fields if field not in PAYLOAD_FIELDS]
        kind.description = kind.description or (
            f"What the mutation returns: {', '.join(written) or 'nothing more'} as written (null or empty when "
            "it was refused) and `errors`, empty when it was applied. A refused mutation writes nothing.")
        defaults = {**PAYLOAD_FIELDS, **{field: f"The {words(field)} as the mutation left it; null or empty "
                                                "when it was refused." for field in kind.fields}}
    else:
        defaults = {}
    for field_name, field in kind.fields.items():
        if not field.description:
            if field_name in defaults:
                field.description = defaults[field_name]
            elif field_name == "id":
                field.description = (f"The {words(name)}'s id, unique within {name} across the whole API (with "
                                     "__typename, a key for normalised client caches).")
        for arg_name, arg in field.args.items():
            if not arg.description and arg_name in PAGE_ARGUMENTS:
                arg.description = PAGE_ARGUMENTS[arg_name]


def describe_conventions(schema: GraphQLSchema) -> GraphQLSchema:
    """Fill in the conventional descriptions (above) where a type, field or argument has none."""
    for name, kind in schema.type_map.items():
        if not name.startswith("__") and isinstance(kind, (GraphQLObjectType, GraphQLInterfaceType)):
            _describe_object(name, kind)
    return schema
