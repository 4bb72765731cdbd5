"""Editing an occurrence during the meeting: talking points (versioned), answers, rating, action items,
private notes, linked goals and progress. Only the two participants edit; a refusal writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from models.checkins.permissions import can_edit_check_in, can_read_check_in
from models.checkins.rules import CheckInChange, CheckInStatus, check_rating, check_required_text, note_id_for
from models.core.documents import Document, new_id
from models.core.errors import ErrorCode, FieldError
from models.core.validation import check_text
from models.core.viewer import Viewer
from resolvers.checkins.queries import publish_change, signed_in
from resolvers.core.context import Context
from resolvers.core.errors import Forbidden
from resolvers.goals import queries as goal_queries
from store.checkins import repository as check_in_store
from store.core.repository import TenantStore
from store.loaders import Loaders


@dataclass
class CheckInOutcome:
    check_in: Document | None = None
    errors: list[FieldError] = field(default_factory=list)
    talking_point: Document | None = None
    conflict: Document | None = None
    action_item: Document | None = None
    note: Document | None = None
    progress: Document | None = None
    series: Document | None = None
    template: Document | None = None
    department: Document | None = None


def now() -> datetime:
    return datetime.now(UTC)


def not_found(field_name: str, kind: str, id: str) -> FieldError:
    return FieldError(field_name, ErrorCode.NOT_FOUND, f"no {kind} {id!r} in your organisation")


async def require_participant(context: Context, viewer: Viewer, doc: Document) -> None:
    """FORBIDDEN unless the viewer is one of the two participants (readers learn why they may not edit)."""
    if can_edit_check_in(viewer, doc):
        return
    assert context.loaders is not None
    employee = await context.loaders.employee_by_id.load(doc["employeeId"])
    if can_read_check_in(viewer, doc, employee):
        raise Forbidden("only the two participants may change a check-in")
    raise Forbidden("check-ins are visible to their participants, the employee's managers and HR admins")


async def editable(context: Context, check_in_id: str, errors: list[FieldError], *,
                   open_only: bool = True) -> tuple[Viewer, TenantStore, Document | None]:
    """The occurrence a participant changes; records NOT_FOUND or READ_ONLY in ``errors``."""
    viewer, store, _ = await signed_in(context)
    doc = await store.checkIns.get(check_in_id)
    if doc is None:
        errors.append(not_found("checkInId", "check-in", check_in_id))
        return viewer, store, None
    await require_participant(context, viewer, doc)
    if open_only and doc["status"] != CheckInStatus.SCHEDULED.value:
        errors.append(FieldError("checkInId", ErrorCode.READ_ONLY, f"this check-in was {doc['status']}"))
    return viewer, store, doc


async def finish(context: Context, store: TenantStore, check_in_id: str, kind: CheckInChange, viewer: Viewer,
                 **extra: Any) -> Document | None:
    await publish_change(context, store, check_in_id, kind, viewer.employee_id, **extra)
    return await store.checkIns.get(check_in_id)


def point_in(doc: Document, point_id: str) -> Document | None:
    return next((p for p in doc.get("talkingPoints", []) if p["_id"] == point_id), None)


# talking points

async def add_talking_point(context: Context, check_in_id: str, text: str) -> CheckInOutcome:
    errors = check_required_text(text, "text")
    viewer, store, doc = await editable(context, check_in_id, errors)
    if errors or doc is None:
        return CheckInOutcome(errors=errors)
    at = now()
    point = {"_id": new_id(), "authorId": viewer.employee_id, "text": text.strip(), "version": 1, "removed": False,
             "createdAt": at, "updatedAt": at, "updatedById": viewer.employee_id}
    if not await check_in_store.update_open_check_in(store, check_in_id, {"updatedAt": at},
                                                     push={"talkingPoints": point}):
        return CheckInOutcome(errors=[FieldError("checkInId", ErrorCode.READ_ONLY, "this check-in was closed")])
    check_in = await finish(context, store, check_in_id, CheckInChange.TALKING_POINT_ADDED, viewer,
                            talkingPointId=point["_id"])
    return CheckInOutcome(check_in, talking_point=point)


def conflict_error(point: Document, version: int) -> FieldError:
    return FieldError("version", ErrorCode.CONFLICT,
                      f"the talking point changed since version {version} (now version {point['version']}): "
                      "merge with its current text and retry with the current version")


async def change_talking_point(context: Context, check_in_id: str, point_id: str, version: int,
                               text: str | None, *, remove: bool = False) -> CheckInOutcome:
    """Compare-and-set: a write on a stale version is refused with CONFLICT and the current value."""
    errors = [] if remove else check_required_text(text, "text")
    viewer, store, doc = await editable(context, check_in_id, errors)
    if doc is None:
        return CheckInOutcome(errors=errors)
    point = point_in(doc, point_id)
    if point is None:
        return CheckInOutcome(errors=[*errors, not_found("talkingPointId", "talking point", point_id)])
    if point["version"] != version:
        return CheckInOutcome(errors=[*errors, conflict_error(point, version)], conflict=point)
    if point.get("removed"):
        errors.append(FieldError("talkingPointId", ErrorCode.NOT_FOUND, "this talking point was removed"))
    if errors:
        return CheckInOutcome(errors=errors)
    at = now()
    changes: dict[str, Any] = {"updatedAt": at, "updatedById": viewer.employee_id}
    changes.update({"removed": True} if remove else {"text": (text or "").strip()})
    if not await check_in_store.update_talking_point(store, check_in_id, point_id, version, changes, at):
        # someone else got there first (or closed the check-in) between our read and our write
        current = await store.checkIns.get(check_in_id)
        if current is None or current["status"] != CheckInStatus.SCHEDULED.value:
            return CheckInOutcome(errors=[FieldError("checkInId", ErrorCode.READ_ONLY, "this check-in was closed")])
        latest = point_in(current, point_id)
        assert latest is not None  # talking points are never deleted, only marked removed
        return CheckInOutcome(errors=[conflict_error(latest, version)], conflict=latest)
    kind = CheckInChange.TALKING_POINT_REMOVED if remove else CheckInChange.TALKING_POINT_UPDATED
    check_in = await finish(context, store, check_in_id, kind, viewer, talkingPointId=point_id)
    return CheckInOutcome(check_in, talking_point=point_in(check_in, point_id) if check_in else None)


# answers and rating

async def answer_question(context: Context, check_in_id: str, question_id: str, text: str) -> CheckInOutcome:
    """The viewer's own answer to one question (each participant answers separately: no overwrite)."""
    errors = check_text(text, "text")
    viewer, store, doc = await editable(context, check_in_id, errors)
    if doc is None:
        return CheckInOutcome(errors=errors)
    if question_id not in {q["_id"] for q in doc["questions"]}:  # also keeps the id safe as a field path
        errors.append(not_found("questionId", "question", question_id))
    if errors:
        return CheckInOutcome(errors=errors)
    at = now()
    answer = {"text": text.strip(), "at": at}
    if not await check_in_store.update_open_check_in(
            store, check_in_id, {f"answers.{question_id}.{viewer.employee_id}": answer, "updatedAt": at}):
        return CheckInOutcome(errors=[FieldError("checkInId", ErrorCode.READ_ONLY, "this check-in was closed")])
    return CheckInOutcome(await finish(context, store, check_in_id, CheckInChange.ANSWERED, viewer,
                                       questionId=question_id))


