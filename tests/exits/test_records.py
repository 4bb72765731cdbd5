"""The leaving process end to end: terminating someone (or setting an end date ahead) opens their exit record
with its checklist inside org's transaction; HR classifies and schedules; who sees the record; refusals write
nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from models.core import clock
from models.core.documents import Document
from store.core.seed import demo_documents
from tests.client import refused
from tests.conftest import GLOBEX, NORTHWIND, RunningServer
from tests.exits.support import (
    CLASSIFY,
    EXIT_COLLECTIONS,
    EXIT_RECORD,
    EXIT_RECORDS,
    SCHEDULE,
    SET_END_DATE,
    TERMINATE,
    UNKNOWN_ID,
    active_individual_contributors,
    persona,
    record_of,
    save_reason,
    terminate,
)
from tests.interleave import Crash, failing_at

SEED = demo_documents(NORTHWIND)
REQUEST_FEEDBACK = """
mutation($input: RequestFeedbackInput!) { requestFeedback(input: $input) { request { id } errors { field code } } }"""


def expected_checklist(leaver: Document, extra_requests: list[str]) -> dict[str, set[str]]:
    """kind → ref ids of the leaver's open work, computed from the seed documents."""
    me = leaver["_id"]
    acknowledged = {r["_id"] for r in SEED["reviews"] if r["state"] == "acknowledged"}
    return {
        "goal": {g["_id"] for g in SEED["goals"] if g.get("ownerEmployeeId") == me and not g.get("archived")
                 and g["status"] not in ("done", "cancelled")},
        "check_in_series": {s["_id"] for s in SEED["checkInSeries"] if s["active"]
                            and me in (s["employeeId"], s["managerId"])},
        "review_form_owed": {f["_id"] for f in SEED["reviewForms"] if f["reviewerId"] == me
                             and f["state"] != "submitted" and f["reviewId"] not in acknowledged},
        "review_about": {r["_id"] for r in SEED["reviews"] if r["employeeId"] == me and r["state"] != "acknowledged"},
        "feedback_request": set(extra_requests),
        # mentees as the org chart records them, and the growth domain's mentorships either way
        "mentorship": {e["_id"] for e in NORTHWIND.employees
                       if e.get("mentorId") == me and e["status"] != "terminated"}
        | {m["_id"] for m in SEED.get("mentorships", [])
           if me in (m["mentorId"], m["menteeId"]) and not m.get("endedOn")},
        "succession_slot": {p["positionId"] for p in SEED.get("successionPlans", [])
                            if any(slot.get("employeeId") == me for slot in p["successors"])},
    }


def by_kind(checklist: list[dict[str, Any]]) -> dict[str, set[str]]:
    kinds: dict[str, set[str]] = {k: set() for k in ("goal", "check_in_series", "review_form_owed", "review_about",
                                                      "feedback_request", "mentorship", "succession_slot")}
    for item in checklist:
        kinds[item["kind"]].add(item["refId"])
    return kinds


async def test_terminating_someone_opens_their_exit_record_with_their_open_work(server: RunningServer) -> None:
    # given the manager persona with open work everywhere, and a feedback request they made that is still open
    leaver = persona("manager")
    report = next(e for e in NORTHWIND.employees if e["managerId"] == leaver["_id"] and e["status"] == "active")
    due = (clock.today() + timedelta(days=10)).isoformat()
    asked = await server.client(leaver["_id"]).data(REQUEST_FEEDBACK, {"input": {
        "respondentIds": [report["_id"]], "question": "How did the offsite go for you?", "dueDate": due}})
    request_id = asked["requestFeedback"]["request"]["id"]
    # when HR terminates them
    await terminate(server, leaver["_id"])
    # then one pending exit record exists, last day today, unclassified, with every piece of open work listed
    data = await server.client("hr_admin").data(EXIT_RECORDS)
    assert data["exitRecords"]["totalCount"] == 1
    record = data["exitRecords"]["edges"][0]["node"]
    assert (record["employee"]["id"], record["lastDay"], record["status"], record["kind"], record["regretted"]) == (
        leaver["_id"], clock.today().isoformat(), "PENDING", None, None)
    expected = expected_checklist(leaver, [request_id])
    assert by_kind(record["checklist"]) == expected
    assert sum(len(v) for v in expected.values()) == len(record["checklist"]) >= 10
    # each item suggests the leaver's manager as the new owner and is open
    assert {(i["suggestedOwner"]["id"], i["owner"]["id"], i["done"]) for i in record["checklist"]} == {
        (leaver["managerId"], leaver["managerId"], False)}
    # and the record keeps the cohort the report cuts by
    stored = await record_of(server, leaver["_id"])
    assert stored["cohort"]["departmentId"] == leaver["departmentId"]
    assert stored["cohort"]["managerChain"] == leaver["managerChain"]


