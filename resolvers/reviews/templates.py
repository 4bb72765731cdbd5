"""Review templates: reading (everyone) and creating or editing (HR admins).

Editing a template that a launched cycle uses (``locked``) creates its next version instead of
changing it, so forms already issued keep the questions they were issued with. The next version and the
old one's pointer to it are written in one transaction, the pointer only over none: of two editors of one
version, one creates the next and the other is told to edit that one.
"""

from __future__ import annotations

from typing import Any

from models.core import clock
from models.core.documents import Document, new_id
from models.core.errors import ErrorCode
from models.reviews.permissions import can_manage_reviews
from models.reviews.templates import build_template, next_version_id
from resolvers.core.context import Context, require, require_role
from resolvers.core.outcome import Outcome
from store.core.repository import Duplicate, TenantStore

HR_ONLY = "only HR admins manage review templates"
TEMPLATE_FIELDS = ("name", "description", "scale", "kindWeights", "peerVisibility", "upwardVisibility", "sections")


class Superseded(Exception):
    """Another version was made from the one being edited meanwhile (aborts the transaction)."""


async def templates(context: Context, include_old_versions: bool) -> list[Document]:
    store = (await require(context)).store
    query = {} if include_old_versions else {"supersededById": None}
    return await store.reviewTemplates.find(query, sort=[("name", 1), ("familyId", 1), ("version", 1)])


async def template(context: Context, id: str) -> Document | None:
    return await (await require(context)).loaders.reviews.template_by_id.load(id)


async def versions(context: Context, template: Document) -> list[Document]:
    store = (await require(context)).store
    return await store.reviewTemplates.find({"familyId": template["familyId"]}, sort=[("version", 1)])


async def _competency_ids(store: TenantStore) -> set[str]:
    return {c["_id"] for c in await store.competencies.find({"archived": {"$ne": True}}, projection={"_id": 1})}


async def create_template(context: Context, data: dict[str, Any]) -> Outcome:
    """Version 1 of a new template."""
    signed_in = await require_role(context, can_manage_reviews, HR_ONLY)
    store = signed_in.store
    fields, errors = build_template(data, await _competency_ids(store))
    if errors:
        return Outcome(errors=errors)
    id = new_id()
    doc = {"_id": id, "familyId": id, "version": 1, **{k: fields[k] for k in TEMPLATE_FIELDS}, "locked": False,
           "supersededById": None, "createdAt": clock.now(), "createdById": signed_in.viewer.employee_id}
    return Outcome(await store.reviewTemplates.insert(doc))


async def update_template(context: Context, id: str, data: dict[str, Any]) -> Outcome:
    """In place while no launched cycle uses it; otherwise as its next version (the payload says which)."""
    signed_in = await require_role(context, can_manage_reviews, HR_ONLY)
    store = signed_in.store
    current = await store.reviewTemplates.get(id)
    if current is None:
        return Outcome.refused("id", ErrorCode.NOT_FOUND, f"no review template {id!r}")
    if current.get("supersededById"):
        return Outcome.refused("id", ErrorCode.CONFLICT, f"version {current['version']} has a newer version "
                                                         f"({current['supersededById']}): edit that one")
    fields, errors = build_template(data, await _competency_ids(store), current)
    if errors:
        return Outcome(errors=errors)
    changes = {k: fields[k] for k in TEMPLATE_FIELDS}
    at = clock.now()
    if not current.get("locked"):
        if await store.reviewTemplates.update(id, {**changes, "updatedAt": at}, where={"locked": {"$ne": True}}):
            context.fresh_loaders()
            return Outcome(await store.reviewTemplates.get(id))
        current = await store.reviewTemplates.get(id) or current  # a launch locked it meanwhile
    version = int(current["version"]) + 1
    doc = {"_id": next_version_id(current["familyId"], version), "familyId": current["familyId"], "version": version,
           **changes, "locked": False, "supersededById": None, "previousVersionId": id, "createdAt": at,
           "createdById": signed_in.viewer.employee_id}

    async def step() -> None:
        """The new version and the old one pointing at it, together (a newer one exists: nothing)."""
        await store.reviewTemplates.insert(doc)
        if not await store.reviewTemplates.update(id, {"supersededById": doc["_id"]}, where={"supersededById": None}):
            raise Superseded

    try:
        await store.transaction(step)
    except (Duplicate, Superseded) as error:  # someone made this version first
        if isinstance(error, Duplicate):  # the old one may not point at it yet (written before transactions)
            await store.reviewTemplates.update(id, {"supersededById": doc["_id"]}, where={"supersededById": None})
        return Outcome.refused("id", ErrorCode.CONFLICT,
                               f"version {version} was just created by someone else: edit that one")
    context.fresh_loaders()
    return Outcome(doc)
