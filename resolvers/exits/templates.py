"""Exit interview templates: versioned like review templates, one family per department (or the organisation's
default, without one). Saving a template that exit records already use creates its next version (deterministic
id, the old one pointing at it, in one transaction), so records keep the questions they were opened with; of two
concurrent edits of one version, one creates the next and the other is refused."""

from __future__ import annotations

from typing import Any

from models.core import clock
from models.core.documents import Document, new_id
from models.core.errors import ErrorCode, FieldError
from models.core.validation import check_name
from models.exits.permissions import can_manage_exits
from models.exits.rules import build_questions, next_template_version_id
from resolvers.core.context import Context, require_role
from resolvers.core.outcome import Outcome
from resolvers.org import access as org_access
from store.core.repository import Duplicate
from store.exits import repository as exits_store

HR_ONLY = "only HR admins manage exit interview templates"


class Superseded(Exception):
    """Another version was made from the one being edited meanwhile (aborts the transaction)."""


async def templates(context: Context, include_old_versions: bool) -> list[Document]:
    signed_in = await require_role(context, can_manage_exits, HR_ONLY)
    return await exits_store.latest_templates(signed_in.store, include_old_versions)


async def save_template(context: Context, id: str | None, data: dict[str, Any]) -> Outcome:
    signed_in = await require_role(context, can_manage_exits, HR_ONLY)
    store = signed_in.store
    current = await store.exitTemplates.get(id) if id else None
    if id and current is None:
        return Outcome.refused("id", ErrorCode.NOT_FOUND, f"no exit interview template {id!r}")
    if current is not None and current.get("supersededById"):
        return Outcome.refused("id", ErrorCode.CONFLICT, f"version {current['version']} has a newer version: edit it")
    errors: list[FieldError] = check_name(data.get("name"), "name")
    questions, question_errors = build_questions(data.get("questions") or [])
    errors += question_errors
    department_id = data.get("department_id") if current is None else current.get("departmentId")
    await org_access.referenced(context, "department", department_id, "departmentId", errors)
    if errors:
        return Outcome(errors=errors)
    now, by = clock.now(), signed_in.viewer.employee_id
    fields = {"name": data["name"].strip(), "questions": questions}
    if current is None:
        doc_id = new_id()
        doc = {"_id": doc_id, "familyId": doc_id, "version": 1, "departmentId": department_id, **fields,
               "supersededById": None, "createdAt": now, "createdById": by}
        return Outcome(await store.exitTemplates.insert(doc))
    used = await store.exitRecords.count({"$or": [{"surveyTemplateId": id}, {"interview.templateId": id}]})
    if not used and await store.exitTemplates.update(id, {**fields, "updatedAt": now}, where={"supersededById": None}):
        context.fresh_loaders()
        return Outcome(await store.exitTemplates.get(id))
    version = int(current["version"]) + 1
    doc = {"_id": next_template_version_id(current["familyId"], version), "familyId": current["familyId"],
           "version": version, "departmentId": department_id, **fields, "supersededById": None,
           "previousVersionId": id, "createdAt": now, "createdById": by}

    async def step() -> None:
        await store.exitTemplates.insert(doc)
        if not await store.exitTemplates.update(id, {"supersededById": doc["_id"]}, where={"supersededById": None}):
            raise Superseded

    try:
        await store.transaction(step)
    except (Duplicate, Superseded):
        return Outcome.refused("id", ErrorCode.CONFLICT, f"version {version} was just created by someone else")
    context.fresh_loaders()
    return Outcome(doc)
