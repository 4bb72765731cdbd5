"""The reminder scheduler and HR's reminder settings.

Each run reads, for every organisation, what is due through each domain's accessor (check-ins still to be
held, feedback requests waiting for answers, review forms due, goals without an update, exit interviews and
exit checklist items, promotion decisions and merit approvals waiting), and creates one notification per
item, recipient and interval. The interval's key is unique per organisation (the ``reminders`` collection):
it is inserted in the notification's own transaction, so two schedulers (two server processes) racing for
one reminder create it once.
"""

from __future__ import annotations

import logging
import time
from datetime import date, datetime, timedelta
from typing import Any

from models.core import clock
from models.core.documents import Document, new_id
from models.core.viewer import Viewer
from models.notifications.reminders import (
    DueItem,
    ReminderKind,
    check_settings,
    interval,
    reminder_key,
    settings_with_defaults,
    stale_goal_weeks_of,
)
from realtime import Bus
from resolvers.checkins import access as checkins_access
from resolvers.compensation import access as compensation_access
from resolvers.core.context import Context, require_role
from resolvers.core.outcome import Outcome
from resolvers.exits import access as exits_access
from resolvers.feedback import access as feedback_access
from resolvers.goals import access as goals_access
from resolvers.growth import access as growth_access
from resolvers.notifications import notices
from resolvers.reviews import access as reviews_access
from store.core.database import Database
from store.core.repository import Duplicate, TenantStore
from store.notifications import reminders as reminder_store
from store.notifications.webhooks import role_holder_ids

log = logging.getLogger("perfgraph.reminders")
PER_RUN_MAX = 1000  # reminders one run tries per organisation (the rest on the next run; those another scheduler
# claims meanwhile count too)
BATCH = 100  # reminders created in one transaction (a run of 1,000 took 1,000 transactions, one each)


def can_configure_reminders(viewer: Viewer) -> bool:
    return viewer.is_hr_admin


async def settings_of(store: TenantStore) -> dict[str, Any]:
    found = await store.reminderSettings.find(limit=1)
    return settings_with_defaults(found[0] if found else None)


async def reminder_settings(context: Context) -> dict[str, Any]:
    signed_in = await require_role(context, can_configure_reminders, "only HR admins configure reminders")
    return await settings_of(signed_in.store)


async def save_settings(context: Context, data: dict[str, Any]) -> Outcome:
    """HR admins: which reminders, how many days before, how often again, quiet on weekends."""
    signed_in = await require_role(context, can_configure_reminders, "only HR admins configure reminders")
    errors = check_settings(data)
    if errors:
        return Outcome(errors=errors)
    changes: dict[str, Any] = {"updatedAt": clock.now(), "updatedById": signed_in.viewer.employee_id}
    for key, field in (("enabled", "enabled"), ("days_before", "daysBefore"), ("repeat_every_days", "repeatEveryDays"),
                       ("quiet_on_weekends", "quietOnWeekends"), ("stale_goal_weeks", "staleGoalWeeks")):
        if key in data:
            value = data[key]
            changes[field] = sorted({ReminderKind(k).value for k in value or []}) if key == "enabled" else value
    store = signed_in.store
    await store.reminderSettings.collection.update_one(
        store.reminderSettings.scope(), {"$set": changes, "$setOnInsert": {"_id": new_id()}}, upsert=True)
    return Outcome(await settings_of(store))


def _day(text: str) -> date:
    return date.fromisoformat(text)


