"""Writing a demo organisation into the store (``make serve`` and the tests use it)."""

from __future__ import annotations

from collections.abc import Callable

from models.core.documents import Document
from models.demo.checkins import demo_check_ins
from models.demo.compensation import demo_compensation
from models.demo.exits import demo_exit_documents
from models.demo.feedback import demo_feedback
from models.demo.goals import demo_goal_documents
from models.demo.growth import demo_growth
from models.demo.org import DemoOrganization
from models.demo.pilots import demo_pilots
from models.demo.reviews import demo_review_documents
from store.core.database import INDEXES, Database

# Each domain's demo data: a pure function of the organisation → collection name → documents.
DomainSeed = Callable[[DemoOrganization], dict[str, list[Document]]]
DOMAIN_SEEDS: list[DomainSeed] = [demo_goal_documents, demo_review_documents, demo_check_ins, demo_feedback]
# Seeded for `make serve` / `make reset` / `make seed` only, never in the tests' organisations: exits adds
# terminated people of its own, which other domains' tests (counting people) must not see.
DEMO_ONLY_SEEDS: list[DomainSeed] = [demo_exit_documents]
DOMAIN_SEEDS += [demo_compensation]
DOMAIN_SEEDS += [demo_growth]
# The demo's pilot (Customer Success) for `make serve` only: the tests' organisations start their own pilots.
DEMO_ONLY_SEEDS += [demo_pilots]


def demo_documents(demo: DemoOrganization, *, demo_only: bool = False) -> dict[str, list[Document]]:
    documents: dict[str, list[Document]] = {
        "departments": demo.departments, "positions": demo.positions, "employees": demo.employees,
    }
    for domain_seed in DOMAIN_SEEDS + (DEMO_ONLY_SEEDS if demo_only else []):
        for collection, docs in domain_seed(demo).items():
            # a document with the _id of an earlier one (e.g. a department with a domain setting) replaces it
            replacing = {d["_id"]: d for d in docs}
            earlier = documents.get(collection, [])
            known = {d["_id"] for d in earlier}
            documents[collection] = [replacing.get(d["_id"], d) for d in earlier] + [
                d for d in docs if d["_id"] not in known]
    return documents


async def seed(database: Database, demo: DemoOrganization, *, demo_only: bool = False) -> None:
    """Replace the organisation's documents with ``demo``'s: running it twice gives the same state.
    ``demo_only``: with the data seeded for the demo alone (``DEMO_ONLY_SEEDS``)."""
    org_id = demo.organization["_id"]
    for name in INDEXES:
        if name != "organizations":
            await getattr(database, name).delete_many({"organizationId": org_id})
    await database.organizations.delete_many({"_id": org_id})
    await database.organizations.insert_one(dict(demo.organization))
    for name, docs in demo_documents(demo, demo_only=demo_only).items():
        if docs:
            await getattr(database, name).insert_many([dict(d) for d in docs])
