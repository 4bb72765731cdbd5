"""Concurrent review writes, each forced into the interleaving that broke it (tests/interleave.py): one
mutation is parked at its write after its checks, another completes meanwhile, and the first must then
see what the other did (refused, or recorded on top of it) instead of writing over it."""

from __future__ import annotations

import asyncio
from typing import Any

from models.reviews.rules import kinds_in, version_of
from tests.conftest import NORTHWIND, RunningServer
from tests.interleave import hold
from tests.reviews.support import (
    CALIBRATE,
    REOPEN_FORM,
    RUNNING,
    SEED,
    SUBMIT_FORM,
    TEMPLATE,
    UPDATE_ANSWER,
    answer_required,
    create_cycle,
    create_template,
    cycle_documents,
    launch,
    move,
    persona,
    seeded_form,
    seeded_forms,
    seeded_review,
    stored,
    submit,
    template_input,
)

NOMINATE = """
mutation($review: ID!, $peers: [ID!]!) {
  nominatePeers(reviewId: $review, peerIds: $peers) { review { id } errors { field code message } }
}"""
UPDATE_TEMPLATE = """
mutation($id: ID!, $input: ReviewTemplateInput!) {
  updateReviewTemplate(id: $id, input: $input) { template { id version } errors { field code message } }
}"""
SET_EXPECTATIONS = """
mutation($position: ID!, $items: [CompetencyExpectationInput!]!) {
  setPositionCompetencies(positionId: $position, expectations: $items) { errors { field code message } }
}"""
LATEST_TEMPLATES = "query { reviewTemplates(includeOldVersions: false) { id familyId version } }"


def review() -> dict[str, Any]:
    return seeded_review(RUNNING, persona("employee")["_id"])


async def to_calibration(server: RunningServer, review_id: str) -> None:
    for state in ("MANAGER_REVIEW", "CALIBRATION"):
        assert (await move(server, "hr_admin", review_id, state))["errors"] == []


async def answer(server: RunningServer, who: str, form: str, question: str, value: Any, base: int) -> dict[str, Any]:
    data = await server.client(who).data(UPDATE_ANSWER, {"form": form, "question": question, "value": value,
                                                         "base": base})
    return data["updateReviewAnswer"]


async def submitted_manager_form(server: RunningServer, review: dict[str, Any]) -> dict[str, Any]:
    """The review in calibration with its manager's form answered and submitted."""
    await to_calibration(server, review["_id"])
    form = seeded_form(review, "manager")
    await answer_required(server, review["managerId"], await stored(server, "reviewForms", form["_id"]))
    await submit(server, review["managerId"], form["_id"])
    return await stored(server, "reviewForms", form["_id"])


async def test_an_answer_checked_before_the_review_is_shared_is_refused_after(server: RunningServer) -> None:
    # given a review in calibration and its manager answering on their form
    doc = review()
    await to_calibration(server, doc["_id"])
    form = await stored(server, "reviewForms", seeded_form(doc, "manager")["_id"])
    base = version_of(form, "strengths")
    # when the answer has passed its checks and an HR admin shares the review before it is written
    async with hold(server.database, "reviewForms", "find_one_and_update") as held:
        writing = asyncio.create_task(answer(server, doc["managerId"], form["_id"], "strengths", "Late.", base))
        await held.reached.wait()
        assert (await move(server, "hr_admin", doc["_id"], "SHARED"))["errors"] == []
    result = await writing
    # then the answer is refused as on a shared review, and not stored
    assert result["errors"] == [{"field": "formId", "code": "READ_ONLY",
                                 "message": "the review has been shared; its forms are read-only"}]
    after = await stored(server, "reviewForms", form["_id"])
    assert after["answers"].get("strengths") == form["answers"].get("strengths")
    assert after["revision"] == form["revision"]


async def test_a_submit_checked_before_an_answer_is_cleared_is_refused_after(server: RunningServer) -> None:
    # given the persona's self form with every required question answered
    form = seeded_form(review(), "self")
    await answer_required(server, "employee", form)
    current = await stored(server, "reviewForms", form["_id"])
    # when the submit has passed its checks and another device clears a required answer before it is written
    async with hold(server.database, "reviewForms", "update_one") as held:
        submitting = asyncio.create_task(server.client("employee").data(SUBMIT_FORM, {"form": form["_id"]}))
        await held.reached.wait()
        cleared = await answer(server, "employee", form["_id"], "impact", None, version_of(current, "impact"))
        assert cleared["errors"] == []
    result = (await submitting)["submitReviewForm"]
    # then the submit is refused for the missing answer, and the form stays in progress
    assert result["errors"] == [{"field": "answers.impact", "code": "REQUIRED",
                                 "message": "question 'impact' needs an answer"}]
    assert (await stored(server, "reviewForms", form["_id"]))["state"] == "in_progress"


