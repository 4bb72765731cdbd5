"""Visibility that holds on every path, in the manner of NetBox's generic tests.

Each entry of :data:`SCENARIOS` makes one change through the API that some viewers may not see (a private
goal, private feedback, a private note, the manager's answer before sharing, …). For each such viewer the
whole query surface (tests/visibility.py: every field path from ``Query``, found by walking the built
schema, to a bounded depth, with required arguments filled from the seeded data) is asked before and after
the change, and the two answers must be identical: nothing hidden shows up, nor its id, nor a count, a
mean or a flag that moved because of it. Then each hidden object asked for by its own id is null, with no
secret in the answer; and a viewer who may see the change finds it on the same walk (so the walk reaches
it and the test can fail).

The newer domains' scenarios are in tests/visibility_domains.py, the cast in tests/visibility_cast.py, the
same walk from ``Subscription`` in tests/core/test_visibility_live.py. A new domain adds its hidden objects
with one :class:`Scenario` entry (and, if its root fields need an argument the pool cannot fill, a value in
:func:`pool`); see docs/testing.md.
"""

from __future__ import annotations

import asyncio
import copy
import functools
import json
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
import pytest_asyncio
from graphql import (
    GraphQLID,
    Undefined,
    get_named_type,
    get_nullable_type,
    is_abstract_type,
    is_leaf_type,
    is_list_type,
    is_non_null_type,
)

from models.demo.compensation import demo_compensation
from models.demo.feedback import demo_feedback
from models.demo.reviews import demo_review_documents
from schema.schema import build_schema
from tests.checkins.support import upcoming
from tests.conftest import NORTHWIND, RunningServer, start_server, stop_server
from tests.conftest import settings_for_tests as settings_for
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
from tests.stores import POOL
from tests.visibility import Arguments, Walk, difference, documents
from tests.visibility_cast import MARKER, OWNER, PEER, PEER2, PREPARED, SKIP, UNKNOWN, Hidden, Scenario, client, ok
from tests.visibility_domains import RUNNING_MERIT, TECH_LEAD
from tests.visibility_domains import SCENARIOS as NEWER

Document = dict[str, Any]
pytestmark = pytest.mark.asyncio(loop_scope="module")  # the tests share the module's server and its loop
SCHEMA = build_schema(caches=False)._schema
REVIEW = seeded_review(RUNNING, OWNER["_id"])
COMPANY_GOAL = next(g for g in seeded_goals() if g["level"] == "company" and g["rollUpChildren"] and not g["archived"])
CHECK_IN = upcoming(OWNER["_id"])


WALK_BUDGET = 10 ** 12  # the walk asks every path at once, far above a client's cost budget (not what is tested here)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def walk_server() -> AsyncIterator[RunningServer]:
    """One server for the module: without the cost budget and the rate limit (the walk asks for everything at
    once), webhooks allowed to loopback (a scenario's delivery fails on a closed port)."""
    uvicorn_server, running = await start_server(settings_for(rate_limit_points=0, webhook_private_urls=True),
                                                 schema_options={"cost_budget": WALK_BUDGET},
                                                 live_cost_budget=WALK_BUDGET)
    try:
        yield running
    finally:
        await stop_server(uvicorn_server, running)


@pytest_asyncio.fixture(loop_scope="module")
async def server(walk_server: RunningServer) -> AsyncIterator[RunningServer]:
    """The module's server, its database back in the seeded state after each test (what the test wrote,
    restored, as between servers: tests/stores.py); starting a server per scenario cost a second each."""
    try:
        yield walk_server
    finally:
        PREPARED.pop(id(walk_server), None)
        await POOL.restore(walk_server.database)


def pool() -> Arguments:
    """A copy of :func:`seeded_pool` (built once: the demo documents it reads take a tenth of a second)."""
    return copy.deepcopy(seeded_pool())


