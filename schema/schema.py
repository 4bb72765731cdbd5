"""The assembled Schema: every domain's root types merged, limits and error masking on."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import DisableIntrospection, MaskErrors
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types

from models.core.errors import shortened
from schema.checkins.root import CheckInMutation, CheckInQuery, CheckInSubscription
from schema.compensation.root import CompensationMutation, CompensationQuery, CompensationSubscription
from schema.core.audited import audited
from schema.core.cost import MAX_COST
from schema.core.descriptions import describe_conventions
from schema.core.limits import Limits, limit_extensions
from schema.core.refusals import refusals_as_payloads
from schema.exits.root import ExitMutation, ExitQuery, ExitSubscription
from schema.feedback.praise import PraiseMutation, PraiseQuery, PraiseSubscription
from schema.feedback.root import FeedbackMutation, FeedbackQuery, FeedbackSubscription
from schema.goals.root import GoalsMutation, GoalsQuery, GoalsSubscription
from schema.growth.root import GrowthMutation, GrowthQuery, GrowthSubscription
from schema.integrations.imports import ImportMutation, ImportQuery, ImportSubscription
from schema.integrations.learning import LearningMutation, LearningSubscription
from schema.integrations.root import IntegrationMutation, IntegrationQuery
from schema.nodes import NodeQuery
from schema.notifications.goal_reminders import GoalReminderMutation, GoalReminderQuery
from schema.notifications.root import NotificationsMutation, NotificationsQuery, NotificationsSubscription
from schema.org.root import OrgMutation, OrgQuery, OrgSubscription
from schema.pilots.root import PilotMutation, PilotQuery, PilotSubscription
from schema.reviews.competencies import CompetencyMutation, CompetencyQuery
from schema.reviews.cycles_root import CycleMutation, CycleQuery
from schema.reviews.overrides import OverrideMutation, OverrideQuery
from schema.reviews.root import ReviewMutation, ReviewQuery, ReviewSubscription
from schema.reviews.templates import TemplateMutation, TemplateQuery

log = logging.getLogger("perfgraph.errors")
MASKED_MESSAGE = "Internal error: the server could not complete this request."

# Each domain adds its root types here.
QUERIES: tuple[type, ...] = (OrgQuery, GoalsQuery, CheckInQuery, FeedbackQuery, PraiseQuery,)
QUERIES += (CompetencyQuery, TemplateQuery, CycleQuery, ReviewQuery, OverrideQuery)
MUTATIONS: tuple[type, ...] = (OrgMutation, GoalsMutation, CheckInMutation, FeedbackMutation, PraiseMutation,)
SUBSCRIPTIONS: tuple[type, ...] = (OrgSubscription, GoalsSubscription, CheckInSubscription, FeedbackSubscription,
                                    PraiseSubscription,)
MUTATIONS += (CompetencyMutation, TemplateMutation, CycleMutation, ReviewMutation, OverrideMutation)
SUBSCRIPTIONS += (ReviewSubscription,)
QUERIES += (ExitQuery,)
MUTATIONS += (ExitMutation,)
SUBSCRIPTIONS += (ExitSubscription,)
QUERIES += (CompensationQuery,)
MUTATIONS += (CompensationMutation,)
SUBSCRIPTIONS += (CompensationSubscription,)
QUERIES += (IntegrationQuery, ImportQuery)
MUTATIONS += (IntegrationMutation, ImportMutation, LearningMutation)
SUBSCRIPTIONS += (ImportSubscription, LearningSubscription)
QUERIES += (NotificationsQuery, GoalReminderQuery)
MUTATIONS += (NotificationsMutation, GoalReminderMutation)
SUBSCRIPTIONS += (NotificationsSubscription,)
QUERIES += (GrowthQuery,)
QUERIES += (NodeQuery,)
MUTATIONS += (GrowthMutation,)
SUBSCRIPTIONS += (GrowthSubscription,)
QUERIES += (PilotQuery,)
MUTATIONS += (PilotMutation,)
SUBSCRIPTIONS += (PilotSubscription,)

Query = merge_types("Query", QUERIES)
Mutation = audited(refusals_as_payloads(merge_types("Mutation", MUTATIONS)))
Subscription = merge_types("Subscription", SUBSCRIPTIONS)
ROOT_DESCRIPTIONS = {
    Query: "Everything you may read, over HTTP (POST, or GET for caching) or a WebSocket. A field asked for "
           "explicitly that you may not see is null with a FORBIDDEN error; a hidden field of an object you may "
           "see is null without one.",
    Mutation: "Every change, over HTTP POST or a WebSocket. Each returns a payload whose `errors` say why it wrote "
              "nothing; only authentication failures are top-level errors.",
    Subscription: "Live events over a WebSocket (graphql-transport-ws or graphql-ws), each checked again for its "
                  "subscriber before it is sent.",
}
for root, description in ROOT_DESCRIPTIONS.items():
    root.__strawberry_definition__.description = description  # merge_types takes no description


def is_unexpected(error: GraphQLError) -> bool:
    """Mask only exceptions our code did not raise on purpose; validation and limit errors stay readable."""
    original = error.original_error
    return original is not None and not isinstance(original, GraphQLError)


class MaskUnexpectedErrors(MaskErrors):
    """Strawberry's :class:`MaskErrors`, masking what :func:`is_unexpected` says, without its per-request
    ``isinstance`` against a runtime-checkable protocol (the costliest step of a result without errors):
    a result is masked when it has errors, as there."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=is_unexpected, error_message=MASKED_MESSAGE)

    def _process_result(self, result: object) -> None:
        errors = getattr(result, "errors", None)
        if errors:
            result.errors = [with_code(short(without_suggestion(e))) for e in self._process_errors(errors)]  # type: ignore[attr-defined]


SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")


def with_code(error: GraphQLError) -> GraphQLError:
    """Every error a client gets carries ``extensions.code``: graphql-core's own parse, validation and
    variable errors come without one (``GRAPHQL_PARSE_FAILED``, ``GRAPHQL_VALIDATION_FAILED``,
    ``BAD_USER_INPUT``, as Apollo names them); an error at a field without a code is the server's."""
    if (error.extensions or {}).get("code"):
        return error
    if error.message.startswith("Syntax Error"):
        code = "GRAPHQL_PARSE_FAILED"
    elif error.path is None and error.message.startswith("Variable "):
        code = "BAD_USER_INPUT"
    elif error.path is None:
        code = "GRAPHQL_VALIDATION_FAILED"
    else:
        code = "INTERNAL_SERVER_ERROR"
    error.extensions = {**(error.extensions or {}), "code": code}
    return error


def without_suggestion(error: GraphQLError) -> GraphQLError:
    """graphql-core suggests names for unknown enum values, arguments, types and input fields ("Did you
    mean 'ACTIVE'?"), which lets anyone explore a schema that refuses introspection: dropped unless DEBUG
    (field suggestions are switched off in the config)."""
    error.message = SUGGESTION.sub("", error.message)
    return error


def short(error: GraphQLError) -> GraphQLError:
    """No message longer than :data:`~models.core.errors.MESSAGE_MAX` characters, whatever input it quotes."""
    error.message = shortened(error.message)
    return error


class MaskedLimits(Limits, MaskUnexpectedErrors):
    """:class:`Limits` and :class:`MaskUnexpectedErrors` as one extension (each extension costs something
    on every request): the limits are set before the operation, its errors are masked after it."""

    def on_operation(self) -> Iterator[None]:
        self.apply_limits()
        yield from MaskUnexpectedErrors.on_operation(self)


class PerfgraphSchema(strawberry.Schema):
    """Logs only the errors our code did not raise on purpose (:func:`is_unexpected`): a refusal (a limit,
    a validation error, FORBIDDEN) is the client's answer, not the operator's problem, and logging each
    would let a burst of hostile requests flood the log."""

    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        unexpected = [error for error in errors if is_unexpected(error)]
        if unexpected:
            super().process_errors(unexpected, execution_context)


def build_schema(*, caches: bool = True, debug: bool = False, introspection: bool = True,
                 cost_budget: int = MAX_COST) -> strawberry.Schema:
    """``introspection``: off refuses ``__schema`` and ``__type`` queries (production; the SDL is published
    as schema.graphql)."""
    limits = Limits if debug else MaskedLimits
    if cost_budget != MAX_COST:  # a test walking every path of the schema at once (tests/core/test_visibility.py)
        limits = type(limits.__name__, (limits,), {"budget": cost_budget})
    extensions = limit_extensions(caches=caches, limits=limits)
    if not introspection:
        extensions.append(DisableIntrospection)
    built = PerfgraphSchema(
        query=Query, mutation=Mutation, subscription=Subscription, extensions=extensions,
        config=StrawberryConfig(disable_field_suggestions=not debug),
    )
    describe_conventions(built._schema)
    return built
