"""Employee, Department and Position as GraphQL types: the org chart's fields and each domain's own.

Each domain declares the fields it adds to a person, a department or a position in its
``org_fields`` module; they meet only here, so no domain's types import another's. Everything else
refers to these types lazily (``schema.org.types.Employee``) and builds values with
``EmployeeFields.wrap`` (the resolvers of every group read only ``doc``).
"""

from __future__ import annotations

import strawberry

from schema.checkins.org_fields import CheckInDepartmentFields, CheckInEmployeeFields
from schema.compensation.org_fields import CompensationEmployeeFields
from schema.feedback.org_fields import FeedbackEmployeeFields
from schema.goals.org_fields import GoalDepartmentFields, GoalEmployeeFields
from schema.growth.org_fields import GrowthEmployeeFields
from schema.integrations.org_fields import IntegrationEmployeeFields
from schema.notifications.org_fields import NotificationEmployeeFields
from schema.org.types import DepartmentFields, EmployeeFields, PositionFields
from schema.reviews.org_fields import ReviewEmployeeFields, ReviewPositionFields


@strawberry.type(name="Employee", description="A person in the organisation.")
class EmployeeType(EmployeeFields, GoalEmployeeFields, CheckInEmployeeFields, FeedbackEmployeeFields,
                   ReviewEmployeeFields, GrowthEmployeeFields, CompensationEmployeeFields,
                   IntegrationEmployeeFields, NotificationEmployeeFields):
    pass


@strawberry.type(name="Department", description="A department of the organisation; departments form a tree.")
class DepartmentType(DepartmentFields, GoalDepartmentFields, CheckInDepartmentFields):
    pass


@strawberry.type(name="Position", description="A job in the organisation's catalogue: a title at a level, held "
                                            "by one or more people.")
class PositionType(PositionFields, ReviewPositionFields):
    pass
