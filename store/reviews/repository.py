"""Review reads and writes: loaders, the versioned answer write, form transitions and scores.

Writes that must agree with what else is stored run inside ``store.transaction`` steps of the resolvers
(``resolvers/reviews/``), which read the documents again in the step; the writes here are also each
conditional on what they replace, so a step retried after a conflict never applies a write twice:

- an answer is written only if its version is still the one the editor started from
  (``answers.<qid>.version`` in the filter; ``answers.<qid>`` absent for a first answer), and only while
  the form is open and its review in the state the editor's right was checked against (``reviewState``):
  one conditional write, outside any transaction;
- a form is submitted or reopened only from the state the caller saw;
- a review moves only from the state the caller saw, and writes its new state on each of its forms
  (``reviewState``): every transaction that writes a form of the review conflicts with the move;
- a review's stored score is replaced only by one computed from a later state of its forms:
  every answer write bumps its form's ``revision``, the score keeps the sum of the revisions it was
  computed from (``scoreBasis``) and is written only over a smaller one. The recompute that reads
  last sees every write, so the stored score converges to the score of the final answers.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pymongo import ReturnDocument
from pymongo.errors import BulkWriteError
from strawberry.dataloader import DataLoader

from models.core.documents import Document
from models.reviews.competencies import assessed_levels
from models.reviews.rules import SHARED_STATES, FormState, QuestionKind, ReviewerKind, questions_for
from models.reviews.scores import overall_score
from store.core.loaders import MAX_BATCH, ByIdLoader, ByParentLoader
from store.core.repository import TenantCollection, TenantStore

WITHDRAWN = "withdrawn"  # a peer form whose reviewer was un-nominated before starting: kept, never shown
LIVE_FORM = {"state": {"$ne": WITHDRAWN}}
FORM_ORDER = [("kind", 1), ("reviewerId", 1), ("_id", 1)]
EARLIEST = datetime.min.replace(tzinfo=UTC)
SCORE_FIELDS = {"kind": 1, "answers": 1, "revision": 1, "state": 1}


class CompetencyByIdLoader(ByIdLoader):
    pass


class ExpectationsByPositionIdLoader(ByParentLoader):
    parent_field = "positionId"
    sort = [("competencyId", 1)]


class TemplateByIdLoader(ByIdLoader):
    pass


class CycleByIdLoader(ByIdLoader):
    pass


class ReviewByIdLoader(ByIdLoader):
    pass


class FormByIdLoader(ByIdLoader):
    async def load_batch(self, ids: Sequence[str]) -> list[Document | None]:
        found = {d["_id"]: d for d in await self.collection.find({"_id": {"$in": list(ids)}, **LIVE_FORM})}
        return [found.get(id) for id in ids]


class FormsByReviewIdLoader(ByParentLoader):
    parent_field = "reviewId"
    extra = LIVE_FORM
    sort = FORM_ORDER


class LatestSharedReviewByEmployeeIdLoader(ByIdLoader):
    """Each employee's most recently shared review (shared or acknowledged), one query per batch."""

    async def load_batch(self, employee_ids: Sequence[str]) -> list[Document | None]:
        query = {"employeeId": {"$in": list(employee_ids)}, "state": {"$in": sorted(SHARED_STATES)}}
        latest: dict[str, Document] = {}
        for doc in await self.collection.find(query, sort=[("sharedAt", -1), ("_id", 1)]):
            latest.setdefault(doc["employeeId"], doc)
        return [latest.get(id) for id in employee_ids]


@dataclass(frozen=True)
class ProfileSources:
    """What one person's competency profile is made of."""

    expectations: list[Document]
    assessed: dict[str, int]
    review_id: str | None
    evidence: list[Document] = field(default_factory=list)  # learning evidence, oldest first


