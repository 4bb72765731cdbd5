"""Bulk import (HR admins): a file uploaded by ``POST /imports`` (an IMPORT token), previewed as a dry run
(``importPreview``), then run (``importRun``) with its progress pushed (``importProgress``).

A run applies each row the plan (:func:`models.integrations.imports.plan`) accepts, parents and managers
first, each row as ONE org-domain transaction with its import link (so a refused row writes nothing and
the rest goes on), through ``resolvers.org.access`` like any HR change. Running the same file again finds
every row by its external id and changes nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from typing import Any

from models.core import clock
from models.core.documents import Document, new_id
from models.core.errors import ErrorCode, FieldError
from models.core.viewer import Viewer
from models.integrations.imports import (
    NEW,
    TARGET_FIELD,
    Action,
    RowKind,
    RowPlan,
    State,
    parse_file,
    plan,
    resolve,
    run_order,
)
from models.integrations.permissions import can_manage_integrations
from resolvers.core.audit import audit_source
from resolvers.core.context import Context, require_role
from resolvers.core.errors import BadUserInput
from resolvers.core.outcome import Outcome
from resolvers.core.publish import publish_after_commit
from resolvers.core.streams import stream
from resolvers.integrations.tokens import ONLY_HR_ADMINS
from resolvers.org import access as org_access
from store.integrations import imports as imports_store

PROGRESS_STEPS = 20  # a run publishes its progress about this many times, and when it ends


def import_channel(organization_id: str, import_id: str) -> str:
    return f"import:{organization_id}:{import_id}"


async def upload(context: Context, body: bytes, content_type: str) -> Document:
    """Store an uploaded file's rows (:class:`models.integrations.imports.BadFile` when unreadable)."""
    rows = parse_file(body, content_type)
    assert context.store is not None and context.viewer is not None
    id = new_id()
    with audit_source(import_source(id)):
        return await imports_store.insert_import(context.store, {
            "_id": id, "format": "json" if "json" in content_type else "csv", "rows": rows, "rowCount": len(rows),
            "status": "uploaded", "createdAt": clock.now(), "uploadedBy": context.viewer.employee_id,
            "lastRun": None})


def import_source(import_id: str) -> str:
    """What the audit trail names as the source of an import's writes (its actor: whoever ran or uploaded it)."""
    return f"import:{import_id}"


async def _import(context: Context, import_id: str) -> Document:
    signed_in = await require_role(context, can_manage_integrations, ONLY_HR_ADMINS)
    doc = await imports_store.get_import(signed_in.store, import_id)
    if doc is None:
        raise BadUserInput(f"no import {import_id!r} in your organisation")
    return doc


async def _state(context: Context) -> State:
    assert context.store is not None
    return State(links=await imports_store.links(context.store),
                 people={p["_id"]: p for p in await org_access.people(context)},
                 departments={d["_id"]: d for d in await org_access.departments(context)},
                 positions={p["_id"]: p for p in await org_access.positions(context)})


def _row_report(p: RowPlan, action: Action | None = None, target: str | None = None,
                errors: list[FieldError] | None = None) -> dict[str, Any]:
    return {"row": p.index + 1, "kind": p.kind.value if p.kind else None, "externalId": p.external_id,
            "action": (action or p.action).value, "targetId": target or p.target_id,
            "errors": [{"field": e.field, "code": e.code.value, "message": e.message} for e in (errors or p.errors)]}


def _report(import_id: str, rows: list[dict[str, Any]], finished: bool) -> dict[str, Any]:
    counts = {a.value: 0 for a in Action}
    for row in rows:
        counts[row["action"]] += 1
    return {"importId": import_id, "total": len(rows), "created": counts["create"], "updated": counts["update"],
            "unchanged": counts["unchanged"], "refused": counts["refuse"], "finished": finished, "rows": rows}


async def preview(context: Context, import_id: str) -> dict[str, Any]:
    """The dry run: what a run would do with each row now, and why a row would be refused. Writes nothing."""
    doc = await _import(context, import_id)
    plans = plan(doc["rows"], await _state(context), clock.today())
    return _report(import_id, [_row_report(p) for p in plans], finished=False)


async def last_run(context: Context, import_id: str) -> dict[str, Any] | None:
    return (await _import(context, import_id)).get("lastRun")


def _in_file(plans: list[RowPlan]) -> dict[tuple[str, str], RowPlan]:
    found: dict[tuple[str, str], RowPlan] = {}
    for p in plans:
        if p.kind and p.external_id and p.action != Action.REFUSE:
            found.setdefault((p.kind.value, p.external_id), p)
    return found


async def _apply_row(context: Context, p: RowPlan, in_file: dict[tuple[str, str], RowPlan],
                     links: dict[tuple[str, str], str], created: dict[tuple[str, str], str]) -> Outcome:
    ids = {TARGET_FIELD[name]: resolve(p, name, in_file, links, created) for name in p.refs}
    for name, value in ids.items():
        if value == NEW:
            return Outcome.refused(name, ErrorCode.INVALID, "it refers to a row this run could not apply")
    kind, external_id = p.kind, p.external_id
    assert kind is not None and external_id is not None and context.store is not None
    store = context.store

    async def link(doc: Document) -> None:
        if links.get((kind.value, external_id)) != doc["_id"]:  # an existing link that already says so stays
            await imports_store.save_link(store, kind.value, external_id, doc["_id"], clock.now())

    if kind == RowKind.DEPARTMENT:
        return await org_access.save_department(context, p.target_id, {"name": p.changes["name"],
                                                                       "parent_id": ids["parentId"]}, within=link)
    if kind == RowKind.POSITION:
        data = {"title": p.changes["title"], "department_id": ids["departmentId"]}
        if "level" in p.changes:
            data["level"] = p.changes["level"]
        return await org_access.save_position(context, p.target_id, data, within=link)
    data: dict[str, Any] = {"name": p.changes["name"], "email": p.changes["email"], "position_id": ids["positionId"]}
    if "hireDate" in p.changes:
        data["hire_date"] = date.fromisoformat(p.changes["hireDate"])
    return await org_access.sync_person(context, p.target_id, data, manager_id=ids["managerId"],
                                        department_id=ids["departmentId"], within=link)


