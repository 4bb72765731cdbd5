"""Promotions: a proposal up the approval chain (the managers above the proposer, then HR); the last
approval of a promotion due changes the position through the org domain (the org chart pushes it); sent
back, rejected, refused input writing nothing, a double decision, and promotionProposalChanged."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from models.core import clock
from resolvers.growth.access import approved_promotions
from tests.client import websocket
from tests.conftest import GLOBEX, RunningServer
from tests.growth.support import BY_TITLE, error, peer, person, snapshot
from tests.growth.test_access import context_of
from tests.interleave import hold

PROPOSAL = """
  id status effectiveOn justification evidence appliedOn employee { id } proposedBy { id }
  fromPosition { id } toPosition { id }
  steps { hrStep approver { id } decision decidedBy { id } reason }
  history { kind by { id } reason }
"""
PROPOSE = """
mutation($e: ID!, $p: ID!, $on: Date!, $why: String!, $evidence: [String!]) {
  proposePromotion(employeeId: $e, positionId: $p, effectiveOn: $on, justification: $why, evidence: $evidence) {
    proposal { @P@ } errors { field code message } } }
""".replace("@P@", PROPOSAL)
DECIDE = """
mutation($id: ID!, $d: PromotionDecision!, $reason: String) {
  decidePromotion(proposalId: $id, decision: $d, reason: $reason) { proposal { @P@ } errors { field code message } } }
