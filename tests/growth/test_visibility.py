"""The generic visibility walk (``tests/core/test_visibility.py``) over the growth types: a succession plan's
successor, a mentoring session and a development action show on no path to those they are hidden
from, and the walk finds them for someone who may see them."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.conftest import RunningServer, start_server, stop_server
from tests.conftest import settings_for_tests as settings_for
from tests.core import test_visibility as generic
from tests.core.test_visibility import MARKER, OWNER, PEER2, Hidden, Scenario, ok

SAVE_PLAN = """mutation($p: ID!, $s: [SuccessorInput!]!) { saveSuccessionPlan(positionId: $p, successors: $s) {
  plan { version } errors { code } } }"""
START = """mutation($mentor: ID!, $mentee: ID!) { startMentorship(mentorId: $mentor, menteeId: $mentee) {
  mentorship { id } errors { code } } }"""
LOG = """mutation($m: ID!, $notes: String) { logMentoringSession(mentorshipId: $m, notes: $notes) {
  session { id } errors { code } } }"""
ACTION = """mutation($e: ID!, $a: DevelopmentActionInput!) { saveDevelopmentAction(employeeId: $e, action: $a) {
  developmentAction { id } errors { code } } }"""
SUCCESSION = ("SuccessionPlan", "Successor", "BenchStrength")
MENTORING = ("Mentorship", "MentoringSession", "GrowthPlan")
PLANS = ("GrowthPlan", "DevelopmentAction", "GrowthTarget")
_mentorships: dict[int, str] = {}


@pytest.fixture
async def server() -> AsyncIterator[RunningServer]:
    """As the generic walk's: no cost budget, no rate limit."""
    uvicorn_server, running = await start_server(settings_for(rate_limit_points=0),
                                                 schema_options={"cost_budget": generic.WALK_BUDGET})
    try:
        yield running
    finally:
        await stop_server(uvicorn_server, running)


async def external_successor(server: RunningServer) -> Hidden:
    """The owner's manager names an external successor for the owner's own position."""
    await ok(server, "manager", SAVE_PLAN, {"p": OWNER["positionId"], "s": [
        {"externalName": MARKER, "externalReadiness": "READY_NOW", "status": "PROPOSED"}]})
    return Hidden([MARKER], {"SuccessionPlan": [OWNER["positionId"]]})


async def mentor_the_owner(server: RunningServer) -> None:
    payload = await ok(server, "hr", START, {"mentor": PEER2["_id"], "mentee": OWNER["_id"]})
    _mentorships[id(server)] = payload["mentorship"]["id"]


async def session_notes(server: RunningServer) -> Hidden:
    payload = await ok(server, "owner", LOG, {"m": _mentorships[id(server)], "notes": MARKER})
    return Hidden([payload["session"]["id"], MARKER])


async def development_action(server: RunningServer) -> Hidden:
    payload = await ok(server, "owner", ACTION, {"e": OWNER["_id"], "a": {"kind": "LEARNING", "title": MARKER}})
    return Hidden([payload["developmentAction"]["id"], MARKER])


SCENARIOS = [
    Scenario("a successor of the owner's position", SUCCESSION, external_successor, ("owner", "peer", "other_hr"),
             "manager"),
    # the mentee's managers and HR admins see the mentorship and its session count, never the notes
    # (tests/growth/test_mentorships.py); the walk: nothing of a session for anyone else
    Scenario("a mentoring session", MENTORING, session_notes, ("peer", "other_hr"), "owner", prepare=mentor_the_owner),
    Scenario("a development action", PLANS, development_action, ("peer", "other_hr"), "skip"),
]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
async def test_a_hidden_growth_change_shows_on_no_path(server: RunningServer, scenario: Scenario) -> None:
    await generic.test_a_hidden_change_shows_on_no_path(server, scenario)
