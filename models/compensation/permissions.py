"""Who sees and changes pay (the strictest data in the product). Plain functions; no store reads.

A person sees their own pay, and their statement only once the cycle is shared. Managers see the pay,
band position and proposals of the people below them only while a merit cycle is in its proposal or
review phase, never their peers' organisations and never a proposal about themselves. Compensation
admins (a role of its own: HR admins do not hold it by default) see and manage everything.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from models.core.viewer import Viewer, same_organization

MANAGER_PHASES = frozenset({"proposals", "review"})
STATEMENT_PHASES = frozenset({"shared", "exported"})


def can_manage_compensation(viewer: Viewer) -> bool:
    """Bands, pay records, merit cycles, matrices, budgets, decisions and exports: compensation admins."""
    return viewer.is_compensation_admin


def can_see_pay(viewer: Viewer, employee: Mapping[str, Any], *, cycle_open: bool) -> bool:
    """An employee's pay and band position: the person, compensation admins, and their managers while a
    merit cycle is open for proposals or review (``cycle_open``)."""
    if not same_organization(viewer, employee):
        return False
    if viewer.is_compensation_admin or employee["_id"] == viewer.employee_id:
        return True
    return cycle_open and viewer.employee_id in employee.get("managerChain", [])


def can_see_participant(viewer: Viewer, cycle: Mapping[str, Any], participant: Mapping[str, Any]) -> bool:
    """A person's place in a merit cycle (pay snapshot, matrix cell, proposal, trail): compensation admins;
    the managers above them at launch during proposals and review; never the person themselves (their
    statement is the one view they get, once shared)."""
    if not (same_organization(viewer, cycle) and same_organization(viewer, participant)):
        return False
    if viewer.is_compensation_admin:
        return True
    if participant["employeeId"] == viewer.employee_id:
        return False
    return cycle.get("phase") in MANAGER_PHASES and viewer.employee_id in participant.get("managerChain", [])


def can_propose(viewer: Viewer, cycle: Mapping[str, Any], participant: Mapping[str, Any]) -> bool:
    """A proposal for a person: a manager above them (at launch), never about themselves."""
    return (same_organization(viewer, participant) and participant["employeeId"] != viewer.employee_id
            and viewer.employee_id in participant.get("managerChain", []))


def can_decide(viewer: Viewer, participant: Mapping[str, Any]) -> bool:
    """A decision on a submitted proposal: the manager it is pending with, or a compensation admin; never about
    themselves (a compensation admin's own increase is decided by another one)."""
    if not same_organization(viewer, participant) or participant["employeeId"] == viewer.employee_id:
        return False
    return viewer.is_compensation_admin or (participant.get("proposal") or {}).get("pendingWith") == viewer.employee_id


def can_see_budget(viewer: Viewer, cycle: Mapping[str, Any], manager_chain: list[str], manager_id: str) -> bool:
    """A manager's budget: that manager and the managers above them during proposals and review;
    compensation admins always."""
    if not same_organization(viewer, cycle):
        return False
    if viewer.is_compensation_admin:
        return True
    return cycle.get("phase") in MANAGER_PHASES and (viewer.employee_id == manager_id
                                                      or viewer.employee_id in manager_chain)


def can_see_statement(viewer: Viewer, cycle: Mapping[str, Any], participant: Mapping[str, Any]) -> bool:
    """A pay statement: the person, once the cycle is shared."""
    return (same_organization(viewer, participant) and participant["employeeId"] == viewer.employee_id
            and cycle.get("phase") in STATEMENT_PHASES)
