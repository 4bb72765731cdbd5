"""Career tracks: ladders of positions, read by everyone in the organisation, saved by HR admins."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from models.core import clock
from models.core.documents import Document, new_id
from models.core.errors import ErrorCode, FieldError
from models.growth.permissions import can_save_track
from models.growth.rules import TrackKind, check_track, track_document
from resolvers.core.context import Context, require, require_role
from resolvers.core.outcome import Outcome
from resolvers.org.access import referenced
from store.growth import repository as growth_store

HR_ONLY = "only HR admins save career tracks"


async def career_tracks(context: Context, kind: TrackKind | None = None,
                        department_id: str | None = None) -> list[Document]:
    """Every track of the organisation (optionally of one kind or department), by name."""
    found = await growth_store.tracks((await require(context)).store)
    return [t for t in found if (kind is None or t["kind"] == kind.value)
            and (department_id is None or t.get("departmentId") == department_id)]


async def positions_by_id(context: Context, ids: Sequence[str]) -> dict[str, Document | None]:
    """The positions of the viewer's organisation among ``ids`` (one batch), ``None`` for the others."""
    ignored: list[FieldError] = []
    docs = await asyncio.gather(*(referenced(context, "position", id, "positionId", ignored) for id in ids))
    return dict(zip(ids, docs, strict=True))


async def save_career_track(context: Context, id: str | None, name: str, kind: TrackKind,
                            department_id: str | None, position_ids: list[str]) -> Outcome:
    """A new track (no ``id``) or a new version of an existing one; refused with typed errors, writing nothing."""
    signed_in = await require_role(context, can_save_track, HR_ONLY)
    positions = await positions_by_id(context, position_ids)
    errors = check_track(name, position_ids, positions)
    await referenced(context, "department", department_id, "departmentId", errors)
    existing = await signed_in.loaders.growth.track_by_id.load(id) if id is not None else None
    if id is not None and existing is None:
        errors.append(FieldError("id", ErrorCode.NOT_FOUND, f"no career track {id!r} in your organisation"))
    if errors:
        return Outcome(errors=errors)
    track = track_document(id or new_id(), name, kind, department_id, position_ids, clock.now())
    if existing is None:
        await growth_store.insert_track(signed_in.store, track)
    elif not await growth_store.replace_track(signed_in.store, track):
        return Outcome.refused("id", ErrorCode.NOT_FOUND, f"no career track {id!r} in your organisation")
    context.fresh_loaders()
    return Outcome(await signed_in.store.careerTracks.get(track["_id"]))
