"""Bulk import of departments, positions and people from CSV or JSON: parsing, and the plan (pure).

A file is rows; each row has a ``type`` (``department``, ``position``, ``person``) and an ``externalId``
(the source system's id: an import is idempotent by it). References between rows go by external id:
``parentExternalId`` (a department's parent), ``departmentExternalId`` (a position's or person's
department), ``positionExternalId``, ``managerExternalId``; a reference names a row of the file or
something an earlier import created. :func:`plan` decides, for every row, what a run would do: create,
update, leave unchanged, or refuse with reasons (unknown references, duplicate emails or external ids,
reporting or department loops, bad dates), and in which order a run applies them (parents and managers
first, whatever the row order).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from models.core.errors import ErrorCode, FieldError
from models.core.validation import check_name
from models.org.rules import check_email, check_hire_date, normalize_email

MAX_ROWS = 10_000
COLUMNS = ("type", "externalId", "name", "title", "email", "hireDate", "level", "parentExternalId",
           "departmentExternalId", "positionExternalId", "managerExternalId")
LEVELS = range(1, 11)


class RowKind(StrEnum):
    DEPARTMENT = "department"
    POSITION = "position"
    PERSON = "person"


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    REFUSE = "refuse"


KIND_ORDER = {RowKind.DEPARTMENT: 0, RowKind.POSITION: 1, RowKind.PERSON: 2}


class BadFile(Exception):
    """The file itself cannot be read (not CSV/JSON, no rows, too many rows, unknown columns)."""


def _clean(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def parse_file(body: bytes, content_type: str) -> list[dict[str, str | None]]:
    """The rows of a CSV (header line first) or JSON (a list of objects, or ``{"rows": [...]}``) file."""
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadFile("the file is not UTF-8 text") from None
    if "json" in content_type:
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):
            raise BadFile("the file is not valid JSON") from None
        rows = data.get("rows") if isinstance(data, dict) else data
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise BadFile("a JSON import is a list of row objects, or {\"rows\": [...]}")
    elif "csv" in content_type:
        try:
            rows = list(csv.DictReader(io.StringIO(text)))
        except csv.Error as error:
            raise BadFile(f"the file is not valid CSV: {error}") from None
    else:
        raise BadFile("send text/csv or application/json")
    if not rows:
        raise BadFile("the file has no rows")
    if len(rows) > MAX_ROWS:
        raise BadFile(f"the file has more than {MAX_ROWS} rows")
    unknown = sorted({str(k) for row in rows for k in row if k not in COLUMNS})
    if unknown:
        raise BadFile(f"unknown columns: {', '.join(unknown[:5])} (known: {', '.join(COLUMNS)})")
    return [{column: _clean(row.get(column)) for column in COLUMNS} for row in rows]


@dataclass
class State:
    """What the organisation holds now, as a plan needs it."""

    links: dict[tuple[str, str], str]  # (kind, external id) → the id an earlier import created or matched
    people: dict[str, dict[str, Any]]  # id → employee (every one of the organisation)
    departments: dict[str, dict[str, Any]]
    positions: dict[str, dict[str, Any]]


@dataclass
class RowPlan:
    index: int  # 0-based position in the file; row numbers shown are 1-based
    kind: RowKind | None
    external_id: str | None
    action: Action
    target_id: str | None = None  # the existing object (update/unchanged)
    errors: list[FieldError] = field(default_factory=list)
    changes: dict[str, Any] = field(default_factory=dict)  # what a run writes (org field names)
    refs: dict[str, str | None] = field(default_factory=dict)  # reference field → external id (or None)


def _parse_date(value: str | None) -> tuple[date | None, list[FieldError]]:
    if value is None:
        return None, []
    try:
        return date.fromisoformat(value), []
    except ValueError:
        return None, [FieldError("hireDate", ErrorCode.INVALID, f"{value!r} is not a date (YYYY-MM-DD)")]


REF_FIELDS: dict[RowKind, dict[str, RowKind]] = {
    RowKind.DEPARTMENT: {"parentExternalId": RowKind.DEPARTMENT},
    RowKind.POSITION: {"departmentExternalId": RowKind.DEPARTMENT},
    RowKind.PERSON: {"departmentExternalId": RowKind.DEPARTMENT, "positionExternalId": RowKind.POSITION,
                     "managerExternalId": RowKind.PERSON},
}
TARGET_FIELD = {"parentExternalId": "parentId", "departmentExternalId": "departmentId",
                "positionExternalId": "positionId", "managerExternalId": "managerId"}


def _row_errors(kind: RowKind, row: Mapping[str, str | None], today: date) -> tuple[dict[str, Any], list[FieldError]]:
    """The row's own values (org field names) and what is wrong with them alone."""
    if kind == RowKind.DEPARTMENT:
        return {"name": row["name"]}, check_name(row["name"], "name")
    if kind == RowKind.POSITION:
        errors = check_name(row["title"], "title")
        level = None
        if row["level"] is not None:
            try:
                level = int(row["level"])
            except ValueError:
                level = 0
            if level not in LEVELS:
                errors.append(FieldError("level", ErrorCode.INVALID, f"level must be {LEVELS.start}–{LEVELS.stop - 1}"))
        values: dict[str, Any] = {"title": row["title"]}
        if level is not None:
            values["level"] = level
        return values, errors
    hire, errors = _parse_date(row["hireDate"])
    errors = check_name(row["name"], "name") + check_email(row["email"]) + errors
    if hire is not None:
        errors += check_hire_date(hire, today)
    values = {"name": row["name"], "email": normalize_email(row["email"]) if row["email"] else None}
    if hire is not None:
        values["hireDate"] = hire.isoformat()
    return values, errors


