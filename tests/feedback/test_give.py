"""Giving feedback end to end: direction from the org chart, visibility through every query, the 15-minute
edit window, retraction tombstones, filters and pagination, and every refusal writing nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from tests.client import refused_codes
from tests.conftest import GLOBEX, RunningServer
from tests.feedback.support import (
    PEOPLE,
    SEED,
    UNKNOWN_ID,
    codes,
    outsider,
    person,
    snapshot,
    stored,
    teammates,
)

FIELDS = """
fragment F on Feedback {
  id text tags direction visibility createdAt editedAt retracted retractedAt editableUntil
  author { id } recipient { id }
}
"""
GIVE = """
mutation($input: GiveFeedbackInput!) { giveFeedback(input: $input) { feedback { ...F } errors { field code message } } }
""" + FIELDS
EDIT = """
mutation($id: ID!, $input: EditFeedbackInput!) {
  editFeedback(id: $id, input: $input) { feedback { ...F } errors { field code message } }
}
""" + FIELDS
RETRACT = "mutation($id: ID!) { retractFeedback(id: $id) { feedback { ...F } errors { field code message } } }" + FIELDS
ONE = "query($id: ID!) { feedback(id: $id) { ...F } }" + FIELDS
RECEIVED = """
query($filter: FeedbackFilter, $first: Int, $after: String) {
  feedbackReceived(filter: $filter, first: $first, after: $after) {
    totalCount edges { cursor node { id } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}"""
GIVEN = "query { feedbackGiven(first: 100) { totalCount edges { node { id visibility } } } }"
ABOUT = """
query($id: ID!, $filter: FeedbackFilter) {
  feedbackAbout(employeeId: $id, filter: $filter, first: 100) { totalCount edges { node { id visibility } } }
}"""


async def give(server: RunningServer, who: str, recipient: str, visibility: str = "PRIVATE",
               text: str = "Thanks for the help", tags: list[str] | None = None) -> dict[str, Any]:
    variables = {"input": {"recipientId": recipient, "text": text, "visibility": visibility, "tags": tags or []}}
    return (await server.client(who).data(GIVE, variables))["giveFeedback"]


def ids(connection: dict[str, Any]) -> list[str]:
    return [edge["node"]["id"] for edge in connection["edges"]]


def newest_first(docs: list[dict[str, Any]]) -> list[str]:
    return [d["_id"] for d in sorted(docs, key=lambda d: (d["createdAt"], d["_id"]), reverse=True)]


async def test_direction_comes_from_the_org_chart(server: RunningServer) -> None:
    # given the employee, their manager, a teammate and the skip-level manager persona
    employee = person("employee")
    manager, mate, skip = employee["managerId"], teammates(employee)[0]["_id"], person("manager")["_id"]
    assert skip in employee["managerChain"][:-1]
    # when feedback goes up, down, across and down two levels
    cases = [("employee", manager, "UPWARD"), (manager, employee["_id"], "DOWNWARD"),
             ("employee", mate, "PEER"), ("manager", employee["_id"], "DOWNWARD")]
    for author, recipient, expected in cases:
        result = await give(server, author, recipient, tags=["Ownership", "Delivery"])
        # then the direction is derived, the author is the viewer, and the document says so too
        assert result["errors"] == []
        assert result["feedback"]["direction"] == expected
        assert result["feedback"]["recipient"]["id"] == recipient
        [doc] = await stored(server, "feedback", _id=result["feedback"]["id"])
        assert doc["direction"] == expected.lower()
        assert doc["authorId"] == person(author)["_id"]
        assert doc["tags"] == ["Ownership", "Delivery"]


async def test_each_visibility_reaches_exactly_its_readers(server: RunningServer) -> None:
    # given three items from the employee to a teammate, one per visibility
    employee = person("employee")
    mate = teammates(employee)[0]
    given = {v: (await give(server, "employee", mate["_id"], v))["feedback"]["id"]
             for v in ("PRIVATE", "RECIPIENT_AND_MANAGER", "MANAGER_ONLY")}
    manager, skip = mate["managerId"], person("manager")["_id"]
    stranger = outsider(employee, mate)
    # then the recipient receives the private one and the shared one, not the note to their managers
    received = ids((await server.client(mate["_id"]).data(RECEIVED, {"first": 100}))["feedbackReceived"])
    assert given["PRIVATE"] in received and given["RECIPIENT_AND_MANAGER"] in received
    assert given["MANAGER_ONLY"] not in received
    # and their managers, direct and skip-level, see the shared one and the note, never the private one
    for boss in (manager, skip):
        about = ids((await server.client(boss).data(ABOUT, {"id": mate["_id"]}))["feedbackAbout"])
        assert given["RECIPIENT_AND_MANAGER"] in about and given["MANAGER_ONLY"] in about
        assert given["PRIVATE"] not in about
    # and the author sees all three among what they gave
    assert set(given.values()) <= set(ids((await server.client("employee").data(GIVEN))["feedbackGiven"]))
    # and single reads follow the same rules for everyone, HR admins and outsiders included
    readers = {"employee": set(given), mate["_id"]: {"PRIVATE", "RECIPIENT_AND_MANAGER"},
               manager: {"RECIPIENT_AND_MANAGER", "MANAGER_ONLY"}, skip: {"RECIPIENT_AND_MANAGER", "MANAGER_ONLY"},
               "hr_admin": set(), stranger["_id"]: set()}
    for reader, visible in readers.items():
        for visibility, id in given.items():
            body = await server.client(reader).data(ONE, {"id": id})
            assert (body["feedback"] is not None) == (visibility in visible), (reader, visibility)


async def test_feedback_about_is_for_the_management_chain_only(server: RunningServer) -> None:
    # given the employee persona, an outsider, an HR admin outside the chain and the employee themselves
    employee = person("employee")
    for reader in (outsider(employee)["_id"], "hr_admin", "employee"):
        # when they ask for feedbackAbout the employee
        body = await server.client(reader).execute(ABOUT, {"id": employee["_id"]})
        # then it is refused as FORBIDDEN, with no data
        assert body["data"] == {"feedbackAbout": None}
        assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]
    # and an unknown or another organisation's id reads the same way: unknown
    for id in (UNKNOWN_ID, GLOBEX.employees[0]["_id"]):
        body = await server.client("manager").execute(ABOUT, {"id": id})
        assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_USER_INPUT"]
        assert body["errors"][0]["message"] == f"no employee {id!r} in your organisation"


async def test_feedback_about_lists_what_the_seed_shares_with_managers(server: RunningServer) -> None:
    # given the seeded feedback the employee persona received
    employee = person("employee")
    skip = person("manager")["_id"]
    expected = newest_first([f for f in SEED["feedback"] if f["recipientId"] == employee["_id"] and (
        f["visibility"] != "private" or f["authorId"] == skip)])
    # when the skip-level manager asks, then they get exactly the shared items, newest first
    body = await server.client("manager").data(ABOUT, {"id": employee["_id"]})
    assert ids(body["feedbackAbout"]) == expected
    assert body["feedbackAbout"]["totalCount"] == len(expected)


async def test_received_filters_and_pages_newest_first(server: RunningServer) -> None:
    # given what the employee persona received in the seed (notes to their managers excluded)
    employee = person("employee")
    mine = [f for f in SEED["feedback"] if f["recipientId"] == employee["_id"] and f["visibility"] != "manager_only"]
    client = server.client("employee")
    # when paging two at a time, then the pages chain up to exactly the seeded order
    seen, after = [], None
    while True:
        page = (await client.data(RECEIVED, {"first": 2, "after": after}))["feedbackReceived"]
        assert page["totalCount"] == len(mine)
        assert page["pageInfo"]["hasPreviousPage"] == (after is not None)
        seen += ids(page)
        after = page["pageInfo"]["endCursor"]
        if not page["pageInfo"]["hasNextPage"]:
            break
    assert seen == newest_first(mine)
    # and each filter selects exactly the matching seeded items
    days = sorted({f["createdAt"].date() for f in mine})
    since, until = days[len(days) // 3], days[2 * len(days) // 3]
    tag = next(t for f in mine for t in f["tags"])
    filters = [({"direction": "PEER"}, lambda f: f["direction"] == "peer"),
               ({"tag": tag}, lambda f: tag in f["tags"]),
               ({"since": since.isoformat(), "until": until.isoformat()},
                lambda f: since <= f["createdAt"].date() <= until)]
    for given_filter, matches in filters:
        page = (await client.data(RECEIVED, {"filter": given_filter, "first": 100}))["feedbackReceived"]
        assert ids(page) == newest_first([f for f in mine if matches(f)]), given_filter
        assert page["totalCount"] == len([f for f in mine if matches(f)])


async def test_page_size_and_cursor_are_checked(server: RunningServer) -> None:
    client = server.client("employee")
    # when first is above 100, then nothing runs
    body = await client.execute(RECEIVED, {"first": 101})
    assert [e["extensions"]["code"] for e in body["errors"]] == ["LIMIT_EXCEEDED"]
    # when the cursor was not issued by the API, then it is a bad input
    body = await client.execute(RECEIVED, {"first": 5, "after": "bm90IGEgY3Vyc29y"})
    assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_USER_INPUT"]
    # without a token, nothing at all
    body = await server.client().execute(RECEIVED, {"first": 5})
    assert [e["extensions"]["code"] for e in body["errors"]] == ["UNAUTHENTICATED"]


async def test_editing_within_the_window_then_too_late(server: RunningServer) -> None:
    # given fresh feedback from the employee to a teammate
    mate = teammates(person("employee"))[0]
    id = (await give(server, "employee", mate["_id"], "RECIPIENT_AND_MANAGER"))["feedback"]["id"]
    # when the author edits it at once, then text and tags change and editedAt is set
    body = await server.client("employee").data(EDIT, {"id": id, "input": {"text": "Better words", "tags": ["Craft"]}})
    edited = body["editFeedback"]
    assert edited["errors"] == []
    assert (edited["feedback"]["text"], edited["feedback"]["tags"]) == ("Better words", ["Craft"])
    assert edited["feedback"]["editedAt"] is not None
    # when 16 minutes have passed since it was given
    created = datetime.now(UTC) - timedelta(minutes=16)
    await server.database.feedback.update_one({"_id": id}, {"$set": {"createdAt": created}})
    before = await snapshot(server)
    body = await server.client("employee").data(EDIT, {"id": id, "input": {"text": "Too late now"}})
    # then it is TOO_LATE and nothing changed
    assert codes(body["editFeedback"]["errors"]) == [("id", "TOO_LATE")]
    assert body["editFeedback"]["feedback"] is None
    assert await snapshot(server) == before


async def test_edits_with_bad_text_change_nothing(server: RunningServer) -> None:
    mate = teammates(person("employee"))[0]
    id = (await give(server, "employee", mate["_id"]))["feedback"]["id"]
    before = await snapshot(server)
    for text, code in (("", "REQUIRED"), ("   ", "REQUIRED"), ("x" * 5001, "TOO_LONG")):
        body = await server.client("employee").data(EDIT, {"id": id, "input": {"text": text}})
        assert codes(body["editFeedback"]["errors"]) == [("text", code)]
    assert await snapshot(server) == before


async def test_only_the_author_edits_or_retracts(server: RunningServer) -> None:
    # given private feedback from the employee to a teammate
    mate = teammates(person("employee"))[0]
    id = (await give(server, "employee", mate["_id"]))["feedback"]["id"]
    before = await snapshot(server)
    # when the recipient tries to edit or retract it, then FORBIDDEN
    for query, variables in ((EDIT, {"id": id, "input": {"text": "mine now"}}), (RETRACT, {"id": id})):
        body = await server.client(mate["_id"]).execute(query, variables)
        assert refused_codes(body) == ["FORBIDDEN"]
    # when their manager (who may not see private feedback) or anyone tries an unknown id, then NOT_FOUND
    for who, target in ((mate["managerId"], id), ("employee", UNKNOWN_ID)):
        body = await server.client(who).data(RETRACT, {"id": target})
        assert codes(body["retractFeedback"]["errors"]) == [("id", "NOT_FOUND")]
    # and nothing changed
    assert await snapshot(server) == before


async def test_retraction_leaves_a_tombstone(server: RunningServer) -> None:
    # given feedback the recipient has seen
    mate = teammates(person("employee"))[0]
    id = (await give(server, "employee", mate["_id"], "RECIPIENT_AND_MANAGER", "Oops", ["Teamwork"]))["feedback"]["id"]
    # when the author retracts it
    body = await server.client("employee").data(RETRACT, {"id": id})
    # then text and tags are gone, the rest stays, for the author and the recipient alike
    tombstone = body["retractFeedback"]["feedback"]
    assert (tombstone["text"], tombstone["tags"], tombstone["retracted"]) == (None, [], True)
    assert tombstone["retractedAt"] is not None
    seen = (await server.client(mate["_id"]).data(ONE, {"id": id}))["feedback"]
    assert (seen["text"], seen["retracted"], seen["author"]["id"]) == (None, True, person("employee")["_id"])
    [doc] = await stored(server, "feedback", _id=id)
    assert (doc["text"], doc["tags"]) == (None, [])
    # when retracted or edited again, then INVALID_TRANSITION and nothing changes
    before = await snapshot(server)
    for query, variables, name in ((RETRACT, {"id": id}, "retractFeedback"),
                                   (EDIT, {"id": id, "input": {"text": "back"}}, "editFeedback")):
        body = await server.client("employee").data(query, variables)
        assert codes(body[name]["errors"]) == [("id", "INVALID_TRANSITION")]
    assert await snapshot(server) == before


def refusals() -> list[tuple[str, dict[str, Any], list[tuple[str, str]]]]:
    employee, mate = person("employee"), teammates(person("employee"))[0]["_id"]
    leaver = next(e for e in PEOPLE.values() if e["status"] == "terminated")
    ok = {"recipientId": mate, "text": "fine", "tags": []}
    return [
        ("yourself", {**ok, "recipientId": employee["_id"]}, [("recipientId", "INVALID")]),
        ("unknown", {**ok, "recipientId": UNKNOWN_ID}, [("recipientId", "NOT_FOUND")]),
        ("other organisation", {**ok, "recipientId": GLOBEX.employees[1]["_id"]}, [("recipientId", "NOT_FOUND")]),
        ("leaver", {**ok, "recipientId": leaver["_id"]}, [("recipientId", "INACTIVE")]),
        ("empty", {**ok, "text": ""}, [("text", "REQUIRED")]),
        ("too long", {**ok, "text": "x" * 5001}, [("text", "TOO_LONG")]),
        ("unknown tag", {**ok, "tags": ["Ownership", "Vibes"]}, [("tags", "INVALID")]),
        ("several at once", {**ok, "text": " ", "recipientId": UNKNOWN_ID}, [("text", "REQUIRED"),
                                                                              ("recipientId", "NOT_FOUND")]),
    ]


async def test_refused_feedback_writes_nothing(server: RunningServer) -> None:
    # given the store before
    before = await snapshot(server)
    for case, input, expected in refusals():
        # when the employee gives refused feedback
        body = await server.client("employee").data(GIVE, {"input": input})
        # then the payload says why, the message never names another organisation's person
        assert codes(body["giveFeedback"]["errors"]) == expected, case
        assert body["giveFeedback"]["feedback"] is None
        if case == "other organisation":
            message = body["giveFeedback"]["errors"][0]["message"]
            assert message == f"no employee {input['recipientId']!r} in your organisation"
    # and nothing changed
    assert await snapshot(server) == before


async def test_text_of_exactly_5000_characters_is_accepted(server: RunningServer) -> None:
    mate = teammates(person("employee"))[0]
    result = await give(server, "employee", mate["_id"], text="y" * 5000)
    assert result["errors"] == []
    assert len(result["feedback"]["text"]) == 5000
    assert date.fromisoformat(result["feedback"]["createdAt"][:10]) == datetime.now(UTC).date()
