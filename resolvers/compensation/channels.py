"""The compensation domain's bus channels. Events carry ids and the moment of the commit, never an amount:
subscribers read what they may see after each event (one read per event for every subscriber of a process:
``resolvers/compensation/subscriptions.py``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from models.core import clock
from models.core.documents import new_id


def budget_channel(organization_id: str, cycle_id: str) -> str:
    """Budgets of one merit cycle changed (a proposal, a submission, a decision, a new allocation)."""
    return f"compensation-budget:{organization_id}:{cycle_id}"


def matrix_channel(organization_id: str, cycle_id: str) -> str:
    """One merit cycle's matrix changed (HR's what-if edits)."""
    return f"merit-matrix:{organization_id}:{cycle_id}"


def budget_event(organization_id: str, cycle_id: str, manager_ids: Iterable[str]) -> tuple[str, dict[str, Any]]:
    """The channel and message telling the managers whose budget moved (every manager above a person). Built
    once the change has committed: ``asOf`` is that moment (what subscribers read after the event counts every
    change committed by then), ``eventId`` names the event for the read its subscribers share."""
    return budget_channel(organization_id, cycle_id), {"kind": "budget", "cycleId": cycle_id,
                                                       "managerIds": sorted(set(manager_ids)),
                                                       "asOf": clock.now().isoformat(), "eventId": new_id()}
