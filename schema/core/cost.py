"""Static query cost: how many objects a document may ask for, known before anything runs.

The cost of an operation is the number of objects its answer may hold, GitHub's way of counting: every
field returning an object counts one per instance, and a field returning a list of objects counts as
many as its bound allows:

* a connection's ``first`` or ``last`` (or a list's): its literal, its variable's value, the variable's
  default or the field's default, an integral float taken as the integer it is; with both, the smaller,
  and ``last`` alone where ``first`` was not given (its default is then not applied);
* inside a connection, the ``edges`` list takes the connection's ``first``;
* any other list: the maximum its field declares with :func:`listed`, or :data:`DEFAULT_LIST_ITEMS`.

Nested lists multiply, except a tree's: a field such as ``reports`` or ``children`` nested in itself
declares a total too (``listed(15, tree_total=5000)``: fifteen per node, five thousand in all the levels
below its outermost occurrence, as there are only so many people in an organisation), and the levels
are costed at most at that total together. Any other list between two levels starts the count afresh. The
cost is linear in the number of parents, so each fragment is costed once per enclosing page and reused
however many times it is spread. A ``first`` outside the page-size rule is refused here too, however
its value arrives, and a ``last`` alike. Scalars and ``__typename`` cost nothing.
"""

from __future__ import annotations

import math
import weakref
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FloatValueNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    Undefined,
    ValueNode,
    VariableNode,
    get_named_type,
    is_composite_type,
)

from models.core.pagination import page_size_error

MAX_ITEMS = "perfgraph.max_items"
TREE_TOTAL = "perfgraph.tree_total"
DEFAULT_LIST_ITEMS = 20  # a plain list that declares nothing: small lists (key results, errors, levels)
MAX_COST = 50_000  # objects one operation may ask for (GitHub: 500,000 nodes; each of ours may read the store)
PAGE_ARGUMENTS = ("first", "last")
DEFINITION = "strawberry-definition"  # where Strawberry keeps a field's definition on the GraphQL field


def listed(max_items: int, *, tree_total: int | None = None) -> dict[str, Any]:
    """Field metadata declaring the most items a plain list field is costed at:
    ``strawberry.field(description=..., metadata=listed(50))``; ``tree_total``: the most items in all
    levels of the field nested in itself. Use a connection with ``first`` for a list that may grow
    beyond what a client should fetch in one request."""
    if max_items < 1 or (tree_total is not None and tree_total < max_items):
        raise ValueError("a list field is costed at one item or more, a tree at no fewer than one level")
    return {MAX_ITEMS: max_items, TREE_TOTAL: tree_total}


def declared(field: GraphQLField) -> tuple[int | None, int | None]:
    """The maximum and tree total a field declared with :func:`listed`, if it did."""
    definition = (field.extensions or {}).get(DEFINITION)
    metadata = getattr(definition, "metadata", None) or {}
    items, total = metadata.get(MAX_ITEMS), metadata.get(TREE_TOTAL)
    return (items if isinstance(items, int) else None), (total if isinstance(total, int) else None)


def is_list(field: GraphQLField) -> bool:
    kind = field.type.of_type if isinstance(field.type, GraphQLNonNull) else field.type
    return isinstance(kind, GraphQLList)


# The tree field an instance is in, how many instances its level may hold, and how many the tree's levels
# down to this one may hold in all (at most the field's tree total).
Tree = tuple[str, float, float] | None


class CostRefused(Exception):
    """A page size outside the rule: refused with its message and the field it was given on."""

    def __init__(self, message: str, node: FieldNode) -> None:
        super().__init__(message)
        self.message, self.node = message, node


@dataclass(frozen=True)
class Cost:
    """What an operation may ask for (``requested`` objects) against the budget."""

    requested: int
    budget: int

    @property
    def exceeded(self) -> bool:
        return self.requested > self.budget

    def error(self) -> GraphQLError:
        return GraphQLError(
            f"the operation may return up to {self.requested} objects; at most {self.budget} are allowed: "
            "ask for smaller pages (first) or fewer nested lists",
            extensions={"code": "LIMIT_EXCEEDED", "cost": {"requested": self.requested, "budget": self.budget}})


