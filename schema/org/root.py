"""Organisation queries, mutations and the live org-chart subscription."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from resolvers.core.context import Context
from resolvers.core.outcome import Outcome
from resolvers.core.projection import employee_projection, field_names
from resolvers.org import access, subscriptions
from resolvers.org import mutations as org_mutations
from resolvers.org import queries as org
from schema.core.cost import listed
from schema.core.errors import Error, errors_of
from schema.core.pagination import After, Before, Connection, First, Last, window
from schema.org.inputs import (
    CreateEmployeeInput,
    DepartmentInput,
    EmployeeFilter,
    PositionInput,
    UpdateEmployeeInput,
    provided,
)
from schema.org.types import (
    Department,
    DepartmentFields,
    Employee,
    EmployeeFields,
    OrgChangeKind,
    OrgChartNode,
    Position,
    PositionFields,
)

EmployeeFilterArg = Annotated[EmployeeFilter | None, strawberry.argument(
    description="Which people to list; omitted, everyone who has not left.")]


@strawberry.type
class EmployeePayload:
    employee: Employee | None
    errors: list[Error]


@strawberry.type
class TerminateEmployeePayload:
    employee: Employee | None
    moved_reports: list[Employee] = strawberry.field(
        metadata=listed(30),
        description="The reports of the person who left, now reporting to their manager.")
    errors: list[Error]


@strawberry.type
class DepartmentPayload:
    department: Department | None
    errors: list[Error]


@strawberry.type
class PositionPayload:
    position: Position | None
    errors: list[Error]


@strawberry.type(description="A committed change at or below the subscribed root of the org chart.")
class OrgChartEvent:
    kind: OrgChangeKind = strawberry.field(description="What changed.")
    root_id: strawberry.ID = strawberry.field(description="The subscription's root the change happened under.")
    employee_ids: list[strawberry.ID] = strawberry.field(description="The ids of the people the change affected.")
    version: int = strawberry.field(description="The organisation's change counter after this change.")
    references: strawberry.Private[dict[str, list[str]]]  # the event's hint: what the people refer to

    @strawberry.field(metadata=listed(50), description="The people the change affected, read after the change.")
    async def employees(self, info: Info[Context, Any]) -> list[Employee]:
        selected = field_names(info.selected_fields, under="employees")
        return EmployeeFields.wrap_all(await access.changed_employees(info.context, self.employee_ids,
                                                                      self.references, selected))


def employee_payload(outcome: Outcome) -> EmployeePayload:
    return EmployeePayload(employee=EmployeeFields.wrap(outcome.document), errors=errors_of(outcome.errors))


@strawberry.type
class OrgQuery:
    @strawberry.field(description="The signed-in employee.")
    async def me(self, info: Info[Context, Any]) -> Employee | None:
        return EmployeeFields.wrap(await org.me(info.context))

    @strawberry.field(description="Someone in your organisation; null for an unknown id.")
    async def employee(
        self, info: Info[Context, Any],
        id: Annotated[strawberry.ID, strawberry.argument(description="The person's id (Employee.id).")],
    ) -> Employee | None:
        return EmployeeFields.wrap(await access.employee(info.context, id))

    @strawberry.field(description="People of your organisation by name, paginated (first ≤ 100).")
    async def employees(self, info: Info[Context, Any], filter: EmployeeFilterArg = None,
                        first: First = 20,
                        after: After = None, last: Last = None, before: Before = None) -> Connection[Employee]:
        filter = filter or EmployeeFilter()
        projection = employee_projection(field_names(info.selected_fields, under="node"))
        page = await org.employees(info.context, window(info, first, after, last, before), projection,
                                   department_id=filter.department_id, manager_id=filter.manager_id,
                                   status=filter.status.value if filter.status else None, search=filter.search)
        return Connection[Employee].of(page, EmployeeFields.wrap)

    @strawberry.field(description="The org chart below rootId (default: the top), depth levels deep (1–10).")
    async def org_chart(
        self, info: Info[Context, Any],
        root_id: Annotated[strawberry.ID | None, strawberry.argument(description=(
            "The person at the top of the chart; omitted, the top of the organisation."))] = None,
        depth: Annotated[int, strawberry.argument(description="How many levels below the root to include, 1 to 10.")
                         ] = 3,
    ) -> OrgChartNode | None:
        projection = employee_projection(field_names(info.selected_fields, under="employee"))
        node = await org.org_chart(info.context, root_id, depth, projection)
        return OrgChartNode(node=node, level=0) if node else None

    @strawberry.field(
        metadata=listed(20),
        description="The managers above someone, nearest first; null (with the error) for an unknown "
                                  "id.")
    async def reporting_chain(
        self, info: Info[Context, Any],
        employee_id: Annotated[strawberry.ID, strawberry.argument(description="The person whose managers to list.")],
    ) -> list[Employee] | None:
        return EmployeeFields.wrap_all(await org.reporting_chain(info.context, employee_id))

    @strawberry.field(metadata=listed(200), description=(
        "Every department of your organisation, by name (everyone may read them)."))
    async def departments(self, info: Info[Context, Any]) -> list[Department]:
        return [d for d in map(DepartmentFields.wrap, await org.departments(info.context)) if d is not None]

    @strawberry.field(metadata=listed(200), description=(
        "Every position of your organisation's catalogue, by title (everyone may read them)."))
    async def positions(self, info: Info[Context, Any]) -> list[Position]:
        return [p for p in map(PositionFields.wrap, await org.positions(info.context)) if p is not None]


@strawberry.type
class OrgMutation:
    @strawberry.mutation(description="HR admins: add someone to the organisation.")
    async def create_employee(
        self, info: Info[Context, Any],
        input: Annotated[CreateEmployeeInput, strawberry.argument(description="The new person's details.")],
    ) -> EmployeePayload:
        return employee_payload(await org_mutations.create_employee(info.context, provided(input)))

    @strawberry.mutation(description="HR admins: change someone's details.")
    async def update_employee(
        self, info: Info[Context, Any],
        id: Annotated[strawberry.ID, strawberry.argument(description="The person to change.")],
        input: Annotated[UpdateEmployeeInput, strawberry.argument(description=(
            "The fields to change; the others stay as they are."))],
    ) -> EmployeePayload:
        return employee_payload(await org_mutations.update_employee(info.context, id, provided(input)))

    @strawberry.mutation(description="HR admins: set someone's manager (null: top of the organisation).")
    async def change_manager(
        self, info: Info[Context, Any],
        employee_id: Annotated[strawberry.ID, strawberry.argument(description=(
            "The person to move (with everyone below them)."))],
        manager_id: Annotated[strawberry.ID | None, strawberry.argument(description=(
            "Their new direct manager, someone who has not left and is not below them; null: the top of the "
            "organisation."))],
    ) -> EmployeePayload:
        return employee_payload(await org_mutations.change_manager(info.context, employee_id, manager_id))

    @strawberry.mutation(description="HR admins: move someone to another department.")
    async def move_department(
        self, info: Info[Context, Any],
        employee_id: Annotated[strawberry.ID, strawberry.argument(description="The person to move.")],
        department_id: Annotated[strawberry.ID, strawberry.argument(description="Their new department.")],
    ) -> EmployeePayload:
        return employee_payload(await org_mutations.move_department(info.context, employee_id, department_id))

    @strawberry.mutation(description="HR admins: terminate someone; their reports move to their manager.")
    async def terminate_employee(
        self, info: Info[Context, Any],
        employee_id: Annotated[strawberry.ID, strawberry.argument(description="The person who leaves.")],
        note: Annotated[str | None, strawberry.argument(description=(
            "Why, kept in their status history (at most 5,000 characters)."))] = None,
    ) -> TerminateEmployeePayload:
        outcome = await org_mutations.terminate_employee(info.context, employee_id, note)
        return TerminateEmployeePayload(employee=EmployeeFields.wrap(outcome.document),
                                        moved_reports=EmployeeFields.wrap_all(outcome.extra.get("moved", [])),
                                        errors=errors_of(outcome.errors))

    @strawberry.mutation(description="HR admins: create a department (id omitted) or change one.")
    async def save_department(
        self, info: Info[Context, Any],
        input: Annotated[DepartmentInput, strawberry.argument(description=(
            "The department's fields (name required when creating)."))],
        id: Annotated[strawberry.ID | None, strawberry.argument(description=(
            "The department to change; omitted, a new one is created."))] = None,
    ) -> DepartmentPayload:
        outcome = await org_mutations.save_department(info.context, id, provided(input))
        return DepartmentPayload(department=DepartmentFields.wrap(outcome.document), errors=errors_of(outcome.errors))

    @strawberry.mutation(description="HR admins: create a position (id omitted) or change one.")
    async def save_position(
        self, info: Info[Context, Any],
        input: Annotated[PositionInput, strawberry.argument(description=(
            "The position's fields (title required when creating)."))],
        id: Annotated[strawberry.ID | None, strawberry.argument(description=(
            "The position to change; omitted, a new one is created."))] = None,
    ) -> PositionPayload:
        outcome = await org_mutations.save_position(info.context, id, provided(input))
        return PositionPayload(position=PositionFields.wrap(outcome.document), errors=errors_of(outcome.errors))


@strawberry.type
class OrgSubscription:
    @strawberry.subscription(description="Committed changes at or below rootId, for your organisation only.")
    async def org_chart_changed(
        self, info: Info[Context, Any],
        root_id: Annotated[strawberry.ID, strawberry.argument(description=(
            "The person at the top of the part of the chart to watch (changes at or below them are sent)."))],
    ) -> AsyncGenerator[OrgChartEvent, None]:
        async for message in subscriptions.org_chart_changed(info.context, root_id):
            yield OrgChartEvent(kind=message["kind"], root_id=message["rootId"],
                                employee_ids=message["employeeIds"], version=message["version"],
                                references=message.get("references") or {})

