"""cycleProgressChanged: the cycle's progress pushed after each write that changes it, with cycleProgress's rules
(managers: the people below them; HR admins: everyone), one push per burst."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from resolvers.core.streams import coalesced
from resolvers.reviews.channels import cycle_progress_channel, progress_event
from tests.client import websocket
from tests.conftest import GLOBEX, NORTHWIND, RunningServer
from tests.reviews.support import (
    TEMPLATE,
    answer_required,
    create_cycle,
    cycle_documents,
    launch,
    submit,
)

PROGRESS_FIELDS = """
    cycle { id }
    phases { phase counts { notStarted inProgress submitted }
             departments { departmentId counts { notStarted inProgress submitted } } }
    reviewStates { state count }"""
PROGRESS_CHANGED = "subscription($id: ID!) { cycleProgressChanged(cycleId: $id) {" + PROGRESS_FIELDS + " } }"
PROGRESS = "query($id: ID!) { cycleProgress(cycleId: $id) {" + PROGRESS_FIELDS + " } }"


def phase(progress: dict[str, Any], name: str) -> dict[str, Any]:
    return next(p for p in progress["phases"] if p["phase"] == name)


def employee(id: str) -> dict[str, Any]:
    return next(e for e in NORTHWIND.employees if e["_id"] == id)


async def launched_cycle(server: RunningServer) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """A new cycle of Data, launched without peers; a review whose reviewee has a manager, and its self form."""
    cycle_id = await create_cycle(server, peersPerReviewee=0)
    await launch(server, cycle_id)
    reviews, forms = await cycle_documents(server, cycle_id)
    review = next(r for r in reviews if r["managerId"] and r["managerId"] != NORTHWIND.personas["hr_admin"])
    form = next(f for f in forms if f["reviewId"] == review["_id"] and f["kind"] == "self")
    return cycle_id, review, form


async def test_a_submit_pushes_new_counts_to_hr_and_the_manager_above(server: RunningServer) -> None:
    # given a launched cycle and a self form answered in full (started) but not submitted
    cycle_id, review, form = await launched_cycle(server)
    await answer_required(server, review["employeeId"], form, TEMPLATE)
    manager = review["managerId"]
    chain = set(employee(review["employeeId"])["managerChain"])
    # a manager of the organisation not above the reviewee
    elsewhere = next(e["_id"] for e in NORTHWIND.employees if "manager" in e["roles"] and e["_id"] not in chain
                     and "hr_admin" not in e["roles"] and e["_id"] != review["employeeId"])
    before = (await server.client("hr_admin").data(PROGRESS, {"id": cycle_id}))["cycleProgress"]
    assert phase(before, "SELF_REVIEW")["counts"]["submitted"] == 0
    assert phase(before, "SELF_REVIEW")["counts"]["inProgress"] == 1
    async with websocket(server.ws_url, server.token("hr_admin")) as hr, \
            websocket(server.ws_url, server.token(manager)) as above, \
            websocket(server.ws_url, server.token(elsewhere)) as other:
        for subscriber in (hr, above, other):
            await subscriber.subscribe(PROGRESS_CHANGED, {"id": cycle_id})
        await server.wait_subscribers(3)
        # when the reviewee submits the form
        await submit(server, review["employeeId"], form["_id"])
        # then HR and the manager above get the progress the query now answers each, the form counted submitted
        for subscriber, who in ((hr, "hr_admin"), (above, manager)):
            pushed = (await subscriber.next_payload())["data"]["cycleProgressChanged"]
            assert pushed == (await server.client(who).data(PROGRESS, {"id": cycle_id}))["cycleProgress"]
            counts = phase(pushed, "SELF_REVIEW")["counts"]
            assert (counts["submitted"], counts["inProgress"]) == (1, 0)
            [department] = [d for d in phase(pushed, "SELF_REVIEW")["departments"]
                            if d["departmentId"] == review["departmentId"]]
            assert department["counts"]["submitted"] == 1
            # and one push only for the one write
            assert await subscriber.nothing_within(0.5)
        # and a manager the reviewee is not below hears nothing
        assert await other.nothing_within(0.1)


async def test_a_launch_is_one_push_with_every_new_form(server: RunningServer) -> None:
    # given a draft cycle HR follows
    cycle_id = await create_cycle(server, peersPerReviewee=0)
    async with websocket(server.ws_url, server.token("hr_admin")) as hr:
        await hr.subscribe(PROGRESS_CHANGED, {"id": cycle_id})
        await server.wait_subscribers(1)
        # when it is launched (one mutation creating every form)
        await launch(server, cycle_id)
        # then one push counts them all, not started
        pushed = (await hr.next_payload())["data"]["cycleProgressChanged"]
        _, forms = await cycle_documents(server, cycle_id)
        assert sum(p["counts"]["notStarted"] for p in pushed["phases"]) == len(forms) > 1
        assert await hr.nothing_within(0.5)


async def test_peers_employees_and_another_organisation_are_refused(server: RunningServer) -> None:
    cycle_id, review, form = await launched_cycle(server)
    peer = next(e["_id"] for e in NORTHWIND.employees if not {"manager", "hr_admin"} & set(e["roles"]))
    async with websocket(server.ws_url, server.token("employee")) as employee_ws, \
            websocket(server.ws_url, server.token(peer)) as peer_ws, \
            websocket(server.ws_url, server.token(GLOBEX.personas["hr_admin"], GLOBEX)) as globex:
        # when an employee, a peer, and another organisation's HR admin follow the cycle
        for subscriber in (employee_ws, peer_ws, globex):
            await subscriber.subscribe(PROGRESS_CHANGED, {"id": cycle_id})
        # then the first two are refused FORBIDDEN, and the cycle is unknown to the other organisation
        for subscriber, code in ((employee_ws, "FORBIDDEN"), (peer_ws, "FORBIDDEN"), (globex, "BAD_USER_INPUT")):
            message = await subscriber.receive()
            assert message["type"] == "error" or message["payload"].get("data") is None, message
            assert [e["extensions"]["code"] for e in message["payload"]["errors"]] == [code]
            if message["type"] == "next":  # a refusal as a result ends the subscription
                assert (await subscriber.receive())["type"] == "complete"
        # and a submit afterwards reaches none of them
        await answer_required(server, review["employeeId"], form, TEMPLATE)
        await submit(server, review["employeeId"], form["_id"])
        for subscriber in (employee_ws, peer_ws, globex):
            assert await subscriber.nothing_within(0.4)


async def test_writes_within_the_window_are_one_burst() -> None:
    # given items: three at once, then one after a pause longer than the window
    async def items() -> AsyncIterator[int]:
        for i in (1, 2, 3):
            yield i
        await asyncio.sleep(0.3)
        yield 4

    # then the three are one burst and the fourth another
    assert [burst async for burst in coalesced(items(), 0.1)] == [[1, 2, 3], [4]]


async def test_an_error_of_the_items_is_raised_after_the_items_before_it() -> None:
    async def items() -> AsyncIterator[int]:
        yield 1
        raise PermissionError("refused")

    bursts: list[list[int]] = []
    try:
        async for burst in coalesced(items(), 0.05):
            bursts.append(burst)
    except PermissionError:
        pass
    else:
        raise AssertionError("the error was not raised")
    assert bursts == [[1]]


async def test_hr_admins_share_one_execution_and_managers_their_own(server: RunningServer) -> None:
    # given two HR admin sessions (two tokens) and the reviewee's manager following the same cycle
    cycle_id, review, form = await launched_cycle(server)
    await answer_required(server, review["employeeId"], form, TEMPLATE)
    tokens = [server.token("hr_admin"), server.token("hr_admin", ttl=1800)]
    assert tokens[0] != tokens[1]
    async with websocket(server.ws_url, tokens[0]) as desk, websocket(server.ws_url, tokens[1]) as phone, \
            websocket(server.ws_url, server.token(review["managerId"])) as manager:
        for subscriber in (desk, phone, manager):
            await subscriber.subscribe(PROGRESS_CHANGED, {"id": cycle_id})
        await server.wait_subscribers(3)
        # then the HR admins are one group, the manager another
        assert server.app.state.subscriptions.stats() == {"groups": 2, "live_groups": 2, "members": 3}
        # and when the form is submitted both HR admins get the same whole-cycle progress
        await submit(server, review["employeeId"], form["_id"])
        pushed = [(await s.next_payload())["data"]["cycleProgressChanged"] for s in (desk, phone, manager)]
        everyone = (await server.client("hr_admin").data(PROGRESS, {"id": cycle_id}))["cycleProgress"]
        assert pushed[0] == pushed[1] == everyone
        assert pushed[2] == (await server.client(review["managerId"]).data(PROGRESS, {"id": cycle_id}))["cycleProgress"]


async def test_a_member_no_longer_hr_admin_is_asked_to_subscribe_again(server: RunningServer) -> None:
    # given an employee granted the HR admin role, following the cycle beside the HR admin persona
    cycle_id, review, form = await launched_cycle(server)
    await answer_required(server, review["employeeId"], form, TEMPLATE)
    granted = next(e for e in NORTHWIND.employees if not {"manager", "hr_admin"} & set(e["roles"]))
    await server.database.employees.update_one({"_id": granted["_id"]}, {"$addToSet": {"roles": "hr_admin"}})
    token = server.token(granted["_id"], roles=[*granted["roles"], "hr_admin"])
    async with websocket(server.ws_url, server.token("hr_admin")) as hr, websocket(server.ws_url, token) as former:
        for subscriber in (hr, former):
            await subscriber.subscribe(PROGRESS_CHANGED, {"id": cycle_id})
        await server.wait_subscribers(2)
        assert server.app.state.subscriptions.stats()["groups"] == 1
        # when the role is taken away in the store, and (the group's standing being read once a second) a form is
        # submitted more than a second later
        await server.database.employees.update_one({"_id": granted["_id"]}, {"$pull": {"roles": "hr_admin"}})
        await asyncio.sleep(1.1)
        await submit(server, review["employeeId"], form["_id"])
        # then the former HR admin is asked to subscribe again, with no progress, and the HR admin gets it
        message = await former.receive()
        assert [e["extensions"]["code"] for e in message["payload"]["errors"]] == ["SUBSCRIBE_AGAIN"], message
        assert message["payload"].get("data") is None
        pushed = (await hr.next_payload())["data"]["cycleProgressChanged"]
        assert phase(pushed, "SELF_REVIEW")["counts"]["submitted"] == 1


async def test_a_burst_of_events_is_one_push(server: RunningServer) -> None:
    # given HR following a launched cycle
    cycle_id, review, _ = await launched_cycle(server)
    async with websocket(server.ws_url, server.token("hr_admin")) as hr:
        await hr.subscribe(PROGRESS_CHANGED, {"id": cycle_id})
        await server.wait_subscribers(1)
        # when a hundred progress events arrive at once (as from a hundred writes)
        channel = cycle_progress_channel(NORTHWIND.organization["_id"], cycle_id)
        for _ in range(100):
            await server.bus.publish(channel, progress_event("started", review, employee(review["employeeId"])))
        # then the progress is pushed once, after them all
        pushed = (await hr.next_payload())["data"]["cycleProgressChanged"]
        assert pushed == (await server.client("hr_admin").data(PROGRESS, {"id": cycle_id}))["cycleProgress"]
        assert await hr.nothing_within(0.6)
