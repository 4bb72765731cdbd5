"""Review template overrides: a department's or a person's review template, used by cycle launches for the
reviews they create afterwards (``models/reviews/overrides.py``). HR admins read and set them
(``reviewTemplateOverrides``, ``setDepartmentReviewTemplate``, ``setEmployeeReviewTemplate``); a pilot sets and
restores them through ``resolvers/reviews/access.py`` with the same rules."""

from __future__ import annotations

from models.core.documents import Document
from models.core.errors import ErrorCode, FieldError
from models.org.rules import EmployeeStatus
from models.reviews.overrides import OverrideUnit
from models.reviews.permissions import can_manage_reviews
from resolvers.core.context import Context, require, require_role
from resolvers.core.outcome import Outcome
from store.reviews import overrides as override_store

HR_ONLY = "only HR admins set review template overrides"
FIELD = {OverrideUnit.DEPARTMENT: "departmentId", OverrideUnit.EMPLOYEE: "employeeId"}


async def template_overrides(context: Context) -> list[Document]:
    """Every override of the organisation (HR admins), departments first."""
    signed_in = await require_role(context, can_manage_reviews, HR_ONLY)
    return await override_store.all_overrides(signed_in.store)


async def check_template(context: Context, template_id: str | None, field: str = "templateId") -> list[FieldError]:
    """NOT_FOUND for a template unknown in the organisation; INVALID for a version an edit superseded (the
    override names the version its reviews get, so it must be the current one)."""
    signed_in = await require(context)
    template = await signed_in.store.reviewTemplates.get(template_id) if template_id else None
    if template is None:
        return [FieldError(field, ErrorCode.NOT_FOUND, f"no review template {template_id!r} in your organisation")]
    if template.get("supersededById"):
        return [FieldError(field, ErrorCode.INVALID, f"this version was superseded by {template['supersededById']!r}")]
    return []


async def check_units(context: Context, unit: OverrideUnit, ids: list[str], field: str) -> list[FieldError]:
    """NOT_FOUND for a department, or a person who has not left, unknown in the organisation."""
    signed_in = await require(context)
    loader = signed_in.loaders.department_by_id if unit is OverrideUnit.DEPARTMENT else signed_in.loaders.employee_by_id
    docs = await loader.load_many(ids)
    return [FieldError(field, ErrorCode.NOT_FOUND, f"no {unit.value} {id!r} in your organisation")
            for id, doc in zip(ids, docs, strict=True)
            if doc is None or doc.get("status") == EmployeeStatus.TERMINATED.value]


async def set_template_override(context: Context, unit: OverrideUnit, unit_id: str,
                                template_id: str | None) -> Outcome:
    """HR admins: the review template of a department's or a person's reviews created from now on (``None``:
    the cycle's again). Typed errors and nothing written for an unknown unit or template."""
    signed_in = await require_role(context, can_manage_reviews, HR_ONLY)
    errors = await check_units(context, unit, [unit_id], FIELD[unit])
    if template_id is not None:
        errors += await check_template(context, template_id)
    if errors:
        return Outcome(errors=errors)
    await override_store.set_overrides(signed_in.store, unit, {unit_id: template_id})
    current = (await override_store.overrides_of(signed_in.store, unit, [unit_id]))[unit_id]
    return Outcome({"unit": unit.value, "unitId": unit_id, "templateId": current})


# What a pilot (resolvers/pilots) changes, through resolvers/reviews/access.py: the shape of ``earlier``
# is {"departments": {id: template id or None}, "employees": {id: template id or None}}.
PARTS = {"departments": OverrideUnit.DEPARTMENT, "employees": OverrideUnit.EMPLOYEE}


async def current_overrides(context: Context, department_ids: list[str],
                            employee_ids: list[str]) -> dict[str, dict[str, str | None]]:
    """The overrides as they are now: a department cohort's departments, or a cohort of people's own."""
    signed_in = await require(context)
    return {"departments": await override_store.overrides_of(signed_in.store, OverrideUnit.DEPARTMENT,
                                                              department_ids),
            "employees": await override_store.overrides_of(signed_in.store, OverrideUnit.EMPLOYEE, employee_ids)}


async def apply_overrides(context: Context, values: dict[str, dict[str, str | None]]) -> None:
    """Write ``values`` (the shape of :func:`current_overrides`) as ``setDepartmentReviewTemplate`` and
    ``setEmployeeReviewTemplate`` would (``None`` removes an override)."""
    signed_in = await require(context)
    for part, unit in PARTS.items():
        if values.get(part):
            await override_store.set_overrides(signed_in.store, unit, values[part])