@functools.cache
def seeded_pool() -> Arguments:
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
    ids = {"Employee": [OWNER["_id"]], "Goal": [company["_id"], *by_visibility.values()],
           "CheckIn": [CHECK_IN["_id"]], "Feedback": about_owner[:2], "FeedbackRequest": requests[:2],
           "Praise": praise, "ReviewCycle": [RUNNING["_id"], FINISHED["_id"]], "Review": [REVIEW["_id"]],
           "ReviewForm": [seeded_form(REVIEW, "manager")["_id"], seeded_form(REVIEW, "self")["_id"]],
           "Competency": [competencies[0]["_id"]],
           "ReviewTemplate": [TEMPLATE["_id"]], "MeritCycle": merit_cycles,
           # the tests' organisations have no exit records (the demo's leavers are seeded for `make serve`
           # only): an unknown id, whose answer must stay null for everyone
           "ExitRecord": [UNKNOWN]}
    every_id = [id for found in ids.values() for id in found]  # node(id:) and nodes(ids:) take any of them
    return Arguments(
        by_name={"employeeId": [OWNER["_id"]], "cycleId": [RUNNING["_id"]],
                 "rootGoalId": [company["_id"], by_visibility["everyone"]],
                 "positionId": [OWNER["positionId"], TECH_LEAD["_id"]],
                 "from": ["2026-01-01"], "to": ["2027-06-30"], "managerId": [OWNER["managerId"], SKIP["_id"]],
                 # no import is seeded: an unknown id, whose answer must stay empty for everyone
                 "importId": [UNKNOWN], "checkInId": [CHECK_IN["_id"]], "reviewId": [REVIEW["_id"]],
                 "formId": [seeded_form(REVIEW, "manager")["_id"], seeded_form(REVIEW, "self")["_id"]],
                 "rootId": [OWNER["managerId"]],
                 # no exit record is seeded: an unknown one, but where a scenario prepared one (PREPARED)
                 "exitId": [UNKNOWN],
                 # the tests' organisations run no pilot: an unknown one, whose answer must stay null
                 "pilotId": [UNKNOWN],
                 "ids": [every_id]},
        ids={**ids, "Node": every_id, "Pilot": [UNKNOWN]},
        # merit cycles' `cycleId` (review cycles' elsewhere): the running one, in proposals
        overrides={"overdueCheckIns.asOf": "2027-06-01", "first": 5,
                   **{f"{name}.cycleId": RUNNING_MERIT["_id"] for name in MERIT_FIELDS}})


MERIT_FIELDS = ("meritProposals", "compensationBudget", "departmentBudgets", "payEquityFlags", "myPayStatement",
                "compensationBudgetChanged", "meritMatrixChanged")


DEPTH = 4  # levels walked to a field returning a hidden type that no shorter path selects
BASE = 3  # levels within which every path is walked


# the scenarios

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
REVIEWS = ("Review", "ReviewForm", "ReviewFormChange", "ReviewAnswer", "ReviewScore", "ReviewFormScore", "KindScore",
           "Calibration", "ReviewFeedback", "FeedbackQuestion", "CycleProgress", "CycleDistribution", "FormCounts",
           "RatingCount")
SCENARIOS = [
    *NEWER,
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
]


# the walk

AUDITED = ("AuditEntry", "AuditChange")  # every mutation is audited: the trail is a path to every change
# HR admins read every entry of their organisation's trail (who changed which object, when: the trail's
# purpose, docs/permissions.md), never a value the owning domain hides from them: for them the trail is left
# out of the comparison, and must hold no hidden text
TRAIL = ("auditLog", "history")
ID = re.compile(r"[0-9a-f]{24}")


def trail_of(answer: Any) -> list[Any]:
    """The audit-trail parts of an answer, at any depth."""
    if isinstance(answer, dict):
        return [v for k, v in answer.items() if k.split("_")[0] in TRAIL] + \
            [part for k, v in answer.items() if k.split("_")[0] not in TRAIL for part in trail_of(v)]
    if isinstance(answer, list):
        return [part for v in answer for part in trail_of(v)]
    return []

def normalized(body: Document) -> Document:
    """An answer without what varies from run to run: errors in a stable order, without their locations
    (the order fields resolve in is not fixed)."""
    errors = [{k: v for k, v in e.items() if k != "locations"} for e in body.get("errors", [])]
    rest = {k: v for k, v in body.items() if k != "extensions"}  # the cost report: the rate points left vary
    return {**rest, "errors": sorted(errors, key=lambda e: json.dumps(e, sort_keys=True))}


async def walk(server: RunningServer, who: str, texts: list[str]) -> list[Document]:
    """The answers to every document of the walk, in order, as ``who``."""
    viewer = client(server, who)
    slots = asyncio.Semaphore(4)

    async def ask(text: str) -> Document:
        async with slots:
            return normalized(await viewer.execute(text))

    return list(await asyncio.gather(*(ask(t) for t in texts)))


# answers on the seeded state, by viewer and documents: every server starts from it, so a scenario without a
# `prepare` step reuses what another one asked before its change
_seeded: dict[tuple[str, tuple[str, ...]], list[Document]] = {}


async def before_walk(server: RunningServer, scenario: Scenario, who: str, texts: list[str]) -> list[Document]:
    if scenario.prepare is not None:
        return await walk(server, who, texts)
    key = (who, tuple(texts))
    if key not in _seeded:
        _seeded[key] = await walk(server, who, texts)
    return _seeded[key]