BATCH = 250  # new people created in one transaction


def _batches(order: list[RowPlan]) -> list[list[RowPlan]]:
    """The run order cut into batches: runs of up to :data:`BATCH` new people, every other row alone."""
    batches: list[list[RowPlan]] = []
    for p in order:
        creates = p.kind == RowKind.PERSON and p.action == Action.CREATE
        if creates and batches and len(batches[-1]) < BATCH and batches[-1][0].kind == RowKind.PERSON \
                and batches[-1][0].action == Action.CREATE:
            batches[-1].append(p)
        else:
            batches.append([p])
    return batches


async def _create_batch(context: Context, batch: list[RowPlan], in_file: dict[tuple[str, str], RowPlan],
                        links: dict[tuple[str, str], str], created: dict[tuple[str, str], str]) -> bool:
    """Create a batch of new people in one org transaction with their links; whether it was written (if
    not, nothing was, and the caller applies the rows one by one to report each refusal)."""
    chosen = {(RowKind.PERSON.value, p.external_id or ""): new_id() for p in batch}
    known = {**created, **chosen}
    items = []
    for p in batch:
        ids = {TARGET_FIELD[name]: resolve(p, name, in_file, links, known) for name in p.refs}
        if NEW in ids.values():
            return False
        items.append({"_id": chosen[(RowKind.PERSON.value, p.external_id or "")], "name": p.changes["name"],
                      "email": p.changes["email"], "hire_date": date.fromisoformat(p.changes["hireDate"]),
                      "manager_id": ids["managerId"], "department_id": ids["departmentId"],
                      "position_id": ids["positionId"]})
    assert context.store is not None
    store = context.store

    async def link_all(docs: list[Document]) -> None:
        await imports_store.save_links(store, [(RowKind.PERSON.value, key[1], id) for key, id in chosen.items()],
                                       clock.now())

    outcome = await org_access.create_people(context, items, within=link_all)
    if outcome.ok:
        created.update(chosen)
    return outcome.ok


async def run(context: Context, import_id: str) -> Outcome:
    """Apply the file: ``extra["report"]`` says what each row did. Refused while another run of the same
    import is going on (one conditional write claims it). Its writes are audited as the HR admin's who runs it,
    naming the import as their source."""
    with audit_source(import_source(import_id)):
        return await _run(context, import_id)


async def _run(context: Context, import_id: str) -> Outcome:
    doc = await _import(context, import_id)
    assert context.store is not None
    store = context.store
    if not await imports_store.claim_run(store, import_id, clock.now()):
        return Outcome.refused("importId", ErrorCode.CONFLICT, "this import is running already")
    channel = import_channel(store.organization_id, import_id)
    results: dict[int, dict[str, Any]] = {}
    try:
        state = await _state(context)
        plans = plan(doc["rows"], state, clock.today())
        for p in plans:
            if p.action in (Action.UNCHANGED, Action.REFUSE):
                results[p.index] = _row_report(p)
        in_file, created = _in_file(plans), {}
        order = run_order(plans)
        every, reported = max(1, len(order) // PROGRESS_STEPS), 0
        for batch in _batches(order):
            if len(batch) > 1 and await _create_batch(context, batch, in_file, state.links, created):
                for p in batch:
                    results[p.index] = _row_report(p, target=created[(RowKind.PERSON.value, p.external_id or "")])
            else:  # one row at a time: each refusal is the row's own
                for p in batch:
                    outcome = await _apply_row(context, p, in_file, state.links, created)
                    if outcome.ok and outcome.document is not None:
                        assert p.kind is not None and p.external_id is not None
                        created[(p.kind.value, p.external_id)] = outcome.document["_id"]
                        results[p.index] = _row_report(p, target=outcome.document["_id"])
                    else:
                        results[p.index] = _row_report(p, Action.REFUSE, errors=outcome.errors)
            if len(results) - reported >= every and len(results) < len(plans):
                reported = len(results)
                progress = _report(import_id, list(results.values()), finished=False)
                await publish_after_commit(context, channel, {**progress, "rows": [], "done": len(results)})
        report = _report(import_id, [results[i] for i in sorted(results)], finished=True)
    finally:
        final = _report(import_id, [results[i] for i in sorted(results)], finished=True)
        await imports_store.finish_run(store, import_id, final, clock.now())
    await publish_after_commit(context, channel, {**report, "rows": [], "done": len(results)})
    return Outcome(doc, extra={"report": report})


async def import_progress(context: Context, import_id: str) -> AsyncIterator[dict[str, Any]]:
    """The progress of runs of one import, for HR admins of its organisation (re-checked for each event)."""
    await _import(context, import_id)
    assert context.viewer is not None

    async def events(viewer: Viewer, message: dict[str, Any]) -> AsyncIterator[dict[str, Any]]:
        if can_manage_integrations(viewer):
            yield message

    async for event in stream(context, import_channel(context.viewer.organization_id, import_id), events):
        yield event
