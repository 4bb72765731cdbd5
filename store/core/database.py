"""Opening the store: ``AsyncMongoClient`` on MongoDB or on the embedded server, counted at the boundary."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from pymongo import ASCENDING, DESCENDING, AsyncMongoClient
from pymongo.errors import OperationFailure, PyMongoError

from store.core.audit import audited
from store.core.audited import audited_write
from store.core.embedded import EmbeddedServer, EmbeddedUnavailable, default_data_dir
from store.core.transactions import current_session

log = logging.getLogger("perfgraph.store")
# PyMongo logs every command with its documents at DEBUG: ids and texts that must never reach a log line
# (anonymous feedback above all). Its loggers stay at INFO or above whatever the root logger is set to.
logging.getLogger("pymongo").setLevel(logging.INFO)
INDEX_CHANGED = {85, 86}  # IndexOptionsConflict, IndexKeySpecsConflict: same name, another definition
INDEX_NOT_FOUND = 27  # IndexNotFound


class StoreUnavailable(Exception):
    """MongoDB could not be reached at start-up; the message is one printable line."""


@dataclass
class StoreStats:
    """Round trips and documents read, counted where every store call passes."""

    calls: int = 0
    documents: int = 0
    by_collection: Counter[str] = field(default_factory=Counter)
    written: set[str] = field(default_factory=set)  # collections a write was sent to (tests restore them)
    # Tests force interleavings with it: awaited before each call with (collection, method), it may hold
    # one operation at a chosen call until another has finished. None in service.
    gate: Callable[[str, str], Awaitable[None]] | None = None

    def reset(self) -> None:
        self.calls = 0
        self.documents = 0
        self.by_collection.clear()


def in_session(kwargs: dict[str, Any]) -> dict[str, Any]:
    """The call's arguments, joined to the running transaction if there is one (store/core/transactions.py)."""
    session = current_session.get()
    if session is not None and "session" not in kwargs:
        return {**kwargs, "session": session}
    return kwargs


class CountingCursor:
    def __init__(self, cursor: Any, collection: CountingCollection) -> None:
        self._cursor = cursor
        self._owner = collection

    def sort(self, *args: Any) -> CountingCursor:
        self._cursor = self._cursor.sort(*args)
        return self

    def limit(self, limit: int) -> CountingCursor:
        self._cursor = self._cursor.limit(limit)
        return self

    def skip(self, skip: int) -> CountingCursor:
        self._cursor = self._cursor.skip(skip)
        return self

    async def to_list(self, length: int | None = None) -> list[dict[str, Any]]:
        await self._owner.round_trip("find")
        documents = await self._cursor.to_list(length)
        self._owner.stats.documents += len(documents)
        return documents


class CountingCollection:
    """Wraps one collection of either client: counts each round trip, can add a delay."""

    def __init__(self, inner: Any, stats: StoreStats, delay: float = 0.0) -> None:
        self._inner = inner
        self.stats = stats
        self.delay = delay
        self.name: str = inner.name

    async def round_trip(self, method: str) -> None:
        self.stats.calls += 1
        self.stats.by_collection[self.name] += 1
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.stats.gate is not None:
            await self.stats.gate(self.name, method)

    def find(self, *args: Any, **kwargs: Any) -> CountingCursor:
        return CountingCursor(self._inner.find(*args, **in_session(kwargs)), self)

    async def find_one(self, *args: Any, **kwargs: Any) -> dict[str, Any] | None:
        await self.round_trip("find_one")
        document = await self._inner.find_one(*args, **in_session(kwargs))
        self.stats.documents += document is not None
        return document

    async def aggregate(self, pipeline: list[dict[str, Any]], *, counted_as: str = "aggregate",
                        **kwargs: Any) -> list[dict[str, Any]]:
        """One aggregate round trip; ``counted_as="find"`` when it answers a find (see
        :meth:`~store.core.repository.TenantCollection.find`), so it counts and holds like one."""
        await self.round_trip(counted_as)
        cursor = await self._inner.aggregate(pipeline, **in_session(kwargs))
        documents = await cursor.to_list(None)
        if counted_as == "find":
            self.stats.documents += len(documents)
        return documents

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._inner, name)
        writes = name in WRITES

        async def counted(*args: Any, **kwargs: Any) -> Any:
            await self.round_trip(name)
            if writes:
                self.stats.written.add(self.name)
            scope = audited(self.name) if writes else None
            if scope is None:
                return await method(*args, **in_session(kwargs))
            return await audited_write(self._inner, self.stats, scope, name, method, args, in_session(kwargs))

        return counted

