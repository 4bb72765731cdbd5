"""The schema walk behind tests/core/test_visibility.py: every field path from ``Query`` to a bounded depth,
built from the schema itself (never listed by hand), with required arguments filled from seeded data.

:func:`documents` turns the built schema into query documents (root fields packed together, a large one
split, each under the token and alias limits); they select, on every object they reach, every scalar field
and every object field that leads to one of the target types, each type once on a path (but for direct
self-links: a goal's children), connections and their edges costing no depth. A required argument is filled from an
:class:`Arguments` pool by argument name, or, for a root field's ``id``, by the type the field returns; an
argument the pool cannot fill fails the walk by name, so a new domain's field is never skipped silently.
Several values for one argument are asked under aliases (``goal_0: goal(id: …) goal_1: goal(id: …)``).
Below a base depth every such path is walked; beyond it, to the full depth, only the paths to a field returning
a target type that no path within the base depth selects (``Walk.extra``): a deeper path through fields already
walked asks the same resolvers of the same objects again. The root fields' selections share documents.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    Undefined,
    get_named_type,
    is_leaf_type,
)

TOKEN_BUDGET = 1500  # below the server's 2,000-token limit (schema/core/limits.py)
MAX_VALUES = 4  # aliases per root field: values of one required argument asked in one document
MAX_ALIASES = 28  # aliases in one document, below the server's 30 (schema/core/limits.py)
FREE = ("Connection", "Edge")  # a connection and its edges cost no depth
REPEATS = 2  # how often a type may appear on a path through direct self-links (a goal's children)


@dataclass
class Arguments:
    """Values for required arguments: ``by_name`` (argument name → values), ``ids`` (for a root field's
    ``id``: the returned type's name → ids), ``overrides`` (optional arguments set anyway, by
    ``field.argument`` or by argument name)."""

    by_name: dict[str, list[Any]] = field(default_factory=dict)
    ids: dict[str, list[str]] = field(default_factory=dict)
    overrides: dict[str, Any] = field(default_factory=dict)

    def values(self, owner: str, field_name: str, arg_name: str, arg_type: Any, returns: str) -> list[Any]:
        if arg_name == "id" and owner == "Query":
            found: list[Any] = list(self.ids.get(returns, []))
        else:
            found = list(self.by_name.get(arg_name, []))
        named = get_named_type(arg_type)
        if not found and isinstance(named, GraphQLEnumType):
            found = [Enum(name) for name in named.values]
        if not found:
            raise LookupError(f"no value for the required argument {owner}.{field_name}({arg_name}:); "
                              f"add one to the pool in tests/core/test_visibility.py")
        return found


@dataclass(frozen=True)
class Enum:
    name: str


def literal(value: Any) -> str:
    if isinstance(value, Enum):
        return value.name
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {literal(v)}" for k, v in value.items()) + "}"
    return json.dumps(value)


@dataclass
class Node:
    """A field selection: ``call`` is the field with its arguments (and alias), ``children`` its selections."""

    call: str
    children: list[Node] = field(default_factory=list)

    def render(self) -> str:
        if not self.children:
            return self.call
        return f"{self.call} {{ {' '.join(c.render() for c in self.children)} }}"

    def size(self) -> int:
        return 3 + len(self.call.split()) + sum(c.size() for c in self.children)


def _unwrap(kind: Any) -> Any:
    while isinstance(kind, GraphQLNonNull | GraphQLList):
        kind = kind.of_type
    return kind


def _is_required(arg: Any) -> bool:
    return isinstance(arg.type, GraphQLNonNull) and arg.default_value is Undefined


class Walk:
    """The selections from ``root`` that lead to one of ``targets`` within ``depth`` levels (connections and
    their edges cost no depth), every scalar of each object on the way."""

    def __init__(self, schema: GraphQLSchema, pool: Arguments, depth: int, targets: frozenset[str],
                 base: int | None = None) -> None:
        self.schema = schema
        self.pool = pool
        self.depth = depth
        self.targets = targets
        self.distance = self._distances({name: 1 for name in targets})
        self.base = depth if base is None else min(base, depth)
        self.extra: frozenset[tuple[str, str]] = frozenset()
        if self.base < depth:
            self.extra = Walk(schema, pool, depth, targets).target_edges() - \
                Walk(schema, pool, self.base, targets).target_edges()
        # levels from each type down to an edge only the deeper walk reaches (its owner: 2, the edge and its target)
        self.extra_distance = self._distances({owner: 2 for owner, _ in self.extra})

    def target_edges(self) -> frozenset[tuple[str, str]]:
        """The fields (owner type, field name) returning a target type that the walk selects somewhere."""
        assert self.schema.query_type is not None
        found: set[tuple[str, str]] = set()

        def visit(owner: str, nodes: list[tuple[str, list[Any]]]) -> None:
            for name, children in nodes:
                kind = self.schema.type_map[owner]
                assert isinstance(kind, GraphQLObjectType)
                target = _unwrap(kind.fields[name].type)
                if target.name in self.targets:
                    found.add((owner, name))
                visit(target.name, children)

        visit("Query", [(name, self._shape(nodes[0])) for name, nodes in self.roots(self.schema.query_type)])
        return frozenset(found)

    @staticmethod
    def _shape(node: Node) -> list[Any]:
        """A node's object children as (field name, their children), aliases and arguments dropped."""
        return [(re.split(r"[ (]", re.sub(r"^\w+: ", "", c.call))[0], Walk._shape(c)) for c in node.children
                if c.children]

    def _distances(self, start: dict[str, int]) -> dict[str, int]:
        """Levels from each object type down to the nearest of ``start`` (type → its own levels), by relaxation."""
        objects = {name: kind for name, kind in self.schema.type_map.items()
                   if isinstance(kind, GraphQLObjectType) and not name.startswith("__")}
        distance = {name: levels for name, levels in start.items() if name in objects}
        unknown = set(start) - set(objects)
        assert not unknown, f"not types of the schema: {sorted(unknown)}"
        changed = True
        while changed:
            changed = False
            for name, kind in objects.items():
                for definition in kind.fields.values():
                    target = _unwrap(definition.type).name
                    if target in distance:
                        step = distance[target] + (0 if target.endswith(FREE) else 1)
                        if step < distance.get(name, 1 << 30):
                            distance[name] = step
                            changed = True
        return distance

    def calls(self, owner: str, name: str, definition: GraphQLField) -> list[str]:
        """The field with its arguments: one call per value of its (first) multi-valued required argument."""
        returns = _unwrap(definition.type).name
        fixed: list[str] = []
        varying: list[str] = []
        for arg_name, arg in definition.args.items():
            override = next((self.pool.overrides[key] for key in (f"{name}.{arg_name}", arg_name)
                             if key in self.pool.overrides), None)
            if override is not None:
                fixed.append(f"{arg_name}: {literal(override)}")
                continue
            if not _is_required(arg):
                continue
            values = self.pool.values(owner, name, arg_name, arg.type, returns)
            if isinstance(_unwrap(arg.type), GraphQLInputObjectType):
                values = values[:1]
            if len(values) == 1 or varying:
                fixed.append(f"{arg_name}: {literal(values[0])}")
            else:
                varying = [f"{arg_name}: {literal(v)}" for v in values[:MAX_VALUES]]
        if not fixed and not varying:
            return [name]
        if not varying:
            return [f"{name}({', '.join(fixed)})"]
        return [f"{name}_{i}: {name}({', '.join([*fixed, v])})" for i, v in enumerate(varying)]

    def leads(self, owner: str, target: str, left: int, path: tuple[str, ...]) -> bool:
        """Whether a field of ``owner`` returning ``target`` is walked, ``left`` levels left below it: it reaches
        a target in time, and ``target`` is new on the path (or a direct self-link: a goal's children)."""
        if left < 1 or self.distance.get(target, 1 << 30) > left:
            return False
        return target not in path or (target == owner and path.count(target) < REPEATS)

    def deeper(self, owner: str, name: str, target: str, left: int, path: tuple[str, ...]) -> bool:
        """Whether a field beyond the base depth is walked: it is, or leads in time to, a field returning a
        target that no path within the base depth selects."""
        if left < 1 or not (target not in path or (target == owner and path.count(target) < REPEATS)):
            return False
        return (owner, name) in self.extra or self.extra_distance.get(target, 1 << 30) <= left

    def selection(self, kind: GraphQLObjectType, depth: int, path: tuple[str, ...]) -> list[Node]:
        """``kind``'s selections, ``depth`` levels for them and below (``depth - (self.depth - self.base)``
        within the base depth)."""
        nodes: list[Node] = []
        for name, definition in kind.fields.items():
            target = _unwrap(definition.type)
            if is_leaf_type(target):
                nodes.extend(Node(call) for call in self.calls(kind.name, name, definition))
                continue
            left = depth if target.name.endswith(FREE) else depth - 1
            if self.leads(kind.name, target.name, left - (self.depth - self.base), path) \
                    or self.deeper(kind.name, name, target.name, left, path):
                children = self.selection(target, left, (*path, target.name))
                nodes.extend(Node(call, children) for call in self.calls(kind.name, name, definition))
        return nodes

    def roots(self, root: GraphQLObjectType) -> Iterator[tuple[str, list[Node]]]:
        for name, definition in root.fields.items():
            target = _unwrap(definition.type)
            left = self.depth if target.name.endswith(FREE) else self.depth - 1
            if is_leaf_type(target) or not (self.leads(root.name, target.name, left - (self.depth - self.base), ())
                                            or self.deeper(root.name, name, target.name, left, ())):
                continue
            calls = self.calls(root.name, name, definition)
            yield name, [Node(call, self.selection(target, left, (target.name,))) for call in calls]


