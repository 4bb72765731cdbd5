"""Demo goals for a demo organisation: company → department → individual, with progress history.

A pure function of the :class:`DemoOrganization`: ids from :func:`stable_id`, randomness from
``random.Random`` seeded with the organisation's slug, times from :data:`TODAY`. For the 200-person
demo it writes about 230 goals: 3 yearly company goals, one or two half-year goals per staffed
department, a fourth-quarter goal for most people (some aligned to their manager's goal, which
makes four levels) and a third-quarter goal, mostly finished, for some.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from models.core.documents import Document, stable_id
from models.demo.org import DemoOrganization
from models.goals.rules import GoalStatus, MetricKind, goal_progress

TODAY = date(2026, 11, 1)
YEAR = (date(2026, 1, 1), date(2026, 12, 31))
H2 = (date(2026, 7, 1), date(2026, 12, 31))
Q3 = (date(2026, 7, 1), date(2026, 9, 30))
Q4 = (date(2026, 10, 1), date(2026, 12, 31))

NUMBER, PERCENT, MONEY = MetricKind.NUMBER.value, MetricKind.PERCENTAGE.value, MetricKind.CURRENCY.value
BOOL, MILESTONE = MetricKind.BOOLEAN.value, MetricKind.MILESTONE.value
# A key result template: (title, metric kind, start, target, unit, weight).
KR = tuple[str, str, float, float, str, float]

COMPANY_GOALS: list[tuple[str, str, list[KR]]] = [
    ("Grow annual recurring revenue to $24M", "Win new customers and expand the ones we have.",
     [("Annual recurring revenue", MONEY, 16_000_000, 24_000_000, "USD", 2),
      ("New enterprise customers", NUMBER, 0, 40, "customers", 1)]),
    ("Customers stay and grow with us", "Retention is the cheapest growth there is.",
     [("Gross revenue churn", PERCENT, 8, 5, "%", 2), ("Net promoter score", NUMBER, 31, 45, "points", 1)]),
    ("Build a great place to work", "Hire well, grow people, keep the ones we want to keep.",
     [("Engagement survey score", PERCENT, 72, 80, "%", 1), ("Regretted attrition", PERCENT, 9, 6, "%", 1),
      ("Career framework launched", MILESTONE, 0, 1, "", 1)]),
]
# Department goals: (department, title, company goal index, key results).
DEPARTMENT_GOALS: list[tuple[str, str, int, list[KR]]] = [
    ("Engineering", "Ship a reliable, fast product", 1,
     [("Monthly uptime", PERCENT, 99.5, 99.95, "%", 2), ("P1 incidents per quarter", NUMBER, 12, 4, "incidents", 1)]),
    ("Engineering", "Deliver the enterprise roadmap", 0,
     [("Enterprise features shipped", NUMBER, 0, 8, "features", 1),
      ("SSO generally available", MILESTONE, 0, 1, "", 1)]),
    ("Platform", "Cut infrastructure cost per customer", 0,
     [("Cloud cost per customer", MONEY, 410, 300, "USD/month", 1),
      ("Services on autoscaling", PERCENT, 35, 90, "%", 1)]),
    ("Product Engineering", "Speed up the core workflows", 1,
     [("p95 page load", NUMBER, 2400, 1200, "ms", 2), ("Onboarding flow redesigned", BOOL, 0, 1, "", 1)]),
    ("Data", "Self-serve analytics for every team", 2,
     [("Teams with a core dashboard", NUMBER, 3, 12, "teams", 1),
      ("Metric definitions documented", PERCENT, 20, 100, "%", 1)]),
    ("Sales", "Build a predictable enterprise pipeline", 0,
     [("Qualified pipeline", MONEY, 2_000_000, 9_000_000, "USD", 2), ("Win rate", PERCENT, 18, 25, "%", 1)]),
    ("Customer Success", "Make every account healthy", 1,
     [("Accounts in green health", PERCENT, 61, 80, "%", 2),
      ("Median time to first value", NUMBER, 21, 10, "days", 1)]),
    ("Marketing", "Fill the top of the funnel", 0,
     [("Marketing qualified leads", NUMBER, 900, 2000, "leads", 2), ("Cost per lead", MONEY, 180, 120, "USD", 1)]),
    ("Marketing", "Launch the new brand", 2,
     [("Brand refresh live", MILESTONE, 0, 1, "", 1), ("Aided brand awareness", PERCENT, 12, 20, "%", 1)]),
    ("People", "Hire and grow great people", 2,
     [("Offers accepted", NUMBER, 0, 45, "hires", 1), ("Managers trained in coaching", PERCENT, 10, 90, "%", 1)]),
    ("Finance", "Close the books faster", 0,
     [("Days to monthly close", NUMBER, 12, 5, "days", 1), ("Audit finished without findings", BOOL, 0, 1, "", 1)]),
]
# Individual goals by top-level department: (title, key results).
INDIVIDUAL_GOALS: dict[str, list[tuple[str, list[KR]]]] = {
    "Engineering": [
        ("Improve test coverage of my services", [("Line coverage", PERCENT, 54, 80, "%", 1),
                                                  ("Flaky tests", NUMBER, 30, 5, "tests", 1)]),
        ("Reduce on-call load", [("Pages per week", NUMBER, 14, 4, "pages", 2),
                                 ("Runbooks written", NUMBER, 0, 6, "", 1)]),
        ("Ship the search rewrite", [("Search rewrite in production", MILESTONE, 0, 1, "", 2),
                                     ("Search p95 latency", NUMBER, 900, 300, "ms", 1)]),
        ("Grow as a reviewer and mentor", [("Design reviews led", NUMBER, 0, 5, "reviews", 1),
                                           ("Mentee onboarded", BOOL, 0, 1, "", 1)]),
    ],
    "Sales": [
        ("Hit my Q4 quota", [("Closed-won bookings", MONEY, 0, 450_000, "USD", 3),
                             ("Deals closed", NUMBER, 0, 9, "", 1)]),
        ("Build next quarter's pipeline", [("New qualified opportunities", NUMBER, 0, 20, "", 1),
                                           ("Pipeline coverage", NUMBER, 1.2, 3, "x", 1)]),
    ],
    "Customer Success": [
        ("Keep my book of accounts healthy", [("Renewal rate", PERCENT, 86, 95, "%", 2),
                                              ("Accounts without a QBR", NUMBER, 14, 0, "accounts", 1)]),
        ("Grow expansion revenue", [("Expansion bookings", MONEY, 0, 120_000, "USD", 1)]),
    ],
    "Marketing": [
        ("Publish the customer story series", [("Case studies published", NUMBER, 0, 6, "", 1),
                                               ("Organic sessions per month", NUMBER, 40_000, 60_000, "", 1)]),
        ("Run the Q4 webinar programme", [("Webinars run", NUMBER, 0, 4, "", 1),
                                          ("Webinar signups", NUMBER, 0, 1500, "", 1)]),
    ],
    "People": [
        ("Fill the open engineering roles", [("Roles filled", NUMBER, 0, 12, "roles", 2),
                                             ("Days to hire", NUMBER, 48, 35, "days", 1)]),
        ("Roll out the new review cycle", [("Managers briefed", PERCENT, 0, 100, "%", 1),
                                           ("Review cycle launched", MILESTONE, 0, 1, "", 1)]),
    ],
    "Finance": [
        ("Automate the revenue reconciliation", [("Manual reconciliation steps", NUMBER, 18, 4, "steps", 1),
                                                 ("Reconciliation automated", BOOL, 0, 1, "", 1)]),
        ("Tighten the budget forecast", [("Forecast variance", PERCENT, 9, 3, "%", 1)]),
    ],
    "Executive": [
        ("Close the Series C", [("Term sheet signed", MILESTONE, 0, 1, "", 1)]),
    ],
}
COMMENTS = [None, None, "Steady progress this week.", "Blocked on another team for a few days.",
            "Better than expected.", "Re-planned after the offsite.", "Good momentum.",
            "Slipped a little; catching up."]
VISIBILITY = [("everyone", 0.7), ("management_chain", 0.2), ("private", 0.1)]


def _at(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=UTC)


def _round(kind: str, value: float, span: float) -> float:
    if kind == MONEY:
        return float(round(value, -3 if abs(span) >= 10_000 else 0))
    if abs(span) >= 20:
        return float(round(value))
    return round(value, 2)


def _elapsed(period: tuple[date, date]) -> float:
    start, due = period
    return min(1.0, max(0.0, (TODAY - start).days / max(1, (due - start).days)))


class _Builder:
    def __init__(self, demo: DemoOrganization) -> None:
        self.demo = demo
        self.slug = demo.organization["slug"]
        self.rng = random.Random(f"goals:{self.slug}")
        self.goals: list[Document] = []

    def key_results(self, key: str, templates: list[KR], progress: float) -> list[Document]:
        results = []
        for i, (title, kind, start, target, unit, weight) in enumerate(templates):
            if kind in (BOOL, MILESTONE):
                current = target if self.rng.random() < progress else start
            else:
                share = min(1.1, max(0.0, progress + self.rng.uniform(-0.15, 0.15)))
                current = _round(kind, start + share * (target - start), target - start)
                if kind == PERCENT:
                    current = min(100.0, max(0.0, current))
            results.append({"_id": stable_id(f"{self.slug}:goal:{key}:kr:{i}"), "title": title, "metricKind": kind,
                            "startValue": float(start), "targetValue": float(target), "currentValue": float(current),
                            "unit": unit, "weight": float(weight)})
        return results

    def history(self, key: str, key_results: list[Document], period: tuple[date, date],
                editors: list[str]) -> list[Document]:
        """A few recorded values per key result, from its start value to its current value."""
        start, due = period
        last = min(due, TODAY - timedelta(days=1))
        entries = []
        for kr in key_results:
            if kr["currentValue"] == kr["startValue"]:
                continue
            steps = 1 if kr["metricKind"] in (BOOL, MILESTONE) else self.rng.randint(1, 4)
            days = sorted(self.rng.sample(range(1, max(2, (last - start).days)), min(steps, (last - start).days - 1)))
            old = kr["startValue"]
            span = kr["currentValue"] - kr["startValue"]
            for n, day in enumerate(days, start=1):
                new = kr["currentValue"] if n == len(days) else _round(
                    kr["metricKind"], kr["startValue"] + span * n / len(days), kr["targetValue"] - kr["startValue"])
                entries.append({"_id": stable_id(f"{self.slug}:goal:{key}:{kr['_id']}:h:{n}"),
                                "keyResultId": kr["_id"], "keyResultTitle": kr["title"],
                                "byId": self.rng.choice(editors), "at": _at(start + timedelta(days=day),
                                                                             self.rng.randint(8, 17)),
                                "oldValue": old, "newValue": new, "comment": self.rng.choice(COMMENTS)})
                old = new
        return sorted(entries, key=lambda e: e["at"])

    def status(self, period: tuple[date, date], progress: float) -> str:
        if self.rng.random() < 0.03:
            return GoalStatus.CANCELLED.value
        if period[1] < TODAY:
            return GoalStatus.DONE.value if progress >= 0.85 else GoalStatus.OFF_TRACK.value
        ratio = progress / max(0.05, _elapsed(period))
        if ratio >= 0.8:
            return GoalStatus.ON_TRACK.value
        return GoalStatus.AT_RISK.value if ratio >= 0.5 else GoalStatus.OFF_TRACK.value

    def visibility(self) -> str:
        roll, total = self.rng.random(), 0.0
        for value, share in VISIBILITY:
            total += share
            if roll < total:
                return value
        return "everyone"

    def add(self, key: str, title: str, description: str, level: str, templates: list[KR], period: tuple[date, date],
            *, owner: str | None = None, department: str | None = None, parent: str | None = None,
            visibility: str = "everyone", roll_up: bool = False, editors: list[str]) -> Document:
        target = _elapsed(period) * self.rng.uniform(0.55, 1.2)
        key_results = self.key_results(key, templates, target)
        history = self.history(key, key_results, period, editors)
        doc = {
            "_id": stable_id(f"{self.slug}:goal:{key}"), "organizationId": self.demo.organization["_id"],
            "title": title, "description": description, "level": level, "ownerEmployeeId": owner,
            "ownerDepartmentId": department, "parentId": parent, "startDate": period[0].isoformat(),
            "dueDate": period[1].isoformat(), "status": "on_track", "visibility": visibility,
            "rollUpChildren": roll_up, "archived": False, "keyResults": key_results, "progressHistory": history,
            "createdAt": _at(period[0]), "updatedAt": history[-1]["at"] if history else _at(period[0]),
        }
        doc["status"] = self.status(period, goal_progress(doc))
        self.goals.append(doc)
        return doc


def _top_department(departments: dict[str, Document], department_id: str | None) -> str:
    department = departments.get(department_id or "")
    while department is not None and department.get("parentId") and \
            departments[department["parentId"]]["name"] != "Executive":
        department = departments[department["parentId"]]
    return department["name"] if department else "Executive"


def build_goals(demo: DemoOrganization) -> list[Document]:
    b = _Builder(demo)
    people = {e["_id"]: e for e in demo.employees}
    departments = {d["_id"]: d for d in demo.departments}
    by_name = {d["name"]: d for d in demo.departments}
    ceo = next(e for e in demo.employees if e["managerId"] is None)
    hr = demo.personas["hr_admin"]

    company = [b.add(f"company:{i}", title, text, "company", krs, YEAR, owner=ceo["_id"], roll_up=True,
                     editors=[hr, ceo["_id"]]) for i, (title, text, krs) in enumerate(COMPANY_GOALS)]

    department_goals: dict[str, list[Document]] = {}
    for i, (name, title, company_index, krs) in enumerate(DEPARTMENT_GOALS):
        department = by_name.get(name)
        if department is None or not department.get("headId"):
            continue  # a small organisation may not staff every department
        parent_goals = department_goals.get(department.get("parentId") or "", [])
        parent = parent_goals[0] if parent_goals and b.rng.random() < 0.5 else company[company_index]
        doc = b.add(f"department:{i}", title, f"{name}'s contribution to \"{parent['title']}\".", "department", krs,
                    H2, department=department["_id"], parent=parent["_id"],
                    visibility="management_chain" if b.rng.random() < 0.2 else "everyone",
                    roll_up=b.rng.random() < 0.6, editors=[department["headId"]])
        department_goals.setdefault(department["_id"], []).append(doc)

    quarter_goals: dict[str, Document] = {}
    persona = demo.personas["employee"]
    staff = sorted((e for e in demo.employees if e["status"] != "terminated" and e["managerId"] is not None),
                   key=lambda e: (len(e["managerChain"]), e["_id"]))
    for person in staff:
        top = _top_department(departments, person.get("departmentId"))
        templates = INDIVIDUAL_GOALS.get(top, INDIVIDUAL_GOALS["Engineering"])
        editors = [person["_id"], *([person["managerId"]] if person.get("managerId") else [])]
        department_id = person.get("departmentId") or ""
        aligned_to = (department_goals.get(department_id)
                      or department_goals.get(departments.get(department_id, {}).get("parentId") or "") or [])
        count = 3 if person["_id"] == persona else (1 if b.rng.random() < 0.75 else 0)
        for n in range(count):
            title, krs = templates[(n + b.rng.randrange(len(templates))) % len(templates)]
            manager_goal = quarter_goals.get(person.get("managerId") or "")
            if manager_goal is not None and b.rng.random() < 0.35:
                parent = manager_goal["_id"]
            elif aligned_to and b.rng.random() < 0.9:
                parent = b.rng.choice(aligned_to)["_id"]
            else:
                parent = None
            visibility = ("everyone", "management_chain", "private")[n] if person["_id"] == persona else b.visibility()
            doc = b.add(f"individual:{person['_id']}:{n}", title, "", "individual", krs, Q4, owner=person["_id"],
                        parent=parent, visibility=visibility, editors=editors)
            quarter_goals.setdefault(person["_id"], doc)
        if b.rng.random() < 0.2:
            title, krs = b.rng.choice(templates)
            doc = b.add(f"individual:{person['_id']}:q3", title, "", "individual", krs, Q3, owner=person["_id"],
                        visibility=b.visibility(), editors=editors)
            doc["archived"] = b.rng.random() < 0.15
    assert all(p in people for p in quarter_goals)
    return b.goals


def demo_goal_documents(demo: DemoOrganization) -> dict[str, list[Any]]:
    """The DOMAIN_SEEDS entry (store/seed.py)."""
    return {"goals": build_goals(demo)}
