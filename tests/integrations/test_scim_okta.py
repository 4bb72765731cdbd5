"""A SCIM client sequence as Okta runs it: the connection test, a new hire looked up by userName and
created, a profile update by PUT, group push (a department, its members by PATCH), and deactivation
(``active: false`` by PATCH), which terminates the person and moves their reports up."""

from __future__ import annotations

from tests.conftest import RunningServer
from tests.integrations.support import ENTERPRISE, SCIM_JSON, new_user, patch, scim_client, scim_error

LIST = "urn:ietf:params:scim:api:messages:2.0:ListResponse"


async def test_okta_provisions_updates_groups_and_deactivates(server: RunningServer) -> None:
    okta = await scim_client(server)
    manager_id = server.demo.personas["manager"]
    manager = next(e for e in server.demo.employees if e["_id"] == manager_id)

    # connection test: a lookup of a userName nobody has
    test = await okta.get('/Users?filter=userName eq "b1f3a0c2-okta-test@example.com"&startIndex=1&count=1')
    assert test.status_code == 200 and test.headers["content-type"].startswith(SCIM_JSON)
    assert test.json() == {"schemas": [LIST], "totalResults": 0, "startIndex": 1, "itemsPerPage": 0, "Resources": []}

    # an existing employee is found by userName (their work email), whatever its case, so Okta links them
    found = (await okta.get(f'/Users?filter=userName eq "{manager["email"].upper()}"')).json()
    assert found["totalResults"] == 1
    (resource,) = found["Resources"]
    assert (resource["id"], resource["userName"], resource["active"]) == (manager_id, manager["email"], True)
    assert resource["emails"] == [{"value": manager["email"], "type": "work", "primary": True}]

    # a new hire: not there yet, then created
    lookup = await okta.get('/Users?filter=userName eq "jane.doe@northwind.example"&startIndex=1&count=100')
    assert lookup.json()["totalResults"] == 0
    body = new_user("jane.doe@northwind.example", "Jane", "Doe", externalId="00u1abcd")
    body[ENTERPRISE] = {"employeeNumber": "E-1001", "department": "Data", "manager": {"value": manager_id}}
    created = await okta.post("/Users", body)
    assert created.status_code == 201, created.text
    user = created.json()
    jane_id = user["id"]
    assert created.headers["location"] == f"{okta.base}/Users/{jane_id}"
    assert created.headers["etag"] == user["meta"]["version"]
    assert (user["userName"], user["externalId"], user["displayName"], user["active"]) == (
        "jane.doe@northwind.example", "00u1abcd", "Jane Doe", True)
    assert user["name"] == {"formatted": "Jane Doe", "familyName": "Doe", "givenName": "Jane"}
    assert user[ENTERPRISE]["employeeNumber"] == "E-1001"
    assert user[ENTERPRISE]["department"] == "Data"
    assert user[ENTERPRISE]["manager"]["value"] == manager_id
    # she is an employee of the org chart, created through the org domain
    stored = (await server.stored_employees())[jane_id]
    assert (stored["name"], stored["email"], stored["managerId"], stored["status"]) == (
        "Jane Doe", "jane.doe@northwind.example", manager_id, "active")
    assert stored["managerChain"] == [*manager["managerChain"], manager_id]
    hr = server.client("hr_admin")
    seen = await hr.data('query($id: ID!) { employee(id: $id) { name manager { id } department { name } } }',
                         {"id": jane_id})
    assert seen["employee"] == {"name": "Jane Doe", "manager": {"id": manager_id}, "department": {"name": "Data"}}

    # lookup by userName now finds her, and by externalId too
    by_name = (await okta.get('/Users?filter=userName eq "jane.doe@northwind.example"')).json()
    by_external = (await okta.get('/Users?filter=externalId eq "00u1abcd"')).json()
    assert [r["id"] for r in by_name["Resources"]] == [r["id"] for r in by_external["Resources"]] == [jane_id]
    # GET by id, and the same ETag answers 304
    got = await okta.get(f"/Users/{jane_id}")
    assert got.status_code == 200 and got.json() == user
    assert (await okta.get(f"/Users/{jane_id}", headers={"If-None-Match": got.headers["etag"]})).status_code == 304

    # a profile update by PUT (Okta sends the whole user): a new name and family name
    replaced_body = new_user("jane.doe@northwind.example", "Jane", "Roe", externalId="00u1abcd")
    replaced_body[ENTERPRISE] = {"employeeNumber": "E-1001", "department": "Data", "manager": {"value": manager_id}}
    replaced = await okta.put(f"/Users/{jane_id}", replaced_body, headers={"If-Match": got.headers["etag"]})
    assert replaced.status_code == 200, replaced.text
    assert replaced.json()["displayName"] == "Jane Roe" and replaced.json()["name"]["familyName"] == "Roe"
    assert replaced.headers["etag"] != got.headers["etag"]
    assert (await server.stored_employees())[jane_id]["name"] == "Jane Roe"

    # group push: a department, and Jane added to it by PATCH
    group = await okta.post("/Groups", {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
                                        "displayName": "Okta Pilots", "members": []})
    assert group.status_code == 201, group.text
    group_id = group.json()["id"]
    assert group.json()["displayName"] == "Okta Pilots" and group.json().get("members", []) == []
    added = await okta.patch(f"/Groups/{group_id}", patch(
        {"op": "add", "path": "members", "value": [{"value": jane_id, "display": "Jane Roe"}]}))
    assert added.status_code == 200, added.text
    assert [m["value"] for m in added.json()["members"]] == [jane_id]
    assert (await server.stored_employees())[jane_id]["departmentId"] == group_id
    slim = (await okta.get(f"/Groups/{group_id}?excludedAttributes=members")).json()
    assert "members" not in slim and slim["displayName"] == "Okta Pilots"
    listed = (await okta.get('/Groups?filter=displayName eq "okta pilots"&excludedAttributes=members')).json()
    assert [g["id"] for g in listed["Resources"]] == [group_id]
    removed = await okta.patch(f"/Groups/{group_id}", patch(
        {"op": "remove", "path": f'members[value eq "{jane_id}"]'}))
    assert removed.status_code == 200, removed.text
    assert removed.json().get("members", []) == []
    assert (await server.stored_employees())[jane_id]["departmentId"] is None

    # deactivation of the manager: terminated, their reports moved to their own manager
    reports = sorted(e["_id"] for e in (await server.stored_employees()).values()
                     if e.get("managerId") == manager_id and e["status"] != "terminated")
    assert jane_id in reports
    deactivated = await okta.patch(f"/Users/{manager_id}", patch({"op": "replace", "value": {"active": False}}))
    assert deactivated.status_code == 200, deactivated.text
    assert deactivated.json()["active"] is False
    after = await server.stored_employees()
    assert after[manager_id]["status"] == "terminated"
    assert after[manager_id]["statusHistory"][-1]["byId"].startswith("integration:")
    assert all(after[r]["managerId"] == manager["managerId"] for r in reports)
    assert after[jane_id]["managerChain"] == manager["managerChain"]
    # deactivating again changes nothing; reactivating is refused (rehiring goes through HR)
    again = await okta.patch(f"/Users/{manager_id}", patch({"op": "replace", "value": {"active": False}}))
    assert again.status_code == 200 and await server.stored_employees() == after
    refused = await okta.patch(f"/Users/{manager_id}", patch({"op": "replace", "value": {"active": True}}))
    assert scim_error(refused)[:2] == (400, "mutability")
    assert await server.stored_employees() == after
