"""Key result mutations: add, change and remove a goal's key results, and record a key result's value.

The goal must be one the viewer may edit (``editing.py``); the key results are replaced (compare-and-set on
the goal's key-result version) and a value is recorded (conditional on the key result as read) with
conditional writes, run again when a concurrent edit got there first.
"""

from __future__ import annotations

from typing import Any

from models.core import clock
from models.core.documents import Document, new_id
from models.core.errors import FieldError
from models.core.validation import check_text
from models.goals.rules import GoalChange, MetricKind, check_key_result, check_key_result_count, check_value
from resolvers.core.context import Context, require
from resolvers.core.outcome import Outcome
from resolvers.goals.editing import committed, edit, key_result_doc, number, plain
from store.goals import repository as goal_store

KEY_RESULT_FIELDS = (("title", "title"), ("metric_kind", "metricKind"), ("start_value", "startValue"),
                     ("target_value", "targetValue"), ("unit", "unit"), ("weight", "weight"))


def _find_key_result(goal: Document, key_result_id: str) -> Document:
    return next(kr for kr in goal["keyResults"] if kr["_id"] == key_result_id)


async def add_key_result(context: Context, goal_id: str, data: dict[str, Any]) -> Outcome:
    """Add a key result to a goal (at most ``MAX_KEY_RESULTS``)."""
    signed_in = await require(context)

    async def change(goal: Document) -> Outcome | None:
        kr = key_result_doc(data, new_id())
        errors = [*check_key_result(kr), *check_key_result_count(len(goal["keyResults"]) + 1, "goalId")]
        if errors:
            return Outcome(errors=errors)
        if not await goal_store.set_key_results(signed_in.store, goal, [*goal["keyResults"], kr], clock.now()):
            return None
        return await committed(signed_in, GoalChange.KEY_RESULT_ADDED, goal_id, kr["_id"])

    return await edit(signed_in, "goalId", goal_id, change)


def _definition_errors(updated: Document) -> list[FieldError]:
    """What is wrong with a changed key result; a current value the change makes invalid says what to do."""
    errors = check_key_result(updated)
    return [FieldError(e.field, e.code, f"{e.message} (record progress first, then change the key result)")
            if e.field == "currentValue" else e for e in errors]


async def update_key_result(context: Context, key_result_id: str, data: dict[str, Any]) -> Outcome:
    """Change a key result's definition; its value changes only through progress updates."""
    signed_in = await require(context)

    async def change(goal: Document) -> Outcome | None:
        current = _find_key_result(goal, key_result_id)
        changes = {doc_key: number(plain(data[key])) for key, doc_key in KEY_RESULT_FIELDS if key in data}
        if isinstance(changes.get("title"), str):
            changes["title"] = changes["title"].strip()
        updated = {**current, **changes}
        errors = _definition_errors(updated)
        if errors:
            return Outcome(errors=errors)
        key_results = [updated if kr["_id"] == key_result_id else kr for kr in goal["keyResults"]]
        if not await goal_store.set_key_results(signed_in.store, goal, key_results, clock.now()):
            return None
        return await committed(signed_in, GoalChange.KEY_RESULT_UPDATED, goal["_id"], key_result_id)

    return await edit(signed_in, "keyResultId", key_result_id, change)


async def remove_key_result(context: Context, key_result_id: str) -> Outcome:
    """The key result goes; its history entries stay with the goal."""
    signed_in = await require(context)

    async def change(goal: Document) -> Outcome | None:
        key_results = [kr for kr in goal["keyResults"] if kr["_id"] != key_result_id]
        if not await goal_store.set_key_results(signed_in.store, goal, key_results, clock.now()):
            return None
        return await committed(signed_in, GoalChange.KEY_RESULT_REMOVED, goal["_id"], key_result_id)

    return await edit(signed_in, "keyResultId", key_result_id, change)


async def record_key_result_progress(context: Context, key_result_id: str, value: float,
                                     comment: str | None) -> Outcome:
    """Record a key result's new value: checks the viewer may edit the goal (raises
    :class:`Forbidden` if not), validates, writes the value and its history entry (who, when, old,
    new, comment) in one atomic write, publishes the progress events of the goal and its ancestors.

    Returns the updated goal document, or the errors (``keyResultId``, ``value``, ``comment``) with
    nothing written. The check-ins domain calls this (through ``access.py``) for progress updates made
    during a check-in.
    """
    signed_in = await require(context)

    async def change(goal: Document) -> Outcome | None:
        kr = _find_key_result(goal, key_result_id)
        errors = [*check_value(MetricKind(kr["metricKind"]), number(value), "value"), *check_text(comment, "comment")]
        if errors:
            return Outcome(errors=errors)
        now = clock.now()
        entry = {"_id": new_id(), "keyResultId": key_result_id, "keyResultTitle": kr["title"],
                 "byId": signed_in.viewer.employee_id, "at": now, "oldValue": kr["currentValue"],
                 "newValue": float(value), "comment": comment.strip() if comment and comment.strip() else None}
        store = signed_in.store

        async def write() -> bool:
            written = await goal_store.record_value(store, goal, kr, float(value), entry, now)
            if written:
                store.record_event("goal.progress", {"goalId": goal["_id"], "keyResultId": key_result_id})
            return written

        if not await store.transaction(write):
            return None
        return await committed(signed_in, GoalChange.PROGRESS_RECORDED, goal["_id"], key_result_id)

    return await edit(signed_in, "keyResultId", key_result_id, change)
