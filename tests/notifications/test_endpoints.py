"""Webhook endpoints: HR admins only, each organisation its own, addresses that would reach inside the
network refused, the secret shown once and rotated with an overlap, deliveries replayed; and leases, so
two workers never send one delivery at once."""

from __future__ import annotations

import asyncio

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from models.notifications.webhooks import refused_address
from tests.client import refused
from tests.conftest import RunningServer
from tests.interleave import hold
from tests.notifications.support import (
    CREATE_EMPLOYEE,
    DELIVERIES,
    ENDPOINTS,
    REPLAY,
    SAVE_ENDPOINT,
    create_person,
    receiver,
    save_endpoint,
    webhook_server,
    worker,
)
from tests.stores import GLOBEX

COLLECTIONS = ("webhookEndpoints", "webhookDeliveries", "organizations", "outbox")


@pytest.mark.parametrize("url", ["http://127.0.0.1:9/hooks", "http://localhost/hooks", "http://10.1.2.3/x",
                                 "http://192.168.0.10/x", "http://169.254.169.254/latest/meta-data",
                                 "http://[::1]/x", "http://0.0.0.0/x", "http://[fe80::1]/x"])
async def test_urls_reaching_inside_the_network_are_refused_and_nothing_is_written(server: RunningServer,
                                                                                   url: str) -> None:
    # given the default settings (no private addresses)
    before = await server.snapshot(COLLECTIONS)
    body = await server.client("hr_admin").execute(SAVE_ENDPOINT, {"input": {
        "url": url, "description": "internal", "eventTypes": ["EMPLOYEE_CREATED"]}})
    [(field, code, _)] = refused(body)
    assert (field, code) == ("url", "FORBIDDEN")
    assert await server.snapshot(COLLECTIONS) == before


@pytest.mark.parametrize(("url", "field", "code"), [
    ("ftp://example.com/x", "url", "INVALID"), ("https://user:pw@example.com/x", "url", "INVALID"),
    ("https://" + "a" * 2000 + ".com", "url", "TOO_LONG"), (None, "url", "REQUIRED")])
async def test_malformed_urls_are_refused(server: RunningServer, url: str | None, field: str, code: str) -> None:
    before = await server.snapshot(COLLECTIONS)
    body = await server.client("hr_admin").execute(SAVE_ENDPOINT, {"input": {
        "url": url, "eventTypes": ["EMPLOYEE_CREATED"]}})
    assert [(f, c) for f, c, _ in refused(body)] == [(field, code)]
    assert await server.snapshot(COLLECTIONS) == before


def test_address_rules() -> None:
    assert refused_address(["93.184.215.14"], allow_private=False) is None
    assert refused_address(["93.184.215.14", "10.0.0.1"], allow_private=False) == \
        "the url resolves to a private or reserved address"
    assert refused_address(["::ffff:127.0.0.1"], allow_private=False) == "the url resolves to a loopback address"
    assert refused_address(["127.0.0.1"], allow_private=True) is None
    assert refused_address([], allow_private=True) == "the url's host does not resolve"


