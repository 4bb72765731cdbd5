"""Growth plans: a person's target positions (aspiration, horizon, mobility) and development actions.
The person owns the plan and sets its targets; their managers, HR admins and a mentor it is shared with
contribute actions. Each write is one conditional update of the plan document; a refusal writes nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from models.core import clock
from models.core.documents import Document, new_id
from models.core.errors import ErrorCode, FieldError
from models.growth.permissions import can_save_action, can_set_targets, may_own_action
from models.growth.rules import (
    ActionKind,
    ActionStatus,
    GrowthPlanChange,
    check_action,
    check_targets,
    plan_id,
    target_documents,
)
from resolvers.core.context import Context, require
from resolvers.core.errors import Forbidden
from resolvers.core.outcome import Outcome
from resolvers.goals.access import visible_goals
from resolvers.growth.channels import plan_changed
from resolvers.growth.tracks import positions_by_id
from resolvers.growth.visibility import PLAN_REFUSAL, PlanView, plan_view, readable_plan_view
from resolvers.reviews.access import competencies
from store.growth import repository as growth_store

TARGETS_REFUSAL = "only the person (or an HR admin) sets the targets of their growth plan"


async def growth_plan(context: Context, employee_id: str) -> PlanView:
    """The person's plan as the viewer may read it (an empty one if nothing was written yet)."""
    return await readable_plan_view(context, employee_id)


async def refuse_unless(context: Context, view: PlanView, allowed: bool, refusal: str) -> None:
    """:class:`Forbidden`: with ``refusal`` for a reader of the plan, the read rule for anyone else."""
    if not allowed:
        viewer = (await require(context)).viewer
        raise Forbidden(refusal if view.readable_by(viewer) else PLAN_REFUSAL)


async def reread(context: Context, employee_id: str) -> PlanView:
    context.fresh_loaders()
    return await plan_view(context, employee_id)


async def set_growth_targets(context: Context, employee_id: str, targets: list[dict[str, Any]],
                             share_with_mentors: bool | None) -> Outcome:
    """Replace the plan's targets (and, if given, whether mentors may read the plan)."""
    signed_in = await require(context)
    view = await plan_view(context, employee_id)
    await refuse_unless(context, view, can_set_targets(signed_in.viewer, view.employee), TARGETS_REFUSAL)
    positions = await positions_by_id(context, [t["positionId"] for t in targets])
    errors = check_targets(targets, positions, view.employee.get("positionId"))
    if errors:
        return Outcome(errors=errors)
    await growth_store.set_targets(signed_in.store, plan_id(employee_id), employee_id, target_documents(targets),
                                   share_with_mentors, clock.now())
    await plan_changed(signed_in, employee_id, GrowthPlanChange.TARGETS_SET)
    return Outcome(extra={"view": await reread(context, employee_id)})


@dataclass(frozen=True)
class ActionInput:
    action_id: str | None
    kind: ActionKind
    title: str
    owner_id: str | None
    due_on: date | None
    status: ActionStatus
    notes: str | None
    competency_id: str | None
    goal_id: str | None


async def link_errors(context: Context, employee: Document, data: ActionInput) -> list[FieldError]:
    """NOT_FOUND for a competency not in the framework, or a goal the viewer cannot see or the person
    does not own."""
    errors: list[FieldError] = []
    if data.competency_id is not None and not await competencies(context, [data.competency_id]):
        errors.append(FieldError("competencyId", ErrorCode.NOT_FOUND,
                                 f"no competency {data.competency_id!r} in your organisation"))
    if data.goal_id is not None:
        goals = await visible_goals(context, [data.goal_id])
        if not goals or goals[0].get("ownerEmployeeId") != employee["_id"]:
            errors.append(FieldError("goalId", ErrorCode.NOT_FOUND,
                                     f"no goal {data.goal_id!r} of this person that you may see"))
    return errors


async def save_development_action(context: Context, employee_id: str, data: ActionInput) -> Outcome:
    """A new action (no ``actionId``) or changes to one; ``extra["action"]`` is the action as saved."""
    signed_in = await require(context)
    view = await plan_view(context, employee_id)
    viewer = signed_in.viewer
    await refuse_unless(context, view, can_save_action(viewer, view.employee, view.plan, view.mentor_ids),
                        PLAN_REFUSAL)
    actions = (view.plan or {}).get("actions", [])
    existing = next((a for a in actions if a["_id"] == data.action_id), None) if data.action_id else None
    owner_id = data.owner_id or (existing or {}).get("ownerId") or employee_id
    errors = check_action(data.title, data.notes, data.due_on,
                          may_own_action(owner_id, view.employee, view.mentor_ids), len(actions),
                          data.action_id is None)
    if data.action_id is not None and existing is None:
        errors.append(FieldError("actionId", ErrorCode.NOT_FOUND, f"no action {data.action_id!r} in this plan"))
    errors += await link_errors(context, view.employee, data)
    if errors:
        return Outcome(errors=errors)
    at = clock.now()
    fields = {"kind": data.kind.value, "title": data.title.strip(), "ownerId": owner_id,
              "dueOn": data.due_on.isoformat() if data.due_on else None, "status": data.status.value,
              "notes": data.notes or "", "competencyId": data.competency_id, "goalId": data.goal_id,
              "updatedAt": at, "updatedById": viewer.employee_id}
    pid = plan_id(employee_id)
    if existing is None:
        action_id = new_id()
        await growth_store.add_action(signed_in.store, pid, employee_id,
                                      {"_id": action_id, **fields, "createdAt": at, "createdById": viewer.employee_id},
                                      at)
    else:
        action_id = existing["_id"]
        if not await growth_store.update_action(signed_in.store, pid, action_id, fields, at):
            return Outcome.refused("actionId", ErrorCode.NOT_FOUND, f"no action {action_id!r} in this plan")
    await plan_changed(signed_in, employee_id, GrowthPlanChange.ACTION_SAVED, actionId=action_id)
    after = await reread(context, employee_id)
    action = next(a for a in (after.plan or {}).get("actions", []) if a["_id"] == action_id)
    return Outcome(extra={"view": after, "action": action})
