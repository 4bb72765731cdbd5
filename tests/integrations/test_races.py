"""Each check-then-write of the integrations, with its interleaving forced (tests/interleave.py): one
operation held at a store call while another runs to completion."""

from __future__ import annotations

import asyncio

from tests.client import refused
from tests.conftest import RunningServer
from tests.integrations.support import (
    ENTERPRISE,
    REVOKE_TOKEN,
    ROTATE_TOKEN,
    Scim,
    create_token,
    new_user,
    patch,
    scim_client,
    scim_error,
)
from tests.interleave import hold


async def test_two_users_with_one_user_name_at_once_create_one_person(server: RunningServer) -> None:
    # given two SCIM requests creating the same userName (with different emails)
    scim = await scim_client(server)
    first_body = new_user("pat@northwind.example", "Pat", "One")
    second_body = {**new_user("pat@northwind.example", "Pat", "Two"),
                   "emails": [{"value": "pat.two@northwind.example", "type": "work"}]}
    before = len(await server.stored_employees())
    # when the first is held just before writing the SCIM identity while the second completes
    async with hold(server.database, "scimUsers", "replace_one") as held:
        first = asyncio.create_task(scim.post("/Users", first_body))
        await held.reached.wait()
        second = await scim.post("/Users", second_body)
    first_response = await first
    # then the second created Pat, and the first was refused whole (its employee rolled back)
    assert second.status_code == 201, second.text
    assert scim_error(first_response) == (409, "uniqueness", "another User has this userName or externalId")
    people = await server.stored_employees()
    assert len(people) == before + 1
    assert [p["name"] for p in people.values() if p["email"].startswith("pat")] == ["Pat Two"]


async def test_two_patches_of_one_person_at_once_lose_neither_change(server: RunningServer) -> None:
    # given a SCIM user
    scim = await scim_client(server)
    created = (await scim.post("/Users", new_user("lee@northwind.example", "Lee", "Park"))).json()
    id = created["id"]
    # when a PATCH of the name is held just before its identity write while a PATCH of the employee number runs
    async with hold(server.database, "scimUsers", "replace_one") as held:
        renaming = asyncio.create_task(scim.patch(f"/Users/{id}", patch(
            {"op": "replace", "path": "displayName", "value": "Lee Park-Kim"})))
        await held.reached.wait()
        numbered = await scim.patch(f"/Users/{id}", patch(
            {"op": "add", "path": f"{ENTERPRISE}:employeeNumber", "value": "E-77"}))
    renamed = await renaming
    # then both changes are kept: the held one was computed again from the other's result
    assert numbered.status_code == 200 and renamed.status_code == 200, renamed.text
    final = (await scim.get(f"/Users/{id}")).json()
    assert (final["displayName"], final[ENTERPRISE]["employeeNumber"]) == ("Lee Park-Kim", "E-77")
    assert (await server.stored_employees())[id]["name"] == "Lee Park-Kim"


async def test_with_if_match_a_concurrent_change_is_a_412(server: RunningServer) -> None:
    scim = await scim_client(server)
    created = await scim.post("/Users", new_user("kim@northwind.example", "Kim", "Ito"))
    id, etag = created.json()["id"], created.headers["etag"]
    async with hold(server.database, "scimUsers", "replace_one") as held:
        renaming = asyncio.create_task(scim.patch(f"/Users/{id}", patch(
            {"op": "replace", "path": "displayName", "value": "Kim Ito-Sato"}), headers={"If-Match": etag}))
        await held.reached.wait()
        numbered = await scim.patch(f"/Users/{id}", patch(
            {"op": "add", "path": f"{ENTERPRISE}:employeeNumber", "value": "E-78"}), headers={"If-Match": etag})
    assert numbered.status_code == 200
    assert scim_error(await renaming)[0] == 412
    final = (await scim.get(f"/Users/{id}")).json()
    assert (final["displayName"], final[ENTERPRISE]["employeeNumber"]) == ("Kim Ito", "E-78")


async def test_a_rotation_racing_a_revocation_leaves_the_token_revoked(server: RunningServer) -> None:
    token_id, secret = await create_token(server)
    client = server.client("hr_admin")
    async with hold(server.database, "integrationTokens", "update_one") as held:
        rotating = asyncio.create_task(client.execute(ROTATE_TOKEN, {"id": token_id}))
        await held.reached.wait()
        revoked = await client.data(REVOKE_TOKEN, {"id": token_id})
    assert revoked["revokeIntegrationToken"]["errors"] == []
    assert [(f, c) for f, c, _ in refused(await rotating)] == [("id", "INACTIVE")]
    assert scim_error(await Scim(server, secret).get("/Users"))[0] == 401
