"""Integration tokens: HR admins create, list, rotate and revoke them; the secret is shown once and stored
hashed; a token opens only its kind's endpoints of its own organisation."""

from __future__ import annotations

import hashlib

from tests.client import refused
from tests.conftest import RunningServer
from tests.integrations.support import (
    CREATE_TOKEN,
    REVOKE_TOKEN,
    ROTATE_TOKEN,
    TOKENS,
    Scim,
    create_token,
    scim_error,
)


async def test_hr_creates_a_token_whose_secret_is_shown_once_and_stored_hashed(server: RunningServer) -> None:
    # given / when an HR admin creates a SCIM token
    body = await server.client("hr_admin").data(CREATE_TOKEN, {"kind": "SCIM", "name": "  Okta  "})
    # then the payload shows the token and its secret
    payload = body["createIntegrationToken"]
    secret, token = payload["secret"], payload["token"]
    assert payload["errors"] == []
    assert secret.startswith("pgi_") and len(secret) == 47
    assert (token["kind"], token["name"], token["hint"]) == ("SCIM", "Okta", "…" + secret[-4:])
    assert (token["rotatedAt"], token["revokedAt"], token["previousValidUntil"]) == (None, None, None)
    # and the store keeps only its hash
    (stored,) = (await server.snapshot(("integrationTokens",)))["integrationTokens"]
    assert stored["secretHash"] == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in repr(stored)
    # and the list shows it without any secret
    listed = (await server.client("hr_admin").data(TOKENS))["integrationTokens"]
    assert listed == [{"id": token["id"], "kind": "SCIM", "name": "Okta", "hint": token["hint"], "revokedAt": None}]
    # and the secret opens the SCIM endpoints
    assert (await Scim(server, secret).get("/ServiceProviderConfig")).status_code == 200


async def test_only_hr_admins_manage_tokens(server: RunningServer) -> None:
    # given a token made by HR
    token_id, _ = await create_token(server)
    before = await server.snapshot(("integrationTokens",))
    for who in ("employee", "manager"):
        client = server.client(who)
        # when someone else creates, rotates, revokes or lists tokens
        created = await client.execute(CREATE_TOKEN, {"kind": "SCIM", "name": "mine"})
        rotated = await client.execute(ROTATE_TOKEN, {"id": token_id})
        revoked = await client.execute(REVOKE_TOKEN, {"id": token_id})
        listed = await client.execute(TOKENS)
        # then each is refused and nothing changed
        for body in (created, rotated, revoked):
            assert [code for _, code, _ in refused(body)] == ["FORBIDDEN"]
        assert listed["data"] == {"integrationTokens": None} \
            and listed["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert await server.snapshot(("integrationTokens",)) == before


async def test_a_bad_name_is_refused_and_writes_nothing(server: RunningServer) -> None:
    client = server.client("hr_admin")
    for name, code in (("   ", "REQUIRED"), ("x" * 201, "TOO_LONG")):
        body = await client.execute(CREATE_TOKEN, {"kind": "XAPI", "name": name})
        assert [(f, c) for f, c, _ in refused(body)] == [("name", code)]
    assert (await server.snapshot(("integrationTokens",)))["integrationTokens"] == []


async def test_rotation_keeps_the_previous_secret_for_a_grace_period_and_revoking_closes_both(
        server: RunningServer) -> None:
    # given a token in use
    token_id, old = await create_token(server)
    client = server.client("hr_admin")
    # when HR rotates it
    rotated = (await client.data(ROTATE_TOKEN, {"id": token_id}))["rotateIntegrationToken"]
    new = rotated["secret"]
    # then both secrets work during the grace period (24 hours)
    assert new != old and rotated["token"]["hint"] == "…" + new[-4:]
    delta = (rotated["token"]["previousValidUntil"], rotated["token"]["rotatedAt"])
    assert delta[0] > delta[1]
    assert (await Scim(server, old).get("/Users?count=1")).status_code == 200
    assert (await Scim(server, new).get("/Users?count=1")).status_code == 200
    # when HR revokes it
    revoked = (await client.data(REVOKE_TOKEN, {"id": token_id}))["revokeIntegrationToken"]
    assert revoked["errors"] == [] and revoked["token"]["revokedAt"] is not None
    # then neither secret opens anything, and revoking or rotating again is refused
    for secret in (old, new):
        assert scim_error(await Scim(server, secret).get("/Users")) == (
            401, None, "a valid SCIM integration token is required")
    assert [(f, c) for f, c, _ in refused(await client.execute(REVOKE_TOKEN, {"id": token_id}))] == [
        ("id", "INACTIVE")]
    assert [(f, c) for f, c, _ in refused(await client.execute(ROTATE_TOKEN, {"id": token_id}))] == [
        ("id", "INACTIVE")]


async def test_a_token_opens_only_its_kind_and_another_organisation_cannot_touch_it(server: RunningServer) -> None:
    # given an xAPI token of Northwind
    token_id, secret = await create_token(server, "XAPI")
    # then it does not open the SCIM endpoints
    assert scim_error(await Scim(server, secret).get("/Users"))[0] == 401
    # and Globex's HR admin sees it as unknown
    other = server.client("hr_admin", server.other)
    assert [(f, c) for f, c, _ in refused(await other.execute(REVOKE_TOKEN, {"id": token_id}))] == [
        ("id", "NOT_FOUND")]
    assert (await other.data(TOKENS))["integrationTokens"] == []
    # and no token, or a made-up one, opens nothing
    assert scim_error(await Scim(server, None).get("/Users"))[0] == 401
    assert scim_error(await Scim(server, "pgi_" + "x" * 43).get("/Users"))[0] == 401
