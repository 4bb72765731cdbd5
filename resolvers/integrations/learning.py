"""Learning evidence in: xAPI statements (``POST /xapi/statements``, an XAPI token), HR's mapping of
activities to competencies and levels (``saveLearningMapping``), and the evidence a passed, mapped
activity becomes on the person's profile (``employee { learningEvidence }``), pushed live
(``learningEvidenceAdded``). Statements and evidence are written in one transaction; a statement id
received before is refused (409) and nothing of the request is written."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from models.core import clock
from models.core.documents import Document, new_id
from models.core.errors import ErrorCode, FieldError
from models.core.viewer import Viewer
from models.integrations.permissions import can_manage_integrations
from models.integrations.xapi import BadStatement, Statement, Verb, check_mapping, parse_statements
from models.org.permissions import can_see_personal
from models.org.rules import EmployeeStatus
from resolvers.core.context import Context, require, require_role
from resolvers.core.errors import BadUserInput, Forbidden
from resolvers.core.outcome import Outcome
from resolvers.core.publish import publish_after_commit
from resolvers.core.streams import stream
from resolvers.growth import access as growth_access
from resolvers.integrations.tokens import ONLY_HR_ADMINS
from resolvers.org import access as org_access
from resolvers.reviews import access as reviews_access
from store.core.repository import Duplicate
from store.integrations import learning as learning_store

EVIDENCE_SHOWN = 100


class Conflict(Exception):
    """A statement id was received before (xAPI: 409)."""


def learning_channel(organization_id: str, employee_id: str) -> str:
    return f"learning:{organization_id}:{employee_id}"


async def learning_mapping(context: Context, id: str) -> Document | None:
    """One activity mapping, for HR admins, who save them (FORBIDDEN for anyone else)."""
    signed_in = await require_role(context, can_manage_integrations, ONLY_HR_ADMINS)
    return await signed_in.store.learningMappings.get(id)


async def save_learning_mapping(context: Context, activity_id: str, competency_id: str, level: int) -> Outcome:
    signed_in = await require_role(context, can_manage_integrations, ONLY_HR_ADMINS)
    errors = check_mapping(activity_id, level)
    competency = await reviews_access.competency(context, competency_id)
    if competency is None:
        errors.append(FieldError("competencyId", ErrorCode.NOT_FOUND,
                                 f"no competency {competency_id!r} in your organisation"))
    if errors:
        return Outcome(errors=errors)
    doc = await learning_store.save_mapping(signed_in.store, activity_id.strip(), {
        "_id": new_id(), "activityId": activity_id.strip(), "competencyId": competency_id, "level": level,
        "updatedAt": clock.now(), "updatedById": signed_in.viewer.employee_id})
    return Outcome(doc)


async def receive(context: Context, body: Any) -> list[str]:
    """Store the statements of one request and the evidence they give; their ids, in order.
    :class:`BadStatement` (400) or :class:`Conflict` (409): nothing written."""
    now = clock.now()
    statements = parse_statements(body, now)
    people = {p["email"]: p for p in await org_access.people(context, emails={s.email for s in statements})}
    for statement in statements:
        person = people.get(statement.email)
        if person is None:
            raise BadStatement(f"no learner {statement.email} in the organisation")
        if person.get("status") == EmployeeStatus.TERMINATED.value:
            raise BadStatement(f"{statement.email} has left the organisation")
    assert context.store is not None
    store = context.store
    mapped = await learning_store.mappings(store, {s.activity_id for s in statements})
    statement_docs = [_statement_doc(store.organization_id, s, people[s.email], now) for s in statements]
    evidence = [_evidence_doc(s, people[s.email], mapped[s.activity_id]) for s in statements
                if s.verb == Verb.PASSED and s.activity_id in mapped]

    async def step() -> list[str]:
        await store.xapiStatements.insert_all(statement_docs)
        await store.learningEvidence.insert_all(evidence)
        # the evidence joins the person's competency profile (reviews' accessor) and their open development
        # actions linked to its competency (growth's)
        await reviews_access.add_competency_evidence(context, evidence)
        return await growth_access.add_learning_evidence(context, evidence)

    try:
        plans = await store.transaction(step)
    except Duplicate:
        raise Conflict("a statement with one of these ids was received before") from None
    await growth_access.learning_evidence_published(context, plans)
    for employee_id in sorted({e["employeeId"] for e in evidence}):
        await publish_after_commit(context, learning_channel(store.organization_id, employee_id),
                                   {"kind": "evidence_added", "employeeId": employee_id,
                                    "evidenceIds": [e["_id"] for e in evidence if e["employeeId"] == employee_id]})
    return [s.id for s in statements]


def _statement_doc(organization_id: str, s: Statement, person: Document, now: Any) -> Document:
    return {"_id": f"{organization_id}:{s.id}", "statementId": s.id, "employeeId": person["_id"],
            "verb": s.verb.value, "activityId": s.activity_id, "activityName": s.activity_name,
            "timestamp": s.timestamp, "storedAt": now}


def _evidence_doc(s: Statement, person: Document, mapping: Document) -> Document:
    return {"_id": new_id(), "employeeId": person["_id"], "competencyId": mapping["competencyId"],
            "level": mapping["level"], "activityId": s.activity_id, "activityName": s.activity_name,
            "statementId": s.id, "source": "xapi", "achievedAt": s.timestamp}


async def evidence_of(context: Context, employee: Document) -> list[Document] | None:
    """The person's learning evidence, newest first: for the person, their management chain and HR admins
    (the org chart's personal fields rule); ``None`` for anyone else (a hidden field of a person they may
    see: null by design, without an error)."""
    signed_in = await require(context)
    if not can_see_personal(signed_in.viewer, employee):
        return None
    docs = await signed_in.loaders.integrations.evidence_by_employee_id.load(employee["_id"])
    return docs[:EVIDENCE_SHOWN]


async def evidence_added(context: Context, employee_id: str) -> AsyncIterator[dict[str, Any]]:
    """Each commit adding evidence to one person, for those who may read it (re-checked per event)."""
    signed_in = await require(context)
    employee = await org_access.employee(context, employee_id)
    if employee is None:
        raise BadUserInput(f"no employee {employee_id!r} in your organisation")
    if not can_see_personal(signed_in.viewer, employee):
        raise Forbidden("learning evidence is visible to the person, their managers and HR admins")

    async def events(viewer: Viewer, message: dict[str, Any]) -> AsyncIterator[dict[str, Any]]:
        current = await org_access.employee(context, employee_id)
        if current is not None and can_see_personal(viewer, current):
            yield {**message, "employee": current}

    async for event in stream(context, learning_channel(signed_in.viewer.organization_id, employee_id), events,
                              names=lambda m: [m["employeeId"]]):
        yield event
