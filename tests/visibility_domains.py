"""The newer domains' scenarios of tests/core/test_visibility.py: growth, exits, compensation, integrations
and notifications, each change made through the API (a notification as the reminder scheduler stores it),
following each domain's rules (docs/domains/*.md, models/<domain>/permissions.py)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from models.core import clock
from models.demo.compensation import demo_compensation
from resolvers.notifications.notices import create, notification_doc
from resolvers.notifications.worker import DeliveryWorker
from tests.client import shared_client
from tests.conftest import NORTHWIND, RunningServer
from tests.exits.support import TEMPLATE_QUESTIONS, save_reason, save_template
from tests.growth.support import position_above
from tests.integrations.support import create_token
from tests.visibility_cast import (
    MARKER,
    MENTORSHIP,
    OWNER,
    VIEWERS,
    Hidden,
    Scenario,
    as_comp_admin,
    client,
    ok,
    prepared,
)

Document = dict[str, Any]
TECH_LEAD = position_above(OWNER)  # a position above the owner's: readiness, succession, promotion
RUNNING_MERIT = demo_compensation(NORTHWIND)["meritCycles"][1]  # in proposals
ERRORS = "errors { field code message }"


def days(n: int) -> str:
    return (clock.today() + timedelta(days=n)).isoformat()


# growth (the owner's seeded potential is 3; the owner ranks among the first candidates for TECH_LEAD)

TARGETS = f"""mutation($e: ID!, $t: [GrowthTargetInput!]!) {{
  setGrowthTargets(employeeId: $e, targets: $t, shareWithMentors: false) {{ plan {{ version }} {ERRORS} }} }}"""
ACTION = f"""mutation($e: ID!, $a: DevelopmentActionInput!) {{
  saveDevelopmentAction(employeeId: $e, action: $a) {{ developmentAction {{ id }} {ERRORS} }} }}"""
SESSION = f"""mutation($m: ID!, $n: String) {{
  logMentoringSession(mentorshipId: $m, notes: $n) {{ session {{ id }} {ERRORS} }} }}"""
RATE = f"""mutation($e: ID!, $n: String) {{ rateTalent(employeeId: $e, potential: 1, note: $n) {{ {ERRORS} }} }}"""
ASSESS = f"""mutation($e: ID!, $p: ID!, $n: String) {{
  assessReadiness(employeeId: $e, positionId: $p, level: READY_NOW, note: $n) {{ readiness {{ level }} {ERRORS} }} }}"""
SUCCESSION = f"""mutation($p: ID!, $s: [SuccessorInput!]!) {{
  saveSuccessionPlan(positionId: $p, successors: $s) {{ plan {{ version }} {ERRORS} }} }}"""
PROMOTE = f"""mutation($e: ID!, $p: ID!, $on: Date!, $j: String!) {{
  proposePromotion(employeeId: $e, positionId: $p, effectiveOn: $on, justification: $j) {{ proposal {{ id }} {ERRORS} }}
}}"""


async def plan_of_owner(server: RunningServer, aspiration: str = "Lead the platform team") -> None:
    await ok(server, "owner", TARGETS, {"e": OWNER["_id"], "t": [
        {"positionId": TECH_LEAD["_id"], "horizon": "ONE_TO_TWO_YEARS", "aspiration": aspiration}]})


async def growth_plan(server: RunningServer) -> Hidden:
    await plan_of_owner(server, MARKER)
    payload = await ok(server, "owner", ACTION, {"e": OWNER["_id"], "a": {"kind": "LEARNING", "title": MARKER}})
    return Hidden([payload["developmentAction"]["id"], MARKER])


async def session_notes(server: RunningServer) -> Hidden:
    payload = await ok(server, "owner", SESSION, {"m": MENTORSHIP["_id"], "n": MARKER})
    return Hidden([payload["session"]["id"], MARKER])


async def potential(server: RunningServer) -> Hidden:
    await ok(server, "manager", RATE, {"e": OWNER["_id"], "n": MARKER})
    return Hidden([MARKER])


async def readiness(server: RunningServer) -> Hidden:
    await ok(server, "manager", ASSESS, {"e": OWNER["_id"], "p": TECH_LEAD["_id"], "n": MARKER})
    return Hidden([MARKER])


async def succession(server: RunningServer) -> Hidden:
    await ok(server, "hr", SUCCESSION, {"p": TECH_LEAD["_id"], "s": [
        {"employeeId": OWNER["_id"]}, {"externalName": MARKER, "externalReadiness": "READY_IN_1_2_YEARS"}]})
    return Hidden([MARKER])


async def promotion(server: RunningServer) -> Hidden:
    payload = await ok(server, "manager", PROMOTE, {"e": OWNER["_id"], "p": TECH_LEAD["_id"], "on": days(60),
                                                   "j": MARKER})
    return Hidden([payload["proposal"]["id"], MARKER], {"PromotionProposal": [payload["proposal"]["id"]]})


# exits: the owner leaves; the record, its classification, named interview and checklist are HR's and the
# interviewer's (here HR's own), the candid survey nobody's

END_DATE = f"""mutation($e: ID!, $end: Date) {{
  updateEmployee(id: $e, input: {{endDate: $end}}) {{ employee {{ id }} {ERRORS} }} }}"""
RECORDS = "{ exitRecords(first: 20) { edges { node { id employee { id } } } } }"
CLASSIFY = f"""mutation($x: ID!, $i: ClassifyExitInput!) {{ classifyExit(exitId: $x, input: $i) {{ {ERRORS} }} }}"""
SCHEDULE = f"""mutation($x: ID!, $who: ID!, $on: Date!) {{
  scheduleExitInterview(exitId: $x, interviewerId: $who, on: $on) {{ {ERRORS} }} }}"""
INTERVIEW = f"""mutation($x: ID!, $a: [ExitAnswerInput!]!) {{
  recordExitInterview(exitId: $x, answers: $a) {{ {ERRORS} }} }}"""
EXIT_ITEMS = "query($x: ID!) { exitRecord(id: $x) { checklist { id } } }"
COMPLETE = f"""mutation($x: ID!, $i: String!) {{ completeExitChecklistItem(exitId: $x, itemId: $i) {{ {ERRORS} }} }}"""
SURVEY = f"""mutation($a: [ExitAnswerInput!]!) {{ submitExitSurvey(answers: $a) {{ submitted {ERRORS} }} }}"""
_reasons: dict[int, str] = {}


async def exit_template(server: RunningServer) -> None:
    _reasons[id(server)] = await save_reason(server, "pay", "COMPENSATION")
    await save_template(server, TEMPLATE_QUESTIONS)


async def leaving_soon(server: RunningServer) -> None:
    """A template, and the owner's last day in three days: their candid survey is open."""
    await exit_template(server)
    await ok(server, "hr", END_DATE, {"e": OWNER["_id"], "end": days(3)})


