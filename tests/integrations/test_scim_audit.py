"""SCIM, import and xAPI writes are audited: the author (the integration token, or the HR admin who runs an
import) and the source the write came through (the token, the import)."""

from __future__ import annotations

from tests.conftest import NORTHWIND, RunningServer
from tests.integrations.support import Scim, create_token, patch
from tests.integrations.test_imports import CSV, RUN, upload
from tests.integrations.test_xapi import ACTIVITY, MAP, competency_id, send, statement
from tests.notifications.test_audit import entries


async def test_a_scim_patch_leaves_an_audit_entry_naming_the_token(server: RunningServer) -> None:
    # given an Okta token and an employee with no audit entry yet
    token_id, secret = await create_token(server)
    okta = Scim(server, secret)
    employee = NORTHWIND.personas["employee"]
    assert await entries(server, objectId=employee) == []
    # when Okta deactivates them
    response = await okta.patch(f"/Users/{employee}", patch({"op": "replace", "value": {"active": False}}))
    assert response.status_code == 200, response.text
    # then the employee's record has an audit entry of the SCIM operation, authored by the token
    found = [(e["operation"], e["action"], e["objectType"], e["actorType"], e["actorId"], e["source"])
             for e in await entries(server, objectId=employee)]
    actor, source = f"integration:{token_id}", f"scim:{token_id}"
    assert sorted(found) == [("scim.patch_user", "changed", "employees", "integration", actor, source),
                             ("scim.patch_user", "created", "scimUsers", "integration", actor, source)]


async def test_an_import_upload_is_audited_as_the_token(server: RunningServer) -> None:
    # given an import token
    token_id, secret = await create_token(server, "IMPORT")
    # when a file is uploaded with it
    status, uploaded = await upload(server, CSV.encode(), secret=secret)
    assert status == 201
    # then the stored upload has one audit entry, authored by the token
    found = [(e["operation"], e["action"], e["actorType"], e["actorId"], e["source"])
             for e in await entries(server, objectId=uploaded["importId"])]
    assert found == [("import.upload", "created", "integration", f"integration:{token_id}",
                      f"import:{uploaded['importId']}")]


async def test_an_import_run_is_audited_as_the_hr_admin_naming_the_import(server: RunningServer) -> None:
    # given an uploaded file
    status, uploaded = await upload(server, CSV.encode())
    assert status == 201
    import_id = uploaded["importId"]
    # when an HR admin runs it
    body = await server.client("hr_admin").data(RUN, {"id": import_id})
    assert body["importRun"]["errors"] == []
    created = {r["externalId"]: r["targetId"] for r in body["importRun"]["report"]["rows"] if r["action"] == "CREATE"}
    # then each person it created has one creation entry: the HR admin its actor, the import its source
    hr = NORTHWIND.personas["hr_admin"]
    for external_id in ("p-ana", "p-bo"):
        found = [(e["operation"], e["action"], e["objectType"], e["actorType"], e["actorId"], e["source"])
                 for e in await entries(server, objectId=created[external_id])]
        assert found == [("importRun", "created", "employees", "employee", hr, f"import:{import_id}")]
    # and the department it created likewise
    found = [(e["actorId"], e["source"]) for e in await entries(server, objectId=created["d-lab"])
             if e["objectType"] == "departments"]
    assert found == [(hr, f"import:{import_id}")]
    # while the HR admin's own mutations name no source
    others = [e for e in await entries(server, actorId=hr) if e["operation"] != "importRun"]
    assert [e["operation"] for e in others] == ["createIntegrationToken"]
    assert others[0]["source"] is None


async def test_xapi_statements_are_audited_as_their_token_and_a_refused_request_records_nothing(
        server: RunningServer) -> None:
    # given an xAPI token and a mapped activity
    token_id, secret = await create_token(server, "XAPI")
    cid, _ = await competency_id(server)
    await server.client("hr_admin").data(MAP, {"a": ACTIVITY, "c": cid, "l": 2})
    email = next(e["email"] for e in NORTHWIND.employees if e["_id"] == NORTHWIND.personas["employee"])
    first = statement(email)
    # when a statement is received, then the same one again (409)
    assert (await send(server, secret, first))[0] == 200
    assert (await send(server, secret, [statement(email), first]))[0] == 409
    # then the first request's statement has one entry naming the token, as actor and as source
    found = [(e["operation"], e["action"], e["actorType"], e["actorId"], e["source"])
             for e in await entries(server, type="xapiStatements")]
    assert found == [("xapi.statements", "created", "integration", f"integration:{token_id}", f"xapi:{token_id}")]