WRITES = frozenset({"insert_one", "insert_many", "update_one", "update_many", "replace_one", "delete_one",
                    "delete_many", "bulk_write", "find_one_and_update", "find_one_and_replace",
                    "find_one_and_delete", "drop"})


ORG = ("organizationId", ASCENDING)
# Every collection Perfgraph uses → (keys, options) of each of its indexes, created idempotently at
# start-up. A domain adds its collections here (with an empty list if it needs no index).
INDEXES: dict[str, list[tuple[list[tuple[str, int]], dict[str, Any]]]] = {
    "organizations": [([("slug", ASCENDING)], {"unique": True, "name": "slug_unique"})],
    "employees": [
        ([ORG, ("email", ASCENDING)], {"unique": True, "name": "org_email_unique"}),
        ([ORG, ("managerId", ASCENDING)], {"name": "org_manager"}),
        ([ORG, ("managerChain", ASCENDING)], {"name": "org_chain"}),
        ([ORG, ("departmentId", ASCENDING)], {"name": "org_department"}),
        ([ORG, ("positionId", ASCENDING)], {"name": "org_position"}),  # a position's holders (succession, rankings)
        # everyone not gone, one bare equality per status (rankings): on SecantusDB far cheaper than `$ne` over
        # an organisation-only prefix, which walks the multikey org_chain index
        ([ORG, ("status", ASCENDING)], {"name": "org_status"}),
        ([ORG, ("name", ASCENDING), ("_id", ASCENDING)], {"name": "org_name"}),
        ([("email", ASCENDING)], {"name": "email_sign_in"}),  # SSO: the organisation is what the read finds
    ],
    # one per organisation (``_id``: its id): everyone not gone, with the fields rankings read, as of a change counter
    "employeeRosters": [],
    "departments": [([ORG, ("parentId", ASCENDING)], {"name": "org_parent"})],
    "positions": [([ORG, ("departmentId", ASCENDING)], {"name": "org_department"})],
    # check-ins: series, their occurrences, action items (per series), private notes
    "checkInTemplates": [
        ([ORG, ("defaultSince", ASCENDING)], {"name": "org_default_since"}),
        ([ORG, ("questions._id", ASCENDING)], {"name": "org_question"}),  # the template holding a question (node)
    ],
    "checkInSeries": [
        ([ORG, ("employeeId", ASCENDING)], {"name": "org_employee"}),
        ([ORG, ("managerId", ASCENDING)], {"name": "org_manager"}),
        # one active series per employee, whatever two concurrent starts each read
        ([ORG, ("employeeId", ASCENDING)], {"unique": True, "partialFilterExpression": {"active": True},
                                            "name": "org_employee_active_unique"}),
    ],
    "checkIns": [
        ([ORG, ("seriesId", ASCENDING), ("sequence", ASCENDING)], {"unique": True, "name": "org_series_sequence"}),
        ([ORG, ("scheduledOn", ASCENDING)], {"name": "org_scheduled_on"}),
        # the check-in holding a talking point or a progress update (node(id:))
        ([ORG, ("talkingPoints._id", ASCENDING)], {"name": "org_talking_point"}),
        ([ORG, ("progressUpdates._id", ASCENDING)], {"name": "org_progress_update"}),
    ],
    "checkInActionItems": [([ORG, ("seriesId", ASCENDING)], {"name": "org_series"})],
    "checkInNotes": [
        ([ORG, ("checkInId", ASCENDING), ("authorId", ASCENDING)], {"unique": True, "name": "org_check_in_author"}),
    ],
    # feedback: attributed feedback, requests, anonymous upward feedback (no author data) and its
    # per-(manager, period) contributor sets, settings, praise, follow-ups
    "feedback": [
        ([ORG, ("recipientId", ASCENDING), ("createdAt", DESCENDING)], {"name": "org_recipient_created"}),
        ([ORG, ("authorId", ASCENDING), ("createdAt", DESCENDING)], {"name": "org_author_created"}),
        ([ORG, ("requestId", ASCENDING)], {"name": "org_request"}),
    ],
    "feedbackRequests": [
        ([ORG, ("respondentIds", ASCENDING)], {"name": "org_respondents"}),
        ([ORG, ("requesterId", ASCENDING), ("createdAt", DESCENDING)], {"name": "org_requester_created"}),
    ],
    "anonymousFeedback": [
        ([ORG, ("managerId", ASCENDING), ("period", ASCENDING), ("release", ASCENDING), ("rank", ASCENDING)],
         {"name": "org_manager_period_release"}),
    ],
    "anonymousContributors": [
        ([ORG, ("managerId", ASCENDING), ("period", ASCENDING)], {"unique": True, "name": "org_manager_period_unique"}),
    ],
    "feedbackSettings": [([ORG], {"unique": True, "name": "org_unique"})],
    "praise": [
        ([ORG, ("createdAt", DESCENDING), ("_id", DESCENDING)], {"name": "org_created"}),
        ([ORG, ("recipientIds", ASCENDING), ("createdAt", DESCENDING)], {"name": "org_recipients_created"}),
    ],
    "followUps": [
        ([ORG, ("feedbackId", ASCENDING)], {"name": "org_feedback"}),
        ([ORG, ("employeeId", ASCENDING), ("done", ASCENDING), ("dueDate", ASCENDING)], {"name": "org_employee_open"}),
        ([ORG, ("ownerId", ASCENDING), ("done", ASCENDING)], {"name": "org_owner_open"}),
    ],
    # goals: OKRs with their key results and progress history embedded
    "goals": [
        ([ORG, ("ownerEmployeeId", ASCENDING), ("dueDate", ASCENDING)], {"name": "org_owner_employee"}),
        ([ORG, ("ownerDepartmentId", ASCENDING), ("dueDate", ASCENDING)], {"name": "org_owner_department"}),
        ([ORG, ("parentId", ASCENDING), ("title", ASCENDING)], {"name": "org_parent"}),
        ([ORG, ("keyResults._id", ASCENDING)], {"name": "org_key_result"}),
        ([ORG, ("progressHistory._id", ASCENDING)], {"name": "org_progress_entry"}),  # the goal of an entry (node)
        ([ORG, ("dueDate", ASCENDING), ("_id", ASCENDING)], {"name": "org_due"}),
    ],
    # reviews: competency framework, expected levels per position, versioned templates, cycles,
    # one review per (cycle, employee) and one form per (review, reviewer, kind), answers embedded
    "competencies": [([ORG, ("category", ASCENDING), ("name", ASCENDING)], {"name": "org_category_name"})],
    "positionCompetencies": [([ORG, ("positionId", ASCENDING)], {"name": "org_position"})],
    "reviewTemplates": [
        ([ORG, ("familyId", ASCENDING), ("version", ASCENDING)], {"unique": True, "name": "org_family_version"}),
    ],
    "reviewCycles": [([ORG, ("status", ASCENDING)], {"name": "org_status"})],
    # a department's or a person's review template, used by launches for the reviews they create afterwards
    "reviewTemplateOverrides": [([ORG, ("unit", ASCENDING), ("unitId", ASCENDING)], {"name": "org_unit"})],
    "reviews": [
        ([ORG, ("cycleId", ASCENDING), ("departmentId", ASCENDING)], {"name": "org_cycle_department"}),
        ([ORG, ("employeeId", ASCENDING), ("state", ASCENDING)], {"name": "org_employee_state"}),
        ([ORG, ("state", ASCENDING)], {"name": "org_state"}),  # every shared review, one equality per state
    ],
    "reviewForms": [
        ([ORG, ("reviewId", ASCENDING)], {"name": "org_review"}),
        ([ORG, ("reviewerId", ASCENDING), ("state", ASCENDING)], {"name": "org_reviewer_state"}),
        ([ORG, ("cycleId", ASCENDING), ("kind", ASCENDING), ("state", ASCENDING)], {"name": "org_cycle_kind_state"}),
    ],
    # exits: one exit record per leaver (checklist and named interview embedded), the reason taxonomy,
    # versioned interview templates, the candid survey's answers (no author data), the organisation's settings
    "exitRecords": [
        ([ORG, ("employeeId", ASCENDING)], {"unique": True, "name": "org_employee_unique"}),
        ([ORG, ("lastDay", ASCENDING), ("_id", ASCENDING)], {"name": "org_last_day"}),
        ([ORG, ("interviewerId", ASCENDING)], {"name": "org_interviewer"}),
    ],
    "exitReasons": [([ORG, ("code", ASCENDING)], {"unique": True, "name": "org_code_unique"})],
    "exitTemplates": [
        ([ORG, ("familyId", ASCENDING), ("version", ASCENDING)], {"unique": True, "name": "org_family_version"}),
        ([ORG, ("departmentId", ASCENDING)], {"name": "org_department"}),
    ],
    "exitSurveyResponses": [([ORG, ("month", ASCENDING)], {"name": "org_month"})],
    "exitSettings": [([ORG], {"unique": True, "name": "org_unique"})],
    # pilots: pilots (one practice changed for a cohort), the per-practice lock two concurrent starts conflict on,
    # process surveys, their rounds (recipients by group), "has answered" markers (a keyed hash, nothing else) and
    # the answers (no author, no time)
    "pilots": [([ORG, ("status", ASCENDING), ("practice", ASCENDING)], {"name": "org_status_practice"})],
    "pilotLocks": [],
    "processSurveys": [([ORG, ("pilotId", ASCENDING)], {"name": "org_pilot"})],
    "processSurveyRounds": [([ORG, ("surveyId", ASCENDING), ("number", ASCENDING)],
                             {"unique": True, "name": "org_survey_number_unique"})],
    "processSurveyMarkers": [],
    "processSurveyAnswers": [([ORG, ("roundId", ASCENDING)], {"name": "org_round"})],
    # compensation: effective-dated pay records, bands per position or level and zone, a pay zone per person,
    # merit cycles, one participant per (cycle, employee) with its pay snapshot and proposal, one budget per
    # (cycle, manager) and per (cycle, department)
    "payRecords": [
        ([ORG, ("employeeId", ASCENDING), ("effectiveDate", ASCENDING)], {"name": "org_employee_effective"}),
    ],
    # one band per position or level and zone (the name is kept: a database with the older one-per-position
    # index gets it replaced at start-up)
    "payBands": [([ORG, ("positionId", ASCENDING), ("level", ASCENDING), ("zone", ASCENDING)],
                  {"unique": True, "name": "org_position_unique"})],
    "payZones": [([ORG, ("employeeId", ASCENDING)], {"unique": True, "name": "org_employee_unique"})],
    "meritCycles": [([ORG, ("phase", ASCENDING)], {"name": "org_phase"})],
    # one per person and cycle by its id (``participant_id(cycle, employee)``): a unique index on the pair would
    # only repeat ``_id``'s, and each index costs a launch's insert of thousands (a third of it on the embedded
    # server); a manager's organisation by employee (the keyset pages of ``meritProposals``)
    "meritParticipants": [
        ([ORG, ("cycleId", ASCENDING), ("managerChain", ASCENDING), ("employeeId", ASCENDING)],
         {"name": "org_cycle_chain"}),
    ],
    "compensationBudgets": [  # a manager's (departmentId null) or a department's (managerId null)
        ([ORG, ("cycleId", ASCENDING), ("managerId", ASCENDING), ("departmentId", ASCENDING)],
         {"unique": True, "name": "org_cycle_manager"}),
    ],
    # integrations: tokens (secrets stored hashed; looked up by hash, which names the organisation) and the
    # SCIM identity of people (one per employee, ``_id`` the employee's id)
    "integrationTokens": [
        ([("secretHash", ASCENDING)], {"unique": True, "name": "secret_hash_unique"}),
        ([("previousHash", ASCENDING)], {"name": "previous_hash",
                                         "partialFilterExpression": {"previousHash": {"$type": "string"}}}),
        ([ORG, ("createdAt", DESCENDING), ("_id", DESCENDING)], {"name": "org_created"}),
    ],
    "scimUsers": [
        ([ORG, ("externalId", ASCENDING)], {"unique": True, "name": "org_external_id_unique",
                                            "partialFilterExpression": {"externalId": {"$type": "string"}}}),
        ([ORG, ("userNameKey", ASCENDING)], {"unique": True, "name": "org_user_name_unique"}),
    ],
    # bulk imports: the uploaded rows and their last run; what each external id became
    "imports": [([ORG, ("createdAt", DESCENDING)], {"name": "org_created"})],
    "importLinks": [
        ([ORG, ("kind", ASCENDING), ("externalId", ASCENDING)], {"unique": True, "name": "org_kind_external_unique"}),
    ],
    # learning evidence in (xAPI): statements (``_id`` organisation and statement id), HR's activity
    # mappings, and the evidence passed activities became
    "xapiStatements": [([ORG, ("employeeId", ASCENDING), ("timestamp", DESCENDING)], {"name": "org_employee"})],
    "learningMappings": [([ORG, ("activityId", ASCENDING)], {"unique": True, "name": "org_activity_unique"})],
    "learningEvidence": [([ORG, ("employeeId", ASCENDING), ("achievedAt", DESCENDING)], {"name": "org_employee"})],
    # the reviews domain's copy of evidence on a person's competency profile (learning passed, by xAPI)
    "competencyEvidence": [([ORG, ("employeeId", ASCENDING), ("achievedAt", ASCENDING)], {"name": "org_employee"})],
    # notifications: the outbox (events written in the transaction of their change), webhook endpoints and
    # their deliveries (leased by the worker that sends them), the audit trail, reminders and in-app
    # notifications
    "outbox": [([("dispatched", ASCENDING), ("createdAt", ASCENDING)], {"name": "dispatched_created"})],
    "webhookEndpoints": [([ORG, ("createdAt", ASCENDING), ("_id", ASCENDING)], {"name": "org_created"})],
    "webhookDeliveries": [
        ([("status", ASCENDING), ("nextAttemptAt", ASCENDING)], {"name": "status_next_attempt"}),
        ([ORG, ("endpointId", ASCENDING), ("createdAt", DESCENDING), ("_id", DESCENDING)],
         {"name": "org_endpoint_created"}),
    ],
    "auditLog": [
        ([ORG, ("at", DESCENDING), ("_id", DESCENDING)], {"name": "org_at"}),
        ([ORG, ("objectId", ASCENDING), ("at", DESCENDING)], {"name": "org_object_at"}),
        ([ORG, ("actorId", ASCENDING), ("at", DESCENDING)], {"name": "org_actor_at"}),
    ],
    "notifications": [
        ([ORG, ("recipientId", ASCENDING), ("createdAt", DESCENDING), ("_id", DESCENDING)],
         {"name": "org_recipient_created"}),
    ],
    "reminderSettings": [([ORG], {"unique": True, "name": "org_unique"})],
    # a department's or a person's own staleGoalWeeks (the goal-update reminder), over the organisation's
    "reminderOverrides": [([ORG, ("unit", ASCENDING), ("unitId", ASCENDING)], {"name": "org_unit"})],
    # one reminder per (item, recipient, interval): the key is the lease two schedulers race for
    "reminders": [([ORG, ("key", ASCENDING)], {"unique": True, "name": "org_key_unique"})],
    # growth: career tracks, one growth plan per person (targets and actions embedded), mentorships,
    # their sessions (notes private to the pair) and each mentor's count of active mentees
    "careerTracks": [([ORG, ("name", ASCENDING)], {"name": "org_name"})],
    "growthPlans": [
        ([ORG, ("employeeId", ASCENDING)], {"unique": True, "name": "org_employee_unique"}),
        ([ORG, ("actions._id", ASCENDING)], {"name": "org_action"}),  # the plan holding a development action (node)
    ],
    "mentorships": [
        ([ORG, ("menteeId", ASCENDING), ("status", ASCENDING)], {"name": "org_mentee_status"}),
        ([ORG, ("mentorId", ASCENDING), ("status", ASCENDING)], {"name": "org_mentor_status"}),
        # one active mentorship per (mentor, mentee), whatever two concurrent starts each read
        ([ORG, ("mentorId", ASCENDING), ("menteeId", ASCENDING)],
         {"unique": True, "partialFilterExpression": {"status": "active"}, "name": "org_pair_active_unique"}),
    ],
    "mentoringSessions": [([ORG, ("mentorshipId", ASCENDING), ("heldOn", DESCENDING)], {"name": "org_mentorship"})],
    "mentorLoads": [],
    "readinessAssessments": [([ORG, ("employeeId", ASCENDING)], {"name": "org_employee"})],
    "growthSettings": [],
    # one per organisation (``_id``: its id): the potential ratings and plans' targets, as of a counter of its settings
    "growthRosters": [],
    "successionPlans": [
        ([ORG, ("positionId", ASCENDING)], {"unique": True, "name": "org_position_unique"}),
        ([ORG, ("successors.employeeId", ASCENDING)], {"name": "org_successor"}),
    ],
    "talentRatings": [([ORG, ("employeeId", ASCENDING)], {"unique": True, "name": "org_employee_unique"})],
    # one-time sign-in codes (store/core/signin.py): ``_id`` the code's hash; expired ones removed by the TTL index
    "signInCodes": [([("expiresAt", ASCENDING)], {"expireAfterSeconds": 0, "name": "expires_ttl"})],
    "promotionProposals": [
        ([ORG, ("employeeId", ASCENDING), ("createdAt", DESCENDING)], {"name": "org_employee_created"}),
        ([ORG, ("status", ASCENDING), ("effectiveOn", ASCENDING)], {"name": "org_status_effective"}),
        # one open proposal per person, whatever two concurrent proposals each read
        ([ORG, ("employeeId", ASCENDING)], {"unique": True, "partialFilterExpression": {"open": True},
                                            "name": "org_employee_open_unique"}),
    ],
}


