"""Overdue check-ins (managers and HR admins) and the participation report (HR admins), from the seed."""

from __future__ import annotations

from collections import Counter
from datetime import date

from models.demo.checkins import SEED_TODAY
from tests.checkins.support import (
    COMPLETE,
    DEPARTMENTS,
    EMPLOYEES,
    SEED,
    SET_DEPARTMENT_CADENCE,
    Document,
    codes,
    department,
    person,
    plus_period,
    sales_series,
    upcoming,
)
from tests.conftest import RunningServer

OVERDUE = """
query($asOf: Date) { overdueCheckIns(asOf: $asOf) {
  cadence daysOverdue series { id lastHeldOn employee { id } manager { id } } } }
"""
PARTICIPATION = """
query($from: Date!, $to: Date!, $asOf: Date) { checkInParticipation(from: $from, to: $to, asOf: $asOf) {
  department { id } cadence due completed skipped missed completionRate } }
"""
CADENCE_ORDER = ["weekly", "biweekly", "monthly"]


def expected_overdue(as_of: date, below: str | None = None) -> list[tuple[str, str, int]]:
    """(series id, cadence, days overdue) of active series whose last held check-in (or start) is older
    than their department's cadence, most overdue first; ``below``: only the people under that manager."""
    found = []
    for series in SEED["checkInSeries"]:
        employee = EMPLOYEES[series["employeeId"]]
        if not series["active"] or employee["status"] == "terminated":
            continue
        if below is not None and below not in employee["managerChain"]:
            continue
        cadence = series["cadence"] or DEPARTMENTS[employee["departmentId"]]["cadence"]
        due = plus_period(date.fromisoformat(series["lastHeldOn"] or series["startedOn"]), cadence)
        if due < as_of:
            found.append((series["_id"], cadence.upper(), (as_of - due).days))
    return sorted(found, key=lambda row: (-row[2], row[0]))


def expected_participation(start: str, end: str) -> list[Document]:
    counts: dict[tuple[str, str], Counter[str]] = {}
    for check_in in SEED["checkIns"]:
        if start <= check_in["scheduledOn"] <= end and check_in["status"] != "cancelled":
            counts.setdefault((check_in["departmentId"], check_in["cadence"]), Counter())[check_in["status"]] += 1
    rows = []
    for (department_id, cadence), by_status in sorted(counts.items(),
                                                      key=lambda kv: (kv[0][0], CADENCE_ORDER.index(kv[0][1]))):
        due = sum(by_status.values())
        rows.append({"department": {"id": department_id}, "cadence": cadence.upper(), "due": due,
                     "completed": by_status["completed"], "skipped": by_status["skipped"],
                     "missed": due - by_status["completed"] - by_status["skipped"],
                     "completionRate": round(by_status["completed"] / due, 4)})
    return rows


def shown(rows: list[Document]) -> list[tuple[str, str, int]]:
    return [(row["series"]["id"], row["cadence"], row["daysOverdue"]) for row in rows]


async def test_hr_admins_see_every_overdue_series(server: RunningServer) -> None:
    # given the seed as of its own date, when lapsed series last met a month earlier
    expected = expected_overdue(SEED_TODAY)
    assert expected  # the seed has lapsed series
    # when an HR admin lists overdue check-ins as of that date
    data = await server.client("hr_admin").data(OVERDUE, {"asOf": SEED_TODAY.isoformat()})
    # then every series past its cadence is listed, most overdue first, with its participants
    assert shown(data["overdueCheckIns"]) == expected
    for row in data["overdueCheckIns"]:
        series = next(s for s in SEED["checkInSeries"] if s["_id"] == row["series"]["id"])
        assert row["series"] == {"id": series["_id"], "lastHeldOn": series["lastHeldOn"],
                                 "employee": {"id": series["employeeId"]}, "manager": {"id": series["managerId"]}}


async def test_a_manager_sees_the_overdue_series_below_them(server: RunningServer) -> None:
    # given a level-2 leader with many people below them, and a later date at which more series are late
    as_of = date(2026, 11, 20)
    leader = next(e for e in EMPLOYEES.values() if len(e["managerChain"]) == 1 and "hr_admin" not in e["roles"]
                  and expected_overdue(as_of, e["_id"]))
    expected = expected_overdue(as_of, leader["_id"])
    # when they list overdue check-ins
    data = await server.client(leader["_id"]).data(OVERDUE, {"asOf": as_of.isoformat()})
    # then they see exactly the series of people below them
    assert shown(data["overdueCheckIns"]) == expected
    assert len(expected) < len(expected_overdue(as_of))


