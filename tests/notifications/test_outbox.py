"""The outbox: each change webhook subscribers care about writes its event in the change's own transaction,
so a change and its event commit together or not at all, and a restart between the write and the send
loses nothing."""

from __future__ import annotations

import asyncio

import uvicorn

from models.demo.feedback import demo_feedback
from server.app import create_app
from tests import conftest
from tests.client import close_shared_clients
from tests.conftest import RunningServer, start_server
from tests.goals.support import CREATE_GOAL, RECORD_PROGRESS, new_goal_input
from tests.interleave import failing_at
from tests.notifications.support import create_person, new_person, receiver, save_endpoint
from tests.org.support import CHANGE_MANAGER, CREATE_EMPLOYEE, TERMINATE_EMPLOYEE
from tests.reviews.support import (
    RUNNING,
    SEED,
    answer_required,
    create_cycle,
    launch,
    move,
    seeded_form,
    stored,
    submit,
)
from tests.stores import NORTHWIND, POOL

GIVE = "mutation($input: GiveFeedbackInput!) { giveFeedback(input: $input) { feedback { id } errors { code } } }"


ANSWER = """
mutation($id: ID!, $text: String!) {
  answerFeedbackRequest(requestId: $id, input: {text: $text}) { feedback { id } errors { field code } }
}"""


async def events(server: RunningServer) -> list[tuple[str, dict]]:
    found = await server.database.outbox.find({}).sort([("createdAt", 1), ("_id", 1)]).to_list(None)
    return [(e["type"], e["data"]) for e in found]


async def test_employee_changes_write_their_events(server: RunningServer) -> None:
    hr = server.client("hr_admin")
    manager = NORTHWIND.personas["manager"]
    # when HR creates someone, moves them under a manager, and terminates them
    created = (await hr.data(CREATE_EMPLOYEE, new_person()))["createEmployee"]["employee"]["id"]
    await hr.data(CHANGE_MANAGER, {"employeeId": created, "managerId": manager})
    await hr.data(TERMINATE_EMPLOYEE, {"employeeId": created})
    # then the outbox holds one event each, in order, with the ids only
    assert await events(server) == [
        ("employee.created", {"employeeIds": [created]}),
        ("employee.changed", {"employeeIds": [created]}),
        ("employee.terminated", {"employeeIds": [created]}),
    ]
    (first, *_) = await server.database.outbox.find({}).sort([("createdAt", 1)]).to_list(None)
    assert (first["organizationId"], first["dispatched"]) == (NORTHWIND.organization["_id"], False)


async def test_feedback_goal_progress_and_cycle_launch_write_their_events(server: RunningServer) -> None:
    me = server.client("employee")
    recipient = NORTHWIND.personas["manager"]
    feedback = (await me.data(GIVE, {"input": {"recipientId": recipient, "text": "Thanks for the review prep"}}))
    feedback_id = feedback["giveFeedback"]["feedback"]["id"]
    goal = (await me.data(CREATE_GOAL, {"input": new_goal_input()}))["createGoal"]["goal"]
    key_result = goal["keyResults"][0]["id"]
    await me.data(RECORD_PROGRESS, {"id": key_result, "value": 2})
    cycle_id = await create_cycle(server)
    await launch(server, cycle_id)
    await launch(server, cycle_id)  # a second launch creates nothing, and records no second event
    assert await events(server) == [
        ("feedback.given", {"feedbackId": feedback_id, "recipientId": recipient}),
        ("goal.progress", {"goalId": goal["id"], "keyResultId": key_result}),
        ("cycle.launched", {"cycleId": cycle_id}),
    ]


async def test_a_refused_change_writes_no_event(server: RunningServer) -> None:
    body = await server.client("hr_admin").data(CREATE_EMPLOYEE, {"input": {**new_person()["input"], "email": "x"}})
    assert body["createEmployee"]["errors"][0]["field"] == "email"
    assert await events(server) == []


async def test_the_change_and_its_event_commit_together(server: RunningServer) -> None:
    # given the outbox write fails in the transaction of a new employee
    before = await server.snapshot(("employees", "outbox", "organizations"))
    async with failing_at(server.database, "outbox", "insert_many"):
        body = await server.client("hr_admin").execute(CREATE_EMPLOYEE, new_person())
    # then the mutation failed and neither the employee nor an event was written
    assert body["data"] is None or body["data"]["createEmployee"] is None
    assert await server.snapshot(("employees", "outbox", "organizations")) == before


async def test_a_restart_between_the_write_and_the_send_loses_nothing() -> None:
    settings = conftest.settings_for_tests(webhook_private_urls=True)
    first, running = await start_server(settings)  # no worker in this process
    database = running.database
    try:
        async with receiver() as hooks:
            await save_endpoint(running, hooks.url)
            employee_id = await create_person(running)
            # the server stops before anything was sent
            await close_shared_clients()
            await first.shutdown()
            assert hooks.received == []
            # when a new server process starts on the same store, with its worker (the default)
            app = create_app(conftest.settings_for_tests(webhook_private_urls=True, worker=True), database=database)
            config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on")
            config.load()
            second = uvicorn.Server(config)
            second.lifespan = config.lifespan_class(config)
            await second.startup()
            try:
                # then its worker sends the event written before the restart
                async with asyncio.timeout(10):
                    await hooks.arrived.wait()
                assert [r.headers["webhook-id"] for r in hooks.received] == \
                    [(await database.outbox.find_one({}))["_id"]]
                assert employee_id in hooks.received[0].body.decode()
            finally:
                await second.shutdown()
    finally:
        await POOL.release(database)


async def test_sharing_a_review_writes_its_event(server: RunningServer) -> None:
    # given a running review in manager_review whose manager submits their form and moves it to calibration
    review = next(r for r in SEED["reviews"] if r["cycleId"] == RUNNING["_id"] and r["state"] == "manager_review")
    manager = review["managerId"]
    form = await stored(server, "reviewForms", seeded_form(review, "manager")["_id"])
    await answer_required(server, manager, form)
    await submit(server, manager, form["_id"])
    assert (await move(server, manager, review["_id"], "CALIBRATION"))["review"]["state"] == "CALIBRATION"
    assert await events(server) == []
    # when HR shares it
    assert (await move(server, "hr_admin", review["_id"], "SHARED"))["review"]["state"] == "SHARED"
    # then one event says so
    assert await events(server) == [("review.shared", {"reviewId": review["_id"], "employeeId": review["employeeId"],
                                                       "cycleId": RUNNING["_id"]})]


async def test_answering_a_feedback_request_writes_feedback_given(server: RunningServer) -> None:
    request = next(r for r in demo_feedback(NORTHWIND)["feedbackRequests"] if not r.get("anonymous")
                   and any(p not in (r.get("answers") or {}) for p in r["respondentIds"]))
    respondent = next(p for p in request["respondentIds"] if p not in (request.get("answers") or {}))
    body = await server.client(respondent).data(ANSWER, {"id": request["_id"], "text": "Keep the demos short"})
    feedback_id = body["answerFeedbackRequest"]["feedback"]["id"]
    assert await events(server) == [("feedback.given", {"feedbackId": feedback_id, "recipientId": request["subjectId"],
                                                        "requestId": request["_id"]})]
