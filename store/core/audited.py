"""Audited writes (store/core/audit.py): a write that passes ``CountingCollection`` inside an audit scope, and
its entries, in the write's session. The documents it changes are read before and after it (neither read
counted or gated: tests count the change's own calls), except what a ``find_one_and_update`` returns itself and
what the caller holds (``store.core.audit.read_before``: the version a write is conditional on, and what it
leaves)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pymongo import InsertOne, ReturnDocument, UpdateMany, UpdateOne

from store.core.audit import AUDIT_COLLECTION, BEFORE_MAX, AuditScope, known_after, known_before
from store.core.audit import changes as audit_changes
from store.core.audit import entry as audit_entry
from store.core.audit import fields as touched_fields


async def audited_write(collection: Any, stats: Any, scope: AuditScope, name: str, method: Any,
                        args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """The write, and its audit entries (store/core/audit.py), in the write's session."""
    session = kwargs.get("session")
    plan = write_plan(name, args, kwargs)
    if name in RETURNING and kwargs.get("projection") is None and not kwargs.get("upsert"):
        return await _returning(collection, stats, scope, plan, method, args, kwargs)
    before: list[dict[str, Any]] = []
    held = _held(plan) if name == "update_one" else None
    if held is not None:
        before = [held]
    elif plan.filter is not None:
        projection = None if plan.fields is None else {f: 1 for f in {*plan.fields, "organizationId"}}
        cursor = collection.find(plan.filter, projection, session=session)
        if plan.sort:
            cursor = cursor.sort(plan.sort)
        before = await cursor.limit(1 if plan.one else BEFORE_MAX).to_list(None)
    result = await method(*args, **kwargs)
    if held is not None and result.matched_count == 0:
        before = []  # the version held had changed: nothing written, no entry (and nothing read around it)
    entries = [audit_entry(scope, collection.name, d["_id"], d.get("organizationId"), "created",
                           audit_changes(collection.name, None, d)) for d in plan.inserted]
    if plan.filter is not None:
        ids = [d["_id"] for d in before]
        after: dict[Any, dict[str, Any]] = {}
        known = known_after.get()
        if held is not None and before and known is not None and known.get("_id") == held["_id"]:
            after = {held["_id"]: dict(known)}  # the caller knows what the write left (read_before's after)
        elif plan.action != "deleted":
            query = {"_id": {"$in": ids}} if ids else (plan.filter if kwargs.get("upsert") else None)
            if query is not None:
                projection = None if plan.fields is None else {f: 1 for f in {*plan.fields, "organizationId"}}
                found = await collection.find(query, projection, session=session).limit(BEFORE_MAX).to_list(None)
                after = {d["_id"]: d for d in found}
        by_id = {d["_id"]: d for d in before}
        for id in [*ids, *[i for i in after if i not in by_id]]:
            old, new = by_id.get(id), after.get(id)
            action = plan.action if old is not None else "created"
            fields = audit_changes(collection.name, old, new, plan.fields)
            if fields or action == "deleted":
                organization = (old or new or {}).get("organizationId")
                entries.append(audit_entry(scope, collection.name, id, organization, action, fields))
    await _record(collection, stats, entries, session)
    return result


async def _returning(collection: Any, stats: Any, scope: AuditScope, plan: WritePlan, method: Any,
                     args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """A ``find_one_and_update`` / ``_replace`` returns one side of its change itself, atomically: the
    document before it (the default) or after it. Only the other side is read, and a write that matched
    nothing changed nothing: no entry (a read around it could see someone else's change)."""
    session = kwargs.get("session")
    projection = None if plan.fields is None else {f: 1 for f in {*plan.fields, "organizationId"}}
    returns_after = kwargs.get("return_document", ReturnDocument.BEFORE) == ReturnDocument.AFTER
    before: dict[str, Any] | None = None
    held = _held(plan)
    if returns_after and held is not None:
        before = dict(held)  # the caller's copy, the state the write's version condition matched
    elif returns_after:
        cursor = collection.find(plan.filter, projection, session=session)
        found = await (cursor.sort(plan.sort) if plan.sort else cursor).limit(1).to_list(None)
        before = found[0] if found else None
    result = await method(*args, **kwargs)
    if result is None:
        return result
    if returns_after:
        after = result
    else:
        before = result
        after = await collection.find_one({"_id": result["_id"]}, projection, session=session)
    fields = audit_changes(collection.name, before, after, plan.fields)
    if fields:
        entry = audit_entry(scope, collection.name, result["_id"], result.get("organizationId"), "changed", fields)
        await _record(collection, stats, [entry], session)
    return result


def _held(plan: WritePlan) -> dict[str, Any] | None:
    """The document the caller holds (``store.core.audit.read_before``) if this write is conditional on exactly it:
    its ``_id`` and its ``version``."""
    held, wanted = known_before.get(), plan.filter or {}
    if held is None or "version" not in wanted or held.get("_id") != wanted.get("_id") \
            or held.get("version") != wanted["version"]:
        return None
    return dict(held)


async def _record(collection: Any, stats: Any, entries: list[dict[str, Any]], session: Any) -> None:
    if entries:
        stats.written.add(AUDIT_COLLECTION)
        await collection.database[AUDIT_COLLECTION].insert_many(entries, session=session)


RETURNING = frozenset({"find_one_and_update", "find_one_and_replace"})


@dataclass
class WritePlan:
    """What one write call touches, for its audit entries: the documents it inserts, and the filter, sort and
    top-level fields (None: whole documents) of what it updates or deletes."""

    inserted: list[dict[str, Any]] = field(default_factory=list)
    filter: dict[str, Any] | None = None
    fields: set[str] | None = None
    sort: Any = None
    one: bool = True
    action: str = "changed"


def write_plan(name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> WritePlan:
    if name == "insert_one":
        return WritePlan(inserted=[args[0]])
    if name == "insert_many":
        return WritePlan(inserted=list(args[0]))
    if name in {"update_one", "update_many", "replace_one", "find_one_and_update", "find_one_and_replace"}:
        update = args[1] if len(args) > 1 else kwargs.get("update", kwargs.get("replacement", {}))
        fields = None if name in {"replace_one", "find_one_and_replace"} else touched_fields(update)
        return WritePlan(filter=args[0] if args else kwargs.get("filter", {}), fields=fields,
                         sort=kwargs.get("sort"), one=name != "update_many")
    if name in {"delete_one", "delete_many", "find_one_and_delete"}:
        return WritePlan(filter=args[0] if args else kwargs.get("filter", {}), one=name != "delete_many",
                         action="deleted")
    if name == "bulk_write":
        requests = args[0] if args else kwargs.get("requests", [])
        filters = [r._filter for r in requests if isinstance(r, UpdateOne | UpdateMany)]
        fields: set[str] = set()
        for r in requests:
            if isinstance(r, UpdateOne | UpdateMany):
                fields |= touched_fields(r._doc)
        inserted = [r._doc for r in requests if isinstance(r, InsertOne)]
        if not filters:
            return WritePlan(inserted=inserted)
        return WritePlan(inserted=inserted, filter={"$or": filters}, fields=fields, one=False)
    return WritePlan()
