"""Bulk import: a file uploaded with an IMPORT token, previewed row by row, run (managers in any row order,
refused rows writing nothing), run again changing nothing, with its progress pushed."""

from __future__ import annotations

import asyncio
import json

from tests.client import refused, shared_client, websocket
from tests.conftest import RunningServer
from tests.integrations.support import create_token
from tests.interleave import hold

ORG_COLLECTIONS = ("employees", "departments", "positions", "importLinks", "organizations")
PREVIEW = """query($id: ID!) { importPreview(importId: $id) {
  importId total created updated unchanged refused finished
  rows(first: 100) { row kind externalId action targetId errors { field code message } } } }"""
RUN = """mutation($id: ID!) { importRun(importId: $id) {
  report { total created updated unchanged refused finished rows(first: 100) { row externalId action targetId } }
  errors { field code message } } }"""
HEADER = "type,externalId,name,title,email,hireDate,level,parentExternalId,departmentExternalId,managerExternalId,"
CSV = HEADER + """positionExternalId
person,p-ana,Ana Reyes,,ana.reyes@northwind.example,2025-03-01,,,d-lab,p-bo,pos-r
person,p-bo,Bo Lind,,bo.lind@northwind.example,2024-06-15,,,d-lab,,
department,d-lab,Research Lab,,,,,,,,
position,pos-r,,Researcher,,,3,,d-lab,,
person,p-cy,Cy Moss,,cy.moss@northwind.example,2025-02-30,,,,p-bo,
person,p-dee,Dee Fox,,dee.fox@northwind.example,2025-01-01,,,,p-nobody,
person,p-eli,Eli Park,,wei.gupta@northwind.example,2025-01-01,,,,,
person,p-fay,Fay Lu,,fay.lu@northwind.example,2025-01-01,,,,p-gus,
person,p-gus,Gus Ng,,gus.ng@northwind.example,2025-01-01,,,,p-fay,
person,p-hal,Hal Oz,,hal.oz@northwind.example,2025-01-01,,,,p-fay,
person,p-bo,Bo Again,,bo.again@northwind.example,2025-01-01,,,,,
"""


async def upload(server: RunningServer, body: bytes, content_type: str = "text/csv",
                 secret: str | None = None) -> tuple[int, dict]:
    if secret is None:
        _, secret = await create_token(server, "IMPORT")
    response = await shared_client().post(f"http://127.0.0.1:{server.port}/imports", content=body,
                                          headers={"Authorization": f"Bearer {secret}", "Content-Type": content_type})
    return response.status_code, response.json()


async def test_preview_reports_each_row_and_writes_nothing(server: RunningServer) -> None:
    # given an uploaded CSV file
    status, uploaded = await upload(server, CSV.encode())
    assert (status, uploaded["rows"], uploaded["format"]) == (201, 11, "csv")
    before = await server.snapshot(ORG_COLLECTIONS)
    # when HR previews it
    preview = (await server.client("hr_admin").data(PREVIEW, {"id": uploaded["importId"]}))["importPreview"]
    # then each row says what a run would do, and why a row would be refused
    assert {k: preview[k] for k in ("total", "created", "updated", "unchanged", "refused", "finished")} == {
        "total": 11, "created": 4, "updated": 0, "unchanged": 0, "refused": 7, "finished": False}
    reasons = {r["row"]: (r["externalId"], r["action"], [(e["field"], e["code"]) for e in r["errors"]])
               for r in preview["rows"]}
    assert reasons == {
        1: ("p-ana", "CREATE", []), 2: ("p-bo", "CREATE", []), 3: ("d-lab", "CREATE", []), 4: ("pos-r", "CREATE", []),
        5: ("p-cy", "REFUSE", [("hireDate", "INVALID")]),
        6: ("p-dee", "REFUSE", [("managerExternalId", "NOT_FOUND")]),
        7: ("p-eli", "REFUSE", [("email", "DUPLICATE")]),
        8: ("p-fay", "REFUSE", [("managerExternalId", "CYCLE")]),
        9: ("p-gus", "REFUSE", [("managerExternalId", "CYCLE")]),
        10: ("p-hal", "REFUSE", [("managerExternalId", "INVALID")]),
        11: ("p-bo", "REFUSE", [("externalId", "DUPLICATE")]),
    }
    messages = {r["row"]: r["errors"][0]["message"] for r in preview["rows"] if r["errors"]}
    assert messages[6] == "unknown manager 'p-nobody'"
    assert messages[7] == "wei.gupta@northwind.example is already in use"
    assert messages[10] == "row 8 ('p-fay') is refused"
    assert messages[11] == "externalId 'p-bo' is also on row 2"
    assert await server.snapshot(ORG_COLLECTIONS) == before


