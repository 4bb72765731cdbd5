"""Visibility that holds on every path, in the manner of NetBox's generic tests.

Each entry of :data:`SCENARIOS` makes one change through the API that some viewers may not see (a private
goal, private feedback, a private note, the manager's answer before sharing, …). For each such viewer the
whole query surface (tests/visibility.py: every field path from ``Query``, found by walking the built
schema, to a bounded depth, with required arguments filled from the seeded data) is asked before and after
the change, and the two answers must be identical: nothing hidden shows up, nor its id, nor a count, a
mean or a flag that moved because of it. Then each hidden object asked for by its own id is null, with no
secret in the answer; and a viewer who may see the change finds it on the same walk (so the walk reaches
it and the test can fail).

A new domain adds its hidden objects with one :class:`Scenario` entry (and, if its root fields need an
argument the pool cannot fill, a value in :func:`pool`); see docs/testing.md.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from graphql import GraphQLID, Undefined, get_named_type, is_leaf_type, is_non_null_type

from models.demo.compensation import demo_compensation
from models.demo.feedback import demo_feedback
from models.demo.reviews import demo_review_documents
from schema.schema import build_schema
from tests.checkins.support import upcoming
from tests.client import GraphQLClient
from tests.compensation.support import comp_admin, grant_compensation_admin
from tests.conftest import GLOBEX, NORTHWIND, RunningServer, start_server, stop_server
from tests.conftest import test_settings as settings_for
from tests.goals.support import goals_of, kr_input, new_goal_input, seeded_goals
from tests.reviews.support import (
    CALIBRATE,
    FINISHED,
    RUNNING,
    TEMPLATE,
    UPDATE_ANSWER,
    move,
    seeded_form,
    seeded_review,
)
from tests.visibility import Arguments, Walk, difference, documents

Document = dict[str, Any]
SCHEMA = build_schema(caches=False)._schema
MARKER = "Zq7 hidden marker"


# the cast: the owner of the hidden things and each kind of viewer around them

def _employee(id: str) -> Document:
    return next(e for e in NORTHWIND.employees if e["_id"] == id)


OWNER = _employee(NORTHWIND.personas["employee"])
MANAGER = _employee(OWNER["managerId"])
SKIP = _employee(MANAGER["managerId"])
PEER, PEER2 = [e for e in NORTHWIND.employees if e["managerId"] == MANAGER["_id"] and e["_id"] != OWNER["_id"]
               and e["status"] == "active" and e["roles"] == ["employee"]][:2]
HR = _employee(NORTHWIND.personas["hr_admin"])
VIEWERS = {"owner": OWNER["_id"], "peer": PEER["_id"], "manager": MANAGER["_id"], "skip": SKIP["_id"],
           "hr": HR["_id"], "other_hr": "other_hr"}
REVIEW = seeded_review(RUNNING, OWNER["_id"])
COMPANY_GOAL = next(g for g in seeded_goals() if g["level"] == "company" and g["rollUpChildren"] and not g["archived"])
CHECK_IN = upcoming(OWNER["_id"])
MERIT_RUNNING = demo_compensation(NORTHWIND)["meritCycles"][1]  # in proposals: managers see pay below them


def client(server: RunningServer, who: str) -> GraphQLClient:
    if who == "other_hr":
        return server.client("hr_admin", GLOBEX)
    return server.client(VIEWERS[who])


UNKNOWN = "0" * 24
WALK_BUDGET = 10 ** 12  # the walk asks every path at once, far above a client's cost budget (not what is tested here)


@pytest.fixture
async def server() -> AsyncIterator[RunningServer]:
    """A server without the cost budget and the rate limit: the walk asks for everything at once."""
    uvicorn_server, running = await start_server(settings_for(rate_limit_points=0),
                                                 schema_options={"cost_budget": WALK_BUDGET})
    try:
        yield running
    finally:
        await stop_server(uvicorn_server, running)


def pool() -> Arguments:
    """Values for the required arguments: the people, goals, check-ins, feedback, cycles and reviews around
    the owner (seeded data, so the same before and after a change)."""
    goals = goals_of(OWNER["_id"])
    by_visibility = {g["visibility"]: g["_id"] for g in goals}
    company = COMPANY_GOAL
    feedback = demo_feedback(NORTHWIND)
    competencies = demo_review_documents(NORTHWIND)["competencies"]
    about_owner = [f["_id"] for f in feedback["feedback"] if OWNER["_id"] in (f.get("recipientId"), f.get("authorId"))]
    requests = [r["_id"] for r in feedback["feedbackRequests"] if r["requesterId"] == OWNER["_id"]]
    praise = [p["_id"] for p in feedback["praise"]][:1]
    merit_cycles = [c["_id"] for c in demo_compensation(NORTHWIND)["meritCycles"]]
    return Arguments(
        by_name={"employeeId": [OWNER["_id"]], "cycleId": [RUNNING["_id"], MERIT_RUNNING["_id"]],
                 "rootGoalId": [company["_id"], by_visibility["everyone"]], "positionId": [OWNER["positionId"]],
                 "from": ["2026-01-01"], "to": ["2027-06-30"], "managerId": [OWNER["managerId"]],
                 # no import is seeded: an unknown id, whose answer must stay empty for everyone
                 "importId": [UNKNOWN]},
        ids={"Employee": [OWNER["_id"]], "Goal": [company["_id"], *by_visibility.values()],
             "CheckIn": [CHECK_IN["_id"]], "Feedback": about_owner[:2], "FeedbackRequest": requests[:2],
             "Praise": praise, "ReviewCycle": [RUNNING["_id"], FINISHED["_id"]], "Review": [REVIEW["_id"]],
             "ReviewForm": [seeded_form(REVIEW, "manager")["_id"], seeded_form(REVIEW, "self")["_id"]],
             "Competency": [competencies[0]["_id"]],
             "ReviewTemplate": [TEMPLATE["_id"]], "MeritCycle": merit_cycles,
             # the tests' organisations have no exit records (the demo's leavers are seeded for `make serve`
             # only): an unknown id, whose answer must stay null for everyone
             "ExitRecord": [UNKNOWN]},
        overrides={"overdueCheckIns.asOf": "2027-06-01", "first": 5})


DEPTH = 4


# the scenarios

@dataclass(frozen=True)
class Hidden:
    """What a change made: ``secrets`` (ids and texts no hidden-from viewer may ever read), ``objects``
    (GraphQL type → ids of new objects to ask for directly)."""

    secrets: list[str]
    objects: dict[str, list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Scenario:
    """One change hidden from some viewers: ``types`` are the object types it can show through (the walk
    covers every path from ``Query`` to them), ``hide`` makes it through the API, ``seen_by`` must find it."""

    name: str
    types: tuple[str, ...]
    hide: Callable[[RunningServer], Awaitable[Hidden]]
    hidden_from: tuple[str, ...]
    seen_by: str
    prepare: Callable[[RunningServer], Awaitable[None]] | None = None


async def ok(server: RunningServer, who: str, query: str, variables: Document) -> Document:
    data = await client(server, who).data(query, variables)
    (payload,) = data.values()
    assert payload["errors"] == [], payload
    return payload


CREATE_GOAL = """mutation($i: CreateGoalInput!) {
  createGoal(input: $i) { goal { id keyResults { id } } errors { code } } }"""


def goal_change(visibility: str) -> Callable[[RunningServer], Awaitable[Hidden]]:
    async def hide(server: RunningServer) -> Hidden:
        parent = COMPANY_GOAL  # rolls up: its progress must not move for those who may not see the child
        payload = await ok(server, "owner", CREATE_GOAL, {"i": new_goal_input(
            title=MARKER, visibility=visibility, parentId=parent["_id"], keyResults=[kr_input(title=MARKER)])})
        goal = payload["goal"]
        return Hidden([goal["id"], goal["keyResults"][0]["id"], MARKER], {"Goal": [goal["id"]]})
    return hide


GIVE = "mutation($i: GiveFeedbackInput!) { giveFeedback(input: $i) { feedback { id } errors { code } } }"


def feedback_change(visibility: str) -> Callable[[RunningServer], Awaitable[Hidden]]:
    async def hide(server: RunningServer) -> Hidden:
        payload = await ok(server, "peer", GIVE, {"i": {"recipientId": OWNER["_id"], "text": MARKER,
                                                       "visibility": visibility}})
        return Hidden([payload["feedback"]["id"], MARKER], {"Feedback": [payload["feedback"]["id"]]})
    return hide


REQUEST = """mutation($i: RequestFeedbackInput!) { requestFeedback(input: $i) { request { id } errors { code } } }"""
ANSWER = """mutation($r: ID!, $i: AnswerFeedbackRequestInput!) {
  answerFeedbackRequest(requestId: $r, input: $i) { feedback { id } errors { code } } }"""
_requests: dict[int, str] = {}


async def ask_peers(server: RunningServer) -> None:
    payload = await ok(server, "owner", REQUEST, {"i": {"respondentIds": [PEER["_id"], PEER2["_id"]],
                                                       "question": "How did the launch go?", "dueDate": "2027-01-31"}})
    _requests[id(server)] = payload["request"]["id"]


async def second_peer_answers(server: RunningServer) -> Hidden:
    data = await server.client(PEER2["_id"]).data(ANSWER, {"r": _requests[id(server)], "i": {"text": MARKER}})
    assert data["answerFeedbackRequest"]["errors"] == [], data
    answer = data["answerFeedbackRequest"]["feedback"]["id"]
    return Hidden([answer, MARKER], {"Feedback": [answer]})


PRIVATE_NOTE = """mutation($c: ID!, $t: String!) {
  setCheckInPrivateNote(checkInId: $c, text: $t) { errors { code } } }"""
LINK = "mutation($c: ID!, $g: ID!) { linkCheckInGoal(checkInId: $c, goalId: $g) { errors { code } } }"
RECORD = """mutation($c: ID!, $kr: ID!, $v: Float!, $m: String) {
  recordCheckInProgress(checkInId: $c, keyResultId: $kr, value: $v, comment: $m) { errors { code } } }"""


async def private_note(server: RunningServer) -> Hidden:
    await ok(server, "owner", PRIVATE_NOTE, {"c": CHECK_IN["_id"], "t": MARKER})
    return Hidden([MARKER])


async def private_goal_in_check_in(server: RunningServer) -> Hidden:
    goal = next(g for g in goals_of(OWNER["_id"]) if g["visibility"] == "private"
                and any(kr["metricKind"] == "number" for kr in g["keyResults"]))
    kr = next(kr for kr in goal["keyResults"] if kr["metricKind"] == "number")
    await ok(server, "owner", LINK, {"c": CHECK_IN["_id"], "g": goal["_id"]})
    await ok(server, "owner", RECORD, {"c": CHECK_IN["_id"], "kr": kr["_id"], "v": kr["startValue"] + 1,
                                       "m": MARKER})
    return Hidden([goal["_id"], kr["_id"], kr["title"], MARKER])


async def managers_answer(server: RunningServer) -> Hidden:
    form = seeded_form(REVIEW, "manager")
    await ok(server, "manager", UPDATE_ANSWER, {"form": form["_id"], "question": "strengths", "value": MARKER,
                                                "base": 0})
    return Hidden([MARKER])


async def to_calibration(server: RunningServer) -> None:
    for state in ("MANAGER_REVIEW", "CALIBRATION"):
        assert (await move(server, "hr_admin", REVIEW["_id"], state))["errors"] == []


async def calibration(server: RunningServer) -> Hidden:
    await ok(server, "hr", CALIBRATE, {"review": REVIEW["_id"], "rating": 2, "why": MARKER})
    return Hidden([MARKER])


PRAISE = "mutation($i: PostPraiseInput!) { postPraise(input: $i) { praise { id } errors { code } } }"


async def praise(server: RunningServer) -> Hidden:
    payload = await ok(server, "peer", PRAISE, {"i": {"recipientIds": [OWNER["_id"]], "message": MARKER,
                                                     "value": "Ownership"}})
    return Hidden([payload["praise"]["id"], MARKER], {"Praise": [payload["praise"]["id"]]})


GOALS = ("Goal", "KeyResult", "GoalTreeNode", "TeamMemberGoals", "ProgressEntry", "ReviewGoal")
FEEDBACK = ("Feedback", "FeedbackRequest", "FollowUp", "DepartmentFollowUpStats")
CHECK_INS = ("CheckIn", "CheckInProgressUpdate", "CheckInAnswer", "TalkingPoint", "ActionItem", "CheckInParticipation",
             "OverdueCheckIn")
REVIEWS = ("Review", "ReviewForm", "ReviewAnswer", "ReviewScore", "ReviewFormScore", "KindScore", "Calibration",
           "ReviewFeedback", "FeedbackQuestion", "CycleProgress", "CycleDistribution", "FormCounts", "RatingCount")
RECORD_PAY = """mutation($i: RecordPayInput!) { recordPay(input: $i) { record { id } errors { code } } }"""
PROPOSE = """mutation($c: ID!, $e: ID!, $why: String) {
  proposeIncrease(cycleId: $c, employeeId: $e, percent: "7.25", justification: $why) {
    participant { id } errors { code } } }"""
PAY_TYPES = ("EmployeePay", "PayRecord", "MeritParticipant", "MeritProposal", "CompensationBudget", "BudgetPool",
             "PayStatement")


async def pay_record(server: RunningServer) -> Hidden:
    """A compensation admin records the owner's new pay (which also moves their snapshot in the running cycle)."""
    admin = await comp_admin(server)
    data = await admin.data(RECORD_PAY, {"i": {"employeeId": OWNER["_id"], "effectiveDate": "2026-06-01",
                                               "amount": "98765.43", "currency": "EUR", "reason": MARKER}})
    record = data["recordPay"]["record"]
    return Hidden([record["id"], "98765.43", MARKER])


