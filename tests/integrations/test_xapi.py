"""xAPI statements in: a passed, mapped activity becomes evidence on the learner's profile and is pushed;
a repeated statement id is refused with 409 and nothing of that request is written."""

from __future__ import annotations

import uuid

from tests.client import refused, shared_client, websocket
from tests.conftest import RunningServer
from tests.integrations.support import create_token

MAP = """mutation($a: String!, $c: ID!, $l: Int!) { saveLearningMapping(activityId: $a, competencyId: $c, level: $l) {
  mapping { activityId competencyId level } errors { field code message } } }"""
EVIDENCE = """query($id: ID!) { employee(id: $id) { learningEvidence {
  competencyId competencyName level source activityId activityName achievedAt } } }"""
ACTIVITY = "https://lms.northwind.example/courses/negotiation-101"
WRITTEN = ("xapiStatements", "learningEvidence", "learningMappings", "competencyEvidence", "growthPlans")


def statement(email: str, verb: str = "passed", activity: str = ACTIVITY, id: str | None = None) -> dict:
    return {"id": id or str(uuid.uuid4()), "actor": {"mbox": f"mailto:{email}", "objectType": "Agent"},
            "verb": {"id": f"http://adlnet.gov/expapi/verbs/{verb}"},
            "object": {"id": activity, "objectType": "Activity",
                       "definition": {"name": {"en-US": "Negotiation 101"}}},
            "timestamp": "2026-11-30T14:00:00Z"}


async def send(server: RunningServer, secret: str, body: object) -> tuple[int, object]:
    response = await shared_client().post(f"http://127.0.0.1:{server.port}/xapi/statements", json=body,
                                          headers={"Authorization": f"Bearer {secret}"})
    return response.status_code, response.json()


async def competency_id(server: RunningServer) -> tuple[str, str]:
    (first, *_) = (await server.client("employee").data("{ competencies { id name } }"))["competencies"]
    return first["id"], first["name"]


async def test_a_passed_mapped_activity_becomes_pushed_evidence(server: RunningServer) -> None:
    # given HR's mapping of the activity and a learner's manager watching
    _, secret = await create_token(server, "XAPI")
    cid, cname = await competency_id(server)
    hr = server.client("hr_admin")
    mapped = (await hr.data(MAP, {"a": ACTIVITY, "c": cid, "l": 3}))["saveLearningMapping"]
    assert mapped == {"mapping": {"activityId": ACTIVITY, "competencyId": cid, "level": 3}, "errors": []}
    learner_id = server.demo.personas["employee"]
    learner = next(e for e in server.demo.employees if e["_id"] == learner_id)
    async with websocket(server.ws_url, server.token("manager")) as manager:
        await manager.subscribe("subscription($id: ID!) { learningEvidenceAdded(employeeId: $id) { employeeId "
                                "evidenceIds } }", {"id": learner_id})
        await server.wait_subscribers(1)
        # when the learning system sends completed, failed and passed statements
        ids = [str(uuid.uuid4()) for _ in range(3)]
        body = [statement(learner["email"].upper(), verb, id=i) for verb, i in zip(
            ("completed", "failed", "passed"), ids, strict=True)]
        status, answer = await send(server, secret, body)
        # then all are stored, and the pass is evidence, pushed to the manager
        assert (status, answer) == (200, ids)
        event = (await manager.next_payload())["data"]["learningEvidenceAdded"]
    assert event["employeeId"] == learner_id and len(event["evidenceIds"]) == 1
    profile = (await server.client("manager").data(EVIDENCE, {"id": learner_id}))["employee"]["learningEvidence"]
    assert profile == [{"competencyId": cid, "competencyName": cname, "level": 3, "source": "xapi",
                        "activityId": ACTIVITY, "activityName": "Negotiation 101",
                        "achievedAt": "2026-11-30T14:00:00+00:00"}]
    stored = await server.snapshot(("xapiStatements",))
    assert sorted(d["verb"] for d in stored["xapiStatements"]) == ["completed", "failed", "passed"]
    # an unmapped pass is stored without evidence
    assert (await send(server, secret, statement(learner["email"], activity="https://lms.example/other")))[0] == 200
    assert len((await server.snapshot(("learningEvidence",)))["learningEvidence"]) == 1


async def test_a_repeated_statement_id_is_a_409_and_writes_nothing(server: RunningServer) -> None:
    _, secret = await create_token(server, "XAPI")
    cid, _ = await competency_id(server)
    await server.client("hr_admin").data(MAP, {"a": ACTIVITY, "c": cid, "l": 2})
    email = next(e["email"] for e in server.demo.employees if e["_id"] == server.demo.personas["employee"])
    first = statement(email)
    assert (await send(server, secret, first))[0] == 200
    before = await server.snapshot(WRITTEN)
    status, answer = await send(server, secret, [statement(email), first])
    assert (status, answer["error"]["code"]) == (409, "CONFLICT")
    assert await server.snapshot(WRITTEN) == before


