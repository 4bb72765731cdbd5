"""Reminders: HR's settings, one notification per item, recipient and interval, also with two schedulers
at once; quiet weekends; your notifications read, marked read and pushed live."""

from __future__ import annotations

import asyncio
import functools
from datetime import date, timedelta
from typing import Any

from models.core import clock
from models.demo.feedback import demo_feedback
from models.demo.goals import demo_goal_documents
from resolvers.notifications.reminders import ReminderScheduler
from tests.client import refused, websocket
from tests.conftest import RunningServer
from tests.interleave import hold
from tests.notifications.support import MARK_READ, NOTIFICATIONS
from tests.reviews.support import RUNNING, SEED
from tests.stores import NORTHWIND

SAVE = """
mutation Save($input: ReminderSettingsInput!) {
  saveReminderSettings(input: $input) {
    settings { enabled daysBefore repeatEveryDays quietOnWeekends staleGoalWeeks } errors { field code message }
  }
}
"""
TUESDAY = date(2026, 12, 1)
SATURDAY = date(2026, 12, 5)
PHASES = {"self": "self_review", "peer": "peer_review", "upward": "peer_review", "manager": "manager_review"}
ONLY = [NORTHWIND.organization["_id"]]  # Globex's reminders are not these tests' business


@functools.cache
def seeded_requests() -> list[dict[str, Any]]:
    """Northwind's seeded feedback requests (built once: building them takes a tenth of a second, and the
    two-week test asks for them hundreds of times)."""
    return demo_feedback(NORTHWIND)["feedbackRequests"]


def waiting(today: date, days_before: int = 1) -> set[tuple[str, str]]:
    """(request, respondent) of Northwind's seeded named requests due by then and not answered by them."""
    return {(r["_id"], p) for r in seeded_requests()
            if not r.get("anonymous") and date.fromisoformat(r["dueDate"]) <= today + timedelta(days=days_before)
            for p in r["respondentIds"] if p not in (r.get("answers") or {})}


async def only_feedback_requests(server: RunningServer, **more: object) -> None:
    body = await server.client("hr_admin").data(SAVE, {"input": {
        "enabled": ["FEEDBACK_REQUEST_UNANSWERED"], "quietOnWeekends": True, "repeatEveryDays": 7, **more}})
    assert body["saveReminderSettings"]["errors"] == []


async def reminded(server: RunningServer) -> list[tuple[str, str]]:
    found = await server.database.notifications.find({"organizationId": NORTHWIND.organization["_id"]}).to_list(None)
    return sorted((n["subjectId"], n["recipientId"]) for n in found)


async def test_one_reminder_per_item_recipient_and_interval(server: RunningServer) -> None:
    # given reminders of unanswered feedback requests, again every 7 days, weekends included
    await only_feedback_requests(server, quietOnWeekends=False)
    expected = waiting(TUESDAY)
    assert len(expected) >= 3
    scheduler = ReminderScheduler(server.database)
    # when the scheduler runs, then runs again the same day
    assert await scheduler.run_once(TUESDAY, ONLY) == len(expected)
    assert await scheduler.run_once(TUESDAY, ONLY) == 0
    # then each waiting respondent has one reminder of each request
    assert await reminded(server) == sorted(expected)
    # and over the next two weeks, run daily, each overdue request is reminded once in each window of 7 days
    # after its due date (days 1-7, 8-14, …), never twice in one
    days = [TUESDAY + timedelta(days=n) for n in range(15)]
    for day in days[1:]:
        await scheduler.run_once(day, ONLY)
    due = {r["_id"]: date.fromisoformat(r["dueDate"]) for r in seeded_requests()}
    stored = await server.database.notifications.find({"organizationId": ONLY[0]}).to_list(None)
    for request, person in waiting(days[-1]):
        times = sorted(n["createdAt"] for n in stored if (n["subjectId"], n["recipientId"]) == (request, person))
        windows = {((d - due[request]).days - 1) // 7 for d in days if d > due[request] and (request, person) in
                   waiting(d)}
        before = 1 if any(d <= due[request] and (request, person) in waiting(d) for d in days) else 0
        assert len(times) == len(windows) + before, (request, person)


async def test_two_schedulers_at_once_create_each_reminder_once(server: RunningServer) -> None:
    await only_feedback_requests(server)
    expected = waiting(TUESDAY)
    first, second = ReminderScheduler(server.database), ReminderScheduler(server.database)
    # given the first scheduler is held inside its first reminder's transaction, before it claims the key
    async with hold(server.database, "reminders", "insert_many") as held:
        running = asyncio.create_task(first.run_once(TUESDAY, ONLY))
        await held.reached.wait()
        # when the second runs meanwhile
        made = await second.run_once(TUESDAY, ONLY)
    # then between them each reminder was created once
    assert made + await running == len(expected)
    assert made == len(expected)
    assert await reminded(server) == sorted(expected)


