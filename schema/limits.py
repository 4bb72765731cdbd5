"""Limits checked before execution: depth, aliases and tokens (validation rules), page size."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Any

from graphql import ExecutionResult, GraphQLError
from graphql.language import ArgumentNode, IntValueNode, VariableNode, visit
from graphql.language.visitor import Visitor
from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)

MAX_DEPTH = 12
MAX_ALIASES = 30
MAX_TOKENS = 4000
MAX_PAGE_SIZE = 100
PAGE_ARGUMENTS = frozenset({"first"})


class _PageArguments(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[ArgumentNode] = []

    def enter_argument(self, node: ArgumentNode, *_: Any) -> None:
        if node.name.value in PAGE_ARGUMENTS:
            self.found.append(node)


def page_sizes(document: Any, variables: dict[str, Any] | None) -> Iterator[tuple[ArgumentNode, Any]]:
    visitor = _PageArguments()
    visit(document, visitor)
    for node in visitor.found:
        if isinstance(node.value, IntValueNode):
            yield node, int(node.value.value)
        elif isinstance(node.value, VariableNode):
            yield node, (variables or {}).get(node.value.name.value)


class PageSizeLimiter(SchemaExtension):
    """Refuses ``first`` above :data:`MAX_PAGE_SIZE` (literal or variable) before anything runs."""

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        if context.graphql_document is not None:
            for node, value in page_sizes(context.graphql_document, context.variables):
                if isinstance(value, int) and not 0 <= value <= MAX_PAGE_SIZE:
                    error = GraphQLError(f"first must be between 0 and {MAX_PAGE_SIZE}, not {value}", nodes=[node],
                                         extensions={"code": "LIMIT_EXCEEDED"})
                    context.result = ExecutionResult(data=None, errors=[error])
                    break
        yield


# Built once: the depth and alias limiters make a new rule class per instance, and the validation
# cache keys on the rule classes, so a limiter built per request would never let the cache hit.
LIMIT_RULES = (*QueryDepthLimiter(max_depth=MAX_DEPTH).validation_rules,
               *MaxAliasesLimiter(max_alias_count=MAX_ALIASES).validation_rules)


class ValidationLimits(AddValidationRules):
    """Depth and alias limits as validation rules, the same rule classes for every request."""

    def __init__(self) -> None:
        super().__init__(list(LIMIT_RULES))


def limit_extensions(*, caches: bool = True) -> list[Any]:
    """The extensions every schema runs with, as factories (Strawberry deprecates instances)."""
    extensions: list[Any] = [
        ValidationLimits,
        partial(MaxTokensLimiter, max_token_count=MAX_TOKENS),
        PageSizeLimiter,
    ]
    if caches:
        extensions = [partial(ParserCache, maxsize=512), partial(ValidationCache, maxsize=512), *extensions]
    return extensions
