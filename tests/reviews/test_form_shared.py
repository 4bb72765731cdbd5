"""``reviewFormChanged`` shared by a form's reader class (resolvers/reviews/sharing.py): readers who stand to the
form alike share one execution per event and receive the same payload; a selection that may differ between
readers runs alone; a member whose standing changes is ended alone, with ``SUBSCRIBE_AGAIN``."""

from __future__ import annotations

from typing import Any

import pytest

import resolvers.reviews.sharing as sharing
from tests.client import LEGACY_WS, websocket
from tests.conftest import NORTHWIND, RunningServer
from tests.reviews.support import RUNNING, UPDATE_ANSWER, persona, seeded_form, seeded_review

CHANGED = "subscription($form: ID!) { reviewFormChanged(formId: $form) { kind questionId value version by { name } } }"
WITH_EMAIL = "subscription($form: ID!) { reviewFormChanged(formId: $form) { kind by { email } } }"
CHANGE_MANAGER = "mutation($id: ID!, $to: ID) { changeManager(employeeId: $id, managerId: $to) { errors { code } } }"


def groups(server: RunningServer) -> dict[str, int]:
    stats = server.app.state.subscriptions.stats()
    return {"groups": stats["groups"], "members": stats["members"]}


def self_form() -> dict[str, Any]:
    return seeded_form(seeded_review(RUNNING, persona("employee")["_id"]), "self")


async def write(server: RunningServer, form: dict[str, Any], value: int, base: int) -> None:
    question = next(iter(form["answers"]))
    data = await server.client("employee").data(UPDATE_ANSWER, {"form": form["_id"], "question": question,
                                                                "value": value, "base": base})
    assert data["updateReviewAnswer"]["errors"] == []


def version(form: dict[str, Any]) -> int:
    return form["answers"][next(iter(form["answers"]))]["version"]


async def test_readers_who_stand_alike_share_one_execution_and_receive_the_same_payload(
        server: RunningServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sharing, "RECHECK_SECONDS", 3600.0)  # no standing re-read within the test: calls compare
    form, me = self_form(), persona("employee")
    direct, ceo = me["managerId"], me["managerChain"][0]
    # given the reviewee's manager subscribed alone, and the store calls one answer costs then
    async with websocket(server.ws_url, server.token(direct)) as manager:
        await manager.subscribe(CHANGED, {"form": form["_id"]})
        await server.wait_subscribers(1)
        server.database.stats.reset()
        await write(server, form, 2, version(form))
        alone = await manager.next_payload()
        calls_for_one = server.database.stats.calls
        # when the top of their chain (legacy protocol) and the reviewer on two devices subscribe too
        async with websocket(server.ws_url, server.token(ceo), LEGACY_WS) as top, \
                websocket(server.ws_url, server.token("employee")) as phone, \
                websocket(server.ws_url, server.token("employee")) as laptop:
            for subscriber in (top, phone, laptop):
                await subscriber.subscribe(CHANGED, {"form": form["_id"]})
            await server.wait_subscribers(4)
            server.database.stats.reset()
            await write(server, form, 3, version(form) + 1)
            payloads = [await s.next_payload() for s in (manager, top, phone, laptop)]
            # then the managers are one class and the reviewer another: two executions, so the write costs the
            # store one read more than with one subscriber (the second execution's ``by``), not three; and all
            # four receive the same payload
            assert groups(server) == {"groups": 2, "members": 4}
            assert server.database.stats.calls == calls_for_one + 1
            assert payloads[0] == payloads[1] == payloads[2] == payloads[3]
            assert payloads[0]["data"]["reviewFormChanged"] == {
                **alone["data"]["reviewFormChanged"], "value": 3, "version": version(form) + 2}


async def test_a_selection_that_may_differ_between_readers_runs_alone(server: RunningServer) -> None:
    form, me = self_form(), persona("employee")
    async with websocket(server.ws_url, server.token(me["managerId"])) as manager, \
            websocket(server.ws_url, server.token(me["managerChain"][0])) as top:
        await manager.subscribe(WITH_EMAIL, {"form": form["_id"]})
        await top.subscribe(WITH_EMAIL, {"form": form["_id"]})
        await server.wait_subscribers(2)
        # then neither is in a group
        assert groups(server) == {"groups": 0, "members": 0}


async def test_a_member_whose_standing_changes_is_ended_alone(server: RunningServer,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sharing, "RECHECK_SECONDS", 0.0)  # every delivery re-reads the members' standing
    form, me = self_form(), persona("employee")
    direct, ceo = me["managerId"], me["managerChain"][0]
    async with websocket(server.ws_url, server.token(direct)) as manager, \
            websocket(server.ws_url, server.token(ceo)) as top:
        await manager.subscribe(CHANGED, {"form": form["_id"]})
        await top.subscribe(CHANGED, {"form": form["_id"]})
        await server.wait_subscribers(2)
        assert groups(server) == {"groups": 1, "members": 2}
        # given the reviewee moved to report to the top of the chain: their old manager no longer manages them
        moved = await server.client("hr_admin").data(CHANGE_MANAGER, {"id": me["_id"], "to": ceo})
        assert moved == {"changeManager": {"errors": []}}
        # when the reviewee writes an answer
        await write(server, form, 4, version(form))
        # then the old manager is told to subscribe again, and nothing of the answer reaches them
        ended = await manager.receive()
        assert ended["type"] == "next" and ended["payload"]["data"] is None
        assert [e["extensions"]["code"] for e in ended["payload"]["errors"]] == ["SUBSCRIBE_AGAIN"]
        assert (await manager.receive())["type"] == "complete"
        # and the top of the chain gets the answer, alone in the group now
        assert (await top.next_payload())["data"]["reviewFormChanged"]["value"] == 4
        assert groups(server) == {"groups": 1, "members": 1}
        # subscribing again, the old manager is refused: they may no longer read the form
        await manager.subscribe(CHANGED, {"form": form["_id"]})
        refused = await manager.receive()
        assert [e["extensions"]["code"] for e in refused["payload"]["errors"]] == ["FORBIDDEN"]


async def test_someone_who_may_not_read_the_form_never_joins_its_readers(server: RunningServer) -> None:
    form, me = self_form(), persona("employee")
    peer = next(e for e in NORTHWIND.employees if e.get("managerId") == me["managerId"] and e["_id"] != me["_id"]
                and e["status"] == "active" and "hr_admin" not in e["roles"])
    async with websocket(server.ws_url, server.token(me["managerId"])) as manager, \
            websocket(server.ws_url, server.token(peer["_id"])) as colleague:
        await manager.subscribe(CHANGED, {"form": form["_id"]})
        await server.wait_subscribers(1)
        # when a colleague of the reviewee (not a reader of their self form) subscribes alike
        await colleague.subscribe(CHANGED, {"form": form["_id"]})
        refused = await colleague.receive()
        # then they are refused, and the readers' group is as it was
        assert [e["extensions"]["code"] for e in refused["payload"]["errors"]] == ["FORBIDDEN"]
        assert groups(server) == {"groups": 1, "members": 1}
        await write(server, form, 5, version(form))
        assert (await manager.next_payload())["data"]["reviewFormChanged"]["value"] == 5