async def test_only_hr_admins_manage_webhooks(server: RunningServer) -> None:
    before = await server.snapshot(COLLECTIONS)
    for who in ("employee", "manager"):
        body = await server.client(who).execute(SAVE_ENDPOINT, {"input": {
            "url": "https://example.com/x", "eventTypes": ["EMPLOYEE_CREATED"]}})
        assert [c for _, c, _ in refused(body)] == ["FORBIDDEN"]
        listing = await server.client(who).execute(ENDPOINTS)
        assert listing["data"] == {"webhookEndpoints": None} \
            and listing["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        deliveries = await server.client(who).execute(DELIVERIES)
        assert deliveries["data"] == {"webhookDeliveries": None} \
            and deliveries["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert await server.snapshot(COLLECTIONS) == before
    body = await server.client().execute(ENDPOINTS)
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_each_organisation_sees_and_receives_only_its_own() -> None:
    async with webhook_server() as server, receiver() as hooks:
        # given a Northwind endpoint, and a Northwind event delivered
        saved = await save_endpoint(server, hooks.url)
        await create_person(server)
        await worker(server).run_once()
        (delivery,) = (await server.client("hr_admin").data(DELIVERIES))["webhookDeliveries"]["edges"]
        # then Globex's HR admin sees no endpoint and no delivery, and cannot change or replay them
        globex = server.client(GLOBEX.personas["hr_admin"], GLOBEX)
        assert (await globex.data(ENDPOINTS))["webhookEndpoints"] == []
        assert (await globex.data(DELIVERIES))["webhookDeliveries"] == {
            "totalCount": 0, "pageInfo": {"hasNextPage": False, "endCursor": None}, "edges": []}
        before = await server.snapshot(COLLECTIONS)
        changed = await globex.execute(SAVE_ENDPOINT, {"id": saved["endpoint"]["id"], "input": {"enabled": False}})
        assert [c for _, c, _ in refused(changed)] == ["NOT_FOUND"]
        replayed = await globex.execute(REPLAY, {"id": delivery["node"]["id"]})
        assert [c for _, c, _ in refused(replayed)] == ["NOT_FOUND"]
        assert await server.snapshot(COLLECTIONS) == before
        # and a Globex event is not sent to Northwind's endpoint
        created = await globex.data(CREATE_EMPLOYEE, {"input": {
            "name": "Globex Person", "email": "someone@globex.example", "hireDate": "2024-01-02"}})
        assert created["createEmployee"]["errors"] == []
        assert await server.database.outbox.count_documents({"organizationId": GLOBEX.organization["_id"]}) == 1
        assert await worker(server).run_once() == 0
        assert len(hooks.received) == 1


async def test_the_secret_is_shown_once_and_a_rotation_signs_with_both_secrets_for_a_day() -> None:
    async with webhook_server() as server, receiver() as hooks:
        saved = await save_endpoint(server, hooks.url)
        old = saved["secret"]
        assert "secret" not in (await server.client("hr_admin").data(ENDPOINTS))["webhookEndpoints"][0]
        # when HR rotates it
        rotated = (await server.client("hr_admin").data(SAVE_ENDPOINT, {
            "id": saved["endpoint"]["id"], "input": {"rotateSecret": True}}))["saveWebhookEndpoint"]
        new = rotated["secret"]
        assert new.startswith("whsec_") and new != old
        assert rotated["endpoint"]["previousSecretUntil"] is not None
        # and a change without rotating shows no secret
        renamed = (await server.client("hr_admin").data(SAVE_ENDPOINT, {
            "id": saved["endpoint"]["id"], "input": {"description": "renamed"}}))["saveWebhookEndpoint"]
        assert (renamed["secret"], renamed["endpoint"]["description"]) == (None, "renamed")
        await create_person(server)
        await worker(server).run_once()
        # then the message carries two signatures, each verifying with its secret
        (request,) = hooks.received
        assert len(request.headers["webhook-signature"].split(" ")) == 2
        for secret in (old, new):
            Webhook(secret).verify(request.body, request.headers)
        with pytest.raises(WebhookVerificationError):
            Webhook("whsec_" + "A" * 43 + "=").verify(request.body, request.headers)


async def test_a_replay_sends_the_same_message_again_as_a_new_delivery() -> None:
    async with webhook_server() as server, receiver() as hooks:
        await save_endpoint(server, hooks.url)
        await create_person(server)
        await worker(server).run_once()
        (original,) = (await server.client("hr_admin").data(DELIVERIES))["webhookDeliveries"]["edges"]
        replay = (await server.client("hr_admin").data(REPLAY, {"id": original["node"]["id"]}))["replayWebhookDelivery"]
        assert (replay["delivery"]["messageId"], replay["delivery"]["status"], replay["delivery"]["replayOf"]) == \
            (original["node"]["messageId"], "PENDING", original["node"]["id"])
        assert await worker(server).run_once() == 1
        assert [r.headers["webhook-id"] for r in hooks.received] == [original["node"]["messageId"]] * 2
        assert hooks.received[0].body == hooks.received[1].body


async def test_two_workers_never_send_one_delivery_at_once() -> None:
    async with webhook_server() as server, receiver() as hooks:
        await save_endpoint(server, hooks.url)
        await create_person(server)
        first, second = worker(server), worker(server)
        # given the first worker has sent and is held before recording the result
        async with hold(server.database, "webhookDeliveries", "update_one") as held:
            sending = asyncio.create_task(first.run_once())
            await held.reached.wait()
            # when the second worker runs meanwhile
            assert await second.run_once() == 0
        # then it sent nothing: the first holds the lease; one message arrived, one success recorded
        assert await sending == 1
        assert len(hooks.received) == 1
        (delivery,) = await server.database.webhookDeliveries.find({}).to_list(None)
        assert (delivery["status"], delivery["attemptCount"]) == ("succeeded", 1)


async def test_two_workers_fan_out_one_event_once() -> None:
    async with webhook_server() as server, receiver() as hooks:
        await save_endpoint(server, hooks.url)
        await create_person(server)
        first, second = worker(server), worker(server)
        # given the first worker is held inside the fan-out's transaction, the event read, before it writes
        async with hold(server.database, "webhookEndpoints", "find") as held:
            fanning = asyncio.create_task(first.run_once())
            await held.reached.wait()
            # when the second fans out and sends meanwhile
            await second.run_once()
        await fanning
        # then one delivery exists and one message was sent
        assert await server.database.webhookDeliveries.count_documents({}) == 1
        assert len(hooks.received) == 1


async def test_two_registrations_at_once_never_pass_the_limit(server: RunningServer) -> None:
    # given an organisation one endpoint below the limit
    org = server.demo.organization["_id"]
    await server.database.organizations.update_one({"_id": org}, {"$set": {"webhookEndpointCount": 19}})
    variables = {"input": {"url": "https://93.184.215.14/hooks", "eventTypes": ["EMPLOYEE_CREATED"]}}
    hr = server.client("hr_admin")
    # when one registration is held before it counts itself and another runs meanwhile
    async with hold(server.database, "organizations", "update_one") as held:
        first = asyncio.create_task(hr.execute(SAVE_ENDPOINT, variables))
        await held.reached.wait()
        second = (await hr.execute(SAVE_ENDPOINT, variables))["data"]["saveWebhookEndpoint"]
    held_one = (await first)["data"]["saveWebhookEndpoint"]
    # then the second registered the 20th endpoint and the first was refused, writing nothing
    assert second["errors"] == [] and second["endpoint"] is not None
    assert held_one["endpoint"] is None
    assert [e["message"] for e in held_one["errors"]] == ["an organisation has at most 20 endpoints"]
    assert await server.database.webhookEndpoints.count_documents({"organizationId": org}) == 1
    assert (await server.database.organizations.find_one({"_id": org}))["webhookEndpointCount"] == 20
