"""Goal mutations: create, update, set the status, archive and align goals.

Each validates everything, writes nothing on a refusal and publishes after each committed change;
the shared steps (may the viewer edit it, conditional writes, publishing) are in ``editing.py``,
the key results' mutations in ``key_results.py``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from models.core import clock
from models.core.documents import Document, new_id
from models.core.errors import ErrorCode, FieldError
from models.goals.permissions import may_own_goal, may_set_private
from models.goals.rules import (
    GoalChange,
    GoalLevel,
    GoalStatus,
    GoalVisibility,
    check_dates,
    check_goal_texts,
    check_key_result,
    check_key_result_count,
    check_owner_shape,
)
from models.org.rules import EmployeeStatus, would_cycle_in
from resolvers.core.context import Context, SignedIn, require
from resolvers.core.errors import Forbidden
from resolvers.core.outcome import Outcome
from resolvers.goals import queries
from resolvers.goals.editing import (
    alignable_parent,
    committed,
    edit,
    key_result_doc,
    load_editable,
    plain,
    unknown,
)
from store.goals import repository as goal_store

GOAL_FIELDS = (("title", "title"), ("description", "description"), ("visibility", "visibility"),
               ("roll_up_children", "rollUpChildren"))
PRIVATE_REFUSAL = "only the owner or HR admins make a goal private"


async def _owner_for_create(signed_in: SignedIn, data: dict[str, Any],
                            errors: list[FieldError]) -> tuple[Document | None, bool]:
    """(the person who owns the new goal, whether its owner reference resolved)."""
    loaders = signed_in.loaders
    if department_id := data.get("owner_department_id"):
        department = await loaders.department_by_id.load(department_id)
        if department is None:
            errors.append(unknown("ownerDepartmentId", "department", department_id))
            return None, False
        head = await loaders.employee_by_id.load(department["headId"]) if department.get("headId") else None
        return head, True
    if employee_id := data.get("owner_employee_id"):
        person = await loaders.employee_by_id.load(employee_id)
        if person is None:
            errors.append(unknown("ownerEmployeeId", "employee", employee_id))
            return None, False
        if person.get("status") == EmployeeStatus.TERMINATED.value:
            errors.append(FieldError("ownerEmployeeId", ErrorCode.INACTIVE, f"{person['name']} has left"))
            return None, False
        return person, True
    return None, True


async def create_goal(context: Context, data: dict[str, Any]) -> Outcome:
    """Create a goal (with its key results) for the viewer, a report, a department or (HR admins) the company."""
    signed_in = await require(context)
    viewer = signed_in.viewer
    level = GoalLevel(plain(data["level"]))
    if level is GoalLevel.INDIVIDUAL and not data.get("owner_employee_id") and not data.get("owner_department_id"):
        data = {**data, "owner_employee_id": viewer.employee_id}  # your own goal unless you say whose
    errors = check_owner_shape(level, data.get("owner_employee_id"), data.get("owner_department_id"))
    person, resolved = (None, False) if errors else await _owner_for_create(signed_in, data, errors)
    if resolved and not may_own_goal(viewer, level.value, person):
        raise Forbidden("you may create goals only for yourself and your reports; company goals: HR admins")
    visibility = GoalVisibility(plain(data.get("visibility") or GoalVisibility.EVERYONE))
    if resolved and visibility is GoalVisibility.PRIVATE and not may_set_private(viewer, person):
        errors.append(FieldError("visibility", ErrorCode.FORBIDDEN, PRIVATE_REFUSAL))
    errors += check_goal_texts({"description": data.get("description", ""), **data}, creating=True)
    errors += check_dates(data.get("start_date"), data.get("due_date"))
    key_results = [key_result_doc(kr, new_id()) for kr in data.get("key_results") or []]
    later = check_key_result_count(len(key_results))
    for i, kr in enumerate(key_results):
        later += check_key_result(kr, f"keyResults.{i}.")
    goal_id, now = new_id(), clock.now()  # the same on every run of the step
    store = signed_in.store

    async def step() -> Outcome | None:
        """The parent is read and touched in the transaction that inserts: one archived (or hidden)
        meanwhile makes this run again and refuse."""
        parent_errors: list[FieldError] = []
        parent = await alignable_parent(signed_in, data.get("parent_id"), parent_errors)
        if errors or parent_errors or later:
            return Outcome(errors=[*errors, *parent_errors, *later])
        await store.goals.insert({
            "_id": goal_id, "title": data["title"].strip(), "description": data.get("description") or "",
            "level": level.value, "ownerEmployeeId": data.get("owner_employee_id"),
            "ownerDepartmentId": data.get("owner_department_id"), "parentId": parent["_id"] if parent else None,
            "startDate": data["start_date"].isoformat(), "dueDate": data["due_date"].isoformat(),
            "status": GoalStatus(plain(data.get("status") or GoalStatus.ON_TRACK)).value,
            "visibility": visibility.value, "rollUpChildren": bool(data.get("roll_up_children")), "archived": False,
            "keyResults": key_results, "progressHistory": [], "createdAt": now, "updatedAt": now,
        })
        await goal_store.touch(store, [parent["_id"]] if parent else [])
        return None

    refusal = await store.transaction(step)
    return refusal if refusal is not None else await committed(signed_in, GoalChange.CREATED, goal_id)


def _update_errors(data: dict[str, Any]) -> list[FieldError]:
    """What is wrong with an update's texts and fields that must not be null, before any read."""
    errors = check_goal_texts(data, creating=False)
    for key, doc_key in (("visibility", "visibility"), ("roll_up_children", "rollUpChildren")):
        if key in data and data[key] is None:
            errors.append(FieldError(doc_key, ErrorCode.REQUIRED, f"{doc_key} must not be null"))
    return errors


