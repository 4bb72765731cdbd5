"""An object's audit history (the latest entries of the trail about it, newest first) for a ``history`` field of
any domain's type: the domain decides who may read it (those who may read the object, by its own rules) and
passes its decision; one batched read for a page of objects."""

from __future__ import annotations

from models.core.documents import Document
from resolvers.core.context import Context, require
from resolvers.core.errors import BadUserInput
from store.core.history import HISTORY_MAX

HISTORY_LISTED = HISTORY_MAX  # the latest entries one object's history shows


async def history(context: Context, object_id: str | None, allowed: bool, refusal: str,
                  last: int = HISTORY_LISTED) -> list[Document] | None:
    """The object's ``last`` latest audit entries if ``allowed``; else ``None`` (a hidden field of an object the
    viewer may see answers null, without an error: ``refusal`` says why, for the log); an object that has none
    yet (or no id) has an empty history."""
    signed_in = await require(context)
    if not allowed:
        return None
    if not 1 <= last <= HISTORY_LISTED:
        raise BadUserInput(f"last must be between 1 and {HISTORY_LISTED}")
    if object_id is None:
        return []
    return (await signed_in.loaders.history_by_object_id.load(object_id))[:last]