# indexes an earlier version created that nothing uses now: dropped at start-up where they exist
RETIRED_INDEXES: dict[str, list[str]] = {"meritParticipants": ["org_cycle_employee"]}


class Database:
    """The collections Perfgraph uses, each counted; created once per process in the lifespan.

    ``database.employees`` (any collection named in :data:`INDEXES`) is the counted collection.
    """

    def __init__(self, client: Any, name: str, embedded: EmbeddedServer | None = None) -> None:
        self.client = client
        self.name = name
        self.embedded = embedded  # the child process this store started, stopped with it
        self.stats = StoreStats()
        database = client[name]
        self.collections = {c: CountingCollection(database[c], self.stats) for c in INDEXES}

    def __getattr__(self, name: str) -> CountingCollection:
        try:
            return self.__dict__["collections"][name]
        except KeyError:
            raise AttributeError(name) from None

    def set_delay(self, seconds: float) -> None:
        for collection in self.collections.values():
            collection.delay = seconds

    async def create_indexes(self) -> None:
        """Idempotent: creating an index that exists with the same keys and options is a no-op. An index
        whose definition changed under an existing name is dropped and created anew (and logged)."""
        for collection, indexes in INDEXES.items():
            for keys, options in indexes:
                try:
                    await self.collections[collection].create_index(keys, **options)
                except OperationFailure as error:
                    if error.code not in INDEX_CHANGED:
                        raise
                    log.warning("index %s.%s changed its definition: dropping and recreating it",
                                collection, options["name"])
                    await self.collections[collection].drop_index(options["name"])
                    await self.collections[collection].create_index(keys, **options)
        for collection, names in RETIRED_INDEXES.items():
            for name in names:
                try:
                    await self.collections[collection].drop_index(name)
                except OperationFailure as error:
                    if error.code != INDEX_NOT_FOUND:
                        raise
                else:
                    log.warning("index %s.%s is no longer used: dropped", collection, name)

    async def close(self) -> None:
        await self.client.close()
        if self.embedded is not None:
            await self.embedded.stop()


