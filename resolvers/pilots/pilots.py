"""Pilots: start (apply the setting to the cohort), extend, revert (restore the earlier settings exactly) and adopt
(keep it and apply it to more departments). The setting is written through its owning domain's
accessor (``resolvers/pilots/practices.py``: check-ins or reviews), never by a copy of its rules.

Race-safety: starting and adopting bump the practice's lock document inside their transaction, so two concurrent
starts on one practice conflict; the one retried reads the other's pilot and is refused if they overlap.
Reverting, extending and adopting are conditional on the pilot still running (one transaction or one write).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from models.core import clock
from models.core.documents import Document, new_id
from models.core.errors import ErrorCode, FieldError
from models.org.rules import EmployeeStatus
from models.pilots.permissions import can_run_pilots, can_see_pilot
from models.pilots.rules import (
    PilotAction,
    PilotChange,
    PilotStatus,
    Practice,
    check_pilot,
    check_reason,
    decision,
    overlap_keys,
    overlapping,
)
from resolvers.core.context import Context, SignedIn, require, require_role
from resolvers.core.errors import BadUserInput, Forbidden
from resolvers.core.outcome import Outcome
from resolvers.org import access as org
from resolvers.pilots import practices
from resolvers.pilots.channels import publish_pilot_change
from store.pilots import repository as pilots_store

REFUSAL = "only HR admins run pilots"
NOT_VISIBLE = "pilots are visible to HR admins and to managers of their whole cohort"


class Overlap(Exception):
    def __init__(self, ids: list[str]) -> None:
        self.ids = ids


class NotRunning(Exception):
    """The pilot was ended meanwhile (aborts the transaction)."""


@dataclass(frozen=True)
class StartInput:
    name: str | None
    practice: Practice
    value: str | None
    department_ids: list[str]
    employee_ids: list[str]
    comparison_department_ids: list[str]
    ends_on: date | None
    reason: str | None = None


async def admin(context: Context) -> SignedIn:
    return await require_role(context, can_run_pilots, REFUSAL)


def _active(people: list[Document]) -> list[Document]:
    return [p for p in people if p.get("status") != EmployeeStatus.TERMINATED.value]


async def members(context: Context, department_ids: list[str]) -> list[Document]:
    """The people (who have not left) of these departments, in one batch."""
    signed_in = await require(context)
    groups = await signed_in.loaders.employees_by_department_id.load_many(department_ids)
    return _active([p for group in groups for p in group])


async def cohort_people(context: Context, pilot: Document, limit: int = 500) -> list[Document]:
    """The people the pilot's setting was changed for (fixed at its start), the first ``limit`` by id."""
    return await org.employees(context, pilot.get("affectedIds", [])[:limit])


async def comparison_ids(context: Context, pilot: Document) -> list[str]:
    """The comparison group now: the people of its departments, or everyone else who has not left."""
    departments = pilot["comparison"]["departmentIds"]
    if departments:
        return sorted(p["_id"] for p in await members(context, departments))
    affected = pilot.get("affectedIds", [])
    return [p["_id"] for p in _active(await org.people(context, excluded=affected))]


async def visible(context: Context, docs: list[Document]) -> list[Document]:
    """The pilots among ``docs`` the viewer may see (their cohorts loaded in one batch)."""
    signed_in = await require(context)
    if signed_in.viewer.is_hr_admin:
        return docs
    ids = sorted({id for d in docs for id in d.get("affectedIds", [])})  # batched by the loader
    people = {p["_id"]: p for p in await org.employees(context, ids)}
    return [d for d in docs if can_see_pilot(signed_in.viewer, d, [people[i] for i in d.get("affectedIds", [])
                                                                   if i in people])]


async def pilots(context: Context, status: PilotStatus | None) -> list[Document]:
    signed_in = await require(context)
    return await visible(context, await pilots_store.pilots(signed_in.store, status.value if status else None))


async def pilot(context: Context, id: str) -> Document | None:
    signed_in = await require(context)
    doc = await signed_in.loaders.pilots.pilot_by_id.load(id)
    return (await visible(context, [doc]) or [None])[0] if doc is not None else None


