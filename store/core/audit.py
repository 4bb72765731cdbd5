"""The audit trail, recorded where every write passes (``CountingCollection``): while a mutation runs (an
:class:`AuditScope` is set), each write to an audited collection appends one entry per document it changed:
who, when, which mutation, the object (collection and id) and each changed top-level field before and
after. Sensitive values (``models/core/audit.py``) are recorded as changed, without their values.

The entries are written with the change's own session: inside a transaction they commit with it, or not
at all. Reads and writes made for the trail are neither counted nor gated (tests count the change's own
calls), but the trail's collection is marked written (tests restore it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from models.core import clock
from models.core.audit import BOOKKEEPING_FIELDS, NOT_AUDITED, actor_withheld, redacted
from models.core.documents import new_id

AUDIT_COLLECTION = "auditLog"
BEFORE_MAX = 500  # documents one update_many reads back for its entries


@dataclass
class AuditScope:
    """One mutation (or another write path: SCIM, an import): its name and who runs it, read when a write
    happens (sign-in comes first): ``actor_type`` ``employee``, or e.g. ``integration`` for a token."""

    operation: str
    actor: Callable[[], tuple[str | None, str | None]]  # (organization id, the actor's id)
    actor_type: str = "employee"
    source: str | None = None  # the integration the write came through: ``import:<id>``, ``scim:<token id>``, …


current_scope: ContextVar[AuditScope | None] = ContextVar("perfgraph_audit_scope", default=None)


@contextmanager
def derived_writes() -> Iterator[None]:
    """Writes of derived data make no entries of their own while the block runs: rows a domain computes from
    changes the trail already records (a merit cycle's pay snapshot, written by its launch, which is recorded on
    the cycle; a merit budget's counters, incremented with each proposal, which is recorded on the participant)."""
    token = current_scope.set(None)
    try:
        yield
    finally:
        current_scope.reset(token)


known_before: ContextVar[Mapping[str, Any] | None] = ContextVar("perfgraph_audit_known_before", default=None)
known_after: ContextVar[Mapping[str, Any] | None] = ContextVar("perfgraph_audit_known_after", default=None)


@contextmanager
def read_before(document: Mapping[str, Any], *, after: Mapping[str, Any] | None = None) -> Iterator[None]:
    """The caller already holds the document an ``update_one`` (or a ``find_one_and_update`` returning its
    result) changes, as it is before the write: the write's filter is conditional on it (its ``_id`` and its
    ``version``), so when the write matches, that is the state it changed. The audit takes it instead of reading
    it again (one round trip less); a write whose filter names another ``_id`` or version reads as usual.
    ``after``: the document as an ``update_one`` that matches leaves it, when the caller knows it exactly (fields
    set whole, a list pushed to, the version incremented, from the version held): the audit reads nothing after
    the write either."""
    token = known_before.set(document)
    after_token = known_after.set(after)
    try:
        yield
    finally:
        known_after.reset(after_token)
        known_before.reset(token)


def audited(collection: str) -> AuditScope | None:
    scope = current_scope.get()
    return scope if scope is not None and collection not in NOT_AUDITED else None


def fields(update: Mapping[str, Any]) -> set[str]:
    """The paths an update document touches, as deep as it names them (``answers.q1``, not the whole
    ``answers``; a positional or numeric step ends a path), or the top-level fields of a replacement.
    A path below another one kept is dropped (MongoDB refuses both in one projection)."""
    if not any(key.startswith("$") for key in update):
        return {k for k in update if k != "_id"}
    paths: set[str] = set()
    for operation in update.values():
        if isinstance(operation, Mapping):
            for name in operation:
                steps = []
                for step in str(name).split("."):
                    if step.startswith("$") or step.isdigit():
                        break
                    steps.append(step)
                if steps:
                    paths.add(".".join(steps))
    paths.discard("_id")
    return {p for p in paths if not any(p.startswith(other + ".") for other in paths)}


def value_at(document: Mapping[str, Any] | None, path: str) -> Any:
    value: Any = document
    for step in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(step)
    return value


def changes(collection: str, before: Mapping[str, Any] | None, after: Mapping[str, Any] | None,
            names: set[str] | None = None) -> list[dict[str, Any]]:
    """The changed fields, before and after (``redacted``: changed, values not kept). Of a list changed in
    place, only what left it (before) and what joined it (after)."""
    names = names if names is not None else set(before or {}) | set(after or {})
    found = []
    for name in sorted(names - {"_id", "organizationId"} - BOOKKEEPING_FIELDS):
        old, new = value_at(before, name), value_at(after, name)
        if old == new:
            continue
        if redacted(collection, name.split(".", 1)[0]) or redacted(collection, name):
            found.append({"field": name, "redacted": True, "before": None, "after": None})
        elif isinstance(old, list) and isinstance(new, list):
            found.append({"field": name, "redacted": False, "before": [x for x in old if x not in new],
                          "after": [x for x in new if x not in old]})
        else:
            found.append({"field": name, "redacted": False, "before": old, "after": new})
    return found


def entry(scope: AuditScope, collection: str, object_id: Any, organization_id: str | None, action: str,
          fields: list[dict[str, Any]]) -> dict[str, Any]:
    scope_org, actor = scope.actor()
    at = clock.now()
    if actor_withheld(collection):
        at = at.replace(hour=0, minute=0, second=0, microsecond=0)
    return {"_id": new_id(), "organizationId": organization_id or scope_org, "at": at,
            "operation": scope.operation, "action": action, "objectType": collection, "objectId": str(object_id),
            "actorType": None if actor_withheld(collection) else scope.actor_type if actor else None,
            "actorId": None if actor_withheld(collection) else actor,
            "source": None if actor_withheld(collection) else scope.source, "changes": fields}