def first_line(error: Exception) -> str:
    """PyMongo's messages run to a topology dump; the first sentence is the reason."""
    return str(error).split("\n")[0].split(", Timeout:")[0][:300]


EMBEDDED = "embedded://"  # the default: the embedded server, its data kept in PERFGRAPH_DATA (.perfgraph/db)
MEMORY = "memory://"  # the embedded server with nothing kept once it stops (tests, benchmarks)


def is_embedded(url: str) -> bool:
    return url.startswith((EMBEDDED, MEMORY))


async def open_database(url: str, name: str, *, wait_seconds: float = 3.0, indexes: bool = True) -> Database:
    """Connect (starting the embedded server for ``embedded://`` and ``memory://``), check the server
    answers and is a replica set, create indexes (``indexes``: unless the caller knows they exist)."""
    embedded = None
    if is_embedded(url):
        embedded = EmbeddedServer(None if url.startswith(MEMORY) else default_data_dir())
        try:
            url = await embedded.start()
        except EmbeddedUnavailable as error:
            raise StoreUnavailable(str(error)) from None
    try:
        client: Any = AsyncMongoClient(url, serverSelectionTimeoutMS=int(wait_seconds * 1000),
                                       connectTimeoutMS=int(wait_seconds * 1000), tz_aware=True)
    except (PyMongoError, ValueError) as error:
        raise StoreUnavailable(f"MONGODB_URL is not valid ({first_line(error)})") from None
    try:
        hello = await client.admin.command("hello")
    except PyMongoError as error:
        await client.close()
        if embedded is not None:
            await embedded.stop()
        raise StoreUnavailable(f"MongoDB is unreachable ({first_line(error)})") from None
    if not hello.get("setName"):
        await client.close()
        raise StoreUnavailable("MongoDB is a standalone server; Perfgraph needs a replica set for its transactions "
                               "(start mongod with --replSet rs0, then run rs.initiate() once in mongosh)")
    database = Database(client, name, embedded)
    if indexes:
        await database.create_indexes()
    return database
