"""The demo's pilot (seeded for `make serve` only): Customer Success on a monthly cadence since the check-in history
began, compared with weekly Sales, with two closed survey rounds; none of it in the tests' organisations."""

from __future__ import annotations

from store.core.seed import demo_documents
from tests.conftest import NORTHWIND, RunningServer
from tests.pilots.support import COMPARISON, department, members

DEMO = demo_documents(NORTHWIND, demo_only=True)
PILOT_DOCS = ("pilots", "processSurveys", "processSurveyRounds", "processSurveyAnswers")


def test_the_tests_organisations_have_no_demo_pilot() -> None:
    seeded = demo_documents(NORTHWIND)
    assert not any(name in seeded for name in PILOT_DOCS)


def test_the_demo_pilot_is_customer_success_on_a_monthly_cadence() -> None:
    (pilot,) = DEMO["pilots"]
    cs = department("Customer Success")["_id"]
    assert (pilot["name"], pilot["value"], pilot["status"]) == ("Monthly check-ins in Customer Success", "monthly",
                                                                "running")
    assert pilot["earlier"] == {"departments": {cs: "weekly"}, "series": {}}
    assert pilot["comparison"] == {"departmentIds": [department("Sales")["_id"]]}
    (stored_cs,) = [d for d in DEMO["departments"] if d["_id"] == cs]
    assert stored_cs["cadence"] == "monthly"
    assert [r["number"] for r in DEMO["processSurveyRounds"]] == [1, 2]
    assert all(set(a) == {"_id", "organizationId", "roundId", "surveyId", "group", "scores", "comments"}
               for a in DEMO["processSurveyAnswers"])


async def test_the_demo_comparison_shows_slower_feedback_in_the_cohort(server: RunningServer) -> None:
    # given the demo's pilot documents in the running organisation
    for name in PILOT_DOCS:
        await getattr(server.database, name).insert_many([dict(d) for d in DEMO[name]])
    (pilot,) = DEMO["pilots"]
    result = (await server.client("hr_admin").data(COMPARISON, {"id": pilot["_id"]}))["pilotComparison"]
    # then both rounds show, the cohort (20 of 28 answered, 70 %) and Sales (22 of 32) side by side
    assert (len(members("Customer Success")), len(members("Sales"))) == (28, 32)
    assert (result["cohort"]["people"], result["comparison"]["people"]) == (28, 32)
    assert [(q["round"], q["questionId"], q["cohort"]["respondents"], q["comparison"]["respondents"])
            for q in result["questions"]] == [(1, "q1", 20, 22), (1, "q2", 20, 22), (2, "q1", 20, 22),
                                              (2, "q2", 20, 22)]
    # and the cohort waits longer for feedback on urgent work: its q2 mean is lower, the interval below zero
    for question in (q for q in result["questions"] if q["questionId"] == "q2"):
        assert question["cohort"]["mean"] < question["comparison"]["mean"]
        assert question["difference"]["high"] < 0
