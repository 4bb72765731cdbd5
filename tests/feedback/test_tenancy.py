"""Another organisation's feedback-domain ids behave exactly like unknown ids, for reads and writes alike."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.conftest import GLOBEX, RunningServer
from tests.feedback.support import SEED, UNKNOWN_ID, codes, snapshot

GLOBEX_PERSON = next(e for e in GLOBEX.employees if e["status"] == "active" and e["managerId"])["_id"]
SOON = (datetime.now(UTC).date() + timedelta(days=7)).isoformat()
READS = {
    "feedback": "query($id: ID!) { feedback(id: $id) { id } }",
    "feedbackRequest": "query($id: ID!) { feedbackRequest(id: $id) { id } }",
    "praise": "query($id: ID!) { praise(id: $id) { id } }",
}
WRITES = [
    ("editFeedback", "mutation($id: ID!) { editFeedback(id: $id, input: {text: \"x\"}) { errors { field code } } }",
     "feedback", ("id", "NOT_FOUND")),
    ("retractFeedback", "mutation($id: ID!) { retractFeedback(id: $id) { errors { field code } } }",
     "feedback", ("id", "NOT_FOUND")),
    ("answerFeedbackRequest", "mutation($id: ID!) { answerFeedbackRequest(requestId: $id, input: {text: \"x\"}) "
     "{ errors { field code } } }", "feedbackRequests", ("requestId", "NOT_FOUND")),
    ("reactToPraise", "mutation($id: ID!) { reactToPraise(praiseId: $id, kind: LIKE) { errors { field code } } }",
     "praise", ("praiseId", "NOT_FOUND")),
    ("createFollowUp", "mutation($id: ID!) { createFollowUp(input: {feedbackId: $id, text: \"x\", dueDate: \""
     + SOON + "\"}) { errors { field code } } }", "feedback", ("feedbackId", "NOT_FOUND")),
    ("updateFollowUp", "mutation($id: ID!) { updateFollowUp(id: $id, input: {done: true}) { errors { field code } } }",
     "followUps", ("id", "NOT_FOUND")),
]


async def test_northwind_ids_read_as_unknown_at_globex(server: RunningServer) -> None:
    client = server.client(GLOBEX_PERSON, GLOBEX)
    seeded = {"feedback": SEED["feedback"][0]["_id"], "feedbackRequest": SEED["feedbackRequests"][0]["_id"],
              "praise": SEED["praise"][0]["_id"]}
    for name, query in READS.items():
        for id in (seeded[name], UNKNOWN_ID):
            assert (await client.data(query, {"id": id}))[name] is None


async def test_writes_on_northwind_ids_from_globex_change_nothing(server: RunningServer) -> None:
    client = server.client(GLOBEX_PERSON, GLOBEX)
    before = await snapshot(server)
    for name, mutation, collection, expected in WRITES:
        target = SEED[collection][0]["_id"]
        for id in (target, UNKNOWN_ID):
            body = await client.data(mutation, {"id": id})
            assert codes(body[name]["errors"]) == [expected], (name, id)
    assert await snapshot(server) == before
