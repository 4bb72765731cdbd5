"""saveDepartment and savePosition end to end: HR admins create and change departments and positions."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import RunningServer
from tests.org.seed import UNKNOWN_ID
from tests.org.support import (
    DEPARTMENTS,
    POSITIONS,
    SAVE_DEPARTMENT,
    SAVE_POSITION,
    department_id,
    error,
    persona,
    position_id,
    terminated,
)

# saveDepartment

async def test_save_department_creates_one(server: RunningServer) -> None:
    # given Engineering and an active head
    engineering = department_id(server, "Engineering")
    head = persona(server, "manager")
    # when an HR admin creates a Security department inside Engineering
    data = await server.client("hr_admin").data(SAVE_DEPARTMENT, {"input": {
        "name": "  Security ", "parentId": engineering, "headId": head["_id"]}})
    # then it exists with a trimmed name, its parent and head
    payload = data["saveDepartment"]
    assert payload["errors"] == []
    new_id = payload["department"]["id"]
    assert payload["department"] == {"id": new_id, "name": "Security", "parent": {"id": engineering},
                                     "head": {"id": head["_id"]}, "children": []}
    stored = await server.database.departments.find_one({"_id": new_id})
    assert stored == {"_id": new_id, "organizationId": server.demo.organization["_id"], "name": "Security",
                      "parentId": engineering, "headId": head["_id"], "cadence": "weekly"}
    # and it is listed, as a child of Engineering
    listed = {d["id"]: d for d in (await server.client("hr_admin").data(DEPARTMENTS))["departments"]}
    assert len(listed) == len(server.demo.departments) + 1
    assert {"id": new_id} in listed[engineering]["children"]


async def test_save_department_renames_one(server: RunningServer) -> None:
    # given the Sales department
    sales = next(d for d in server.demo.departments if d["name"] == "Sales")
    # when an HR admin renames it, sending only the name
    data = await server.client("hr_admin").data(SAVE_DEPARTMENT, {"id": sales["_id"], "input": {"name": "Revenue"}})
    # then only the name changed
    assert data["saveDepartment"]["errors"] == []
    assert data["saveDepartment"]["department"]["name"] == "Revenue"
    assert data["saveDepartment"]["department"]["parent"] == {"id": sales["parentId"]}
    assert await server.database.departments.find_one({"_id": sales["_id"]}) == {**sales, "name": "Revenue"}


async def test_save_department_moves_under_another_parent(server: RunningServer) -> None:
    data_dept = next(d for d in server.demo.departments if d["name"] == "Data")
    platform = department_id(server, "Platform")
    data = await server.client("hr_admin").data(SAVE_DEPARTMENT, {"id": data_dept["_id"],
                                                                  "input": {"parentId": platform}})
    assert data["saveDepartment"]["errors"] == []
    assert await server.database.departments.find_one({"_id": data_dept["_id"]}) == {**data_dept,
                                                                                     "parentId": platform}


def _department_refusals(server: RunningServer) -> dict[str, tuple[str | None, dict[str, Any], list[dict]]]:
    engineering = department_id(server, "Engineering")
    gone = terminated(server)
    return {
        "empty name on create": (None, {"name": ""}, [error("name", "REQUIRED", "name must not be empty")]),
        "no name on create": (None, {"parentId": engineering}, [error("name", "REQUIRED", "name is required")]),
        "blank rename": (engineering, {"name": "  "}, [error("name", "REQUIRED", "name must not be empty")]),
        "parent is itself": (engineering, {"parentId": engineering},
                             [error("parentId", "CYCLE", "a department cannot sit inside itself")]),
        "parent is a child": (engineering, {"parentId": department_id(server, "Platform")},
                              [error("parentId", "CYCLE", "a department cannot sit inside itself")]),
        "parent is a grandchild": (department_id(server, "Executive"), {"parentId": department_id(server, "Data")},
                                   [error("parentId", "CYCLE", "a department cannot sit inside itself")]),
        "unknown parent": (None, {"name": "X", "parentId": UNKNOWN_ID},
                           [error("parentId", "NOT_FOUND", f"no department {UNKNOWN_ID!r} in your organisation")]),
        "terminated head": (engineering, {"headId": gone["_id"]},
                            [error("headId", "INACTIVE", f"{gone['name']} has left the organisation")]),
        "unknown department": (UNKNOWN_ID, {"name": "X"},
                               [error("id", "NOT_FOUND", f"no department {UNKNOWN_ID!r} in your organisation")]),
    }


@pytest.mark.parametrize("case", ["empty name on create", "no name on create", "blank rename", "parent is itself",
                                  "parent is a child", "parent is a grandchild", "unknown parent",
                                  "terminated head", "unknown department"])
async def test_save_department_refusals_write_nothing(server: RunningServer, case: str) -> None:
    # given the store before
    id, input, expected = _department_refusals(server)[case]
    before = await server.snapshot()
    # when an HR admin saves a department with one problem
    data = await server.client("hr_admin").data(SAVE_DEPARTMENT, {"id": id, "input": input})
    # then it is refused and nothing changed
    assert data["saveDepartment"] == {"department": None, "errors": expected}
    assert await server.snapshot() == before


# savePosition

async def test_save_position_creates_one(server: RunningServer) -> None:
    # when an HR admin creates a position with every field
    platform = department_id(server, "Platform")
    input = {"title": " Site Reliability Engineer ", "description": "Keeps production healthy.",
             "responsibilities": ["Run the on-call rotation", "Own the SLOs"], "level": 3, "departmentId": platform}
    data = await server.client("hr_admin").data(SAVE_POSITION, {"input": input})
    # then it is stored and listed with a trimmed title
    payload = data["savePosition"]
    assert payload["errors"] == []
    new_id = payload["position"]["id"]
    expected = {"id": new_id, "title": "Site Reliability Engineer", "description": "Keeps production healthy.",
                "responsibilities": ["Run the on-call rotation", "Own the SLOs"], "level": 3,
                "department": {"id": platform}}
    assert payload["position"] == expected
    assert await server.database.positions.find_one({"_id": new_id}) == {
        "_id": new_id, "organizationId": server.demo.organization["_id"], "title": "Site Reliability Engineer",
        "description": "Keeps production healthy.", "responsibilities": ["Run the on-call rotation", "Own the SLOs"],
        "level": 3, "departmentId": platform}
    listed = (await server.client("hr_admin").data(POSITIONS))["positions"]
    assert expected in listed and len(listed) == len(server.demo.positions) + 1


async def test_save_position_with_only_a_title_takes_defaults(server: RunningServer) -> None:
    data = await server.client("hr_admin").data(SAVE_POSITION, {"input": {"title": "Intern"}})
    position = data["savePosition"]["position"]
    assert position == {"id": position["id"], "title": "Intern", "description": "", "responsibilities": [],
                        "level": 1, "department": None}


async def test_save_position_updates_only_the_fields_sent(server: RunningServer) -> None:
    # given a seeded position
    position = next(p for p in server.demo.positions if p["title"] == "Tech Lead")
    # when an HR admin changes its level only
    data = await server.client("hr_admin").data(SAVE_POSITION, {"id": position["_id"], "input": {"level": 5}})
    # then only the level changed
    assert data["savePosition"]["errors"] == []
    assert data["savePosition"]["position"]["level"] == 5
    assert data["savePosition"]["position"]["title"] == "Tech Lead"
    assert await server.database.positions.find_one({"_id": position["_id"]}) == {**position, "level": 5}


def _position_refusals(server: RunningServer) -> dict[str, tuple[str | None, dict[str, Any], list[dict]]]:
    tech_lead = position_id(server, "Tech Lead")
    return {
        "level zero": (None, {"title": "X", "level": 0}, [error("level", "INVALID", "level must be 1–10")]),
        "level eleven": (tech_lead, {"level": 11}, [error("level", "INVALID", "level must be 1–10")]),
        "null level": (tech_lead, {"level": None}, [error("level", "INVALID", "level must be 1–10")]),
        "empty title": (None, {"title": ""}, [error("title", "REQUIRED", "title must not be empty")]),
        "missing title": (None, {"level": 2}, [error("title", "REQUIRED", "title is required")]),
        "blank title on update": (tech_lead, {"title": "  "}, [error("title", "REQUIRED", "title must not be empty")]),
        "blank responsibility": (tech_lead, {"responsibilities": ["Lead", " "]}, [
            error("responsibilities", "INVALID", "each responsibility must have 1 to 500 characters")]),
        "long description": (tech_lead, {"description": "x" * 5001},
                             [error("description", "TOO_LONG", "description is longer than 5000 characters")]),
        "null description": (tech_lead, {"description": None},
                             [error("description", "REQUIRED", "description must not be null")]),
        "null responsibilities": (tech_lead, {"responsibilities": None},
                                  [error("responsibilities", "REQUIRED", "responsibilities must not be null")]),
        "unknown department": (None, {"title": "X", "departmentId": UNKNOWN_ID}, [
            error("departmentId", "NOT_FOUND", f"no department {UNKNOWN_ID!r} in your organisation")]),
        "unknown position": (UNKNOWN_ID, {"level": 2},
                             [error("id", "NOT_FOUND", f"no position {UNKNOWN_ID!r} in your organisation")]),
    }


@pytest.mark.parametrize("case", ["level zero", "level eleven", "null level", "empty title", "missing title",
                                  "blank title on update", "blank responsibility", "long description",
                                  "null description", "null responsibilities", "unknown department",
                                  "unknown position"])
async def test_save_position_refusals_write_nothing(server: RunningServer, case: str) -> None:
    # given the store before
    id, input, expected = _position_refusals(server)[case]
    before = await server.snapshot()
    # when an HR admin saves a position with one problem
    data = await server.client("hr_admin").data(SAVE_POSITION, {"id": id, "input": input})
    # then it is refused and nothing changed
    assert data["savePosition"] == {"position": None, "errors": expected}
    assert await server.snapshot() == before
