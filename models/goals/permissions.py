"""Who may see and edit goals (plain functions; nothing here reads the store)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from models.core.viewer import Viewer, same_organization
from models.org.permissions import manages

# Goals. ``owner`` below is the person behind a goal: its owning employee, or for a department
# goal the department's head (None when there is none: then only HR admins reach what is not shared
# with everyone). Visibility: ``everyone`` the organisation; ``management_chain`` the owner, the owner's
# managers (direct and indirect) and HR admins; ``private`` the owner and HR admins. Editing needs
# seeing, and then: the owner and their managers; HR admins all goals; company goals HR admins only.

def _owner_or_above(viewer: Viewer, owner: Mapping[str, Any] | None) -> bool:
    return owner is not None and same_organization(viewer, owner) and (
        owner["_id"] == viewer.employee_id or manages(viewer, owner))


def can_see_goal(viewer: Viewer, goal: Mapping[str, Any], owner: Mapping[str, Any] | None) -> bool:
    if not same_organization(viewer, goal):
        return False
    if viewer.is_hr_admin or goal.get("visibility") == "everyone":
        return True
    if owner is None or not same_organization(viewer, owner):
        return False
    if owner["_id"] == viewer.employee_id:
        return True
    return goal.get("visibility") == "management_chain" and manages(viewer, owner)


def may_own_goal(viewer: Viewer, level: str | None, owner: Mapping[str, Any] | None) -> bool:
    """Creating (and editing) a goal of ``level`` owned by ``owner``."""
    if viewer.is_hr_admin:
        return True
    return level != "company" and _owner_or_above(viewer, owner)


def can_edit_goal(viewer: Viewer, goal: Mapping[str, Any], owner: Mapping[str, Any] | None) -> bool:
    """A manager does not edit a report's private goal: they cannot see it."""
    return can_see_goal(viewer, goal, owner) and may_own_goal(viewer, goal.get("level"), owner)


def may_set_private(viewer: Viewer, owner: Mapping[str, Any] | None) -> bool:
    """Only the owner and HR admins make a goal private (nobody hides a goal from themselves)."""
    return viewer.is_hr_admin or (owner is not None and same_organization(viewer, owner)
                                  and owner["_id"] == viewer.employee_id)


def visible_goals_query(viewer: Viewer, managed_ids: Iterable[str],
                        departments: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """:func:`can_see_goal` as a filter on the ``goals`` collection, for lists (counts and cursors).

    ``managed_ids``: everyone below the viewer (direct and indirect, leavers included);
    ``departments``: the organisation's departments with their ``headId``. Empty for HR admins.
    """
    if viewer.is_hr_admin:
        return {}
    managed = sorted(set(managed_ids))
    departments = list(departments)
    headed = sorted(d["_id"] for d in departments if d.get("headId") == viewer.employee_id)
    below = sorted(d["_id"] for d in departments if d.get("headId") in set(managed))
    clauses: list[dict[str, Any]] = [{"visibility": "everyone"}, {"ownerEmployeeId": viewer.employee_id}]
    if managed:
        clauses.append({"visibility": "management_chain", "ownerEmployeeId": {"$in": managed}})
    if headed:
        clauses.append({"ownerEmployeeId": None, "ownerDepartmentId": {"$in": headed}})
    if below:
        clauses.append({"visibility": "management_chain", "ownerEmployeeId": None,
                        "ownerDepartmentId": {"$in": below}})
    return {"$or": clauses}




def seen_alike(goal: Mapping[str, Any], rolled_up: Iterable[Mapping[str, Any]]) -> bool:
    """Whether everyone in the goal's organisation sees ``goal`` and its progress alike: the goal is visible to
    everyone, and so is every goal its progress rolls up (``rolled_up``: the children it reads, to any depth),
    so no viewer's progress counts a goal another viewer's leaves out."""
    return goal.get("visibility") == "everyone" and all(g.get("visibility") == "everyone" for g in rolled_up)


# Readers of a goal who see it alike, for sharing one execution of ``goalProgressChanged`` (resolvers/goals/
# sharing.py): every HR admin sees every goal; the owner sees what the owner sees; a manager above the owner
# who sees the goal by being above them sees, below the goal, what every manager above the owner sees, as long as
# no goal it rolls up is seen by some of them and not by others (:func:`seen_alike_by_chain`).
HR_CLASS, OWNER_CLASS, CHAIN_CLASS = "hr", "owner", "chain"


def reader_class(viewer: Viewer, goal: Mapping[str, Any], owner: Mapping[str, Any] | None) -> str | None:
    """How ``viewer`` stands to ``goal``: :data:`HR_CLASS`, :data:`OWNER_CLASS`, :data:`CHAIN_CLASS` (above its
    owner in the management chain), or ``None`` (does not see it, or only because everyone does)."""
    if not can_see_goal(viewer, goal, owner):
        return None
    if viewer.is_hr_admin:
        return HR_CLASS
    if owner is not None and owner["_id"] == viewer.employee_id:
        return OWNER_CLASS
    if owner is not None and manages(viewer, owner):
        return CHAIN_CLASS
    return None


def _alike_for(chain: set[str], goal: Mapping[str, Any], owner: Mapping[str, Any] | None) -> bool:
    """Whether every viewer of ``chain`` (employee ids of people who are not HR admins) sees ``goal`` alike:
    all of them, or none."""
    if goal.get("visibility") == "everyone":
        return True
    if owner is None:
        return True  # only HR admins see it
    seeing = {owner["_id"]}
    if goal.get("visibility") == "management_chain":
        seeing |= set(owner.get("managerChain", []))
    return chain <= seeing or not chain & seeing


def seen_alike_by_chain(owner: Mapping[str, Any] | None,
                        rolled_up: Iterable[tuple[Mapping[str, Any], Mapping[str, Any] | None]]) -> bool:
    """Whether everyone above ``owner`` (the owner of a goal they see by being above them) sees the progress of
    that goal alike: each goal it rolls up (``rolled_up``: each with the person behind it) is seen by all of them
    or by none, so no one's progress counts a goal another one's leaves out."""
    chain = set(owner.get("managerChain", [])) if owner is not None else set()
    return bool(chain) and all(_alike_for(chain, goal, person) for goal, person in rolled_up)
