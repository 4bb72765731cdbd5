"""How one answer is written: one conditional write of the form, no transaction (live co-editing writes many
answers on one form at once), its store calls over HTTP and WebSocket, its audit entry, and a review that
moves between the checks and the write."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from models.reviews.rules import version_of
from tests.client import websocket
from tests.conftest import RunningServer
from tests.interleave import hold
from tests.reviews.support import RUNNING, UPDATE_ANSWER, move, persona, seeded_form, seeded_review, stored

AUDIT = """
query($filter: AuditFilter) {
  auditLog(filter: $filter, first: 20) { edges { node { operation action objectType objectId actorId
                                                        changes { field redacted before after } } } }
}"""
# Before the write: the form, its review, then the reviewee and the template (HTTP signs in first); the
# write itself. A rated answer then rescores the review: its forms, and the score written over an older one.
TEXT_CALLS = {"reviewForms": 2, "reviews": 1, "employees": 1, "reviewTemplates": 1}
RATED_CALLS = {"reviewForms": 3, "reviews": 2, "employees": 1, "reviewTemplates": 1}
SIGN_IN = {"employees": 1}


def manager_form() -> tuple[dict[str, Any], dict[str, Any]]:
    """The employee persona's review in the running cycle and its manager's form."""
    review = seeded_review(RUNNING, persona("employee")["_id"])
    return review, seeded_form(review, "manager")


def plus(calls: dict[str, int], more: dict[str, int]) -> dict[str, int]:
    return {k: calls.get(k, 0) + more.get(k, 0) for k in {*calls, *more}}


async def test_an_answer_costs_the_same_store_calls_over_http_and_websocket(server: RunningServer) -> None:
    # given the manager of the employee persona, answering on their form of the running review
    review, form = manager_form()
    assert (await move(server, "hr_admin", review["_id"], "MANAGER_REVIEW"))["errors"] == []
    versions = {q: version_of(await stored(server, "reviewForms", form["_id"]), q) for q in ("strengths", "impact")}
    client = server.client(review["managerId"])

    async def over_http(question: str, value: Any) -> dict[str, int]:
        server.database.stats.reset()
        data = await client.data(UPDATE_ANSWER, {"form": form["_id"], "question": question, "value": value,
                                                 "base": versions[question]})
        versions[question] = data["updateReviewAnswer"]["answer"]["version"]
        return dict(server.database.stats.by_collection)

    await over_http("strengths", "First.")  # a text answer given: rewriting it cannot change the score
    # when it rewrites that text answer and writes a rating over HTTP, then the same over one WebSocket
    http = [await over_http("strengths", "Clear."), await over_http("impact", 4)]
    ws_calls = []
    async with websocket(server.ws_url, server.token(review["managerId"])) as ws:
        for question, value in (("strengths", "Clearer."), ("impact", 3)):
            server.database.stats.reset()
            await ws.subscribe(UPDATE_ANSWER, {"form": form["_id"], "question": question, "value": value,
                                               "base": versions[question]})
            payload = await ws.next_payload()
            assert payload["data"]["updateReviewAnswer"]["errors"] == [], payload
            assert (await ws.receive())["type"] == "complete"
            ws_calls.append(dict(server.database.stats.by_collection))
    # then each costs the reads its checks need and one write (a rating: its rescore too), the WebSocket
    # without the sign-in
    assert http == [plus(TEXT_CALLS, SIGN_IN), plus(RATED_CALLS, SIGN_IN)]
    assert ws_calls == [TEXT_CALLS, RATED_CALLS]
    written = await stored(server, "reviewForms", form["_id"])
    assert {q: written["answers"][q]["value"] for q in versions} == {"strengths": "Clearer.", "impact": 3}


async def test_an_answer_is_audited_with_the_answer_before_and_after_and_a_stale_one_not_at_all(
        server: RunningServer) -> None:
    # given the manager's form with a first answer on "strengths"
    review, form = manager_form()
    assert (await move(server, "hr_admin", review["_id"], "MANAGER_REVIEW"))["errors"] == []
    client = server.client(review["managerId"])
    base = version_of(await stored(server, "reviewForms", form["_id"]), "strengths")
    first = await client.data(UPDATE_ANSWER, {"form": form["_id"], "question": "strengths", "value": "One.",
                                              "base": base})
    assert first["updateReviewAnswer"]["errors"] == []
    # when it is answered again on top of it, then once more from the old version (a conflict)
    second = await client.data(UPDATE_ANSWER, {"form": form["_id"], "question": "strengths", "value": "Two.",
                                               "base": base + 1})
    stale = await client.data(UPDATE_ANSWER, {"form": form["_id"], "question": "strengths", "value": "Lost.",
                                              "base": base})
    assert second["updateReviewAnswer"]["errors"] == []
    assert [e["code"] for e in stale["updateReviewAnswer"]["errors"]] == ["CONFLICT"]
    # then the form has one entry per answer written (after the move's), none for the stale one, the newest
    # naming the manager and that answer before and after
    body = await server.client("hr_admin").data(AUDIT, {"filter": {"objectId": form["_id"]}})
    entries = [e["node"] for e in body["auditLog"]["edges"]]
    assert [e["operation"] for e in entries] == ["updateReviewAnswer", "updateReviewAnswer", "moveReview"]
    newest = entries[0]
    assert (newest["operation"], newest["action"], newest["objectType"], newest["actorId"]) == \
        ("updateReviewAnswer", "changed", "reviewForms", review["managerId"])
    changes = {c["field"]: c for c in newest["changes"]}
    assert set(changes) == {"answers.strengths", "updatedAt", "revision"}
    before, after = (json.loads(changes["answers.strengths"][side]) for side in ("before", "after"))
    assert (before["value"], before["version"]) == ("One.", base + 1)
    assert (after["value"], after["version"], after["byId"]) == ("Two.", base + 2, review["managerId"])
    stored_form = await stored(server, "reviewForms", form["_id"])
    assert json.loads(changes["revision"]["after"]) == stored_form["revision"]
    assert json.loads(changes["revision"]["before"]) == stored_form["revision"] - 1


async def test_an_answer_checked_before_the_review_moves_to_another_editable_state_is_written_on_it(
        server: RunningServer) -> None:
    # given the review in manager review and its manager answering on their form (allowed in calibration too)
    review, form = manager_form()
    assert (await move(server, "hr_admin", review["_id"], "MANAGER_REVIEW"))["errors"] == []
    before = await stored(server, "reviewForms", form["_id"])
    base = version_of(before, "strengths")
    client = server.client(review["managerId"])
    # when the answer has passed its checks and the review moves to calibration before it is written
    async with hold(server.database, "reviewForms", "find_one_and_update") as held:
        writing = asyncio.create_task(client.data(UPDATE_ANSWER, {
            "form": form["_id"], "question": "strengths", "value": "Checked.", "base": base}))
        await held.reached.wait()
        assert (await move(server, "hr_admin", review["_id"], "CALIBRATION"))["errors"] == []
    result = (await writing)["updateReviewAnswer"]
    # then it is written once, on the review as moved
    assert result["errors"] == []
    assert (result["answer"]["value"], result["answer"]["version"]) == ("Checked.", base + 1)
    after = await stored(server, "reviewForms", form["_id"])
    assert (after["answers"]["strengths"]["value"], after["revision"]) == ("Checked.", before["revision"] + 1)
    assert after["reviewState"] == "calibration"
