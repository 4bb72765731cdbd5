"""Review template overrides: a department's or a person's template, used by launches for the reviews (and forms)
they create afterwards; issued reviews keep theirs; refusals are typed and write nothing."""

from __future__ import annotations

from tests.client import refused
from tests.conftest import NORTHWIND, RunningServer
from tests.reviews.support import (
    TEMPLATE,
    UNKNOWN_ID,
    create_cycle,
    create_template,
    cycle_documents,
    department_id,
    launch,
    stored,
    template_input,
)

SET_DEPARTMENT = """mutation($department: ID!, $template: ID) {
  setDepartmentReviewTemplate(departmentId: $department, templateId: $template) {
    override { departmentId employeeId templateId template { id name } } errors { field code message } } }"""
SET_EMPLOYEE = """mutation($employee: ID!, $template: ID) {
  setEmployeeReviewTemplate(employeeId: $employee, templateId: $template) {
    override { departmentId employeeId templateId } errors { field code message } } }"""
OVERRIDES = "{ reviewTemplateOverrides { departmentId employeeId templateId } }"
UPDATE_TEMPLATE = """mutation($id: ID!, $input: ReviewTemplateInput!) {
  updateReviewTemplate(id: $id, input: $input) { template { id } newVersion errors { code } } }"""


def active_in(name: str) -> list[str]:
    id = department_id(name)
    return sorted(e["_id"] for e in NORTHWIND.employees if e["departmentId"] == id and e["status"] == "active"
                  and e["hireDate"] < "2026-10-01")


async def test_a_launch_gives_each_person_their_override_then_their_departments_then_the_cycles(
        server: RunningServer) -> None:
    # given a template for Data and another for one person of Data
    admin = server.client("hr_admin")
    for_data = await create_template(server, name="Data's review")
    for_one = await create_template(server, name="One person's review")
    data_people = active_in("Data")
    one = data_people[0]
    body = await admin.data(SET_DEPARTMENT, {"department": department_id("Data"), "template": for_data["_id"]})
    assert body["setDepartmentReviewTemplate"] == {"errors": [], "override": {
        "departmentId": department_id("Data"), "employeeId": None, "templateId": for_data["_id"],
        "template": {"id": for_data["_id"], "name": "Data's review"}}}
    body = await admin.data(SET_EMPLOYEE, {"employee": one, "template": for_one["_id"]})
    assert body["setEmployeeReviewTemplate"]["errors"] == []
    assert (await admin.data(OVERRIDES))["reviewTemplateOverrides"] == [
        {"departmentId": department_id("Data"), "employeeId": None, "templateId": for_data["_id"]},
        {"departmentId": None, "employeeId": one, "templateId": for_one["_id"]}]
    # when a cycle of the seeded template is launched for Engineering (Data and Platform below it)
    cycle_id = await create_cycle(server, eligibility={"departmentIds": [department_id("Engineering")]})
    await launch(server, cycle_id)
    # then the person has their own template, the rest of Data Data's, Platform the cycle's, forms alike
    reviews, forms = await cycle_documents(server, cycle_id)
    template_of = {r["employeeId"]: r["templateId"] for r in reviews}
    assert template_of[one] == for_one["_id"]
    assert {template_of[p] for p in data_people[1:]} == {for_data["_id"]}
    assert {template_of[p] for p in active_in("Platform")} == {TEMPLATE["_id"]}
    review_template = {r["_id"]: r["templateId"] for r in reviews}
    assert all(f["templateId"] == review_template[f["reviewId"]] for f in forms)
    # and both override templates are locked like the cycle's: an edit now makes a new version
    assert [(await stored(server, "reviewTemplates", t["_id"]))["locked"] for t in (for_data, for_one)] == [True, True]


async def test_an_override_set_after_a_launch_applies_only_to_reviews_created_afterwards(
        server: RunningServer) -> None:
    # given a launched cycle for Data
    cycle_id = await create_cycle(server)
    await launch(server, cycle_id)
    before, _ = await cycle_documents(server, cycle_id)
    # when Data gets another template and the cycle is launched again (nobody new is eligible)
    later = await create_template(server, name="Later")
    body = await server.client("hr_admin").data(SET_DEPARTMENT, {"department": department_id("Data"),
                                                                 "template": later["_id"]})
    assert body["setDepartmentReviewTemplate"]["errors"] == []
    await launch(server, cycle_id)
    # then the issued reviews keep the cycle's template
    after, _ = await cycle_documents(server, cycle_id)
    assert {r["templateId"] for r in after} == {TEMPLATE["_id"]}
    assert sorted(r["_id"] for r in after) == sorted(r["_id"] for r in before)
    # and the override's template, which no new review uses, stays unlocked (editable in place)
    assert (await stored(server, "reviewTemplates", later["_id"]))["locked"] is False
    # and clearing the override removes it
    body = await server.client("hr_admin").data(SET_DEPARTMENT, {"department": department_id("Data"),
                                                                 "template": None})
    assert body["setDepartmentReviewTemplate"]["override"] == {"departmentId": department_id("Data"),
                                                               "employeeId": None, "templateId": None,
                                                               "template": None}
    assert (await server.client("hr_admin").data(OVERRIDES))["reviewTemplateOverrides"] == []


async def test_override_refusals_are_typed_and_write_nothing(server: RunningServer) -> None:
    # given a template whose first version a launch locked and an edit superseded
    old = await create_template(server, name="Old")
    cycle_id = await create_cycle(server, template_id=old["_id"])
    await launch(server, cycle_id)
    edited = await server.client("hr_admin").data(UPDATE_TEMPLATE, {"id": old["_id"],
                                                                    "input": template_input(name="Old, edited")})
    assert edited["updateReviewTemplate"]["newVersion"] is True
    before = await server.snapshot(("reviewTemplateOverrides",))
    admin = server.client("hr_admin")
    data = department_id("Data")
    # when HR names an unknown department, person or template, or the superseded version, and a manager tries
    cases = [(SET_DEPARTMENT, {"department": UNKNOWN_ID, "template": TEMPLATE["_id"]},
              [("departmentId", "NOT_FOUND", f"no department {UNKNOWN_ID!r} in your organisation")]),
             (SET_EMPLOYEE, {"employee": UNKNOWN_ID, "template": TEMPLATE["_id"]},
              [("employeeId", "NOT_FOUND", f"no employee {UNKNOWN_ID!r} in your organisation")]),
             (SET_DEPARTMENT, {"department": data, "template": UNKNOWN_ID},
              [("templateId", "NOT_FOUND", f"no review template {UNKNOWN_ID!r} in your organisation")]),
             (SET_DEPARTMENT, {"department": data, "template": old["_id"]},
              [("templateId", "INVALID", "this version was superseded by "
                                         f"{edited['updateReviewTemplate']['template']['id']!r}")])]
    for document, variables, errors in cases:
        assert refused(await admin.execute(document, variables)) == errors
    manager = await server.client("manager").execute(SET_DEPARTMENT, {"department": data, "template": TEMPLATE["_id"]})
    # then each is refused, and nothing was written
    assert refused(manager) == [(None, "FORBIDDEN", "only HR admins set review template overrides")]
    assert await server.snapshot(("reviewTemplateOverrides",)) == before