def _current(kind: RowKind, target: dict[str, Any]) -> dict[str, Any]:
    keys = {RowKind.DEPARTMENT: ("name", "parentId"), RowKind.POSITION: ("title", "level", "departmentId"),
            RowKind.PERSON: ("name", "email", "hireDate", "departmentId", "positionId", "managerId")}[kind]
    return {k: target.get(k) for k in keys}


def plan(rows: list[dict[str, str | None]], state: State, today: date) -> list[RowPlan]:
    """What a run would do with each row (in file order); see the module's description."""
    plans: list[RowPlan] = []
    seen: dict[tuple[str, str], int] = {}
    for index, row in enumerate(rows):
        try:
            kind = RowKind((row["type"] or "").lower())
        except ValueError:
            plans.append(RowPlan(index, None, row["externalId"], Action.REFUSE, errors=[FieldError(
                "type", ErrorCode.INVALID, "type must be department, position or person")]))
            continue
        external_id = row["externalId"]
        values, errors = _row_errors(kind, row, today)
        if external_id is None:
            errors.insert(0, FieldError("externalId", ErrorCode.REQUIRED, "externalId is required"))
        elif (kind.value, external_id) in seen:
            first = seen[(kind.value, external_id)] + 1
            errors.insert(0, FieldError("externalId", ErrorCode.DUPLICATE,
                                        f"externalId {external_id!r} is also on row {first}"))
        else:
            seen[(kind.value, external_id)] = index
        target = state.links.get((kind.value, external_id)) if external_id else None
        if target is not None and kind == RowKind.PERSON and target not in state.people:
            target = None
        if kind == RowKind.PERSON and target is None and row["hireDate"] is None:
            errors.append(FieldError("hireDate", ErrorCode.REQUIRED, "hireDate is required for someone new"))
        refs = {name: row[name] for name in REF_FIELDS[kind]}
        plans.append(RowPlan(index, kind, external_id, Action.REFUSE if errors else Action.CREATE, target, errors,
                             values, refs))
    in_file = {(p.kind.value, p.external_id): p for p in plans if p.kind and p.external_id
               and not any(e.field == "externalId" for e in p.errors)}
    _check_references(plans, in_file, state)
    _check_emails(plans, state)
    _check_loops(plans, in_file, state, RowKind.PERSON, "managerExternalId", "managerId", state.people,
                 "a reporting loop", "managerId")
    _check_loops(plans, in_file, state, RowKind.DEPARTMENT, "parentExternalId", "parentId", state.departments,
                 "a department loop", "parentId")
    _refuse_dependents(plans, in_file)
    for p in plans:
        if p.action != Action.REFUSE and p.kind is not None and p.target_id is not None:
            existing = {RowKind.PERSON: state.people, RowKind.DEPARTMENT: state.departments,
                        RowKind.POSITION: state.positions}[p.kind]
            current = _current(p.kind, existing.get(p.target_id, {}))
            wanted = {**current, **p.changes}
            for name in p.refs:
                wanted[TARGET_FIELD[name]] = resolve(p, name, in_file, state.links)
            p.action = Action.UNCHANGED if wanted == current else Action.UPDATE
    return plans


NEW = "(created by this run)"


def resolve(p: RowPlan, name: str, in_file: Mapping[tuple[str, str], RowPlan], links: Mapping[tuple[str, str], str],
            created: Mapping[tuple[str, str], str] | None = None) -> str | None:
    """The id reference ``name`` of row ``p`` names: ``None`` for none, :data:`NEW` for a row the run is
    yet to create (or its id once ``created`` has it)."""
    external = p.refs.get(name)
    if external is None or p.kind is None:
        return None
    key = (REF_FIELDS[p.kind][name].value, external)
    if created is not None and key in created:
        return created[key]
    other = in_file.get(key)
    if other is not None:
        return other.target_id or NEW
    return links.get(key)


