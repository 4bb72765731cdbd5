"""Growth reads and writes: career tracks, growth plans (one per person, actions embedded) and
mentorships with their sessions. Every write is one conditional update, or a step of a transaction."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import Any

from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from models.core.documents import Document
from models.growth.rules import MentorshipStatus
from store.core.loaders import ByIdLoader, ByParentLoader
from store.core.repository import REMOVED, Duplicate, TenantStore, kept_maps

ACTIVE = MentorshipStatus.ACTIVE.value


class CareerTrackByIdLoader(ByIdLoader):
    pass


class PlanByEmployeeIdLoader(ByParentLoader):
    """Each person's growth plan (a list of at most one)."""

    parent_field = "employeeId"
    sort = [("_id", 1)]


class MentorshipsByMenteeIdLoader(ByParentLoader):
    parent_field = "menteeId"
    sort = [("startsOn", 1), ("_id", 1)]


class MentorshipsByMentorIdLoader(ByParentLoader):
    parent_field = "mentorId"
    sort = [("startsOn", 1), ("_id", 1)]


class SessionsByMentorshipIdLoader(ByParentLoader):
    parent_field = "mentorshipId"
    sort = [("heldOn", -1), ("_id", -1)]


class AssessmentByIdLoader(ByIdLoader):
    """Managers' readiness assessments, by their (person, position) id."""


class GrowthLoaders:
    """The growth domain's loaders of one request (or subscription event)."""

    def __init__(self, store: TenantStore) -> None:
        self.track_by_id = CareerTrackByIdLoader(store.careerTracks)
        self.plan_by_employee_id = PlanByEmployeeIdLoader(store.growthPlans)
        self.mentorships_by_mentee_id = MentorshipsByMenteeIdLoader(store.mentorships)
        self.mentorships_by_mentor_id = MentorshipsByMentorIdLoader(store.mentorships)
        self.sessions_by_mentorship_id = SessionsByMentorshipIdLoader(store.mentoringSessions)
        self.assessment_by_id = AssessmentByIdLoader(store.readinessAssessments)


# career tracks

async def tracks(store: TenantStore) -> list[Document]:
    return await store.careerTracks.find(sort=[("name", 1), ("_id", 1)])


async def insert_track(store: TenantStore, track: Document) -> None:
    await store.careerTracks.insert(track)


async def replace_track(store: TenantStore, track: Document) -> bool:
    """Set every field of an existing track in one write; whether it exists."""
    return await store.careerTracks.update(track["_id"], {k: v for k, v in track.items() if k != "_id"})


# growth plans

async def _upsert_plan(store: TenantStore, plan_id: str, employee_id: str, update: dict[str, Any],
                       at: Any) -> None:
    """One conditional write on the person's plan, creating it if it does not exist. Two first writes at
    once: the loser of the upsert race gets a duplicate key and applies its change to the winner's plan."""
    update = {**update, "$setOnInsert": {"employeeId": employee_id, "targets": [], "actions": [],
                                         "sharedWithMentors": False, "createdAt": at}}
    set_fields = update.get("$set", {})
    update["$setOnInsert"] = {k: v for k, v in update["$setOnInsert"].items()
                              if k not in set_fields and k not in update.get("$push", {})}
    update["$inc"] = {"version": 1}
    filter = store.growthPlans.scope({"_id": plan_id})
    try:
        await store.growthPlans.collection.update_one(filter, update, upsert=True)
    except DuplicateKeyError:
        await store.growthPlans.collection.update_one(filter, update, upsert=True)


async def set_targets(store: TenantStore, plan_id: str, employee_id: str, targets: list[Document],
                      shared: bool | None, at: Any) -> None:
    """The plan's targets, and the ranking inputs' counter bumped, in one transaction."""
    changes: dict[str, Any] = {"targets": targets, "updatedAt": at}
    if shared is not None:
        changes["sharedWithMentors"] = shared

    async def step() -> None:
        await _upsert_plan(store, plan_id, employee_id, {"$set": changes}, at)
        plan = await store.growthPlans.get(plan_id, TARGET_FIELDS)
        kept = _targets(plan or {})
        await _bump_ranking_version(store, {"plans": {employee_id: kept if kept else REMOVED}})

    await store.transaction(step)