def answers(server: RunningServer) -> list[Document]:
    return [{"questionId": "why", "value": _reasons[id(server)]}, {"questionId": "manager", "value": 2},
            {"questionId": "words", "value": MARKER}]


async def exit_of_owner(server: RunningServer) -> str:
    edges = (await client(server, "hr").data(RECORDS))["exitRecords"]["edges"]
    return next(e["node"]["id"] for e in edges if e["node"]["employee"]["id"] == OWNER["_id"])


async def exit_opened(server: RunningServer) -> Hidden:
    await ok(server, "hr", END_DATE, {"e": OWNER["_id"], "end": days(30)})
    exit_id = await exit_of_owner(server)
    return Hidden([exit_id], {"ExitRecord": [exit_id]})


async def exit_pending(server: RunningServer) -> None:
    """A template, and the owner's last day in a month: their exit record is open (its id for the
    subscription walk)."""
    await exit_template(server)
    await exit_opened(server)
    prepared(server)["exitId"] = [await exit_of_owner(server)]


async def exit_worked(server: RunningServer) -> Hidden:
    """Classified, its interview scheduled with HR and recorded, a checklist item done."""
    exit_id = await exit_of_owner(server)
    await ok(server, "hr", CLASSIFY, {"x": exit_id, "i": {"kind": "VOLUNTARY", "regretted": True, "notes": MARKER,
                                                         "primaryReasonId": _reasons[id(server)]}})
    await ok(server, "hr", SCHEDULE, {"x": exit_id, "who": VIEWERS["hr"], "on": days(20)})
    await ok(server, "hr", INTERVIEW, {"x": exit_id, "a": answers(server)})
    record = await client(server, "hr").data(EXIT_ITEMS, {"x": exit_id})
    item = record["exitRecord"]["checklist"][0]["id"]
    await ok(server, "hr", COMPLETE, {"x": exit_id, "i": item})
    return Hidden([exit_id, item, MARKER])


async def candid_survey(server: RunningServer) -> Hidden:
    payload = await ok(server, "owner", SURVEY, {"a": answers(server)})
    assert payload["submitted"] is True
    return Hidden([MARKER])


# compensation (the compensation admin granted their role before the first walk)

