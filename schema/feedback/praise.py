"""Praise: the type, the wall, reactions, and the live ``praisePosted`` subscription."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import datetime
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from models.core.documents import Document
from models.feedback.praise import reaction_counts
from resolvers.core.context import Context
from resolvers.core.loading import load
from resolvers.feedback import praise as feedback_praise
from resolvers.feedback import subscriptions as feedback_subscriptions
from schema.core.errors import Error, errors_of
from schema.core.node import Node
from schema.core.pagination import After, Before, Connection, First, Last, window
from schema.feedback.inputs import PostPraiseInput, ReactionKindEnum
from schema.org.types import Employee, EmployeeFields


@strawberry.type(description="How many people reacted to a praise with one kind of reaction.")
class ReactionCount:
    kind: ReactionKindEnum = strawberry.field(description="The kind of reaction.")
    count: int = strawberry.field(description="How many people chose it (at least 1).")


@strawberry.type(description="Public recognition of one or several colleagues, tagged with a company value.")
class Praise(Node):
    doc: strawberry.Private[Document]
    id: strawberry.ID
    message: str = strawberry.field(description="The praise as written.")
    value: str = strawberry.field(description="The organisation value it celebrates.")
    created_at: datetime = strawberry.field(description="When it was posted (UTC).")

    @classmethod
    def wrap(cls, doc: Document | None) -> Praise | None:
        if doc is None:
            return None
        return cls(doc=doc, id=strawberry.ID(doc["_id"]), message=doc["message"], value=doc["value"],
                   created_at=doc["createdAt"])

    @classmethod
    def wrap_all(cls, docs: list[Document]) -> list[Praise]:
        return [p for p in map(cls.wrap, docs) if p is not None]

    @strawberry.field(description="Who posted it.")
    async def author(self, info: Info[Context, Any]) -> Employee | None:
        return EmployeeFields.wrap(await load(info.context, "employee_by_id", self.doc.get("authorId")))

    @strawberry.field(description="Whom it praises.")
    async def recipients(self, info: Info[Context, Any]) -> list[Employee]:
        return EmployeeFields.wrap_all(await feedback_praise.recipients(info.context, self.doc))

    @strawberry.field(description="How many people chose each kind (kinds nobody chose are left out).")
    def reactions(self) -> list[ReactionCount]:
        return [ReactionCount(kind=kind, count=count) for kind, count in reaction_counts(self.doc)]

    @strawberry.field(description="Your own reaction, if any.")
    async def my_reaction(self, info: Info[Context, Any]) -> ReactionKindEnum | None:
        return await feedback_praise.my_reaction(info.context, self.doc)


@strawberry.type
class PraisePayload:
    praise: Praise | None
    errors: list[Error]


async def praise_received(info: Info[Context, Any], employee: Document, first: int) -> list[Praise]:
    """``employee { praiseReceived }`` (called from schema/feedback/org_fields.py)."""
    return Praise.wrap_all(await feedback_praise.praise_received(info.context, employee, first))


@strawberry.type
class PraiseQuery:
    @strawberry.field(description="The organisation's praise, newest first (first ≤ 100).")
    async def praise_wall(self, info: Info[Context, Any], first: First = 20, after: After = None,
                          last: Last = None, before: Before = None,
                          value: Annotated[str | None, strawberry.argument(
                              description="Only praise for this value.")] = None) -> Connection[Praise]:
        page = await feedback_praise.wall(info.context, window(info, first, after, last, before), value)
        return Connection[Praise].of(page, Praise.wrap)

    @strawberry.field(description="One praise; null for an unknown id.")
    async def praise(
        self, info: Info[Context, Any],
        id: Annotated[strawberry.ID, strawberry.argument(description="The praise's id (Praise.id).")],
    ) -> Praise | None:
        return Praise.wrap(await feedback_praise.praise_by_id(info.context, id))


@strawberry.type
class PraiseMutation:
    @strawberry.mutation(description="Praise colleagues in public, with one of the company's values.")
    async def post_praise(
        self, info: Info[Context, Any],
        input: Annotated[PostPraiseInput, strawberry.argument(description="The praise.")],
    ) -> PraisePayload:
        outcome = await feedback_praise.post_praise(info.context, vars(input))
        return PraisePayload(praise=Praise.wrap(outcome.document), errors=errors_of(outcome.errors))

    @strawberry.mutation(description="Toggle your reaction: the same kind again removes it, another replaces it.")
    async def react_to_praise(
        self, info: Info[Context, Any],
        praise_id: Annotated[strawberry.ID, strawberry.argument(description="The praise.")],
        kind: Annotated[ReactionKindEnum, strawberry.argument(description=(
            "Your reaction; the one you already chose removes it, another replaces it."))],
    ) -> PraisePayload:
        outcome = await feedback_praise.react(info.context, praise_id, kind)
        return PraisePayload(praise=Praise.wrap(outcome.document), errors=errors_of(outcome.errors))


@strawberry.type
class PraiseSubscription:
    @strawberry.subscription(description="Each new praise in your organisation.")
    async def praise_posted(self, info: Info[Context, Any]) -> AsyncGenerator[Praise, None]:
        async for doc in feedback_subscriptions.praise_posted(info.context):
            praise = Praise.wrap(doc)
            if praise is not None:
                yield praise
