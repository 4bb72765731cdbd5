"""Writing a demo organisation into the store (``make serve`` and the tests use it)."""

from __future__ import annotations

from models.demo import DemoOrganization
from store.database import Database


async def seed(database: Database, demo: DemoOrganization) -> None:
    """Replace the organisation's documents with ``demo``'s: running it twice gives the same state."""
    org_id = demo.organization["_id"]
    for collection in (database.employees, database.departments, database.positions):
        await collection.delete_many({"organizationId": org_id})
    await database.organizations.delete_many({"_id": org_id})
    await database.organizations.insert_one(dict(demo.organization))
    for collection, documents in ((database.departments, demo.departments), (database.positions, demo.positions),
                                  (database.employees, demo.employees)):
        if documents:
            await collection.insert_many([dict(d) for d in documents])
