"""Errors a client may see, each with ``extensions.code``; anything else is masked as internal."""

from __future__ import annotations

from graphql import GraphQLError


class PublicError(GraphQLError):
    code = "BAD_REQUEST"

    def __init__(self, message: str) -> None:
        super().__init__(message, extensions={"code": self.code})


class Unauthenticated(PublicError):
    code = "UNAUTHENTICATED"


class Forbidden(PublicError):
    code = "FORBIDDEN"


class BadUserInput(PublicError):
    code = "BAD_USER_INPUT"


class LimitExceeded(PublicError):
    code = "LIMIT_EXCEEDED"


class SubscribeAgain(PublicError):
    """A shared subscription's audience no longer holds for its subscribers: subscribing again decides anew."""

    code = "SUBSCRIBE_AGAIN"
