"""Limits checked before execution: depth, aliases and tokens (validation rules), cost and page sizes, rate."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

from graphql import ExecutionResult, GraphQLError, ValidationRule
from graphql.language import ListValueNode, OperationDefinitionNode, StringValueNode
from starlette.requests import Request
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from realtime.ratelimit import Allowance
from schema.core.caches import CachedDocuments
from schema.core.cost import MAX_COST, CostRefused, operation_cost
from schema.core.document_limits import document_limits

MAX_DEPTH = 12
MAX_ALIASES = 30
MAX_TOKENS = 2000  # a client's largest documents hold a few hundred; parsing 2,000 takes a few ms
PARSE_OPTIONS = {"max_tokens": MAX_TOKENS}  # the parser's options, wherever a document is parsed
MAX_ARGUMENT_CHARS = 10_000  # any one string argument or variable (each domain's own rules are tighter)
MAX_LIST_ITEMS = 500  # any one list argument or variable
MAX_VARIABLE_DEPTH = 20  # lists and objects in the variables, the variables object itself counted


class ValueLimits(ValidationRule):
    """Literal arguments in the document: no string longer than :data:`MAX_ARGUMENT_CHARS`, no list of
    more than :data:`MAX_LIST_ITEMS` (variables are checked by :func:`variables_error`)."""

    def enter_string_value(self, node: StringValueNode, *_: Any) -> None:
        if len(node.value) > MAX_ARGUMENT_CHARS:
            self.report_error(GraphQLError(f"a string argument is longer than {MAX_ARGUMENT_CHARS} characters",
                                           [node], extensions={"code": "LIMIT_EXCEEDED"}))

    def enter_list_value(self, node: ListValueNode, *_: Any) -> None:
        if len(node.values) > MAX_LIST_ITEMS:
            self.report_error(GraphQLError(f"a list argument has more than {MAX_LIST_ITEMS} items",
                                           [node], extensions={"code": "LIMIT_EXCEEDED"}))


def variables_error(variables: dict[str, Any] | None) -> GraphQLError | None:
    """The one check of variable values, however they arrive (an HTTP body, a WebSocket message): the first
    value, at any depth, over the string or list limit (``LIMIT_EXCEEDED``), or variables nesting deeper than
    :data:`MAX_VARIABLE_DEPTH` (``BAD_USER_INPUT``). Walked without recursion, stopping at the first
    refusal (a long list's items are never walked); a message names at most the first 40 characters of
    the variable's name."""
    pending: list[tuple[str, Any, int]] = [(name, value, 2) for name, value in (variables or {}).items()]
    while pending:  # the variables object is level 1, its values level 2, …
        name, value, level = pending.pop()
        if isinstance(value, str):
            if len(value) > MAX_ARGUMENT_CHARS:
                return GraphQLError(f"variable {name[:40]!r} holds a string longer than {MAX_ARGUMENT_CHARS} "
                                    "characters", extensions={"code": "LIMIT_EXCEEDED"})
        elif isinstance(value, list | dict):
            if isinstance(value, list) and len(value) > MAX_LIST_ITEMS:
                return GraphQLError(f"variable {name[:40]!r} holds a list of more than {MAX_LIST_ITEMS} items",
                                    extensions={"code": "LIMIT_EXCEEDED"})
            if level > MAX_VARIABLE_DEPTH:
                return GraphQLError(f"variables nest deeper than {MAX_VARIABLE_DEPTH} levels",
                                    extensions={"code": "BAD_USER_INPUT"})
            pending.extend((name, child, level + 1) for child in (value.values() if isinstance(value, dict) else value))
    return None


# Built once: the depth and alias limiters make a new rule class per instance, and the validation
# cache keys on the rule classes, so a limiter built per request would never let the cache hit.
LIMIT_RULES = (document_limits(MAX_DEPTH, MAX_ALIASES), ValueLimits)


class Limits(SchemaExtension):
    """Every limit, as one extension (Strawberry builds each extension and wraps each of its hooks on
    every request, so one extension costs less than several):

    * depth and aliases: validation rules, the same rule classes for every request (what Strawberry's
      ``AddValidationRules`` does);
    * tokens: the parser's ``max_tokens`` option (what Strawberry's ``MaxTokensLimiter`` does);
    * cost (schema/core/cost.py): a page size outside the rule, or an operation that may return more
      than :data:`~schema.core.cost.MAX_COST` objects, is refused before anything runs;
    * rate: a query or mutation spends its cost from its caller's points (realtime/ratelimit.py),
      refused with ``RATE_LIMITED`` once they are spent (subscriptions are charged where they are
      opened, server/view.py).

    An accepted query or mutation reports ``extensions.cost``: what it asked for, the budget, and
    the caller's points left in this window.
    """

    budget: int = MAX_COST

    def on_operation(self) -> Iterator[None]:
        self.apply_limits()
        yield

    def apply_limits(self) -> None:
        """Before parsing: the limit rules for validation, the token limit for the parser."""
        context = self.execution_context
        context.validation_rules = context.validation_rules + LIMIT_RULES
        context.parse_options.update(PARSE_OPTIONS)
        self.cost: dict[str, int] | None = None
        self.limiter: Any = None
        self.caller = ""

    async def on_execute(self) -> AsyncIterator[None]:
        context = self.execution_context
        if context.graphql_document is None:
            yield
            return
        error = (operation_error(context) or variables_error(context.variables) or self.cost_error()
                 or await self.rate_error())
        if error is not None:
            if context.operation_type == OperationType.SUBSCRIPTION:
                raise error  # a subscription's setup ignores a result set here; an error ends it
            context.result = ExecutionResult(data=None, errors=[error])
        yield
        if error is None:
            await self.spend_actual()

    def cost_error(self) -> GraphQLError | None:
        context = self.execution_context
        try:
            self.requested = operation_cost(context.schema._schema, context.graphql_document, context.operation_name,
                                            context.variables, self.budget)
        except CostRefused as refused:
            return GraphQLError(refused.message, nodes=[refused.node], extensions={"code": "LIMIT_EXCEEDED"})
        return self.requested.error() if self.requested.exceeded else None

    async def rate_error(self) -> GraphQLError | None:
        """Before a query or mutation runs: one point spent, and refused unless the caller has points left
        for what it may cost (Shopify's rule: the requested cost must be available, the actual cost is
        spent). Subscriptions are charged where they are opened (server/view.py)."""
        context = self.execution_context
        ours = context.context
        self.limiter = getattr(ours, "rate_limiter", None)
        if self.limiter is None or context.operation_type == OperationType.SUBSCRIPTION:
            return None
        self.caller = await caller_of(ours)
        allowance = await self.limiter.spend(self.caller, 1)
        self.cost = {"requested": self.requested.requested, "budget": self.budget, "remaining": allowance.remaining}
        if allowance.allowed and allowance.remaining >= self.requested.requested - 1:
            return None
        response = getattr(ours, "response", None)
        if response is not None and hasattr(response, "status_code"):
            response.status_code = 429
            response.headers["Retry-After"] = str(allowance.reset_seconds)
        return rate_limited(allowance, self.requested.requested)

    async def spend_actual(self) -> None:
        """After it ran: the objects the answer holds are spent (the point spent before included)."""
        if self.cost is None:
            return
        result = self.execution_context.result
        actual = answer_objects(getattr(result, "data", None))
        self.cost["actual"] = actual
        if actual > 1:
            self.cost["remaining"] = (await self.limiter.spend(self.caller, actual - 1)).remaining

    def get_results(self) -> dict[str, Any]:
        return {"cost": self.cost} if self.cost is not None else {}


def answer_objects(data: Any) -> int:
    """The objects an answer holds (every JSON object below ``data``), counted without recursion."""
    count, pending = 0, [data] if isinstance(data, dict) else []
    while pending:
        item = pending.pop()
        for value in item.values() if isinstance(item, dict) else item:
            if isinstance(value, dict):
                count += 1
                pending.append(value)
            elif isinstance(value, list):
                pending.append(value)
    return count


def rate_limited(allowance: Allowance, requested: int) -> GraphQLError:
    return GraphQLError(
        f"rate limit reached: this operation may cost {requested} points and {allowance.remaining} of your "
        f"{allowance.limit} per window are left; try again in {allowance.reset_seconds} s",
        extensions={"code": "RATE_LIMITED", "retryAfter": allowance.reset_seconds})


async def caller_of(context: Any) -> str:
    """Whom a request's points are counted for: the signed-in person, or the client's address."""
    try:
        viewer = await context.authenticate()
    except Exception:  # no valid token: counted by address
        request = getattr(context, "request", None)
        client = getattr(request, "client", None)
        return f"address:{client.host if client else 'unknown'}"
    return f"person:{viewer.organization_id}:{viewer.employee_id}"


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
        extensions = [CachedDocuments, *extensions]
    return extensions