class ProfileSourcesByEmployeeIdLoader(DataLoader[str, ProfileSources]):
    """Expected levels (by position), the levels assessed in each person's last shared review and their
    learning evidence, for a whole batch of people in a fixed number of queries: people, expectations,
    reviews, their manager's forms and templates, evidence."""

    def __init__(self, store: TenantStore) -> None:
        self.store = store
        super().__init__(load_fn=self.load_batch, max_batch_size=MAX_BATCH)

    async def load_batch(self, employee_ids: Sequence[str]) -> list[ProfileSources]:
        store = self.store
        people = await store.employees.by_ids(employee_ids, projection={"positionId": 1})
        positions = {p["_id"]: p.get("positionId") for p in people}
        wanted = sorted({p for p in positions.values() if p})
        expectations: dict[str, list[Document]] = {}
        for doc in await store.positionCompetencies.find({"positionId": {"$in": wanted}}, sort=[("competencyId", 1)]):
            expectations.setdefault(doc["positionId"], []).append(doc)
        latest = await LatestSharedReviewByEmployeeIdLoader(store.reviews).load_batch(employee_ids)
        reviews = [r for r in latest if r is not None]
        assessed: dict[str, dict[str, int]] = {}
        if reviews:
            forms = {f["reviewId"]: f for f in await store.reviewForms.find(
                {"reviewId": {"$in": [r["_id"] for r in reviews]}, "kind": ReviewerKind.MANAGER.value, **LIVE_FORM},
        projection={"reviewId": 1, "answers": 1})}
            templates = {t["_id"]: t for t in await store.reviewTemplates.by_ids({r["templateId"] for r in reviews})}
            for review in reviews:
                template = templates.get(review["templateId"])
                assessed[review["_id"]] = assessed_levels(template, forms.get(review["_id"])) if template else {}
        evidence: dict[str, list[Document]] = {}
        for doc in await store.competencyEvidence.find({"employeeId": {"$in": list(employee_ids)}},
                                                       sort=[("achievedAt", 1), ("_id", 1)]):
            evidence.setdefault(doc["employeeId"], []).append(doc)
        return [ProfileSources(expectations.get(positions.get(id) or "", []),
                               assessed.get(review["_id"], {}) if review else {}, review["_id"] if review else None,
                               evidence.get(id, []))
                for id, review in zip(employee_ids, latest, strict=True)]


async def add_competency_evidence(store: TenantStore, documents: list[Document]) -> None:
    """Inside the caller's transaction: evidence on people's competency profiles."""
    if documents:
        scoped = store.competencyEvidence
        await scoped.collection.insert_many([{**d, "organizationId": scoped.organization_id} for d in documents],
                                            ordered=True)


class ReviewLoaders:
    """The review domain's loaders of one request (or one subscription event): ``context.loaders.reviews``."""

    def __init__(self, store: TenantStore) -> None:
        self.competency_by_id = CompetencyByIdLoader(store.competencies)
        self.expectations_by_position_id = ExpectationsByPositionIdLoader(store.positionCompetencies)
        self.template_by_id = TemplateByIdLoader(store.reviewTemplates)
        self.cycle_by_id = CycleByIdLoader(store.reviewCycles)
        self.review_by_id = ReviewByIdLoader(store.reviews)
        self.form_by_id = FormByIdLoader(store.reviewForms)
        self.forms_by_review_id = FormsByReviewIdLoader(store.reviewForms)
        self.profile_sources_by_employee_id = ProfileSourcesByEmployeeIdLoader(store)


# -- forms ---------------------------------------------------------------------------------------


async def live_form(store: TenantStore, form_id: str) -> Document | None:
    """The form as stored now, ``None`` if it is unknown or withdrawn."""
    return await store.reviewForms.collection.find_one(store.reviewForms.scope({"_id": form_id, **LIVE_FORM}))


