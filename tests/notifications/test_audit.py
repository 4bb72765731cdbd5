"""The audit trail: every write of a mutation recorded once, with who, when, what and the fields before and
after; sensitive values recorded as changed only; nothing for a refused mutation; HR admins read it, each
organisation its own; nothing in the API changes it."""

from __future__ import annotations

import json

from models.core import clock
from store.core.audit import AuditScope, current_scope, read_before
from tests.client import refused
from tests.conftest import RunningServer
from tests.notifications.support import SAVE_ENDPOINT
from tests.org.support import UPDATE_EMPLOYEE
from tests.stores import GLOBEX, NORTHWIND

AUDIT = """
query Audit($filter: AuditFilter, $first: Int = 20, $after: String) {
  auditLog(filter: $filter, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { id at operation action objectType objectId actorType actorId source
                   changes { field redacted before after } } }
  }
}
"""
SEND_ANONYMOUS = """
mutation($input: AnonymousFeedbackInput!) { sendAnonymousFeedback(input: $input) { sent errors { code } } }"""
HR = NORTHWIND.personas["hr_admin"]
EMPLOYEE = NORTHWIND.personas["employee"]


def by_id(id: str) -> dict:
    return next(e for e in NORTHWIND.employees if e["_id"] == id)


async def entries(server: RunningServer, **filter: object) -> list[dict]:
    body = await server.client("hr_admin").data(AUDIT, {"filter": filter or None, "first": 100})
    return [e["node"] for e in body["auditLog"]["edges"]]


async def test_a_change_records_who_when_what_and_the_fields_before_and_after(server: RunningServer) -> None:
    # given an employee's name
    old_name = by_id(EMPLOYEE)["name"]
    before = clock.now()
    # when HR renames them
    body = await server.client("hr_admin").data(UPDATE_EMPLOYEE, {"id": EMPLOYEE, "input": {"name": "Renamed Person"}})
    assert body["updateEmployee"]["errors"] == []
    # then one entry names HR, the mutation, the employee and the name before and after
    (entry,) = await entries(server, objectId=EMPLOYEE)
    assert (entry["operation"], entry["action"], entry["objectType"], entry["actorType"], entry["actorId"]) == \
        ("updateEmployee", "changed", "employees", "employee", HR)
    changes = {c["field"]: c for c in entry["changes"]}
    assert changes["name"] == {"field": "name", "redacted": False, "before": json.dumps(old_name),
                               "after": json.dumps("Renamed Person")}
    assert set(changes) == {"name", "updatedAt"}
    assert before <= clock.now().fromisoformat(entry["at"]) <= clock.now()
    # and the filters find it by actor, type and time, and not outside them
    assert [e["id"] for e in await entries(server, actorId=HR, type="employees")] == [entry["id"]]
    assert await entries(server, to=before.isoformat()) == []
    assert await entries(server, actorId=EMPLOYEE) == []


async def test_a_refused_mutation_records_nothing(server: RunningServer) -> None:
    body = await server.client("hr_admin").execute(UPDATE_EMPLOYEE, {"id": EMPLOYEE, "input": {"name": ""}})
    assert [c for _, c, _ in refused(body)] == ["REQUIRED"]
    forbidden = await server.client("employee").execute(UPDATE_EMPLOYEE, {"id": EMPLOYEE, "input": {"name": "Me"}})
    assert [c for _, c, _ in refused(forbidden)] == ["FORBIDDEN"]
    assert await server.database.auditLog.count_documents({}) == 0


async def test_a_secret_is_recorded_as_changed_without_its_value(server: RunningServer) -> None:
    body = await server.client("hr_admin").data(SAVE_ENDPOINT, {"input": {
        "url": "https://93.184.215.14/hooks", "description": "HRIS", "eventTypes": ["EMPLOYEE_CREATED"]}})
    endpoint = body["saveWebhookEndpoint"]["endpoint"]["id"]
    (entry,) = await entries(server, objectId=endpoint)
    changes = {c["field"]: c for c in entry["changes"]}
    assert (entry["operation"], entry["action"]) == ("saveWebhookEndpoint", "created")
    assert changes["secret"] == {"field": "secret", "redacted": True, "before": None, "after": None}
    assert changes["url"]["after"] == json.dumps("https://93.184.215.14/hooks")
    stored = await server.database.auditLog.find_one({"objectId": endpoint})
    assert body["saveWebhookEndpoint"]["secret"] not in repr(stored)