async def rate(context: Context, check_in_id: str, rating: int) -> CheckInOutcome:
    errors = check_rating(rating)
    viewer, store, doc = await editable(context, check_in_id, errors)
    if errors or doc is None:
        return CheckInOutcome(errors=errors)
    if not await check_in_store.update_open_check_in(
            store, check_in_id, {"rating": rating, "ratedById": viewer.employee_id, "updatedAt": now()}):
        return CheckInOutcome(errors=[FieldError("checkInId", ErrorCode.READ_ONLY, "this check-in was closed")])
    return CheckInOutcome(await finish(context, store, check_in_id, CheckInChange.RATED, viewer))


# private notes

async def set_private_note(context: Context, check_in_id: str, text: str) -> CheckInOutcome:
    """The author's own note (any time, open or closed); no event: the other participant must not even
    learn that a note was written."""
    errors = check_text(text, "text")
    viewer, store, doc = await editable(context, check_in_id, errors, open_only=False)
    if errors or doc is None:
        return CheckInOutcome(errors=errors)
    note = {"_id": note_id_for(check_in_id, viewer.employee_id), "checkInId": check_in_id,
            "authorId": viewer.employee_id, "text": text, "updatedAt": now()}
    await check_in_store.save_note(store, note)
    context.loaders = Loaders(store)  # the payload reads the note written, not a cached miss
    return CheckInOutcome(doc, note={**note, "organizationId": store.organization_id})