async def write_answer(store: TenantStore, form_id: str, question_id: str, value: Any, base_version: int,
                       by: str, now: Any, review_state: str) -> Document | None:
    """Write one answer if its version is still ``base_version``, the form is live and open, and its review
    is still in ``review_state`` (the state the caller checked the writer's right against); the form after
    the write, or ``None`` when any of these no longer holds.

    One conditional update of one document (no transaction: nothing else is written with it, and every
    condition the caller checked that can change is in its filter), so of two editors starting from the
    same version exactly one succeeds and the other learns the current value (see the caller). The
    review's state is the form's ``reviewState``, which every move writes on each form of the review in
    its transaction; a form without it belongs to a review that has not moved since the form was issued,
    so is still in the state the caller read.
    """
    key = f"answers.{question_id}"
    where: dict[str, Any] = {"_id": form_id, "state": {"$in": [FormState.NOT_STARTED.value,
                                                                FormState.IN_PROGRESS.value]},
                             "reviewState": {"$in": [review_state, None]}}
    if base_version == 0:
        where[key] = {"$exists": False}
    else:
        where[f"{key}.version"] = base_version
    answer = {"value": value, "version": base_version + 1, "byId": by, "at": now}
    update = {"$set": {key: answer, "state": FormState.IN_PROGRESS.value, "updatedAt": now},
              "$inc": {"revision": 1}}
    forms = store.reviewForms
    return await forms.collection.find_one_and_update(forms.scope(where), update,
                                                      return_document=ReturnDocument.AFTER)


async def move_form(store: TenantStore, form: Mapping[str, Any], to: str, entry: Document, now: Any) -> bool:
    """Change a form's state from the one the caller read (and record why); False if it moved meanwhile."""
    changes: dict[str, Any] = {"state": to, "updatedAt": now}
    if to == FormState.SUBMITTED:
        changes["submittedAt"] = now
    return await store.reviewForms.update(form["_id"], changes, push={"history": entry},
                                          where={"state": form["state"]})


async def move_review(store: TenantStore, review: Mapping[str, Any], changes: Mapping[str, Any],
                      entry: Document) -> bool:
    """Move the review from the state the caller read (in a transaction step) and write the new state on
    each of its forms, so any transaction writing one of them meanwhile conflicts with this one; False if
    the review moved meanwhile."""
    if not await store.reviews.update(review["_id"], changes, push={"history": entry},
                                      where={"state": review["state"]}):
        return False
    await store.reviewForms.collection.update_many(store.reviewForms.scope({"reviewId": review["_id"]}),
                                                   {"$set": {"reviewState": changes["state"]}})
    return True


async def recompute_score(store: TenantStore, review: Mapping[str, Any],
                          template: Mapping[str, Any]) -> tuple[Document | None, Document] | None:
    """Score the review from its forms as they are now and store it unless a later state was stored.

    Returns (previous score, new score) when this call stored its score, else ``None``.
    """
    forms = await store.reviewForms.find({"reviewId": review["_id"]}, sort=FORM_ORDER, projection=SCORE_FIELDS)
    # withdrawn forms do not count in the score but their revisions do count in the basis: withdrawing
    # one bumps its revision, so the basis only ever grows
    basis = sum(int(f.get("revision", 0)) for f in forms)
    score = overall_score(template, [f for f in forms if f.get("state") != WITHDRAWN]).document()
    reviews = store.reviews
    where = {"_id": review["_id"], "$or": [{"scoreBasis": {"$lt": basis}}, {"scoreBasis": {"$exists": False}}]}
    # the whole review back (no projection): the audit trail then takes its "before" from this answer, with
    # no read of its own (store/core/database.py)
    before = await reviews.collection.find_one_and_update(
        reviews.scope(where), {"$set": {"score": score, "scoreBasis": basis}}, return_document=ReturnDocument.BEFORE)
    if before is None:
        return None
    return before.get("score"), score


async def review_forms(store: TenantStore, review_id: str) -> list[Document]:
    return await store.reviewForms.find({"reviewId": review_id, **LIVE_FORM}, sort=FORM_ORDER)