async def test_anonymous_feedback_is_recorded_without_its_author_text_or_time_of_day(server: RunningServer) -> None:
    manager = by_id(EMPLOYEE)["managerId"]
    text = "An anonymous remark that must not reach the audit trail"
    sent = await server.client("employee").data(SEND_ANONYMOUS, {"input": {"managerId": manager, "text": text,
                                                                            "tags": ["Candor"]}})
    assert sent["sendAnonymousFeedback"]["errors"] == []
    stored = await server.database.auditLog.find({}).to_list(None)
    assert [(e["objectType"], e["actorId"], e["actorType"]) for e in stored] == [("anonymousFeedback", None, None)]
    assert all(c["redacted"] and c["before"] is None and c["after"] is None for c in stored[0]["changes"])
    assert text not in repr(stored) and EMPLOYEE not in repr(stored)
    assert (stored[0]["at"].hour, stored[0]["at"].minute, stored[0]["at"].second) == (0, 0, 0)


GIVE = """mutation($input: GiveFeedbackInput!) { giveFeedback(input: $input) { feedback { id } errors { code } } }"""
REQUEST = """mutation($input: RequestFeedbackInput!) {
  requestFeedback(input: $input) { request { id } errors { code } } }"""


async def test_feedback_and_requests_are_recorded_without_their_texts(server: RunningServer) -> None:
    # given a private note from the employee to their manager, and a request the employee makes of them
    manager = by_id(EMPLOYEE)["managerId"]
    text, question = "A private note HR may not read", "A question HR may not read"
    given = await server.client("employee").data(GIVE, {"input": {"recipientId": manager, "text": text,
                                                                   "visibility": "PRIVATE"}})
    asked = await server.client("employee").data(REQUEST, {"input": {"respondentIds": [manager], "question": question,
                                                                      "dueDate": "2027-01-31"}})
    assert given["giveFeedback"]["errors"] == [] and asked["requestFeedback"]["errors"] == []
    # when HR reads the trail, then each write is there, every value withheld
    found = {e["objectType"]: e for e in await entries(server)}
    assert {t: found[t]["objectId"] for t in ("feedback", "feedbackRequests")} == {
        "feedback": given["giveFeedback"]["feedback"]["id"],
        "feedbackRequests": asked["requestFeedback"]["request"]["id"]}
    for kind in ("feedback", "feedbackRequests"):
        assert all(c["redacted"] and c["before"] is None and c["after"] is None for c in found[kind]["changes"]), kind
    stored = await server.database.auditLog.find({}).to_list(None)
    assert text not in repr(stored) and question not in repr(stored)


async def test_only_hr_admins_read_it_and_each_organisation_its_own(server: RunningServer) -> None:
    await server.client("hr_admin").data(UPDATE_EMPLOYEE, {"id": EMPLOYEE, "input": {"name": "Renamed Person"}})
    for who in ("employee", "manager"):
        body = await server.client(who).execute(AUDIT)
        assert body["data"] == {"auditLog": None} and body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    globex = await server.client(GLOBEX.personas["hr_admin"], GLOBEX).data(AUDIT)
    assert globex["auditLog"]["totalCount"] == 0
    # and a Globex HR admin filtering on the Northwind employee finds nothing either
    found = await server.client(GLOBEX.personas["hr_admin"], GLOBEX).data(AUDIT, {"filter": {"objectId": EMPLOYEE}})
    assert found["auditLog"]["edges"] == []


