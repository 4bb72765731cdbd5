"""Integration tokens as the API shows them: never their secret, which a payload shows once."""

from __future__ import annotations

from datetime import datetime

import strawberry

from models.core.documents import Document
from models.integrations.tokens import TokenKind
from schema.core.descriptions import describe_values
from schema.core.errors import Error

IntegrationTokenKind = strawberry.enum(TokenKind, name="IntegrationTokenKind",
                                       description="What an integration token opens: the SCIM endpoints "
                                                   "(/scim/v2), xAPI statements or bulk imports.")
describe_values(IntegrationTokenKind, {
    "SCIM": "For an identity provider's SCIM 2.0 client (/scim/v2/…).",
    "XAPI": "For a learning system posting xAPI statements (/xapi/statements).",
    "IMPORT": "For bulk imports (POST /imports).",
})


@strawberry.type(description="A token an HR system, identity provider or learning system signs in with; its "
                             "secret is stored hashed and shown only when created or rotated.")
class IntegrationToken:
    id: strawberry.ID = strawberry.field(description="The token's id.")
    kind: IntegrationTokenKind = strawberry.field(description="The endpoints it opens.")
    name: str = strawberry.field(description="What HR called it (e.g. the identity provider).")
    hint: str = strawberry.field(description="The last characters of the current secret, to tell tokens apart.")
    created_at: datetime = strawberry.field(description="When it was created.")
    rotated_at: datetime | None = strawberry.field(description="When its secret was last rotated.")
    revoked_at: datetime | None = strawberry.field(description="When it was revoked; null while live.")
    previous_valid_until: datetime | None = strawberry.field(
        description="After a rotation: until when the previous secret still works.")

    @classmethod
    def wrap(cls, doc: Document | None) -> IntegrationToken | None:
        if doc is None:
            return None
        return cls(id=strawberry.ID(doc["_id"]), kind=TokenKind(doc["kind"]), name=doc["name"], hint=doc["hint"],
                   created_at=doc["createdAt"], rotated_at=doc.get("rotatedAt"), revoked_at=doc.get("revokedAt"),
                   previous_valid_until=doc.get("previousValidUntil"))


@strawberry.type(description="The token created or rotated, and its secret, shown this once.")
class IntegrationTokenSecretPayload:
    token: IntegrationToken | None = strawberry.field(description="The token; null when refused.")
    secret: str | None = strawberry.field(description="The secret to give the integration: shown only now; "
                                                      "send it as `Authorization: Bearer <secret>`.")
    errors: list[Error] = strawberry.field(description="Why nothing was written.")


@strawberry.type(description="The token revoked.")
class IntegrationTokenPayload:
    token: IntegrationToken | None = strawberry.field(description="The token; null when refused.")
    errors: list[Error] = strawberry.field(description="Why nothing was written.")
