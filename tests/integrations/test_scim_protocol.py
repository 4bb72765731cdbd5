"""The SCIM protocol around the resources: discovery, error responses, ETags and preconditions, refusals
that write nothing, tenancy, and the per-token request rate and body size limits."""

from __future__ import annotations

import dataclasses

import pytest

from models.integrations.scim import FILTER_MAX
from realtime.ratelimit import MemoryRateLimiter, create_rate_limiter
from tests.client import shared_client
from tests.conftest import RunningServer, fixed_moment, settings_for_tests, start_server, stop_server
from tests.integrations.support import (
    ENTERPRISE,
    SCIM_JSON,
    Scim,
    create_token,
    new_user,
    patch,
    scim_client,
    scim_error,
)

WRITTEN = ("employees", "scimUsers", "departments")


async def test_discovery_endpoints_describe_what_is_supported(server: RunningServer) -> None:
    scim = await scim_client(server)
    config = (await scim.get("/ServiceProviderConfig")).json()
    assert config["patch"] == {"supported": True} and config["etag"] == {"supported": True}
    assert config["bulk"]["supported"] is False and config["sort"] == {"supported": False}
    assert config["filter"] == {"supported": True, "maxResults": 200}
    assert config["authenticationSchemes"][0]["type"] == "oauthbearertoken"
    types = (await scim.get("/ResourceTypes")).json()
    assert [(t["id"], t["endpoint"], t["schema"]) for t in types["Resources"]] == [
        ("User", "/Users", "urn:ietf:params:scim:schemas:core:2.0:User"),
        ("Group", "/Groups", "urn:ietf:params:scim:schemas:core:2.0:Group")]
    assert types["Resources"][0]["schemaExtensions"] == [{"schema": ENTERPRISE, "required": False}]
    assert (await scim.get("/ResourceTypes/User")).json()["name"] == "User"
    schemas = (await scim.get("/Schemas")).json()
    ids = [s["id"] for s in schemas["Resources"]]
    assert ids == ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE,
                   "urn:ietf:params:scim:schemas:core:2.0:Group"]
    user_schema = (await scim.get(f"/Schemas/{ids[0]}")).json()
    assert "userName" in [a["name"] for a in user_schema["attributes"]]
    assert scim_error(await scim.get("/Schemas/urn:nothing"))[0] == 404


async def test_users_are_paged_with_start_index_and_count(server: RunningServer) -> None:
    scim = await scim_client(server)
    first = (await scim.get("/Users?startIndex=1&count=2")).json()
    second = (await scim.get("/Users?startIndex=3&count=2")).json()
    everyone = sorted(e["_id"] for e in server.demo.employees)
    assert (first["totalResults"], first["itemsPerPage"], first["startIndex"]) == (len(everyone), 2, 1)
    assert [r["id"] for r in first["Resources"] + second["Resources"]] == everyone[:4]
    assert (await scim.get("/Users?count=0")).json()["Resources"] == []
    assert scim_error(await scim.get("/Users?count=lots"))[:2] == (400, "invalidValue")


async def test_a_bad_filter_or_body_is_a_scim_error(server: RunningServer) -> None:
    scim = await scim_client(server)
    assert scim_error(await scim.get('/Users?filter=userName eq'))[:2] == (400, "invalidFilter")
    long = 'userName eq "' + "a" * FILTER_MAX + '@northwind.example"'  # well formed, longer than the rule
    assert scim_error(await scim.get("/Users", params={"filter": long})) == (
        400, "invalidFilter", f"the filter is longer than {FILTER_MAX} characters")
    assert scim_error(await scim.get("/Groups", params={"filter": long}))[:2] == (400, "invalidFilter")
    assert scim_error(await scim.get("/Users/no-such-id"))[0] == 404
    not_json = await scim.request("POST", "/Users", content=b"{not json", headers={"Content-Type": SCIM_JSON})
    assert scim_error(not_json)[:2] == (400, "invalidSyntax")
    as_text = await scim.request("POST", "/Users", content=b"{}", headers={"Content-Type": "text/plain"})
    assert scim_error(as_text)[0] == 415
    bad_op = await scim.patch(f"/Users/{server.demo.personas['employee']}", patch({"op": "frob", "path": "x"}))
    assert scim_error(bad_op)[:2] == (400, "invalidValue")
    bad_path = await scim.patch(f"/Users/{server.demo.personas['employee']}",
                                patch({"op": "replace", "path": "nosuch", "value": 1}))
    assert scim_error(bad_path)[:2] == (400, "invalidPath")