async def known_pilot(context: Context, id: str) -> Document:
    """A pilot the viewer may see; BAD_USER_INPUT for an unknown id, FORBIDDEN for one they may not."""
    signed_in = await require(context)
    doc = await signed_in.loaders.pilots.pilot_by_id.load(id)
    if doc is None:
        raise BadUserInput(f"no pilot {id!r} in your organisation")
    if not await visible(context, [doc]):
        raise Forbidden(NOT_VISIBLE)
    return doc


async def _check_references(context: Context, data: StartInput, errors: list[FieldError]) -> list[Document]:
    known = {d["_id"] for d in await org.departments(context)}
    for field, ids in (("departmentIds", data.department_ids), ("comparisonDepartmentIds",
                                                                data.comparison_department_ids)):
        errors += [FieldError(field, ErrorCode.NOT_FOUND, f"no department {id!r} in your organisation")
                   for id in ids if id not in known]
    people = await org.employees(context, data.employee_ids)
    found = {p["_id"]: p for p in _active(people)}
    errors += [FieldError("employeeIds", ErrorCode.NOT_FOUND, f"no employee {id!r} in your organisation")
               for id in data.employee_ids if id not in found]
    if data.department_ids and not errors:
        return await members(context, data.department_ids)
    return list(found.values())


async def start(context: Context, data: StartInput) -> Outcome:
    signed_in = await admin(context)
    store, today = signed_in.store, clock.today()
    errors = check_pilot(data.name, data.department_ids, data.employee_ids, data.comparison_department_ids,
                         data.ends_on, today)
    if data.reason is not None:
        errors += check_reason(data.reason)
    value, value_errors = await practices.check_value(context, data.practice.value, data.value,
                                                             people=bool(data.employee_ids))
    errors += value_errors
    cohort = await _check_references(context, data, errors) if not errors else []
    if errors:
        return Outcome(errors=errors)
    affected = sorted(p["_id"] for p in cohort)
    keys = overlap_keys(data.department_ids, affected)
    practice = data.practice.value
    pilot_id, at = new_id(), clock.now()

    async def step() -> Document:
        await pilots_store.bump_lock(store, practice)
        clash = overlapping(keys, practice, await pilots_store.running(store, practice))
        if clash:
            raise Overlap(clash)
        earlier = await practices.current(context, practice, data.department_ids, data.employee_ids)
        await practices.apply(context, practice, {part: dict.fromkeys(ids, value)
                                                          for part, ids in earlier.items()})
        doc = {"_id": pilot_id, "name": (data.name or "").strip(), "practice": practice, "value": value,
               "cohort": {"departmentIds": sorted(data.department_ids), "employeeIds": sorted(data.employee_ids)},
               "affectedIds": affected, "overlapKeys": keys,
               "comparison": {"departmentIds": sorted(data.comparison_department_ids)},
               "startsOn": today.isoformat(), "endsOn": data.ends_on.isoformat() if data.ends_on else None,
               "status": PilotStatus.RUNNING.value, "earlier": earlier, "adopted": {},
               "decisions": [decision(PilotAction.START, signed_in.viewer.employee_id, at, data.reason)],
               "createdAt": at}
        return await store.pilots.insert(doc)

    try:
        doc = await store.transaction(step)
    except Overlap as overlap:
        return Outcome.refused("cohort", ErrorCode.CONFLICT, "a running pilot changes this setting for some of "
                               "the same departments or people: " + ", ".join(overlap.ids), overlapping=overlap.ids)
    await publish_pilot_change(context, PilotChange.STARTED, pilot_id)
    return Outcome(doc)


async def _running(context: Context, pilot_id: str, errors: list[FieldError]) -> Document | None:
    doc = await (await require(context)).store.pilots.get(pilot_id)
    if doc is None:
        errors.append(FieldError("pilotId", ErrorCode.NOT_FOUND, f"no pilot {pilot_id!r} in your organisation"))
    elif doc["status"] != PilotStatus.RUNNING.value:
        errors.append(FieldError("pilotId", ErrorCode.INVALID_TRANSITION, f"this pilot was {doc['status']}"))
        return None
    return doc


def _ended() -> Outcome:
    return Outcome.refused("pilotId", ErrorCode.INVALID_TRANSITION, "this pilot was ended meanwhile")


