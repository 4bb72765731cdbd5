"""The exits store: exit records, reasons, templates, the candid answers and settings; the domain's loaders."""

from __future__ import annotations

from typing import Any

from models.core.documents import Document
from models.core.pagination import Window
from models.exits.rules import default_settings
from store.core.loaders import ByIdLoader
from store.core.pagination import Keyset, Page, keyset_page
from store.core.repository import TenantStore

RECORDS_BY_LAST_DAY = Keyset("lastDay", descending=True)  # newest leavers first; cursors are [lastDay, id]


class ExitLoaders:
    """The exits domain's loaders of one request (or subscription event)."""

    def __init__(self, store: TenantStore) -> None:
        self.record_by_id = ByIdLoader(store.exitRecords)
        self.reason_by_id = ByIdLoader(store.exitReasons)
        self.template_by_id = ByIdLoader(store.exitTemplates)


async def record_of_employee(store: TenantStore, employee_id: str) -> Document | None:
    return (await store.exitRecords.find({"employeeId": employee_id}, limit=1) or [None])[0]


async def records_page(store: TenantStore, query: dict[str, Any], window: Window) -> Page:
    return await keyset_page(store.exitRecords, query, RECORDS_BY_LAST_DAY, window)


async def records_between(store: TenantStore, query: dict[str, Any]) -> list[Document]:
    return await store.exitRecords.find(query, sort=[("lastDay", 1), ("_id", 1)])


async def settings(store: TenantStore) -> Document:
    """The organisation's exit settings, defaults where none were saved."""
    saved = await store.exitSettings.find({}, limit=1)
    return {**default_settings(), **({k: v for k, v in saved[0].items() if k in default_settings()} if saved else {})}


async def save_settings(store: TenantStore, fields: dict[str, Any]) -> None:
    """One upsert on the organisation's settings document."""
    await store.exitSettings.collection.update_one(store.exitSettings.scope({}), {"$set": fields}, upsert=True)


async def reasons(store: TenantStore, include_archived: bool) -> list[Document]:
    query = {} if include_archived else {"archived": {"$ne": True}}
    return await store.exitReasons.find(query, sort=[("category", 1), ("label", 1), ("_id", 1)])


async def latest_templates(store: TenantStore, include_old_versions: bool) -> list[Document]:
    query = {} if include_old_versions else {"supersededById": None}
    return await store.exitTemplates.find(query, sort=[("name", 1), ("familyId", 1), ("version", 1)])


async def template_for(store: TenantStore, department_id: str | None) -> Document | None:
    """The latest template of the department, else the organisation's default (one without a department)."""
    docs = await store.exitTemplates.find({"supersededById": None, "departmentId": {"$in": [department_id, None]}},
                                          sort=[("version", -1), ("_id", 1)])
    own = [d for d in docs if department_id is not None and d.get("departmentId") == department_id]
    fallback = [d for d in docs if d.get("departmentId") is None]
    return (own or fallback or [None])[0]


async def responses_in(store: TenantStore, months: list[str]) -> list[Document]:
    return await store.exitSurveyResponses.find({"month": {"$in": months}},
                                                projection={"texts": 0, "choices": 0})
