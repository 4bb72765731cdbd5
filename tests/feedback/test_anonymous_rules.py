"""Anonymous upward feedback rules: upward only, the threshold setting (HR, at least 3), releases in batches,
and the seeded previous quarter; every refusal writes nothing."""

from __future__ import annotations

from typing import Any

from tests.client import refused_codes, websocket
from tests.conftest import GLOBEX, RunningServer
from tests.feedback.support import (
    SEED,
    UNKNOWN_ID,
    clear_domain,
    codes,
    manager_with_reports,
    marker_comes_first,
    person,
    reports_of,
    snapshot,
    teammates,
)

SEND = """
mutation($input: AnonymousFeedbackInput!) {
  sendAnonymousFeedback(input: $input) { sent errors { field code message } }
}"""
SETTINGS = """
mutation($input: FeedbackSettingsInput!) {
  setFeedbackSettings(input: $input) { settings { anonymityThreshold values competencies } errors { field code } }
}"""
SUMMARY = """
query($period: String) {
  anonymousFeedback(period: $period) { period threshold pendingCount items { id text release day } }
  anonymousFeedbackPeriods
}"""
EVENTS = "subscription { feedbackReceived { kind anonymousFeedback { id text release } } }"


async def send(server: RunningServer, author: str, manager: str, text: str = "Clearer priorities, please",
               tags: list[str] | None = None) -> dict[str, Any]:
    variables = {"input": {"managerId": manager, "text": text, "tags": tags or []}}
    return (await server.client(author).data(SEND, variables))["sendAnonymousFeedback"]


async def summary(server: RunningServer, who: str, period: str | None = None) -> dict[str, Any]:
    return await server.client(who).data(SUMMARY, {"period": period})


def refusals() -> list[tuple[str, str, dict[str, Any], list[tuple[str, str]]]]:
    employee = person("employee")
    ok = {"managerId": employee["managerId"], "text": "fine", "tags": []}
    report = reports_of(employee["managerId"])[0]
    return [
        ("to a teammate", "employee", {**ok, "managerId": teammates(employee)[0]["_id"]}, [("managerId", "INVALID")]),
        ("to yourself", "employee", {**ok, "managerId": employee["_id"]}, [("managerId", "INVALID")]),
        ("downward", employee["managerId"], {**ok, "managerId": report["_id"]}, [("managerId", "INVALID")]),
        ("unknown", "employee", {**ok, "managerId": UNKNOWN_ID}, [("managerId", "NOT_FOUND")]),
        ("other organisation", "employee", {**ok, "managerId": GLOBEX.employees[0]["_id"]},
         [("managerId", "NOT_FOUND")]),
        ("empty", "employee", {**ok, "text": " "}, [("text", "REQUIRED")]),
        ("too long", "employee", {**ok, "text": "x" * 5001}, [("text", "TOO_LONG")]),
        ("unknown tag", "employee", {**ok, "tags": ["Gossip"]}, [("tags", "INVALID")]),
    ]


async def test_refused_anonymous_feedback_writes_nothing(server: RunningServer) -> None:
    before = await snapshot(server)
    for case, who, input, expected in refusals():
        body = (await server.client(who).data(SEND, {"input": input}))["sendAnonymousFeedback"]
        assert (body["sent"], codes(body["errors"])) == (False, expected), case
    assert await snapshot(server) == before


async def test_skip_level_managers_can_receive_it_too(server: RunningServer) -> None:
    # given the employee persona and the skip-level manager persona above them
    skip = person("manager")["_id"]
    assert skip in person("employee")["managerChain"]
    # when sent, then it is accepted and pending for the skip-level manager
    assert await send(server, "employee", skip) == {"sent": True, "errors": []}
    assert (await summary(server, skip))["anonymousFeedback"]["pendingCount"] == 1


SETTINGS_REFUSALS = [
    ({"anonymityThreshold": 2}, [("anonymityThreshold", "INVALID")]),
    ({"anonymityThreshold": 51}, [("anonymityThreshold", "INVALID")]),
    ({"anonymityThreshold": None}, [("anonymityThreshold", "REQUIRED")]),
    ({"values": []}, [("values", "INVALID")]),
    ({"values": ["Ownership", "ownership "]}, [("values", "DUPLICATE")]),
    ({"competencies": ["Good", ""]}, [("competencies", "REQUIRED")]),
]