class Costing:
    """One walk of one operation, with each fragment's cost kept per enclosing page."""

    def __init__(self, schema: GraphQLSchema, fragments: dict[str, FragmentDefinitionNode],
                 operation: OperationDefinitionNode, variables: dict[str, Any] | None) -> None:
        self.schema, self.fragments, self.variables = schema, fragments, variables or {}
        self.defaults = {d.variable.name.value: d.default_value for d in operation.variable_definitions or ()}
        self.uses_variables = False
        self.costed: dict[tuple[str, int | None, Tree], float] = {}

    def selections(self, parent: GraphQLNamedType | None, selection_set: SelectionSetNode | None,
                   page: int | None, tree: Tree = None) -> float:
        """Objects below one instance of ``parent`` (``page``: the enclosing connection's ``first``;
        ``tree``: the tree field this instance is in, and how many instances its level may hold)."""
        if selection_set is None or parent is None:
            return 0
        total = 0.0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += self.field(parent, selection, page, tree)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                kind = self.schema.get_type(condition.name.value) if condition else parent
                total += self.selections(kind, selection.selection_set, page, tree)  # type: ignore[arg-type]
            elif isinstance(selection, FragmentSpreadNode):
                total += self.fragment(selection.name.value, page, tree)
        return total

    def field(self, parent: GraphQLNamedType, node: FieldNode, page: int | None, tree: Tree) -> float:
        fields = getattr(parent, "fields", None)
        field = fields.get(node.name.value) if fields else None
        if field is None:  # __typename, introspection (bounded by the schema), or invalid: validation said
            return 0
        named = get_named_type(field.type)
        if not is_composite_type(named):
            return 0
        size = self.page_size(node, field)
        if not is_list(field):
            return 1 + self.selections(named, node.selection_set, size, tree)
        most, tree_total = declared(field)
        items: float = size if size is not None else page if page is not None else (most or DEFAULT_LIST_ITEMS)
        inner: Tree = None
        if tree_total is not None:
            key = f"{parent.name}.{node.name.value}"
            level, used = (tree[1], tree[2]) if tree is not None and tree[0] == key else (1.0, 0.0)
            below = max(0.0, min(level * items, tree_total - used))
            items, inner = (below / level if level else 0.0), (key, below, used + below)
        return items * (1 + self.selections(named, node.selection_set, None, inner))

    def fragment(self, name: str, page: int | None, tree: Tree) -> float:
        key = (name, page, tree)
        if key not in self.costed:
            definition = self.fragments.get(name)
            self.costed[key] = 0  # a cycle (refused by validation) costs nothing here
            if definition is not None:
                kind = self.schema.get_type(definition.type_condition.name.value)
                self.costed[key] = self.selections(kind, definition.selection_set, page, tree)
        return self.costed[key]

    def page_size(self, node: FieldNode, field: GraphQLField) -> int | None:
        """The field's page size: its ``first`` or ``last`` however each arrives, the smaller of the two when
        both apply (Relay applies ``first`` then ``last``), ``last`` alone when ``first`` is only a default
        (the resolver then reads backward); either outside the page-size rule is refused."""
        given = {a.name.value: a.value for a in node.arguments or ()}
        sizes: dict[str, int] = {}
        for name in PAGE_ARGUMENTS:
            if name not in field.args:
                continue
            value = as_int(self.value(given[name])) if name in given else None
            if value is None:  # not given, or a variable without a value: the argument's default applies
                value = as_int(field.args[name].default_value)
            if value is None:
                continue
            if message := page_size_error(value, name):
                raise CostRefused(message, node)
            sizes[name] = value
        if "last" in sizes and "first" in sizes and "first" not in given:
            return sizes["last"]
        return min(sizes.values()) if sizes else None

    def value(self, node: ValueNode) -> Any:
        if isinstance(node, IntValueNode):
            return int(node.value)
        if isinstance(node, FloatValueNode):
            return float(node.value)
        if isinstance(node, VariableNode):
            self.uses_variables = True
            name = node.name.value
            if name in self.variables:
                return self.variables[name]
            default = self.defaults.get(name)
            return self.value(default) if default is not None else None
        return None


def as_int(value: Any) -> int | None:
    """An integer argument as GraphQL coerces it (``1000.0`` is ``1000``); anything else is left to the
    executor, which refuses it."""
    if isinstance(value, bool) or value is Undefined:
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


# The cost of each document whose cost does not depend on its variables, by identity (Strawberry's
# parser cache hands back the same document for the same text), dropped when the document goes.
_fixed: dict[tuple[int, str | None], tuple[weakref.ref[DocumentNode], int]] = {}


def _forget(key: tuple[int, str | None], reference: weakref.ref[DocumentNode]) -> None:
    entry = _fixed.get(key)
    if entry is not None and entry[0] is reference:
        del _fixed[key]


def operation_of(document: DocumentNode, operation_name: str | None) -> OperationDefinitionNode | None:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is None:
        return operations[0] if len(operations) == 1 else None
    return next((o for o in operations if o.name and o.name.value == operation_name), None)


def root_type(schema: GraphQLSchema, operation: OperationDefinitionNode) -> GraphQLNamedType | None:
    return {OperationType.QUERY: schema.query_type, OperationType.MUTATION: schema.mutation_type,
            OperationType.SUBSCRIPTION: schema.subscription_type}[operation.operation]


def operation_cost(schema: GraphQLSchema, document: DocumentNode, operation_name: str | None,
                   variables: dict[str, Any] | None, budget: int = MAX_COST) -> Cost:
    """The cost of the operation ``operation_name`` of a validated ``document`` with these variables;
    :class:`CostRefused` for a page size outside the rule."""
    key = (id(document), operation_name)
    entry = _fixed.get(key)
    if entry is not None and entry[0]() is document:
        return Cost(entry[1], budget)
    operation = operation_of(document, operation_name)
    if operation is None:  # unknown operation: the executor refuses it
        return Cost(0, budget)
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    costing = Costing(schema, fragments, operation, variables)
    requested = math.ceil(costing.selections(root_type(schema, operation), operation.selection_set, None))
    if not costing.uses_variables:
        _fixed[key] = (weakref.ref(document, lambda reference: _forget(key, reference)), requested)
    return Cost(requested, budget)
