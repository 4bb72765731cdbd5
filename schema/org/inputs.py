"""Inputs of the organisation mutations and filters."""

from __future__ import annotations

from datetime import date
from typing import Any

import strawberry

from schema.org.types import EmployeeStatusEnum, RoleEnum


def provided(input: Any) -> dict[str, Any]:
    """The fields the client sent (``null`` included), without the ones it left out."""
    return {key: value for key, value in vars(input).items() if value is not strawberry.UNSET}


@strawberry.input
class EmployeeFilter:
    department_id: strawberry.ID | None = None
    manager_id: strawberry.ID | None = None
    status: EmployeeStatusEnum | None = strawberry.field(
        default=None, description="Default: everyone who has not left.")
    search: str | None = strawberry.field(default=None,
                                          description="Part of the name, any case (at most 100 characters).")


@strawberry.input
class CreateEmployeeInput:
    name: str
    email: str
    hire_date: date
    position_id: strawberry.ID | None = None
    department_id: strawberry.ID | None = None
    manager_id: strawberry.ID | None = None
    mentor_id: strawberry.ID | None = None
    roles: list[RoleEnum] | None = None
    status: EmployeeStatusEnum | None = None


@strawberry.input(description="Only the fields sent are changed; null clears an optional reference.")
class UpdateEmployeeInput:
    name: str | None = strawberry.UNSET
    email: str | None = strawberry.UNSET
    hire_date: date | None = strawberry.UNSET
    position_id: strawberry.ID | None = strawberry.UNSET
    mentor_id: strawberry.ID | None = strawberry.UNSET
    roles: list[RoleEnum] | None = strawberry.UNSET
    status: EmployeeStatusEnum | None = strawberry.UNSET
    end_date: date | None = strawberry.field(
        default=strawberry.UNSET, description="A future last day set ahead of time (opens the exit process); "
                                              "null withdraws it.")


@strawberry.input(description="Only the fields sent are changed; null clears parent or head.")
class DepartmentInput:
    name: str | None = strawberry.UNSET
    parent_id: strawberry.ID | None = strawberry.UNSET
    head_id: strawberry.ID | None = strawberry.UNSET


@strawberry.input(description="Only the fields sent are changed.")
class PositionInput:
    title: str | None = strawberry.UNSET
    description: str | None = strawberry.UNSET
    responsibilities: list[str] | None = strawberry.UNSET
    level: int | None = strawberry.UNSET
    department_id: strawberry.ID | None = strawberry.UNSET
