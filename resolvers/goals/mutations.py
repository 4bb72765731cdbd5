"""Goal mutations: validate everything, write nothing on a refusal, publish after each committed change.

Who may edit is decided by ``models.permissions.can_edit_goal``; a goal the viewer may not see
behaves like an unknown id. Writes that depend on what was read are conditional (compare-and-set):
if another request changed the goal in between, the mutation reads it again and re-validates, so a
concurrent edit is never silently overwritten and a history entry never names a wrong old value.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, date, datetime
from typing import Any

from models.core.documents import Document, new_id
from models.core.errors import ErrorCode, FieldError
from models.core.validation import check_text
from models.core.viewer import Viewer
from models.goals.permissions import can_edit_goal, can_see_goal, may_own_goal, may_set_private
from models.goals.rules import (
    GoalChange,
    GoalLevel,
    GoalStatus,
    GoalVisibility,
    MetricKind,
    check_dates,
    check_goal_texts,
    check_key_result,
    check_key_result_count,
    check_owner_shape,
    check_value,
    with_current,
)
from models.org.rules import EmployeeStatus, would_cycle_in
from resolvers.core.context import Context
from resolvers.core.errors import Forbidden
from resolvers.goals import queries
from resolvers.org.mutations import Outcome
from store.core.repository import TenantStore
from store.goals import repository as goal_store
from store.loaders import Loaders

log = logging.getLogger("perfgraph.goals")
WRITE_ATTEMPTS = 5
KEY_RESULT_FIELDS = (("title", "title"), ("metric_kind", "metricKind"), ("start_value", "startValue"),
                     ("target_value", "targetValue"), ("unit", "unit"), ("weight", "weight"))
GOAL_FIELDS = (("title", "title"), ("description", "description"), ("visibility", "visibility"),
               ("roll_up_children", "rollUpChildren"))

Step = Callable[[], Awaitable[Outcome | None]]


def goal_progress_channel(organization_id: str) -> str:
    return f"goal-progress:{organization_id}"


def _now() -> datetime:
    return datetime.now(UTC)


def _value(item: Any) -> Any:
    return getattr(item, "value", item)


def _not_found(field: str, what: str, id: str) -> Outcome:
    return Outcome(errors=[FieldError(field, ErrorCode.NOT_FOUND, f"no {what} {id!r} in your organisation")])


async def _start(context: Context) -> tuple[Viewer, TenantStore]:
    viewer = await context.authenticate()
    assert context.store is not None
    return viewer, context.store


async def _retrying(step: Step) -> Outcome:
    """Run ``step`` until its conditional write lands (it returns None when it lost a race)."""
    for _ in range(WRITE_ATTEMPTS):
        outcome = await step()
        if outcome is not None:
            return outcome
    return Outcome(errors=[FieldError(None, ErrorCode.CONFLICT, "the goal kept changing while saving; try again")])


async def _editable(context: Context, viewer: Viewer, goal: Document | None, field: str, id: str,
                    *, archived_ok: bool = False) -> Outcome | None:
    """None when the viewer may edit ``goal``; else the refusal (or :class:`Forbidden`).

    A goal the viewer may not see is refused exactly like an unknown id.
    """
    what = "key result" if field == "keyResultId" else "goal"
    person = await queries.owner(context, goal) if goal is not None else None
    if goal is None or not can_see_goal(viewer, goal, person):
        return _not_found(field, what, id)
    if not can_edit_goal(viewer, goal, person):
        raise Forbidden("you may edit only your own goals, your reports' goals, and (HR admins) all goals")
    if goal.get("archived") and not archived_ok:
        return Outcome(errors=[FieldError(field, ErrorCode.READ_ONLY, f"goal {goal['_id']!r} is archived")])
    return None


async def _load_editable(context: Context, viewer: Viewer, store: TenantStore, field: str, id: str,
                         *, archived_ok: bool = False) -> tuple[Document | None, Outcome | None]:
    """The goal named by ``id`` (a key result's goal when ``field`` is keyResultId) and, when the
    viewer may not edit it, the refusal from :func:`_editable`."""
    if field == "keyResultId":
        goal = await goal_store.goal_by_key_result(store, id)
    else:
        goal = await store.goals.get(id)
    return goal, await _editable(context, viewer, goal, field, id, archived_ok=archived_ok)


async def _fresh(context: Context, store: TenantStore) -> Loaders:
    """Fresh loaders: the request's cached documents predate this write."""
    context.loaders = Loaders(store)
    return context.loaders


async def _publish(context: Context, store: TenantStore, kind: GoalChange, goal: Document,
                   key_result_id: str | None = None, also: Sequence[Document] = ()) -> None:
    """After a committed change: tell subscribers which goals' progress may have moved.

    ``goalIds`` is the changed goal, then its ancestors (nearest first), then ``also`` (the old
    ancestors after a re-alignment). Subscribers read the goals again and check visibility.
    """
    loaders = await _fresh(context, store)
    docs: list[Document] = []
    for doc in [goal, *await goal_store.ancestors(loaders.goals, goal), *also]:
        if all(doc["_id"] != d["_id"] for d in docs):
            docs.append(doc)
    owners = sorted({d[k] for d in docs for k in ("ownerEmployeeId", "ownerDepartmentId") if d.get(k)})
    by = context.viewer.employee_id if context.viewer else None
    message = {"kind": kind.value, "goalIds": [d["_id"] for d in docs], "ownerIds": owners,
               "changedGoalId": goal["_id"], "keyResultId": key_result_id, "byId": by}
    try:
        await context.bus.publish(goal_progress_channel(store.organization_id), message)
    except Exception as error:  # the write stands; subscribers miss one event, which we log
        log.error("goal event not published (%s): %s", kind.value, error)


async def _committed(context: Context, store: TenantStore, kind: GoalChange, goal_id: str,
                     key_result_id: str | None = None, also: Sequence[Document] = ()) -> Outcome:
    doc = await store.goals.get(goal_id)
    assert doc is not None
    await _publish(context, store, kind, doc, key_result_id, also)
    return Outcome(doc)


async def _parent(context: Context, store: TenantStore, parent_id: str | None,
                  errors: list[FieldError], field: str = "parentId") -> Document | None:
    """A parent the viewer may see and align to; an invisible or foreign one is unknown."""
    if parent_id is None:
        return None
    doc = await store.goals.get(parent_id)
    if doc is None or not await queries.visible(context, [doc]):
        errors.append(FieldError(field, ErrorCode.NOT_FOUND, f"no goal {parent_id!r} in your organisation"))
        return None
    if doc.get("archived"):
        errors.append(FieldError(field, ErrorCode.INACTIVE, f"goal {parent_id!r} is archived"))
        return None
    return doc


def _key_result_doc(data: dict[str, Any], id: str) -> Document:
    return with_current({
        "_id": id, "title": data.get("title").strip() if data.get("title") else data.get("title"),
        "metricKind": _value(data.get("metric_kind")), "startValue": _float(data.get("start_value")),
        "targetValue": _float(data.get("target_value")), "unit": data.get("unit", ""),
        "weight": _float(data.get("weight", 1.0)),
    }, _float(data.get("current_value")))


def _float(value: Any) -> Any:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else value


# goals

async def _owner_for_create(context: Context, store: TenantStore, level: GoalLevel, data: dict[str, Any],
                            errors: list[FieldError]) -> tuple[Document | None, bool]:
    """(the person who owns the new goal, whether its owner reference resolved)."""
    if data.get("owner_department_id"):
        department = await store.departments.get(data["owner_department_id"])
        if department is None:
            errors.append(FieldError("ownerDepartmentId", ErrorCode.NOT_FOUND,
                                     f"no department {data['owner_department_id']!r} in your organisation"))
            return None, False
        head = await store.employees.get(department["headId"]) if department.get("headId") else None
        return head, True
    if data.get("owner_employee_id"):
        person = await store.employees.get(data["owner_employee_id"])
        if person is None:
            errors.append(FieldError("ownerEmployeeId", ErrorCode.NOT_FOUND,
                                     f"no employee {data['owner_employee_id']!r} in your organisation"))
            return None, False
        if person.get("status") == EmployeeStatus.TERMINATED.value:
            errors.append(FieldError("ownerEmployeeId", ErrorCode.INACTIVE, f"{person['name']} has left"))
            return None, False
        return person, True
    return None, True


async def create_goal(context: Context, data: dict[str, Any]) -> Outcome:
    viewer, store = await _start(context)
    level = GoalLevel(_value(data["level"]))
    if level is GoalLevel.INDIVIDUAL and not data.get("owner_employee_id") and not data.get("owner_department_id"):
        data = {**data, "owner_employee_id": viewer.employee_id}  # your own goal unless you say whose
    errors = check_owner_shape(level, data.get("owner_employee_id"), data.get("owner_department_id"))
    person, resolved = (None, False) if errors else await _owner_for_create(context, store, level, data, errors)
    if resolved and not may_own_goal(viewer, level.value, person):
        raise Forbidden("you may create goals only for yourself and your reports; company goals: HR admins")
    visibility = GoalVisibility(_value(data.get("visibility") or GoalVisibility.EVERYONE))
    if resolved and visibility is GoalVisibility.PRIVATE and not may_set_private(viewer, person):
        errors.append(FieldError("visibility", ErrorCode.FORBIDDEN, "only the owner or HR admins make a goal private"))
    errors += check_goal_texts({"description": data.get("description", ""), **data}, creating=True)
    errors += check_dates(data.get("start_date"), data.get("due_date"))
    parent = await _parent(context, store, data.get("parent_id"), errors)
    key_results = [_key_result_doc(kr, new_id()) for kr in data.get("key_results") or []]
    errors += check_key_result_count(len(key_results))
    for i, kr in enumerate(key_results):
        errors += check_key_result(kr, f"keyResults.{i}.")
    if errors:
        return Outcome(errors=errors)
    now = _now()
    doc = await store.goals.insert({
        "_id": new_id(), "title": data["title"].strip(), "description": data.get("description") or "",
        "level": level.value, "ownerEmployeeId": data.get("owner_employee_id"),
        "ownerDepartmentId": data.get("owner_department_id"), "parentId": parent["_id"] if parent else None,
        "startDate": data["start_date"].isoformat(), "dueDate": data["due_date"].isoformat(),
        "status": GoalStatus(_value(data.get("status") or GoalStatus.ON_TRACK)).value, "visibility": visibility.value,
        "rollUpChildren": bool(data.get("roll_up_children")), "archived": False, "keyResults": key_results,
        "progressHistory": [], "createdAt": now, "updatedAt": now,
    })
    return await _committed(context, store, GoalChange.CREATED, doc["_id"])


async def update_goal(context: Context, id: str, data: dict[str, Any]) -> Outcome:
    viewer, store = await _start(context)

    async def step() -> Outcome | None:
        goal, refusal = await _load_editable(context, viewer, store, "id", id)
        if refusal is not None or goal is None:
            return refusal
        errors = check_goal_texts(data, creating=False)
        for key, doc_key in (("visibility", "visibility"), ("roll_up_children", "rollUpChildren")):
            if key in data and data[key] is None:
                errors.append(FieldError(doc_key, ErrorCode.REQUIRED, f"{doc_key} must not be null"))
        if _value(data.get("visibility")) == GoalVisibility.PRIVATE.value and goal["visibility"] != "private" \
                and not may_set_private(viewer, await queries.owner(context, goal)):
            errors.append(FieldError("visibility", ErrorCode.FORBIDDEN,
                                     "only the owner or HR admins make a goal private"))
        start = data["start_date"] if "start_date" in data else date.fromisoformat(goal["startDate"])
        due = data["due_date"] if "due_date" in data else date.fromisoformat(goal["dueDate"])
        if "start_date" in data or "due_date" in data:
            errors += check_dates(start, due)
        if errors:
            return Outcome(errors=errors)
        changes: dict[str, Any] = {doc_key: _value(data[key]) for key, doc_key in GOAL_FIELDS if key in data}
        if "title" in changes:
            changes["title"] = changes["title"].strip()
        if "start_date" in data or "due_date" in data:
            changes.update(startDate=start.isoformat(), dueDate=due.isoformat())
        where = {"startDate": goal["startDate"], "dueDate": goal["dueDate"], "archived": {"$ne": True}}
        if not await store.goals.update(id, {**changes, "updatedAt": _now()}, where=where):
            return None
        return await _committed(context, store, GoalChange.UPDATED, id)

    return await _retrying(step)


async def set_goal_status(context: Context, id: str, status: GoalStatus) -> Outcome:
    viewer, store = await _start(context)
    _, refusal = await _load_editable(context, viewer, store, "goalId", id)
    if refusal is not None:
        return refusal
    if not await store.goals.update(id, {"status": GoalStatus(_value(status)).value, "updatedAt": _now()},
                                    where={"archived": {"$ne": True}}):
        return Outcome(errors=[FieldError("goalId", ErrorCode.READ_ONLY, f"goal {id!r} is archived")])
    return await _committed(context, store, GoalChange.STATUS_CHANGED, id)


async def archive_goal(context: Context, id: str) -> Outcome:
    """Idempotent: archiving an archived goal finishes any move of its children left undone."""
    viewer, store = await _start(context)
    goal, refusal = await _load_editable(context, viewer, store, "goalId", id, archived_ok=True)
    if refusal is not None or goal is None:
        return refusal or Outcome()
    await goal_store.archive(store, goal, _now())
    return await _committed(context, store, GoalChange.ARCHIVED, id)


async def align_goal(context: Context, id: str, parent_id: str | None) -> Outcome:
    viewer, store = await _start(context)

    async def step() -> Outcome | None:
        goal, refusal = await _load_editable(context, viewer, store, "goalId", id)
        if refusal is not None or goal is None:
            return refusal
        errors: list[FieldError] = []
        parent = await _parent(context, store, parent_id, errors, "parentGoalId")
        if parent is not None and would_cycle_in(id, parent, await goal_store.parent_links(store)):
            errors.append(FieldError("parentGoalId", ErrorCode.CYCLE, "a goal cannot be aligned below itself"))
        if errors:
            return Outcome(errors=errors)
        old_above = await goal_store.ancestors(queries.goal_loaders(context), goal)
        new_parent_id = parent["_id"] if parent else None
        if not await store.goals.update(id, {"parentId": new_parent_id, "updatedAt": _now()},
                                        where={"parentId": goal.get("parentId"), "archived": {"$ne": True}}):
            return None
        if new_parent_id is not None and await goal_store.would_close_cycle(store, id):
            # a concurrent alignment closed a loop with this one: undo ours
            await store.goals.update(id, {"parentId": goal.get("parentId")}, where={"parentId": new_parent_id})
            return Outcome(errors=[FieldError("parentGoalId", ErrorCode.CYCLE,
                                              "a goal cannot be aligned below itself")])
        return await _committed(context, store, GoalChange.ALIGNED, id, also=old_above)

    return await _retrying(step)


# key results

async def add_key_result(context: Context, goal_id: str, data: dict[str, Any]) -> Outcome:
    viewer, store = await _start(context)

    async def step() -> Outcome | None:
        goal, refusal = await _load_editable(context, viewer, store, "goalId", goal_id)
        if refusal is not None or goal is None:
            return refusal
        kr = _key_result_doc(data, new_id())
        errors = [*check_key_result(kr), *check_key_result_count(len(goal["keyResults"]) + 1, "goalId")]
        if errors:
            return Outcome(errors=errors)
        if not await goal_store.set_key_results(store, goal, [*goal["keyResults"], kr], _now()):
            return None
        return await _committed(context, store, GoalChange.KEY_RESULT_ADDED, goal_id, kr["_id"])

    return await _retrying(step)


def _find_key_result(goal: Document, key_result_id: str) -> Document:
    return next(kr for kr in goal["keyResults"] if kr["_id"] == key_result_id)


async def update_key_result(context: Context, key_result_id: str, data: dict[str, Any]) -> Outcome:
    """Change a key result's definition; its value changes only through progress updates."""
    viewer, store = await _start(context)

    async def step() -> Outcome | None:
        goal, refusal = await _load_editable(context, viewer, store, "keyResultId", key_result_id)
        if refusal is not None or goal is None:
            return refusal
        current = _find_key_result(goal, key_result_id)
        changes = {doc_key: _float(_value(data[key])) for key, doc_key in KEY_RESULT_FIELDS if key in data}
        if isinstance(changes.get("title"), str):
            changes["title"] = changes["title"].strip()
        updated = {**current, **changes}
        errors = check_key_result(updated)
        if any(e.field == "currentValue" for e in errors):
            errors = [FieldError(e.field, e.code, f"{e.message} (record progress first, then change the key result)")
                      if e.field == "currentValue" else e for e in errors]
        if errors:
            return Outcome(errors=errors)
        key_results = [updated if kr["_id"] == key_result_id else kr for kr in goal["keyResults"]]
        if not await goal_store.set_key_results(store, goal, key_results, _now()):
            return None
        return await _committed(context, store, GoalChange.KEY_RESULT_UPDATED, goal["_id"], key_result_id)

    return await _retrying(step)


async def remove_key_result(context: Context, key_result_id: str) -> Outcome:
    """The key result goes; its history entries stay with the goal."""
    viewer, store = await _start(context)

    async def step() -> Outcome | None:
        goal, refusal = await _load_editable(context, viewer, store, "keyResultId", key_result_id)
        if refusal is not None or goal is None:
            return refusal
        key_results = [kr for kr in goal["keyResults"] if kr["_id"] != key_result_id]
        if not await goal_store.set_key_results(store, goal, key_results, _now()):
            return None
        return await _committed(context, store, GoalChange.KEY_RESULT_REMOVED, goal["_id"], key_result_id)

    return await _retrying(step)


async def record_key_result_progress(context: Context, key_result_id: str, value: float,
                                     comment: str | None) -> Outcome:
    """Record a key result's new value: checks the viewer may edit the goal (raises
    :class:`Forbidden` if not), validates, writes the value and its history entry (who, when, old,
    new, comment) in one atomic write, publishes the progress events of the goal and its ancestors.

    Returns the updated goal document, or the errors (``keyResultId``, ``value``, ``comment``) with
    nothing written. The check-ins domain calls this for progress updates made during a check-in.
    """
    viewer, store = await _start(context)

    async def step() -> Outcome | None:
        goal, refusal = await _load_editable(context, viewer, store, "keyResultId", key_result_id)
        if refusal is not None or goal is None:
            return refusal
        kr = _find_key_result(goal, key_result_id)
        errors = [*check_value(MetricKind(kr["metricKind"]), _float(value), "value"), *check_text(comment, "comment")]
        if errors:
            return Outcome(errors=errors)
        now = _now()
        entry = {"_id": new_id(), "keyResultId": key_result_id, "keyResultTitle": kr["title"],
                 "byId": viewer.employee_id, "at": now, "oldValue": kr["currentValue"], "newValue": float(value),
                 "comment": comment.strip() if comment and comment.strip() else None}
        if not await goal_store.record_value(store, goal["_id"], key_result_id, kr["currentValue"], float(value),
                                             entry, now):
            return None
        return await _committed(context, store, GoalChange.PROGRESS_RECORDED, goal["_id"], key_result_id)

    return await _retrying(step)
