"""Mentorships: a mentor from outside the mentee's reporting line, within the mentor's capacity, and the
sessions the pair logs (their notes private to the two of them)."""

from __future__ import annotations

from datetime import date

from models.core import clock
from models.core.documents import Document, new_id
from models.core.errors import ErrorCode, FieldError
from models.core.validation import check_text
from models.growth.permissions import (
    can_end_mentorship,
    can_log_session,
    can_read_mentorship,
    can_read_session_notes,
    can_start_mentorship,
)
from models.growth.rules import DEFAULT_MAX_MENTEES, GrowthPlanChange, MentorshipStatus, check_mentorship
from resolvers.core.context import Context, require
from resolvers.core.errors import Forbidden
from resolvers.core.outcome import Outcome
from resolvers.growth.channels import plan_changed
from resolvers.org.access import employees, referenced
from store.core.repository import Duplicate
from store.growth import repository as growth_store

READ_REFUSAL = "a mentorship is visible to the pair, the mentee's managers and HR admins"
START_REFUSAL = "a mentorship is started by the mentee, their managers or an HR admin"
SESSION_REFUSAL = "only the mentor and the mentee log their sessions"


class Full(Exception):
    """Ends a transaction whose mentor has no capacity left (nothing it wrote stays)."""


async def readable_mentorships(context: Context, mentorships: list[Document]) -> list[Document]:
    """The mentorships among ``mentorships`` the viewer may read (their mentees loaded in one batch)."""
    viewer = (await require(context)).viewer
    mentees = {e["_id"]: e for e in await employees(context, [m["menteeId"] for m in mentorships])}
    return [m for m in mentorships
            if m["menteeId"] in mentees and can_read_mentorship(viewer, m, mentees[m["menteeId"]])]


async def mentorship(context: Context, id: str) -> Document | None:
    """One mentorship the viewer may read (``node(id:)``), else ``None``."""
    doc = await (await require(context)).store.mentorships.get(id)
    return next(iter(await readable_mentorships(context, [doc])), None) if doc is not None else None


async def session(context: Context, mentorship_id: str, id: str) -> Document | None:
    """One session of a mentorship, for the pair only (as ``Mentorship.sessions``), else ``None``."""
    held = await mentorship(context, mentorship_id)
    signed_in = await require(context)
    if held is None or not can_read_session_notes(signed_in.viewer, held):
        return None
    docs = await signed_in.loaders.growth.sessions_by_mentorship_id.load(mentorship_id)
    return next((d for d in docs if d["_id"] == id), None)


async def start_mentorship(context: Context, mentor_id: str, mentee_id: str, goals: str | None,
                           starts_on: date | None, ends_on: date | None) -> Outcome:
    signed_in = await require(context)
    errors: list[FieldError] = []
    mentee = await referenced(context, "employee", mentee_id, "menteeId", errors, active=True)
    if mentee is not None and not can_start_mentorship(signed_in.viewer, mentee):
        raise Forbidden(START_REFUSAL)
    mentor = await referenced(context, "employee", mentor_id, "mentorId", errors, active=True)
    if mentor is None or mentee is None:
        return Outcome(errors=errors)
    starts_on = starts_on or clock.today()
    errors = check_mentorship(mentor, mentee, goals, starts_on, ends_on)
    if errors:
        return Outcome(errors=errors)
    document = {"_id": new_id(), "mentorId": mentor_id, "menteeId": mentee_id, "goals": (goals or "").strip(),
                "startsOn": starts_on.isoformat(), "endsOn": ends_on.isoformat() if ends_on else None,
                "status": MentorshipStatus.ACTIVE.value, "startedById": signed_in.viewer.employee_id,
                "createdAt": clock.now()}
    store = signed_in.store
    capacity = int((await growth_store.settings(store)).get("maxMenteesPerMentor", DEFAULT_MAX_MENTEES))

    async def step() -> None:
        # the pair as they are now (a move into the mentee's reporting line committed since the first
        # read is seen here); the mentor's counter makes two starts for one mentor conflict
        now_mentor = await store.employees.get(mentor_id)
        now_mentee = await store.employees.get(mentee_id)
        if now_mentor is None or now_mentee is None or check_mentorship(now_mentor, now_mentee, goals, starts_on,
                                                                        ends_on):
            raise Full("reporting line")
        if not await growth_store.take_mentor_slot(store, mentor_id, capacity):
            raise Full("capacity")
        await store.mentorships.insert(document)

    try:
        await store.transaction(step)
    except Full as reason:
        if str(reason) == "capacity":
            return Outcome.refused("mentorId", ErrorCode.INVALID,
                                   f"{mentor['name']} already mentors {capacity} people")
        return Outcome.refused("mentorId", ErrorCode.INVALID, "a mentor comes from outside the mentee's reporting line")
    except Duplicate:
        return Outcome.refused("mentorId", ErrorCode.DUPLICATE, f"{mentor['name']} already mentors this person")
    await plan_changed(signed_in, mentee_id, GrowthPlanChange.MENTORSHIP_CHANGED, mentorshipId=document["_id"])
    return Outcome(await store.mentorships.get(document["_id"]))


