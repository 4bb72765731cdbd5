"""The demo's exits (seeded for `make serve` only): two years of leavers at about 15 % a year, anonymous answers,
a pattern in Sales, a team lead below k; and none of it in the tests' seeded organisations."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from store.core.seed import demo_documents
from tests.conftest import NORTHWIND, RunningServer

DEMO = demo_documents(NORTHWIND, demo_only=True)
REPORT = """
query($by: AttritionGroupBy!, $period: AttritionPeriodInput) {
  attritionReport(groupBy: $by, period: $period) {
    rows { key label suppressed leavers regrettedShare } total { leavers regrettedShare }
  }
}"""


def test_the_tests_organisations_have_no_demo_leavers() -> None:
    seeded = demo_documents(NORTHWIND)
    assert not any(name.startswith("exit") for name in seeded)
    assert len(seeded["employees"]) == len(NORTHWIND.employees) == 200
    assert len(DEMO["employees"]) == 260


def test_two_years_of_leavers_at_about_fifteen_percent_a_year() -> None:
    records = DEMO["exitRecords"]
    assert len(records) == 60  # 200 people x 15 % x 2 years
    leavers = {e["_id"] for e in DEMO["employees"] if e["status"] == "terminated"} - {
        e["_id"] for e in NORTHWIND.employees}
    assert {r["employeeId"] for r in records} == leavers
    assert 30 <= sum(r["surveyDone"] for r in records) == len(DEMO["exitSurveyResponses"])


def test_the_demo_answers_link_to_nobody() -> None:
    leavers = {r["employeeId"] for r in DEMO["exitRecords"]} | {r["_id"] for r in DEMO["exitRecords"]}
    for answer in DEMO["exitSurveyResponses"]:
        text = json.dumps(answer, default=str)
        assert not any(id in text for id in leavers)
        assert "lastDay" not in answer and len(answer["month"]) == 7


async def test_the_demo_report_shows_the_sales_pattern_and_hides_the_small_team(server: RunningServer) -> None:
    # given the demo's exits in the running server's store
    for name, docs in DEMO.items():
        if name.startswith("exit"):
            await getattr(server.database, name).insert_many([dict(d) for d in docs])
    known = {p["_id"] for p in NORTHWIND.employees}
    await server.database.employees.insert_many([dict(e) for e in DEMO["employees"] if e["_id"] not in known])
    # when HR reports the two years by department
    period = {"start": "2024-11-01", "end": "2026-11-01"}
    data = await server.client("hr_admin").data(REPORT, {"by": "DEPARTMENT", "period": period})
    rows: dict[str, Any] = {r["label"]: r for r in data["attritionReport"]["rows"]}
    # then Sales loses the most people, the most regretted ones, and more of them regretted than the whole
    total = data["attritionReport"]["total"]
    assert total["leavers"] == 60
    shown = {label: r for label, r in rows.items() if not r["suppressed"] and r["leavers"]}
    assert max(shown, key=lambda label: shown[label]["leavers"]) == "Sales"
    assert max(shown, key=lambda label: shown[label]["leavers"] * (shown[label]["regrettedShare"] or 0)) == "Sales"
    assert shown["Sales"]["regrettedShare"] > total["regrettedShare"]
    # and by manager, the team lead with two leavers is hidden
    by_manager = await server.client("hr_admin").data(REPORT, {"by": "MANAGER", "period": period})
    counts = Counter(r["cohort"]["managerId"] for r in DEMO["exitRecords"])
    small = next(m for m, n in counts.items() if n == 2)
    row = next(r for r in by_manager["attritionReport"]["rows"] if r["key"] == small)
    assert (row["suppressed"], row["leavers"]) == (True, None)