def _check_references(plans: list[RowPlan], in_file: Mapping[tuple[str, str], RowPlan], state: State) -> None:
    for p in plans:
        if p.kind is None:
            continue
        for name, external in p.refs.items():
            if external is None:
                continue
            kind = REF_FIELDS[p.kind][name]
            if (kind.value, external) not in in_file and (kind.value, external) not in state.links:
                label = {"managerExternalId": "manager", "parentExternalId": "parent department",
                         "departmentExternalId": "department", "positionExternalId": "position"}[name]
                p.errors.append(FieldError(name, ErrorCode.NOT_FOUND, f"unknown {label} {external!r}"))
                p.action = Action.REFUSE


def _check_emails(plans: list[RowPlan], state: State) -> None:
    owners = {person.get("email"): id for id, person in state.people.items()}
    in_file: dict[str, int] = {}
    for p in plans:
        email = p.changes.get("email") if p.kind == RowKind.PERSON else None
        if not email:
            continue
        if email in in_file:
            p.errors.append(FieldError("email", ErrorCode.DUPLICATE, f"{email} is also on row {in_file[email] + 1}"))
            p.action = Action.REFUSE
            continue
        in_file[email] = p.index
        owner = owners.get(email)
        if owner is not None and owner != p.target_id:
            p.errors.append(FieldError("email", ErrorCode.DUPLICATE, f"{email} is already in use"))
            p.action = Action.REFUSE


def _check_loops(plans: list[RowPlan], in_file: Mapping[tuple[str, str], RowPlan], state: State, kind: RowKind,
                 ref: str, target_field: str, existing: Mapping[str, Mapping[str, Any]], what: str,
                 field_name: str) -> None:
    """Refuse every row of ``kind`` on a loop of the links as they would be after the run (the file's
    rows over what the organisation holds)."""
    def node(p: RowPlan) -> str:
        return p.target_id or f"new:{p.external_id}"

    parents: dict[str, str | None] = {id: doc.get(target_field) for id, doc in existing.items()}
    rows_of: dict[str, RowPlan] = {}
    for p in plans:
        if p.kind != kind or p.external_id is None or (kind.value, p.external_id) not in in_file:
            continue
        rows_of[node(p)] = p
        external = p.refs.get(ref)
        if external is None:
            parents[node(p)] = None
        else:
            other = in_file.get((kind.value, external))
            parents[node(p)] = node(other) if other is not None else state.links.get((kind.value, external))
    for start, p in rows_of.items():
        current, steps = parents.get(start), 0
        while current is not None and steps <= len(parents):
            if current == start:
                p.errors.append(FieldError(ref, ErrorCode.CYCLE, f"{what}: this row would be above itself"))
                p.action = Action.REFUSE
                break
            current, steps = parents.get(current), steps + 1


def _refuse_dependents(plans: list[RowPlan], in_file: Mapping[tuple[str, str], RowPlan]) -> None:
    """A row referring to a refused row is refused too (its reference would name nothing)."""
    changed = True
    while changed:
        changed = False
        for p in plans:
            if p.action == Action.REFUSE or p.kind is None:
                continue
            for name, external in p.refs.items():
                other = in_file.get((REF_FIELDS[p.kind][name].value, external)) if external else None
                if other is not None and other.action == Action.REFUSE:
                    p.errors.append(FieldError(name, ErrorCode.INVALID, f"row {other.index + 1} ({external!r}) "
                                                                        "is refused"))
                    p.action = Action.REFUSE
                    changed = True
                    break


def run_order(plans: list[RowPlan]) -> list[RowPlan]:
    """The rows a run applies, parents and managers before the rows referring to them."""
    todo = [p for p in plans if p.action in (Action.CREATE, Action.UPDATE)]
    by_key = {(p.kind.value, p.external_id): p for p in todo if p.kind}
    ordered: list[RowPlan] = []
    placed: set[int] = set()

    def visit(p: RowPlan, depth: int = 0) -> None:
        if p.index in placed or depth > len(todo):
            return
        for name, external in p.refs.items():
            other = by_key.get((REF_FIELDS[p.kind][name].value, external)) if external and p.kind else None
            if other is not None:
                visit(other, depth + 1)
        placed.add(p.index)
        ordered.append(p)

    for p in sorted(todo, key=lambda p: (KIND_ORDER[p.kind], p.index)):  # type: ignore[index]
        visit(p)
    return ordered
