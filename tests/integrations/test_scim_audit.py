"""SCIM writes are audited: a PATCH leaves audit entries naming the integration token as their author."""

from __future__ import annotations

from tests.conftest import NORTHWIND, RunningServer
from tests.integrations.support import Scim, create_token, patch
from tests.integrations.test_imports import CSV, upload
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
    found = [(e["operation"], e["action"], e["objectType"], e["actorType"], e["actorId"])
             for e in await entries(server, objectId=employee)]
    actor = f"integration:{token_id}"
    assert sorted(found) == [("scim.patch_user", "changed", "employees", "integration", actor),
                             ("scim.patch_user", "created", "scimUsers", "integration", actor)]


async def test_an_import_upload_is_audited_as_the_token(server: RunningServer) -> None:
    # given an import token
    token_id, secret = await create_token(server, "IMPORT")
    # when a file is uploaded with it
    status, uploaded = await upload(server, CSV.encode(), secret=secret)
    assert status == 201
    # then the stored upload has one audit entry, authored by the token
    found = [(e["operation"], e["action"], e["actorType"], e["actorId"])
             for e in await entries(server, objectId=uploaded["importId"])]
    assert found == [("import.upload", "created", "integration", f"integration:{token_id}")]
