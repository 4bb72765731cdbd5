"""The steps every goal mutation shares: find the goal and check the viewer may edit it, run a
conditional write again when it lost a race, and read the committed goal back and publish it.

Who may edit is decided by ``models.goals.permissions.can_edit_goal``; a goal the viewer may not see
behaves like an unknown id. Writes to one goal that depend on what was read are conditional
(compare-and-set, the visibility the permission was decided on included): if another request changed
the goal in between, the step reads it again and re-validates, so a concurrent edit is never silently
overwritten and a history entry never names a wrong old value. Changes of several goals (create with a
parent, align, archive) run in one transaction instead; the reads here use the store, never loaders.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from models.core.documents import Document
from models.core.errors import ErrorCode, FieldError
from models.goals.permissions import can_edit_goal, can_see_goal
from models.goals.rules import GoalChange, with_current
from resolvers.core.context import SignedIn
from resolvers.core.errors import Forbidden
from resolvers.core.outcome import Outcome
from resolvers.goals.events import publish_goal_change, saw_owner
from store.goals import repository as goal_store

WRITE_ATTEMPTS = 5
CANNOT_EDIT = "you may edit only your own goals, your reports' goals, and (HR admins) all goals"

Step = Callable[[], Awaitable[Outcome | None]]
Change = Callable[[Document], Awaitable[Outcome | None]]


def plain(item: Any) -> Any:
    """An enum member's value; anything else as it is."""
    return getattr(item, "value", item)


def number(value: Any) -> Any:
    """An int or float as a float (stored values are floats); anything else, for validation to refuse."""
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else value


def unknown(field: str, what: str, id: str) -> FieldError:
    """The error of an id that names nothing the viewer may see in their organisation."""
    return FieldError(field, ErrorCode.NOT_FOUND, f"no {what} {id!r} in your organisation")


def not_found(field: str, what: str, id: str) -> Outcome:
    """The refusal of such an id: nothing written."""
    return Outcome(errors=[unknown(field, what, id)])


async def _retrying(step: Step) -> Outcome:
    """Run ``step`` until its conditional write lands (it returns None when it lost a race)."""
    for _ in range(WRITE_ATTEMPTS):
        outcome = await step()
        if outcome is not None:
            return outcome
    return Outcome.refused(None, ErrorCode.CONFLICT, "the goal kept changing while saving; try again")


async def editable(signed_in: SignedIn, goal: Document | None, field: str, id: str,
                   *, archived_ok: bool = False) -> Outcome | None:
    """None when the viewer may edit ``goal``; else the refusal (or :class:`Forbidden`).

    A goal the viewer may not see is refused exactly like an unknown id. Reads the store itself, never a
    loader, so it may run inside a transaction.
    """
    what = "key result" if field == "keyResultId" else "goal"
    person = await goal_store.owner(signed_in.store, goal) if goal is not None else None
    if goal is None or not can_see_goal(signed_in.viewer, goal, person):
        return not_found(field, what, id)
    saw_owner(signed_in, goal, person)
    if not can_edit_goal(signed_in.viewer, goal, person):
        raise Forbidden(CANNOT_EDIT)
    if goal.get("archived") and not archived_ok:
        return Outcome.refused(field, ErrorCode.READ_ONLY, f"goal {goal['_id']!r} is archived")
    return None


async def load_editable(signed_in: SignedIn, field: str, id: str,
                        *, archived_ok: bool = False) -> tuple[Document | None, Outcome | None]:
    """The goal named by ``id`` (a key result's goal when ``field`` is keyResultId), read from the store,
    and, when the viewer may not edit it, the refusal from :func:`editable`."""
    if field == "keyResultId":
        goal = await goal_store.goal_by_key_result(signed_in.store, id)
    else:
        goal = await signed_in.store.goals.get(id)
    return goal, await editable(signed_in, goal, field, id, archived_ok=archived_ok)


async def edit(signed_in: SignedIn, field: str, id: str, change: Change) -> Outcome:
    """``change(goal)`` of the goal (or key result's goal) ``id`` names, once :func:`load_editable` allows it;
    read and run again while ``change`` returns None (its conditional write lost a race)."""

    async def step() -> Outcome | None:
        goal, refusal = await load_editable(signed_in, field, id)
        if refusal is not None or goal is None:
            return refusal
        return await change(goal)

    return await _retrying(step)


async def committed(signed_in: SignedIn, kind: GoalChange, goal_id: str, key_result_id: str | None = None,
                    also: Sequence[Document] = ()) -> Outcome:
    """The goal as written, once its event is published."""
    doc = await signed_in.store.goals.get(goal_id)
    if doc is None:  # goals are archived, never deleted
        return not_found("id", "goal", goal_id)
    await publish_goal_change(signed_in, kind, doc, key_result_id, also)
    return Outcome(doc)


async def alignable_parent(signed_in: SignedIn, parent_id: str | None, errors: list[FieldError],
                           field: str = "parentId") -> Document | None:
    """A parent the viewer may see and align to; an invisible or foreign one is unknown (store reads only)."""
    if parent_id is None:
        return None
    doc = await signed_in.store.goals.get(parent_id)
    if doc is None or not can_see_goal(signed_in.viewer, doc, await goal_store.owner(signed_in.store, doc)):
        errors.append(unknown(field, "goal", parent_id))
        return None
    if doc.get("archived"):
        errors.append(FieldError(field, ErrorCode.INACTIVE, f"goal {parent_id!r} is archived"))
        return None
    return doc


def key_result_doc(data: dict[str, Any], id: str) -> Document:
    """A key result as stored, from its input (the current value defaults to the start value)."""
    return with_current({
        "_id": id, "title": data.get("title").strip() if data.get("title") else data.get("title"),
        "metricKind": plain(data.get("metric_kind")), "startValue": number(data.get("start_value")),
        "targetValue": number(data.get("target_value")), "unit": data.get("unit", ""),
        "weight": number(data.get("weight", 1.0)),
    }, number(data.get("current_value")))