async def test_a_run_applies_managers_first_and_running_again_changes_nothing(server: RunningServer) -> None:
    # given an uploaded file and an HR admin watching its progress
    _, uploaded = await upload(server, CSV.encode())
    import_id = uploaded["importId"]
    hr = server.client("hr_admin")
    async with websocket(server.ws_url, server.token("hr_admin")) as subscriber:
        await subscriber.subscribe("subscription($id: ID!) { importProgress(importId: $id) { done total created "
                                   "refused finished } }", {"id": import_id})
        await server.wait_subscribers(1)
        # when HR runs it
        body = await hr.data(RUN, {"id": import_id})
        events = []
        while not events or not events[-1]["finished"]:
            events.append((await subscriber.next_payload())["data"]["importProgress"])
    # then the rows the preview accepted were applied and the refused ones wrote nothing
    report = body["importRun"]["report"]
    assert body["importRun"]["errors"] == []
    assert (report["created"], report["refused"], report["updated"], report["finished"]) == (4, 7, 0, True)
    assert events[-1] == {"done": 11, "total": 11, "created": 4, "refused": 7, "finished": True}
    assert [e["done"] for e in events] == sorted(e["done"] for e in events)
    ids = {r["externalId"]: r["targetId"] for r in report["rows"] if r["action"] == "CREATE"}
    people = await server.stored_employees()
    ana, bo = people[ids["p-ana"]], people[ids["p-bo"]]
    assert (ana["name"], ana["managerId"], ana["departmentId"], ana["positionId"], ana["hireDate"]) == (
        "Ana Reyes", bo["_id"], ids["d-lab"], ids["pos-r"], "2025-03-01")
    assert ana["managerChain"] == [bo["_id"]] and bo["managerId"] is None
    emails = {p["email"] for p in people.values()}
    assert not emails & {"cy.moss@northwind.example", "dee.fox@northwind.example", "fay.lu@northwind.example",
                         "gus.ng@northwind.example", "hal.oz@northwind.example", "bo.again@northwind.example"}
    assert len(people) == len(server.demo.employees) + 2
    # when it runs again
    before = await server.snapshot(ORG_COLLECTIONS)
    again = (await hr.data(RUN, {"id": import_id}))["importRun"]["report"]
    # then every accepted row is unchanged, and nothing was written
    assert (again["created"], again["updated"], again["unchanged"], again["refused"]) == (0, 0, 4, 7)
    assert await server.snapshot(ORG_COLLECTIONS) == before


async def test_a_changed_file_updates_what_it_made(server: RunningServer) -> None:
    hr = server.client("hr_admin")
    _, secret = await create_token(server, "IMPORT")
    first = [{"type": "person", "externalId": "x1", "name": "Ivy Chan", "email": "ivy.chan@northwind.example",
              "hireDate": "2025-01-02"},
             {"type": "person", "externalId": "x2", "name": "Jo Kim", "email": "jo.kim@northwind.example",
              "hireDate": "2025-01-02", "managerExternalId": "x1"}]
    _, one = await upload(server, json.dumps({"rows": first}).encode(), "application/json", secret)
    assert one["format"] == "json"
    made = (await hr.data(RUN, {"id": one["importId"]}))["importRun"]["report"]
    ids = {r["externalId"]: r["targetId"] for r in made["rows"]}
    second = [{**first[0], "name": "Ivy Chan-Lee"}, {**first[1], "managerExternalId": None}]
    _, two = await upload(server, json.dumps(second).encode(), "application/json", secret)
    preview = (await hr.data(PREVIEW, {"id": two["importId"]}))["importPreview"]
    assert [(r["externalId"], r["action"], r["targetId"]) for r in preview["rows"]] == [
        ("x1", "UPDATE", ids["x1"]), ("x2", "UPDATE", ids["x2"])]
    (await hr.data(RUN, {"id": two["importId"]}))
    people = await server.stored_employees()
    assert (people[ids["x1"]]["name"], people[ids["x2"]]["managerId"]) == ("Ivy Chan-Lee", None)


