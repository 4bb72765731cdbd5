"""Sign-in with an identity provider's token: the one read that crosses organisations.

A provider's token names a person by email (or by our employee id); which organisation they belong to is
what the read finds out. Every other read goes through a tenant's collections (store/core/repository.py).
"""

from __future__ import annotations

from typing import Any

from store.core.database import Database

FIELDS = {"email": "email", "sub": "_id"}


async def employee_signing_in(database: Database, claim: str, value: str) -> dict[str, Any] | None:
    """The one employee whose ``claim`` (``email`` or ``sub``: the id) is ``value``; None when there is no
    such employee, or more than one (the same email in two organisations cannot say which is meant)."""
    found = await database.employees.find({FIELDS[claim]: value}, {"_id": 1, "organizationId": 1, "roles": 1}) \
        .limit(2).to_list(2)
    return found[0] if len(found) == 1 else None