async def test_terminating_again_keeps_one_record_and_its_checklist_state(server: RunningServer) -> None:
    # given a leaver whose record has one item done
    leaver = persona("manager")
    await terminate(server, leaver["_id"])
    before = await record_of(server, leaver["_id"])
    item = before["checklist"][0]["id"]
    hr = server.client("hr_admin")
    done = await hr.data("mutation($id: ID!, $i: String!) { completeExitChecklistItem(exitId: $id, itemId: $i) "
                         "{ errors { code } } }", {"id": before["_id"], "i": item})
    assert done["completeExitChecklistItem"]["errors"] == []
    # when HR terminates them again
    await terminate(server, leaver["_id"])
    # then there is still one record, with the same items, the first still done
    org = server.demo.organization["_id"]
    assert await server.database.exitRecords.count_documents({"organizationId": org}) == 1
    after = await record_of(server, leaver["_id"])
    assert [i["id"] for i in after["checklist"]] == [i["id"] for i in before["checklist"]]
    assert [i["done"] for i in after["checklist"]] == [True] + [False] * (len(before["checklist"]) - 1)


async def test_the_exit_record_is_written_in_the_termination_transaction(server: RunningServer) -> None:
    # given a leaver, when writing their exit record fails half-way through the termination
    leaver = active_individual_contributors()[0]
    before = await server.snapshot()
    async with failing_at(server.database, "exitRecords", "insert_one"):
        try:
            await server.client("hr_admin").execute(TERMINATE, {"id": leaver["_id"]})
        except Crash:
            pass
    # then nothing of the termination landed either: the leaver is still active, no record, nothing changed
    assert await server.snapshot() == before


async def test_an_end_date_ahead_opens_a_record_and_withdrawing_it_cancels_it(server: RunningServer) -> None:
    leaver = active_individual_contributors()[1]
    hr = server.client("hr_admin")
    end = (clock.today() + timedelta(days=30)).isoformat()
    # when HR sets an end date a month ahead
    body = await hr.data(SET_END_DATE, {"id": leaver["_id"], "end": end})
    assert body["updateEmployee"] == {"employee": {"id": leaver["_id"], "endDate": end}, "errors": []}
    # then a pending record with that last day exists while the person is still active
    record = await record_of(server, leaver["_id"])
    assert (record["status"], record["lastDay"]) == ("pending", end)
    assert (await server.stored_employees())[leaver["_id"]]["status"] == "active"
    # when the end date is withdrawn, then the record is cancelled
    await hr.data(SET_END_DATE, {"id": leaver["_id"], "end": None})
    assert (await record_of(server, leaver["_id"]))["status"] == "cancelled"
    # and setting one again re-opens the same record
    await hr.data(SET_END_DATE, {"id": leaver["_id"], "end": end})
    again = await record_of(server, leaver["_id"])
    assert (again["_id"], again["status"]) == (record["_id"], "pending")


async def test_an_end_date_that_is_not_ahead_is_refused_and_nothing_is_written(server: RunningServer) -> None:
    leaver = active_individual_contributors()[1]
    before = await server.snapshot()
    body = await server.client("hr_admin").execute(SET_END_DATE, {"id": leaver["_id"],
                                                                  "end": clock.today().isoformat()})
    assert refused(body) == [("endDate", "INVALID", "endDate must lie in the future (terminate someone leaving "
                                                     "today)")]
    assert await server.snapshot() == before