RECORD_PAY = f"""mutation($i: RecordPayInput!) {{ recordPay(input: $i) {{ record {{ id }} {ERRORS} }} }}"""
SAVE_BAND = f"""mutation($i: PayBandInput!) {{ savePayBand(input: $i) {{ {ERRORS} }} }}"""
PROPOSE = f"""mutation($c: ID!, $e: ID!, $j: String) {{
  proposeIncrease(cycleId: $c, employeeId: $e, percent: "3.5", justification: $j) {{ {ERRORS} }} }}"""
ADVANCE = f"""mutation($c: ID!, $p: MeritPhase!) {{ advanceMeritCycle(cycleId: $c, phase: $p) {{ {ERRORS} }} }}"""


async def pay_record(server: RunningServer) -> Hidden:
    payload = await ok(server, "comp", RECORD_PAY, {"i": {"employeeId": OWNER["_id"], "effectiveDate": days(0),
                                                          "amount": "81234.56", "currency": "EUR", "reason": MARKER}})
    return Hidden([payload["record"]["id"], "81234.56", MARKER])


async def band(server: RunningServer) -> Hidden:
    await ok(server, "comp", SAVE_BAND, {"i": {"positionId": OWNER["positionId"], "currency": "EUR",
                                               "minimum": "41111", "midpoint": "67777", "maximum": "93333"}})
    return Hidden(["67777"])


async def merit_proposal(server: RunningServer) -> Hidden:
    await ok(server, "manager", PROPOSE, {"c": RUNNING_MERIT["_id"], "e": OWNER["_id"], "j": MARKER})
    return Hidden([MARKER])


async def proposed(server: RunningServer) -> None:
    await as_comp_admin(server)
    await merit_proposal(server)


async def approved(server: RunningServer) -> Hidden:
    for phase in ("REVIEW", "APPROVED"):
        await ok(server, "comp", ADVANCE, {"c": RUNNING_MERIT["_id"], "p": phase})
    return Hidden([MARKER])


# integrations and notifications (HR's; another organisation's HR sees none of it)

TOKEN = f"""mutation($n: String!) {{
  createIntegrationToken(kind: SCIM, name: $n) {{ token {{ id }} secret {ERRORS} }} }}"""
ENDPOINT = f"""mutation($i: WebhookEndpointInput!) {{
  saveWebhookEndpoint(input: $i) {{ endpoint {{ id }} {ERRORS} }} }}"""


async def integration_token(server: RunningServer) -> Hidden:
    payload = await ok(server, "hr", TOKEN, {"n": MARKER})
    return Hidden([payload["token"]["id"], payload["secret"], MARKER])


MAP = f"""mutation($a: String!, $c: ID!) {{ saveLearningMapping(activityId: $a, competencyId: $c, level: 3) {{
  {ERRORS} }} }}"""
ACTIVITY = "https://lms.northwind.example/courses/hidden-101"
_xapi: dict[int, str] = {}


async def learning_mapped(server: RunningServer) -> None:
    """An xAPI token and HR's mapping of an activity to a competency."""
    _, _xapi[id(server)] = await create_token(server, "XAPI")
    competency = (await client(server, "hr").data("{ competencies { id } }"))["competencies"][0]["id"]
    await ok(server, "hr", MAP, {"a": ACTIVITY, "c": competency})


async def learning_evidence(server: RunningServer) -> Hidden:
    """The learning system reports that the owner passed the activity: evidence on their profile."""
    statement = {"id": str(uuid.uuid4()), "actor": {"mbox": f"mailto:{OWNER['email']}", "objectType": "Agent"},
                 "verb": {"id": "http://adlnet.gov/expapi/verbs/passed"},
                 "object": {"id": ACTIVITY, "objectType": "Activity", "definition": {"name": {"en-US": MARKER}}},
                 "timestamp": "2026-11-30T14:00:00Z"}
    response = await shared_client().post(f"http://127.0.0.1:{server.port}/xapi/statements", json=[statement],
                                          headers={"Authorization": f"Bearer {_xapi[id(server)]}"})
    assert response.status_code == 200, response.text
    return Hidden([MARKER, ACTIVITY])


async def notify(server: RunningServer, who: str) -> str:
    """A notification for ``who``, stored and pushed as the reminder scheduler does."""
    (stored,) = await create(server.database, server.bus, NORTHWIND.organization["_id"],
                             [notification_doc(VIEWERS[who], "reminder", MARKER, None, None)])
    return stored["_id"]


