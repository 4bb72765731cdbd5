"""What a subscription document selects: its root field and every (type, field) pair it reaches.

Used to decide which subscribers may share one execution (realtime/groups.py): a document made only
of fields everyone in an organisation sees alike can be executed once for all of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    TypeInfo,
    TypeInfoVisitor,
    Visitor,
    get_named_type,
    parse,
    specified_rules,
    validate,
    visit,
)
from graphql.language import VariableNode
from graphql.utilities import value_from_ast

from schema.core.caches import DOCUMENTS, DocumentCache, Entry, document_key
from schema.core.limits import LIMIT_RULES, PARSE_OPTIONS


@dataclass(frozen=True)
class SubscriptionPlan:
    root_field: str
    fields: frozenset[tuple[str, str]]  # (parent type name, field name), fragments included
    document: DocumentNode = field(compare=False, hash=False)  # parsed and validated, for the cost analysis
    root: FieldNode | None = field(default=None, compare=False, hash=False)  # the root field as written


class _Fields(Visitor):
    def __init__(self, type_info: TypeInfo) -> None:
        super().__init__()
        self.type_info = type_info
        self.found: set[tuple[str, str]] = set()

    def enter_field(self, node: FieldNode, *_: Any) -> None:
        parent = self.type_info.get_parent_type()
        if parent is not None:
            self.found.add((get_named_type(parent).name, node.name.value))


def subscription_plan(schema: GraphQLSchema, query: str, operation_name: str | None,
                      cache: DocumentCache = DOCUMENTS) -> SubscriptionPlan | None:
    """The plan of a valid single-root subscription; ``None`` for anything else (the caller then runs the
    operation as usual, and the usual errors come back).

    The document is the one the schema executes: parsed once into the schema's document cache
    (schema/core/caches.py, bounded in entries and characters) and validated once, the plan kept on its
    entry. Validation found with the schema's own rules is reused when they include the plan's (the
    standard rules and the limits): what they refuse, the plan refuses too.
    """
    key = document_key(query, PARSE_OPTIONS)
    entry = cache.get(key)
    if entry is None:
        try:
            document = parse(query, **PARSE_OPTIONS)
        except GraphQLError:
            return None
        entry = cache.put(key, document) or Entry(document)  # a text too long to keep: worked out each time
    plan_key = (schema, operation_name)
    if plan_key not in entry.plans:
        entry.plans[plan_key] = _plan(schema, entry, operation_name)
    return entry.plans[plan_key]


RULES = (*specified_rules, *LIMIT_RULES)


def _plan(schema: GraphQLSchema, entry: Entry, operation_name: str | None) -> SubscriptionPlan | None:
    document = entry.document
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    chosen = [o for o in operations if operation_name is None or (o.name and o.name.value == operation_name)]
    if len(chosen) != 1 or chosen[0].operation is not OperationType.SUBSCRIPTION:
        return None
    if entry.rules is not None and set(RULES) <= set(entry.rules):
        errors = entry.errors
    else:
        errors = validate(schema, document, list(RULES))
        if entry.rules is None:
            entry.rules, entry.errors = RULES, errors
    if errors:
        return None
    roots = [s for s in chosen[0].selection_set.selections if isinstance(s, FieldNode)]
    if len(roots) != 1 or len(chosen[0].selection_set.selections) != 1:
        return None
    type_info = TypeInfo(schema)
    fields = _Fields(type_info)
    visit(chosen[0], TypeInfoVisitor(type_info, fields))
    for fragment in document.definitions:  # fragments the operation spreads, wherever they are defined
        if not isinstance(fragment, OperationDefinitionNode):
            visit(fragment, TypeInfoVisitor(type_info, fields))
    return SubscriptionPlan(roots[0].name.value, frozenset(fields.found), document, roots[0])


def root_arguments(schema: GraphQLSchema, plan: SubscriptionPlan, variables: dict[str, Any] | None) -> dict[str, Any]:
    """The root field's argument values written in the document (by their GraphQL names), ``variables``
    applied; an argument left out is not there (the execution checks and reports the rest)."""
    subscription = schema.subscription_type
    if plan.root is None or subscription is None or plan.root_field not in subscription.fields:
        return {}
    values: dict[str, Any] = {}
    for node in plan.root.arguments or ():
        argument = subscription.fields[plan.root_field].args.get(node.name.value)
        if argument is None:
            continue
        if isinstance(node.value, VariableNode):
            values[node.name.value] = (variables or {}).get(node.value.name.value)
        else:
            values[node.name.value] = value_from_ast(node.value, argument.type)
    return values