async def merit_proposal(server: RunningServer) -> Hidden:
    """The owner's manager proposes their increase in the running merit cycle."""
    payload = await ok(server, "manager", PROPOSE, {"c": MERIT_RUNNING["_id"], "e": OWNER["_id"], "why": MARKER})
    return Hidden([MARKER, payload["participant"]["id"]])


SCENARIOS = [
    Scenario("private goal", GOALS, goal_change("PRIVATE"), ("peer", "manager", "skip", "other_hr"), "owner"),
    Scenario("management-chain goal", GOALS, goal_change("MANAGEMENT_CHAIN"), ("peer", "other_hr"), "skip"),
    Scenario("private feedback", FEEDBACK, feedback_change("PRIVATE"), ("manager", "skip", "hr", "other_hr"),
             "owner"),
    Scenario("manager-only note", FEEDBACK, feedback_change("MANAGER_ONLY"), ("owner", "hr", "other_hr"), "manager"),
    Scenario("another respondent's answer", FEEDBACK, second_peer_answers,
             ("peer", "manager", "skip", "hr", "other_hr"), "owner", prepare=ask_peers),
    Scenario("private check-in note", CHECK_INS, private_note, ("manager", "skip", "hr", "other_hr"), "owner"),
    Scenario("private goal in a check-in", (*CHECK_INS, *GOALS), private_goal_in_check_in,
             ("manager", "skip", "other_hr"), "owner"),
    Scenario("manager's answer before sharing", REVIEWS, managers_answer, ("owner", "peer", "other_hr"), "hr"),
    Scenario("calibration before sharing", REVIEWS, calibration, ("owner", "peer", "other_hr"), "manager",
             prepare=to_calibration),
    Scenario("praise in another organisation", ("Praise",), praise, ("other_hr",), "owner"),
    # pay: the person and compensation admins (never HR by default); managers during a cycle's proposals
    Scenario("a pay record", PAY_TYPES, pay_record, ("peer", "hr", "other_hr"), "owner",
             prepare=grant_compensation_admin),  # HR sees roles: the role is granted before the walks
    Scenario("a merit proposal", (*PAY_TYPES, "TrailEntry"), merit_proposal, ("owner", "peer", "hr", "other_hr"),
             "manager"),
]


