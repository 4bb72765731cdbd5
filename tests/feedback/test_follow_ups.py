"""Follow-ups end to end: spawned from feedback, seen on ``employee { openFollowUps }`` by the person and their
managers, tracked to done, HR's per-department counts, and every refusal writing nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from tests.conftest import NORTHWIND, RunningServer
from tests.feedback.support import PEOPLE, SEED, UNKNOWN_ID, codes, outsider, person, snapshot, teammates

GIVE = """
mutation($input: GiveFeedbackInput!) { giveFeedback(input: $input) { feedback { id } errors { code } } }"""
RETRACT = "mutation($id: ID!) { retractFeedback(id: $id) { errors { code } } }"
CREATE = """
mutation($input: CreateFollowUpInput!) {
  createFollowUp(input: $input) {
    followUp { id text dueDate done overdue owner { id } employee { id } createdBy { id } feedback { id } }
    errors { field code }
  }
}"""
UPDATE = """
mutation($id: ID!, $input: UpdateFollowUpInput!) {
  updateFollowUp(id: $id, input: $input) { followUp { id text done doneAt owner { id } } errors { field code } }
}"""
OPEN = """
query($id: ID!) { employee(id: $id) { openFollowUps { id text overdue owner { id } feedback { id text } } } }"""
MINE = "query($all: Boolean!) { myFollowUps(includeDone: $all) { id done doneAt } }"
STATS = "{ followUpStats { department { id name } open overdue } }"
ON_FEEDBACK = "query($id: ID!) { feedback(id: $id) { followUps { id text } } }"


def soon(days: int = 14) -> str:
    return (datetime.now(UTC).date() + timedelta(days=days)).isoformat()


async def give(server: RunningServer, author: str, recipient: str, visibility: str) -> str:
    body = await server.client(author).data(GIVE, {"input": {"recipientId": recipient, "text": "Try smaller PRs",
                                                             "visibility": visibility}})
    return body["giveFeedback"]["feedback"]["id"]


async def create(server: RunningServer, who: str, feedback: str, **overrides: Any) -> dict[str, Any]:
    variables = {"input": {"feedbackId": feedback, "text": "Split the next PR", "dueDate": soon(), **overrides}}
    return (await server.client(who).data(CREATE, variables))["createFollowUp"]


async def test_the_recipient_and_their_managers_track_it_to_done(server: RunningServer) -> None:
    # given private feedback from a teammate to the employee, and a follow-up the employee spawns from it
    employee = person("employee")
    mate = teammates(employee)[0]["_id"]
    feedback = await give(server, mate, employee["_id"], "PRIVATE")
    result = await create(server, "employee", feedback)
    assert result["errors"] == []
    follow_up = result["followUp"]
    people = (follow_up["owner"]["id"], follow_up["employee"]["id"], follow_up["createdBy"]["id"])
    assert people == (employee["_id"],) * 3
    assert (follow_up["done"], follow_up["overdue"], follow_up["feedback"]["id"]) == (False, False, feedback)
    # then the employee and their managers see it open; the managers cannot see the private feedback behind it
    for viewer in ("employee", employee["managerId"], person("manager")["_id"]):
        listed = (await server.client(viewer).data(OPEN, {"id": employee["_id"]}))["employee"]["openFollowUps"]
        mine = next(f for f in listed if f["id"] == follow_up["id"])
        assert (mine["feedback"] is not None) == (viewer == "employee")
    # and it shows on the feedback for the recipient
    body = await server.client("employee").data(ON_FEEDBACK, {"id": feedback})
    assert [f["id"] for f in body["feedback"]["followUps"]] == [follow_up["id"]]
    # when it is marked done, then it leaves the open list and stays among the owner's follow-ups
    done = (await server.client("employee").data(UPDATE, {"id": follow_up["id"], "input": {"done": True}}))
    assert done["updateFollowUp"]["followUp"]["done"] is True and done["updateFollowUp"]["followUp"]["doneAt"]
    listed = (await server.client("employee").data(OPEN, {"id": employee["_id"]}))["employee"]["openFollowUps"]
    assert follow_up["id"] not in [f["id"] for f in listed]
    everything = (await server.client("employee").data(MINE, {"all": True}))["myFollowUps"]
    assert next(f for f in everything if f["id"] == follow_up["id"])["done"] is True
    assert follow_up["id"] not in [f["id"] for f in (await server.client("employee").data(MINE, {"all": False}))[
        "myFollowUps"]]


async def test_others_cannot_see_someones_open_follow_ups(server: RunningServer) -> None:
    employee = person("employee")
    for viewer in (outsider(employee)["_id"], "hr_admin", teammates(employee)[0]["_id"]):
        body = await server.client(viewer).execute(OPEN, {"id": employee["_id"]})
        assert body["data"]["employee"]["openFollowUps"] is None
        assert "errors" not in body


async def test_a_manager_sets_one_for_a_report(server: RunningServer) -> None:
    # given shared feedback to the employee, when their manager spawns a follow-up (owner: default, the report)
    employee = person("employee")
    feedback = await give(server, teammates(employee)[0]["_id"], employee["_id"], "RECIPIENT_AND_MANAGER")
    result = await create(server, employee["managerId"], feedback)
    # then the report owns it and the manager created it
    assert result["errors"] == []
    assert (result["followUp"]["owner"]["id"], result["followUp"]["createdBy"]["id"]) == (
        employee["_id"], employee["managerId"])


def refusals() -> list[tuple[str, str, str, dict[str, Any], list[tuple[str, str]]]]:
    employee = person("employee")
    mate = teammates(employee)[0]["_id"]
    return [
        # (case, author of the private/shared feedback, who creates, overrides, expected)
        ("manager on private feedback", "private", employee["managerId"], {}, [("feedbackId", "NOT_FOUND")]),
        ("the author", "shared", mate, {}, [("feedbackId", "FORBIDDEN")]),
        ("unknown feedback", "shared", "employee", {"feedbackId": UNKNOWN_ID}, [("feedbackId", "NOT_FOUND")]),
        ("empty text", "shared", "employee", {"text": ""}, [("text", "REQUIRED")]),
        ("past due", "shared", "employee", {"dueDate": soon(-1)}, [("dueDate", "INVALID")]),
        ("owner unknown", "shared", "employee", {"ownerId": UNKNOWN_ID}, [("ownerId", "NOT_FOUND")]),
        ("owner unrelated", "shared", "employee", {"ownerId": outsider(employee)["_id"]}, [("ownerId", "INVALID")]),
        ("retracted", "retracted", "employee", {}, [("feedbackId", "INVALID_TRANSITION")]),
    ]


async def test_refused_follow_ups_write_nothing(server: RunningServer) -> None:
    employee = person("employee")
    mate = teammates(employee)[0]["_id"]
    for case, kind, who, overrides, expected in refusals():
        # given feedback from a teammate to the employee (private, shared, or shared then retracted)
        visibility = "PRIVATE" if kind == "private" else "RECIPIENT_AND_MANAGER"
        feedback = await give(server, mate, employee["_id"], visibility)
        if kind == "retracted":
            await server.client(mate).data(RETRACT, {"id": feedback})
        before = await snapshot(server)
        # when the follow-up is refused, then the payload says why and nothing changed
        result = await create(server, who, overrides.pop("feedbackId", feedback), **overrides)
        assert (result["followUp"], codes(result["errors"])) == (None, expected), case
        assert await snapshot(server) == before


async def test_refused_updates_write_nothing(server: RunningServer) -> None:
    employee = person("employee")
    feedback = await give(server, teammates(employee)[0]["_id"], employee["_id"], "PRIVATE")
    follow_up = (await create(server, "employee", feedback))["followUp"]["id"]
    before = await snapshot(server)
    cases = [(outsider(employee)["_id"], {"done": True}, [("id", "NOT_FOUND")]),
             ("employee", {"done": None}, [("done", "REQUIRED")]),
             ("employee", {"text": "x" * 1001}, [("text", "TOO_LONG")]),
             ("employee", {"ownerId": outsider(employee)["_id"]}, [("ownerId", "INVALID")])]
    for who, input, expected in cases:
        body = await server.client(who).data(UPDATE, {"id": follow_up, "input": input})
        assert codes(body["updateFollowUp"]["errors"]) == expected, input
    assert await snapshot(server) == before


def expected_stats(extra_done: set[str] = frozenset()) -> dict[str, tuple[int, int]]:
    today = datetime.now(UTC).date()
    counts = {d["_id"]: [0, 0] for d in NORTHWIND.departments}
    for follow_up in SEED["followUps"]:
        if follow_up["done"] or follow_up["_id"] in extra_done:
            continue
        row = counts[PEOPLE[follow_up["employeeId"]]["departmentId"]]
        row[0] += 1
        row[1] += date.fromisoformat(follow_up["dueDate"]) < today
    return {id: (open_, overdue) for id, (open_, overdue) in counts.items()}


async def test_hr_admins_get_open_and_overdue_counts_per_department(server: RunningServer) -> None:
    # when HR asks, then every department with its counts from the seed, by name
    body = (await server.client("hr_admin").data(STATS))["followUpStats"]
    assert {r["department"]["id"]: (r["open"], r["overdue"]) for r in body} == expected_stats()
    assert [r["department"]["name"] for r in body] == sorted(d["name"] for d in NORTHWIND.departments)
    # when an open seeded follow-up is done, then its department counts one less
    open_one = next(f for f in SEED["followUps"] if not f["done"])
    owner = open_one["ownerId"]
    await server.client(owner).data(UPDATE, {"id": open_one["_id"], "input": {"done": True}})
    body = (await server.client("hr_admin").data(STATS))["followUpStats"]
    assert {r["department"]["id"]: (r["open"], r["overdue"]) for r in body} == expected_stats({open_one["_id"]})
    # and nobody else may ask
    for who in ("employee", "manager"):
        body = await server.client(who).execute(STATS)
        assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]


async def test_seeded_open_follow_ups(server: RunningServer) -> None:
    employee = person("employee")
    expected = sorted((f for f in SEED["followUps"] if f["employeeId"] == employee["_id"] and not f["done"]),
                      key=lambda f: (f["dueDate"], f["_id"]))
    assert expected
    listed = (await server.client("employee").data(OPEN, {"id": employee["_id"]}))["employee"]["openFollowUps"]
    assert [f["id"] for f in listed] == [f["_id"] for f in expected]
    today = datetime.now(UTC).date()
    assert [f["overdue"] for f in listed] == [date.fromisoformat(f["dueDate"]) < today for f in expected]
