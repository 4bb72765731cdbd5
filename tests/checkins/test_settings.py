"""HR admins' templates: the organisation's default, a department's own, and when occurrences pick them up."""

from __future__ import annotations

from datetime import date

from models.core.clock import today
from tests.checkins.support import (
    CHECK_IN,
    COMPLETE,
    SEED,
    department,
    person,
    sales_series,
    upcoming,
)
from tests.conftest import RunningServer

SAVE_TEMPLATE = """
mutation($id: ID, $input: CheckInTemplateInput!) { saveCheckInTemplate(id: $id, input: $input) {
  template { id name isDefault questions { text } } errors { field code message } } }
"""
SET_DEFAULT = """
mutation($id: ID!) { setDefaultCheckInTemplate(templateId: $id) { template { id isDefault } errors { code } } }
"""
SET_DEPARTMENT_TEMPLATE = """
mutation($id: ID!, $template: ID) { setDepartmentCheckInTemplate(departmentId: $id, templateId: $template) {
  department { id checkInTemplate { id } } errors { code } } }
"""
DEPARTMENTS = "{ departments { id checkInTemplate { id } } checkInTemplates { id isDefault } }"
QUESTIONS = ["What made you proud this week?", "What slowed you down?"]


async def create_template(server: RunningServer, name: str) -> str:
    data = await server.client("hr_admin").data(SAVE_TEMPLATE, {"input": {"name": f" {name} ", "questions": QUESTIONS}})
    payload = data["saveCheckInTemplate"]
    assert payload["errors"] == []
    assert payload["template"] == {"id": payload["template"]["id"], "name": name, "isDefault": False,
                                   "questions": [{"text": q} for q in QUESTIONS]}
    return payload["template"]["id"]


async def test_a_new_default_applies_wherever_no_department_template_does(server: RunningServer) -> None:
    # given a new template
    template = await create_template(server, "Pulse")
    override = next(t for t in SEED["checkInTemplates"] if t["defaultSince"] is None)
    # when HR makes it the organisation's default
    data = await server.client("hr_admin").data(SET_DEFAULT, {"id": template})
    assert data["setDefaultCheckInTemplate"] == {"template": {"id": template, "isDefault": True}, "errors": []}
    # then it is the only default, and every department without its own template uses it
    shown = await server.client("employee").data(DEPARTMENTS)
    assert [t["id"] for t in shown["checkInTemplates"] if t["isDefault"]] == [template]
    engineering = department("Product Engineering")["_id"]
    for row in shown["departments"]:
        assert row["checkInTemplate"] == {"id": override["_id"] if row["id"] == engineering else template}


async def test_a_department_template_is_used_from_the_next_scheduled_check_in(server: RunningServer) -> None:
    # given a new template made Sales' own
    template = await create_template(server, "Sales 1:1")
    sales = department("Sales")["_id"]
    data = await server.client("hr_admin").data(SET_DEPARTMENT_TEMPLATE, {"id": sales, "template": template})
    assert data["setDepartmentCheckInTemplate"] == {"department": {"id": sales, "checkInTemplate": {"id": template}},
                                                    "errors": []}
    # then a Sales check-in already scheduled keeps the questions it was scheduled with
    [series] = sales_series(1)
    current = upcoming(series["employeeId"])
    manager = server.client(series["managerId"])
    shown = (await manager.data(CHECK_IN, {"id": current["_id"]}))["checkIn"]
    assert [q["text"] for q in shown["questions"]] == [q["text"] for q in current["questions"]]
    # when it is held, the next one asks the department's new questions
    held = min(date.fromisoformat(current["scheduledOn"]), today()).isoformat()
    data = await manager.data(COMPLETE, {"id": current["_id"], "heldOn": held})
    assert data["completeCheckIn"]["errors"] == []
    following = await server.database.checkIns.find_one({"seriesId": series["_id"],
                                                         "sequence": current["sequence"] + 1})
    assert following is not None and [q["text"] for q in following["questions"]] == QUESTIONS
    assert following["templateId"] == template
    # and clearing the department's template sends it back to the organisation's default
    data = await server.client("hr_admin").data(SET_DEPARTMENT_TEMPLATE, {"id": sales, "template": None})
    default = next(t for t in SEED["checkInTemplates"] if t["defaultSince"] is not None)
    assert data["setDepartmentCheckInTemplate"]["department"]["checkInTemplate"] == {"id": default["_id"]}


async def test_editing_a_template_leaves_past_and_scheduled_check_ins_alone(server: RunningServer) -> None:
    # given the Product Engineering template, used by the employee persona's check-ins
    override = next(t for t in SEED["checkInTemplates"] if t["defaultSince"] is None)
    check_in = upcoming(person("employee")["_id"])
    assert check_in["templateId"] == override["_id"]
    # when HR replaces its questions
    data = await server.client("hr_admin").data(SAVE_TEMPLATE, {"id": override["_id"],
                                                                "input": {"questions": QUESTIONS}})
    assert data["saveCheckInTemplate"]["template"]["name"] == override["name"]
    assert data["saveCheckInTemplate"]["template"]["questions"] == [{"text": q} for q in QUESTIONS]
    # then the scheduled check-in still asks the questions it was scheduled with
    shown = (await server.client("employee").data(CHECK_IN, {"id": check_in["_id"]}))["checkIn"]
    assert [q["text"] for q in shown["questions"]] == [q["text"] for q in check_in["questions"]]