async def add_action(store: TenantStore, plan_id: str, employee_id: str, action: Document, at: Any) -> None:
    await _upsert_plan(store, plan_id, employee_id, {"$set": {"updatedAt": at}, "$push": {"actions": action}}, at)


async def update_action(store: TenantStore, plan_id: str, action_id: str, changes: Mapping[str, Any],
                        at: Any) -> bool:
    """Set ``changes`` on one embedded action, matched by its id in the same write; whether it was found."""
    update = {"$set": {**{f"actions.$.{k}": v for k, v in changes.items()}, "updatedAt": at}, "$inc": {"version": 1}}
    result = await store.growthPlans.collection.update_one(
        store.growthPlans.scope({"_id": plan_id, "actions._id": action_id}), update)
    return result.matched_count == 1


EVIDENCE_KEPT = 20  # the latest pieces of learning evidence an action keeps


async def add_action_evidence(store: TenantStore, employee_id: str, competency_id: str, entry: Document, at: Any,
                              open_statuses: list[str]) -> bool:
    """Push ``entry`` to the ``evidence`` of every open action (``open_statuses``) of the person's plan linked to
    ``competency_id``, in one write (array filters); whether any action took it."""
    update = {"$push": {"actions.$[linked].evidence": {"$each": [entry], "$slice": -EVIDENCE_KEPT}},
              "$set": {"updatedAt": at}, "$inc": {"version": 1}}
    result = await store.growthPlans.collection.update_one(
        store.growthPlans.scope({"employeeId": employee_id, "actions": {"$elemMatch": {
            "competencyId": competency_id, "status": {"$in": open_statuses}}}}),
        update, array_filters=[{"linked.competencyId": competency_id, "linked.status": {"$in": open_statuses}}])
    return result.modified_count == 1


# mentorships

async def mentorships_of(store: TenantStore, person_ids: Sequence[str]) -> list[Document]:
    """The active mentorships in which any of ``person_ids`` is mentor or mentee (one query)."""
    ids = list(person_ids)
    return await store.mentorships.find({"status": ACTIVE, "$or": [{"mentorId": {"$in": ids}},
                                                                   {"menteeId": {"$in": ids}}]},
                                        sort=[("startsOn", 1), ("_id", 1)])


async def take_mentor_slot(store: TenantStore, mentor_id: str, capacity: int) -> bool:
    """Inside a transaction: one more active mentee for the mentor, unless they already have ``capacity``.
    The counter document makes two concurrent starts conflict (one is retried and sees the other)."""
    loads = store.mentorLoads
    if await loads.get(mentor_id) is None:
        await loads.insert({"_id": mentor_id, "active": 0})
    result = await loads.collection.update_one(
        loads.scope({"_id": mentor_id, "active": {"$lt": capacity}}), {"$inc": {"active": 1}})
    return result.matched_count == 1


async def mentor_loads(store: TenantStore) -> dict[str, int]:
    """Every mentor's count of active mentees (one query)."""
    return {d["_id"]: int(d.get("active", 0)) for d in await store.mentorLoads.find(projection={"active": 1})}


async def release_mentor_slot(store: TenantStore, mentor_id: str) -> None:
    await store.mentorLoads.collection.update_one(
        store.mentorLoads.scope({"_id": mentor_id, "active": {"$gt": 0}}), {"$inc": {"active": -1}})


async def end_mentorship(store: TenantStore, mentorship_id: str, changes: Mapping[str, Any]) -> bool:
    """Inside a transaction: ends an active mentorship (a conditional write); whether it was active."""
    return await store.mentorships.update(mentorship_id, changes, where={"status": ACTIVE})


async def count_session(store: TenantStore, mentorship_id: str) -> bool:
    """One more session on an active mentorship (a conditional write); whether it was active."""
    result = await store.mentorships.collection.update_one(
        store.mentorships.scope({"_id": mentorship_id, "status": ACTIVE}), {"$inc": {"sessionCount": 1}})
    return result.matched_count == 1