# action items

def owner_errors(doc: Document, owner_id: str | None) -> list[FieldError]:
    if owner_id not in (doc["employeeId"], doc["managerId"]):
        return [FieldError("ownerId", ErrorCode.INVALID, "an action item is owned by one of the two participants")]
    return []


async def add_action_item(context: Context, check_in_id: str, data: dict[str, Any]) -> CheckInOutcome:
    errors = check_required_text(data.get("text"), "text")
    viewer, store, doc = await editable(context, check_in_id, errors)
    if doc is None:
        return CheckInOutcome(errors=errors)
    errors += owner_errors(doc, data.get("owner_id"))
    if errors:
        return CheckInOutcome(errors=errors)
    at, due = now(), data.get("due_on")
    item = {"_id": new_id(), "seriesId": doc["seriesId"], "checkInId": check_in_id, "employeeId": doc["employeeId"],
            "managerId": doc["managerId"], "fromSequence": doc["sequence"], "doneSequence": None,
            "ownerId": data["owner_id"], "text": data["text"].strip(), "dueOn": due.isoformat() if due else None,
            "done": False, "doneAt": None, "createdById": viewer.employee_id, "createdAt": at, "updatedAt": at}
    item = await store.checkInActionItems.insert(item)
    check_in = await finish(context, store, check_in_id, CheckInChange.ACTION_ITEM_SAVED, viewer,
                            actionItemId=item["_id"])
    return CheckInOutcome(check_in, action_item=item)


async def update_action_item(context: Context, item_id: str, data: dict[str, Any]) -> CheckInOutcome:
    """Change or tick off an item; done in the series' current occurrence, it stops carrying over after it."""
    viewer, store, _ = await signed_in(context)
    item = await store.checkInActionItems.get(item_id)
    if item is None:
        return CheckInOutcome(errors=[not_found("actionItemId", "action item", item_id)])
    await require_participant(context, viewer, item)
    errors = check_required_text(data["text"], "text") if "text" in data else []
    if "owner_id" in data:
        errors += owner_errors(item, data["owner_id"])
    if "done" in data and data["done"] is None:
        errors.append(FieldError("done", ErrorCode.REQUIRED, "done must not be null"))
    series = await store.checkInSeries.get(item["seriesId"])
    if errors or series is None:
        return CheckInOutcome(errors=errors)
    at = now()
    changes: dict[str, Any] = {"updatedAt": at}
    if "text" in data:
        changes["text"] = data["text"].strip()
    if "owner_id" in data:
        changes["ownerId"] = data["owner_id"]
    if "due_on" in data:
        due: date | None = data["due_on"]
        changes["dueOn"] = due.isoformat() if due else None
    if "done" in data and data["done"] != item["done"]:
        changes.update({"done": True, "doneSequence": series["currentSequence"], "doneAt": at} if data["done"]
                       else {"done": False, "doneSequence": None, "doneAt": None})
    await store.checkInActionItems.update(item_id, changes)
    current = await store.checkIns.find({"seriesId": series["_id"], "sequence": series["currentSequence"]}, limit=1)
    check_in_id = current[0]["_id"] if current else item["checkInId"]
    check_in = await finish(context, store, check_in_id, CheckInChange.ACTION_ITEM_SAVED, viewer, actionItemId=item_id)
    return CheckInOutcome(check_in, action_item={**item, **changes})


