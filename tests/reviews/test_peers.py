"""Choosing peers: the reviewee (or their managers, or HR) sets the peers; new peers get a form, a peer
removed before starting loses theirs, and one who started stays."""

from __future__ import annotations

from typing import Any

import pytest

from tests.client import refused_codes
from tests.conftest import NORTHWIND, RunningServer
from tests.reviews.support import (
    REVIEW_COLLECTIONS,
    RUNNING,
    UNKNOWN_ID,
    persona,
    seeded_forms,
    seeded_review,
    stored,
)

NOMINATE = """
mutation($review: ID!, $peers: [ID!]!) {
  nominatePeers(reviewId: $review, peerIds: $peers) { review { id peers { id } } errors { field code message } }
}"""
PEER_FORMS = "query($id: ID!) { review(id: $id) { forms(kind: PEER) { id reviewer { id } state } } }"
SCORE = "query($id: ID!) { review(id: $id) { score { byKind { kind forms scoredForms } } } }"


def setup() -> tuple[dict[str, Any], dict[str, Any], dict[str, Any], str]:
    """The persona's running review, its not-started and started peer forms, and another teammate."""
    review = seeded_review(RUNNING, persona("employee")["_id"])
    forms = seeded_forms(review, "peer")
    idle = next(f for f in forms if f["state"] == "not_started")
    started = next(f for f in forms if f["state"] != "not_started")
    me = persona("employee")
    spare = next(e["_id"] for e in NORTHWIND.employees if e["managerId"] == me["managerId"] and e["status"] == "active"
                 and e["_id"] not in (me["_id"], *review["peerIds"]))
    return review, idle, started, spare


async def test_the_reviewee_swaps_a_peer_who_has_not_started(server: RunningServer) -> None:
    review, idle, started, spare = setup()
    # when the reviewee keeps the peer who started and replaces the other
    data = await server.client("employee").data(NOMINATE, {"review": review["_id"],
                                                           "peers": [started["reviewerId"], spare]})
    # then the review names the new peers and the manager sees their two forms
    assert data["nominatePeers"] == {"errors": [], "review": {"id": review["_id"], "peers": [
        {"id": started["reviewerId"]}, {"id": spare}]}}
    forms = (await server.client("hr_admin").data(PEER_FORMS, {"id": review["_id"]}))["review"]["forms"]
    assert sorted(f["reviewer"]["id"] for f in forms) == sorted([started["reviewerId"], spare])
    assert (await stored(server, "reviewForms", idle["_id"]))["state"] == "withdrawn"
    # and the score counts the two live peer forms (the started one scored), not the withdrawn one
    score = await server.client("hr_admin").data(SCORE, {"id": review["_id"]})
    peer = next(k for k in score["review"]["score"]["byKind"] if k["kind"] == "PEER")
    assert (peer["forms"], peer["scoredForms"]) == (2, 1)
    # and the new peer has it among their forms to fill in
    mine = await server.client(spare).data("{ myReviewForms(pending: true) { reviewee { id } kind state } }")
    assert {"reviewee": {"id": review["employeeId"]}, "kind": "PEER", "state": "NOT_STARTED"} in mine["myReviewForms"]
    # when the first peer is nominated again, then their original form comes back
    await server.client("employee").data(NOMINATE, {"review": review["_id"],
                                                    "peers": [started["reviewerId"], spare, idle["reviewerId"]]})
    assert (await stored(server, "reviewForms", idle["_id"]))["state"] == "not_started"


def _refusals() -> dict[str, tuple[list[str], dict[str, Any]]]:
    review, idle, started, spare = setup()
    return {
        "a peer who started": ([idle["reviewerId"], spare], {
            "field": "peerIds", "code": "INVALID", "message": "a peer who has started their form stays nominated"}),
        "themselves": ([started["reviewerId"], review["employeeId"]], {
            "field": "peerIds", "code": "INVALID", "message": "nobody reviews themselves as a peer"}),
        "unknown": ([started["reviewerId"], UNKNOWN_ID], {
            "field": "peerIds", "code": "NOT_FOUND", "message": f"no employee {UNKNOWN_ID!r} in your organisation"}),
        "twice": ([started["reviewerId"], started["reviewerId"]], {
            "field": "peerIds", "code": "DUPLICATE", "message": "each peer may be nominated once"}),
    }


@pytest.mark.parametrize("case", list(_refusals()))
async def test_nomination_refusals_write_nothing(server: RunningServer, case: str) -> None:
    review = setup()[0]
    peers, error = _refusals()[case]
    before = await server.snapshot(REVIEW_COLLECTIONS)
    data = await server.client("employee").data(NOMINATE, {"review": review["_id"], "peers": peers})
    assert data["nominatePeers"] == {"review": None, "errors": [error]}
    assert await server.snapshot(REVIEW_COLLECTIONS) == before


async def test_a_colleague_cannot_choose_someone_elses_peers(server: RunningServer) -> None:
    review, _, started, spare = setup()
    before = await server.snapshot(REVIEW_COLLECTIONS)
    body = await server.client(spare).execute(NOMINATE, {"review": review["_id"], "peers": [spare]})
    assert refused_codes(body) == ["FORBIDDEN"]
    assert await server.snapshot(REVIEW_COLLECTIONS) == before
    assert started["reviewerId"] != spare
