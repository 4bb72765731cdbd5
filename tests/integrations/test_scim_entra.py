"""A SCIM client sequence as Microsoft Entra ID runs it, with its filters and PATCH quirks: capitalised op
names, string booleans ("False"), no-path ``Add``/``Replace`` with dotted attribute names, the manager as a
bare id (and cleared with an empty one), members removed by value list, and a final ``DELETE``."""

from __future__ import annotations

from tests.conftest import RunningServer
from tests.integrations.support import ENTERPRISE, new_user, patch, scim_client, scim_error

GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"


async def test_entra_provisions_patches_and_deletes(server: RunningServer) -> None:
    entra = await scim_client(server)
    hr_admin_id = server.demo.personas["hr_admin"]

    # connection test and the lookups Entra matches on
    for query in ('userName eq "6a2f4e0e-1c9b-4d51-bd35-entra-probe"', 'externalId eq "9b8c-entra-object-id"',
                  'emails[type eq "work"].value eq "sam.lee@northwind.example"'):
        answer = (await entra.get(f"/Users?filter={query}")).json()
        assert (answer["totalResults"], answer["Resources"]) == (0, [])

    # create: Entra sends the user, the manager comes later by PATCH
    body = new_user("sam.lee@northwind.example", "Sam", "Lee", externalId="9b8c-entra-object-id")
    body[ENTERPRISE] = {"employeeNumber": "4711", "department": "Engineering"}
    created = await entra.post("/Users", body)
    assert created.status_code == 201, created.text
    sam_id = created.json()["id"]
    for query in ('externalId eq "9b8c-entra-object-id"',
                  'emails[type eq "work"].value eq "sam.lee@northwind.example"',
                  'userName eq "Sam.Lee@northwind.example" and externalId eq "9b8c-entra-object-id"'):
        answer = (await entra.get(f"/Users?filter={query}")).json()
        assert [r["id"] for r in answer["Resources"]] == [sam_id], query

    # PATCH with Entra's quirks: "Replace"/"Add", a manager as a bare id, dotted names without a path
    patched = await entra.patch(f"/Users/{sam_id}", patch(
        {"op": "Add", "path": f"{ENTERPRISE}:manager", "value": hr_admin_id},
        {"op": "Replace", "path": 'emails[type eq "work"].value', "value": "samuel.lee@northwind.example"},
        {"op": "Add", "value": {"displayName": "Samuel Lee", "name.givenName": "Samuel"}},
    ))
    assert patched.status_code == 200, patched.text
    user = patched.json()
    assert user[ENTERPRISE]["manager"]["value"] == hr_admin_id
    assert user["emails"] == [{"value": "samuel.lee@northwind.example", "type": "work", "primary": True}]
    assert (user["displayName"], user["name"]["givenName"], user["userName"]) == (
        "Samuel Lee", "Samuel", "sam.lee@northwind.example")
    stored = (await server.stored_employees())[sam_id]
    assert (stored["name"], stored["email"], stored["managerId"]) == (
        "Samuel Lee", "samuel.lee@northwind.example", hr_admin_id)

    # the manager cleared the way Entra does it: an empty value
    cleared = await entra.patch(f"/Users/{sam_id}", patch(
        {"op": "Replace", "path": f"{ENTERPRISE}:manager", "value": {"value": ""}}))
    assert cleared.status_code == 200, cleared.text
    assert "manager" not in cleared.json()[ENTERPRISE]
    assert (await server.stored_employees())[sam_id]["managerId"] is None

    # groups: found by displayName without members, members added, then removed by a value list
    groups = (await entra.get('/Groups?filter=displayName eq "Data"&excludedAttributes=members')).json()
    (data,) = groups["Resources"]
    assert "members" not in data
    added = await entra.patch(f"/Groups/{data['id']}", patch(
        {"op": "Add", "path": "members", "value": [{"value": sam_id}]}))
    assert added.status_code == 200, added.text
    assert (await server.stored_employees())[sam_id]["departmentId"] == data["id"]
    removed = await entra.patch(f"/Groups/{data['id']}", patch(
        {"op": "Remove", "path": "members", "value": [{"value": sam_id}]}))
    assert removed.status_code == 200, removed.text
    assert sam_id not in [m["value"] for m in removed.json().get("members", [])]
    assert (await server.stored_employees())[sam_id]["departmentId"] is None

    # soft delete: active "False" as a string
    disabled = await entra.patch(f"/Users/{sam_id}", patch({"op": "Replace", "path": "active", "value": "False"}))
    assert disabled.status_code == 200, disabled.text
    assert disabled.json()["active"] is False
    assert (await server.stored_employees())[sam_id]["status"] == "terminated"

    # hard delete: gone from SCIM (404), kept in Perfgraph as someone who has left; the userName is free again
    listed = (await entra.get("/Users?count=1")).json()["totalResults"]
    assert (await entra.delete(f"/Users/{sam_id}")).status_code == 204
    assert (await entra.get("/Users?count=1")).json()["totalResults"] == listed - 1
    assert scim_error(await entra.get(f"/Users/{sam_id}"))[0] == 404
    answer = (await entra.get('/Users?filter=externalId eq "9b8c-entra-object-id"')).json()
    assert answer["totalResults"] == 0
    assert (await server.stored_employees())[sam_id]["status"] == "terminated"
    again = new_user("sam.lee@northwind.example", "Sam", "Lee", externalId="9b8c-entra-object-id")
    assert (await entra.post("/Users", again)).status_code == 201