async def test_refused_settings_write_nothing(server: RunningServer) -> None:
    before = await snapshot(server)
    for input, expected in SETTINGS_REFUSALS:
        body = (await server.client("hr_admin").data(SETTINGS, {"input": input}))["setFeedbackSettings"]
        assert (body["settings"], codes(body["errors"])) == (None, expected), input
    assert await snapshot(server) == before


async def test_only_hr_admins_change_the_settings(server: RunningServer) -> None:
    before = await snapshot(server)
    for who in ("employee", "manager"):
        body = await server.client(who).execute(SETTINGS, {"input": {"anonymityThreshold": 5}})
        assert refused_codes(body) == ["FORBIDDEN"]
    assert await snapshot(server) == before


async def test_the_threshold_is_an_organisation_setting(server: RunningServer) -> None:
    # given a threshold of 4 set by HR, and three distinct reports who write to their manager
    await clear_domain(server)
    manager = manager_with_reports(4)
    authors = [r["_id"] for r in reports_of(manager["_id"])[:4]]
    body = (await server.client("hr_admin").data(SETTINGS, {"input": {"anonymityThreshold": 4}}))
    assert body["setFeedbackSettings"]["settings"]["anonymityThreshold"] == 4
    async with websocket(server.ws_url, server.token(manager["_id"])) as socket:
        await socket.subscribe(EVENTS)
        await server.wait_subscribers(1)
        for author in authors[:3]:
            assert (await send(server, author, manager["_id"], f"note from #{authors.index(author)}"))["sent"]
        # then nothing is released at three
        view = (await summary(server, manager["_id"]))["anonymousFeedback"]
        assert (view["threshold"], view["pendingCount"], view["items"]) == (4, 3, [])
        await marker_comes_first(server, socket, manager["_id"], person("hr_admin")["_id"])
        # when HR lowers it to 3, then the waiting batch is released at once and pushed to the manager
        await server.client("hr_admin").data(SETTINGS, {"input": {"anonymityThreshold": 3}})
        event = (await socket.next_payload())["data"]["feedbackReceived"]
        assert event["kind"] == "ANONYMOUS_RELEASED"
        assert sorted(i["text"] for i in event["anonymousFeedback"]) == ["note from #0", "note from #1", "note from #2"]
    view = (await summary(server, manager["_id"]))["anonymousFeedback"]
    assert (view["threshold"], view["pendingCount"], len(view["items"])) == (3, 0, 3)


async def test_later_items_wait_for_a_batch_of_their_own(server: RunningServer) -> None:
    # given a manager with six reports and a first release of three
    await clear_domain(server)
    manager = manager_with_reports(6)
    authors = [r["_id"] for r in reports_of(manager["_id"])[:6]]
    for index, author in enumerate(authors[:3]):
        await send(server, author, manager["_id"], f"first batch {index}")
    # when two more write, then they stay pending: a single new item is never released on its own
    for index, author in enumerate(authors[3:5]):
        await send(server, author, manager["_id"], f"second batch {index}")
    view = (await summary(server, manager["_id"]))["anonymousFeedback"]
    assert (view["pendingCount"], [i["release"] for i in view["items"]]) == (2, [1, 1, 1])
    # when the third of the new authors writes, then the second batch is released as release 2
    await send(server, authors[5], manager["_id"], "second batch 2")
    view = (await summary(server, manager["_id"]))["anonymousFeedback"]
    assert view["pendingCount"] == 0
    assert [i["release"] for i in view["items"]] == [1, 1, 1, 2, 2, 2]
    assert sorted(i["text"] for i in view["items"][3:]) == ["second batch 0", "second batch 1", "second batch 2"]


async def test_the_seeded_previous_quarter(server: RunningServer) -> None:
    # given the seeded anonymous feedback of the previous quarter
    items = SEED["anonymousFeedback"]
    period = items[0]["period"]
    by_manager: dict[str, list[dict[str, Any]]] = {}
    for item in items:
        by_manager.setdefault(item["managerId"], []).append(item)
    for manager_id, mine in by_manager.items():
        # when each manager reads it, then released items come in rank order and pending ones as a count
        body = await summary(server, manager_id, period)
        released = sorted((i for i in mine if i["release"] is not None), key=lambda i: (i["release"], i["rank"]))
        view = body["anonymousFeedback"]
        assert [i["id"] for i in view["items"]] == [i["_id"] for i in released]
        assert view["pendingCount"] == len(mine) - len(released)
        assert body["anonymousFeedbackPeriods"] == [period]
    # and a malformed period is a bad input
    body = await server.client("manager").execute(SUMMARY, {"period": "last quarter"})
    assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_USER_INPUT"]
