"""Store round trips of nested check-in queries: they depend on the query's shape, not on how many
reports, series, occurrences or overdue series there are (counted at the store boundary)."""

from __future__ import annotations

from typing import Any

from models.demo.checkins import SEED_TODAY
from tests.checkins.support import person
from tests.conftest import RunningServer

TEAM = """
query($id: ID!) { employee(id: $id) { name reports { name checkInSeries {
  cadence lastHeldOn manager { name }
  upcoming { scheduledOn questions { text } talkingPoints { text author { name } }
             actionItems { text owner { name } } myPrivateNote }
  history(last: 3) { heldOn rating }
} } } }
"""
OVERDUE = """
query($asOf: Date) { overdueCheckIns(asOf: $asOf) { daysOverdue cadence series {
  employee { name } manager { name } upcoming { scheduledOn actionItems { text } } } } }
"""
# Sign-in (the viewer), the root employee, their reports, then one batch of the series' people (for the
# cadence and the managers' names); one query each for the series, the departments (cadence), the
# upcoming occurrences, the histories, the action items and the viewer's private notes.
SIGN_IN = 1
TEAM_CALLS = {"employees": SIGN_IN + 3, "checkInSeries": 1, "checkIns": 2, "departments": 1,
              "checkInActionItems": 1, "checkInNotes": 1}
# The active series, their people and departments in one batch each, the upcoming occurrences, the items.
OVERDUE_CALLS = {"employees": SIGN_IN + 1, "checkInSeries": 1, "departments": 1, "checkIns": 1,
                 "checkInActionItems": 1}


async def counted(server: RunningServer, query: str, variables: dict[str, Any]) -> tuple[dict[str, Any], dict]:
    server.database.stats.reset()
    data = await server.client("hr_admin").data(query, variables)
    return data, dict(server.database.stats.by_collection)


async def test_a_teams_check_ins_cost_the_same_for_any_team_size(server: RunningServer) -> None:
    # given two managers whose reports all have check-in history: a team lead (6) and a manager (3)
    managers = [person("employee")["managerId"], person("manager")["_id"]]
    sizes, calls = [], []
    for manager in managers:
        # when an HR admin reads each team's series, upcoming check-ins and recent history
        data, by_collection = await counted(server, TEAM, {"id": manager})
        reports = data["employee"]["reports"]
        sizes.append(len(reports))
        calls.append(by_collection)
        assert all(r["checkInSeries"] and r["checkInSeries"][0]["history"] for r in reports)
    # then both cost the same fixed number of round trips
    assert sizes[0] > sizes[1]
    assert calls == [TEAM_CALLS, TEAM_CALLS]


async def test_the_overdue_list_costs_the_same_however_long_it_is(server: RunningServer) -> None:
    # given a date on which a few series are overdue, and one on which all of them are
    lengths, calls = [], []
    for as_of in (SEED_TODAY.isoformat(), "2027-06-01"):
        # when an HR admin lists them with their people and upcoming check-ins
        data, by_collection = await counted(server, OVERDUE, {"asOf": as_of})
        lengths.append(len(data["overdueCheckIns"]))
        calls.append(by_collection)
    # then the round trips are the same
    assert 0 < lengths[0] < lengths[1]
    assert calls == [OVERDUE_CALLS, OVERDUE_CALLS]


TIMELINE = """
query($id: ID!, $past: Int!) { checkIns(employeeId: $id, past: $past) {
  upcoming { scheduledOn manager { name } talkingPoints { author { name } } actionItems { owner { name } }
             myPrivateNote series { cadence } }
  past { heldOn rating questions { answers { author { name } } } talkingPoints { author { name } }
         actionItems { owner { name } } myPrivateNote department { name } }
} }
"""
# Sign-in, the employee, their series, the upcoming and the past occurrences, one batch of people (the
# series' manager), the departments, the action items and the private notes of every occurrence listed.
TIMELINE_CALLS = {"employees": SIGN_IN + 2, "checkInSeries": 1, "checkIns": 2, "departments": 1,
                  "checkInActionItems": 1, "checkInNotes": 1}


async def test_someones_check_ins_cost_the_same_for_one_or_many_past_ones(server: RunningServer) -> None:
    # given the employee persona's three months of check-ins
    employee = person("employee")
    lengths, calls = [], []
    for past in (1, 100):
        # when an HR admin lists the upcoming one and the last one, then all of them
        data, by_collection = await counted(server, TIMELINE, {"id": employee["_id"], "past": past})
        lengths.append(len(data["checkIns"]["past"]))
        calls.append(by_collection)
    # then the round trips are the same
    assert lengths[0] == 1 and lengths[1] > 10
    assert calls == [TIMELINE_CALLS, TIMELINE_CALLS]
