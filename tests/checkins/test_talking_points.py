"""Editing a check-in at the same time: versioned talking points (no edit silently lost), answers, rating."""

from __future__ import annotations

import asyncio

import pytest

from store.checkins import repository as check_in_store
from store.core.repository import TenantStore
from tests.checkins.support import (
    ADD_TALKING_POINT,
    ANSWER,
    CHECK_IN,
    RATE,
    REMOVE_TALKING_POINT,
    UPDATE_TALKING_POINT,
    Document,
    error,
    person,
    snapshot,
    stored,
    upcoming,
)
from tests.conftest import RunningServer


def seeded_point() -> tuple[Document, Document]:
    """The employee persona's upcoming check-in and its seeded talking point (version 1)."""
    check_in = upcoming(person("employee")["_id"])
    [point] = check_in["talkingPoints"]
    return check_in, point


def update(check_in: Document, point: Document, version: int, text: str) -> dict[str, object]:
    return {"id": check_in["_id"], "point": point["_id"], "version": version, "text": text}


async def test_a_stale_edit_is_refused_with_the_current_value_and_both_edits_survive_a_retry(
        server: RunningServer) -> None:
    # given both participants looking at the same talking point, version 1
    employee = person("employee")
    check_in, point = seeded_point()
    mine, theirs = server.client("employee"), server.client(employee["managerId"])
    # when the team lead saves an edit first
    first = (await theirs.data(UPDATE_TALKING_POINT, update(check_in, point, 1, "Project status: on track")))
    assert first["updateTalkingPoint"]["talkingPoint"] == {"id": point["_id"], "text": "Project status: on track",
                                                           "version": 2}
    after_first = await snapshot(server)
    # and the employee then saves theirs on the version they read
    data = await mine.data(UPDATE_TALKING_POINT, update(check_in, point, 1, "Project status and hiring"))
    refused = data["updateTalkingPoint"]
    # then it is refused with CONFLICT, carrying the current text and version, and nothing changed
    assert refused["errors"] == [error("version", "CONFLICT", "the talking point changed since version 1 (now "
                                       "version 2): merge with its current text and retry with the current version")]
    assert refused["conflict"] == {"id": point["_id"], "text": "Project status: on track", "version": 2,
                                   "removed": False, "updatedBy": {"id": employee["managerId"]}}
    assert refused["talkingPoint"] is None and refused["checkIn"] is None
    assert await snapshot(server) == after_first
    # when the employee merges and retries on the current version
    merged = f"{refused['conflict']['text']}; and hiring"
    data = await mine.data(UPDATE_TALKING_POINT, update(check_in, point, 2, merged))
    # then it is saved as version 3 and both edits are in it
    assert data["updateTalkingPoint"]["errors"] == []
    assert data["updateTalkingPoint"]["talkingPoint"] == {"id": point["_id"], "text": merged, "version": 3}
    saved = await stored(server, "checkIns", check_in["_id"])
    assert saved is not None
    [stored_point] = saved["talkingPoints"]
    assert (stored_point["text"], stored_point["version"], stored_point["updatedById"]) == (
        "Project status: on track; and hiring", 3, employee["_id"])


async def test_two_simultaneous_edits_of_one_version_one_wins_the_other_gets_a_conflict(server: RunningServer) -> None:
    # given both participants editing version 1 of the same talking point at the same moment
    employee = person("employee")
    check_in, point = seeded_point()
    clients = {"employee": server.client("employee"), "lead": server.client(employee["managerId"])}
    texts = {"employee": "Agenda: promotion case", "lead": "Agenda: team budget"}
    # when both requests are sent concurrently
    results = await asyncio.gather(*(clients[who].data(UPDATE_TALKING_POINT, update(check_in, point, 1, texts[who]))
                                     for who in ("employee", "lead")))
    outcomes = dict(zip(("employee", "lead"), (r["updateTalkingPoint"] for r in results), strict=True))
    # then exactly one is saved as version 2 and the other is refused with that saved value
    [winner] = [who for who, o in outcomes.items() if o["errors"] == []]
    [loser] = [who for who in outcomes if who != winner]
    assert outcomes[winner]["talkingPoint"] == {"id": point["_id"], "text": texts[winner], "version": 2}
    assert [e["code"] for e in outcomes[loser]["errors"]] == ["CONFLICT"]
    assert (outcomes[loser]["conflict"]["text"], outcomes[loser]["conflict"]["version"]) == (texts[winner], 2)
    # when the loser retries with the current version, merging both
    merged = f"{texts[winner]} + {texts[loser]}"
    data = await clients[loser].data(UPDATE_TALKING_POINT, update(check_in, point, 2, merged))
    # then both edits survive
    assert data["updateTalkingPoint"]["talkingPoint"] == {"id": point["_id"], "text": merged, "version": 3}
    shown = await clients[winner].data(CHECK_IN, {"id": check_in["_id"]})
    assert [(t["text"], t["version"]) for t in shown["checkIn"]["talkingPoints"]] == [(merged, 3)]


