"""The compensation domain's bus channels. Events carry ids and the moment of the commit, never an amount in
clear: a participant's change, which budget pushes count without reading the store
(``resolvers/compensation/ledger.py``), travels sealed (``realtime/sealing.py``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from models.compensation.ledger import Change
from models.core import clock
from models.core.documents import new_id
from realtime import Bus


def budget_channel(organization_id: str, cycle_id: str) -> str:
    """Budgets of one merit cycle changed (a proposal, a submission, a decision, a new allocation)."""
    return f"compensation-budget:{organization_id}:{cycle_id}"


def matrix_channel(organization_id: str, cycle_id: str) -> str:
    """One merit cycle's matrix changed (HR's what-if edits)."""
    return f"merit-matrix:{organization_id}:{cycle_id}"


def budget_event(organization_id: str, cycle_id: str, manager_ids: Iterable[str], *,
                 sealed: str | None = None, everyone: bool = False) -> tuple[str, dict[str, Any]]:
    """The channel and message telling the managers whose budget moved (every manager above a person; with
    ``everyone``, every subscriber of the cycle: its phase changed). Built once the change has committed:
    ``asOf`` is that moment, ``eventId`` names the event. ``sealed``: the participants as the change left them
    (:func:`sealed_changes`); an event without it makes every process read the budgets again."""
    message = {"kind": "budget", "cycleId": cycle_id, "managerIds": sorted(set(manager_ids)),
               "asOf": clock.now().isoformat(), "eventId": new_id()}
    if everyone:
        message["everyone"] = True
    if sealed is not None:
        message["sealed"] = sealed
    return budget_channel(organization_id, cycle_id), message


def sealed_changes(bus: Bus, organization_id: str, cycle_id: str, participants: Iterable[Mapping[str, Any]]) -> str:
    """Participants of one cycle as their writes left them (each with the version the write set), sealed for the
    bus with the cycle they belong to (a sealed part replayed on another cycle's channel is not counted there)."""
    return bus.sealer.seal({"cycle": [organization_id, cycle_id],
                            "changes": [Change.of(p).encode() for p in participants]})


def participants_event(bus: Bus, organization_id: str, cycle_id: str,
                       participants: Iterable[Mapping[str, Any]]) -> tuple[str, dict[str, Any]]:
    """The budget event of participants' changes (as their writes left them): every manager above them named,
    the changes sealed (:func:`sealed_changes`)."""
    participants = list(participants)
    managers = {m for p in participants for m in p.get("managerChain") or ()}
    return budget_event(organization_id, cycle_id, managers,
                        sealed=sealed_changes(bus, organization_id, cycle_id, participants))
