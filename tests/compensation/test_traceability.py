"""Calibrated rating → matrix cell → proposal, traceable through the API: a proposal keeps the matrix cell and the
matrix version it was made against when HR edits the matrix later, while the participant's cell follows the
current matrix."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from models.compensation.cycles import band_of, default_matrix
from tests.compensation.support import PEOPLE, PROPOSE, comp_admin, launched_cycle
from tests.conftest import NORTHWIND, RunningServer

MANAGER = NORTHWIND.personas["manager"]
TEAM_LEAD = PEOPLE[NORTHWIND.personas["employee"]]["managerId"]  # reports to the manager persona
CELL = "rating band min target max"
PROPOSALS = f"""query($cycle: ID!, $manager: ID!) {{
  meritProposals(cycleId: $cycle, managerId: $manager, first: 50) {{ edges {{ node {{
    employee {{ id }} cell {{ {CELL} }} proposal {{ percent matrixVersion cell {{ {CELL} }} }} }} }} }} }}"""
SAVE_MATRIX = """
mutation($cycle: ID!, $bounds: [Decimal!]!, $cells: [MatrixCellInput!]!, $base: Int!) {
  saveMeritMatrix(cycleId: $cycle, compaBounds: $bounds, cells: $cells, baseVersion: $base) {
    cycle { matrix { version } } errors { field code message } } }"""


def as_api(cell: dict[str, Any]) -> dict[str, Any]:
    """A stored matrix cell as the API prints it."""
    return {"rating": cell["rating"], "band": cell["band"], "min": cell["min"], "target": cell["target"],
            "max": cell["max"]}


async def test_a_proposal_keeps_the_cell_and_version_it_was_made_against_when_the_matrix_changes(
        server: RunningServer) -> None:
    # given a launched cycle (default matrix, version 0) and the manager's 3 % proposal for the rated team lead
    admin = await comp_admin(server)
    cycle_id, _ = await launched_cycle(admin)
    stored = await server.database.meritParticipants.find_one({"cycleId": cycle_id, "employeeId": TEAM_LEAD})
    assert stored["rating"] is not None and stored["compaRatio"] is not None
    matrix = default_matrix()
    key = (stored["rating"], band_of(matrix, stored["compaRatio"]))
    made_against = next(c for c in matrix["cells"] if (c["rating"], c["band"]) == key)
    manager = server.client("manager")
    proposed = await manager.data(PROPOSE, {"cycle": cycle_id, "employee": TEAM_LEAD, "percent": "3",
                                            "why": "traceability"})
    assert proposed["proposeIncrease"]["errors"] == []
    # when HR raises every cell's target and maximum by one point
    cells = [{**as_api(c), "target": str(Decimal(c["target"]) + 1), "max": str(Decimal(c["max"]) + 1)}
             for c in matrix["cells"]]
    saved = (await admin.data(SAVE_MATRIX, {"cycle": cycle_id, "bounds": matrix["compaBounds"], "cells": cells,
                                            "base": 0}))["saveMeritMatrix"]
    assert saved == {"cycle": {"matrix": {"version": 1}}, "errors": []}
    # then the manager (and HR) read the proposal with the cell and version it was made against, and the
    # participant's cell from the current matrix
    now = next(c for c in cells if (c["rating"], c["band"]) == key)
    expected = {"employee": {"id": TEAM_LEAD}, "cell": now,
                "proposal": {"percent": "3", "matrixVersion": 0, "cell": as_api(made_against)}}
    for reader in (manager, admin):
        data = await reader.data(PROPOSALS, {"cycle": cycle_id, "manager": MANAGER})
        nodes = [e["node"] for e in data["meritProposals"]["edges"] if e["node"]["employee"]["id"] == TEAM_LEAD]
        assert nodes == [expected]
    assert now != as_api(made_against)
