"""What the growth rules need about one person, loaded through the request's loaders: the person, their
growth plan and their mentors in active mentorships. Every growth path asks :func:`plan_view` first."""

from __future__ import annotations

from dataclasses import dataclass

from models.core.documents import Document
from models.core.viewer import Viewer
from models.growth.permissions import can_read_plan
from models.growth.rules import MentorshipStatus
from resolvers.core.context import Context, require
from resolvers.core.errors import Forbidden
from resolvers.org.access import known_employee

PLAN_REFUSAL = ("a growth plan is visible to the person, their managers, HR admins and, when the person "
                "shares it, their mentors")


@dataclass(frozen=True)
class PlanView:
    employee: Document
    plan: Document | None
    mentor_ids: frozenset[str]

    def readable_by(self, viewer: Viewer) -> bool:
        return can_read_plan(viewer, self.employee, self.plan, self.mentor_ids)


def active_mentor_ids(mentorships: list[Document]) -> frozenset[str]:
    return frozenset(m["mentorId"] for m in mentorships if m["status"] == MentorshipStatus.ACTIVE.value)


async def plan_views(context: Context, employees: list[Document]) -> list[PlanView]:
    """Each person's plan and mentors, two batched loads whatever the number of people."""
    loaders = (await require(context)).loaders.growth
    ids = [e["_id"] for e in employees]
    plans = await loaders.plan_by_employee_id.load_many(ids)
    mentorships = await loaders.mentorships_by_mentee_id.load_many(ids)
    return [PlanView(e, p[0] if p else None, active_mentor_ids(m))
            for e, p, m in zip(employees, plans, mentorships, strict=True)]


async def plan_view(context: Context, employee_id: str) -> PlanView:
    """The person's plan view; :class:`BadUserInput` for an unknown person."""
    employee = await known_employee(context, employee_id)
    return (await plan_views(context, [employee]))[0]


async def readable_plan_view(context: Context, employee_id: str) -> PlanView:
    """The plan view, or :class:`Forbidden` for a viewer who may not read the plan."""
    signed_in = await require(context)
    view = await plan_view(context, employee_id)
    if not view.readable_by(signed_in.viewer):
        raise Forbidden(PLAN_REFUSAL)
    return view