async def set_peers(store: TenantStore, review: Mapping[str, Any], peer_ids: list[str],
                    new_forms: list[Document], withdraw: list[str], revive: list[str], now: Any) -> None:
    """Record the nominated peers and make the forms match, inside one transaction step: the review's
    ``peerIds`` first (two nominations for one review conflict there), then new, revived and withdrawn
    forms (the caller read the review's peer forms in the same step, so none of the new ones exists)."""
    await store.reviews.update(review["_id"], {"peerIds": peer_ids, "updatedAt": now})
    if new_forms:
        forms = store.reviewForms
        await forms.collection.insert_many([{**f, "organizationId": forms.organization_id} for f in new_forms])
    for ids, state, was in ((revive, FormState.NOT_STARTED.value, WITHDRAWN),
                            (withdraw, WITHDRAWN, FormState.NOT_STARTED.value)):
        if ids:
            await store.reviewForms.collection.update_many(
                store.reviewForms.scope({"_id": {"$in": ids}, "state": was}),
                {"$set": {"state": state, "updatedAt": now}, "$inc": {"revision": 1}})


async def insert_missing(collection: TenantCollection, documents: list[Document]) -> int:
    """Insert the documents whose ids are not stored yet (one bulk insert, unordered, duplicates
    ignored: they are what an earlier run already wrote); returns how many were inserted."""
    if not documents:
        return 0
    docs = [{**d, "organizationId": collection.organization_id} for d in documents]
    try:
        result = await collection.collection.insert_many(docs, ordered=False)
    except BulkWriteError as error:
        if any(e.get("code") != 11000 for e in error.details.get("writeErrors", [])):
            raise
        return int(error.details.get("nInserted", 0))
    return len(result.inserted_ids)


async def latest_shared_assessments(store: TenantStore) -> dict[str, tuple[Document, dict[str, int]]]:
    """Every person's last shared review and the competency levels its manager form assessed, for the whole
    organisation in a fixed number of queries (reviews, templates, the manager forms of each cycle those
    reviews belong to), however many people it has. The manager forms are read by cycle (the
    ``org_cycle_kind_state`` index) rather than by a ``$in`` of every review id, which costs the server far
    more for thousands of ids; of their answers only the values of competency questions are read."""
    latest: dict[str, Document] = {}
    wanted = {"employeeId": 1, "cycleId": 1, "sharedAt": 1, "templateId": 1, "calibration.rating": 1,
              "score.rating": 1}
    # one bare equality per shared state (the ``org_state`` index), side by side: on the embedded server far
    # cheaper than one ``$in`` of both over an index it can only partly use
    by_state = await asyncio.gather(*[store.reviews.find({"state": state}, projection=wanted)
                                      for state in sorted(SHARED_STATES)])
    found = sorted((r for docs in by_state for r in docs), key=lambda r: r["_id"])
    found.sort(key=lambda r: r.get("sharedAt") or EARLIEST, reverse=True)  # newest first, then by id (stable)
    for doc in found:
        latest.setdefault(doc["employeeId"], doc)
    if not latest:
        return {}
    reviews = list(latest.values())
    templates = {t["_id"]: t for t in await store.reviewTemplates.by_ids({r["templateId"] for r in reviews})}
    answers = {f"answers.{q['id']}.value": 1 for t in templates.values()
               for _, q in questions_for(t, ReviewerKind.MANAGER) if q["kind"] == QuestionKind.COMPETENCY}
    ids = {r["_id"] for r in reviews}
    forms: dict[str, Document] = {}
    by_cycle = await asyncio.gather(*[  # bare equalities: the server walks the index for each cycle
        store.reviewForms.find({"cycleId": cycle, "kind": ReviewerKind.MANAGER.value},
                               projection={"reviewId": 1, "state": 1, **answers})
        for cycle in sorted({r["cycleId"] for r in reviews})])
    for form in (f for cycle in by_cycle for f in cycle):
        if form["reviewId"] in ids and form.get("state") != WITHDRAWN:
            forms.setdefault(form["reviewId"], form)
    return {r["employeeId"]: (r, assessed_levels(templates[r["templateId"]], forms.get(r["_id"]))
                              if r["templateId"] in templates else {}) for r in reviews}
