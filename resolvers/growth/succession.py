"""Succession plans: successors with live readiness, bench strength, risks, and ``successionChanged``.

A successor who has left shows as ``left`` and counts for nothing; one who now holds the position shows
as ``moved``. Both are read live from the org chart, so the plan is right the moment they change.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from models.core import clock
from models.core.documents import Document, new_id
from models.core.errors import ErrorCode, FieldError
from models.core.viewer import Viewer
from models.growth.permissions import can_see_succession
from models.growth.readiness import ReadinessLevel
from models.growth.succession import (
    BenchStrength,
    SuccessionChange,
    SuccessorStatus,
    bench_strength,
    check_successors,
    plan_id,
)
from models.org.rules import EmployeeStatus
from resolvers.core.context import Context, require
from resolvers.core.errors import BadUserInput, Forbidden
from resolvers.core.outcome import Outcome
from resolvers.core.streams import stream
from resolvers.growth import departures as departures  # registers growth's departure step with org
from resolvers.growth.channels import succession_channel, succession_published
from resolvers.growth.readiness import ReadinessView, readiness_of_pairs
from resolvers.org.access import employees, holders, org_chart_channel, positions, referenced
from resolvers.reviews.access import review_results_channel
from store.growth import repository as growth_store

REFUSAL = "succession plans are visible to HR admins and the management chain above the position"


@dataclass(frozen=True)
class SuccessorView:
    slot: Document
    employee: Document | None
    readiness: ReadinessView | None

    @property
    def left(self) -> bool:
        return self.employee is not None and self.employee.get("status") == EmployeeStatus.TERMINATED.value

    @property
    def moved(self) -> bool:
        """Holds the position now (promoted into it)."""
        return self.employee is not None and self.employee.get("positionId") == self.slot.get("positionId")

    @property
    def level(self) -> ReadinessLevel | None:
        if self.left or self.moved:
            return None
        if self.slot.get("externalName") is not None:
            return ReadinessLevel(self.slot["externalReadiness"]) if self.slot.get("externalReadiness") else None
        return self.readiness.readiness.level if self.readiness else None


@dataclass(frozen=True)
class SuccessionView:
    position: Document
    incumbents: list[Document]
    plan: Document | None
    successors: list[SuccessorView]

    @property
    def bench(self) -> BenchStrength:
        return bench_strength([s.level for s in self.successors if not s.left and not s.moved])


async def succession_views(context: Context, position_docs: list[Document]) -> list[SuccessionView]:
    """Plans, incumbents, successors and their readiness for many positions in a fixed number of calls;
    only the positions whose plans the viewer may see."""
    signed_in = await require(context)
    ids = [p["_id"] for p in position_docs]
    incumbents = await holders(context, ids)
    allowed = [p for p in position_docs if can_see_succession(signed_in.viewer, incumbents[p["_id"]])]
    saved = await growth_store.succession_plans(signed_in.store, [a["_id"] for a in allowed])
    plans = {p["positionId"]: p for p in saved}
    slots = [(p, s) for p in allowed for s in (plans.get(p["_id"]) or {}).get("successors", [])]
    people = {e["_id"]: e for e in await employees(context, [s["employeeId"] for _, s in slots if s.get("employeeId")])}
    pairs = [(people[s["employeeId"]], p) for p, s in slots if s.get("employeeId") in people]
    found = {(v.employee["_id"], v.position["_id"]): v
             for v in await readiness_of_pairs(context, pairs, for_succession=True) if v is not None}
    views = []
    for position in allowed:
        plan = plans.get(position["_id"])
        successors = [SuccessorView({**s, "positionId": position["_id"]}, people.get(s.get("employeeId") or ""),
                                    found.get((s.get("employeeId") or "", position["_id"])))
                      for s in (plan or {}).get("successors", [])]
        views.append(SuccessionView(position, incumbents[position["_id"]], plan, successors))
    return views


async def succession_plan(context: Context, position_id: str) -> SuccessionView:
    """One position's plan (empty if none was saved); :class:`Forbidden` unless the viewer may see it."""
    errors: list[FieldError] = []
    position = await referenced(context, "position", position_id, "positionId", errors)
    if position is None:
        raise BadUserInput(f"no position {position_id!r} in your organisation")
    views = await succession_views(context, [position])
    if not views:
        raise Forbidden(REFUSAL)
    return views[0]


async def succession_risks(context: Context) -> list[SuccessionView]:
    """The key positions (those with a succession plan) the viewer may see that have no successor ready now."""
    signed_in = await require(context)
    planned = {p["positionId"] for p in await growth_store.succession_plans(signed_in.store)}
    views = await succession_views(context, [p for p in await positions(context) if p["_id"] in planned])
    return [v for v in views if v.bench.at_risk]


