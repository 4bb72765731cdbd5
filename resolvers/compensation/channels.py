"""The compensation domain's bus channels. Events carry ids only, never an amount: subscribers re-read
what they may see after each event."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def budget_channel(organization_id: str, cycle_id: str) -> str:
    """Budgets of one merit cycle changed (a proposal, a submission, a decision, a new allocation)."""
    return f"compensation-budget:{organization_id}:{cycle_id}"


def matrix_channel(organization_id: str, cycle_id: str) -> str:
    """One merit cycle's matrix changed (HR's what-if edits)."""
    return f"merit-matrix:{organization_id}:{cycle_id}"


def budget_event(organization_id: str, cycle_id: str, manager_ids: Iterable[str]) -> tuple[str, dict[str, Any]]:
    """The channel and message telling the managers whose budget moved (every manager above a person)."""
    return budget_channel(organization_id, cycle_id), {"kind": "budget", "cycleId": cycle_id,
                                                       "managerIds": sorted(set(manager_ids))}