""".replace("@P@", PROPOSAL)
LIST = "query($s: PromotionProposalStatus) { promotionProposals(status: $s) { id status } }"
CHANGED = "subscription { promotionProposalChanged { kind proposal { id status } } }"
ORG_CHART = "subscription($root: ID!) { orgChartChanged(rootId: $root) { kind employeeIds } }"
POSITION = "query($e: ID!) { employee(id: $e) { position { id } } }"
READINESS = """query($e: ID!, $p: ID!) {
  readiness(employeeId: $e, positionId: $p) { evidence { kind source on summary } } }"""
CHAIN_REFUSAL = "only the approver of the current step decides: the next manager in the chain, then an HR admin"


def cast() -> dict[str, str]:
    """The employee persona (a software engineer), their tech lead, manager, VP and the chief executive."""
    employee = person("employee")
    ceo, vp, manager, lead = employee["managerChain"]
    return {"employee": employee["_id"], "lead": lead, "manager": manager, "vp": vp, "ceo": ceo}


async def propose(server: RunningServer, who: str, **overrides: object) -> dict:
    people = cast()
    variables = {"e": people["employee"], "p": BY_TITLE["Senior Software Engineer"]["_id"],
                 "on": clock.today().isoformat(), "why": "Leads the payments rewrite",
                 "evidence": ["review:r1"], **overrides}
    return (await server.client(who).data(PROPOSE, variables))["proposePromotion"]


async def test_the_chain_then_hr_approve_and_the_position_changes_live(server: RunningServer) -> None:
    # given the tech lead proposing their report's promotion to senior software engineer, effective today
    people = cast()
    hr = person("hr_admin")["_id"]
    senior = BY_TITLE["Senior Software Engineer"]["_id"]
    proposed = await propose(server, people["lead"])
    # then it waits for the engineering manager, then the VP, then HR
    assert proposed["errors"] == []
    proposal = proposed["proposal"]
    assert [(s["hrStep"], s["approver"]) for s in proposal["steps"]] == [
        (False, {"id": people["manager"]}), (False, {"id": people["vp"]}), (True, None)]
    assert (proposal["status"], proposal["fromPosition"], proposal["toPosition"], proposal["evidence"]) == (
        "PENDING", {"id": person("employee")["positionId"]}, {"id": senior}, ["review:r1"])
    async with websocket(server.ws_url, server.token(hr)) as org_chart:
        await org_chart.subscribe(ORG_CHART, {"root": people["ceo"]})
        await server.wait_subscribers(1)
        # when the manager and the VP approve, the position has not changed yet
        for approver in ("manager", "vp"):
            decided = (await server.client(people[approver]).data(DECIDE, {"id": proposal["id"], "d": "APPROVE"}))
            assert decided["decidePromotion"]["errors"] == [] and decided["decidePromotion"]["proposal"][
                "status"] == "PENDING"
        assert (await server.client(hr).data(POSITION, {"e": people["employee"]}))["employee"]["position"] == {
            "id": person("employee")["positionId"]}
        # when HR approves
        final = (await server.client(hr).data(DECIDE, {"id": proposal["id"], "d": "APPROVE"}))["decidePromotion"]
        # then it is applied: the person is a senior software engineer and the org chart pushed it
        assert final["errors"] == []
        assert (final["proposal"]["status"], final["proposal"]["appliedOn"]) == ("APPLIED", clock.today().isoformat())
        assert (await server.client(hr).data(POSITION, {"e": people["employee"]}))["employee"]["position"] == {
            "id": senior}
        event = (await org_chart.next_payload())["data"]["orgChartChanged"]
        assert event == {"kind": "EMPLOYEE_UPDATED", "employeeIds": [people["employee"]]}
    # and every decision is kept, with who made it
    assert [(h["kind"], h["by"]) for h in final["proposal"]["history"]] == [
        ("proposed", {"id": people["lead"]}), ("approve", {"id": people["manager"]}),
        ("approve", {"id": people["vp"]}), ("approve", {"id": hr})]
    stored = await server.database.employees.find_one({"_id": people["employee"]})
    assert stored["positionHistory"][-1]["positionId"] == person("employee")["positionId"]
    assert stored["positionHistory"][-1]["why"] == f"promotion:{proposal['id']}"
    # and their readiness for the next rung counts their time in role from the promotion, as its own evidence
    readiness = (await server.client(hr).data(READINESS, {"e": people["employee"], "p": BY_TITLE["Tech Lead"]["_id"]}))
    evidence = {e["kind"]: e for e in readiness["readiness"]["evidence"]}
    today = clock.today().isoformat()
    assert evidence["TIME_SINCE_PROMOTION"] == {"kind": "TIME_SINCE_PROMOTION", "source": f"promotion:{proposal['id']}",
                                                "on": today, "summary": "promoted 0 days ago"}
    assert evidence["TENURE_IN_ROLE"] == {"kind": "TENURE_IN_ROLE", "source": f"promotion:{proposal['id']}",
                                          "on": today, "summary": "0 days in the current role"}


async def test_sent_back_rejected_and_out_of_turn_decisions(server: RunningServer) -> None:
    # given a pending proposal by the tech lead
    people = cast()
    proposal = (await propose(server, people["lead"]))["proposal"]
    # when the VP decides before the manager, then it is refused as not theirs (nothing written)
    before = await snapshot(server)
    early = (await server.client(people["vp"]).data(DECIDE, {"id": proposal["id"], "d": "APPROVE"}))
    assert early["decidePromotion"] == {"proposal": None, "errors": [error(None, "FORBIDDEN", CHAIN_REFUSAL)]}
    # and sending back without a reason is refused
    bare = (await server.client(people["manager"]).data(DECIDE, {"id": proposal["id"], "d": "SEND_BACK"}))
    assert bare["decidePromotion"]["errors"] == [
        error("reason", "REQUIRED", "sending back or rejecting needs a reason")]
    assert await snapshot(server) == before
    # when the manager sends it back with a reason
    sent = (await server.client(people["manager"]).data(DECIDE, {"id": proposal["id"], "d": "SEND_BACK",
                                                                  "reason": "Wait for the review"}))
    assert sent["decidePromotion"]["proposal"]["status"] == "SENT_BACK"
    assert sent["decidePromotion"]["proposal"]["steps"][0]["reason"] == "Wait for the review"
    # then it takes no more decisions, and the lead may propose again, which the manager rejects
    again = (await server.client(people["vp"]).data(DECIDE, {"id": proposal["id"], "d": "APPROVE"}))
    assert again["decidePromotion"]["errors"] == [
        error("proposalId", "INVALID_TRANSITION", "this proposal is sent_back")]
    second = (await propose(server, people["lead"]))["proposal"]
    rejected = (await server.client(people["manager"]).data(DECIDE, {"id": second["id"], "d": "REJECT",
                                                                      "reason": "Not this year"}))
    assert rejected["decidePromotion"]["proposal"]["status"] == "REJECTED"
    # and the person's position never changed
    stored = await server.database.employees.find_one({"_id": people["employee"]})
    assert stored["positionId"] == person("employee")["positionId"]


async def test_bad_proposals_are_typed_errors_and_write_nothing(server: RunningServer) -> None:
    # given the store as seeded and an open proposal's absence
    people = cast()
    before = await snapshot(server)
    employee = person("employee")
    globex_position = GLOBEX.positions[0]["_id"]
    cases = [
        (people["lead"], {"p": employee["positionId"]},
         [error("positionId", "INVALID", "this is the person's current position")]),
        (people["lead"], {"p": BY_TITLE["Data Analyst"]["_id"]},
         [error("positionId", "INVALID", "a promotion is to a position of a higher level than the current one")]),
        (people["lead"], {"p": globex_position},
         [error("positionId", "NOT_FOUND", f"no position {globex_position!r} in your organisation")]),
        (people["lead"], {"why": " "}, [error("justification", "REQUIRED", "a promotion needs a justification")]),
        (people["lead"], {"on": "2020-01-01"},
         [error("effectiveOn", "INVALID", "effectiveOn lies between 90 days ago and a year from now")]),
        (people["employee"], {},
         [error(None, "FORBIDDEN", "a promotion is proposed by the person's managers or an HR admin")]),
        (peer(employee)["_id"], {},
         [error(None, "FORBIDDEN", "a promotion is proposed by the person's managers or an HR admin")]),
    ]
    for who, overrides, errors in cases:
        assert await propose(server, who, **overrides) == {"proposal": None, "errors": errors}, overrides
    assert await snapshot(server) == before
    # and a second open proposal for the same person is a DUPLICATE
    assert (await propose(server, people["lead"]))["errors"] == []
    duplicate = await propose(server, people["manager"])
    assert duplicate == {"proposal": None, "errors": [error(
        "employeeId", "DUPLICATE", f"{employee['name']} already has an open proposal")]}


async def test_a_double_decision_lands_once(server: RunningServer) -> None:
    # given a pending proposal and its first approver deciding twice at once (two tabs)
    people = cast()
    proposal = (await propose(server, people["lead"]))["proposal"]
    manager = server.client(people["manager"])
    # when the first approval is held at its write until the second has committed
    async with hold(server.database, "promotionProposals", "update_one") as held:
        first = asyncio.create_task(manager.data(DECIDE, {"id": proposal["id"], "d": "APPROVE"}))
        await held.reached.wait()
        second = (await manager.data(DECIDE, {"id": proposal["id"], "d": "REJECT", "reason": "Changed my mind"}))
    held_one = (await first)["decidePromotion"]
    # then the rejection stands and the held approval is a conflict
    assert second["decidePromotion"]["proposal"]["status"] == "REJECTED"
    assert held_one == {"proposal": None, "errors": [error(
        "proposalId", "CONFLICT", "the proposal changed meanwhile: reload it and retry")]}
    stored = await server.database.promotionProposals.find_one({"_id": proposal["id"]})
    assert [h["kind"] for h in stored["history"]] == ["proposed", "reject"]


async def test_changes_reach_proposer_and_approvers_not_the_person(server: RunningServer) -> None:
    # given the lead (proposer), the manager (approver) and the person subscribed
    people = cast()
    async with websocket(server.ws_url, server.token(people["lead"])) as lead, \
            websocket(server.ws_url, server.token(people["manager"])) as manager, \
            websocket(server.ws_url, server.token(people["employee"])) as subject:
        for subscriber in (lead, manager, subject):
            await subscriber.subscribe(CHANGED)
        await server.wait_subscribers(3)
        # when the lead proposes and the manager approves
        proposal = (await propose(server, people["lead"]))["proposal"]
        await server.client(people["manager"]).data(DECIDE, {"id": proposal["id"], "d": "APPROVE"})
        # then both get both events
        for subscriber in (lead, manager):
            kinds = [(await subscriber.next_payload())["data"]["promotionProposalChanged"] for _ in range(2)]
            assert kinds == [{"kind": "PROPOSED", "proposal": {"id": proposal["id"], "status": "PENDING"}},
                             {"kind": "DECIDED", "proposal": {"id": proposal["id"], "status": "PENDING"}}]
        # and the person gets nothing
        assert await subject.nothing_within(0.3)
    # and the person does not see it in the list, while the proposer does
    assert (await server.client(people["employee"]).data(LIST))["promotionProposals"] == []
    assert [p["id"] for p in (await server.client(people["lead"]).data(LIST))["promotionProposals"]] == [
        proposal["id"]]


async def test_a_future_promotion_waits_for_its_date_and_reaches_compensation(server: RunningServer) -> None:
    # given a promotion approved by the whole chain, effective in a month
    people = cast()
    hr = person("hr_admin")["_id"]
    on = clock.today() + timedelta(days=30)
    proposal = (await propose(server, people["lead"], on=on.isoformat()))["proposal"]
    for approver in (people["manager"], people["vp"], hr):
        await server.client(approver).data(DECIDE, {"id": proposal["id"], "d": "APPROVE"})
    # then it is approved, not applied, and applying the due promotions leaves it for its date
    apply = "mutation { applyDuePromotions { proposals { id } errors { code } } }"
    assert (await server.client(hr).data(apply))["applyDuePromotions"] == {"proposals": [], "errors": []}
    stored = await server.database.employees.find_one({"_id": people["employee"]})
    assert stored["positionId"] == person("employee")["positionId"]
    # and the growth accessor gives it to the person's managers (compensation), not to a peer
    found = await approved_promotions(context_of(server, people["manager"]), people["employee"])
    assert [(p["_id"], p["status"]) for p in found] == [(proposal["id"], "approved")]
    assert await approved_promotions(context_of(server, peer(person("employee"))["_id"]), people["employee"]) == []
