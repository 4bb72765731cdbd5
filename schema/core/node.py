"""Global object identification (Relay's ``Node``): every object type with an id implements it.

Ids are the store's random 24-hex ids (or, for an object kept inside another document, the parent's
id, a colon and its key), so an id names one object of one type in the whole API: a normalised
cache may key objects on it, and ``node(id:)`` finds the type of any id again (see schema/nodes.py).
"""

from __future__ import annotations

import strawberry


@strawberry.interface(description="An object with an id unique across every type of the API; `node(id:)` and "
                                  "`nodes(ids:)` fetch it again by that id alone.")
class Node:
    id: strawberry.ID = strawberry.field(description="Unique across every type of the API: the key for a "
                                                     "normalised cache and for `node(id:)`.")