async def test_a_reopen_checked_before_the_review_is_shared_is_refused_after(server: RunningServer) -> None:
    # given a review in calibration with the manager's form submitted
    doc = review()
    form = await submitted_manager_form(server, doc)
    # when an HR admin's reopen has passed its checks and the manager shares the review before it is written
    async with hold(server.database, "reviewForms", "update_one") as held:
        reopening = asyncio.create_task(server.client("hr_admin").data(
            REOPEN_FORM, {"form": form["_id"], "reason": "One more look."}))
        await held.reached.wait()
        assert (await move(server, doc["managerId"], doc["_id"], "SHARED"))["errors"] == []
    result = (await reopening)["reopenReviewForm"]
    # then the reopen is refused as on a shared review, and the form stays submitted
    assert result["errors"] == [{"field": "formId", "code": "INVALID_TRANSITION",
                                 "message": "the review has been shared"}]
    assert (await stored(server, "reviewForms", form["_id"]))["state"] == "submitted"


async def test_a_move_checked_before_its_form_is_reopened_is_refused_after(server: RunningServer) -> None:
    # given a review in calibration with the manager's form submitted
    doc = review()
    form = await submitted_manager_form(server, doc)
    # when the manager's move to shared has passed its checks and an HR admin reopens the form before it lands
    async with hold(server.database, "reviews", "update_one") as held:
        sharing = asyncio.create_task(move(server, doc["managerId"], doc["_id"], "SHARED"))
        await held.reached.wait()
        reopened = await server.client("hr_admin").data(REOPEN_FORM, {"form": form["_id"], "reason": "Not yet."})
        assert reopened["reopenReviewForm"]["errors"] == []
    result = await sharing
    # then the move is refused for the form no longer submitted, and the review stays in calibration
    assert result["errors"] == [{"field": "state", "code": "INVALID_TRANSITION",
                                 "message": "the manager form must be submitted before the review moves to shared"}]
    assert (await stored(server, "reviews", doc["_id"]))["state"] == "calibration"


async def test_two_calibrations_at_once_each_record_the_rating_they_replace(server: RunningServer) -> None:
    # given a review in calibration, never calibrated
    doc = review()
    await to_calibration(server, doc["_id"])

    async def calibrate(who: str, rating: int) -> dict[str, Any]:
        data = await server.client(who).data(CALIBRATE, {"review": doc["_id"], "rating": rating, "why": "Session."})
        return data["calibrateReview"]

    # when the manager's calibration has read the review and an HR admin calibrates before it is written
    async with hold(server.database, "reviews", "update_one") as held:
        first = asyncio.create_task(calibrate(doc["managerId"], 4))
        await held.reached.wait()
        assert (await calibrate("hr_admin", 2))["errors"] == []
    assert (await first)["errors"] == []
    # then both are kept, the later one recording the HR admin's rating as the one it replaced
    stored_review = await stored(server, "reviews", doc["_id"])
    history = [(e["rating"], e["previousRating"], e["byId"]) for e in stored_review["calibrationHistory"]]
    hr = persona("hr_admin")["_id"]
    assert history == [(2, None, hr), (4, 2, doc["managerId"])]
    assert stored_review["calibration"]["rating"] == 4