async def update_goal(context: Context, id: str, data: dict[str, Any]) -> Outcome:
    """Change the fields sent; level and owner are fixed once created."""
    signed_in = await require(context)

    async def change(goal: Document) -> Outcome | None:
        errors = _update_errors(data)
        if plain(data.get("visibility")) == GoalVisibility.PRIVATE.value and goal["visibility"] != "private" \
                and not may_set_private(signed_in.viewer, await queries.owner(context, goal)):
            errors.append(FieldError("visibility", ErrorCode.FORBIDDEN, PRIVATE_REFUSAL))
        start = data["start_date"] if "start_date" in data else date.fromisoformat(goal["startDate"])
        due = data["due_date"] if "due_date" in data else date.fromisoformat(goal["dueDate"])
        if "start_date" in data or "due_date" in data:
            errors += check_dates(start, due)
        if errors:
            return Outcome(errors=errors)
        changes: dict[str, Any] = {doc_key: plain(data[key]) for key, doc_key in GOAL_FIELDS if key in data}
        if "title" in changes:
            changes["title"] = changes["title"].strip()
        if "start_date" in data or "due_date" in data:
            changes.update(startDate=start.isoformat(), dueDate=due.isoformat())
        where = {"startDate": goal["startDate"], "dueDate": goal["dueDate"], **goal_store.unchanged(goal)}
        if not await signed_in.store.goals.update(id, {**changes, "updatedAt": clock.now()}, where=where):
            return None
        return await committed(signed_in, GoalChange.UPDATED, id)

    return await edit(signed_in, "id", id, change)


async def set_goal_status(context: Context, id: str, status: GoalStatus) -> Outcome:
    """Set a goal's status (not of an archived goal)."""
    signed_in = await require(context)

    async def change(goal: Document) -> Outcome | None:
        if not await signed_in.store.goals.update(id, {"status": GoalStatus(plain(status)).value,
                                                       "updatedAt": clock.now()}, where=goal_store.unchanged(goal)):
            return None
        return await committed(signed_in, GoalChange.STATUS_CHANGED, id)

    return await edit(signed_in, "goalId", id, change)


async def archive_goal(context: Context, id: str) -> Outcome:
    """Archive a goal and move its children up to its parent, in one transaction (so no goal is created
    or aligned below it meanwhile). Idempotent: archiving an archived goal moves any children left."""
    signed_in = await require(context)
    store = signed_in.store

    async def step() -> Outcome | None:
        goal, refusal = await load_editable(signed_in, "goalId", id, archived_ok=True)
        if refusal is not None or goal is None:
            return refusal or Outcome()
        await goal_store.archive(store, goal, clock.now())
        return None

    refusal = await store.transaction(step)
    return refusal if refusal is not None else await committed(signed_in, GoalChange.ARCHIVED, id)


def _cycle() -> Outcome:
    return Outcome.refused("parentGoalId", ErrorCode.CYCLE, "a goal cannot be aligned below itself")


async def align_goal(context: Context, id: str, parent_id: str | None) -> Outcome:
    """Align a goal to a parent goal (None: unalign); cycles are refused, also concurrent ones.

    One transaction reads the goal, the parent and the parent links, writes the goal and touches every
    goal of the new parent's chain: an archive of the parent, or an alignment that would close a loop
    through that chain, committed meanwhile makes it run again and refuse.
    """
    signed_in = await require(context)
    store = signed_in.store

    async def step() -> tuple[Outcome | None, list[Document]]:
        goal, refusal = await load_editable(signed_in, "goalId", id)
        if refusal is not None or goal is None:
            return refusal, []
        errors: list[FieldError] = []
        parent = await alignable_parent(signed_in, parent_id, errors, "parentGoalId")
        if errors:
            return Outcome(errors=errors), []
        links = await goal_store.parent_links(store)
        if parent is not None and would_cycle_in(id, parent, links):
            return _cycle(), []
        old_above = await goal_store.goals_in_order(store, goal_store.chain(links, goal.get("parentId")))
        await goal_store.realign(store, id, links, parent["_id"] if parent else None, clock.now())
        return None, old_above

    refusal, old_above = await store.transaction(step)
    return refusal if refusal is not None else await committed(signed_in, GoalChange.ALIGNED, id, also=old_above)
