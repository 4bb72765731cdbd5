"""Who sees which review, form and answer: before and after sharing, peers named or anonymous (3 answers at
least), question readers, scores, outsiders and other organisations; in queries, nested fields and
subscriptions alike."""

from __future__ import annotations

import json
from typing import Any

from models.reviews.rules import questions_for
from tests.client import answer, websocket
from tests.conftest import GLOBEX, NORTHWIND, RunningServer
from tests.reviews.support import (
    FINISHED,
    RUNNING,
    TEMPLATE,
    UNKNOWN_ID,
    UPDATE_ANSWER,
    answer_required,
    create_cycle,
    create_template,
    cycle_documents,
    launch,
    move,
    person,
    persona,
    seeded_form,
    seeded_forms,
    seeded_review,
    submit,
    teams,
)

FORM = "query($id: ID!) { reviewForm(id: $id) { id kind reviewer { id } answers { questionId value } } }"
REVIEW = """
query($id: ID!) { review(id: $id) { id state forms { id kind } } }"""
FEEDBACK = """
query($id: ID!) {
  review(id: $id) { feedback(kind: PEER) { kind answered visible questions { question { id: key } answers } } }
}"""
SCORE = "query($id: ID!) { review(id: $id) { id score { value rating } } }"
FORM_CHANGED = "subscription($form: ID!) { reviewFormChanged(formId: $form) { questionId value version } }"


