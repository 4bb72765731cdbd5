"""Limits checked before execution: depth, aliases and tokens (validation rules), page size."""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from functools import partial
from typing import Any

from graphql import DocumentNode, ExecutionResult, GraphQLError
from graphql.language import ArgumentNode, IntValueNode, OperationDefinitionNode, VariableNode, visit
from graphql.language.visitor import Visitor
from starlette.requests import Request
from strawberry.extensions import ParserCache, SchemaExtension, ValidationCache
from strawberry.types.graphql import OperationType

from models.core.pagination import page_size_error as page_size_rule
from schema.core.document_limits import document_limits

MAX_DEPTH = 12
MAX_ALIASES = 30
MAX_TOKENS = 4000
PAGE_ARGUMENTS = frozenset({"first"})
CACHE_SIZE = 512


class _PageArguments(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[ArgumentNode] = []

    def enter_argument(self, node: ArgumentNode, *_: Any) -> None:
        if node.name.value in PAGE_ARGUMENTS:
            self.found.append(node)


# The page arguments of each parsed document still alive, by identity: Strawberry's parser cache hands
# back the same (immutable) DocumentNode for the same query text, so the document is walked once, not
# on every request. Keyed by ``id`` (a node's own hash walks the whole tree), each entry holding a
# weak reference whose callback drops it when the document goes: with the parser cache off, every
# request's document is new, and its entry lives only as long as it does.
_page_arguments: dict[int, tuple[weakref.ref[DocumentNode], tuple[ArgumentNode, ...]]] = {}


def _forget(key: int, reference: weakref.ref[DocumentNode]) -> None:
    entry = _page_arguments.get(key)
    if entry is not None and entry[0] is reference:
        del _page_arguments[key]


def page_arguments(document: DocumentNode) -> tuple[ArgumentNode, ...]:
    """Every ``first`` argument of ``document`` (in document order), found once per document."""
    key = id(document)
    entry = _page_arguments.get(key)
    if entry is not None and entry[0]() is document:
        return entry[1]
    visitor = _PageArguments()
    visit(document, visitor)
    found = tuple(visitor.found)
    _page_arguments[key] = (weakref.ref(document, lambda reference: _forget(key, reference)), found)
    return found


def page_sizes(document: DocumentNode, variables: dict[str, Any] | None) -> Iterator[tuple[ArgumentNode, Any]]:
    """Each page argument with the value this request gives it (a literal, or the variable's value)."""
    for node in page_arguments(document):
        if isinstance(node.value, IntValueNode):
            yield node, int(node.value.value)
        elif isinstance(node.value, VariableNode):
            yield node, (variables or {}).get(node.value.name.value)


def page_size_error(document: DocumentNode, variables: dict[str, Any] | None) -> GraphQLError | None:
    """The error for the first ``first`` outside 0 … :data:`~models.core.pagination.MAX_PAGE`, if any; checked on every
    request (only the nodes are kept per document: a variable's value differs from one request to the next)."""
    for node, value in page_sizes(document, variables):
        message = page_size_rule(value) if isinstance(value, int) else None
        if message is not None:
            return GraphQLError(message, nodes=[node], extensions={"code": "LIMIT_EXCEEDED"})
    return None


# Built once: the depth and alias limiters make a new rule class per instance, and the validation
# cache keys on the rule classes, so a limiter built per request would never let the cache hit.
LIMIT_RULES = (document_limits(MAX_DEPTH, MAX_ALIASES),)


class Limits(SchemaExtension):
    """Every limit, as one extension (Strawberry builds each extension and wraps each of its hooks on
    every request, so one extension costs less than three):

    * depth and aliases: validation rules, the same rule classes for every request (what Strawberry's
      ``AddValidationRules`` does);
    * tokens: the parser's ``max_tokens`` option (what Strawberry's ``MaxTokensLimiter`` does);
    * page size: ``first`` above :data:`~models.core.pagination.MAX_PAGE` (literal or variable) is refused before
      anything runs.
    """

    def on_operation(self) -> Iterator[None]:
        self.apply_limits()
        yield

    def apply_limits(self) -> None:
        """Before parsing: the limit rules for validation, the token limit for the parser."""
        context = self.execution_context
        context.validation_rules = context.validation_rules + LIMIT_RULES
        context.parse_options["max_tokens"] = MAX_TOKENS

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        if context.graphql_document is not None:
            error = operation_error(context) or page_size_error(context.graphql_document, context.variables)
            if error is not None:
                context.result = ExecutionResult(data=None, errors=[error])
        yield


def operation_error(context: Any) -> GraphQLError | None:
    """A document of several operations needs ``operationName`` (the GraphQL spec: never "the first");
    a subscription needs a WebSocket (over HTTP it would run as a query and fail)."""
    operations = [d for d in context.graphql_document.definitions if isinstance(d, OperationDefinitionNode)]
    if len(operations) > 1 and not context._provided_operation_name:  # operation_name falls back to the first
        return GraphQLError("operationName is required: the document has several operations",
                            extensions={"code": "GRAPHQL_VALIDATION_FAILED"})
    request = getattr(context.context, "request", None)
    if context.operation_type == OperationType.SUBSCRIPTION and isinstance(request, Request):
        return GraphQLError("subscriptions run over a WebSocket (graphql-transport-ws or graphql-ws), not HTTP",
                            extensions={"code": "BAD_REQUEST"})
    return None


def limit_extensions(*, caches: bool = True, limits: type[Limits] = Limits) -> list[Any]:
    """The extensions every schema runs with, as factories (Strawberry deprecates instances); ``limits``
    is :class:`Limits` or a subclass adding to it."""
    extensions: list[Any] = [limits]
    if caches:
        extensions = [partial(ParserCache, maxsize=CACHE_SIZE), partial(ValidationCache, maxsize=CACHE_SIZE),
                      *extensions]
    return extensions
