"""Organisation queries and the multi-document changes a mutation runs inside its transaction."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from models.core.documents import Document
from models.core.pagination import Window
from models.org.rules import EmployeeStatus, chain_of, rebuild_chains, status_entry
from store.core.pagination import Keyset, Page, keyset_page
from store.core.repository import REMOVED, Projection, TenantStore, kept_maps, usable_key

NOT_TERMINATED = {"$ne": EmployeeStatus.TERMINATED.value}
EMPLOYEES_BY_NAME = Keyset("name")  # a page of people: by name, then id; its cursors are [name, id]


@dataclass(frozen=True)
class EmployeeFilterSpec:
    department_id: str | None = None
    manager_id: str | None = None
    status: str | None = None
    search: str | None = None


def _employee_query(spec: EmployeeFilterSpec) -> dict[str, Any]:
    query: dict[str, Any] = {"status": spec.status if spec.status else NOT_TERMINATED}
    if spec.department_id:
        query["departmentId"] = spec.department_id
    if spec.manager_id:
        query["managerId"] = spec.manager_id
    if spec.search:
        query["name"] = {"$regex": re.escape(spec.search.strip()), "$options": "i"}
    return query


async def employee_page(store: TenantStore, spec: EmployeeFilterSpec, window: Window,
                        projection: Projection = None) -> Page:
    """Keyset pagination by (name, id): stable while people are added or renamed elsewhere."""
    return await keyset_page(store.employees, _employee_query(spec), EMPLOYEES_BY_NAME, window, projection)


async def subtree(store: TenantStore, root: Document, depth: int, projection: Projection = None) -> list[Document]:
    """Everyone (not terminated) below ``root`` down to ``depth`` levels, by name: one query per level, each
    the direct reports of the level above on the manager index (reading the whole of ``root``'s chain index
    and dropping what lies deeper read all 5,000 people for the top of a 5,000-person organisation)."""
    fields = {**projection, "managerId": 1, "managerChain": 1, "name": 1} if projection else None
    below: list[Document] = []
    managers = [root["_id"]]
    for _ in range(depth):
        if not managers:
            break
        reports = {"managerId": {"$in": managers}, "status": NOT_TERMINATED}
        level = await store.employees.find(reports, projection=fields)
        below.extend(level)
        managers = [doc["_id"] for doc in level]
    return sorted(below, key=lambda doc: (doc["name"], doc["_id"]))


async def manager_links(store: TenantStore) -> dict[str, str | None]:
    """id → managerId for the organisation: the truth a cycle check must walk (chains are derived)."""
    return {d["_id"]: d.get("managerId") for d in await store.employees.find(projection={"managerId": 1})}


async def department_parents(store: TenantStore) -> dict[str, str | None]:
    """id → parentId for the organisation's departments."""
    return {d["_id"]: d.get("parentId") for d in await store.departments.find(projection={"parentId": 1})}


async def repair_chains(store: TenantStore, root: Document | None) -> list[str]:
    """Re-derive ``managerChain`` below ``root`` (``None``: everyone) from ``managerId``.

    Idempotent; returns the ids of the people whose chain changed. Every descendant of ``root`` has ``root``
    in its chain (old or new) or reports to it directly, so one query finds them all.
    """
    query = {"$or": [{"managerChain": root["_id"]}, {"managerId": root["_id"]}]} if root else {}
    below = await store.employees.find(query, projection={"managerId": 1, "managerChain": 1})
    changes = rebuild_chains(root, below)
    await store.employees.update_each({id: {"managerChain": chain} for id, chain in changes.items()})
    return list(changes)


async def set_manager(store: TenantStore, employee: Document, manager: Document | None,
                      now: Any) -> tuple[Document, list[str]]:
    """Point ``employee`` at ``manager`` and re-derive the chains of everyone below; returns the person as
    changed and the ids of everyone written (the person, then those whose chain changed).

    Run inside the caller's transaction: ``managerId`` and every chain it implies are committed
    together, so no reader ever sees a chain that ``managerId`` no longer supports.
    """
    fields = {"managerId": manager["_id"] if manager else None, "managerChain": chain_of(manager), "updatedAt": now}
    await store.employees.update(employee["_id"], fields)
    updated = {**employee, **fields}
    rechained = await repair_chains(store, updated)
    return updated, [employee["_id"], *rechained]