def _split(node: Node, budget: int) -> list[Node]:
    """Copies of ``node`` each under ``budget``, together selecting everything it selects (its leaves
    repeated in each, so every object in every copy still shows its scalars)."""
    if node.size() <= budget or not node.children:
        return [node]
    leaves = [c for c in node.children if not c.children]
    branches = [piece for c in node.children if c.children for piece in _split(c, budget - len(leaves) * 2)]
    parts: list[Node] = []
    current: list[Node] = []
    for branch in branches:
        if current and Node(node.call, [*leaves, *current, branch]).size() > budget:
            parts.append(Node(node.call, [*leaves, *current]))
            current = []
        current.append(branch)
    parts.append(Node(node.call, [*leaves, *current]))
    return parts


def _aliases(node: Node) -> int:
    return bool(re.match(r"\w+: ", node.call)) + sum(_aliases(c) for c in node.children)


def documents(schema: GraphQLSchema, pool: Arguments, targets: Iterable[str], depth: int = 4,
              skip: Sequence[str] = (), base: int | None = None) -> list[str]:
    """Query documents asking every path from ``Query`` to one of the ``targets`` types within ``base``
    levels, and beyond it, to ``depth``, the paths to fields returning a target that no shorter path
    selects. Root fields share documents, each under the token and alias limits."""
    assert schema.query_type is not None
    pieces = [piece for name, nodes in Walk(schema, pool, depth, frozenset(targets), base).roots(schema.query_type)
              if name not in skip for node in nodes for piece in _split(node, TOKEN_BUDGET)]
    found: list[str] = []
    batch: list[Node] = []
    size = aliases = 0
    for piece in pieces:
        if batch and (size + piece.size() > TOKEN_BUDGET or aliases + _aliases(piece) > MAX_ALIASES):
            found.append("{ " + " ".join(n.render() for n in batch) + " }")
            batch, size, aliases = [], 0, 0
        batch.append(piece)
        size += piece.size()
        aliases += _aliases(piece)
    if batch:
        found.append("{ " + " ".join(n.render() for n in batch) + " }")
    return found


def difference(before: Any, after: Any, path: str = "") -> str | None:
    """Where two JSON values first differ (``None`` when equal), for a readable failure."""
    if isinstance(before, Mapping) and isinstance(after, Mapping):
        for key in sorted(set(before) | set(after)):
            if key not in before or key not in after:
                return f"{path}.{key}: {before.get(key, '<absent>')!r} != {after.get(key, '<absent>')!r}"
            found = difference(before[key], after[key], f"{path}.{key}")
            if found:
                return found
        return None
    if isinstance(before, list) and isinstance(after, list):
        if len(before) != len(after):
            return f"{path}: {len(before)} items != {len(after)} items"
        for i, (b, a) in enumerate(zip(before, after, strict=True)):
            found = difference(b, a, f"{path}[{i}]")
            if found:
                return found
        return None
    return None if before == after else f"{path}: {before!r} != {after!r}"