async def mentorship_with_mentee(context: Context, mentorship_id: str,
                                 errors: list[FieldError]) -> tuple[Document | None, Document | None]:
    """The mentorship and its mentee, or NOT_FOUND in ``errors``; :class:`Forbidden` for one the viewer
    may not read."""
    signed_in = await require(context)
    mentorship = await signed_in.store.mentorships.get(mentorship_id)
    mentee = (await employees(context, [mentorship["menteeId"]]) or [None])[0] if mentorship else None
    if mentorship is None or mentee is None:
        errors.append(FieldError("mentorshipId", ErrorCode.NOT_FOUND,
                                 f"no mentorship {mentorship_id!r} in your organisation"))
        return None, None
    if not can_read_mentorship(signed_in.viewer, mentorship, mentee):
        raise Forbidden(READ_REFUSAL)
    return mentorship, mentee


async def end_mentorship(context: Context, mentorship_id: str, ends_on: date | None) -> Outcome:
    signed_in = await require(context)
    errors: list[FieldError] = []
    mentorship, mentee = await mentorship_with_mentee(context, mentorship_id, errors)
    if mentorship is None or mentee is None:
        return Outcome(errors=errors)
    if not can_end_mentorship(signed_in.viewer, mentorship, mentee):
        raise Forbidden(READ_REFUSAL)
    ends_on = ends_on or clock.today()
    if ends_on.isoformat() < mentorship["startsOn"]:
        return Outcome.refused("endsOn", ErrorCode.INVALID, "a mentorship ends after it starts")
    store = signed_in.store

    async def step() -> bool:
        ended = await growth_store.end_mentorship(store, mentorship_id, {
            "status": MentorshipStatus.ENDED.value, "endsOn": ends_on.isoformat(),
            "endedById": signed_in.viewer.employee_id, "endedAt": clock.now()})
        if ended:
            await growth_store.release_mentor_slot(store, mentorship["mentorId"])
        return ended

    if not await store.transaction(step):
        return Outcome.refused("mentorshipId", ErrorCode.INVALID_TRANSITION, "this mentorship has already ended")
    await plan_changed(signed_in, mentorship["menteeId"], GrowthPlanChange.MENTORSHIP_CHANGED,
                       mentorshipId=mentorship_id)
    return Outcome(await store.mentorships.get(mentorship_id))


async def log_mentoring_session(context: Context, mentorship_id: str, held_on: date | None,
                                notes: str | None) -> Outcome:
    """A session of an active mentorship, by the mentor or the mentee; ``extra["session"]`` is the session."""
    signed_in = await require(context)
    errors = check_text(notes, "notes")
    mentorship, _ = await mentorship_with_mentee(context, mentorship_id, errors)
    if mentorship is None:
        return Outcome(errors=errors)
    if not can_log_session(signed_in.viewer, mentorship):
        raise Forbidden(SESSION_REFUSAL)
    held_on = held_on or clock.today()
    if held_on.isoformat() < mentorship["startsOn"]:
        errors.append(FieldError("heldOn", ErrorCode.INVALID, "a session is held after the mentorship starts"))
    if mentorship["status"] != MentorshipStatus.ACTIVE.value:
        errors.append(FieldError("mentorshipId", ErrorCode.READ_ONLY, "this mentorship has ended"))
    if errors:
        return Outcome(errors=errors)
    session = {"_id": new_id(), "mentorshipId": mentorship_id, "heldOn": held_on.isoformat(),
               "notes": notes or "", "loggedById": signed_in.viewer.employee_id, "createdAt": clock.now()}
    store = signed_in.store

    async def step() -> bool:
        # counting the session is a write conditional on the mentorship being active, in the same
        # transaction as the insert: a concurrent end conflicts with it, so no session lands on a
        # mentorship ended meanwhile
        if not await growth_store.count_session(store, mentorship_id):
            return False
        await store.mentoringSessions.insert(session)
        return True

    if not await store.transaction(step):
        return Outcome.refused("mentorshipId", ErrorCode.READ_ONLY, "this mentorship has ended")
    context.fresh_loaders()  # no event: the notes are the pair's alone
    return Outcome(mentorship, extra={"session": {**session, "organizationId": store.organization_id}})
