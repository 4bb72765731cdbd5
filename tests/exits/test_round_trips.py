"""Store round trips of the exits queries grow with the query's shape, never with the number of exits."""

from __future__ import annotations

from tests.conftest import RunningServer
from tests.exits.support import (
    EXIT_RECORDS,
    active_individual_contributors,
    record_of,
    save_reason,
    save_template,
    terminate,
)

CLASSIFY_PRIMARY = """
mutation($id: ID!, $reason: ID!) {
  classifyExit(exitId: $id, input: {kind: VOLUNTARY, regretted: true, primaryReasonId: $reason}) { errors { code } }
}"""
REPORT = """
{ attritionReport(groupBy: DEPARTMENT) { rows { key label leavers } total { leavers averageLastRating
  lapsedCheckIns averageFeedbackReceived } } }"""
TEMPLATED = "{ exitRecords(first: 50) { edges { node { id template { id questions { id } } } } } }"


async def leave(server: RunningServer, people: int, reason: str) -> None:
    for leaver in active_individual_contributors()[:people]:
        await terminate(server, leaver["_id"])
        record = await record_of(server, leaver["_id"])
        body = await server.client("hr_admin").data(CLASSIFY_PRIMARY, {"id": record["_id"], "reason": reason})
        assert body["classifyExit"]["errors"] == []


async def calls(server: RunningServer, query: str) -> int:
    hr = server.client("hr_admin")
    server.database.stats.reset()
    await hr.data(query)
    return server.database.stats.calls


async def test_exit_records_with_nested_fields_cost_the_same_for_two_or_six(server: RunningServer) -> None:
    await save_template(server)
    reason = await save_reason(server, "pay", "COMPENSATION")
    await leave(server, 2, reason)
    two = (await calls(server, EXIT_RECORDS), await calls(server, TEMPLATED), await calls(server, REPORT))
    await leave(server, 6, reason)
    six = (await calls(server, EXIT_RECORDS), await calls(server, TEMPLATED), await calls(server, REPORT))
    assert six == two