@pytest.mark.parametrize("change, expected", [
    ({"userName": ""}, (400, "invalidValue", "userName is required")),
    ({"emails": [], "userName": "no-email"},
     (400, "invalidValue", "a work email is required (emails, or a userName that is an email)")),
    ({ENTERPRISE: {"manager": {"value": "0" * 24}}},
     (400, "invalidValue", "manager: no employee '000000000000000000000000' in your organisation")),
    ({ENTERPRISE: {"department": "Nowhere"}},
     (400, "invalidValue", "department: no department named 'Nowhere' (create it as a Group first)")),
    ({"emails": [{"value": "wei.gupta@northwind.example", "type": "work"}]},
     (409, "uniqueness", "wei.gupta@northwind.example is already in use")),
    ({"displayName": "x" * 201}, (400, "invalidValue", "name is longer than 200 characters")),
])
async def test_a_refused_user_writes_nothing(server: RunningServer, change: dict, expected: tuple) -> None:
    # given
    scim = await scim_client(server)
    before = await server.snapshot(WRITTEN)
    # when a User that cannot be created is posted
    response = await scim.post("/Users", {**new_user("new.person@northwind.example", "New", "Person"), **change})
    # then a SCIM error says why, and nothing was written
    assert scim_error(response) == expected
    assert await server.snapshot(WRITTEN) == before


async def test_a_refused_change_writes_nothing_and_a_loop_is_refused(server: RunningServer) -> None:
    scim = await scim_client(server)
    manager_id, employee_id = server.demo.personas["manager"], server.demo.personas["employee"]
    employee = next(e for e in server.demo.employees if e["_id"] == employee_id)
    assert manager_id in employee["managerChain"]
    before = await server.snapshot(WRITTEN)
    # a manager put under someone below them, with a new name in the same PATCH: all refused
    loop = await scim.patch(f"/Users/{manager_id}", patch(
        {"op": "replace", "path": "displayName", "value": "Renamed"},
        {"op": "add", "path": f"{ENTERPRISE}:manager", "value": {"value": employee_id}}))
    assert scim_error(loop)[:2] == (400, "invalidValue")
    assert "own (indirect) manager" in scim_error(loop)[2]
    assert await server.snapshot(WRITTEN) == before


async def test_etags_and_preconditions(server: RunningServer) -> None:
    scim = await scim_client(server)
    id = server.demo.personas["employee"]
    got = await scim.get(f"/Users/{id}")
    etag = got.headers["etag"]
    assert etag.startswith('W/"') and got.json()["meta"]["version"] == etag
    before = await server.snapshot(WRITTEN)
    stale = await scim.patch(f"/Users/{id}", patch({"op": "replace", "path": "displayName", "value": "X"}),
                             headers={"If-Match": 'W/"not-the-current-one"'})
    assert scim_error(stale)[0] == 412
    assert await server.snapshot(WRITTEN) == before
    fresh = await scim.patch(f"/Users/{id}", patch({"op": "replace", "path": "displayName", "value": "X Y"}),
                             headers={"If-Match": etag})
    assert fresh.status_code == 200 and fresh.headers["etag"] not in (etag, None)
    assert (await scim.get(f"/Users/{id}", headers={"If-None-Match": etag})).status_code == 200
    assert (await scim.get(f"/Users/{id}", headers={"If-None-Match": fresh.headers["etag"]})).status_code == 304


async def test_a_token_sees_only_its_organisation(server: RunningServer) -> None:
    northwind, globex = await scim_client(server), await scim_client(server, server.other)
    northwind_id = server.demo.personas["employee"]
    email = next(e["email"] for e in server.demo.employees if e["_id"] == northwind_id)
    before = await server.snapshot(WRITTEN)
    assert scim_error(await globex.get(f"/Users/{northwind_id}"))[0] == 404
    assert scim_error(await globex.patch(f"/Users/{northwind_id}", patch(
        {"op": "replace", "path": "active", "value": False})))[0] == 404
    assert scim_error(await globex.delete(f"/Users/{northwind_id}"))[0] == 404
    assert (await globex.get(f'/Users?filter=userName eq "{email}"')).json()["totalResults"] == 0
    assert (await globex.get("/Users?count=1")).json()["totalResults"] == len(server.other.employees)
    northwind_group = server.demo.departments[0]["_id"]
    assert scim_error(await globex.get(f"/Groups/{northwind_group}"))[0] == 404
    # a Globex user cannot report to a Northwind manager
    body = {**new_user("x@globex.example", "X", "Y"), ENTERPRISE: {"manager": {"value": northwind_id}}}
    assert scim_error(await globex.post("/Users", body))[:2] == (400, "invalidValue")
    assert await server.snapshot(WRITTEN) == before
    assert (await northwind.get(f"/Users/{northwind_id}")).status_code == 200


