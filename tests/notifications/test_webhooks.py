"""Signed webhooks end to end: an endpoint registered by HR, an employee created, the delivery worker
sending it to a receiver on loopback that fails twice and then succeeds, signatures verified with the
reference ``standardwebhooks`` library."""

from __future__ import annotations

import json
from datetime import timedelta

from standardwebhooks.webhooks import Webhook

from models.core import clock
from tests.notifications.support import (
    DELIVERIES,
    ENDPOINTS,
    NOTIFICATIONS,
    create_person,
    receiver,
    save_endpoint,
    webhook_server,
    worker,
)


async def time_passes(server, delivery_id: str) -> None:  # type: ignore[no-untyped-def]
    """The scheduled retry is due now (the tests do not wait minutes for it)."""
    await server.database.webhookDeliveries.update_one({"_id": delivery_id},
                                                       {"$set": {"nextAttemptAt": clock.now()}})


async def test_a_receiver_failing_twice_gets_the_event_on_the_third_attempt_signed_and_once() -> None:
    async with webhook_server() as server, receiver((500, {}), (503, {})) as hooks:
        # given an endpoint for employee.created and a new employee
        endpoint = await save_endpoint(server, hooks.url)
        secret = endpoint["secret"]
        assert secret.startswith("whsec_")
        employee_id = await create_person(server)
        sender = worker(server)

        # when the worker runs: the first attempt fails (500) and a retry is scheduled about 5 s later
        before = clock.now()
        assert await sender.run_once() == 1
        page = (await server.client("hr_admin").data(DELIVERIES))["webhookDeliveries"]
        (first,) = [e["node"] for e in page["edges"]]
        assert (first["status"], first["attemptCount"], [a["status"] for a in first["attempts"]]) == \
            ("PENDING", 1, [500])
        due = clock.now().fromisoformat(first["nextAttemptAt"])
        assert before + timedelta(seconds=3.9) <= due <= clock.now() + timedelta(seconds=6.1)
        # nothing more is sent before it is due
        assert await sender.run_once() == 0
        await time_passes(server, first["id"])
        assert await sender.run_once() == 1  # 503
        await time_passes(server, first["id"])
        assert await sender.run_once() == 1  # 200

        # then the receiver got three identical, signed messages, and one delivery is recorded as succeeded
        assert len(hooks.received) == 3
        ids = {r.headers["webhook-id"] for r in hooks.received}
        assert ids == {first["messageId"]}
        for request in hooks.received:
            message = Webhook(secret).verify(request.body, request.headers)
            assert message["type"] == "employee.created"
            assert message["data"] == {"employeeIds": [employee_id]}
            assert request.headers["content-type"] == "application/json"
        body = (await server.client("hr_admin").data(DELIVERIES))["webhookDeliveries"]
        assert body["totalCount"] == 1
        (done,) = [e["node"] for e in body["edges"]]
        assert (done["status"], done["attemptCount"], [a["status"] for a in done["attempts"]], done["nextAttemptAt"]) \
            == ("SUCCEEDED", 3, [500, 503, 200], None)
        assert json.loads(done["body"])["data"] == {"employeeIds": [employee_id]}
        assert await sender.run_once() == 0


async def test_an_event_type_the_endpoint_did_not_choose_is_not_sent() -> None:
    async with webhook_server() as server, receiver() as hooks:
        # given an endpoint for terminations only
        await save_endpoint(server, hooks.url, ["EMPLOYEE_TERMINATED"])
        # when someone is created and the worker runs
        await create_person(server)
        assert await worker(server).run_once() == 0
        # then nothing was sent, and the event is not left waiting
        assert hooks.received == []
        assert await server.database.outbox.count_documents({"dispatched": False}) == 0


async def test_410_disables_the_endpoint_and_tells_hr() -> None:
    async with webhook_server() as server, receiver((410, {})) as hooks:
        # given an endpoint that answers 410 Gone
        await save_endpoint(server, hooks.url)
        await create_person(server, 1)
        # when the worker sends to it
        assert await worker(server).run_once() == 1
        # then the endpoint is disabled, the delivery failed, HR admins have a notification
        (endpoint,) = (await server.client("hr_admin").data(ENDPOINTS))["webhookEndpoints"]
        assert (endpoint["enabled"], endpoint["disabledReason"]) == (False, "the endpoint answered 410 Gone")
        (delivery,) = (await server.client("hr_admin").data(DELIVERIES))["webhookDeliveries"]["edges"]
        assert delivery["node"]["status"] == "FAILED"
        notices = (await server.client("hr_admin").data(NOTIFICATIONS))["notifications"]
        assert [(n["node"]["kind"], n["node"]["subjectId"], n["node"]["read"]) for n in notices["edges"]] == \
            [("webhook_disabled", endpoint["id"], False)]
        # and a later event is not sent to it
        await create_person(server, 2)
        assert await worker(server).run_once() == 0
        assert len(hooks.received) == 1


async def test_persistent_failure_retries_over_about_three_days_then_disables_and_tells_hr() -> None:
    async with webhook_server() as server, receiver(*[(500, {})] * 20) as hooks:
        # given an endpoint that always fails
        await save_endpoint(server, hooks.url)
        await create_person(server)
        sender = worker(server)
        scheduled = timedelta(0)
        # when every scheduled attempt is made
        assert await sender.run_once() == 1
        for _ in range(9):
            (delivery,) = await server.database.webhookDeliveries.find({}).to_list(None)
            assert delivery["status"] == "pending"
            scheduled += delivery["nextAttemptAt"] - delivery["attempts"][-1]["at"]
            await time_passes(server, delivery["_id"])
            assert await sender.run_once() == 1
        # then ten attempts were made over about three days, the delivery failed, the endpoint is off
        (delivery,) = await server.database.webhookDeliveries.find({}).to_list(None)
        assert (delivery["status"], delivery["attemptCount"], len(hooks.received)) == ("failed", 10, 10)
        assert timedelta(days=2.2) <= scheduled <= timedelta(days=3.6)
        (endpoint,) = (await server.client("hr_admin").data(ENDPOINTS))["webhookEndpoints"]
        assert (endpoint["enabled"], endpoint["disabledReason"]) == \
            (False, "every attempt failed for about three days")
        notices = (await server.client("hr_admin").data(NOTIFICATIONS))["notifications"]["edges"]
        assert [n["node"]["kind"] for n in notices] == ["webhook_disabled"]


async def test_retry_after_is_honoured() -> None:
    async with webhook_server() as server, receiver((429, {"retry-after": "3600"})) as hooks:
        await save_endpoint(server, hooks.url)
        await create_person(server)
        before = clock.now()
        assert await worker(server).run_once() == 1
        (delivery,) = await server.database.webhookDeliveries.find({}).to_list(None)
        assert before + timedelta(seconds=3599) <= delivery["nextAttemptAt"] <= clock.now() + timedelta(seconds=3601)


async def test_a_redirect_is_not_followed_and_counts_as_a_failure() -> None:
    async with webhook_server() as server, receiver((307, {"location": "/elsewhere"})) as hooks:
        await save_endpoint(server, hooks.url)
        await create_person(server)
        assert await worker(server).run_once() == 1
        assert [r.path for r in hooks.received] == ["/hooks"]
        (delivery,) = await server.database.webhookDeliveries.find({}).to_list(None)
        assert (delivery["status"], [a["status"] for a in delivery["attempts"]]) == ("pending", [307])