async def webhook(server: RunningServer) -> Hidden:
    """An endpoint (to a closed loopback port), an event for it, and its failed delivery."""
    payload = await ok(server, "hr", ENDPOINT, {"i": {"url": "http://127.0.0.1:9/hooks", "description": MARKER,
                                                      "eventTypes": ["NOTIFICATION_CREATED"]}})
    notice = await notify(server, "hr")
    assert await DeliveryWorker(server.database, allow_private=True).run_once() >= 1
    return Hidden([payload["endpoint"]["id"], notice, MARKER])


async def notification(server: RunningServer) -> Hidden:
    return Hidden([await notify(server, "peer"), MARKER])


GROWTH = ("GrowthPlan", "GrowthTarget", "DevelopmentAction", "Mentorship", "MentoringSession", "Readiness",
          "ReadinessEvidence", "CompetencyGap", "SuccessionPlan", "Successor", "BenchStrength", "PromotionProposal",
          "ApprovalStep", "PromotionHistoryEntry", "PositionCandidate", "FactorContribution", "TalentGrid",
          "TalentGridCell", "TalentMovement")
EXITS = ("ExitRecord", "ExitChecklistItem", "ExitInterview", "ExitAnswer", "ExitSurvey", "AttritionReport",
         "ReasonCount")
PAY = ("EmployeePay", "PayRecord", "PayBand", "MeritCycle", "MeritParticipant", "MeritProposal", "TrailEntry",
       "CompensationBudget", "BudgetPool", "PayStatement", "PayEquityFlag")
INTEGRATIONS = ("IntegrationToken", "AuditEntry", "ImportReport")
LEARNING = ("LearningEvidence", "LearningEvidenceEvent")
NOTIFICATIONS = ("WebhookEndpoint", "WebhookDelivery", "WebhookAttempt", "Notification", "AuditEntry")
SCENARIOS = [
    Scenario("growth plan and its actions", GROWTH, growth_plan, ("peer", "mentor", "peer_manager", "other_hr"),
             "manager"),
    Scenario("mentoring session notes", GROWTH, session_notes, ("peer", "manager", "skip", "hr", "other_hr"),
             "owner",
             prepare=plan_of_owner, visible=("sessionCount",)),
    Scenario("potential rating", GROWTH, potential, ("owner", "peer", "mentor", "peer_manager", "other_hr"), "hr",
             marker=False),
    Scenario("readiness evidence", GROWTH, readiness, ("peer", "mentor", "peer_manager", "other_hr"), "owner"),
    Scenario("succession plan and successor rank", GROWTH, succession,
             ("owner", "peer", "manager", "mentor", "peer_manager", "other_hr"), "skip"),
    Scenario("promotion proposal", GROWTH, promotion, ("owner", "peer", "mentor", "peer_manager", "other_hr"),
             "skip"),
    # the leaver's end date is a personal field they and their managers read (docs/permissions.md), and the
    # change to their record is in their own history
    Scenario("exit record", EXITS, exit_opened, ("owner", "peer", "manager", "skip", "mentor", "comp", "other_hr"),
             "hr",
             prepare=exit_template, marker=False, visible=("endDate", "history")),
    Scenario("exit classification, named interview and checklist", EXITS, exit_worked,
             ("owner", "peer", "manager", "skip", "other_hr"), "hr", prepare=exit_pending),
    Scenario("candid survey answer", EXITS, candid_survey, ("peer", "manager", "skip", "hr", "other_hr"), "owner",
             prepare=leaving_soon, marker=False),
    Scenario("pay record", PAY, pay_record, ("peer", "hr", "mentor", "peer_manager", "other_hr"), "owner",
             prepare=as_comp_admin),
    Scenario("band-derived compa-ratio", PAY, band, ("hr", "other_hr"), "owner", prepare=as_comp_admin,
             marker=False),
    Scenario("merit proposal and a peer manager's budgets", PAY, merit_proposal,
             ("owner", "peer", "hr", "peer_manager", "other_hr"), "skip", prepare=as_comp_admin),
    Scenario("pay statement before sharing", PAY, approved, ("owner", "peer", "other_hr"), "comp",
             prepare=proposed),
    Scenario("integration token and its audit entry", INTEGRATIONS, integration_token,
             ("owner", "peer", "manager", "skip", "comp", "other_hr"), "hr"),
    Scenario("learning evidence", LEARNING, learning_evidence, ("peer", "mentor", "peer_manager", "other_hr"),
             "manager", prepare=learning_mapped),
    Scenario("webhook endpoint and delivery", NOTIFICATIONS, webhook,
             ("owner", "peer", "manager", "skip", "other_hr"), "hr"),
    Scenario("another person's notification", NOTIFICATIONS, notification,
             ("owner", "manager", "skip", "hr", "other_hr"), "peer"),
]
