"""Demo check-ins: a series for everyone with a manager, about three months of history for a subset.

Deterministic (ids from :func:`stable_id`, randomness from a seeded ``random.Random``, dates from
:data:`SEED_TODAY`). Customer Success pilots a monthly cadence; everyone else meets weekly. The
organisation has a default template and Product Engineering its own. Held occurrences carry answers,
talking points, a rating, action items (some still open, so they carry over) and private notes.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

from models.checkins.rules import (
    Cadence,
    CheckInStatus,
    advance,
    new_occurrence,
    next_scheduled_on,
    note_id_for,
    series_id_for,
)
from models.core.documents import Document, stable_id
from models.demo.org import DemoOrganization
from models.org.rules import EmployeeStatus

SEED_TODAY = date(2026, 11, 1)
HISTORY_START = SEED_TODAY - timedelta(days=91)  # about three months
LAPSED_AFTER = SEED_TODAY - timedelta(days=30)  # lapsed series stopped meeting then: they are overdue
PILOT_DEPARTMENT = "Customer Success"  # the monthly pilot
PILOT_HISTORY = 12  # pilot series with history
OVERRIDE_DEPARTMENT = "Product Engineering"  # has its own template
COMPARISON_DEPARTMENT = "Sales"  # weekly series with history, to compare with the pilot
COMPARISON_HISTORY = 8
LAPSED_SHARE = 0.15

DEFAULT_TEMPLATE = ("Check-in", [
    "How are you feeling about your work right now?", "What went well since we last met?",
    "What is getting in your way?", "What should we focus on until next time?"])
OVERRIDE_TEMPLATE = ("Engineering 1:1", [
    "What did you ship or unblock since we last met?", "Where is technical debt slowing you down?",
    "What would you like to learn next?", "How can I help this week?"])
ANSWERS = ["Good overall, a busy stretch.", "The launch went smoothly.", "Waiting on a decision from another team.",
           "Too many meetings this week.", "Finishing the quarter's priorities.", "Onboarding went well.",
           "Customer feedback was positive.", "I'd like more focus time.", "Pairing helped a lot."]
TALKING_POINTS = ["Project status", "Workload and priorities", "Career growth", "Feedback from the last review",
                  "Team process", "Upcoming time off", "Training budget", "Cross-team dependencies"]
ACTIONS = ["Share the draft plan", "Book a session with the design team", "Write up the incident review",
           "Ask for access to the dashboard", "Prepare the customer demo", "Pick a course for the training budget"]
NOTES = ["Seemed tired; check in on workload.", "Ready for more ownership.", "Follow up on the conflict with the team.",
         "Raise promotion case next cycle.", "Keep an eye on the project deadline."]


def _at(day: date) -> datetime:
    return datetime.combine(day, time(9, 0), tzinfo=UTC)


def _templates(slug: str, org_id: str) -> tuple[Document, Document]:
    docs = []
    for key, (name, questions), default in (("default", DEFAULT_TEMPLATE, True),
                                            ("override", OVERRIDE_TEMPLATE, False)):
        template_id = stable_id(f"{slug}:check-in-template:{key}")
        docs.append({"_id": template_id, "organizationId": org_id, "name": name,
                     "questions": [{"_id": stable_id(f"{template_id}:question:{i}"), "text": text}
                                   for i, text in enumerate(questions)],
                     "defaultSince": _at(HISTORY_START - timedelta(days=100)) if default else None,
                     "createdAt": _at(HISTORY_START - timedelta(days=100)),
                     "updatedAt": _at(HISTORY_START - timedelta(days=100))})
    return docs[0], docs[1]


class _Builder:
    def __init__(self, demo: DemoOrganization, departments: dict[str, Document], templates: tuple[Document, Document]):
        slug = demo.organization["slug"]
        self.rng = random.Random(int(stable_id(f"{slug}:check-ins"), 16))
        self.departments = departments
        self.default, self.override = templates
        self.check_ins: list[Document] = []
        self.items: list[Document] = []
        self.notes: list[Document] = []

    def terms(self, employee: Document) -> tuple[Cadence, str | None, Document]:
        department = self.departments.get(employee.get("departmentId") or "")
        cadence = Cadence(department["cadence"]) if department else Cadence.WEEKLY
        template = self.override if department and department.get("checkInTemplateId") else self.default
        return cadence, employee.get("departmentId"), template

    def note(self, check_in: Document, author: str) -> None:
        self.notes.append({"_id": note_id_for(check_in["_id"], author), "organizationId": check_in["organizationId"],
                           "checkInId": check_in["_id"], "authorId": author, "text": self.rng.choice(NOTES),
                           "updatedAt": _at(date.fromisoformat(check_in["scheduledOn"]))})

    def point(self, check_in: Document, author: str, index: int) -> Document:
        at = _at(date.fromisoformat(check_in["scheduledOn"]) - timedelta(days=1))
        return {"_id": stable_id(f"{check_in['_id']}:talking-point:{index}"), "authorId": author,
                "text": self.rng.choice(TALKING_POINTS), "version": 1, "removed": False, "createdAt": at,
                "updatedAt": at, "updatedById": author}

    def held(self, check_in: Document, held_on: date) -> None:
        employee_id, manager_id = check_in["employeeId"], check_in["managerId"]
        authors = [employee_id, manager_id][:self.rng.randint(1, 2)]
        check_in.update({"status": CheckInStatus.COMPLETED.value, "heldOn": held_on.isoformat(),
                         "closedById": manager_id, "rating": self.rng.randint(2, 5), "ratedById": employee_id,
                         "answers": {q["_id"]: {employee_id: {"text": self.rng.choice(ANSWERS), "at": _at(held_on)}}
                                     for q in check_in["questions"]},
                         "talkingPoints": [self.point(check_in, author, i) for i, author in enumerate(authors)]})

    def action_item(self, check_in: Document, index: int, done_in: int | None) -> None:
        scheduled = date.fromisoformat(check_in["scheduledOn"])
        done_at = _at(scheduled + timedelta(days=7)) if done_in is not None else None
        self.items.append({
            "_id": stable_id(f"{check_in['_id']}:action-item:{index}"), "organizationId": check_in["organizationId"],
            "seriesId": check_in["seriesId"], "checkInId": check_in["_id"], "employeeId": check_in["employeeId"],
            "managerId": check_in["managerId"], "fromSequence": check_in["sequence"], "doneSequence": done_in,
            "ownerId": self.rng.choice([check_in["employeeId"], check_in["managerId"]]),
            "text": self.rng.choice(ACTIONS), "dueOn": (scheduled + timedelta(days=7)).isoformat(),
            "done": done_in is not None, "doneAt": done_at, "createdById": check_in["managerId"],
            "createdAt": _at(scheduled), "updatedAt": done_at or _at(scheduled)})

    def series(self, employee: Document, history: bool) -> Document:
        cadence, department_id, template = self.terms(employee)
        org_id = employee["organizationId"]
        if history:
            started = HISTORY_START + timedelta(days=self.rng.randint(0, 4))
        else:  # starts soon: not overdue on SEED_TODAY
            started = SEED_TODAY + timedelta(days=self.rng.randint(1, (advance(SEED_TODAY, cadence) - SEED_TODAY).days))
        series = {"_id": series_id_for(org_id, employee["_id"], employee["managerId"]), "organizationId": org_id,
                  "employeeId": employee["_id"], "managerId": employee["managerId"], "cadence": None,
                  "startedOn": started.isoformat(), "active": True, "currentSequence": 1, "lastHeldOn": None,
                  "createdAt": _at(started - timedelta(days=7))}
        scheduled, sequence = started, 1
        stop = LAPSED_AFTER if self.rng.random() < LAPSED_SHARE else SEED_TODAY
        occurrences: list[Document] = []
        while True:
            check_in = new_occurrence(series, sequence, scheduled, cadence, department_id, template,
                                      _at(scheduled - timedelta(days=7)))
            occurrences.append(check_in)
            if not history or scheduled > stop:
                break
            if self.rng.random() < 0.1:
                check_in.update({"status": CheckInStatus.SKIPPED.value, "closedById": series["managerId"]})
                closed_on = scheduled
            else:
                closed_on = scheduled + timedelta(days=self.rng.choice([0, 0, 0, 1]))
                self.held(check_in, closed_on)
                series["lastHeldOn"] = closed_on.isoformat()
                if self.rng.random() < 0.3:
                    self.note(check_in, series["managerId"])
            scheduled, sequence = next_scheduled_on(scheduled, closed_on, cadence), sequence + 1
        upcoming = occurrences[-1]
        series["currentSequence"] = upcoming["sequence"]
        if history:
            upcoming["talkingPoints"] = [self.point(upcoming, series["employeeId"], 0)]
            for index, check_in in enumerate(occurrences[:-1]):
                if self.rng.random() < 0.4:
                    done_in = check_in["sequence"] + self.rng.randint(1, 2) if self.rng.random() < 0.6 else None
                    self.action_item(check_in, index, None if done_in is None else min(done_in, upcoming["sequence"]))
            held = [c for c in occurrences if c["status"] == CheckInStatus.COMPLETED.value]
            if held and not any(n["checkInId"] == held[-1]["_id"] for n in self.notes):
                self.note(held[-1], series["managerId"])
        self.check_ins.extend(occurrences)
        return series


def demo_check_ins(demo: DemoOrganization) -> dict[str, list[Document]]:
    slug, org_id = demo.organization["slug"], demo.organization["_id"]
    templates = _templates(slug, org_id)
    departments: dict[str, Document] = {}
    for department in demo.departments:
        patched = dict(department)
        if department["name"] == PILOT_DEPARTMENT:
            patched["cadence"] = Cadence.MONTHLY.value
        if department["name"] == OVERRIDE_DEPARTMENT:
            patched["checkInTemplateId"] = templates[1]["_id"]
        if patched != department:
            departments[department["_id"]] = patched
    all_departments = {d["_id"]: departments.get(d["_id"], d) for d in demo.departments}
    builder = _Builder(demo, all_departments, templates)
    history = _with_history(demo, all_departments)
    employees = {e["_id"]: e for e in demo.employees}
    series = [builder.series(e, e["_id"] in history) for e in demo.employees
              if e["status"] != EmployeeStatus.TERMINATED.value and e["managerId"]
              and employees[e["managerId"]]["status"] != EmployeeStatus.TERMINATED.value]
    persona = demo.personas["employee"]
    upcoming = next(c for c in builder.check_ins if c["employeeId"] == persona
                    and c["status"] == CheckInStatus.SCHEDULED.value)
    builder.note(upcoming, persona)
    return {"departments": list(departments.values()), "checkInTemplates": list(templates),
            "checkInSeries": series, "checkIns": builder.check_ins, "checkInActionItems": builder.items,
            "checkInNotes": builder.notes}


def _with_history(demo: DemoOrganization, departments: dict[str, Document]) -> set[str]:
    """Employees whose series get history: the employee persona's team, the manager persona's reports,
    part of the pilot department and part of a weekly department to compare it with."""
    by_id = {e["_id"]: e for e in demo.employees}
    team_lead = by_id[demo.personas["employee"]]["managerId"]
    chosen = {e["_id"] for e in demo.employees
              if e["managerId"] in (team_lead, demo.personas["manager"])}

    def members(name: str) -> list[str]:
        ids = {d["_id"] for d in departments.values() if d["name"] == name}
        return sorted(e["_id"] for e in demo.employees if e.get("departmentId") in ids and e["managerId"])

    chosen |= set(members(PILOT_DEPARTMENT)[:PILOT_HISTORY])
    chosen |= set(members(COMPARISON_DEPARTMENT)[:COMPARISON_HISTORY])
    return chosen

