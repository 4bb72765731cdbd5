"""Anonymous upward feedback under concurrency and failure: a release never holds fewer distinct authors
than the threshold, no item belongs to two releases, and an author's hash and item land together."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

from tests.conftest import RunningServer
from tests.feedback.support import (
    clear_domain,
    codes,
    manager_with_reports,
    recorded_events,
    reports_of,
    stored,
)
from tests.interleave import failing_at, hold

SEND = """
mutation($input: AnonymousFeedbackInput!) {
  sendAnonymousFeedback(input: $input) { sent errors { field code message } }
}"""
SETTINGS = """
mutation($input: FeedbackSettingsInput!) { setFeedbackSettings(input: $input) { errors { field code } } }"""
THRESHOLD = 3


async def send(server: RunningServer, author: str, manager: str) -> dict[str, Any]:
    variables = {"input": {"managerId": manager, "text": f"note from {author}", "tags": []}}
    return await server.client(author).execute(SEND, variables)


def released_ids(events: list[tuple[str, Any]]) -> list[list[str]]:
    return [message["ids"] for _, message in events if message.get("kind") == "anonymous_released"]


async def test_two_racing_releases_never_leave_an_item_below_the_threshold(server: RunningServer) -> None:
    # given a manager with two anonymous items pending, one short of the threshold
    await clear_domain(server)
    manager = manager_with_reports(4)
    authors = [r["_id"] for r in reports_of(manager["_id"])[:4]]
    for author in authors[:2]:
        assert (await send(server, author, manager["_id"]))["data"]["sendAnonymousFeedback"]["sent"]
    with recorded_events(server) as events:
        # when the third item's release is held at its marking write, and a fourth author's item (and its
        # release) completes meanwhile
        async with hold(server.database, "anonymousFeedback", "bulk_write") as held:
            third = asyncio.create_task(send(server, authors[2], manager["_id"]))
            await held.reached.wait()
            fourth = await send(server, authors[3], manager["_id"])
        third_body = await third
    assert third_body["data"]["sendAnonymousFeedback"]["sent"] and fourth["data"]["sendAnonymousFeedback"]["sent"]
    # then every release holds at least the threshold of items, all four are released, none twice
    items = await stored(server, "anonymousFeedback", managerId=manager["_id"])
    assert len(items) == 4 and all(i["release"] is not None for i in items)
    assert all(count >= THRESHOLD for count in Counter(i["release"] for i in items).values())
    announced = released_ids(events)
    assert sorted(id for ids in announced for id in ids) == sorted(i["_id"] for i in items)
    [contributors] = await stored(server, "anonymousContributors", managerId=manager["_id"])
    assert len(contributors["contributors"]) == 4
    assert contributors["releases"] == len(announced) == len({i["release"] for i in items})


async def test_a_threshold_raised_meanwhile_holds_back_a_release(server: RunningServer) -> None:
    # given two anonymous items pending at the default threshold of three
    await clear_domain(server)
    manager = manager_with_reports(3)
    authors = [r["_id"] for r in reports_of(manager["_id"])[:3]]
    for author in authors[:2]:
        await send(server, author, manager["_id"])
    # when a third author's item is held before its write, and HR raises the threshold to five meanwhile
    async with hold(server.database, "anonymousContributors", "count_documents") as held:
        third = asyncio.create_task(send(server, authors[2], manager["_id"]))
        await held.reached.wait()
        body = await server.client("hr_admin").data(SETTINGS, {"input": {"anonymityThreshold": 5}})
        assert body["setFeedbackSettings"]["errors"] == []
    assert (await third)["data"]["sendAnonymousFeedback"]["sent"]
    # then the three items wait for five authors
    items = await stored(server, "anonymousFeedback", managerId=manager["_id"])
    assert [i["release"] for i in items] == [None, None, None]


async def test_a_failure_half_way_costs_nobody_their_item(server: RunningServer) -> None:
    # given an author whose anonymous item fails to be written after their hash was added
    await clear_domain(server)
    manager = manager_with_reports(3)
    author = reports_of(manager["_id"])[0]["_id"]
    async with failing_at(server.database, "anonymousFeedback", "insert_one"):
        body = await send(server, author, manager["_id"])
    assert body["data"] is None or not body["data"]["sendAnonymousFeedback"]["sent"]
    # then neither the hash nor the item landed
    assert await stored(server, "anonymousFeedback", managerId=manager["_id"]) == []
    assert [d["contributors"] for d in await stored(server, "anonymousContributors",
                                                    managerId=manager["_id"])] in ([], [[]])
    # and when the author sends again, it is accepted once, then refused as a repeat
    assert (await send(server, author, manager["_id"]))["data"]["sendAnonymousFeedback"] == {"sent": True, "errors": []}
    again = (await send(server, author, manager["_id"]))["data"]["sendAnonymousFeedback"]
    assert codes(again["errors"]) == [("managerId", "DUPLICATE")]
    assert len(await stored(server, "anonymousFeedback", managerId=manager["_id"])) == 1


async def test_two_first_contributions_at_once_both_land(server: RunningServer) -> None:
    # given a manager nobody has written to this period, and a first author held as they create the set
    await clear_domain(server)
    manager = manager_with_reports(2)
    first_author, second_author = (r["_id"] for r in reports_of(manager["_id"])[:2])
    async with hold(server.database, "anonymousContributors", "insert_one") as held:
        first = asyncio.create_task(send(server, first_author, manager["_id"]))
        await held.reached.wait()
        # when a second author's first contribution creates the set meanwhile
        second = await send(server, second_author, manager["_id"])
    # then both are accepted, into the one set, each item once
    for body in (await first, second):
        assert body["data"]["sendAnonymousFeedback"] == {"sent": True, "errors": []}
    [contributors] = await stored(server, "anonymousContributors", managerId=manager["_id"])
    assert len(set(contributors["contributors"])) == 2
    assert len(await stored(server, "anonymousFeedback", managerId=manager["_id"])) == 2
