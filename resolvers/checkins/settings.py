"""HR admins' check-in settings: department cadences and the question templates (organisation default,
per-department override). New occurrences use them from their next scheduling on; scheduled and past
occurrences keep the cadence and questions they were scheduled with.
"""

from __future__ import annotations

from typing import Any

from models.checkins.permissions import can_manage_check_in_settings
from models.checkins.rules import Cadence, check_template
from models.core import clock
from models.core.documents import Document, new_id
from models.core.errors import ErrorCode, FieldError
from resolvers.checkins.access import not_found
from resolvers.core.context import Context, SignedIn, require_role
from resolvers.core.outcome import Outcome
from resolvers.org.access import referenced, set_department_fields


async def admin(context: Context) -> SignedIn:
    """The signed-in HR admin, else FORBIDDEN."""
    return await require_role(context, can_manage_check_in_settings, "only HR admins may change check-in settings")


async def set_department_cadence(context: Context, department_id: str, cadence: Cadence) -> Outcome:
    """Every series in the department (without its own cadence) follows from its next occurrence."""
    await admin(context)
    errors: list[FieldError] = []
    department = await referenced(context, "department", department_id, "departmentId", errors)
    if department is None:
        return Outcome(errors=errors)
    if not await set_department_fields(context, department_id, {"cadence": cadence.value}):
        return Outcome(errors=[not_found("departmentId", "department", department_id)])
    context.fresh_loaders()
    return Outcome({**department, "cadence": cadence.value})


def question_documents(questions: list[str]) -> list[Document]:
    """A template's questions, each with a new id."""
    return [{"_id": new_id(), "text": q.strip()} for q in questions]


async def save_template(context: Context, id: str | None, data: dict[str, Any]) -> Outcome:
    """Create a template (id omitted) or change one; questions sent replace the old ones."""
    store = (await admin(context)).store
    current = await store.checkInTemplates.get(id) if id else None
    if id and current is None:
        return Outcome(errors=[not_found("id", "check-in template", id)])
    errors = check_template(data.get("name"), data.get("questions"), creating=current is None)
    if current is not None:  # on a change, null cannot clear what a template must have
        errors += [FieldError(key, ErrorCode.REQUIRED, f"{key} must not be null")
                   for key in ("name", "questions") if key in data and data[key] is None]
    if errors:
        return Outcome(errors=errors)
    at = clock.now()
    fields: dict[str, Any] = {"updatedAt": at}
    if data.get("name") is not None:
        fields["name"] = data["name"].strip()
    if data.get("questions") is not None:
        fields["questions"] = question_documents(data["questions"])
    if current is None:
        doc = await store.checkInTemplates.insert({"_id": new_id(), "defaultSince": None, "createdAt": at, **fields})
    else:
        await store.checkInTemplates.update(current["_id"], fields)
        doc = {**current, **fields}
    context.fresh_loaders()
    return Outcome(doc)


async def set_default_template(context: Context, template_id: str) -> Outcome:
    """One write: the default is the template most recently made default."""
    store = (await admin(context)).store
    template = await store.checkInTemplates.get(template_id)
    if template is None:
        return Outcome(errors=[not_found("templateId", "check-in template", template_id)])
    at = clock.now()
    await store.checkInTemplates.update(template_id, {"defaultSince": at})
    context.fresh_loaders()
    return Outcome({**template, "defaultSince": at})


async def set_department_template(context: Context, department_id: str, template_id: str | None) -> Outcome:
    """The department's own template (null: back to the organisation's default)."""
    store = (await admin(context)).store
    errors: list[FieldError] = []
    department = await referenced(context, "department", department_id, "departmentId", errors)
    if template_id is not None and await store.checkInTemplates.get(template_id) is None:
        errors.append(not_found("templateId", "check-in template", template_id))
    if errors or department is None:
        return Outcome(errors=errors)
    if not await set_department_fields(context, department_id, {"checkInTemplateId": template_id}):
        return Outcome(errors=[not_found("departmentId", "department", department_id)])
    context.fresh_loaders()
    return Outcome({**department, "checkInTemplateId": template_id})
