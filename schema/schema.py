"""The assembled Schema: every domain's root types merged, limits and error masking on."""

from __future__ import annotations

import logging
from functools import partial

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaskErrors
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types

from schema.limits import limit_extensions
from schema.org_root import OrgMutation, OrgQuery, OrgSubscription

log = logging.getLogger("perfgraph.errors")

# Each domain adds its root types here.
QUERIES: tuple[type, ...] = (OrgQuery,)
MUTATIONS: tuple[type, ...] = (OrgMutation,)
SUBSCRIPTIONS: tuple[type, ...] = (OrgSubscription,)

Query = merge_types("Query", QUERIES)
Mutation = merge_types("Mutation", MUTATIONS)
Subscription = merge_types("Subscription", SUBSCRIPTIONS)


def is_unexpected(error: GraphQLError) -> bool:
    """Mask only exceptions our code did not raise on purpose; validation and limit errors stay readable."""
    original = error.original_error
    return original is not None and not isinstance(original, GraphQLError)


def build_schema(*, caches: bool = True, debug: bool = False) -> strawberry.Schema:
    extensions = limit_extensions(caches=caches)
    if not debug:
        extensions.append(partial(MaskErrors, should_mask_error=is_unexpected,
                                  error_message="Internal error: the server could not complete this request."))
    return strawberry.Schema(
        query=Query, mutation=Mutation, subscription=Subscription, extensions=extensions,
        config=StrawberryConfig(disable_field_suggestions=not debug),
    )