async def test_request_rate_and_body_size_are_limited_per_token(server: RunningServer) -> None:
    # given the app's integration limiter allowing three requests per token in the window
    scim, other = await scim_client(server), await scim_client(server)
    allowed, server.app.state.integration_limiter = server.app.state.integration_limiter, \
        MemoryRateLimiter(points=3, window=3600)
    try:
        # when one token sends four requests, then the fourth is refused with a retry-after
        statuses = [(await scim.get("/ServiceProviderConfig")).status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        limited = await scim.get("/ServiceProviderConfig")
        assert scim_error(limited)[0] == 429 and int(limited.headers["retry-after"]) >= 1
        # and another token still has its own allowance
        assert (await other.get("/ServiceProviderConfig")).status_code == 200
    finally:
        server.app.state.integration_limiter = allowed
    big = {**new_user("big@northwind.example", "Big", "Body"), "title": "x" * 1_000_001}
    assert scim_error(await scim.post("/Users", big))[0] == 413


REDIS_URL = "redis://127.0.0.1:6379/0"  # the Redis the tests use (docs/testing.md)


async def test_a_tokens_requests_are_counted_in_redis_for_every_process() -> None:
    # given a server whose bus (and so its rate limiter) is Redis, allowing three requests per token
    settings = dataclasses.replace(settings_for_tests(integration_requests=3), broadcast_url=REDIS_URL)
    uvicorn_server, server = await start_server(settings)
    try:
        # (both limiters' clocks stand still at one moment mid-window: windows are aligned on the clock and
        # could roll over mid-test)
        moment = fixed_moment(settings.rate_limit_window)
        server.app.state.integration_limiter.clock = moment
        token_id, secret = await create_token(server, "SCIM")
        scim = Scim(server, secret)
        # when the token sends two requests here and another process (its own limiter on the same Redis)
        # counts one more for it
        assert [(await scim.get("/ServiceProviderConfig")).status_code for _ in range(2)] == [200, 200]
        elsewhere = create_rate_limiter(REDIS_URL, 3, settings.rate_limit_window, prefix="perfgraph:rate:integration")
        elsewhere.clock = moment  # type: ignore[attr-defined]
        try:
            assert (await elsewhere.spend(f"integration:{token_id}", 1)).remaining == 0
        finally:
            await elsewhere.close()
        # then this server refuses the token's next request, and an xAPI token of the same limiter is apart
        limited = await scim.get("/ServiceProviderConfig")
        assert scim_error(limited)[0] == 429 and int(limited.headers["retry-after"]) >= 1
        _, xapi = await create_token(server, "XAPI")
        response = await shared_client().post(f"http://127.0.0.1:{server.port}/xapi/statements", json=[],
                                              headers={"Authorization": f"Bearer {xapi}"})
        assert response.status_code != 429
    finally:
        await stop_server(uvicorn_server, server)


async def test_groups_are_departments(server: RunningServer) -> None:
    scim = await scim_client(server)
    listed = (await scim.get("/Groups?count=200")).json()
    assert listed["totalResults"] == len(server.demo.departments)
    members = {g["displayName"]: sorted(m["value"] for m in g.get("members", [])) for g in listed["Resources"]}
    data_id = next(d["_id"] for d in server.demo.departments if d["name"] == "Data")
    assert members["Data"] == sorted(e["_id"] for e in server.demo.employees
                                     if e.get("departmentId") == data_id and e["status"] != "terminated")
    exists = await scim.post("/Groups", {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
                                         "displayName": "data"})
    assert scim_error(exists)[:2] == (409, "uniqueness")
    before = await server.snapshot(WRITTEN)
    unknown = await scim.patch(f"/Groups/{data_id}", patch(
        {"op": "add", "path": "members", "value": [{"value": server.demo.personas["employee"]},
                                                   {"value": "0" * 24}]}))
    assert scim_error(unknown)[:2] == (400, "invalidValue")
    assert scim_error(await scim.delete(f"/Groups/{data_id}"))[0] == 403
    assert await server.snapshot(WRITTEN) == before


async def test_revoked_or_wrong_kind_tokens_are_refused(server: RunningServer) -> None:
    assert scim_error(await Scim(server, "").get("/Users"))[0] == 401
    response = await Scim(server, "nope").get("/Users")
    assert response.headers["www-authenticate"] == 'Bearer realm="perfgraph-scim"'