async def save_succession_plan(context: Context, position_id: str, successors: list[dict[str, Any]],
                               version: int) -> Outcome:
    """Replace the plan's successors (rank = their order); a stale ``version`` is a CONFLICT."""
    signed_in = await require(context)
    errors: list[FieldError] = []
    position = await referenced(context, "position", position_id, "positionId", errors)
    if position is None:
        return Outcome(errors=errors)
    current = await succession_views(context, [position])
    if not current:
        raise Forbidden(REFUSAL)
    view = current[0]
    ids = [s["employeeId"] for s in successors if s.get("employeeId")]
    people_found = {e["_id"]: e for e in await employees(context, ids)}
    errors = check_successors(successors, people_found, {i["_id"] for i in view.incumbents}, position_id)
    known = int((view.plan or {}).get("version", 0))
    if version != known:
        errors.append(_stale(version, known))
    if errors:
        return Outcome(errors=errors)
    at, by = clock.now(), signed_in.viewer.employee_id
    slots = [{"_id": new_id(), "employeeId": s.get("employeeId"), "externalName": (s.get("externalName") or None)
              and s["externalName"].strip(), "externalReadiness": s.get("externalReadiness"), "rank": i + 1,
              "emergency": bool(s.get("emergency")), "status": SuccessorStatus(s["status"]).value,
              "addedById": by, "addedAt": at} for i, s in enumerate(successors)]
    plan = {"_id": plan_id(position_id), "positionId": position_id, "successors": slots, "updatedAt": at,
            "updatedById": by}
    if not await growth_store.save_succession_plan(signed_in.store, plan, version):
        stored = (await growth_store.succession_plans(signed_in.store, [position_id]) or [{}])[0]
        return Outcome(errors=[_stale(version, int(stored.get("version", 0)))])
    await succession_published(signed_in, position_id, SuccessionChange.PLAN_SAVED)
    return Outcome(extra={"view": await succession_plan(context, position_id)})


def _stale(version: int, known: int) -> FieldError:
    return FieldError("version", ErrorCode.CONFLICT,
                      f"the plan changed since version {version} (now version {known}): reload it and retry")


Fingerprint = tuple[str | None, str | None, str | None]  # a successor's position, department and status


def fingerprints(view: SuccessionView) -> dict[str, Fingerprint]:
    """What a successor's org-chart changes are compared on, per successor id."""
    return {s.employee["_id"]: (s.employee.get("positionId"), s.employee.get("departmentId"), s.employee.get("status"))
            for s in view.successors if s.employee is not None}


def org_changes(before: dict[str, Fingerprint], now: dict[str, Fingerprint], named: list[str]
                ) -> list[tuple[str, SuccessionChange]]:
    """The successors among ``named`` whose position or department (``SUCCESSOR_MOVED``) or employment status
    (``EMPLOYMENT_CHANGED``) changed; leaving is left out: growth's departure step pushes ``SUCCESSOR_LEFT``."""
    changes = []
    for id in named:
        if id not in before or id not in now or before[id] == now[id]:
            continue
        if before[id][:2] != now[id][:2]:
            changes.append((id, SuccessionChange.SUCCESSOR_MOVED))
        elif now[id][2] != EmployeeStatus.TERMINATED.value:
            changes.append((id, SuccessionChange.EMPLOYMENT_CHANGED))
    return changes


async def succession_changed(context: Context, position_id: str) -> AsyncIterator[tuple[dict[str, Any],
                                                                                         SuccessionView]]:
    """Refused unless the viewer may see the plan; then each change with the plan as it is after it, the
    rule checked again for every event: growth's own (a plan saved, a successor's readiness assessed, a
    successor leaving) and, heard on the owning domains' public channels, a successor's review shared
    (``REVIEW_RESULT_CHANGED``: new evidence) and a successor's position, department or employment changed
    in the org chart (``SUCCESSOR_MOVED``, ``EMPLOYMENT_CHANGED``; promotions included)."""
    view = await succession_plan(context, position_id)
    organization_id = view.position["organizationId"]
    own = succession_channel(organization_id, position_id)
    results = review_results_channel(organization_id)
    seen = {"successors": fingerprints(view)}

    def concerned(message: dict[str, Any]) -> list[str]:
        ids = message.get("employeeIds") or ([message["employeeId"]] if message.get("employeeId") else [])
        return [id for id in ids if id in seen["successors"]]

    def wants(message: dict[str, Any]) -> bool:
        return message.get("channel") == own or bool(concerned(message))

    async def events(viewer: Viewer, message: dict[str, Any]) -> AsyncIterator[tuple[dict[str, Any], SuccessionView]]:
        named = concerned(message)
        found = await succession_views(context, [view.position])
        if not found:
            return
        before, seen["successors"] = seen["successors"], fingerprints(found[0])
        if message.get("channel") == own:
            yield message, found[0]
            return
        if message.get("channel") == results:
            changes = [(id, SuccessionChange.REVIEW_RESULT_CHANGED) for id in named]
        else:
            changes = org_changes(before, seen["successors"], named)
        for id, kind in changes:
            yield {"positionId": position_id, "kind": kind.value, "employeeId": id}, found[0]

    async for event in stream(context, own, events, wants=wants,
                              also=[org_chart_channel(organization_id), results]):
        yield event
