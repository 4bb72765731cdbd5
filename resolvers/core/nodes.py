"""``node(id:)`` and ``nodes(ids:)``: find each id's type (indexed finds sent together, as many for one id as for
a hundred: store/core/nodes.py), then read the object through its own domain, with the visibility every other path
applies.

A kind pairs where objects of one type live (:class:`~store.core.nodes.Place`) with how its domain
reads one (``fetch``). An id the viewer may not see answers ``None`` exactly as an unknown id does: a
refusal of the domain's reader (``FORBIDDEN``, or ``BAD_USER_INPUT`` for an id it does not know) is not
passed on, so nothing tells the two apart.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from models.core.ids import TREE_SEPARATOR
from resolvers.core.context import Context, require
from resolvers.core.errors import BadUserInput, Forbidden
from store.core import nodes as node_store
from store.core.nodes import KEY_SEPARATOR, Located, Place

__all__ = ["ID_MAX", "KEY_SEPARATOR", "MAX_NODES", "TREE_SEPARATOR", "Fetch", "NodeKind", "Place", "node", "nodes"]

MAX_NODES = 100  # ids one nodes(ids:) may ask for (its cost bound)
ID_MAX = 100  # characters of an id: longer ones are no id of ours

# (context, the id of the document holding the object, the object's id) → the schema object, or None
Fetch = Callable[[Context, str, str], Awaitable[Any]]


@dataclass(frozen=True)
class NodeKind:
    place: Place
    fetch: Fetch


async def _read(context: Context, kinds: dict[str, NodeKind], id: str, located: Located | None) -> Any:
    if located is None:
        return None
    try:
        found = await kinds[located.tag].fetch(context, located.document_id, id)
    except (Forbidden, BadUserInput):  # hidden answers as unknown does
        return None
    return found if found is not None and str(getattr(found, "id", None)) == id else None


async def nodes(context: Context, ids: Sequence[str], kinds: Sequence[NodeKind]) -> list[Any]:
    """The objects of ``ids`` in their order, ``None`` for an unknown id and for one the viewer may not see."""
    signed_in = await require(context)
    if len(ids) > MAX_NODES:
        raise BadUserInput(f"ask for at most {MAX_NODES} ids at once, not {len(ids)}")
    by_tag = {kind.place.tag: kind for kind in kinds}
    ours = [id for id in ids if 0 < len(id) <= ID_MAX]
    located = await node_store.locate(signed_in.store, ours, [kind.place for kind in kinds]) if ours else {}
    return list(await asyncio.gather(*(_read(context, by_tag, id, located.get(id)) for id in ids)))


async def node(context: Context, id: str, kinds: Sequence[NodeKind]) -> Any:
    """The object of ``id``, or ``None`` (unknown, or hidden from the viewer)."""
    return (await nodes(context, [id], kinds))[0]
