"""Reminders of the later domains: exit interviews due and exit checklist items (the interviewer, else HR
admins), promotion decisions waiting (the step's approver, else HR admins) and merit approvals waiting (the
manager it is pending with, else compensation admins); one per item, recipient and interval, also with two
schedulers at once."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

from models.core import clock
from resolvers.notifications.reminders import ReminderScheduler
from tests.compensation.support import PEOPLE, PROPOSE, SUBMIT, comp_admin, launched_cycle
from tests.conftest import RunningServer
from tests.exits.support import COMPLETE_ITEM, SCHEDULE, SET_END_DATE, active_individual_contributors, record_of
from tests.interleave import hold
from tests.stores import NORTHWIND

SAVE = """
mutation Save($input: ReminderSettingsInput!) {
  saveReminderSettings(input: $input) { settings { enabled } errors { field code message } }
}
"""
PROPOSE_PROMOTION = """
mutation($e: ID!, $p: ID!, $on: Date!) {
  proposePromotion(employeeId: $e, positionId: $p, effectiveOn: $on, justification: "Ready", evidence: []) {
    proposal { id } errors { field code message } } }"""
DECIDE_PROMOTION = """
mutation($id: ID!) { decidePromotion(proposalId: $id, decision: APPROVE) { proposal { id status } errors { code } } }"""
ORG = NORTHWIND.organization["_id"]
ONLY = [ORG]
HR_ADMINS = sorted(e["_id"] for e in NORTHWIND.employees if "hr_admin" in e["roles"] and e["status"] != "terminated")
MANAGER = NORTHWIND.personas["manager"]
EMPLOYEE = NORTHWIND.personas["employee"]
TEAM_LEAD = PEOPLE[EMPLOYEE]["managerId"]


async def only(server: RunningServer, *kinds: str, **more: object) -> None:
    body = await server.client("hr_admin").data(SAVE, {"input": {"enabled": list(kinds), "quietOnWeekends": False,
                                                                  "repeatEveryDays": 3, **more}})
    assert body["saveReminderSettings"]["errors"] == []


async def reminded(server: RunningServer, kind: str) -> list[tuple[str, str]]:
    found = await server.database.notifications.find({"organizationId": ORG, "kind": kind}).to_list(None)
    return sorted((n["subjectId"], n["recipientId"]) for n in found)


async def leaver_in(server: RunningServer, days: int) -> tuple[str, dict]:
    """An individual contributor whose end date is set ``days`` ahead: their pending exit record."""
    leaver = active_individual_contributors()[0]["_id"]
    end = (clock.today() + timedelta(days=days)).isoformat()
    body = await server.client("hr_admin").data(SET_END_DATE, {"id": leaver, "end": end})
    assert body["updateEmployee"]["errors"] == []
    return leaver, await record_of(server, leaver)


async def test_an_exit_interview_due_reminds_hr_admins_then_its_interviewer(server: RunningServer) -> None:
    # given exit interview reminders from 2 days before, and a leaver whose last day is in 2 days
    await only(server, "EXIT_INTERVIEW_DUE", daysBefore=2)
    _, record = await leaver_in(server, 2)
    today = clock.today()
    scheduler = ReminderScheduler(server.database)
    # when the scheduler runs (nobody interviews yet), then runs again the same day
    assert await scheduler.run_once(today, ONLY) == len(HR_ADMINS)
    assert await scheduler.run_once(today, ONLY) == 0
    # then every HR admin was reminded once
    assert await reminded(server, "exit_interview_due") == [(record["_id"], hr) for hr in HR_ADMINS]
    # when HR schedules the interview with the manager tomorrow and the scheduler runs again
    interviewer = MANAGER
    body = await server.client("hr_admin").data(SCHEDULE, {"id": record["_id"], "who": interviewer,
                                                            "on": (today + timedelta(days=1)).isoformat()})
    assert body["scheduleExitInterview"]["errors"] == []
    assert await scheduler.run_once(today, ONLY) == 1
    # then the interviewer alone has been reminded in addition
    assert await reminded(server, "exit_interview_due") == sorted(
        [(record["_id"], hr) for hr in HR_ADMINS] + [(record["_id"], interviewer)])


async def test_open_exit_checklist_items_are_reminded_until_done(server: RunningServer) -> None:
    # given checklist reminders from 1 day before the last day, repeated every 3 days, and a leaver leaving tomorrow
    # with an interviewer
    await only(server, "EXIT_CHECKLIST_ITEM", daysBefore=1)
    _, record = await leaver_in(server, 1)
    items = [item["id"] for item in record["checklist"]]
    assert len(items) >= 2
    today = clock.today()
    body = await server.client("hr_admin").data(SCHEDULE, {"id": record["_id"], "who": MANAGER,
                                                            "on": today.isoformat()})
    assert body["scheduleExitInterview"]["errors"] == []
    scheduler = ReminderScheduler(server.database)
    # when the scheduler runs today
    assert await scheduler.run_once(today, ONLY) == len(items)
    # then the interviewer has one reminder of each open item, and HR admins none
    assert await reminded(server, "exit_checklist_item") == sorted((f"{record['_id']}:{i}", MANAGER) for i in items)
    # when the first item is done and the scheduler runs on the day after the last day (overdue)
    done = await server.client("hr_admin").data(COMPLETE_ITEM, {"id": record["_id"], "item": items[0]})
    assert done["completeExitChecklistItem"]["errors"] == []
    assert await scheduler.run_once(today + timedelta(days=2), ONLY) == len(items) - 1
    # then only the open items were reminded again; a run later in the same 3-day window reminds nothing
    assert await scheduler.run_once(today + timedelta(days=4), ONLY) == 0
    stored = await reminded(server, "exit_checklist_item")
    assert stored.count((f"{record['_id']}:{items[0]}", MANAGER)) == 1
    assert all(stored.count((f"{record['_id']}:{i}", MANAGER)) == 2 for i in items[1:])


async def test_a_promotion_waiting_reminds_the_approver_of_its_current_step(server: RunningServer) -> None:
    # given promotion reminders and the team lead's proposal for the employee persona (chain: manager, VP, HR)
    await only(server, "PROMOTION_APPROVAL_WAITING")
    chain = PEOPLE[EMPLOYEE]["managerChain"]
    lead, manager, vp = chain[-1], chain[-2], chain[-3]
    senior = next(p["_id"] for p in NORTHWIND.positions if p["title"] == "Senior Software Engineer")
    body = await server.client(lead).data(PROPOSE_PROMOTION, {"e": EMPLOYEE, "p": senior,
                                                              "on": clock.today().isoformat()})
    assert body["proposePromotion"]["errors"] == []
    proposal = body["proposePromotion"]["proposal"]["id"]
    seeded = await server.database.promotionProposals.find({"organizationId": ORG, "status": "pending",
                                                            "_id": {"$ne": proposal}}).to_list(None)
    others = sorted((p["_id"], next(s["approverId"] for s in p["steps"] if s["decision"] is None)) for p in seeded)
    others = sorted(x for p, a in others for x in ([(p, a)] if a != "hr_admin" else [(p, h) for h in HR_ADMINS]))
    today = clock.today()
    scheduler = ReminderScheduler(server.database)
    # when the scheduler runs
    await scheduler.run_once(today, ONLY)
    # then the manager (the first approver) is reminded of it, beside the seeded pending proposals' approvers
    assert await reminded(server, "promotion_approval_waiting") == sorted([(proposal, manager), *others])
    # when the manager and then the VP approve and the scheduler runs after each
    for approver in (manager, vp):
        decided = await server.client(approver).data(DECIDE_PROMOTION, {"id": proposal})
        assert decided["decidePromotion"]["errors"] == []
        await scheduler.run_once(today, ONLY)
    # then the VP, and at the HR step every HR admin, were reminded once each
    mine = [(s, r) for s, r in await reminded(server, "promotion_approval_waiting") if s == proposal]
    assert mine == sorted([(proposal, manager), (proposal, vp)] + [(proposal, hr) for hr in HR_ADMINS])


async def test_a_merit_approval_waiting_reminds_the_manager_it_is_pending_with(server: RunningServer) -> None:
    # given merit reminders and the manager's submitted proposal for the team lead
    await only(server, "COMPENSATION_APPROVAL_WAITING")
    admin = await comp_admin(server)
    cycle_id, _ = await launched_cycle(admin)
    manager = server.client("manager")
    proposed = await manager.data(PROPOSE, {"cycle": cycle_id, "employee": TEAM_LEAD, "percent": "3"})
    assert proposed["proposeIncrease"]["errors"] == []
    assert (await manager.data(SUBMIT, {"cycle": cycle_id}))["submitProposals"]["errors"] == []
    participant = proposed["proposeIncrease"]["participant"]["id"]
    waits_for = PEOPLE[MANAGER]["managerChain"][-1]
    # when the scheduler runs twice
    scheduler = ReminderScheduler(server.database)
    assert await scheduler.run_once(clock.today(), ONLY) == 1
    assert await scheduler.run_once(clock.today(), ONLY) == 0
    # then the manager's manager, whom it waits for, was reminded once, without any amount in the text
    stored = await server.database.notifications.find({"organizationId": ORG,
                                                       "kind": "compensation_approval_waiting"}).to_list(None)
    assert [(n["subjectId"], n["recipientId"], n["text"]) for n in stored] == [
        (participant, waits_for, "A merit increase proposal waits for your approval")]


async def test_two_schedulers_at_once_create_each_later_domain_reminder_once(server: RunningServer) -> None:
    # given exit interview and checklist reminders and a leaver leaving tomorrow
    await only(server, "EXIT_INTERVIEW_DUE", "EXIT_CHECKLIST_ITEM", daysBefore=1)
    _, record = await leaver_in(server, 1)
    expected = sorted([(record["_id"], hr) for hr in HR_ADMINS]
                      + [(f"{record['_id']}:{i['id']}", hr) for i in record["checklist"] for hr in HR_ADMINS])
    first, second = ReminderScheduler(server.database), ReminderScheduler(server.database)
    today: date = clock.today()
    # when the first scheduler is held inside its first reminder's transaction and the second runs meanwhile
    async with hold(server.database, "reminders", "insert_many") as held:
        running = asyncio.create_task(first.run_once(today, ONLY))
        await held.reached.wait()
        made = await second.run_once(today, ONLY)
    # then between them each reminder was created once
    assert made + await running == len(expected)
    found = await server.database.notifications.find({"organizationId": ORG}).to_list(None)
    assert sorted((n["subjectId"], n["recipientId"]) for n in found) == expected
