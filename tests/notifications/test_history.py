"""``history`` (``auditHistory`` where a type's ``history`` lists its workflow events) on the main types: the
object's latest audit entries, newest first, for those the object's domain lets read them; FORBIDDEN on that
field alone for anyone else who sees the object; sensitive values (exits, pay) recorded as changed only."""

from __future__ import annotations

from typing import Any

from models.core import clock
from tests.compensation.support import PEOPLE, PROPOSE, comp_admin, launched_cycle
from tests.conftest import RunningServer
from tests.exits.support import CLASSIFY, active_individual_contributors, record_of, terminate
from tests.goals.support import UPDATE_GOAL, seeded_goals
from tests.growth.support import BY_TITLE, SET_TARGETS
from tests.reviews.support import RUNNING, UPDATE_ANSWER, move, persona, seeded_form, seeded_review
from tests.stores import NORTHWIND

ENTRY = "operation action objectType actorId source changes { field redacted before after }"
HR = NORTHWIND.personas["hr_admin"]
EMPLOYEE = NORTHWIND.personas["employee"]
MANAGER = NORTHWIND.personas["manager"]


def hidden(body: dict[str, Any], root: str, field: str) -> bool:
    """The object answered, its ``field`` null without an error (a hidden field of a visible object)."""
    return "errors" not in body and body["data"][root] is not None and body["data"][root][field] is None