async def extend(context: Context, pilot_id: str, ends_on: date | None, reason: str | None) -> Outcome:
    """A later end date (one conditional write)."""
    signed_in = await admin(context)
    errors = check_reason(reason)
    doc = await _running(context, pilot_id, errors)
    if doc is not None and (ends_on is None or ends_on.isoformat() <= doc["endsOn"]):
        errors.append(FieldError("endsOn", ErrorCode.INVALID, "extending moves the end date later"))
    if errors or doc is None or ends_on is None:
        return Outcome(errors=errors)
    entry = decision(PilotAction.EXTEND, signed_in.viewer.employee_id, clock.now(), reason,
                     endsOn=ends_on.isoformat(), previousEndsOn=doc["endsOn"])
    if not await signed_in.store.pilots.update(pilot_id, {"endsOn": ends_on.isoformat()}, push={"decisions": entry},
                                               where={"status": PilotStatus.RUNNING.value}):
        return _ended()
    await publish_pilot_change(context, PilotChange.EXTENDED, pilot_id)
    return Outcome({**doc, "endsOn": ends_on.isoformat(), "decisions": [*doc["decisions"], entry]})


async def revert(context: Context, pilot_id: str, reason: str | None) -> Outcome:
    """Restore the settings recorded at the start, exactly, and end the pilot (one transaction)."""
    signed_in = await admin(context)
    store = signed_in.store
    errors = check_reason(reason)
    doc = await _running(context, pilot_id, errors)
    if errors or doc is None:
        return Outcome(errors=errors)
    at = clock.now()
    entry = decision(PilotAction.REVERT, signed_in.viewer.employee_id, at, reason)
    changes = {"status": PilotStatus.REVERTED.value, "endedOn": at.date().isoformat()}

    async def step() -> None:
        if not await store.pilots.update(pilot_id, changes, push={"decisions": entry},
                                         where={"status": PilotStatus.RUNNING.value}):
            raise NotRunning
        await practices.apply(context, doc["practice"], doc["earlier"])

    try:
        await store.transaction(step)
    except NotRunning:
        return _ended()
    await publish_pilot_change(context, PilotChange.REVERTED, pilot_id)
    return Outcome({**doc, **changes, "decisions": [*doc["decisions"], entry]})


async def adopt(context: Context, pilot_id: str, department_ids: list[str], reason: str | None) -> Outcome:
    """Keep the piloted setting for the cohort and apply it to ``department_ids`` too (one transaction, refused
    if another running pilot changes the same setting for one of them)."""
    signed_in = await admin(context)
    store = signed_in.store
    errors = check_reason(reason)
    doc = await _running(context, pilot_id, errors)
    known = {d["_id"] for d in await org.departments(context)}
    errors += [FieldError("departmentIds", ErrorCode.NOT_FOUND, f"no department {id!r} in your organisation")
               for id in department_ids if id not in known]
    if errors or doc is None:
        return Outcome(errors=errors)
    people = sorted(p["_id"] for p in await members(context, department_ids))
    keys = overlap_keys(department_ids, people)
    at = clock.now()

    async def step() -> dict[str, Any]:
        await pilots_store.bump_lock(store, doc["practice"])
        clash = overlapping(keys, doc["practice"], await pilots_store.running(store, doc["practice"]), pilot_id)
        if clash:
            raise Overlap(clash)
        earlier = await practices.current(context, doc["practice"], sorted(department_ids), [])
        entry = decision(PilotAction.ADOPT, signed_in.viewer.employee_id, at, reason,
                         departmentIds=sorted(department_ids), earlier=earlier)
        changes = {"status": PilotStatus.ADOPTED.value, "endedOn": at.date().isoformat()}
        if not await store.pilots.update(pilot_id, changes, push={"decisions": entry},
                                         where={"status": PilotStatus.RUNNING.value}):
            raise NotRunning
        await practices.apply(context, doc["practice"],
                                      {"departments": dict.fromkeys(sorted(department_ids), doc["value"])})
        return {**doc, **changes, "decisions": [*doc["decisions"], entry]}

    try:
        after = await store.transaction(step)
    except NotRunning:
        return _ended()
    except Overlap as overlap:
        return Outcome.refused("departmentIds", ErrorCode.CONFLICT, "a running pilot changes this setting for "
                               "one of these departments: " + ", ".join(overlap.ids), overlapping=overlap.ids)
    await publish_pilot_change(context, PilotChange.ADOPTED, pilot_id)
    return Outcome(after)
