"""Bearer tokens: minting dev tokens and turning a header or a connection payload into claims."""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import jwt

from models.core.viewer import Role

ALGORITHM = "HS256"
DEFAULT_TTL = 12 * 3600
# Distinct tokens whose verified claims are kept (a few hundred bytes each).
VERIFIED_TOKENS = 1024


class AuthenticationFailed(Exception):
    """The token is missing, malformed, badly signed or expired; the message says which."""


@dataclass(frozen=True)
class Claims:
    employee_id: str
    organization_id: str
    roles: frozenset[Role]
    expires_at: float


def mint_token(secret: str, employee_id: str, organization_id: str, roles: Iterable[str],
               ttl: int = DEFAULT_TTL, now: float | None = None) -> str:
    issued = int(now if now is not None else time.time())
    payload = {"sub": employee_id, "org": organization_id, "roles": sorted(set(roles)),
               "iat": issued, "exp": issued + ttl}
    return jwt.encode(payload, secret, algorithm=ALGORITHM)


def bearer_token(value: str | None) -> str:
    if not value:
        raise AuthenticationFailed("no bearer token: send 'Authorization: Bearer <token>'")
    scheme, _, token = value.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthenticationFailed("the authorization value must be 'Bearer <token>'")
    return token.strip()


def decode_token(secret: str, token: str) -> Claims:
    """The token's claims, or :class:`AuthenticationFailed` with the reason.

    PyJWT checks a token (signature, claims) the first time it is seen; the claims of a token that
    passed are kept (:func:`_verified_claims`, a bounded cache keyed by the secret and the whole
    token, so nothing but that exact token signed with that secret finds them) and its expiry is
    checked again here on every call, as PyJWT checks it. Only what is a function of the token is
    kept: the caller still reads the employee on every sign-in.
    """
    claims = _verified_claims(secret, token)
    if int(claims.expires_at) <= time.time():  # PyJWT's own test (an integer ``exp`` at or before now)
        raise AuthenticationFailed("the token has expired")
    return claims


@lru_cache(maxsize=VERIFIED_TOKENS)
def _verified_claims(secret: str, token: str) -> Claims:
    """PyJWT's decoding and our claim checks: raises (and so caches nothing) for a token refused."""
    try:
        payload: Mapping[str, Any] = jwt.decode(token, secret, algorithms=[ALGORITHM],
                                                options={"require": ["sub", "exp", "org"]})
    except jwt.ExpiredSignatureError:
        raise AuthenticationFailed("the token has expired") from None
    except jwt.InvalidTokenError as error:
        raise AuthenticationFailed(f"the token is not valid ({error})") from None
    roles = payload.get("roles", [])
    if not isinstance(roles, list) or not all(r in Role._value2member_map_ for r in roles):
        raise AuthenticationFailed("the token's roles claim is not valid")
    if not isinstance(payload["sub"], str) or not isinstance(payload["org"], str):
        raise AuthenticationFailed("the token's sub and org claims must be strings")
    return Claims(payload["sub"], payload["org"], frozenset(Role(r) for r in roles), float(payload["exp"]))
