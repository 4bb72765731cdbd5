"""The audit trail's types (``AuditEntry``, ``AuditChange``) and the ``history`` field every main type offers: the
latest changes to the object, newest first, for those its domain lets read it (``resolvers/core/history.py``)."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

import strawberry
from strawberry.types import Info

from models.core.documents import Document
from resolvers.core import history as core_history
from resolvers.core.context import Context
from schema.core.cost import listed
from schema.core.node import Node

HISTORY_LISTED = core_history.HISTORY_LISTED
CHANGES_LISTED = 60


@strawberry.type(description="One field a write changed. `before`/`after` are JSON; both null and `redacted` true "
                             "for a sensitive value (pay, secrets, anonymous or private content). Of a list "
                             "changed in place: the items that left it (`before`) and joined it (`after`).")
class AuditChange:
    field: str = strawberry.field(description="The field's name (a path for nested ones).")
    redacted: bool = strawberry.field(description="True when the values are not kept (sensitive).")
    before: str | None = strawberry.field(description="Its value before, as JSON.")
    after: str | None = strawberry.field(description="Its value after, as JSON.")

    @classmethod
    def of(cls, change: dict[str, Any]) -> AuditChange:
        if change.get("redacted"):
            return cls(field=change["field"], redacted=True, before=None, after=None)
        return cls(field=change["field"], redacted=False, before=_json(change.get("before")),
                   after=_json(change.get("after")))


def _json(value: Any) -> str:
    return json.dumps(value, default=_plain, sort_keys=True)


def _plain(value: Any) -> str:
    return value.isoformat() if isinstance(value, datetime | date) else str(value)


@strawberry.type(description="One object one mutation wrote: who, when, what, and the fields it changed.")
class AuditEntry(Node):
    id: strawberry.ID = strawberry.field(description="The entry's id.")
    at: datetime = strawberry.field(description="When the write committed (to the day for anonymous content).")
    operation: str = strawberry.field(description="The mutation, e.g. `updateEmployee`.")
    action: str = strawberry.field(description="`created`, `changed` or `deleted`.")
    object_type: str = strawberry.field(description="The kind of object (its collection, e.g. `employees`).")
    object_id: strawberry.ID = strawberry.field(description="The object's id.")
    actor_type: str | None = strawberry.field(description="`employee`, or `integration` for a token (SCIM, an "
                                                          "import upload, xAPI); null when the author is never named "
                                                          "(anonymous feedback).")
    actor_id: strawberry.ID | None = strawberry.field(
        description="Who wrote it: an employee id, or `integration:<token id>`.")
    source: str | None = strawberry.field(
        description="The integration the write came through, beside its actor: `import:<import id>` (an import's "
                    "upload, or its run by an HR admin), `scim:<token id>`, `xapi:<token id>`; null for the API's "
                    "own mutations.")
    changes: list[AuditChange] = strawberry.field(description="The fields changed, by name.",
                                                  metadata=listed(CHANGES_LISTED))

    @classmethod
    def wrap(cls, doc: Document | None) -> AuditEntry | None:
        if doc is None:
            return None
        return cls(id=doc["_id"], at=doc["at"], operation=doc["operation"], action=doc["action"],
                   object_type=doc["objectType"], object_id=doc["objectId"], actor_type=doc.get("actorType"),
                   actor_id=doc.get("actorId"), source=doc.get("source"),
                   changes=[AuditChange.of(c) for c in doc["changes"][:CHANGES_LISTED]])


LAST = strawberry.argument(description=f"How many of the latest entries (1 to {HISTORY_LISTED}); the cost counts "
                                       "this many.")


def withheld_unless_hr(info: Info[Context, Any], fields: frozenset[str]) -> frozenset[str]:
    """``fields`` withheld from everyone but HR admins (who read the whole audit trail anyway)."""
    viewer = info.context.viewer
    return frozenset() if viewer is not None and viewer.is_hr_admin else fields


async def history_of(info: Info[Context, Any], object_id: str | None, allowed: bool, refusal: str,
                     last: int = HISTORY_LISTED, withheld: frozenset[str] = frozenset(),
                     dropped: frozenset[str] = frozenset()) -> list[AuditEntry] | None:
    """What a ``history`` field answers: the object's ``last`` latest audit entries, or null for a reader it is
    hidden from (``refusal``: why). The fields of ``withheld`` (and below them) show as changed without their
    values: references to other objects the reader may not see (a check-in's linked goals, a goal's parent). An
    entry that changed only fields of ``dropped`` is left out (that it happened would tell of an object the
    reader may not see: a private goal linked to a check-in)."""
    docs = await core_history.history(info.context, object_id, allowed, refusal, last)
    if docs is None:
        return None
    entries = [entry for entry in map(AuditEntry.wrap, docs) if entry is not None]
    if dropped:
        telling = dropped | {"updatedAt"}  # the time of a write, changed by every write, tells nothing of its own
        entries = [e for e in entries if not e.changes or any(c.field.split(".")[0] not in telling for c in e.changes)]
    if withheld:
        for entry in entries:
            entry.changes = [AuditChange(field=c.field, redacted=True, before=None, after=None)
                             if c.field.split(".")[0] in withheld else c for c in entry.changes]
    return entries
