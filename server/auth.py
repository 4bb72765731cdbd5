"""Bearer tokens: minting dev tokens and turning a header or a connection payload into claims."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
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


class SingleSignOn:
    """Tokens from an identity provider (Okta, Entra ID, Google…): signed with one of the keys it publishes
    at ``jwks_url`` (RS256, ES256…), issued by ``issuer`` for ``audience``, and naming the employee by
    ``claim``: ``email`` (the employee with that email, in whichever organisation has it; refused when two
    organisations have it) or ``sub`` (the employee id itself, for a provider provisioned with our ids).

    PyJWT's :class:`jwt.PyJWKClient` keeps the provider's key set for ``lifespan`` seconds and fetches it
    again for a key id it does not know (a rotated key), at most once per ``cooldown`` seconds, so tokens
    with made-up key ids cannot make the server call the provider more often than that. The fetch blocks, so
    it runs in a worker thread. The employee's roles are the ones stored (a provider's token carries none).
    """

    def __init__(self, jwks_url: str, issuer: str, audience: str, algorithms: Iterable[str], claim: str,
                 find: Callable[[str, str], Awaitable[Mapping[str, Any] | None]], *,
                 lifespan: float = 300, cooldown: float = 30) -> None:
        self.keys = jwt.PyJWKClient(jwks_url, cache_keys=False, lifespan=lifespan, timeout=5,
                                    cooldown_duration=cooldown)
        self.issuer, self.audience, self.algorithms, self.claim = issuer, audience, sorted(algorithms), claim
        self.find = find  # (claim, value) -> the employee document, or None

    async def decode(self, token: str) -> Claims:
        try:
            key = await asyncio.to_thread(self.keys.get_signing_key_from_jwt, token)
        except jwt.PyJWKClientConnectionError:
            raise AuthenticationFailed("the identity provider's keys could not be fetched; try again") from None
        except (jwt.PyJWKClientError, jwt.InvalidTokenError) as error:
            raise AuthenticationFailed(f"the token is not valid ({error})") from None
        try:
            payload: Mapping[str, Any] = jwt.decode(
                token, key.key, algorithms=self.algorithms, audience=self.audience, issuer=self.issuer,
                options={"require": ["exp", "iss", "aud", self.claim]})
        except jwt.ExpiredSignatureError:
            raise AuthenticationFailed("the token has expired") from None
        except jwt.InvalidTokenError as error:
            raise AuthenticationFailed(f"the token is not valid ({error})") from None
        value = payload[self.claim]
        if not isinstance(value, str) or not value or len(value) > 320:
            raise AuthenticationFailed(f"the token's {self.claim} claim is not valid")
        if self.claim == "email" and payload.get("email_verified") is False:
            raise AuthenticationFailed("the token's email is not verified by the identity provider")
        employee = await self.find(self.claim, value.strip().lower() if self.claim == "email" else value)
        if employee is None:
            raise AuthenticationFailed(f"no employee has the token's {self.claim}")
        roles = frozenset(Role(r) for r in employee.get("roles", []) if r in Role._value2member_map_)
        return Claims(employee["_id"], employee["organizationId"], roles, float(payload["exp"]))


def decoder(secret: str, sso: SingleSignOn | None) -> Callable[[str | None], Claims | Awaitable[Claims]]:
    """The context's decoder: our HS256 tokens (development, tools, tests) are checked at once; a token
    with an asymmetric algorithm goes to the identity provider's keys when SSO is configured."""

    def decode(credentials: str | None) -> Claims | Awaitable[Claims]:
        token = bearer_token(credentials)
        try:
            algorithm = jwt.get_unverified_header(token).get("alg")
        except jwt.InvalidTokenError as error:
            raise AuthenticationFailed(f"the token is not valid ({error})") from None
        if algorithm == ALGORITHM or sso is None:
            return decode_token(secret, token)
        if algorithm not in sso.algorithms:
            raise AuthenticationFailed(f"the token's algorithm {str(algorithm)[:10]!r} is not accepted")
        return sso.decode(token)

    return decode
