"""Which audience a subscription shares one execution with (realtime/groups.py), decided from its stream's rules:

* the organisation — a selection everyone sees alike (schema/core/audience.py) of ``orgChartChanged`` or
  ``praisePosted``, or of ``goalProgressChanged`` on a goal everyone sees alike (resolvers/goals/sharing.py);
* a goal's reader class — ``goalProgressChanged`` with that selection on any other goal: HR admins, its owner,
  or the managers above its owner (resolvers/goals/sharing.py);
* a form's reader class — ``reviewFormChanged`` selecting what readers who stand to the form alike see alike
  (resolvers/reviews/sharing.py);
* the organisation's HR admins — ``cycleProgressChanged`` for an HR admin, selecting what they all see alike
  (resolvers/reviews/sharing.py);
* the session — any other selection of those, shared only by subscriptions with the same token and roles;
* nobody — every other subscription runs once per subscriber (``None``).
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLSchema

from realtime.groups import Audience
from resolvers.core.audience import audience_of
from resolvers.core.context import Context
from resolvers.core.errors import Unauthenticated
from resolvers.goals.sharing import goal_reader_audience, shared_goal
from resolvers.reviews.sharing import form_reader_audience, hr_admins_audience
from schema.core.audience import (
    ORG_WIDE_WHEN_ARGUMENTS,
    is_alike_for_hr_admins,
    is_org_wide,
    is_read_by_class,
    is_shareable,
)
from schema.core.selection import SubscriptionPlan, root_arguments
from store.loaders import Loaders


async def audience_for(schema: GraphQLSchema, plan: SubscriptionPlan, variables: dict[str, Any] | None,
                       context: Context) -> Audience | None:
    """The audience of the subscription ``plan`` describes, or ``None``: it runs alone. What deciding it read
    (a goal, a form) is not kept in the subscriber's loaders for the subscription's life."""
    if not is_shareable(plan.root_field):
        return None
    try:
        return await _decide(schema, plan, variables, context)
    finally:
        if context.store is not None:
            context.loaders = Loaders(context.store)


async def _decide(schema: GraphQLSchema, plan: SubscriptionPlan, variables: dict[str, Any] | None,
                  context: Context) -> Audience | None:
    arguments = root_arguments(schema, plan, variables)
    if plan.root_field == "reviewFormChanged":
        if not is_read_by_class(plan.root_field, plan.fields):
            return None
        return await form_reader_audience(context, arguments.get("formId"))
    if is_alike_for_hr_admins(plan.root_field, plan.fields):
        hr_admins = await hr_admins_audience(context)
        if hr_admins is not None:
            return hr_admins
    org_wide = is_org_wide(plan.root_field, plan.fields)
    if org_wide and plan.root_field in ORG_WIDE_WHEN_ARGUMENTS:
        if not await alike_for_everyone(plan.root_field, arguments, context):
            # the same selection, on a goal not alike for everyone: shared by the subscriber's reader class
            readers = await reader_class_audience(plan.root_field, arguments, context)
            return readers if readers is not None else await audience_of(context, org_wide=False)
    return await audience_of(context, org_wide=org_wide)


async def reader_class_audience(root_field: str, arguments: dict[str, Any], context: Context) -> Audience | None:
    """The subscriber's reader class for a subscription whose arguments are not alike for everyone, if it has
    one (``goalProgressChanged`` on one goal: HR, its owner, the managers above its owner)."""
    if root_field == "goalProgressChanged" and arguments.get("ownerId") is None:
        return await goal_reader_audience(context, arguments.get("goalId"))
    return None


async def alike_for_everyone(root_field: str, arguments: dict[str, Any], context: Context) -> bool:
    """The rule about a subscription's arguments that makes its audience the organisation
    (``schema.core.audience.ORG_WIDE_WHEN_ARGUMENTS``), read as the subscriber."""
    if root_field == "goalProgressChanged" and arguments.get("ownerId") is None:
        try:
            return await shared_goal(context, arguments.get("goalId"))
        except Unauthenticated:
            return False
    return False
