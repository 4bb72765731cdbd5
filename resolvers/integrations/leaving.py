"""The leaving process as integrations start it (SCIM ``active: false`` and ``DELETE``).

The named extension point for the exits domain: today leaving is the org domain's termination with
re-parenting (one transaction, with the integration's own write ``within`` it). When the exits domain
lands, :func:`start_leaving` is where its exit record is opened — through ``resolvers.exits.access`` (or a
termination hook exits registers in org), in the same transaction — and nothing else here changes.
"""

from __future__ import annotations

from models.core.documents import Document
from resolvers.core.context import Context
from resolvers.core.outcome import Outcome
from resolvers.org import access as org_access
from resolvers.org.access import Within


async def start_leaving(context: Context, person: Document, *, within: Within | None = None) -> Outcome:
    """Terminate ``person`` (their reports move to their nearest manager still employed) and run
    ``within`` in the same transaction; repeating it changes nothing in the org chart."""
    return await org_access.sync_person(context, person["_id"], {}, leave=True, within=within)
