"""Private notes: only their author ever sees them — in every query path, payload and subscription event,
and not even the other participant or an HR admin."""

from __future__ import annotations

import json

from tests.checkins.support import (
    ADD_TALKING_POINT,
    PRIVATE_NOTE,
    SEED,
    Document,
    person,
    series_of,
    snapshot,
    upcoming,
)
from tests.client import refused_codes, websocket
from tests.conftest import RunningServer

EVERY_PATH = """
query($id: ID!, $employee: ID!, $lead: ID!) {
  checkIn(id: $id) { id myPrivateNote }
  checkIns(employeeId: $employee, past: 100) { upcoming { id myPrivateNote } past { id myPrivateNote } }
  employee(id: $employee) { checkInSeries {
    upcoming { id myPrivateNote } history(last: 100) { id myPrivateNote } } }
  lead: employee(id: $lead) { reports { checkInSeries { upcoming { id myPrivateNote } } } }
}
"""
OVERDUE_PATH = """
{ overdueCheckIns(asOf: "2027-06-01") {
  series { upcoming { id myPrivateNote } history(last: 100) { myPrivateNote } } } }
"""
SUBSCRIBE = """
subscription($id: ID!) { checkInUpdated(checkInId: $id) { kind checkIn { id myPrivateNote } } }
"""
SECRETS = {"employee": "E-secret-7f3a about my manager", "lead": "L-secret-91bc about my report"}


def notes_seen(body: Document) -> set[str]:
    """Every non-null ``myPrivateNote`` anywhere in a response."""
    found: set[str] = set()

    def walk(value: object) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                if key == "myPrivateNote" and inner is not None:
                    found.add(str(inner))
                walk(inner)
        elif isinstance(value, list):
            for inner in value:
                walk(inner)

    walk(body)
    return found


async def write_notes(server: RunningServer, check_in: Document) -> Document:
    employee = person("employee")
    authors = {"employee": employee["_id"], "lead": employee["managerId"]}
    for who, secret in SECRETS.items():
        data = await server.client(authors[who]).data(PRIVATE_NOTE, {"id": check_in["_id"], "text": secret})
        payload = data["setCheckInPrivateNote"]
        assert payload["errors"] == []
        # the author's own payload shows their note, never the other's
        assert (payload["note"], payload["checkIn"]["myPrivateNote"]) == (secret, secret)
    return authors


async def test_each_author_sees_only_their_own_note_in_every_query_path(server: RunningServer) -> None:
    # given private notes by both participants on the employee persona's upcoming check-in
    employee = person("employee")
    check_in = upcoming(employee["_id"])
    authors = await write_notes(server, check_in)
    in_series = {c["_id"] for c in SEED["checkIns"] if c["seriesId"] == check_in["seriesId"]}
    lead_seeded = {n["text"] for n in SEED["checkInNotes"]
                   if n["authorId"] == authors["lead"] and n["checkInId"] in in_series}
    assert lead_seeded  # the team lead also wrote notes on past check-ins in the seed
    variables = {"id": check_in["_id"], "employee": employee["_id"], "lead": employee["managerId"]}
    expected = {
        authors["employee"]: {SECRETS["employee"]},
        authors["lead"]: {SECRETS["lead"], *lead_seeded},
        person("manager")["_id"]: set(),  # above them both: reads the check-in, never the notes
        person("hr_admin")["_id"]: set(),  # reads every check-in, never the notes
    }
    for viewer, notes in expected.items():
        # when each of them reads the check-in through every path that reaches it
        body = await server.client(viewer).execute(EVERY_PATH, variables)
        assert "errors" not in body, body
        # then they see their own notes and nothing else; the other's text appears nowhere in the response
        assert notes_seen(body) == notes
        text = json.dumps(body)
        for secret in SECRETS.values():
            assert (secret in text) == (secret in notes)
        assert body["data"]["checkIn"] == {"id": check_in["_id"],
                                           "myPrivateNote": next((n for n in notes if n in SECRETS.values()), None)}


async def test_hr_admins_do_not_see_notes_through_the_overdue_list(server: RunningServer) -> None:
    # given both participants' notes, and an HR admin listing every overdue series far ahead
    await write_notes(server, upcoming(person("employee")["_id"]))
    body = await server.client("hr_admin").execute(OVERDUE_PATH)
    # then no note is in the response
    assert "errors" not in body and body["data"]["overdueCheckIns"]
    assert notes_seen(body) == set()


async def test_mutation_payloads_show_the_callers_note_not_the_other_participants(server: RunningServer) -> None:
    # given both notes on the check-in
    employee = person("employee")
    check_in = upcoming(employee["_id"])
    await write_notes(server, check_in)
    # when the team lead adds a talking point and reads the check-in from the payload
    data = await server.client(employee["managerId"]).data(ADD_TALKING_POINT, {"id": check_in["_id"],
                                                                                "text": "Roadmap"})
    # then the payload carries the lead's note only
    assert data["addTalkingPoint"]["checkIn"]["myPrivateNote"] == SECRETS["lead"]
    assert SECRETS["employee"] not in json.dumps(data)


async def test_subscription_events_carry_each_subscribers_own_note_and_notes_publish_nothing(
        server: RunningServer) -> None:
    # given both participants subscribed to the check-in, each with a note on it
    employee = person("employee")
    check_in = upcoming(employee["_id"])
    authors = await write_notes(server, check_in)
    async with websocket(server.ws_url, server.token(authors["employee"])) as mine, \
            websocket(server.ws_url, server.token(authors["lead"])) as theirs:
        for subscriber in (mine, theirs):
            await subscriber.subscribe(SUBSCRIBE, {"id": check_in["_id"]})
        await server.wait_subscribers(2)
        # when a note is changed, then nobody is told (not even that a note exists): the talking point the
        # employee adds next (a marker) is the first event either subscriber receives
        await server.client(authors["lead"]).data(PRIVATE_NOTE, {"id": check_in["_id"], "text": SECRETS["lead"]})
        await server.client(authors["employee"]).data(ADD_TALKING_POINT, {"id": check_in["_id"], "text": "Hiring"})
        # and each subscriber's event shows their own note only
        for subscriber, who in ((mine, "employee"), (theirs, "lead")):
            payload = await subscriber.next_payload()
            assert payload["data"]["checkInUpdated"] == {"kind": "TALKING_POINT_ADDED", "checkIn": {
                "id": check_in["_id"], "myPrivateNote": SECRETS[who]}}
            other = SECRETS["lead" if who == "employee" else "employee"]
            assert other not in json.dumps(payload)


async def test_only_participants_write_notes(server: RunningServer) -> None:
    # given the employee persona's check-in and readers who are not participants
    check_in = upcoming(person("employee")["_id"])
    before = await snapshot(server)
    for reader in ("manager", "hr_admin"):
        # when they try to write a note, then it is FORBIDDEN and nothing is stored
        body = await server.client(reader).execute(PRIVATE_NOTE, {"id": check_in["_id"], "text": "mine"})
        assert refused_codes(body) == ["FORBIDDEN"]
    assert await snapshot(server) == before
    assert series_of(person("employee")["_id"])["_id"] == check_in["seriesId"]