async def terminate(store: TenantStore, employee: Document, by: str, now: Any,
                    note: str | None) -> tuple[list[str], list[str]]:
    """Terminate ``employee`` and move their reports to their manager; returns the moved ids, by name, and
    the ids of everyone written (the person, the moved, those whose chain changed).

    Run inside the caller's transaction, so all of it lands or none does:
    1. mark terminated (so nobody can be put under them any more), unless already so;
    2. move every remaining direct report who has not left to the terminated person's nearest manager
       who has not left (their manager may have been terminated before them);
    3. re-derive the chains below that manager (the whole organisation when there is none).
    Repeating it changes nothing, and it completes a state left half-done by an older, non-transactional run.
    """
    if employee["status"] != EmployeeStatus.TERMINATED.value:
        entry = status_entry(EmployeeStatus.TERMINATED, now, by, note)
        await store.employees.update(employee["_id"], {"status": EmployeeStatus.TERMINATED.value, "updatedAt": now},
                                     push={"statusHistory": entry})
    manager = await _nearest_active_manager(store, employee)
    # people who left earlier keep their managerId: it records whom they reported to
    reports = await store.employees.find({"managerId": employee["_id"], "status": NOT_TERMINATED},
                                         sort=[("name", 1), ("_id", 1)], projection={"_id": 1})
    new_manager_id = manager["_id"] if manager else None
    await store.employees.update_each({doc["_id"]: {"managerId": new_manager_id, "updatedAt": now} for doc in reports})
    rechained = await repair_chains(store, manager)
    moved = [doc["_id"] for doc in reports]
    return moved, [employee["_id"], *moved, *rechained]


async def _nearest_active_manager(store: TenantStore, employee: Document) -> Document | None:
    """The first manager above ``employee`` who has not left; ``None`` at the top."""
    seen = {employee["_id"]}
    manager_id = employee.get("managerId")
    while manager_id is not None and manager_id not in seen:
        seen.add(manager_id)
        manager = await store.employees.get(manager_id)
        if manager is None or manager.get("status") != EmployeeStatus.TERMINATED.value:
            return manager
        manager_id = manager.get("managerId")
    return None


# what rankings read of each person (partial documents, for computing, never to be shown as employees)
ROSTER_FIELDS = {"organizationId": 1, "status": 1, "positionId": 1, "departmentId": 1, "managerChain": 1,
                 "hireDate": 1, "positionHistory.until": 1}
ROSTER_LIMIT = 20_000  # people per roster document (about 300 bytes each, far below 16 MB); beyond it, none is kept
PATCH_LIMIT = 500  # people one change may patch into the roster; a larger change leaves it stale (rebuilt when read)


async def roster(store: TenantStore) -> tuple[int, list[Document]] | None:
    """The organisation's roster: the change counter it is as of (``version``) and its people (the ``people``
    map, id → :data:`ROSTER_FIELDS`); ``None`` if none is kept, or one in an older release's list format."""
    document = await store.employeeRosters.get(store.organization_id)
    maps = kept_maps(document, ("people",))
    if document is None or maps is None:
        return None
    return int(document["version"]), list(maps["people"].values())


async def save_roster(store: TenantStore, version: int, people: list[Document]) -> bool:
    """Keep ``people`` as the roster of change counter ``version``, in one conditional write that replaces only
    an older roster (a concurrent reader's roster of the same or a newer counter stays); ``False`` if it kept
    nothing (that, more than :data:`ROSTER_LIMIT` people, or an id that cannot be a field name)."""
    return await store.employeeRosters.replace_maps_if_older(
        store.organization_id, version, {"people": {person["_id"]: person for person in people}}, limit=ROSTER_LIMIT)


async def bump_version(store: TenantStore, changed: Collection[str] | None) -> int:
    """Inside an org change's transaction, after its writes: the organisation's change counter bumped (V to
    V + 1, returned) and the roster kept current with it. ``changed``: the people whose documents the change
    wrote (``None``: unknown, which leaves the roster stale). Those people are read (one call, only
    :data:`ROSTER_FIELDS`) and, if the roster is at V, set in it (those who left removed) with its version
    V + 1, in one conditional update; a roster at another version, or more than :data:`PATCH_LIMIT` people
    changed, is left as it is, stale: the next reader rebuilds it. Two changes conflict on the counter, so
    patches are made one after the other, each on the roster as the one before left it."""
    version = await store.bump_version()
    ids = list(dict.fromkeys(changed)) if changed is not None else None
    if version == 0 or ids is None or len(ids) > PATCH_LIMIT or not all(usable_key(id) for id in ids):
        return version
    found = {doc["_id"]: doc for doc in await store.employees.by_ids(ids, projection=ROSTER_FIELDS)} if ids else {}
    entries = {id: found[id] if id in found and found[id].get("status") != EmployeeStatus.TERMINATED.value
               else REMOVED for id in ids}
    await store.employeeRosters.patch_maps_at(store.organization_id, version - 1, {"people": entries},
                                              limit=ROSTER_LIMIT)
    return version

