"""Static query cost: how many objects a document may ask for, known before anything runs.

Every field returning a list of objects has a bound: a connection's ``first`` (its literal, its
variable, or its default), or, for a plain list, the maximum its field declares with
:func:`listed`. Nested lists multiply.
"""

from __future__ import annotations

from typing import Any

MAX_ITEMS = "perfgraph.max_items"


def listed(max_items: int) -> dict[str, Any]:
    """Field metadata declaring the most items a plain list field returns, for the cost analysis:
    ``strawberry.field(description=..., metadata=listed(50))``."""
    if max_items < 1:
        raise ValueError("a list field returns at least one item at most")
    return {MAX_ITEMS: max_items}
