"""The demo organisation's pay: a band per position (Sales in USD, everyone else in EUR), effective-dated
pay records for everyone not terminated, a finished merit cycle (exported) linked to the finished review
cycle and a running one in its proposal phase. Deterministic: the same organisation gives the same
documents."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

from models.compensation import cycles as rules
from models.compensation.budgets import amounts, department_budget_id, launch_budgets, manager_budget_id
from models.compensation.rules import current_record
from models.core.documents import Document, stable_id
from models.demo.org import DemoOrganization
from models.demo.reviews import demo_review_documents
from models.reviews.scores import final_rating

USD_DEPARTMENTS = {"Sales"}
RATES = {"USD": "0.920000"}  # EUR per USD
FINISHED_ON, RUNNING_ON = date(2026, 8, 20), date(2026, 11, 20)


def _at(day: date) -> datetime:
    return datetime.combine(day, time(9, 0), tzinfo=UTC)


def _midpoint(level: int, currency: str) -> int:
    """A band's midpoint in minor units: grows with the job grade (1-7)."""
    euros = 32_000 + 14_000 * (level - 1) + 4_000 * max(0, level - 4) ** 2
    return euros * (110 if currency == "USD" else 100)


def _bands(demo: DemoOrganization) -> dict[str, Document]:
    org_id = demo.organization["_id"]
    usd = {d["_id"] for d in demo.departments if d["name"] in USD_DEPARTMENTS}
    bands = {}
    for position in demo.positions:
        currency = "USD" if position.get("departmentId") in usd else "EUR"
        mid = _midpoint(int(position.get("level") or 3), currency)
        bands[position["_id"]] = {
            "_id": stable_id(f"{org_id}:pay-band:{position['_id']}"), "organizationId": org_id,
            "positionId": position["_id"], "currency": currency, "minimum": mid * 80 // 100, "midpoint": mid,
            "maximum": mid * 120 // 100, "updatedAt": _at(date(2026, 1, 5)), "updatedById": demo.personas["hr_admin"]}
    return bands


def _records(demo: DemoOrganization, bands: dict[str, Document], rng: random.Random) -> list[Document]:
    org_id = demo.organization["_id"]
    records = []
    for employee in demo.employees:
        band = bands.get(employee.get("positionId") or "")
        if employee["status"] == "terminated" or band is None or not employee.get("hireDate"):
            continue
        hired = date.fromisoformat(employee["hireDate"])
        start = band["midpoint"] * rng.randint(84, 112) // 100 // 10_000 * 10_000  # whole hundreds
        entries = [(hired, start, "hire")]
        if hired < date(2024, 4, 1):
            entries.append((date(2025, 4, 1), start * rng.randint(102, 106) // 100 // 10_000 * 10_000, "merit 2025"))
        for i, (day, minor, reason) in enumerate(entries):
            records.append({
                "_id": stable_id(f"{org_id}:pay:{employee['_id']}:{i}"), "organizationId": org_id,
                "employeeId": employee["_id"], "effectiveDate": day.isoformat(),
                "base": {"minor": minor, "currency": band["currency"]}, "frequency": "annual", "reason": reason,
                "recordedAt": _at(day), "recordedById": demo.personas["hr_admin"]})
    return records


def _cycle(demo: DemoOrganization, index: int, name: str, review_cycle_id: str | None, period: tuple[date, date],
           effective: date, cutoff: date, phase: str) -> Document:
    org_id = demo.organization["_id"]
    return {"_id": stable_id(f"{org_id}:merit-cycle:{index}"), "organizationId": org_id,
            **rules.cycle_document({
                "name": name, "reviewCycleId": review_cycle_id, "currency": "EUR", "rates": RATES,
                "periodStart": period[0], "periodEnd": period[1], "effectiveDate": effective, "hiredBefore": cutoff,
                "minTenureMonths": 3, "noPayChangeMonths": 0, "meritBudgetPercent": Decimal(3),
                "excludedEmployeeIds": []}),
            "phase": phase, "createdAt": _at(cutoff), "createdById": demo.personas["hr_admin"], "history": []}


def _launch(cycle: Document, demo: DemoOrganization, records: dict[str, list[Document]], bands: dict[str, Document],
            ratings: dict[str, int | None], on: date, approve: bool) -> tuple[list[Document], list[Document]]:
    """The participants and budgets a launch on ``on`` writes; a finished cycle's proposals are the matrix
    targets, approved."""
    chosen = rules.eligibility(cycle, demo.employees, records, on)
    people = []
    for employee in chosen.eligible:
        record = current_record(records[employee["_id"]], on)
        assert record is not None
        person = rules.snapshot(cycle, employee, record, bands.get(employee.get("positionId") or ""),
                                ratings.get(employee["_id"]))
        person["organizationId"] = cycle["organizationId"]
        cell = rules.cell_for(cycle["matrix"], person["rating"], person["compaRatio"])
        if approve and cell is not None:
            at = _at(on)
            person["proposal"] = {"percent": cell["target"], "justification": None, "state": "approved",
                                  "increaseMinor": rules.increase(person, Decimal(cell["target"])).minor,
                                  "byId": person["managerId"], "at": at, "matrixVersion": 0, "cell": dict(cell),
                                  "promotion": None}
            person["trail"] = [{"kind": "proposed", "byId": person["managerId"], "at": at, "percent": cell["target"],
                                "justification": None}, {"kind": "approved", "byId": None, "at": at, "reason": None}]
        person["locked"] = approve
        people.append(person)
    spend: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for person in people:
        counted = amounts(person)
        ids = [manager_budget_id(cycle["_id"], m) for m in person["managerChain"]]
        if person.get("departmentId"):
            ids.append(department_budget_id(cycle["_id"], person["departmentId"]))
        for budget_id in ids:
            for name, value in counted.items():
                spend[budget_id][name] += value
    budgets = [{**b, "organizationId": cycle["organizationId"]} for b in launch_budgets(cycle, people, spend)]
    cycle.update({"launchedAt": _at(on), "snapshotOn": on.isoformat(), "eligibleCount": len(people),
                  "skipped": [{"employeeId": i, "reason": r.value} for i, r in chosen.skipped]})
    return people, budgets


def demo_compensation(demo: DemoOrganization) -> dict[str, list[Document]]:
    rng = random.Random(f"{demo.organization['slug']}:pay")
    bands = _bands(demo)
    records = _records(demo, bands, rng)
    by_employee: dict[str, list[Document]] = defaultdict(list)
    for record in records:
        by_employee[record["employeeId"]].append(record)
    review_docs: dict[str, Any] = demo_review_documents(demo)
    finished_review, running_review = review_docs["reviewCycles"]
    ratings = {r["employeeId"]: final_rating(r) for r in review_docs["reviews"]
               if r["cycleId"] == finished_review["_id"] and r["state"] in {"shared", "acknowledged"}}
    finished = _cycle(demo, 0, "2026 mid-year merit", finished_review["_id"], (date(2026, 1, 1), date(2026, 6, 30)),
                      date(2026, 9, 1), date(2026, 4, 1), "exported")
    running = _cycle(demo, 1, "2027 annual merit", running_review["_id"], (date(2026, 1, 1), date(2026, 12, 31)),
                     date(2027, 1, 1), date(2026, 10, 1), "proposals")
    people: list[Document] = []
    budgets: list[Document] = []
    for cycle, on, approve in ((finished, FINISHED_ON, True), (running, RUNNING_ON, False)):
        p, b = _launch(cycle, demo, by_employee, bands, ratings if approve else {}, on, approve)
        people += p
        budgets += b
    return {"payBands": list(bands.values()), "payRecords": records, "meritCycles": [finished, running],
            "meritParticipants": people, "compensationBudgets": budgets}