async def test_bad_statements_and_mappings_are_refused(server: RunningServer) -> None:
    _, secret = await create_token(server, "XAPI")
    before = await server.snapshot(WRITTEN)
    email = next(e["email"] for e in server.demo.employees if e["_id"] == server.demo.personas["employee"])
    globex_email = server.other.employees[0]["email"]
    cases = [
        (statement("nobody@northwind.example"), "no learner nobody@northwind.example in the organisation"),
        (statement(globex_email), f"no learner {globex_email} in the organisation"),
        (statement(email, verb="attempted"), "statement 1: verb must be http://adlnet.gov/expapi/verbs/completed, "
                                             "http://adlnet.gov/expapi/verbs/passed, http://adlnet.gov/expapi/verbs/failed"),
        ({**statement(email), "id": "not-a-uuid"}, "statement 1: id must be a UUID"),
        ([statement(email)] * 2, "two statements of the request have one id"),
        ([statement(email) for _ in range(101)], "at most 100 statements per request"),
    ]
    for body, message in cases:
        status, answer = await send(server, secret, body)
        assert (status, answer["error"]["message"]) == (400, message)
    _, scim_secret = await create_token(server, "SCIM")
    assert (await send(server, scim_secret, statement(email)))[0] == 401
    hr = server.client("hr_admin")
    cid, _ = await competency_id(server)
    bad = await hr.execute(MAP, {"a": " ", "c": "0" * 24, "l": 9})
    assert [(f, c) for f, c, _ in refused(bad)] == [("activityId", "REQUIRED"), ("level", "INVALID"),
                                                      ("competencyId", "NOT_FOUND")]
    assert [c for _, c, _ in refused(await server.client("manager").execute(MAP, {"a": ACTIVITY, "c": cid, "l": 2}))] \
        == ["FORBIDDEN"]
    assert await server.snapshot(WRITTEN) == before
    # someone outside the chain cannot read a person's evidence: null, by design and without an error
    other = await server.client("employee").execute(EVIDENCE, {"id": server.demo.personas["manager"]})
    assert other["data"]["employee"]["learningEvidence"] is None
    assert "errors" not in other


PLAN_CHANGED = """subscription($id: ID!) { growthPlanChanged(employeeId: $id) {
  kind plan { actions { title status evidence { source activityId activityName level achievedAt } } } } }"""
SAVE_ACTION = """mutation($id: ID!, $action: DevelopmentActionInput!) {
  saveDevelopmentAction(employeeId: $id, action: $action) { developmentAction { id } errors { code } } }"""


async def test_a_pass_becomes_evidence_on_open_plan_actions_of_its_competency_pushed_live(
        server: RunningServer) -> None:
    # given HR's mapping of the activity to a competency, and the learner's plan with three actions: one open and
    # one done on that competency, one open on none
    _, secret = await create_token(server, "XAPI")
    cid, _ = await competency_id(server)
    assert (await server.client("hr_admin").data(MAP, {"a": ACTIVITY, "c": cid, "l": 3}))["saveLearningMapping"][
        "errors"] == []
    learner = next(e for e in server.demo.employees if e["_id"] == server.demo.personas["employee"])
    me = server.client(learner["_id"])
    for title, status, competency in (("Negotiation course", "IN_PROGRESS", cid), ("Old course", "DONE", cid),
                                      ("Shadow a sale", "PLANNED", None)):
        body = await me.data(SAVE_ACTION, {"id": learner["_id"], "action": {
            "kind": "LEARNING", "title": title, "status": status, "competencyId": competency}})
        assert body["saveDevelopmentAction"]["errors"] == [], body
    async with websocket(server.ws_url, server.token(learner["_id"])) as subscriber:
        await subscriber.subscribe(PLAN_CHANGED, {"id": learner["_id"]})
        await server.wait_subscribers(1)
        # when the learning system reports the pass
        assert (await send(server, secret, statement(learner["email"])))[0] == 200
        event = (await subscriber.next_payload())["data"]["growthPlanChanged"]
    # then the open action of that competency, and only it, carries the evidence, pushed to the plan's readers
    evidence = {"source": "xapi", "activityId": ACTIVITY, "activityName": "Negotiation 101", "level": 3,
                "achievedAt": "2026-11-30T14:00:00+00:00"}
    assert event["kind"] == "ACTION_SAVED"
    assert [(a["title"], a["evidence"]) for a in event["plan"]["actions"]] == [
        ("Negotiation course", [evidence]), ("Old course", []), ("Shadow a sale", [])]
    # and the competency profile shows it on that competency, to the learner and their manager
    profile = """query($id: ID!) { employee(id: $id) { competencyProfile {
      competency { id } evidence { source activityId activityName level achievedAt } } } }"""
    for who in (learner["_id"], learner["managerId"]):
        entries = (await server.client(who).data(profile, {"id": learner["_id"]}))["employee"]["competencyProfile"]
        assert [e["evidence"] for e in entries if e["competency"]["id"] == cid] == [[evidence]]
        assert all(e["evidence"] == [] for e in entries if e["competency"]["id"] != cid)