# readiness and settings

async def settings(store: TenantStore) -> Document:
    """The organisation's growth settings (``{}`` until HR saves some)."""
    return await store.growthSettings.get(store.organization_id) or {}


async def save_assessment(store: TenantStore, assessment: Document) -> None:
    """Insert or replace the one assessment of a (person, position) in one write."""
    await store.readinessAssessments.collection.replace_one(
        store.readinessAssessments.scope({"_id": assessment["_id"]}),
        {**assessment, "organizationId": store.organization_id}, upsert=True)


async def save_settings(store: TenantStore, changes: Mapping[str, Any]) -> None:
    """Set some of the organisation's growth settings in one write (creating the document)."""
    await store.growthSettings.collection.update_one(
        store.growthSettings.scope({"_id": store.organization_id}), {"$set": dict(changes)}, upsert=True)


# succession plans

async def succession_plans(store: TenantStore, position_ids: Sequence[str] | None = None) -> list[Document]:
    """The plans of these positions (all the organisation's without ``position_ids``)."""
    query = {} if position_ids is None else {"positionId": {"$in": list(position_ids)}}
    return await store.successionPlans.find(query, sort=[("positionId", 1)])


async def plans_naming(store: TenantStore, employee_id: str) -> list[Document]:
    """The succession plans listing this person as a successor."""
    return await store.successionPlans.find({"successors.employeeId": employee_id}, sort=[("positionId", 1)])


async def save_succession_plan(store: TenantStore, plan: Document, version: int) -> bool:
    """Compare-and-set on the plan's version (0: it does not exist yet); whether the write was made."""
    collection = store.successionPlans
    if version == 0:
        try:
            await collection.insert({**plan, "version": 1})
        except Duplicate:  # another save created it first
            return False
        return True
    result = await collection.collection.update_one(
        collection.scope({"_id": plan["_id"], "version": version}),
        {"$set": {k: v for k, v in plan.items() if k != "_id"}, "$inc": {"version": 1}})
    return result.matched_count == 1


# promotion proposals

async def proposals(store: TenantStore, status: str | None = None) -> list[Document]:
    query = {} if status is None else {"status": status}
    return await store.promotionProposals.find(query, sort=[("createdAt", -1), ("_id", -1)])


async def last_applied_promotions(store: TenantStore, employee_ids: Sequence[str]) -> dict[str, Document]:
    """Each person's last applied promotion (one query for any number of people)."""
    if not employee_ids:
        return {}
    found: dict[str, Document] = {}
    for doc in await store.promotionProposals.find({"employeeId": {"$in": list(employee_ids)}, "status": "applied"},
                                                   sort=[("appliedOn", 1), ("_id", 1)]):
        found[doc["employeeId"]] = doc  # the latest wins
    return found


async def update_proposal(store: TenantStore, proposal_id: str, version: int, changes: Mapping[str, Any],
                          entry: Document) -> bool:
    """Compare-and-set on the proposal's version, its history entry pushed in the same write."""
    result = await store.promotionProposals.collection.update_one(
        store.promotionProposals.scope({"_id": proposal_id, "version": version}),
        {"$set": dict(changes), "$push": {"history": entry}, "$inc": {"version": 1}})
    return result.matched_count == 1


# talent ratings and rankings

async def save_talent_rating(store: TenantStore, employee_id: str, potential: int, by: str, at: Any,
                             note: str) -> None:
    """The person's potential rating, the previous value kept in its history, and the ranking inputs'
    counter bumped, in one transaction."""
    async def step() -> None:
        await store.talentRatings.collection.update_one(
            store.talentRatings.scope({"_id": f"talent-{employee_id}"}),
            {"$set": {"employeeId": employee_id, "potential": potential, "ratedById": by, "ratedAt": at,
                      "note": note},
             "$push": {"history": {"potential": potential, "byId": by, "at": at, "note": note}}}, upsert=True)
        await _bump_ranking_version(store, {"ratings": {employee_id: potential}})

    await store.transaction(step)