async def made_then_removed(server: RunningServer) -> tuple[set[tuple[str, str]], list[dict[str, Any]]]:
    """The reminders one run creates (what they are about, and their claims), removed again to be created anew."""
    await only_feedback_requests(server)
    expected = waiting(TUESDAY)
    assert await ReminderScheduler(server.database).run_once(TUESDAY, ONLY) == len(expected) >= 4
    claims = await server.database.reminders.find({"organizationId": ONLY[0]}).to_list(None)
    await server.database.reminders.delete_many({"organizationId": ONLY[0]})
    await server.database.notifications.delete_many({"organizationId": ONLY[0]})
    return expected, claims


async def test_a_key_claimed_elsewhere_mid_batch_leaves_the_rest_of_the_batch_created(server: RunningServer) -> None:
    # given the reminders one run creates (then removed again, to be created anew)
    expected, claims = await made_then_removed(server)
    # when a scheduler is held before claiming its batch, and another claims one of those reminders meanwhile
    taken = claims[1]
    server.database.stats.reset()
    async with hold(server.database, "reminders", "insert_many") as held:
        running = asyncio.create_task(ReminderScheduler(server.database).run_once(TUESDAY, ONLY))
        await held.reached.wait()
        await server.database.reminders.insert_one(taken)
    # then the held scheduler creates every other reminder of its batch, and that one not again
    assert await running == len(expected) - 1
    assert await reminded(server) == sorted(expected - {(taken["subjectId"], taken["recipientId"])})
    # (in one batch more: which keys are claimed, then the rest at once; and the claim made here)
    assert server.database.stats.by_collection["reminders"] == 5
    assert await server.database.reminders.count_documents({"organizationId": ONLY[0]}) == len(expected)


async def test_keys_claimed_elsewhere_twice_mid_batch_leave_the_rest_created_once(server: RunningServer) -> None:
    # given the reminders one run creates (then removed again, to be created anew)
    expected, claims = await made_then_removed(server)
    # when another scheduler claims one reminder while the batch is held, and one more while the batch's rest is
    async with hold(server.database, "reminders", "insert_many") as batch:
        running = asyncio.create_task(ReminderScheduler(server.database).run_once(TUESDAY, ONLY))
        await batch.reached.wait()
        await server.database.reminders.insert_one(claims[1])
        async with hold(server.database, "reminders", "insert_many") as rest:
            batch.released.set()
            await rest.reached.wait()
            await server.database.reminders.insert_one(claims[2])
    # then every other reminder is created once, and those two not again
    assert await running == len(expected) - 2
    taken = {(c["subjectId"], c["recipientId"]) for c in claims[1:3]}
    assert await reminded(server) == sorted(expected - taken)
    assert await server.database.reminders.count_documents({"organizationId": ONLY[0]}) == len(expected)


async def test_nothing_on_a_quiet_weekend(server: RunningServer) -> None:
    await only_feedback_requests(server)
    assert await ReminderScheduler(server.database).run_once(SATURDAY, ONLY) == 0
    await only_feedback_requests(server, quietOnWeekends=False)
    assert await ReminderScheduler(server.database).run_once(SATURDAY, ONLY) == len(waiting(SATURDAY))


async def test_check_ins_to_prepare_remind_both_participants(server: RunningServer) -> None:
    await server.client("hr_admin").data(SAVE, {"input": {"enabled": ["CHECK_IN_DUE"], "quietOnWeekends": False,
                                                          "daysBefore": 2}})
    today = TUESDAY
    await ReminderScheduler(server.database).run_once(today, ONLY)
    check_ins = await server.database.checkIns.find({
        "organizationId": NORTHWIND.organization["_id"], "status": "scheduled",
        "scheduledOn": {"$lte": (today + timedelta(days=2)).isoformat()}}).to_list(None)
    expected = sorted((c["_id"], p) for c in check_ins for p in (c["employeeId"], c["managerId"]))
    assert expected and await reminded(server) == expected