async def test_hr_classifies_an_exit_with_reasons_of_the_taxonomy(server: RunningServer) -> None:
    leaver = active_individual_contributors()[2]
    await terminate(server, leaver["_id"])
    record = await record_of(server, leaver["_id"])
    pay, growth = await save_reason(server, "pay", "COMPENSATION"), await save_reason(server, "growth", "GROWTH")
    body = await server.client("hr_admin").data(CLASSIFY, {"id": record["_id"], "input": {
        "kind": "VOLUNTARY", "regretted": True, "primaryReasonId": pay, "secondaryReasonId": growth,
        "rehireEligible": True, "notes": "Left for a competitor's offer."}})
    result = body["classifyExit"]
    assert result["errors"] == []
    got = result["exitRecord"]
    assert (got["kind"], got["regretted"], got["rehireEligible"], got["notes"]) == (
        "VOLUNTARY", True, True, "Left for a competitor's offer.")
    assert (got["primaryReason"], got["secondaryReason"], got["tertiaryReason"]) == (
        {"id": pay, "code": "pay"}, {"id": growth}, None)


async def test_a_reason_of_another_organisation_is_refused_and_nothing_is_written(server: RunningServer) -> None:
    leaver = active_individual_contributors()[2]
    await terminate(server, leaver["_id"])
    record = await record_of(server, leaver["_id"])
    globex_hr = server.client("hr_admin", GLOBEX)
    theirs = await globex_hr.data(
        "mutation { saveExitReason(input: {code: \"pay\", label: \"Pay\", category: COMPENSATION}) "
        "{ reason { id } errors { code } } }")
    foreign = theirs["saveExitReason"]["reason"]["id"]
    mine = await save_reason(server, "pay", "COMPENSATION")
    before = await server.snapshot(EXIT_COLLECTIONS)
    body = await server.client("hr_admin").execute(CLASSIFY, {"id": record["_id"], "input": {
        "kind": "VOLUNTARY", "primaryReasonId": foreign}})
    assert refused(body) == [("primaryReasonId", "NOT_FOUND", f"no exit reason {foreign!r} in your organisation")]
    body = await server.client("hr_admin").execute(CLASSIFY, {"id": record["_id"], "input": {
        "secondaryReasonId": mine}})
    assert refused(body) == [("primaryReasonId", "REQUIRED", "a secondary reason needs a primary one")]
    assert await server.snapshot(EXIT_COLLECTIONS) == before


async def test_only_hr_and_the_assigned_interviewer_see_an_exit_record(server: RunningServer) -> None:
    leaver = active_individual_contributors()[3]
    await terminate(server, leaver["_id"])
    record = await record_of(server, leaver["_id"])
    interviewer = persona("manager")
    colleague = persona("employee")
    # before scheduling: the future interviewer, the leaver's former manager and a colleague are refused
    for who in (interviewer["_id"], leaver["managerId"], colleague["_id"]):
        body = await server.client(who).execute(EXIT_RECORD, {"id": record["_id"]})
        assert body["data"]["exitRecord"] is None
        assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]
        listed = await server.client(who).data(EXIT_RECORDS)
        assert listed["exitRecords"]["totalCount"] == 0
    # another organisation's HR admin: an unknown id
    other = await server.client("hr_admin", GLOBEX).data(EXIT_RECORD, {"id": record["_id"]})
    assert other == {"exitRecord": None}
    # when HR schedules the interview with the interviewer
    on = (clock.today() + timedelta(days=3)).isoformat()
    body = await server.client("hr_admin").data(SCHEDULE, {"id": record["_id"], "who": interviewer["_id"], "on": on})
    assert body["scheduleExitInterview"] == {"exitRecord": {"id": record["_id"], "status": "SCHEDULED",
                                                            "interviewOn": on,
                                                            "interviewer": {"id": interviewer["_id"]}},
                                             "errors": []}
    # then the interviewer sees it (and lists it), the others still do not
    seen = await server.client(interviewer["_id"]).data(EXIT_RECORD, {"id": record["_id"]})
    assert seen["exitRecord"]["id"] == record["_id"]
    listed = await server.client(interviewer["_id"]).data(EXIT_RECORDS)
    assert [e["node"]["id"] for e in listed["exitRecords"]["edges"]] == [record["_id"]]
    body = await server.client(colleague["_id"]).execute(EXIT_RECORD, {"id": record["_id"]})
    assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]


