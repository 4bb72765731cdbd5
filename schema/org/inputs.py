"""Inputs of the organisation mutations and filters."""

from __future__ import annotations

from datetime import date
from typing import Any

import strawberry

from schema.org.types import EmployeeStatusEnum, RoleEnum


def provided(input: Any) -> dict[str, Any]:
    """The fields the client sent (``null`` included), without the ones it left out."""
    return {key: value for key, value in vars(input).items() if value is not strawberry.UNSET}


@strawberry.input(description="Which people to list; every condition given must hold.")
class EmployeeFilter:
    department_id: strawberry.ID | None = strawberry.field(default=None, description="Only the people of this "
                                                           "department (not of the departments below it).")
    manager_id: strawberry.ID | None = strawberry.field(default=None, description="Only this manager's direct "
                                                        "reports.")
    status: EmployeeStatusEnum | None = strawberry.field(
        default=None, description="Default: everyone who has not left.")
    search: str | None = strawberry.field(default=None,
                                          description="Part of the name, any case (at most 100 characters).")


@strawberry.input(description="A new person; only HR admins add people.")
class CreateEmployeeInput:
    name: str = strawberry.field(description="Full name, 1 to 200 characters.")
    email: str = strawberry.field(description="Work email, unique in the organisation (compared in lower case).")
    hire_date: date = strawberry.field(description="The first day of employment.")
    position_id: strawberry.ID | None = strawberry.field(default=None, description="Their position; none if omitted.")
    department_id: strawberry.ID | None = strawberry.field(default=None, description="Their department; none if "
                                                           "omitted.")
    manager_id: strawberry.ID | None = strawberry.field(default=None, description="Their direct manager, someone "
                                                        "who has not left; omitted, they start at the top.")
    mentor_id: strawberry.ID | None = strawberry.field(default=None, description="Their mentor; none if omitted.")
    roles: list[RoleEnum] | None = strawberry.field(default=None, description="Their roles; omitted, EMPLOYEE "
                                                    "only. HR admins cannot grant COMPENSATION_ADMIN.")
    status: EmployeeStatusEnum | None = strawberry.field(default=None, description="Omitted: ACTIVE.")


@strawberry.input(description="Only the fields sent are changed; null clears an optional reference.")
class UpdateEmployeeInput:
    name: str | None = strawberry.field(default=strawberry.UNSET, description="A new full name, 1 to 200 "
                                        "characters.")
    email: str | None = strawberry.field(default=strawberry.UNSET, description="A new work email, unique in the "
                                         "organisation.")
    hire_date: date | None = strawberry.field(default=strawberry.UNSET, description="A corrected first day.")
    position_id: strawberry.ID | None = strawberry.field(default=strawberry.UNSET, description="Another position; "
                                                         "null: none.")
    mentor_id: strawberry.ID | None = strawberry.field(default=strawberry.UNSET, description="Another mentor; null: "
                                                       "none.")
    roles: list[RoleEnum] | None = strawberry.field(default=strawberry.UNSET, description="The whole new set of "
                                                    "roles (replacing the old one).")
    status: EmployeeStatusEnum | None = strawberry.field(default=strawberry.UNSET, description="ACTIVE or ON_LEAVE; "
                                                         "someone leaves through terminateEmployee.")
    end_date: date | None = strawberry.field(
        default=strawberry.UNSET, description="A future last day set ahead of time (opens the exit process); "
                                              "null withdraws it.")


@strawberry.input(description="Only the fields sent are changed; null clears parent or head.")
class DepartmentInput:
    name: str | None = strawberry.field(default=strawberry.UNSET, description="The name, 1 to 200 characters "
                                        "(required when creating).")
    parent_id: strawberry.ID | None = strawberry.field(default=strawberry.UNSET, description="The department it is "
                                                       "part of (never one below itself); null: top level.")
    head_id: strawberry.ID | None = strawberry.field(default=strawberry.UNSET, description="The person who leads "
                                                     "it, someone who has not left; null: none.")


@strawberry.input(description="Only the fields sent are changed.")
class PositionInput:
    title: str | None = strawberry.field(default=strawberry.UNSET, description="The job title, 1 to 200 characters "
                                         "(required when creating).")
    description: str | None = strawberry.field(default=strawberry.UNSET, description="What the position is for, at "
                                               "most 5,000 characters.")
    responsibilities: list[str] | None = strawberry.field(default=strawberry.UNSET, description="The whole list of "
                                                          "responsibilities (replacing the old one).")
    level: int | None = strawberry.field(default=strawberry.UNSET, description="The career-ladder level, 1 to 10 "
                                         "(1 when creating without one).")
    department_id: strawberry.ID | None = strawberry.field(default=strawberry.UNSET, description="Its department; "
                                                           "null: shared across departments.")