async def test_your_notifications_read_marked_read_and_pushed_live(server: RunningServer) -> None:
    await only_feedback_requests(server)
    (request, person) = sorted(waiting(TUESDAY))[0]
    mine = sorted(r for r, p in waiting(TUESDAY) if p == person)
    client = server.client(person)
    async with websocket(server.ws_url, server.token(person)) as socket:
        await socket.subscribe("subscription { notificationReceived { kind subjectId read } }")
        await server.wait_subscribers(1)
        # when the scheduler (with the server's bus) creates their reminders
        await ReminderScheduler(server.database, server.bus).run_once(TUESDAY, ONLY)
        # then each arrives live
        pushed = [(await socket.next_payload())["data"]["notificationReceived"] for _ in mine]
        assert sorted(p["subjectId"] for p in pushed) == mine
        assert {(p["kind"], p["read"]) for p in pushed} == {("feedback_request_unanswered", False)}
    page = (await client.data(NOTIFICATIONS, {"unread": True}))["notifications"]
    assert sorted(e["node"]["subjectId"] for e in page["edges"]) == mine
    # when they mark one read, then it is read and the rest unread; someone else's ids change nothing
    first_id = page["edges"][0]["node"]["id"]
    other = (await server.client("hr_admin").data(MARK_READ, {"ids": [first_id]}))["markNotificationsRead"]
    assert other == {"count": 0, "errors": []}
    marked = (await client.data(MARK_READ, {"ids": [first_id]}))["markNotificationsRead"]
    assert marked == {"count": 1, "errors": []}
    unread = (await client.data(NOTIFICATIONS, {"unread": True}))["notifications"]
    assert unread["totalCount"] == len(mine) - 1
    read = (await client.data(NOTIFICATIONS, {"unread": False}))["notifications"]
    assert [e["node"]["id"] for e in read["edges"]] == [first_id]
    assert (await client.data(MARK_READ))["markNotificationsRead"]["count"] == len(mine) - 1
    del request


async def test_only_hr_admins_configure_reminders_and_bad_settings_write_nothing(server: RunningServer) -> None:
    before = await server.snapshot(("reminderSettings",))
    body = await server.client("manager").execute(SAVE, {"input": {"daysBefore": 3}})
    assert [c for _, c, _ in refused(body)] == ["FORBIDDEN"]
    body = await server.client("hr_admin").execute(SAVE, {"input": {"daysBefore": 91, "repeatEveryDays": 0}})
    assert [(f, c) for f, c, _ in refused(body)] == [("daysBefore", "INVALID"), ("repeatEveryDays", "INVALID")]
    assert await server.snapshot(("reminderSettings",)) == before
    saved = (await server.client("hr_admin").data(SAVE, {"input": {"daysBefore": 3}}))["saveReminderSettings"]
    assert saved["settings"] == {"enabled": ["CHECK_IN_DUE", "COMPENSATION_APPROVAL_WAITING", "EXIT_CHECKLIST_ITEM",
                                             "EXIT_INTERVIEW_DUE", "FEEDBACK_REQUEST_UNANSWERED", "GOAL_STALE",
                                             "PROMOTION_APPROVAL_WAITING", "REVIEW_FORM_DUE"],
                                 "daysBefore": 3, "repeatEveryDays": 3, "quietOnWeekends": True, "staleGoalWeeks": 4}


async def test_review_forms_due_remind_their_reviewers(server: RunningServer) -> None:
    await server.client("hr_admin").data(SAVE, {"input": {"enabled": ["REVIEW_FORM_DUE"], "quietOnWeekends": False}})
    assert await ReminderScheduler(server.database).run_once(TUESDAY, ONLY) > 0
    # every open form of the running cycle is past its phase's deadline by then
    deadlines = {p["phase"]: p["deadline"] for p in RUNNING["phases"]}
    expected = sorted((f["_id"], f["reviewerId"]) for f in SEED["reviewForms"]
                      if f["cycleId"] == RUNNING["_id"] and f["state"] in ("not_started", "in_progress")
                      and deadlines[PHASES[f["kind"]]] <= TUESDAY.isoformat())
    assert await reminded(server) == expected


async def test_goals_without_an_update_for_weeks_remind_their_owner(server: RunningServer) -> None:
    await server.client("hr_admin").data(SAVE, {"input": {"enabled": ["GOAL_STALE"], "quietOnWeekends": False,
                                                          "staleGoalWeeks": 4}})
    cutoff = clock.now() - timedelta(weeks=4)
    await ReminderScheduler(server.database).run_once(clock.today(), ONLY)
    expected = sorted((g["_id"], g["ownerEmployeeId"]) for g in demo_goal_documents(NORTHWIND)["goals"]
                      if not g.get("archived") and g.get("ownerEmployeeId") and g["updatedAt"] < cutoff
                      and g["status"] not in ("done", "cancelled"))
    assert expected and await reminded(server) == expected