# the walk

def normalized(body: Document) -> Document:
    """An answer without what varies from run to run: errors in a stable order, without their locations
    (the order fields resolve in is not fixed)."""
    errors = [{k: v for k, v in e.items() if k != "locations"} for e in body.get("errors", [])]
    rest = {k: v for k, v in body.items() if k != "extensions"}  # the cost report: the rate points left vary
    return {**rest, "errors": sorted(errors, key=lambda e: json.dumps(e, sort_keys=True))}


async def walk(server: RunningServer, who: str, texts: dict[str, list[str]]) -> dict[str, list[Document]]:
    """The answers to every document of the walk, by root field, as ``who``."""
    viewer = client(server, who)
    names = list(texts)
    slots = asyncio.Semaphore(4)

    async def ask(text: str) -> Document:
        async with slots:
            return await viewer.execute(text)

    answers = await asyncio.gather(*(asyncio.gather(*(ask(t) for t in texts[n])) for n in names))
    return {name: [normalized(a) for a in found] for name, found in zip(names, answers, strict=True)}


def direct_queries(objects: dict[str, list[str]]) -> list[str]:
    """``{ goal(id: …) { __typename } }`` for each new object, through every root field that takes one
    required ID (``id``, ``rootGoalId``, …) and returns the object's type."""
    assert SCHEMA.query_type is not None
    found = []
    for name, definition in SCHEMA.query_type.fields.items():
        required = [arg_name for arg_name, arg in definition.args.items() if is_non_null_type(arg.type)
                    and arg.default_value is Undefined]
        kind = get_named_type(definition.type)
        if len(required) == 1 and kind.name in objects and get_named_type(definition.args[required[0]].type) \
                is GraphQLID:
            found += [f'{{ {name}({required[0]}: "{id}") {{ __typename }} }}' for id in objects[kind.name]]
    return found


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
async def test_a_hidden_change_shows_on_no_path(server: RunningServer, scenario: Scenario) -> None:
    # given the owner's surroundings (and whatever the scenario prepares), as each viewer who may not see it
    texts = documents(SCHEMA, pool(), scenario.types, depth=DEPTH)
    if scenario.prepare:
        await scenario.prepare(server)
    before = {who: await walk(server, who, texts) for who in scenario.hidden_from}
    # when the change is made
    hidden = await scenario.hide(server)
    # then nothing on any path differs for them
    leaks = []
    for who in scenario.hidden_from:
        after = await walk(server, who, texts)
        leaks += [f"{who} on {name}: {diff}" for name, answers in after.items()
                  if (diff := difference(before[who][name], answers))]
        # and every new object asked for by its id is absent, with none of its secrets
        for text in direct_queries(hidden.objects):
            body = await client(server, who).execute(text)
            if list(body["data"].values()) != [None] or any(s in json.dumps(body) for s in hidden.secrets):
                leaks.append(f"{who} on {text}: {body}")
    assert leaks == [], f"{scenario.name}:\n" + "\n".join(leaks)
    # while someone who may see it finds it on the same walk
    seen = json.dumps(await walk(server, scenario.seen_by, texts))
    assert MARKER in seen, f"{scenario.name}: {scenario.seen_by} does not find the change on any path"


