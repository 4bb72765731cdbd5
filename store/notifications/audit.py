"""Reading the audit trail (it is written by store/core/audit.py, never changed): newest first."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from models.core.pagination import Window
from models.notifications.audit import AuditFilterSpec
from store.core.pagination import Keyset, Page, keyset_page
from store.core.repository import TenantStore


def _instant(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError(f"no time zone in {text!r}")
    return moment


NEWEST_FIRST = Keyset("at", descending=True, to_text=datetime.isoformat, from_text=_instant)


def query_of(spec: AuditFilterSpec) -> dict[str, Any]:
    query: dict[str, Any] = {}
    if spec.object_id:
        query["objectId"] = spec.object_id
    if spec.actor_id:
        query["actorId"] = spec.actor_id
    if spec.object_type:
        query["objectType"] = spec.object_type
    if spec.since or spec.until:
        query["at"] = {**({"$gte": spec.since} if spec.since else {}), **({"$lte": spec.until} if spec.until else {})}
    return query


async def page(store: TenantStore, spec: AuditFilterSpec, window: Window) -> Page:
    return await keyset_page(store.auditLog, query_of(spec), NEWEST_FIRST, window)
