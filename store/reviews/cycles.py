"""Launching a review cycle in one step, and the cycle-wide counts (progress, overdue, distribution).

A launch writes, in this order, each step safe to repeat:

1. in one transaction, lock the template (from now on an edit creates a new version, so issued forms never
   change) and mark the cycle ``launching``; the plan is made from the template as locked;
2. insert the reviews not stored yet, in one unordered bulk insert;
3. insert the forms not stored yet, in one unordered bulk insert;
4. mark the cycle ``active``.

Ids are deterministic (cycle + employee [+ reviewer + kind]), so a second launch inserts nothing and
a launch that stopped anywhere completes when run again; duplicate-key errors from a concurrent
launch are ignored for the same reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from models.core.documents import Document
from models.reviews.cycles import LaunchPlan, LaunchResult, eligibility, plan_launch
from models.reviews.overrides import template_id_for
from models.reviews.rules import PHASE_OF_KIND, CycleStatus, FormState, review_id
from store.core.repository import TenantStore
from store.reviews.overrides import override_map
from store.reviews.repository import LIVE_FORM, insert_missing

EMPLOYEE_FIELDS = {"status": 1, "hireDate": 1, "departmentId": 1, "managerId": 1}
BY_ID = [("_id", 1)]
REVIEWER_FIELDS = {"employeeId": 1, "managerId": 1, "peerIds": 1, "upwardIds": 1, "templateId": 1,
                   "departmentId": 1}


async def _begin(store: TenantStore, cycle: Mapping[str, Any], template: Mapping[str, Any], by: str,
                 now: Any) -> Document:
    """Lock the template and mark a draft cycle ``launching``, together; the template as locked (an edit
    in place that landed before the lock is in it, and none can land after)."""
    async def step() -> Document:
        await store.reviewTemplates.update(template["_id"], {"locked": True})
        locked = await store.reviewTemplates.get(template["_id"])
        if cycle.get("status") == CycleStatus.DRAFT:
            await store.reviewCycles.update(cycle["_id"], {"status": CycleStatus.LAUNCHING.value, "launchedAt": now,
                                                           "launchedById": by},
                                            where={"status": CycleStatus.DRAFT.value})
        return locked or dict(template)

    return await store.transaction(step)


async def _override_templates(store: TenantStore, cycle: Mapping[str, Any], template: Mapping[str, Any],
                              employees: list[Document], departments: list[Document],
                              existing: Mapping[str, Document]
                              ) -> tuple[dict[tuple[str, str], str], dict[str, Document]]:
    """The organisation's review template overrides (those whose template still exists) and the templates the
    cycle's new and existing reviews use; the override templates new reviews get are locked first (as the
    cycle's is: issued forms never change)."""
    overrides = await override_map(store)
    chosen, _ = eligibility(cycle, employees, departments)
    new = [e for e in chosen if review_id(cycle["_id"], e["_id"]) not in existing]
    used = {template_id_for(e, overrides, template["_id"]) for e in new} - {template["_id"]}
    wanted = sorted(used | {r["templateId"] for r in existing.values()} - {template["_id"]})
    if not wanted:
        return {}, {}
    await store.reviewTemplates.update_each({id: {"locked": True} for id in sorted(used)})
    templates = {t["_id"]: t for t in await store.reviewTemplates.by_ids(wanted)}
    return {k: v for k, v in overrides.items() if v in templates or v == template["_id"]}, templates


