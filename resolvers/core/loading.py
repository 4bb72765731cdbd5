"""Related documents through the request's loaders, answered without a coroutine when already loaded."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from resolvers.core.context import Context

T = TypeVar("T")


async def load(context: Context, loader_name: str, key: str | None) -> Any:
    """A related document through one of the context's loaders (``None`` key: ``None``)."""
    if key is None:
        return None
    await context.authenticate()
    return await getattr(context.loaders, loader_name).load(key)


def load_now(context: Context, loader_name: str, key: str | None,
             then: Callable[[Any], Any] = lambda value: value) -> Any:
    """``then`` of what :func:`load` gives, without a coroutine when it can: ``then(value)`` itself if
    the viewer is signed in (the token unexpired, as :meth:`Context.authenticate` checks) and the loader
    already holds a value for ``key``; otherwise an awaitable of it, by way of :func:`load`.

    For plain ``def`` resolvers: graphql-core awaits an awaitable a resolver returns, and a value read
    already (the org chart prefetches positions and departments) then costs no coroutine, no task and
    no turn of the event loop. Typed ``Any`` (a value or an awaitable of one) so that such a resolver
    keeps declaring its GraphQL type as its return annotation, which is what Strawberry reads.
    """
    if key is None:
        return then(None)
    loaders = context.loaders
    if loaders is not None and context.viewer is not None and context.expires_at > time.time():
        loader = getattr(loaders, loader_name)
        future = loader.cache_map.get(key) if loader.cache else None
        if future is not None and future.done() and not future.cancelled() and future.exception() is None:
            return then(future.result())
    return _then(load(context, loader_name, key), then)


async def _then(awaitable: Awaitable[Any], then: Callable[[Any], T]) -> T:
    return then(await awaitable)
