"""The exits domain's visibility-aware accessor: the only way upper domains (compensation, integrations,
notifications) read exits. Exit records only as ``can_see_exit_record`` allows (HR admins, the interviewer);
nothing of the candid survey, ever."""

from __future__ import annotations

from models.core.documents import Document
from models.exits.permissions import can_see_exit_record
from resolvers.core.context import Context, require
from resolvers.exits import records
from store.exits import repository as exits_store


async def exit_record_of(context: Context, employee_id: str) -> Document | None:
    """The exit record of ``employee_id`` if there is one and the viewer may see it (else ``None``)."""
    signed_in = await require(context)
    record = await exits_store.record_of_employee(signed_in.store, employee_id)
    return record if record is not None and can_see_exit_record(signed_in.viewer, record) else None


async def visible_exit_records(context: Context, ids: list[str]) -> list[Document]:
    """The exit records among ``ids`` the viewer may see, in the order of ``ids``."""
    signed_in = await require(context)
    docs = await signed_in.loaders.exits.record_by_id.load_many(ids)
    return [d for d in docs if d is not None and can_see_exit_record(signed_in.viewer, d)]


async def due_exit_interviews(context: Context, within_days: int) -> list[Document]:
    """Exit interviews to remind of (notifications): as ``dueExitInterviews`` answers the viewer."""
    return await records.due_interviews(context, within_days)


async def anonymity_threshold(context: Context) -> int:
    """The organisation's k (``saveExitSettings``): the smallest group of anonymous answers any report shows
    (pilots' process surveys use the same one)."""
    return int((await exits_store.settings((await require(context)).store))["k"])