async def test_pages_follow_each_other_newest_first(server: RunningServer) -> None:
    hr = server.client("hr_admin")
    for n in range(3):
        await hr.data(UPDATE_EMPLOYEE, {"id": EMPLOYEE, "input": {"name": f"Name {n}"}})
    first = (await hr.data(AUDIT, {"first": 2}))["auditLog"]
    rest = (await hr.data(AUDIT, {"first": 2, "after": first["pageInfo"]["endCursor"]}))["auditLog"]
    names = [json.loads(next(c["after"] for c in e["node"]["changes"] if c["field"] == "name"))
             for e in first["edges"] + rest["edges"]]
    assert (first["totalCount"], first["pageInfo"]["hasNextPage"], names) == (3, True, ["Name 2", "Name 1", "Name 0"])


async def test_nothing_in_the_api_changes_or_deletes_an_entry(server: RunningServer) -> None:
    body = await server.client("hr_admin").data("{ __schema { mutationType { fields { name } } } }")
    names = [f["name"] for f in body["__schema"]["mutationType"]["fields"]]
    assert [n for n in names if "audit" in n.lower()] == []


HISTORY = """
query($first: Int!) { employees(first: $first) { edges { node { id history { operation objectId actorId
  changes { field after } } } } } }
"""
ONE_HISTORY = "query($id: ID!) { employee(id: $id) { id history { operation actorId } } }"


async def test_an_employees_history_for_hr_and_themself_in_one_call_whatever_the_page(server: RunningServer) -> None:
    hr = server.client("hr_admin")
    await hr.data(UPDATE_EMPLOYEE, {"id": EMPLOYEE, "input": {"name": "Renamed Person"}})
    # HR admins read it on a page of employees: one aggregation for the page, whatever its size
    calls = []
    for first in (5, 15):  # (a page of 50 people with their whole histories is above the cost budget)
        server.database.stats.reset()
        page = (await hr.data(HISTORY, {"first": first}))["employees"]["edges"]
        calls.append(server.database.stats.by_collection["auditLog"])
        histories = {e["node"]["id"]: e["node"]["history"] for e in page}
        assert all(h == [] for id, h in histories.items() if id != EMPLOYEE)
    assert calls == [1, 1]
    # the person reads their own; someone else gets null, by design and without an error
    own = await server.client("employee").data(ONE_HISTORY, {"id": EMPLOYEE})
    assert own["employee"]["history"] == [{"operation": "updateEmployee", "actorId": HR}]
    other = await server.client("manager").execute(ONE_HISTORY, {"id": EMPLOYEE})
    assert other["data"]["employee"] == {"id": EMPLOYEE, "history": None}
    assert "errors" not in other


async def test_a_write_on_the_version_held_takes_the_callers_before_and_after_without_reading(
        server: RunningServer) -> None:
    # given a department the caller holds at version 3, and what its conditional write leaves (a name set whole)
    database = server.database
    held = {"_id": "dept-held", "organizationId": NORTHWIND.organization["_id"], "name": "Old", "version": 3}
    await database.departments.insert_one(dict(held))
    # the caller's after differs from what the store will hold (a name the write does not set): an after read
    # back from the store would not have it
    after = {**held, "name": "New, as the caller knows it", "version": 4}
    token = current_scope.set(AuditScope("renameDepartment", lambda: (held["organizationId"], HR)))
    try:
        with read_before(held, after=after):
            # when the write matches the version held, and another one (a stale version) does not
            await database.departments.update_one({"_id": held["_id"], "version": 3},
                                                  {"$set": {"name": "New"}, "$inc": {"version": 1}})
            stale = await database.departments.update_one({"_id": held["_id"], "version": 3},
                                                          {"$set": {"name": "Other"}, "$inc": {"version": 1}})
    finally:
        current_scope.reset(token)
    # then one entry, whose before and after are the caller's documents (nothing read around the write)
    assert stale.matched_count == 0
    found = await database.auditLog.find({"objectId": held["_id"]}).to_list(None)
    assert [{c["field"]: (c["before"], c["after"]) for c in e["changes"]} for e in found] == [
        {"name": ("Old", "New, as the caller knows it"), "version": (3, 4)}]
    assert (await database.departments.find_one({"_id": held["_id"]}))["name"] == "New"
