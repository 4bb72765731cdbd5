"""One-time sign-in codes in the store (collection ``signInCodes``), and the reads the development sign-in
makes: the person a code signs in, and the cards of the persona picker.

A code is kept as its hash (models/core/signin.py) with whom it signs in and when it expires; several server
processes share the collection, and its TTL index removes what expired. Redeeming is one conditional write
(``find_one_and_delete`` with the expiry in its filter): of two concurrent redemptions of one code exactly
one finds the document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from models.core.documents import Document
from models.core.signin import CODE_SECONDS, code_hash, new_code
from models.org.rules import EmployeeStatus
from store.core.database import Database
from store.core.repository import TenantStore

NOT_TERMINATED = {"$ne": EmployeeStatus.TERMINATED.value}
CARD_FIELDS = {"_id": 1, "name": 1, "positionId": 1, "departmentId": 1, "roles": 1}


@dataclass(frozen=True)
class Redeemed:
    employee_id: str
    organization_id: str


class Expired:
    """The code exists but its ten minutes are over."""


EXPIRED = Expired()


async def mint_code(database: Database, organization_id: str, employee_id: str, now: datetime) -> str:
    """A new code signing in ``employee_id``, valid :data:`CODE_SECONDS` from ``now``; only its hash is kept."""
    code = new_code()
    await database.signInCodes.insert_one({
        "_id": code_hash(code), "organizationId": organization_id, "employeeId": employee_id,
        "createdAt": now, "expiresAt": now + timedelta(seconds=CODE_SECONDS)})
    return code


async def redeem_code(database: Database, code: str, now: datetime) -> Redeemed | Expired | None:
    """The code used up: whom it signs in; :data:`EXPIRED` for a code past its time; None for one unknown
    or already used. One conditional write takes it; only when it found nothing does a read tell an
    expired code (left to the TTL index) from one that never was."""
    key = code_hash(code)
    taken = await database.signInCodes.find_one_and_delete({"_id": key, "expiresAt": {"$gt": now}})
    if taken is not None:
        return Redeemed(taken["employeeId"], taken["organizationId"])
    if await database.signInCodes.find_one({"_id": key}, {"_id": 1}) is not None:
        return EXPIRED
    return None


async def signing_in(database: Database, organization_id: str, employee_id: str) -> Document | None:
    """The employee a code signs in (name and roles as stored now), unless they have left."""
    found = await TenantStore(database, organization_id).employees.find(
        {"_id": employee_id, "status": NOT_TERMINATED}, projection={"_id": 1, "name": 1, "roles": 1})
    return found[0] if found else None


async def cards(database: Database, organization_id: str, *, ids: list[str] | None = None,
                search: str | None = None, limit: int = 20) -> list[dict[str, Any]]:
    """People of the organisation (not terminated) as the persona picker shows them: id, name, title,
    department and roles; those of ``ids`` (in that order), or up to ``limit`` whose name contains
    ``search`` (case-insensitive), by name. Three round trips: the people, their positions, departments."""
    store = TenantStore(database, organization_id)
    query: dict[str, Any] = {"status": NOT_TERMINATED}
    if ids is not None:
        query["_id"] = {"$in": ids}
    if search is not None:
        query["name"] = {"$regex": re.escape(search), "$options": "i"}
    people = await store.employees.find(query, sort=[("name", 1), ("_id", 1)], projection=CARD_FIELDS,
                                        limit=0 if ids is not None else limit)
    if ids is not None:
        order = {id: i for i, id in enumerate(ids)}
        people.sort(key=lambda p: order[p["_id"]])
    if not people:
        return []
    positions = {p["_id"]: p.get("title") for p in await store.positions.by_ids(
        sorted({p["positionId"] for p in people if p.get("positionId")}), {"title": 1})}
    departments = {d["_id"]: d.get("name") for d in await store.departments.by_ids(
        sorted({p["departmentId"] for p in people if p.get("departmentId")}), {"name": 1})}
    return [{"employeeId": p["_id"], "name": p.get("name"), "title": positions.get(p.get("positionId")),
             "department": departments.get(p.get("departmentId")), "roles": list(p.get("roles", []))}
            for p in people]
