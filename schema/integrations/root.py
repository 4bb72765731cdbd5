"""The integrations domain's GraphQL root fields: integration tokens (HR admins)."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from models.integrations.tokens import TokenKind
from resolvers.core.context import Context
from resolvers.core.outcome import Outcome
from resolvers.integrations import tokens
from schema.core.cost import listed
from schema.core.errors import errors_of
from schema.integrations.types import (
    IntegrationToken,
    IntegrationTokenKind,
    IntegrationTokenPayload,
    IntegrationTokenSecretPayload,
)


def _secret_payload(outcome: Outcome) -> IntegrationTokenSecretPayload:
    return IntegrationTokenSecretPayload(token=IntegrationToken.wrap(outcome.document),
                                         secret=outcome.extra.get("secret") if outcome.ok else None,
                                         errors=errors_of(outcome.errors))


@strawberry.type
class IntegrationQuery:
    @strawberry.field(description="HR admins: the organisation's integration tokens, revoked ones included, "
                                  "newest first (the latest 100).", metadata=listed(100))
    async def integration_tokens(self, info: Info[Context, Any]) -> list[IntegrationToken] | None:
        return [t for t in map(IntegrationToken.wrap, await tokens.integration_tokens(info.context)) if t]


@strawberry.type
class IntegrationMutation:
    @strawberry.mutation(description="HR admins: a new integration token of a kind; its secret is in the payload, "
                                     "shown once.")
    async def create_integration_token(
        self, info: Info[Context, Any],
        kind: Annotated[IntegrationTokenKind, strawberry.argument(description="Which endpoints the token opens.")],
        name: Annotated[str, strawberry.argument(description="A name to recognise it by, 1 to 200 characters.")],
    ) -> IntegrationTokenSecretPayload:
        return _secret_payload(await tokens.create_token(info.context, TokenKind(kind), name))

    @strawberry.mutation(description="HR admins: a new secret for a live token; the previous secret keeps working "
                                     "for 24 hours, so the integration can be switched over.")
    async def rotate_integration_token(
        self, info: Info[Context, Any],
        id: Annotated[strawberry.ID, strawberry.argument(description=(
            "The token to replace (the old secret stops working)."))],
    ) -> IntegrationTokenSecretPayload:
        return _secret_payload(await tokens.rotate_token(info.context, id))

    @strawberry.mutation(description="HR admins: revoke a token at once (its current and previous secrets).")
    async def revoke_integration_token(
        self, info: Info[Context, Any],
        id: Annotated[strawberry.ID, strawberry.argument(description="The token to revoke.")],
    ) -> IntegrationTokenPayload:
        outcome = await tokens.revoke_token(info.context, id)
        return IntegrationTokenPayload(token=IntegrationToken.wrap(outcome.document), errors=errors_of(outcome.errors))
