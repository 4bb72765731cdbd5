"""Bulk import in GraphQL: the dry run, the run and its live progress (HR admins)."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from enum import Enum
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from models.core.errors import ErrorCode, FieldError
from models.integrations.imports import Action
from resolvers.core.context import Context
from resolvers.core.errors import BadUserInput
from resolvers.integrations import imports
from schema.core.cost import listed
from schema.core.descriptions import describe_values
from schema.core.errors import Error, errors_of

ImportAction = strawberry.enum(Action, name="ImportAction",
                               description="What a run does (or did) with a row of an import.")
describe_values(ImportAction, {
    "CREATE": "The row creates something new.",
    "UPDATE": "The row changes something that exists.",
    "UNCHANGED": "The row matches what exists; nothing to write.",
    "REFUSE": "The row is refused (see its errors); running the import skips it.",
})
ROWS_MAX = 100


@strawberry.enum(description="What a row of an import describes.")
class ImportRowKind(Enum):
    DEPARTMENT = strawberry.enum_value("department", description="A department (its name, parent and head).")
    POSITION = strawberry.enum_value("position", description="A position (its title, level and department).")
    PERSON = strawberry.enum_value("person", description="A person (their name, email, position, department and "
                                                         "manager).")


@strawberry.type(description="One row of an import file and what a run does, or did, with it.")
class ImportRow:
    row: int = strawberry.field(description="The row's number in the file, from 1 (after a CSV's header).")
    kind: ImportRowKind | None = strawberry.field(description="Its type; null when the type was not understood.")
    external_id: str | None = strawberry.field(description="Its id in the source system.")
    action: ImportAction = strawberry.field(description="Create, update, unchanged or refuse.")
    target_id: strawberry.ID | None = strawberry.field(
        description="The department, position or employee it is (null for a row not yet created).")
    errors: list[Error] = strawberry.field(description="Why the row is refused (empty otherwise).")

    @classmethod
    def of(cls, row: dict[str, Any]) -> ImportRow:
        errors = [FieldError(e["field"], ErrorCode(e["code"]), e["message"]) for e in row["errors"]]
        return cls(row=row["row"], kind=ImportRowKind(row["kind"]) if row["kind"] else None,
                   external_id=row["externalId"], action=Action(row["action"]),
                   target_id=strawberry.ID(row["targetId"]) if row["targetId"] else None,
                   errors=errors_of(errors))


@strawberry.type(description="What an import does (a dry run) or did (a run), row by row.")
class ImportReport:
    report: strawberry.Private[dict[str, Any]]
    import_id: strawberry.ID = strawberry.field(description="The import.")
    total: int = strawberry.field(description="Rows in the file.")
    created: int = strawberry.field(description="Rows that create something.")
    updated: int = strawberry.field(description="Rows that change something that exists.")
    unchanged: int = strawberry.field(description="Rows that change nothing (imported before).")
    refused: int = strawberry.field(description="Rows refused (nothing written for them).")
    finished: bool = strawberry.field(description="False for a dry run; true once a run has ended.")

    @classmethod
    def of(cls, report: dict[str, Any]) -> ImportReport:
        return cls(report=report, import_id=strawberry.ID(report["importId"]), total=report["total"],
                   created=report["created"], updated=report["updated"], unchanged=report["unchanged"],
                   refused=report["refused"], finished=report["finished"])

    @strawberry.field(description="The rows, in file order, optionally only those of one action: `first` (at most "
                                  "100) from `offset`.", metadata=listed(ROWS_MAX))
    def rows(
        self,
        action: Annotated[ImportAction | None, strawberry.argument(description=(
            "Only rows with this action."))] = None,
        first: int = 100,
        offset: Annotated[int, strawberry.argument(description=(
            "How many rows to skip first (for reading a large report in parts)."))] = 0,
    ) -> list[ImportRow]:
        if not 0 <= first <= ROWS_MAX or offset < 0:
            raise BadUserInput(f"first must be 0–{ROWS_MAX} and offset at least 0")
        rows = [r for r in self.report["rows"] if action is None or r["action"] == Action(action).value]
        return [ImportRow.of(r) for r in rows[offset:offset + first]]


@strawberry.type(description="The outcome of a run.")
class ImportRunPayload:
    report: ImportReport | None = strawberry.field(description="Row by row; null when the run was refused.")
    errors: list[Error] = strawberry.field(description="Why the run did not start.")


@strawberry.type(description="A run's progress, pushed while it goes on and once when it ends.")
class ImportProgress:
    import_id: strawberry.ID = strawberry.field(description="The import.")
    done: int = strawberry.field(description="Rows dealt with so far.")
    total: int = strawberry.field(description="Rows in the file.")
    created: int = strawberry.field(description="Rows created so far.")
    updated: int = strawberry.field(description="Rows updated so far.")
    unchanged: int = strawberry.field(description="Rows found unchanged so far.")
    refused: int = strawberry.field(description="Rows refused so far.")
    finished: bool = strawberry.field(description="True for the run's last event.")


@strawberry.type
class ImportQuery:
    @strawberry.field(description="HR admins: a dry run of an uploaded import (POST /imports): per row what a run "
                                  "would create, update, leave unchanged or refuse, and why. Writes nothing.")
    async def import_preview(
        self, info: Info[Context, Any],
        import_id: Annotated[strawberry.ID, strawberry.argument(description=(
            "The uploaded import (its id from POST /imports)."))],
    ) -> ImportReport | None:
        return ImportReport.of(await imports.preview(info.context, import_id))


@strawberry.type
class ImportMutation:
    @strawberry.mutation(description="HR admins: run an uploaded import. Idempotent by external id; managers and "
                                     "parents are applied first whatever the row order; a refused row writes "
                                     "nothing and the others go on.")
    async def import_run(
        self, info: Info[Context, Any],
        import_id: Annotated[strawberry.ID, strawberry.argument(description="The previewed import to run.")],
    ) -> ImportRunPayload:
        outcome = await imports.run(info.context, import_id)
        report = outcome.extra.get("report")
        return ImportRunPayload(report=ImportReport.of(report) if report else None, errors=errors_of(outcome.errors))


@strawberry.type
class ImportSubscription:
    @strawberry.subscription(description="HR admins: the progress of runs of one import.")
    async def import_progress(
        self, info: Info[Context, Any],
        import_id: Annotated[strawberry.ID, strawberry.argument(description="The running import.")],
    ) -> AsyncGenerator[ImportProgress, None]:
        async for m in imports.import_progress(info.context, import_id):
            yield ImportProgress(import_id=strawberry.ID(m["importId"]), done=m["done"], total=m["total"],
                                 created=m["created"], updated=m["updated"], unchanged=m["unchanged"],
                                 refused=m["refused"], finished=m["finished"])