async def due_items(store: TenantStore, today: date, settings: dict[str, Any]) -> list[DueItem]:
    """Everything in the organisation a reminder may be due for today, read through each domain's accessor."""
    until = today + timedelta(days=int(settings["daysBefore"]))
    items: list[DueItem] = []
    enabled = set(settings["enabled"])
    if ReminderKind.CHECK_IN_DUE.value in enabled:
        for doc, people in await checkins_access.open_until(store, until):
            items += [DueItem(ReminderKind.CHECK_IN_DUE, "checkIn", doc["_id"], person, _day(doc["scheduledOn"]),
                              f"Your check-in of {doc['scheduledOn']} is to prepare") for person in people]
    if ReminderKind.FEEDBACK_REQUEST_UNANSWERED.value in enabled:
        for doc, people in await feedback_access.unanswered_until(store, until):
            items += [DueItem(ReminderKind.FEEDBACK_REQUEST_UNANSWERED, "feedbackRequest", doc["_id"], person,
                              _day(doc["dueDate"]), f"A feedback request due {doc['dueDate']} waits for your answer")
                      for person in people]
    if ReminderKind.REVIEW_FORM_DUE.value in enabled:
        for form, due in await reviews_access.open_forms_due(store, until):
            items.append(DueItem(ReminderKind.REVIEW_FORM_DUE, "reviewForm", form["_id"], form["reviewerId"], due,
                                 f"Your {form['kind']} review form is due {due.isoformat()}"))
    if ReminderKind.GOAL_STALE.value in enabled:
        items += await _stale_goal_items(store, int(settings["staleGoalWeeks"]))
    return items + await _later_domains_items(store, until, enabled)


async def _stale_goal_items(store: TenantStore, organisation_weeks: int) -> list[DueItem]:
    """Goals without an update for their owner's staleGoalWeeks (``stale_goal_weeks_of``: the person's override,
    their department's, else the organisation's): the goals stale for the shortest of them, in one read, then
    their owners' departments in one more when there are overrides."""
    now = clock.now()
    overrides = await reminder_store.stale_goal_weeks_overrides(store)
    shortest = min([organisation_weeks, *overrides.values()])
    docs = await goals_access.stale_goals(store, now - timedelta(weeks=shortest))
    departments: dict[str, str | None] = {}
    if overrides and docs:
        owners = sorted({d["ownerEmployeeId"] for d in docs})
        departments = {e["_id"]: e.get("departmentId")
                       for e in await store.employees.by_ids(owners, projection={"departmentId": 1})}
    items = []
    for doc in docs:
        owner = doc["ownerEmployeeId"]
        stale = timedelta(weeks=stale_goal_weeks_of(owner, departments.get(owner), overrides, organisation_weeks))
        updated: datetime = doc["updatedAt"]
        if updated < now - stale:
            items.append(DueItem(ReminderKind.GOAL_STALE, "goal", doc["_id"], owner, (updated + stale).date(),
                                 f"Your goal {doc['title']!r} has had no update for a while"))
    return items


async def _later_domains_items(store: TenantStore, until: date, enabled: set[str]) -> list[DueItem]:
    """Exits, promotions and merit approvals. Whoever is named acts on the item (the exit's interviewer, the
    step's approver, the manager a merit proposal is pending with); where nobody is named, the role that acts:
    HR admins (exits, the promotion's HR step) or compensation admins (a merit proposal's final approval)."""
    holders: dict[str, list[str]] = {}

    async def people(named: str | None, role: str) -> list[str]:
        if named is not None:
            return [named]
        if role not in holders:
            holders[role] = await role_holder_ids(store.database, store.organization_id, role)
        return holders[role]

    items: list[DueItem] = []
    interviews_on = ReminderKind.EXIT_INTERVIEW_DUE.value in enabled
    checklist_on = ReminderKind.EXIT_CHECKLIST_ITEM.value in enabled
    if interviews_on or checklist_on:
        interviews, open_items = await exits_access.exits_due_until(store, until)
        for due in interviews if interviews_on else []:
            items += [DueItem(ReminderKind.EXIT_INTERVIEW_DUE, "exitRecord", due.exit_id, person, due.due,
                              f"An exit interview is due {due.due.isoformat()}")
                      for person in await people(due.interviewer_id, "hr_admin")]
        for due in open_items if checklist_on else []:
            items += [DueItem(ReminderKind.EXIT_CHECKLIST_ITEM, "exitChecklistItem", f"{due.exit_id}:{due.item_id}",
                              person, due.due, f"Exit checklist, by {due.due.isoformat()}: {due.title}")
                      for person in await people(due.interviewer_id, "hr_admin")]
    if ReminderKind.PROMOTION_APPROVAL_WAITING.value in enabled:
        for waiting in await growth_access.decisions_waiting(store):
            items += [DueItem(ReminderKind.PROMOTION_APPROVAL_WAITING, "promotionProposal", waiting.proposal_id,
                              person, waiting.since, "A promotion proposal waits for your decision")
                      for person in await people(waiting.approver_id, "hr_admin")]
    if ReminderKind.COMPENSATION_APPROVAL_WAITING.value in enabled:
        for approval in await compensation_access.approvals_waiting(store):
            items += [DueItem(ReminderKind.COMPENSATION_APPROVAL_WAITING, "meritProposal", approval.participant_id,
                              person, approval.since, "A merit increase proposal waits for your approval")
                      for person in await people(approval.approver_id, "compensation_admin")]
    return items