def direct_queries(objects: dict[str, list[str]]) -> list[str]:
    """``{ goal(id: …) { __typename } }`` for each new object, through every root field that takes one
    required ID (``id``, ``rootGoalId``, …) and returns the object's type or an interface it implements
    (``node(id:)``)."""
    assert SCHEMA.query_type is not None
    found = []
    for name, definition in SCHEMA.query_type.fields.items():
        required = [arg_name for arg_name, arg in definition.args.items() if is_non_null_type(arg.type)
                    and arg.default_value is Undefined]
        kind = get_named_type(definition.type)
        # node(id:) returns the Node interface: it takes the id of any type implementing it
        types = [t.name for t in SCHEMA.get_possible_types(kind)] if is_abstract_type(kind) else [kind.name]
        ids = [id for name_of_type in types for id in objects.get(name_of_type, [])]
        if len(required) == 1 and ids and get_named_type(definition.args[required[0]].type) is GraphQLID \
                and not is_list_type(get_nullable_type(definition.type)):
            found += [f'{{ {name}({required[0]}: "{id}") {{ __typename }} }}' for id in ids]
    return found


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
async def test_a_hidden_change_shows_on_no_path(server: RunningServer, scenario: Scenario) -> None:
    # given the owner's surroundings (and whatever the scenario prepares), as each viewer who may not see it
    texts = walk_documents((*scenario.types, *AUDITED))
    if scenario.prepare:
        await scenario.prepare(server)
    viewers = (*scenario.hidden_from, *(() if scenario.marker else (scenario.seen_by,)))
    before = {who: await before_walk(server, scenario, who, texts) for who in viewers}
    # when the change is made
    hidden = await scenario.hide(server)
    # then nothing on any path differs for them (but what the rules let them see move), no secret shows
    leaks = []
    for who in scenario.hidden_from:
        after = await walk(server, who, texts)
        moving = (*scenario.visible, *(TRAIL if who == "hr" else ()))
        leaks += [f"{who} on {text[:120]}…: {diff}" for text, old, new in zip(texts, before[who], after, strict=True)
                  if (diff := difference(without(old, moving), without(new, moving)))]
        read = json.dumps(without(after, moving))
        leaks += [f"{who} reads {secret!r}" for secret in hidden.secrets if secret in read]
        trail = json.dumps(trail_of(after)) if who == "hr" else ""
        leaks += [f"{who} reads {secret!r} in the audit trail" for secret in hidden.secrets
                  if not ID.fullmatch(secret) and secret in trail]
        # and every new object asked for by its id is absent, with none of its secrets
        for text in direct_queries(hidden.objects):
            body = await client(server, who).execute(text)
            if list(body["data"].values()) != [None] or any(s in json.dumps(body) for s in hidden.secrets):
                leaks.append(f"{who} on {text}: {body}")
    assert leaks == [], f"{scenario.name}:\n" + "\n".join(leaks)
    # while someone who may see it finds it on the same walk (its marker, or an answer that moved)
    seen = await walk(server, scenario.seen_by, texts)
    if scenario.marker:
        assert MARKER in json.dumps(seen), f"{scenario.name}: {scenario.seen_by} does not find the change on any path"
    else:
        assert seen != before[scenario.seen_by], f"{scenario.name}: nothing moved for {scenario.seen_by} on any path"


@functools.cache
def walk_documents(types: tuple[str, ...]) -> list[str]:
    """The query walk's documents for ``types`` (the same for every scenario showing through them)."""
    return documents(SCHEMA, pool(), types, depth=DEPTH, base=BASE)


def without(answer: Any, keys: tuple[str, ...]) -> Any:
    """``answer`` without the fields named ``keys`` (or aliased ``<key>_<n>``), at any depth."""
    if not keys:
        return answer
    if isinstance(answer, dict):
        return {k: without(v, keys) for k, v in answer.items() if k.split("_")[0] not in keys}
    if isinstance(answer, list):
        return [without(v, keys) for v in answer]
    return answer


# refusals of top-level fields

def root_calls() -> list[str]:
    """Each root query field once, its required arguments filled from the pool, selecting ``__typename``
    (a leaf field as it is)."""
    assert SCHEMA.query_type is not None
    walker = Walk(SCHEMA, pool(), DEPTH, frozenset())
    calls = []
    for name, definition in SCHEMA.query_type.fields.items():
        call = re.sub(r"^\w+: ", "", walker.calls("Query", name, definition)[0])
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
