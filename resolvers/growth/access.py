"""The growth domain's public accessor: the one way other domains (exits, compensation) read growth.

Every function answers as the growth rules (``models/growth/permissions.py``) let the viewer see: a plan
the viewer may not read is ``None``, and a leaver's open work is refused to anyone but the people who
oversee them (their management chain and HR admins).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from models.core import clock
from models.core.documents import Document
from models.growth.permissions import oversees
from models.growth.promotions import HR_STEP, ProposalStatus, current_step
from models.growth.rules import ActionStatus, GrowthPlanChange
from resolvers.core.context import Context, require
from resolvers.core.errors import Forbidden
from resolvers.growth.channels import plan_changed
from resolvers.growth.promotions import visible as visible_proposals
from resolvers.growth.visibility import plan_view, plan_views
from resolvers.org.access import employees, known_employee
from store.core.repository import TenantStore
from store.growth import repository as growth_store

OPEN_WORK_REFUSAL = "a person's open growth work is visible to their managers and HR admins"


@dataclass(frozen=True)
class OpenWork:
    """What a leaver leaves open in growth: the active mentorships in which they mentor someone and
    those in which they are mentored (documents without session notes, which stay the pair's), and the
    succession slots naming them (``positionId``, ``rank``, ``emergency``, ``status`` of each)."""

    mentoring: list[Document]
    mentored_by: list[Document]
    succession_slots: list[Document]


async def open_work_of(context: Context, employee_id: str) -> OpenWork:
    """The person's active mentorships, both ways; :class:`Forbidden` unless the viewer oversees them,
    :class:`BadUserInput` for someone not in the viewer's organisation."""
    signed_in = await require(context)
    employee = await known_employee(context, employee_id)
    if not oversees(signed_in.viewer, employee) or (employee_id == signed_in.viewer.employee_id \
            and not signed_in.viewer.is_hr_admin):
        raise Forbidden(OPEN_WORK_REFUSAL)
    found = await growth_store.mentorships_of(signed_in.store, [employee_id])
    slots = [{**slot, "positionId": plan["positionId"]}
             for plan in await growth_store.plans_naming(signed_in.store, employee_id)
             for slot in plan["successors"] if slot.get("employeeId") == employee_id]
    return OpenWork(mentoring=[m for m in found if m["mentorId"] == employee_id],
                    mentored_by=[m for m in found if m["menteeId"] == employee_id], succession_slots=slots)


async def growth_plan_of(context: Context, employee_id: str) -> Document | None:
    """The person's growth plan (targets, actions) if the viewer may read it and one was written."""
    signed_in = await require(context)
    view = await plan_view(context, employee_id)
    return view.plan if view.readable_by(signed_in.viewer) else None


async def have_growth_plans(context: Context, employee_ids: Sequence[str]) -> dict[str, bool | None]:
    """Whether each person has a growth plan, for the viewer: ``True``/``False`` where the viewer may read the
    person's plan, ``None`` (unknown) where they may not or the person is not in their organisation. Two batched
    loads whatever the number of people."""
    signed_in = await require(context)
    found: dict[str, bool | None] = dict.fromkeys(employee_ids)
    for view in await plan_views(context, await employees(context, list(found))):
        if view.readable_by(signed_in.viewer):
            found[view.employee["_id"]] = view.plan is not None
    return found


async def approved_promotions(context: Context, employee_id: str | None = None) -> list[Document]:
    """Approved and applied promotion proposals the viewer may see (HR admins, the proposer, the approvers,
    the person's managers), newest first, optionally of one person: what compensation builds raises on.
    Each keeps ``employeeId``, ``fromPositionId``, ``toPositionId``, ``effectiveOn``, ``status`` and
    ``appliedOn`` once applied."""
    signed_in = await require(context)
    docs = await signed_in.store.promotionProposals.find(
        {"status": {"$in": [ProposalStatus.APPROVED.value, ProposalStatus.APPLIED.value]},
         **({"employeeId": employee_id} if employee_id else {})}, sort=[("createdAt", -1), ("_id", -1)])
    return await visible_proposals(context, docs)


@dataclass(frozen=True)
class DecisionWaiting:
    """For reminders: a pending promotion proposal, who decides its current step (a manager's id, or ``None`` for
    the organisation's HR admins: the HR step) and since when it has waited for them (the previous step's decision,
    else the proposal). Each decider may see the proposal (``can_see_proposal``: approvers and HR admins)."""

    proposal_id: str
    step: int
    approver_id: str | None
    since: date


async def decisions_waiting(store: TenantStore, limit: int = 5000) -> list[DecisionWaiting]:
    """For reminders (no viewer: the system reads): every pending promotion proposal of the organisation with the
    decider it waits for. One query; neither the justification nor the evidence is read."""
    docs = await store.promotionProposals.find({"status": ProposalStatus.PENDING.value},
                                               sort=[("createdAt", 1), ("_id", 1)], limit=limit,
                                               projection={"steps": 1, "createdAt": 1, "status": 1})
    waiting = []
    for doc in docs:
        step = current_step(doc)
        if step is None:
            continue
        before: datetime = doc["steps"][step - 1].get("decidedAt") if step else None
        since = (before or doc["createdAt"]).date()
        approver = doc["steps"][step]["approverId"]
        waiting.append(DecisionWaiting(doc["_id"], step, None if approver == HR_STEP else approver, since))
    return waiting


async def decided_promotion_dates(context: Context, employee_ids: Sequence[str]) -> dict[str, list[date]]:
    """The effective dates of each person's decided promotions (approved or applied) that the viewer may see
    (``can_see_proposal``: HR admins, the proposer, the approvers, the person's managers), oldest first; an empty
    list where there are none or none visible. One query, one batched load of the people."""
    signed_in = await require(context)
    found: dict[str, list[date]] = {id: [] for id in employee_ids}
    if not found:
        return found
    docs = await signed_in.store.promotionProposals.find(
        {"employeeId": {"$in": list(found)},
         "status": {"$in": [ProposalStatus.APPROVED.value, ProposalStatus.APPLIED.value]}},
        sort=[("effectiveOn", 1), ("_id", 1)])
    for doc in await visible_proposals(context, docs):
        found[doc["employeeId"]].append(date.fromisoformat(doc["effectiveOn"]))
    return found


EVIDENCE_KEPT = growth_store.EVIDENCE_KEPT
OPEN_ACTIONS = [ActionStatus.PLANNED.value, ActionStatus.IN_PROGRESS.value]


async def add_learning_evidence(context: Context, evidence: Sequence[Document]) -> list[str]:
    """Inside the caller's transaction (an xAPI request, acting as HR): each piece of learning evidence
    (``employeeId``, ``competencyId``, ``level``, ``activityId``, ``activityName``, ``achievedAt``, ``_id``) joins the
    ``evidence`` of the person's open development actions (planned or in progress) linked to its competency. One
    write per person and competency; the ids of the people whose plan changed, for
    :func:`learning_evidence_published` after the commit."""
    signed_in = await require(context)
    changed: list[str] = []
    at = clock.now()
    for item in evidence:
        entry = {"evidenceId": item["_id"], "source": item.get("source", "xapi"), "activityId": item["activityId"],
                 "activityName": item.get("activityName"), "level": item["level"], "achievedAt": item["achievedAt"]}
        if await growth_store.add_action_evidence(signed_in.store, item["employeeId"], item["competencyId"], entry, at,
                                                  OPEN_ACTIONS) and item["employeeId"] not in changed:
            changed.append(item["employeeId"])
    return changed


async def learning_evidence_published(context: Context, employee_ids: Sequence[str]) -> None:
    """After the commit of :func:`add_learning_evidence`: ``growthPlanChanged`` to each plan's readers."""
    signed_in = await require(context)
    for employee_id in employee_ids:
        await plan_changed(signed_in, employee_id, GrowthPlanChange.ACTION_SAVED)
