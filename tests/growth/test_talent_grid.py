"""talentGrid: the closed cycle's people placed in the 9-box by final rating and potential as rated by the
period's end, counts per box, movement since the previous cycle, and who may see it."""

from __future__ import annotations

from models.demo.reviews import demo_review_documents
from models.reviews.scores import final_rating
from tests.conftest import NORTHWIND, RunningServer
from tests.growth.support import SEED, person

REVIEWS = demo_review_documents(NORTHWIND)
CLOSED = next(c for c in REVIEWS["reviewCycles"] if c["status"] == "closed")
ACTIVE = next(c for c in REVIEWS["reviewCycles"] if c["status"] != "closed")
GRID = """
query($c: ID!) { talentGrid(cycleId: $c) { cycleId previousCycleId unplaced
  cells { performance potential count employees { id } }
  movements { employee { id } fromPerformance fromPotential toPerformance toPotential } } }
"""
RATE = "mutation($e: ID!, $p: Int!) { rateTalent(employeeId: $e, potential: $p) { errors { code } } }"


def band_of_rating(rating: int) -> str:
    return "LOW" if rating <= 2 else "MODERATE" if rating == 3 else "HIGH"


async def test_the_closed_cycle_is_placed_as_computed_by_hand(server: RunningServer) -> None:
    # given the closed cycle's reviews and the potential each reviewee was rated before its end
    potential = {r["employeeId"]: r["potential"] for r in SEED["talentRatings"]}
    expected: dict[tuple[str, str], list[str]] = {}
    for review in REVIEWS["reviews"]:
        if review["cycleId"] == CLOSED["_id"] and final_rating(review) is not None:
            bands = ("LOW", "MODERATE", "HIGH")
            box = (band_of_rating(final_rating(review)), bands[potential[review["employeeId"]] - 1])
            expected.setdefault(box, []).append(review["employeeId"])
    # when an HR admin reads its grid
    grid = (await server.client("hr_admin").data(GRID, {"c": CLOSED["_id"]}))["talentGrid"]
    # then all nine boxes are there with exactly those people, nobody unplaced, nothing to move from
    assert (grid["cycleId"], grid["previousCycleId"], grid["unplaced"], grid["movements"]) == (
        CLOSED["_id"], None, 0, [])
    assert len(grid["cells"]) == 9
    for cell in grid["cells"]:
        ids = sorted(expected.get((cell["performance"], cell["potential"]), []))
        assert ([e["id"] for e in cell["employees"]], cell["count"]) == (ids, len(ids)), cell
    assert sum(c["count"] for c in grid["cells"]) == sum(len(v) for v in expected.values()) > 0


async def test_a_rating_after_the_period_does_not_move_anyone_in_that_cycle(server: RunningServer) -> None:
    # given someone of the closed cycle rated again today (after its period ended)
    rated = SEED["talentRatings"][0]
    new = 3 if rated["potential"] != 3 else 1
    done = await server.client("hr_admin").data(RATE, {"e": rated["employeeId"], "p": new})
    assert done["rateTalent"]["errors"] == []
    # then the closed cycle's grid still places them by the rating of the time
    grid = (await server.client("hr_admin").data(GRID, {"c": CLOSED["_id"]}))["talentGrid"]
    cell = next(c for c in grid["cells"] if rated["employeeId"] in {e["id"] for e in c["employees"]})
    assert cell["potential"] == ("LOW", "MODERATE", "HIGH")[rated["potential"] - 1]
    # and the active cycle, with no shared review yet, has nobody to place, measured against the closed one
    active = (await server.client("hr_admin").data(GRID, {"c": ACTIVE["_id"]}))["talentGrid"]
    assert (active["previousCycleId"], sum(c["count"] for c in active["cells"])) == (CLOSED["_id"], 0)


async def test_employees_may_not_see_a_grid_and_managers_see_their_people(server: RunningServer) -> None:
    # given the employee persona, then their grid request is refused
    body = await server.client("employee").execute(GRID, {"c": CLOSED["_id"]})
    assert body["data"] == {"talentGrid": None} and body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    # and a manager sees only people below them
    manager = person("manager")
    grid = (await server.client(manager["_id"]).data(GRID, {"c": CLOSED["_id"]}))["talentGrid"]
    shown = {e["id"] for c in grid["cells"] for e in c["employees"]}
    assert all(manager["_id"] in person(id)["managerChain"] for id in shown)
