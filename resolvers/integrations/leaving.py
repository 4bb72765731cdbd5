"""The leaving process as integrations start it (SCIM ``active: false`` and ``DELETE``).

Leaving is the org domain's termination with re-parenting (one transaction, with the integration's own write
``within`` it). Org runs its departure steps (``resolvers/org/departures.py``) inside that transaction, so the
upper domains react without integrations knowing them: exits opens the leaver's exit record with its checklist
(``resolvers/exits/records.py``), growth pushes ``successionChanged`` to the plans naming them
(``resolvers/growth/departures.py``). Proved by ``tests/integrations/test_leaving_exits.py``.
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