def shaped(entries: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [(e["operation"], e["action"], e["objectType"], e["actorId"], e["source"],
             [(c["field"], c["redacted"], c["before"], c["after"]) for c in e["changes"]]) for e in entries]


async def test_a_goal_s_history_shows_each_change_to_those_who_read_it(server: RunningServer) -> None:
    # given the employee persona's own goal
    goal = next(g for g in seeded_goals() if g.get("ownerEmployeeId") == EMPLOYEE and g["visibility"] == "everyone")
    query = "query($id: ID!) { goal(id: $id) { history { %s } } }" % ENTRY  # noqa: UP031
    before = (await server.client(EMPLOYEE).data(query, {"id": goal["_id"]}))["goal"]["history"]
    # when they rename it
    body = await server.client(EMPLOYEE).data(UPDATE_GOAL, {"id": goal["_id"], "input": {"title": "Renamed goal"}})
    assert body["updateGoal"]["errors"] == []
    # then its history, for them and for their manager, starts with that change
    for who in (EMPLOYEE, MANAGER):
        history = (await server.client(who).data(query, {"id": goal["_id"]}))["goal"]["history"]
        assert len(history) == len(before) + 1
        operation, action, kind, actor, source, changes = shaped(history)[0]
        assert (operation, action, kind, actor, source) == ("updateGoal", "changed", "goals", EMPLOYEE, None)
        assert ("title", False, f'"{goal["title"]}"', '"Renamed goal"') in changes


async def test_a_check_in_s_history_for_its_participants(server: RunningServer) -> None:
    check_in = await server.database.checkIns.find_one({"organizationId": NORTHWIND.organization["_id"],
                                                         "employeeId": EMPLOYEE, "status": "scheduled"})
    body = await server.client(EMPLOYEE).data("""mutation($id: ID!) { addTalkingPoint(checkInId: $id, text: "Roadmap")
      { errors { code } } }""", {"id": check_in["_id"]})
    assert body["addTalkingPoint"]["errors"] == []
    query = "query($id: ID!) { checkIn(id: $id) { history { %s } } }" % ENTRY  # noqa: UP031
    history = (await server.client(check_in["managerId"]).data(query, {"id": check_in["_id"]}))["checkIn"]["history"]
    assert [(e[0], e[3]) for e in shaped(history)][:1] == [("addTalkingPoint", EMPLOYEE)]


async def test_a_private_goal_linked_to_a_check_in_is_left_out_of_its_history_for_the_manager(
        server: RunningServer) -> None:
    # given the employee persona's private goal, their next check-in, and its history as the manager reads it
    goal = next(g for g in seeded_goals() if g.get("ownerEmployeeId") == EMPLOYEE and g["visibility"] == "private")
    check_in = await server.database.checkIns.find_one({"organizationId": NORTHWIND.organization["_id"],
                                                         "employeeId": EMPLOYEE, "status": "scheduled"})
    query = "query($id: ID!) { checkIn(id: $id) { history { %s } } }" % ENTRY  # noqa: UP031
    manager = server.client(check_in["managerId"])
    before = (await manager.data(query, {"id": check_in["_id"]}))["checkIn"]["history"]
    # when the employee links the private goal to it
    link = """mutation($id: ID!, $goal: ID!) { linkCheckInGoal(checkInId: $id, goalId: $goal) { errors { code } } }"""
    body = await server.client(EMPLOYEE).data(link, {"id": check_in["_id"], "goal": goal["_id"]})
    assert body["linkCheckInGoal"]["errors"] == []
    # then the manager, who may not see that goal, reads the same history as before (not even that a link happened)
    assert (await manager.data(query, {"id": check_in["_id"]}))["checkIn"]["history"] == before
    # while HR admins, who read the whole trail, see which goal it was
    hr = shaped((await server.client("hr_admin").data(query, {"id": check_in["_id"]}))["checkIn"]["history"])
    assert [(f, r) for f, r, _, _ in hr[0][5]] == [("linkedGoalIds", False), ("updatedAt", False)]
    assert goal["_id"] in hr[0][5][0][3]


async def test_a_child_aligned_below_a_goal_leaves_no_entry_in_the_parent_s_history(server: RunningServer) -> None:
    # given a company goal everyone reads, and its history as a peer reads it
    parent = next(g for g in seeded_goals() if g["level"] == "company" and g["visibility"] == "everyone")
    query = "query($id: ID!) { goal(id: $id) { history { %s } } }" % ENTRY  # noqa: UP031
    before = {who: (await server.client(who).data(query, {"id": parent["_id"]}))["goal"]["history"]
              for who in (MANAGER, HR)}
    # when the employee aligns a private goal below it (the parent's tree counter moves)
    create = """mutation($i: CreateGoalInput!) { createGoal(input: $i) { goal { id } errors { code } } }"""
    body = await server.client(EMPLOYEE).data(create, {"i": {
        "title": "Secret child", "level": "INDIVIDUAL", "visibility": "PRIVATE", "parentId": parent["_id"],
        "startDate": "2026-10-01", "dueDate": "2026-12-31",
        "keyResults": [{"title": "kr", "metricKind": "NUMBER", "startValue": 0, "targetValue": 10}]}})
    assert body["createGoal"]["errors"] == []
    # then the parent's history is unchanged, for HR admins too (a counter is not a change anyone made)
    for who in (MANAGER, HR):
        assert (await server.client(who).data(query, {"id": parent["_id"]}))["goal"]["history"] == before[who]


async def test_a_feedback_item_s_history_is_its_author_s_only(server: RunningServer) -> None:
    # given feedback the employee persona gave their manager
    give = """mutation($input: GiveFeedbackInput!) {
      giveFeedback(input: $input) { feedback { id } errors { code } } }"""
    body = await server.client(EMPLOYEE).data(give, {"input": {"recipientId": MANAGER, "text": "Clear priorities",
                                                               "visibility": "PRIVATE"}})
    feedback = body["giveFeedback"]["feedback"]["id"]
    query = "query($id: ID!) { feedback(id: $id) { id history { %s } } }" % ENTRY  # noqa: UP031
    # then the author reads its creation; the recipient sees the feedback but not its history
    mine = (await server.client(EMPLOYEE).data(query, {"id": feedback}))["feedback"]["history"]
    assert [(e[0], e[1], e[3]) for e in shaped(mine)] == [("giveFeedback", "created", EMPLOYEE)]
    theirs = await server.client(MANAGER).execute(query, {"id": feedback})
    assert theirs["data"]["feedback"] == {"id": feedback, "history": None}
    assert hidden(theirs, "feedback", "history")


async def test_a_review_form_s_history_is_its_reviewer_s_and_hr_s(server: RunningServer) -> None:
    # given the employee persona's self form and one more answer to it
    form = seeded_form(seeded_review(RUNNING, persona("employee")["_id"]), "self")
    question = next(iter(form["answers"]))
    version = form["answers"][question]["version"]
    body = await server.client(EMPLOYEE).data(UPDATE_ANSWER, {"form": form["_id"], "question": question,
                                                              "value": form["answers"][question]["value"],
                                                              "base": version})
    assert body["updateReviewAnswer"]["errors"] == [], body
    query = "query($id: ID!) { reviewForm(id: $id) { id auditHistory { %s } } }" % ENTRY  # noqa: UP031
    # then the reviewer and HR read it; the manager, who may read the form, may not read its history
    for who in (EMPLOYEE, HR):
        history = (await server.client(who).data(query, {"id": form["_id"]}))["reviewForm"]["auditHistory"]
        assert [(e[0], e[3]) for e in shaped(history)][:1] == [("updateReviewAnswer", EMPLOYEE)]
    theirs = await server.client(MANAGER).execute(query, {"id": form["_id"]})
    assert theirs["data"]["reviewForm"] == {"id": form["_id"], "auditHistory": None}
    assert hidden(theirs, "reviewForm", "auditHistory")


async def test_an_exit_record_s_history_keeps_no_value(server: RunningServer) -> None:
    # given a leaver whose exit HR classified
    leaver = active_individual_contributors()[0]["_id"]
    await terminate(server, leaver)
    record = await record_of(server, leaver)
    body = await server.client("hr_admin").data(CLASSIFY, {"id": record["_id"], "input": {"kind": "VOLUNTARY",
                                                                                           "regretted": True}})
    assert body["classifyExit"]["errors"] == []
    query = "query($id: ID!) { exitRecord(id: $id) { history { %s } } }" % ENTRY  # noqa: UP031
    history = shaped((await server.client("hr_admin").data(query, {"id": record["_id"]}))["exitRecord"]["history"])
    # then the classification is its latest entry, every field recorded as changed without its value
    operation, action, _, actor, _, changes = history[0]
    assert (operation, action, actor) == ("classifyExit", "changed", HR)
    assert {"kind", "regretted"} <= {field for field, *_ in changes}
    assert all(redacted and before is None and after is None for _, redacted, before, after in changes)
    assert history[-1][:2] == ("terminateEmployee", "created")


async def test_a_growth_plan_s_history_for_those_who_read_the_plan(server: RunningServer) -> None:
    target = [{"positionId": BY_TITLE["Senior Software Engineer"]["_id"], "aspiration": "Lead the platform",
               "horizon": "ONE_TO_TWO_YEARS"}]
    body = await server.client(EMPLOYEE).data(SET_TARGETS, {"id": EMPLOYEE, "targets": target})
    assert body["setGrowthTargets"]["errors"] == [], body
    query = "query($id: ID!) { growthPlan(employeeId: $id) { history { %s } } }" % ENTRY  # noqa: UP031
    history = (await server.client(EMPLOYEE).data(query, {"id": EMPLOYEE}))["growthPlan"]["history"]
    assert [(e[0], e[3]) for e in shaped(history)][:1] == [("setGrowthTargets", EMPLOYEE)]
    # and their manager, who reads the plan, may not read its history (its actions may name hidden goals)
    theirs = await server.client(MANAGER).execute(query, {"id": EMPLOYEE})
    assert theirs["data"]["growthPlan"] == {"history": None}
    assert hidden(theirs, "growthPlan", "history")


async def test_a_promotion_proposal_s_audit_history_for_those_who_see_it(server: RunningServer) -> None:
    lead = PEOPLE[EMPLOYEE]["managerId"]
    propose = """mutation($e: ID!, $p: ID!, $on: Date!) {
      proposePromotion(employeeId: $e, positionId: $p, effectiveOn: $on, justification: "Ready", evidence: []) {
        proposal { id } errors { code } } }"""
    body = await server.client(lead).data(propose, {"e": EMPLOYEE, "p": BY_TITLE["Senior Software Engineer"]["_id"],
                                                    "on": clock.today().isoformat()})
    proposal = body["proposePromotion"]["proposal"]["id"]
    query = "{ promotionProposals(status: PENDING) { id auditHistory(last: 5) { %s } } }" % ENTRY  # noqa: UP031
    for who in (lead, HR):
        found = next(p for p in (await server.client(who).data(query))["promotionProposals"] if p["id"] == proposal)
        assert [(e[0], e[1], e[3]) for e in shaped(found["auditHistory"])] == [("proposePromotion", "created", lead)]


async def test_a_merit_proposal_s_history_records_pay_as_changed_only(server: RunningServer) -> None:
    # given the manager's proposal for the team lead in a new cycle
    admin = await comp_admin(server)
    cycle_id, _ = await launched_cycle(admin)
    team_lead = PEOPLE[EMPLOYEE]["managerId"]
    proposed = await server.client("manager").data(PROPOSE, {"cycle": cycle_id, "employee": team_lead,
                                                             "percent": "3"})
    assert proposed["proposeIncrease"]["errors"] == []
    query = """query($cycle: ID!, $manager: ID!) { meritProposals(cycleId: $cycle, managerId: $manager, first: 10) {
      edges { node { employee { id } proposal { history { %s } } } } } }""" % ENTRY  # noqa: UP031
    for client in (admin, server.client("manager")):
        data = await client.data(query, {"cycle": cycle_id, "manager": MANAGER})
        node = next(e["node"] for e in data["meritProposals"]["edges"] if e["node"]["employee"]["id"] == team_lead)
        history = shaped(node["proposal"]["history"])
        operation, action, kind, actor, _, changes = history[0]
        assert (operation, action, kind, actor) == ("proposeIncrease", "changed", "meritParticipants", MANAGER)
        assert changes and all(r and b is None and a is None for _, r, b, a in changes)


async def test_a_review_s_audit_history_is_for_managers_and_hr_not_the_reviewee(server: RunningServer) -> None:
    # given HR moved the employee persona's running review on to the manager's phase
    review = seeded_review(RUNNING, EMPLOYEE)
    assert (await move(server, "hr_admin", review["_id"], "MANAGER_REVIEW"))["errors"] == []
    query = "query($id: ID!) { review(id: $id) { id auditHistory(last: 5) { %s } } }" % ENTRY  # noqa: UP031
    # then HR and the reviewee's manager read that change
    for who in (HR, PEOPLE[EMPLOYEE]["managerId"]):
        history = (await server.client(who).data(query, {"id": review["_id"]}))["review"]["auditHistory"]
        assert [(e[0], e[1], e[3]) for e in shaped(history)][:1] == [("moveReview", "changed", HR)]
    # and the reviewee, who sees the review, may not read its history (scores before sharing)
    theirs = await server.client(EMPLOYEE).execute(query, {"id": review["_id"]})
    assert theirs["data"]["review"] == {"id": review["_id"], "auditHistory": None}
    assert hidden(theirs, "review", "auditHistory")