async def test_uploads_and_runs_are_guarded(server: RunningServer) -> None:
    _, scim_secret = await create_token(server, "SCIM")
    assert (await upload(server, CSV.encode(), secret=scim_secret))[0] == 401
    status, body = await upload(server, b"type,colour\nperson,red\n")
    assert (status, body["error"]["code"]) == (400, "BAD_FILE")
    assert body["error"]["message"].startswith("unknown columns: colour")
    assert (await upload(server, b"{", "application/json"))[0] == 400
    assert (await upload(server, b"x", "application/pdf"))[0] == 400
    assert (await upload(server, b"x" * 5_000_001))[0] == 413
    _, uploaded = await upload(server, CSV.encode())
    for who in ("employee", "manager"):
        answer = await server.client(who).execute(PREVIEW, {"id": uploaded["importId"]})
        assert answer["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        assert [c for _, c, _ in refused(await server.client(who).execute(RUN, {"id": uploaded["importId"]}))] == [
            "FORBIDDEN"]
    other = await server.client("hr_admin", server.other).execute(PREVIEW, {"id": uploaded["importId"]})
    assert other["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_two_runs_of_one_import_never_overlap(server: RunningServer) -> None:
    _, uploaded = await upload(server, CSV.encode())
    hr = server.client("hr_admin")
    async with hold(server.database, "employees", "insert_many") as held:  # the run's first batch of people
        first = asyncio.create_task(hr.data(RUN, {"id": uploaded["importId"]}))
        await held.reached.wait()
        second = await hr.execute(RUN, {"id": uploaded["importId"]})
    assert [(f, c) for f, c, _ in refused(second)] == [("importId", "CONFLICT")]
    assert (await first)["importRun"]["report"]["created"] == 4


async def test_a_row_taken_between_the_plan_and_the_write_is_refused_alone(server: RunningServer) -> None:
    # given a file with Bo and Ana (Ana reports to Bo) and an unrelated department
    rows = [{"type": "person", "externalId": "p-bo", "name": "Bo Lind", "email": "bo.lind@northwind.example",
             "hireDate": "2024-06-15"},
            {"type": "person", "externalId": "p-ana", "name": "Ana Reyes", "email": "ana.reyes@northwind.example",
             "hireDate": "2025-03-01", "managerExternalId": "p-bo"},
            {"type": "person", "externalId": "p-cy", "name": "Cy Moss", "email": "cy.moss@northwind.example",
             "hireDate": "2025-03-01"}]
    _, uploaded = await upload(server, json.dumps(rows).encode(), "application/json")
    hr = server.client("hr_admin")
    create = """mutation($i: CreateEmployeeInput!) { createEmployee(input: $i) { employee { id } errors { code } } }"""
    # when HR creates someone with Bo's email while the run's batch is about to be written
    async with hold(server.database, "employees", "insert_many") as held:
        running = asyncio.create_task(hr.data(RUN, {"id": uploaded["importId"]}))
        await held.reached.wait()
        made = await hr.data(create, {"i": {"name": "Bo by hand", "email": "bo.lind@northwind.example",
                                            "hireDate": "2024-01-01"}})
    report = (await running)["importRun"]["report"]
    # then the batch wrote nothing, and row by row: Bo is refused, Ana with him, Cy created
    assert made["createEmployee"]["errors"] == []
    assert [(r["externalId"], r["action"]) for r in report["rows"]] == [
        ("p-bo", "REFUSE"), ("p-ana", "REFUSE"), ("p-cy", "CREATE")]
    emails = {p["email"]: p["name"] for p in (await server.stored_employees()).values()}
    assert emails["bo.lind@northwind.example"] == "Bo by hand" and emails["cy.moss@northwind.example"] == "Cy Moss"
    assert "ana.reyes@northwind.example" not in emails
    links = (await server.snapshot(("importLinks",)))["importLinks"]
    assert [link["externalId"] for link in links] == ["p-cy"]
