"""The exits streams: ``exitChecklistChanged`` (HR admins and the record's interviewer) and
``attritionReportChanged`` (the report's figures again, as the subscriber may see them, after an exit is opened,
withdrawn, classified or its interview recorded). Both re-check the subscriber on every event (``stream``)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from typing import Any

from models.core.documents import Document
from models.core.viewer import Viewer
from models.exits.permissions import can_see_attrition_report, can_see_exit_record
from models.exits.report import GroupBy
from resolvers.core.context import Context, require, require_role
from resolvers.core.errors import BadUserInput, Forbidden
from resolvers.core.streams import stream
from resolvers.exits.channels import REPORT_CHANGES, exits_channel
from resolvers.exits.records import RECORD_REFUSAL
from resolvers.exits.report import REFUSAL, Labelled, ReportFilter, attrition_report


async def exit_checklist_changed(context: Context, exit_id: str) -> AsyncIterator[Document]:
    signed_in = await require(context)
    record = await signed_in.store.exitRecords.get(exit_id)
    if record is None:
        raise BadUserInput(f"no exit record {exit_id!r} in your organisation")
    if not can_see_exit_record(signed_in.viewer, record):
        raise Forbidden(RECORD_REFUSAL)

    async def events(viewer: Viewer, message: dict[str, Any]) -> AsyncIterator[Document]:
        current = await (await require(context)).store.exitRecords.get(exit_id)
        if current is not None and can_see_exit_record(viewer, current):
            yield current

    async for item in stream(context, exits_channel(signed_in.store.organization_id), events,
                             wants=lambda message: message.get("exitId") == exit_id):
        yield item


async def attrition_report_changed(context: Context, group_by: GroupBy, start: date | None, end: date | None,
                                   spec: ReportFilter) -> AsyncIterator[Labelled]:
    signed_in = await require_role(context, can_see_attrition_report, REFUSAL)

    async def events(viewer: Viewer, message: dict[str, Any]) -> AsyncIterator[Labelled]:
        if can_see_attrition_report(viewer):
            yield await attrition_report(context, group_by, start, end, spec)

    async for item in stream(context, exits_channel(signed_in.store.organization_id), events,
                             wants=lambda message: message.get("kind") in REPORT_CHANGES):
        yield item