async def test_overdue_list_follows_a_held_check_in(server: RunningServer) -> None:
    # given an overdue series (a lapsed one) as of the seed date
    series_id, _, _ = expected_overdue(SEED_TODAY)[0]
    series = next(s for s in SEED["checkInSeries"] if s["_id"] == series_id)
    # when its manager holds the long-due check-in on the seed date
    data = await server.client(series["managerId"]).data(COMPLETE, {"id": upcoming(series["employeeId"])["_id"],
                                                                    "heldOn": SEED_TODAY.isoformat()})
    assert data["completeCheckIn"]["errors"] == []
    # then it is no longer overdue as of that date
    listed = await server.client("hr_admin").data(OVERDUE, {"asOf": SEED_TODAY.isoformat()})
    assert series_id not in [row["series"]["id"] for row in listed["overdueCheckIns"]]


async def test_overdue_list_is_for_managers_and_hr_admins(server: RunningServer) -> None:
    # given an individual contributor (no reports, no HR role)
    assert person("employee")["roles"] == ["employee"]
    # when they ask for overdue check-ins, then it is FORBIDDEN
    body = await server.client("employee").execute(OVERDUE, {"asOf": SEED_TODAY.isoformat()})
    assert codes(body) == ["FORBIDDEN"] and body["data"] == {"overdueCheckIns": None}


async def test_participation_by_department_and_cadence(server: RunningServer) -> None:
    # given three months of seeded check-ins: Customer Success monthly (the pilot), everyone else weekly
    start, end = "2026-08-01", "2026-10-31"
    expected = expected_participation(start, end)
    pilot = department("Customer Success")["_id"]
    assert {(r["department"]["id"], r["cadence"]) for r in expected} >= {(pilot, "MONTHLY"),
                                                                         (department("Sales")["_id"], "WEEKLY")}
    # when an HR admin asks for the participation report over those months
    data = await server.client("hr_admin").data(PARTICIPATION, {"from": start, "to": end,
                                                                "asOf": SEED_TODAY.isoformat()})
    # then each department and cadence shows what was due, held, skipped and missed, and the completion rate
    assert data["checkInParticipation"] == expected


async def test_participation_counts_only_what_was_due_by_the_as_of_date(server: RunningServer) -> None:
    # given a period that runs past the as-of date
    data = await server.client("hr_admin").data(PARTICIPATION, {"from": "2026-09-01", "to": "2026-12-31",
                                                                "asOf": "2026-09-30"})
    # then only check-ins scheduled up to the as-of date count
    assert data["checkInParticipation"] == expected_participation("2026-09-01", "2026-09-30")


async def test_a_cadence_change_shows_as_two_rows(server: RunningServer) -> None:
    # given a Sales series whose upcoming weekly check-in is held after Sales moved to monthly
    [series] = sales_series(1)
    sales = department("Sales")["_id"]
    await server.client("hr_admin").data(SET_DEPARTMENT_CADENCE, {"id": sales, "cadence": "MONTHLY"})
    current = upcoming(series["employeeId"])
    data = await server.client(series["managerId"]).data(COMPLETE, {"id": current["_id"],
                                                                    "heldOn": current["scheduledOn"]})
    assert data["completeCheckIn"]["errors"] == []
    following = plus_period(date.fromisoformat(current["scheduledOn"]), "monthly").isoformat()
    # when HR asks for the report from that check-in up to just after the next one
    data = await server.client("hr_admin").data(PARTICIPATION, {
        "from": current["scheduledOn"], "to": following, "asOf": following})
    rows = {(r["department"]["id"], r["cadence"]): r for r in data["checkInParticipation"]}
    # then Sales has a weekly row (the held one counts) and a monthly row (the next one, not yet held)
    weekly = [c for c in SEED["checkIns"] if c["departmentId"] == sales and c["cadence"] == "weekly"
              and current["scheduledOn"] <= c["scheduledOn"] <= following]
    assert rows[(sales, "WEEKLY")]["due"] == len(weekly)
    assert rows[(sales, "WEEKLY")]["completed"] == 1 + sum(c["status"] == "completed" for c in weekly)
    assert rows[(sales, "MONTHLY")] == {"department": {"id": sales}, "cadence": "MONTHLY", "due": 1, "completed": 0,
                                        "skipped": 0, "missed": 1, "completionRate": 0.0}


async def test_participation_is_for_hr_admins(server: RunningServer) -> None:
    variables = {"from": "2026-08-01", "to": "2026-10-31"}
    # when a manager asks for the report, then it is FORBIDDEN
    body = await server.client("manager").execute(PARTICIPATION, variables)
    assert codes(body) == ["FORBIDDEN"] and body["data"] == {"checkInParticipation": None}
    # and a period that ends before it starts is a bad request
    body = await server.client("hr_admin").execute(PARTICIPATION, {"from": "2026-10-31", "to": "2026-08-01"})
    assert codes(body) == ["BAD_USER_INPUT"]
    assert body["errors"][0]["message"] == "the period ends before it starts"