async def test_removing_is_versioned_too(server: RunningServer) -> None:
    # given a talking point the team lead has just edited (version 2)
    employee = person("employee")
    check_in, point = seeded_point()
    lead = server.client(employee["managerId"])
    await lead.data(UPDATE_TALKING_POINT, update(check_in, point, 1, "Renamed"))
    before = await snapshot(server)
    # when the employee removes it on the version they read (1), then that is a conflict and nothing changes
    data = await server.client("employee").data(REMOVE_TALKING_POINT, {"id": check_in["_id"], "point": point["_id"],
                                                                       "version": 1})
    assert data["removeTalkingPoint"]["conflict"] == {"id": point["_id"], "text": "Renamed", "version": 2,
                                                      "removed": False}
    assert await snapshot(server) == before
    # when they remove it on the current version, it is gone from the list (kept, marked removed, as version 3)
    data = await server.client("employee").data(REMOVE_TALKING_POINT, {"id": check_in["_id"], "point": point["_id"],
                                                                       "version": 2})
    assert data["removeTalkingPoint"]["talkingPoint"] == {"id": point["_id"], "text": "Renamed", "version": 3,
                                                          "removed": True}
    shown = await lead.data(CHECK_IN, {"id": check_in["_id"]})
    assert shown["checkIn"]["talkingPoints"] == []
    # and a later edit of it on its current version says it was removed, changing nothing
    before = await snapshot(server)
    data = await lead.data(UPDATE_TALKING_POINT, update(check_in, point, 3, "Back again"))
    assert data["updateTalkingPoint"]["errors"] == [error("talkingPointId", "NOT_FOUND",
                                                          "this talking point was removed")]
    assert await snapshot(server) == before


async def test_both_sides_add_talking_points_and_answer_without_overwriting(server: RunningServer) -> None:
    # given the employee persona's upcoming check-in
    employee = person("employee")
    check_in = upcoming(employee["_id"])
    mine, theirs = server.client("employee"), server.client(employee["managerId"])
    question = check_in["questions"][0]["_id"]
    # when both add a talking point and answer the same question at the same time
    await asyncio.gather(mine.data(ADD_TALKING_POINT, {"id": check_in["_id"], "text": "  My topic "}),
                         theirs.data(ADD_TALKING_POINT, {"id": check_in["_id"], "text": "Lead topic"}),
                         mine.data(ANSWER, {"id": check_in["_id"], "question": question, "text": "Mine"}),
                         theirs.data(ANSWER, {"id": check_in["_id"], "question": question, "text": "Theirs"}))
    # then all of it is kept: the seeded point, both new ones (trimmed, version 1), and both answers
    shown = (await mine.data(CHECK_IN, {"id": check_in["_id"]}))["checkIn"]
    points = {(t["text"], t["version"], t["author"]["id"]) for t in shown["talkingPoints"]}
    assert points == {(check_in["talkingPoints"][0]["text"], 1, employee["_id"]), ("My topic", 1, employee["_id"]),
                      ("Lead topic", 1, employee["managerId"])}
    assert sorted((a["text"], a["author"]["id"]) for a in shown["questions"][0]["answers"]) == sorted(
        [("Mine", employee["_id"]), ("Theirs", employee["managerId"])])


@pytest.mark.parametrize("rating", [0, 6])
async def test_a_rating_outside_one_to_five_is_refused(server: RunningServer, rating: int) -> None:
    check_in, _ = seeded_point()
    before = await snapshot(server)
    data = await server.client("employee").data(RATE, {"id": check_in["_id"], "rating": rating})
    assert data["rateCheckIn"] == {"checkIn": None, "errors": [error("rating", "INVALID", "rating must be 1–5")]}
    assert await snapshot(server) == before


async def test_a_rating_is_recorded_with_who_gave_it(server: RunningServer) -> None:
    check_in, _ = seeded_point()
    data = await server.client("employee").data(RATE, {"id": check_in["_id"], "rating": 4})
    assert data["rateCheckIn"]["errors"] == [] and data["rateCheckIn"]["checkIn"]["rating"] == 4
    saved = await stored(server, "checkIns", check_in["_id"])
    assert saved is not None and (saved["rating"], saved["ratedById"]) == (4, person("employee")["_id"])


async def test_the_store_compare_and_set_lets_only_one_writer_through(server: RunningServer) -> None:
    # given the seeded talking point at version 1, written to directly at the store boundary
    check_in, point = seeded_point()
    store = TenantStore(server.database, check_in["organizationId"])
    # when two writers both holding version 1 write one after the other
    first = await check_in_store.update_talking_point(store, check_in["_id"], point["_id"], 1, {"text": "A"}, None)
    second = await check_in_store.update_talking_point(store, check_in["_id"], point["_id"], 1, {"text": "B"}, None)
    # then only the first applies, and the version moved on once
    assert (first, second) == (True, False)
    saved = await stored(server, "checkIns", check_in["_id"])
    assert saved is not None and [(p["text"], p["version"]) for p in saved["talkingPoints"]] == [("A", 2)]
