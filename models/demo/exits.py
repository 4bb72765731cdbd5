"""The demo organisation's exits: two years of leavers (about 15 % a year), seeded for ``make serve`` only.

The leavers are people of their own (terminated, each in a team of the demo organisation, reporting to its team
lead), so the seeded people, departments and positions other tests count stay as they are; the tests build their
own leavers through the API. Each leaver has an exit record (classified, most with a recorded interview) and
about two in three answered the candid survey (anonymous answer documents). Patterns worth finding: Sales loses
regretted people for pay at twice the rate of elsewhere, with lapsed check-ins; and one team lead (in Marketing)
has only two leavers, below k, so their figures never show alone.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from models.core.documents import Document, stable_id
from models.demo.org import DemoOrganization, levels
from models.demo.org_catalog import FIRST_NAMES, LAST_NAMES
from models.exits.rules import ExitStatus, cohort_of, default_settings, survey_response
from models.org.rules import EmployeeStatus, status_entry

YEARLY_ATTRITION = 0.15
YEARS = 2
REASONS = [("pay", "Better pay elsewhere", "compensation"), ("manager", "Relationship with manager", "manager"),
           ("growth", "No path to grow", "growth"), ("workload", "Workload and burnout", "workload"),
           ("relocation", "Moving away", "relocation"), ("family", "Family or health", "personal"),
           ("culture", "Culture or values", "culture"), ("performance", "Performance", "other")]
QUESTIONS = [
    {"id": "why", "kind": "reason", "text": "What was the main reason you decided to leave?", "options": [],
     "required": True},
    {"id": "manager", "kind": "rating", "text": "How well did your manager support you?", "options": [],
     "required": False},
    {"id": "growth", "kind": "rating", "text": "How well could you grow here?", "options": [], "required": False},
    {"id": "recommend", "kind": "recommend", "text": "How likely are you to recommend working here?", "options": [],
     "required": False},
    {"id": "words", "kind": "text", "text": "What could we have done to keep you?", "options": [], "required": False},
]
WORDS = {"compensation": "A fair raise would have kept me.", "manager": "More time with my manager.",
         "growth": "A clear next step.", "workload": "A workload one person can carry.",
         "relocation": "Remote work.", "personal": "Nothing: it was personal.", "culture": "Being heard.",
         "other": "Clearer expectations."}


def _at(day: date) -> datetime:
    return datetime.combine(day, time(17, 0), tzinfo=UTC)


def demo_exit_documents(demo: DemoOrganization, today: date = date(2026, 11, 1),
                        seed: int = 15) -> dict[str, list[Any]]:
    """The DEMO_ONLY_SEEDS entry (store/core/seed.py): leavers, their exit records, the reason taxonomy, a
    template, anonymous survey answers and the organisation's settings."""
    rng = random.Random(seed)
    slug, org_id = demo.organization["slug"], demo.organization["_id"]
    by_level = levels(demo.employees)
    departments = {d["_id"]: d["name"] for d in demo.departments}
    position_levels = {p["_id"]: p["level"] for p in demo.positions}
    hr = demo.personas["hr_admin"]
    active = [e for e in demo.employees if e["status"] == EmployeeStatus.ACTIVE.value]
    contributors = [e for e in active if by_level[e["_id"]] == 5 and e["managerId"]]
    small_team_lead = next(e["managerId"] for e in contributors if departments[e["departmentId"]] == "Marketing")
    pool = [e for e in contributors if e["managerId"] != small_team_lead]
    small_team = [e for e in contributors if e["managerId"] == small_team_lead]
    sales = [e for e in pool if departments[e["departmentId"]] == "Sales"]

    reasons = [{"_id": stable_id(f"{slug}:exit-reason:{code}"), "organizationId": org_id, "code": code, "label": label,
                "category": category, "archived": False, "createdAt": _at(today - timedelta(days=800))}
               for code, label, category in REASONS]
    reason_of = {r["category"]: r["_id"] for r in reasons}
    template = {"_id": stable_id(f"{slug}:exit-template:0"), "familyId": stable_id(f"{slug}:exit-template:0"),
                "organizationId": org_id, "version": 1, "departmentId": None, "name": "Exit interview",
                "questions": QUESTIONS, "supersededById": None, "createdAt": _at(today - timedelta(days=800)),
                "createdById": hr}

    count = round(len(demo.employees) * YEARLY_ATTRITION * YEARS)
    leavers: list[Document] = []
    records: list[Document] = []
    responses: list[Document] = []
    for i in range(count):
        if i < 2:
            model = small_team[i % len(small_team)]
        elif i % 4 == 0 and sales:
            model = rng.choice(sales)  # Sales: about twice its share of the leavers
        else:
            model = rng.choice(pool)
        is_sales = departments[model["departmentId"]] == "Sales"
        last_day = today - timedelta(days=rng.randint(1, 365 * YEARS))
        hired = last_day - timedelta(days=rng.randint(120, 2200))
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        employee_id = stable_id(f"{slug}:leaver:{i}")
        employee = {
            "_id": employee_id, "organizationId": org_id, "name": f"{first} {last}",
            "email": f"{first}.{last}.left{i}@{slug}.example".lower(), "positionId": model["positionId"],
            "departmentId": model["departmentId"], "managerId": model["managerId"],
            "managerChain": list(model["managerChain"]), "mentorId": None, "hireDate": hired.isoformat(),
            "status": EmployeeStatus.TERMINATED.value,
            "statusHistory": [status_entry(EmployeeStatus.ACTIVE, _at(hired), None),
                              status_entry(EmployeeStatus.TERMINATED, _at(last_day), hr, "Resigned")],
            "roles": ["employee"], "createdAt": _at(hired), "updatedAt": _at(last_day),
        }
        leavers.append(employee)
        voluntary = rng.random() < (0.9 if is_sales else 0.75)
        category = ("compensation" if is_sales and rng.random() < 0.6 else
                    rng.choice(["manager", "growth", "workload", "relocation", "personal", "culture", "compensation"]))
        if not voluntary:
            category = "other"
        regretted = voluntary and rng.random() < (0.7 if is_sales else 0.4)
        record = {
            "_id": stable_id(f"{slug}:exit-record:{i}"), "organizationId": org_id, "employeeId": employee_id,
            "lastDay": last_day.isoformat(), "status": ExitStatus.COMPLETED.value,
            "kind": "voluntary" if voluntary else "involuntary", "regretted": regretted,
            "reasons": {"primary": reason_of[category], "secondary": None, "tertiary": None},
            "rehireEligible": voluntary, "notes": None, "interviewerId": hr,
            "interviewOn": (last_day - timedelta(days=2)).isoformat(),
            "interview": {"templateId": template["_id"],
                          "answers": [{"questionId": "why", "value": reason_of[category]}],
                          "recordedAt": _at(last_day - timedelta(days=2)), "recordedById": hr},
            "cohort": cohort_of(employee, position_levels.get(employee["positionId"])), "checklist": [],
            "surveyTemplateId": template["_id"], "surveyDone": False, "openedAt": _at(last_day - timedelta(days=21)),
            "openedById": hr, "updatedAt": _at(last_day), "version": 1,
        }
        if rng.random() < 0.65:
            record["surveyDone"] = True
            values = {"why": reason_of[category], "manager": rng.randint(1, 3) if category == "manager" else
                      rng.randint(2, 5), "growth": rng.randint(1, 5),
                      "recommend": rng.randint(0, 6) if is_sales else rng.randint(3, 10), "words": WORDS[category]}
            answer = survey_response(QUESTIONS, values, record, {r["_id"]: r["category"] for r in reasons})
            answer["_id"] = stable_id(f"{slug}:exit-answer:{rng.random()}")  # random order, nothing to link
            responses.append({**answer, "organizationId": org_id})
        records.append(record)
    rng.shuffle(responses)
    settings = {"_id": stable_id(f"{slug}:exit-settings"), "organizationId": org_id, **default_settings()}
    return {"employees": leavers, "exitRecords": records, "exitReasons": reasons, "exitTemplates": [template],
            "exitSurveyResponses": responses, "exitSettings": [settings]}