# The ranking inputs: every potential rating and every plan's targets, kept in one document per organisation
# (``growthRosters``: ``ratings.<employeeId>`` → potential, ``plans.<employeeId>`` → targets, plans without
# targets left out) as of the counter ``rankingVersion`` of its growth settings, which every write of a rating or
# of a plan's targets bumps in its transaction, setting the entry it wrote in a roster that was at the counter
# before (the plans' actions do not count in a ranking: they do not).
RANKING_VERSION = "rankingVersion"
RATING_FIELDS = {"employeeId": 1, "potential": 1}
TARGET_FIELDS = {"employeeId": 1, "targets.positionId": 1, "targets.willingToChangeDepartment": 1}
ROSTER_LIMIT = 40_000  # ratings and plans together, far below 16 MB; beyond it none is kept


def _targets(plan: Document) -> list[Document]:
    return list(plan.get("targets") or [])


async def _bump_ranking_version(store: TenantStore, changes: Mapping[str, Mapping[str, Any]]) -> None:
    """Inside a rating's or targets' transaction, after its write: ``rankingVersion`` bumped (V to V + 1) and
    ``changes`` (``ratings``/``plans`` → employee id → potential/targets, or ``REMOVED``) set in a ranking
    roster at V, with its version V + 1, in one conditional update; a roster at another version is left stale.
    Two such transactions conflict on the settings, so the patches are made one after the other."""
    settings = await store.growthSettings.collection.find_one_and_update(
        store.growthSettings.scope({"_id": store.organization_id}), {"$inc": {RANKING_VERSION: 1}},
        projection={RANKING_VERSION: 1}, upsert=True, return_document=ReturnDocument.AFTER)
    version = int(settings[RANKING_VERSION])
    await store.growthRosters.patch_maps_at(store.organization_id, version - 1, changes, limit=ROSTER_LIMIT)


async def _save_ranking_roster(store: TenantStore, version: int, potential: dict[str, Any],
                               targets: dict[str, list[Document]]) -> bool:
    """One conditional write that replaces only an older roster; ``False`` if it kept nothing."""
    return await store.growthRosters.replace_maps_if_older(
        store.organization_id, version, {"ratings": potential, "plans": targets}, limit=ROSTER_LIMIT)


async def ranking_inputs(store: TenantStore, position_id: str) -> dict[str, Any]:
    """What a ranking reads from growth for the whole organisation, with only the fields it scores: the
    settings, the readiness for the position and its tracks, side by side with ``potential`` (employee id →
    potential rating) and ``targets`` (employee id → the targets of a plan that has some), which come from the
    organisation's ranking roster when it is as new as the settings' counter (read first, beside it); else
    they are read live (one query each) and the roster replaced in one conditional write. Store calls: 4
    (settings, roster, readiness, tracks), 7 when the roster is stale."""
    async def ratings_and_plans() -> tuple[Document, dict[str, Any], dict[str, list[Document]]]:
        settings, kept = await asyncio.gather(store.growthSettings.get(store.organization_id),
                                              store.growthRosters.get(store.organization_id))
        version = int((settings or {}).get(RANKING_VERSION, 0))
        maps = kept_maps(kept, ("ratings", "plans"))
        if kept is not None and maps is not None and kept["version"] >= version:
            return settings or {}, maps["ratings"], maps["plans"]
        ratings, plans = await asyncio.gather(store.talentRatings.find(projection=RATING_FIELDS),
                                              store.growthPlans.find(projection=TARGET_FIELDS))
        potential = {r["employeeId"]: r["potential"] for r in ratings}
        targets = {p["employeeId"]: _targets(p) for p in plans if _targets(p)}
        await _save_ranking_roster(store, version, potential, targets)
        return settings or {}, potential, targets

    (settings, potential, targets), assessments, tracks = await asyncio.gather(
        ratings_and_plans(),
        store.readinessAssessments.find({"positionId": position_id}, projection={"employeeId": 1, "level": 1,
                                                                                 "assessedAt": 1}),
        store.careerTracks.find({"steps.positionId": position_id}, projection={"steps.positionId": 1}))
    return {"settings": settings, "potential": potential, "targets": targets, "assessments": assessments,
            "tracks": tracks}