# linked goals and progress made during the check-in

async def employee_goal(context: Context, doc: Document, goal_id: str, errors: list[FieldError]) -> Document | None:
    """One of the check-in's employee's goals that the viewer may see (an invisible goal is unknown)."""
    assert context.loaders is not None
    goal = await context.loaders.goals.by_id.load(goal_id)
    if goal is None or not await goal_queries.visible(context, [goal]):
        errors.append(not_found("goalId", "goal", goal_id))
        return None
    if goal.get("ownerEmployeeId") != doc["employeeId"]:
        errors.append(FieldError("goalId", ErrorCode.INVALID, "only the employee's own goals can be linked"))
        return None
    return goal


async def link_goal(context: Context, check_in_id: str, goal_id: str, *, link: bool = True) -> CheckInOutcome:
    errors: list[FieldError] = []
    viewer, store, doc = await editable(context, check_in_id, errors)
    if doc is None:
        return CheckInOutcome(errors=errors)
    if link:
        await employee_goal(context, doc, goal_id, errors)
    elif goal_id not in doc["linkedGoalIds"]:
        errors.append(FieldError("goalId", ErrorCode.NOT_FOUND, "this goal is not linked to the check-in"))
    if errors:
        return CheckInOutcome(errors=errors)
    at = now()
    if link:
        written = await check_in_store.update_open_check_in(store, check_in_id, {"updatedAt": at},
                                                            push={"linkedGoalIds": goal_id},
                                                            where={"linkedGoalIds": {"$ne": goal_id}})
        written = written or goal_id in ((await store.checkIns.get(check_in_id)) or {}).get("linkedGoalIds", [])
    else:
        written = await check_in_store.pull_linked_goal(store, check_in_id, goal_id, at)
    if not written:
        return CheckInOutcome(errors=[FieldError("checkInId", ErrorCode.READ_ONLY, "this check-in was closed")])
    kind = CheckInChange.GOAL_LINKED if link else CheckInChange.GOAL_UNLINKED
    return CheckInOutcome(await finish(context, store, check_in_id, kind, viewer, goalId=goal_id))


async def record_progress(context: Context, check_in_id: str, key_result_id: str, value: float,
                          comment: str | None) -> CheckInOutcome:
    """Update a key result of a linked goal: written through to the goal (and its history) first, then
    noted on the check-in. A retry after a failure in between records the same value again."""
    from resolvers.goals.mutations import record_key_result_progress  # the goals domain owns key results

    errors = check_text(comment, "comment")
    viewer, store, doc = await editable(context, check_in_id, errors)
    if doc is None:
        return CheckInOutcome(errors=errors)
    goals = await store.goals.find({"_id": {"$in": doc["linkedGoalIds"]}, "keyResults._id": key_result_id}, limit=1) \
        if doc["linkedGoalIds"] else []
    goals = await goal_queries.visible(context, goals)  # a goal the viewer cannot see is not theirs to update
    if not goals:
        errors.append(FieldError("keyResultId", ErrorCode.NOT_FOUND,
                                 f"no key result {key_result_id!r} in a goal linked to this check-in"))
    if errors:
        return CheckInOutcome(errors=errors)
    outcome = await record_key_result_progress(context, key_result_id, value, comment)
    if outcome.errors:
        return CheckInOutcome(errors=list(outcome.errors))
    key_result = next(kr for kr in goals[0]["keyResults"] if kr["_id"] == key_result_id)
    update = {"_id": new_id(), "goalId": goals[0]["_id"], "keyResultId": key_result_id,
              "keyResultTitle": key_result.get("title"), "value": value, "comment": comment,
              "byId": viewer.employee_id, "at": now()}
    await store.checkIns.update(check_in_id, {"updatedAt": update["at"]}, push={"progressUpdates": update})
    check_in = await finish(context, store, check_in_id, CheckInChange.PROGRESS_RECORDED, viewer,
                            keyResultId=key_result_id)
    return CheckInOutcome(check_in, progress=update)