class ReminderScheduler:
    def __init__(self, database: Database, bus: Bus | None = None, *, every_seconds: float = 60.0) -> None:
        self.database = database
        self.bus = bus
        self.every_seconds = every_seconds
        self.last_run = float("-inf")

    async def tick(self) -> None:
        """Called by the worker's loop: a run at most every ``every_seconds``."""
        if time.monotonic() - self.last_run >= self.every_seconds:
            self.last_run = time.monotonic()
            created = await self.run_once()
            if created:
                log.info("reminders: %d notifications created", created)

    async def run_once(self, today: date | None = None, organization_ids: list[str] | None = None) -> int:
        """Create the reminders due ``today`` (UTC) in every organisation (or those of ``organization_ids``);
        how many were created."""
        today = today or clock.today()
        created = 0
        query = {"_id": {"$in": organization_ids}} if organization_ids is not None else {}
        for organization in await self.database.organizations.find(query, {"_id": 1}).sort([("_id", 1)]).to_list(None):
            created += await self.run_for(TenantStore(self.database, organization["_id"]), today)
        return created

    async def run_for(self, store: TenantStore, today: date) -> int:
        settings = await settings_of(store)
        wanted: dict[str, DueItem] = {}
        for item in await due_items(store, today, settings):
            period = interval(item, today, settings)
            if period is not None:
                wanted.setdefault(reminder_key(item, period), item)
        if not wanted:
            return 0
        done = await reminder_store.claimed(store, wanted)
        due = [(key, item) for key, item in wanted.items() if key not in done][:PER_RUN_MAX]
        created = 0
        for start in range(0, len(due), BATCH):
            created += await self.remind_batch(store, due[start:start + BATCH])
        return created

    async def remind_batch(self, store: TenantStore, batch: list[tuple[str, DueItem]]) -> int:
        """A batch in one transaction. If another scheduler claimed some of its keys meanwhile, the rest is tried
        again as one batch (each try has fewer: a refusal means a key is claimed): none lost, none twice."""
        while batch:
            try:
                return await self.remind(store, batch)
            except Duplicate:
                done = await reminder_store.claimed(store, [key for key, _ in batch])
                if not done:  # refused, yet no key of it is claimed: not a race this loop can settle
                    raise
                batch = [(key, item) for key, item in batch if key not in done]
        return 0

    async def remind(self, store: TenantStore, due: list[tuple[str, DueItem]]) -> int:
        """Reminders: their keys and their notifications in one transaction (how many were created);
        :class:`Duplicate`, and nothing written, if another scheduler claimed one of the keys."""
        documents: list[Document] = [notices.notification_doc(item.recipient_id, item.kind.value, item.text,
                                                              item.subject_type, item.subject_id)
                                     for _, item in due]

        async def claim(scoped: TenantStore) -> bool:
            await scoped.reminders.insert_all([
                {"_id": new_id(), "key": key, "kind": item.kind.value, "subjectId": item.subject_id,
                 "recipientId": item.recipient_id, "notificationId": document["_id"], "createdAt": clock.now()}
                for (key, item), document in zip(due, documents, strict=True)])
            return True

        return len(await notices.create(self.database, self.bus, store.organization_id, documents, claim))