async def launch(store: TenantStore, cycle: Mapping[str, Any], template: Mapping[str, Any], by: str,
                 now: Any) -> LaunchResult:
    first = cycle.get("status") == CycleStatus.DRAFT
    if first or not template.get("locked"):
        template = await _begin(store, cycle, template, by, now)
    # a launch that completed wrote every form of its reviews; one that stopped part-way may not have
    completed = cycle.get("status") in (CycleStatus.ACTIVE, CycleStatus.CLOSED)
    employees = await store.employees.find(sort=BY_ID, projection=EMPLOYEE_FIELDS)
    departments = await store.departments.find(sort=BY_ID, projection={"parentId": 1})
    existing: dict[str, Document] = {}
    if not first:
        for review in await store.reviews.find({"cycleId": cycle["_id"]}, sort=BY_ID, projection=REVIEWER_FIELDS):
            existing[review["_id"]] = {**review, "cycleId": cycle["_id"]}
    overrides, templates = await _override_templates(store, cycle, template, employees, departments, existing)
    plan: LaunchPlan = plan_launch(cycle, template, employees, departments, existing, now, overrides, templates)
    created_reviews = await insert_missing(store.reviews, plan.reviews)
    forms = plan.forms
    if completed:  # only the reviews of people eligible since then need forms
        forms = [f for f in forms if f["reviewId"] not in existing]
    elif existing:
        stored = {f["_id"] for f in await store.reviewForms.find({"cycleId": cycle["_id"]}, projection={"_id": 1})}
        forms = [f for f in forms if f["_id"] not in stored]
    created_forms = await insert_missing(store.reviewForms, forms)
    async def activate() -> None:  # the launch's last write, and its outbox event with it
        if await store.reviewCycles.update(cycle["_id"], {"status": CycleStatus.ACTIVE.value}, where={
                "status": {"$in": [CycleStatus.DRAFT.value, CycleStatus.LAUNCHING.value]}}):
            store.record_event("cycle.launched", {"cycleId": cycle["_id"]})

    await store.transaction(activate)
    updated = await store.reviewCycles.get(cycle["_id"]) or dict(cycle)
    return LaunchResult(updated, len(plan.eligible), created_reviews, created_forms, len(plan.eligible),
                        len(plan.forms), plan.skipped)


async def progress_counts(store: TenantStore, cycle_id: str,
                          reviewee_ids: list[str] | None) -> list[tuple[str, str | None, str, int]]:
    """(phase, department id, form state, count) over the cycle's forms, counted by the server."""
    match: dict[str, Any] = {"cycleId": cycle_id, **LIVE_FORM}
    if reviewee_ids is not None:
        match["revieweeId"] = {"$in": reviewee_ids}
    pipeline = [{"$match": store.reviewForms.scope(match)},
                {"$group": {"_id": {"kind": "$kind", "department": "$departmentId", "state": "$state"},
                            "count": {"$sum": 1}}},
                {"$sort": {"_id.kind": 1, "_id.department": 1, "_id.state": 1}}]
    rows = await store.reviewForms.collection.aggregate(pipeline)
    return [(str(PHASE_OF_KIND[r["_id"]["kind"]]), r["_id"].get("department"), r["_id"]["state"], r["count"])
            for r in rows]


async def overdue_forms(store: TenantStore, cycle_id: str, kinds: Iterable[str],
                        reviewee_ids: list[str] | None) -> list[Document]:
    query: dict[str, Any] = {"cycleId": cycle_id, "kind": {"$in": list(kinds)},
                             "state": {"$in": [FormState.NOT_STARTED.value, FormState.IN_PROGRESS.value]}}
    if reviewee_ids is not None:
        query["revieweeId"] = {"$in": reviewee_ids}
    return await store.reviewForms.find(query, sort=[("kind", 1), ("revieweeId", 1), ("_id", 1)])


async def cycle_ratings(store: TenantStore, cycle_id: str, reviewee_ids: list[str] | None = None) -> list[Document]:
    query: dict[str, Any] = {"cycleId": cycle_id}
    if reviewee_ids is not None:
        query["employeeId"] = {"$in": reviewee_ids}
    return await store.reviews.find(query, sort=BY_ID, projection={"departmentId": 1, "state": 1, "score.rating": 1,
                                                                   "calibration.rating": 1})


async def ratings_by_employee(store: TenantStore, cycle_id: str, states: Iterable[str]) -> list[Document]:
    """The reviews of a cycle in ``states`` with what their final rating needs (for the compensation domain)."""
    return await store.reviews.find({"cycleId": cycle_id, "state": {"$in": list(states)}}, sort=BY_ID,
                                    projection={"employeeId": 1, "score.rating": 1, "calibration.rating": 1})