def codes(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors", [])]


def outsider() -> dict[str, Any]:
    """An active colleague outside the persona's branch who is not an HR admin."""
    me = persona("employee")
    return next(e for e in NORTHWIND.employees if e["status"] == "active" and "hr_admin" not in e["roles"]
                and e["_id"] not in me["managerChain"] and me["managerChain"][1] not in e["managerChain"]
                and e["_id"] != me["_id"])


async def share(server: RunningServer, review_id: str) -> None:
    """HR admins may move a review on without its forms: up to shared."""
    for state in ("MANAGER_REVIEW", "CALIBRATION", "SHARED"):
        assert (await move(server, "hr_admin", review_id, state))["errors"] == []


async def test_the_reviewee_sees_the_managers_form_only_once_shared(server: RunningServer) -> None:
    # given the persona's running review (self_review) with the manager's form in progress
    review = seeded_review(RUNNING, persona("employee")["_id"])
    manager_form, self_form = seeded_form(review, "manager"), seeded_form(review, "self")
    me = server.client("employee")
    # then the reviewee cannot read it, and the review lists only their own form
    assert codes(await me.execute(FORM, {"id": manager_form["_id"]})) == ["FORBIDDEN"]
    assert (await me.data(REVIEW, {"id": review["_id"]}))["review"]["forms"] == [
        {"id": self_form["_id"], "kind": "SELF"}]
    # while the manager and HR admins see every form
    everyone = sorted(f["_id"] for f in seeded_forms(review))
    for who in (review["managerId"], "hr_admin"):
        forms = (await server.client(who).data(REVIEW, {"id": review["_id"]}))["review"]["forms"]
        assert sorted(f["id"] for f in forms) == everyone
    # when the review is shared
    await share(server, review["_id"])
    # then the reviewee reads the manager's form, except the answers only managers may read
    data = await me.data(FORM, {"id": manager_form["_id"]})
    readable = [q for s, q in questions_for(TEMPLATE, "manager") if "reviewee" in q["readers"]]
    assert data["reviewForm"]["answers"] == [{"questionId": q["id"], "value": manager_form["answers"][q["id"]]["value"]}
                                             for q in readable if q["id"] in manager_form["answers"]]
    assert "promotion" in manager_form["answers"] and "promotion" not in [q["id"] for q in readable]
    # and anonymous peers stay out of the list
    kinds = [f["kind"] for f in (await me.data(REVIEW, {"id": review["_id"]}))["review"]["forms"]]
    assert sorted(kinds) == ["MANAGER", "SELF"]


async def test_anonymous_peer_answers_need_three_of_them(server: RunningServer) -> None:
    # given a cycle with three peers per reviewee, and two reviewees of one team
    cycle_id = await create_cycle(server, peersPerReviewee=3)
    await launch(server, cycle_id)
    reviews, forms = await cycle_documents(server, cycle_id)
    team = next(t for t in teams().values() if len(t) >= 4)
    few, many = (next(r for r in reviews if r["employeeId"] == e) for e in team[:2])
    # when two peers of one and all three peers of the other submit, and both reviews are shared
    for review, submitting in ((few, 2), (many, 3)):
        peers = [f for f in forms if f["reviewId"] == review["_id"] and f["kind"] == "peer"]
        assert len(peers) == 3
        for level, form in zip((3, 5, 4), peers[:submitting], strict=False):
            await answer_required(server, form["reviewerId"], form, level=level)
            await submit(server, form["reviewerId"], form["_id"])
        await share(server, review["_id"])
    # then the first reviewee sees that two answered, but not what
    data = await server.client(few["employeeId"]).data(FEEDBACK, {"id": few["_id"]})
    assert data["review"]["feedback"] == {"kind": "PEER", "answered": 2, "visible": False, "questions": []}
    # and the second sees the answers of all three, without names, in a neutral order
    data = await server.client(many["employeeId"]).data(FEEDBACK, {"id": many["_id"]})
    stored = await server.database.reviewForms.find({"reviewId": many["_id"], "kind": "peer"}).to_list(None)
    expected = []
    for _, question in questions_for(TEMPLATE, "peer"):
        values = [f["answers"][question["id"]]["value"] for f in stored if question["id"] in f["answers"]]
        expected.append({"question": {"id": question["id"]},
                         "answers": sorted(values, key=lambda v: json.dumps(v, sort_keys=True))})
    assert data["review"]["feedback"] == {"kind": "PEER", "answered": 3, "visible": True, "questions": expected}
    # but no single peer form
    peer_form = next(f for f in stored)
    body = await server.client(many["employeeId"]).execute(FORM, {"id": peer_form["_id"]})
    assert codes(body) == ["FORBIDDEN"]


async def test_named_peer_answers_are_shown_with_names_once_shared(server: RunningServer) -> None:
    # given a template that names peers, a cycle using it, and one peer's submitted form
    template = await create_template(server, name="Named 360", peerVisibility="NAMED")
    cycle_id = await create_cycle(server, template["_id"])
    await launch(server, cycle_id)
    reviews, forms = await cycle_documents(server, cycle_id)
    review = reviews[0]
    peer_form = next(f for f in forms if f["reviewId"] == review["_id"] and f["kind"] == "peer")
    await answer_required(server, peer_form["reviewerId"], peer_form, template)
    await submit(server, peer_form["reviewerId"], peer_form["_id"])
    reviewee = server.client(review["employeeId"])
    # then before sharing the reviewee cannot read it
    assert codes(await reviewee.execute(FORM, {"id": peer_form["_id"]})) == ["FORBIDDEN"]
    # when the review is shared, then they read it, with the peer's name
    await share(server, review["_id"])
    data = await reviewee.data(FORM, {"id": peer_form["_id"]})
    assert data["reviewForm"]["reviewer"] == {"id": peer_form["reviewerId"]}
    assert len(data["reviewForm"]["answers"]) == len([1 for s, q in questions_for(template, "peer") if q["required"]])


async def test_scores_reach_the_reviewee_only_once_shared(server: RunningServer) -> None:
    # given the persona's running review (scored, not shared) and finished review (shared)
    me = persona("employee")["_id"]
    running, finished = seeded_review(RUNNING, me), seeded_review(FINISHED, me)
    # then the running score is null for them (by design, without an error), the finished one is theirs
    body = await server.client("employee").execute(SCORE, {"id": running["_id"]})
    assert body["data"] == {"review": {"id": running["_id"], "score": None}}
    assert codes(body) == []
    data = await server.client("employee").data(SCORE, {"id": finished["_id"]})
    assert data["review"]["score"] == {"value": finished["score"]["value"], "rating": finished["score"]["rating"]}
    # while their manager sees both
    for review in (running, finished):
        data = await server.client(running["managerId"]).data(SCORE, {"id": review["_id"]})
        assert data["review"]["score"]["value"] == review["score"]["value"]


async def test_outsiders_and_other_organisations_see_nothing(server: RunningServer) -> None:
    # given the persona's review and self form
    review = seeded_review(RUNNING, persona("employee")["_id"])
    form = seeded_form(review, "self")
    # then a colleague outside their branch is refused both
    stranger = server.client(outsider()["_id"])
    assert codes(await stranger.execute(REVIEW, {"id": review["_id"]})) == ["FORBIDDEN"]
    assert codes(await stranger.execute(FORM, {"id": form["_id"]})) == ["FORBIDDEN"]
    # and another organisation's HR admin gets exactly what an unknown id gives: null, no error
    globex = server.client(GLOBEX.personas["hr_admin"], GLOBEX)
    for query, id in ((REVIEW, review["_id"]), (FORM, form["_id"]), (REVIEW, UNKNOWN_ID), (FORM, UNKNOWN_ID)):
        body = await globex.execute(query, {"id": id})
        assert answer(body) == {"data": {query.split("{ ")[1].split("(")[0]: None}}


async def test_a_peer_reads_their_own_form_and_nothing_else_of_the_review(server: RunningServer) -> None:
    # given a peer reviewer of the persona
    review = seeded_review(RUNNING, persona("employee")["_id"])
    mine, other = seeded_forms(review, "peer")
    peer = server.client(mine["reviewerId"])
    # then they read their form, but not the review, the other peer's form or the manager's
    assert (await peer.data(FORM, {"id": mine["_id"]}))["reviewForm"]["id"] == mine["_id"]
    for query, id in ((REVIEW, review["_id"]), (FORM, other["_id"]), (FORM, seeded_form(review, "manager")["_id"])):
        assert codes(await peer.execute(query, {"id": id})) == ["FORBIDDEN"]
    assert person(mine["reviewerId"])["_id"] != persona("employee")["_id"]


async def test_events_follow_question_readers(server: RunningServer) -> None:
    # given a template whose self questions are private to the reviewer, or readable by managers
    sections = [{"id": "self", "title": "Self", "reviewerKinds": ["SELF", "MANAGER"], "questions": [
        {"id": "private", "kind": "TEXT", "text": "Only for you and HR", "readers": [], "reviewerKinds": ["SELF"]},
        {"id": "open", "kind": "TEXT", "text": "Your manager reads this", "readers": ["MANAGER"],
         "reviewerKinds": ["SELF"]},
        {"id": "rating", "kind": "RATING", "text": "Overall", "reviewerKinds": ["MANAGER"]}]}]
    template = await create_template(server, name="Private notes", sections=sections)
    cycle_id = await create_cycle(server, template["_id"])
    await launch(server, cycle_id)
    reviews, forms = await cycle_documents(server, cycle_id)
    review = next(r for r in reviews if r["managerId"])
    self_form = next(f for f in forms if f["reviewId"] == review["_id"] and f["kind"] == "self")
    async with websocket(server.ws_url, server.token(review["managerId"])) as manager, \
            websocket(server.ws_url, server.token("hr_admin")) as hr:
        for subscriber in (manager, hr):
            await subscriber.subscribe(FORM_CHANGED, {"form": self_form["_id"]})
        await server.wait_subscribers(2)
        # when the reviewee answers both questions
        client = server.client(review["employeeId"])
        for question in ("private", "open"):
            data = await client.data(UPDATE_ANSWER, {"form": self_form["_id"], "question": question,
                                                     "value": f"{question} note", "base": 0})
            assert data["updateReviewAnswer"]["errors"] == []
        # then HR gets both, the manager only the one managers may read
        for question in ("private", "open"):
            event = (await hr.next_payload())["data"]["reviewFormChanged"]
            assert event == {"questionId": question, "value": f"{question} note", "version": 1}
        assert (await manager.next_payload())["data"]["reviewFormChanged"]["questionId"] == "open"
        # and nothing else: the next readable answer (the same note saved again) is the next thing they get
        data = await client.data(UPDATE_ANSWER, {"form": self_form["_id"], "question": "open",
                                                 "value": "open note", "base": 1})
        assert data["updateReviewAnswer"]["errors"] == []
        assert (await manager.next_payload())["data"]["reviewFormChanged"] == {
            "questionId": "open", "value": "open note", "version": 2}
    # and the manager's query shows the same: only the readable answer
    data = await server.client(review["managerId"]).data(FORM, {"id": self_form["_id"]})
    assert data["reviewForm"]["answers"] == [{"questionId": "open", "value": "open note"}]