async def test_two_nominations_at_once_leave_a_form_for_exactly_the_nominated_peers(server: RunningServer) -> None:
    # given the persona's review with one started and one idle peer, and two more teammates
    doc = review()
    forms = seeded_forms(doc, "peer")
    started = next(f["reviewerId"] for f in forms if f["state"] != "not_started")
    idle = next(f["reviewerId"] for f in forms if f["state"] == "not_started")
    me = persona("employee")
    x, y = [e["_id"] for e in NORTHWIND.employees if e["managerId"] == me["managerId"] and e["status"] == "active"
            and e["_id"] not in (me["_id"], *doc["peerIds"])][:2]

    async def nominate(peers: list[str]) -> dict[str, Any]:
        data = await server.client("employee").data(NOMINATE, {"review": doc["_id"], "peers": peers})
        return data["nominatePeers"]

    # when one nomination (idle out, x in) has read the peers and another (y in) completes before it writes
    async with hold(server.database, "reviews", "update_one") as held:
        first = asyncio.create_task(nominate([started, x]))
        await held.reached.wait()
        assert (await nominate([started, idle, y]))["errors"] == []
    assert (await first)["errors"] == []
    # then the peers are the later nomination's, and exactly they have a live form
    stored_review = await stored(server, "reviews", doc["_id"])
    live = await server.database.reviewForms.find(
        {"reviewId": doc["_id"], "kind": "peer", "state": {"$ne": "withdrawn"}}).to_list(None)
    assert stored_review["peerIds"] == [started, x]
    assert sorted(f["reviewerId"] for f in live) == sorted([started, x])


async def test_a_new_template_version_and_its_predecessors_pointer_appear_together(server: RunningServer) -> None:
    # given the seeded template, locked by its cycles
    hr = server.client("hr_admin")

    def family(data: dict[str, Any]) -> list[int]:
        return [t["version"] for t in data["reviewTemplates"] if t["familyId"] == TEMPLATE["familyId"]]

    # when an edit has written version 2 but not yet pointed version 1 at it, and someone lists the templates
    async with hold(server.database, "reviewTemplates", "update_one") as held:
        editing = asyncio.create_task(hr.data(UPDATE_TEMPLATE, {"id": TEMPLATE["_id"],
                                                                "input": template_input(name="Renamed")}))
        await held.reached.wait()
        during = family(await hr.data(LATEST_TEMPLATES))
    assert (await editing)["updateReviewTemplate"]["errors"] == []
    # then the list showed one latest version of the family, before and after the edit
    assert during == [1]
    assert family(await hr.data(LATEST_TEMPLATES)) == [2]


async def test_a_launch_issues_forms_for_its_template_as_locked(server: RunningServer) -> None:
    # given a template not launched yet, with questions for upward reviewers, and a draft cycle on it
    template = await create_template(server)
    cycle_id = await create_cycle(server, template["_id"])
    without_upward = [s for s in template_input(template)["sections"] if s["id"] != "upward"]
    # when the launch has read the template and an HR admin edits it in place (no upward questions) before
    # the launch locks it
    async with hold(server.database, "reviewTemplates", "update_one") as held:
        launching = asyncio.create_task(launch(server, cycle_id))
        await held.reached.wait()
        edited = await server.client("hr_admin").data(UPDATE_TEMPLATE, {"id": template["_id"],
                                                                        "input": {"sections": without_upward}})
        assert edited["updateReviewTemplate"] == {"template": {"id": template["_id"], "version": 1}, "errors": []}
    await launching
    # then the forms issued are those of the template as it was locked: none for upward reviewers
    locked = await stored(server, "reviewTemplates", template["_id"])
    _, forms = await cycle_documents(server, cycle_id)
    assert locked["locked"] is True and "upward" not in kinds_in(locked)
    assert forms and {f["kind"] for f in forms} <= kinds_in(locked)


async def test_two_sets_of_a_positions_expectations_at_once_leave_one_of_them(server: RunningServer) -> None:
    # given a position and two different lists of expected levels
    position = NORTHWIND.positions[0]["_id"]
    ids = [c["_id"] for c in SEED["competencies"]]
    mine = [{"competencyId": ids[0], "expectedLevel": 5}, {"competencyId": ids[1], "expectedLevel": 2}]
    theirs = [{"competencyId": ids[4], "expectedLevel": 1}]

    async def set_levels(items: list[dict[str, Any]]) -> dict[str, Any]:
        data = await server.client("hr_admin").data(SET_EXPECTATIONS, {"position": position, "items": items})
        return data["setPositionCompetencies"]

    # when one set is about to remove the levels it does not keep and another set completes meanwhile
    async with hold(server.database, "positionCompetencies", "delete_many") as held:
        first = asyncio.create_task(set_levels(mine))
        await held.reached.wait()
        assert (await set_levels(theirs))["errors"] == []
    assert (await first)["errors"] == []
    # then the position expects exactly the list of the set that finished last
    docs = await server.database.positionCompetencies.find({"positionId": position}).to_list(None)
    assert sorted((d["competencyId"], d["expectedLevel"]) for d in docs) == sorted(
        (i["competencyId"], i["expectedLevel"]) for i in mine)
