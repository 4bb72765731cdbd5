"""``talentGrid``: the 9-box of a review cycle for HR admins (everyone) or a manager (the people below
them), per department if asked, with movement since the previous cycle; a fixed number of store calls."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from models.core.documents import Document
from models.core.viewer import Role
from models.growth.permissions import can_rank_for
from models.growth.talent import Band, boxes, counts, movements, potential_as_of
from resolvers.core.context import Context, require
from resolvers.core.errors import BadUserInput, Forbidden
from resolvers.org.access import active_people
from resolvers.reviews.access import cycle_with_previous, final_ratings

GRID_REFUSAL = "talent grids are for HR admins and managers (the people below them)"


@dataclass(frozen=True)
class Grid:
    cycle: Document
    previous: Document | None
    cells: list[tuple[Band, Band, list[Document]]]
    moved: list[tuple[Document, tuple[Band, Band], tuple[Band, Band]]]
    unplaced: int


def end_of(day: str) -> datetime:
    return datetime.combine(date.fromisoformat(day), time.max, tzinfo=UTC)


async def talent_grid(context: Context, cycle_id: str, department_id: str | None) -> Grid:
    signed_in = await require(context)
    viewer = signed_in.viewer
    if not (viewer.is_hr_admin or Role.MANAGER in viewer.roles):
        raise Forbidden(GRID_REFUSAL)
    cycle, previous = await cycle_with_previous(context, cycle_id)
    if cycle is None:
        raise BadUserInput(f"no review cycle {cycle_id!r} in your organisation")
    people = [e for e in await active_people(context) if can_rank_for(viewer, e)
              and (department_id is None or e.get("departmentId") == department_id)]
    ratings = {r["employeeId"]: r for r in await signed_in.store.talentRatings.find(
        {"employeeId": {"$in": [p["_id"] for p in people]}})}
    now_ratings = await final_ratings(context, cycle["_id"], people)
    until = end_of(cycle["periodEnd"])
    placed = boxes(now_ratings, {id: potential_as_of(ratings.get(id), until) for id in now_ratings})
    before: dict[str, tuple[Band, Band]] = {}
    if previous is not None:
        then = await final_ratings(context, previous["_id"], people)
        before = boxes(then, {id: potential_as_of(ratings.get(id), end_of(previous["periodEnd"])) for id in then})
    by_id = {p["_id"]: p for p in people}
    return Grid(cycle, previous, [(perf, pot, [by_id[i] for i in ids]) for perf, pot, ids in counts(placed)],
                [(by_id[i], a, b) for i, a, b in movements(placed, before)], len(now_ratings) - len(placed))