async def test_hr_only_mutations_refuse_everyone_else_and_write_nothing(server: RunningServer) -> None:
    leaver = active_individual_contributors()[3]
    await terminate(server, leaver["_id"])
    record = await record_of(server, leaver["_id"])
    before = await server.snapshot(EXIT_COLLECTIONS)
    manager = server.client("manager")
    body = await manager.execute(CLASSIFY, {"id": record["_id"], "input": {"regretted": True}})
    assert refused(body) == [(None, "FORBIDDEN", "only HR admins manage exits")]
    body = await manager.execute(SCHEDULE, {"id": record["_id"], "who": persona("manager")["_id"],
                                            "on": clock.today().isoformat()})
    assert refused(body) == [(None, "FORBIDDEN", "only HR admins manage exits")]
    body = await manager.execute("mutation { saveExitReason(input: {code: \"x\", label: \"X\", category: OTHER}) "
                                 "{ reason { id } errors { field code message } } }")
    assert refused(body) == [(None, "FORBIDDEN", "only HR admins manage exits")]
    # and bad input from HR: an unknown record, the leaver as their own interviewer
    hr = server.client("hr_admin")
    body = await hr.execute(SCHEDULE, {"id": UNKNOWN_ID, "who": persona("manager")["_id"],
                                       "on": clock.today().isoformat()})
    assert refused(body) == [("exitId", "NOT_FOUND", f"no exit record {UNKNOWN_ID!r} in your organisation")]
    body = await hr.execute(SCHEDULE, {"id": record["_id"], "who": leaver["_id"], "on": clock.today().isoformat()})
    assert refused(body) == [("interviewerId", "INACTIVE", f"{leaver['name']} has left the organisation")]
    assert await server.snapshot(EXIT_COLLECTIONS) == before


DUE = "query($days: Int!) { dueExitInterviews(withinDays: $days) { id interviewOn lastDay } }"


async def test_due_exit_interviews_remind_hr_and_each_interviewer_of_theirs(server: RunningServer) -> None:
    # given three leavers: one interviewed in 2 days by the manager persona, one in 20 days, one unscheduled
    soon, later, unscheduled = active_individual_contributors()[5:8]
    for leaver in (soon, later, unscheduled):
        await terminate(server, leaver["_id"])
    records = {leaver["_id"]: await record_of(server, leaver["_id"]) for leaver in (soon, later, unscheduled)}
    interviewer = persona("manager")["_id"]
    hr = server.client("hr_admin")
    for leaver, days in ((soon, 2), (later, 20)):
        on = (clock.today() + timedelta(days=days)).isoformat()
        await hr.data(SCHEDULE, {"id": records[leaver["_id"]]["_id"], "who": interviewer, "on": on})
    # when HR asks for what is due within a week: the unscheduled one (last day today) and the one in 2 days
    due = await hr.data(DUE, {"days": 7})
    assert [d["id"] for d in due["dueExitInterviews"]] == [records[unscheduled["_id"]]["_id"],
                                                           records[soon["_id"]]["_id"]]
    # the interviewer sees only theirs, a colleague nothing; within 30 days the interviewer sees both of theirs
    mine = await server.client(interviewer).data(DUE, {"days": 7})
    assert [d["id"] for d in mine["dueExitInterviews"]] == [records[soon["_id"]]["_id"]]
    assert (await server.client("employee").data(DUE, {"days": 7}))["dueExitInterviews"] == []
    month = await server.client(interviewer).data(DUE, {"days": 30})
    assert [d["id"] for d in month["dueExitInterviews"]] == [records[soon["_id"]]["_id"],
                                                             records[later["_id"]]["_id"]]
