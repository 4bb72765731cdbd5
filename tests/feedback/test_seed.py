"""The feedback demo seed: deterministic, a few hundred documents at most, and consistent with the rules
(directions from the chart, visibility of what follow-ups were spawned from, anonymous items without authors)."""

from __future__ import annotations

from collections import Counter

import pytest

from models.core.viewer import Role, Viewer
from models.demo.feedback import demo_feedback
from models.demo.org import DemoOrganization
from models.feedback.permissions import can_see_feedback, may_follow_up
from models.feedback.rules import DEFAULT_COMPETENCIES, DEFAULT_VALUES, MIN_ANONYMITY_THRESHOLD, direction_of
from tests.conftest import GLOBEX, NORTHWIND

ORGS = [NORTHWIND, GLOBEX]
ANONYMOUS_FIELDS = {"_id", "organizationId", "managerId", "period", "day", "text", "tags", "direction", "release",
                    "rank"}


def viewer(org: DemoOrganization, id: str) -> Viewer:
    return Viewer(id, org.organization["_id"], frozenset({Role.EMPLOYEE}))


@pytest.mark.parametrize("org", ORGS, ids=["northwind", "globex"])
def test_the_seed_is_deterministic_and_small(org: DemoOrganization) -> None:
    documents = demo_feedback(org)
    assert documents == demo_feedback(org)
    assert all(len(docs) <= 300 for docs in documents.values())
    ids = [d["_id"] for docs in documents.values() for d in docs]
    assert len(ids) == len(set(ids))
    assert all(d["organizationId"] == org.organization["_id"] for docs in documents.values() for d in docs)


@pytest.mark.parametrize("org", ORGS, ids=["northwind", "globex"])
def test_feedback_and_requests_follow_the_chart(org: DemoOrganization) -> None:
    people = {e["_id"]: e for e in org.employees}
    documents = demo_feedback(org)
    tags = {*DEFAULT_VALUES, *DEFAULT_COMPETENCIES}
    for item in documents["feedback"]:
        author, recipient = people[item["authorId"]], people[item["recipientId"]]
        assert author["_id"] != recipient["_id"] and "active" == author["status"] == recipient["status"]
        assert item["direction"] == direction_of(author, recipient).value
        assert set(item["tags"]) <= tags
        assert (item["text"] is None) == (item["retractedAt"] is not None)
    directions = Counter(f["direction"] for f in documents["feedback"])
    assert set(directions) == {"downward", "upward", "peer"}
    answers = {f["_id"]: f for f in documents["feedback"] if f["requestId"]}
    for request in documents["feedbackRequests"]:
        asked = request["respondentIds"]
        assert request["requesterId"] not in asked and request["subjectId"] not in asked
        for respondent, answer in request["answers"].items():
            feedback = answers.pop(answer["feedbackId"])
            assert (feedback["authorId"], feedback["recipientId"], feedback["requestId"]) == (
                respondent, request["subjectId"], request["_id"])
        if request["anonymous"]:
            assert request["answers"] == {}
            assert all(request["requesterId"] in people[r]["managerChain"] for r in asked)
    assert answers == {}


@pytest.mark.parametrize("org", ORGS, ids=["northwind", "globex"])
def test_anonymous_items_carry_no_author_and_batches_meet_the_threshold(org: DemoOrganization) -> None:
    documents = demo_feedback(org)
    groups: dict[tuple[str, str], list[dict]] = {}
    for item in documents["anonymousFeedback"]:
        assert set(item) == ANONYMOUS_FIELDS
        groups.setdefault((item["managerId"], item["period"]), []).append(item)
    for contributors in documents["anonymousContributors"]:
        items = groups[(contributors["managerId"], contributors["period"])]
        assert len(contributors["contributors"]) == len(items)
        released = [i for i in items if i["release"] is not None]
        assert len(released) in (0, len(items))
        assert (len(released) >= MIN_ANONYMITY_THRESHOLD) if released else len(items) < MIN_ANONYMITY_THRESHOLD
        assert sorted(i["rank"] for i in released) == list(range(len(released)))


@pytest.mark.parametrize("org", ORGS, ids=["northwind", "globex"])
def test_follow_ups_and_praise_are_consistent(org: DemoOrganization) -> None:
    people = {e["_id"]: e for e in org.employees}
    documents = demo_feedback(org)
    feedback = {f["_id"]: f for f in documents["feedback"]}
    anonymous = {a["_id"]: a for a in documents["anonymousFeedback"]}
    for follow_up in documents["followUps"]:
        creator = viewer(org, follow_up["createdById"])
        if follow_up["anonymous"]:
            assert anonymous[follow_up["feedbackId"]]["managerId"] == follow_up["createdById"]
            continue
        item = feedback[follow_up["feedbackId"]]
        recipient = people[item["recipientId"]]
        assert follow_up["employeeId"] == recipient["_id"]
        assert can_see_feedback(creator, item, recipient) and may_follow_up(creator, recipient)
    for praise in documents["praise"]:
        assert praise["authorId"] not in praise["recipientIds"]
        assert praise["value"] in DEFAULT_VALUES
        assert set(praise["reactions"]) <= set(people)