# refusals of top-level fields

def root_calls() -> list[str]:
    """Each root query field once, its required arguments filled from the pool, selecting ``__typename``
    (a leaf field as it is)."""
    assert SCHEMA.query_type is not None
    walker = Walk(SCHEMA, pool(), DEPTH, frozenset())
    calls = []
    for name, definition in SCHEMA.query_type.fields.items():
        call = re.sub(r"^a\d+: ", "", walker.calls("Query", name, definition)[0])
        calls.append(call if is_leaf_type(get_named_type(definition.type)) else f"{call} {{ __typename }}")
    return calls


@pytest.mark.parametrize("who", ["peer", "manager", "other_hr"])
async def test_a_refused_top_level_field_never_wipes_its_siblings(server: RunningServer, who: str) -> None:
    # given every root query field asked next to `me`, by a viewer refused some of them
    wiped = []
    for call in root_calls():
        body = await client(server, who).execute(f"{{ me {{ __typename }} {call} }}")
        name = re.split(r"[ (]", call)[0]
        # then `me` survives every refusal, and a refusal is a FORBIDDEN error (or an unknown id's
        # BAD_USER_INPUT) on that field alone, which is null
        errors = [(e["extensions"]["code"], e["path"][0]) for e in body.get("errors", [])]
        if body["data"] is None or body["data"]["me"] != {"__typename": "Employee"} \
                or any(code not in ("FORBIDDEN", "BAD_USER_INPUT") or path != name for code, path in errors) \
                or (errors and body["data"][name] is not None):
            wiped.append(f"{name}: {body}")
    assert wiped == [], "\n".join(wiped)
