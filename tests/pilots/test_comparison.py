"""pilotComparison on a worked example whose every figure is computed by hand below: a monthly check-in pilot in
Data (2030-01-01 to 2030-03-31) compared with Platform, asked on 2030-02-15."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from models.core.documents import new_id
from tests.conftest import RunningServer
from tests.pilots.support import ANSWER, COMPARISON, SAVE_SURVEY, SEND, members, on, start

START_DAY, ASKED_ON = date(2030, 1, 1), date(2030, 2, 15)  # 46 days


def check_in(person: dict[str, Any], on_day: str, status: str) -> dict[str, Any]:
    return {"_id": new_id(), "seriesId": new_id(), "employeeId": person["_id"], "managerId": person["managerId"],
            "departmentId": person["departmentId"], "cadence": "monthly", "status": status, "scheduledOn": on_day,
            "sequence": 1, "heldOn": on_day if status == "completed" else None}


def occurrences(people: list[dict[str, Any]], month: str, held: int, skipped: int, missed: int) -> list[dict[str, Any]]:
    statuses = ["completed"] * held + ["skipped"] * skipped + ["scheduled"] * missed
    return [check_in(people[i % len(people)], f"{month}-{1 + i:02d}", s) for i, s in enumerate(statuses)]


def at(day: int, month: int, hour: int = 9) -> datetime:
    return datetime(2030, month, day, hour, tzinfo=UTC)


async def given_the_activity(server: RunningServer, cohort: list[dict[str, Any]], others: list[dict[str, Any]]) -> None:
    """What the check-ins, feedback and goals domains hold for the period (written as those domains store it)."""
    org = server.demo.organization["_id"]
    docs = [*occurrences(cohort, "2030-01", 4, 1, 1), *occurrences(cohort, "2030-02", 5, 1, 0),
            *occurrences(others, "2030-01", 6, 2, 2), *occurrences(others, "2030-02", 6, 2, 2),
            # not counted: cancelled, before the start, after the day asked
            check_in(cohort[0], "2030-01-20", "cancelled"), check_in(cohort[0], "2029-12-20", "completed"),
            check_in(others[0], "2030-02-20", "scheduled")]
    await server.database.checkIns.insert_many([{**d, "organizationId": org} for d in docs])

    def request(requester: dict[str, Any], created: datetime, answers: list[datetime],
                anonymous: bool = False) -> dict[str, Any]:
        respondents = [new_id() for _ in answers]
        return {"_id": new_id(), "organizationId": org, "requesterId": requester["_id"], "subjectId": requester["_id"],
                "respondentIds": respondents, "question": "How did it go?", "dueDate": "2030-03-01",
                "anonymous": anonymous, "answers": {} if anonymous else {
                    r: {"feedbackId": new_id(), "at": a} for r, a in zip(respondents, answers, strict=True)},
                "createdAt": created}

    await server.database.feedbackRequests.insert_many([
        request(cohort[0], at(5, 1), [at(7, 1), at(8, 1, 21)]),  # 2 and 3.5 days
        request(others[0], at(10, 1), [at(11, 1)]),  # 1 day
        request(cohort[1], datetime(2029, 12, 1, tzinfo=UTC), [at(2, 1)]),  # made before the start
        request(cohort[2], at(6, 1), [], anonymous=True)])

    def update(person: dict[str, Any], when: datetime) -> dict[str, Any]:
        return {"_id": new_id(), "keyResultId": "kr", "keyResultTitle": "Accounts", "byId": person["_id"], "at": when,
                "oldValue": 0.0, "newValue": 1.0, "comment": None}

    goal = {"_id": new_id(), "organizationId": org, "title": "Healthy accounts", "level": "individual",
            "ownerEmployeeId": cohort[0]["_id"], "ownerDepartmentId": None, "parentId": None, "archived": False,
            "visibility": "everyone", "status": "on_track", "keyResults": [], "startDate": "2030-01-01",
            "dueDate": "2030-12-31", "createdAt": at(1, 1), "updatedAt": at(1, 1), "progressHistory": [
                update(cohort[0], at(3, 1)), update(cohort[0], at(3, 2)), update(cohort[1], at(14, 2)),
                update(cohort[0], datetime(2029, 12, 30, tzinfo=UTC)), update(others[0], at(9, 1))]}
    await server.database.goals.insert_one(goal)


async def answer_round(server: RunningServer, round_id: str, people: list[dict[str, Any]],
                       scores: list[tuple[int, int]]) -> None:
    for person, (q1, q2) in zip(people, scores, strict=True):
        body = await server.client(person["_id"]).data(ANSWER, {"round": round_id, "answers": [
            {"questionId": "q1", "score": q1, "comment": "Fine."}, {"questionId": "q2", "score": q2}]})
        assert body["answerProcessSurvey"] == {"answered": True, "errors": []}


async def test_the_worked_example(server: RunningServer, monkeypatch: pytest.MonkeyPatch) -> None:
    cohort = [p for p in members("Data") if p["status"] == "active"]
    others = [p for p in members("Platform") if p["status"] == "active"]
    admin = server.client("hr_admin")
    with on(monkeypatch, START_DAY):
        pilot = await start(server, ends_on="2030-03-31")
        body = await admin.data(SAVE_SURVEY, {"input": {"title": "The monthly rhythm", "pilotId": pilot["id"],
                                                        "questions": ["Is the cadence right for your work?",
                                                                      "Do you get feedback soon enough?"]}})
        survey = body["saveProcessSurvey"]["survey"]["id"]
    await given_the_activity(server, cohort, others)
    with on(monkeypatch, date(2030, 1, 20)):
        first = (await admin.data(SEND, {"id": survey, "opens": "2030-01-20", "closes": "2030-01-31"}))
        second = (await admin.data(SEND, {"id": survey, "opens": "2030-02-01", "closes": "2030-02-10"}))
        first_round = first["sendProcessSurvey"]["round"]["id"]
        await answer_round(server, first_round, cohort[:5], [(4, 3), (5, 3), (3, 4), (4, 4), (4, 5)])
        await answer_round(server, first_round, others[:6], [(2, 4), (3, 4), (3, 4), (2, 4), (4, 4), (3, 4)])
    with on(monkeypatch, date(2030, 2, 5)):
        second_round = second["sendProcessSurvey"]["round"]["id"]
        await answer_round(server, second_round, cohort[5:8], [(5, 5), (5, 5), (4, 4)])
        await answer_round(server, second_round, others[6:12], [(1, 1)] * 6)
    with on(monkeypatch, ASKED_ON):
        result = (await admin.data(COMPARISON, {"id": pilot["id"]}))["pilotComparison"]
    people = len(members("Data")), len(members("Platform"))
    assert people == (23, 23)
    assert result["cohort"] == {
        "group": "COHORT", "people": 23, "shown": True,
        # Jan: 4 held, 1 skipped, 1 missed; Feb: 5 held, 1 skipped: 12 due, held 9/12 = 0.75
        "checkIns": {"due": 12, "held": 9, "skipped": 2, "missed": 1, "completionRate": 0.75},
        # answers after 2 and 3.5 days: mean 2.75
        "feedbackAnswers": 2, "meanDaysToFeedback": 2.75,
        # 3 updates in the period by 23 people over 46 days: 3 / 23 / (46 / 30) = 90 / 1058 = 0.0851
        "goalUpdates": 3, "goalUpdatesPerPersonMonth": 0.0851}
    assert result["comparison"] == {
        "group": "COMPARISON", "people": 23, "shown": True,
        # 6 held, 2 skipped, 2 missed in each month: held 12/20 = 0.6
        "checkIns": {"due": 20, "held": 12, "skipped": 4, "missed": 4, "completionRate": 0.6},
        "feedbackAnswers": 1, "meanDaysToFeedback": 1.0,
        "goalUpdates": 1, "goalUpdatesPerPersonMonth": 0.0284}  # 30 / 1058
    assert (result["k"], result["start"], result["end"]) == (5, "2030-01-01", "2030-02-15")
    # d = 0.75 − 0.6 = 0.15; se = √(0.75·0.25/12 + 0.6·0.4/20) = √0.027625 = 0.166208; 1.96·se = 0.325767
    assert result["completionRateDifference"] == {"estimate": 0.15, "low": -0.1758, "high": 0.4758}
    assert result["months"] == [
        {"month": "2030-01", "cohort": {"due": 6, "held": 4, "skipped": 1, "missed": 1, "completionRate": 0.6667},
         "comparison": {"due": 10, "held": 6, "skipped": 2, "missed": 2, "completionRate": 0.6}},
        {"month": "2030-02", "cohort": {"due": 6, "held": 5, "skipped": 1, "missed": 0, "completionRate": 0.8333},
         "comparison": {"due": 10, "held": 6, "skipped": 2, "missed": 2, "completionRate": 0.6}}]
    assert result["questions"] == [
        # q1: cohort 4,5,3,4,4: mean 4, s² = 2/4, s = 0.7071; others 2,3,3,2,4,3: mean 2.8333, s² = 2.8333/5 = 0.5667,
        # s = 0.7528; d = 1.1667, se = √(0.5/5 + 0.5667/6) = 0.440959, 1.96·se = 0.864280
        {"round": 1, "questionId": "q1", "text": "Is the cadence right for your work?",
         "cohort": {"respondents": 5, "mean": 4.0, "spread": 0.7071},
         "comparison": {"respondents": 6, "mean": 2.8333, "spread": 0.7528},
         "difference": {"estimate": 1.1667, "low": 0.3024, "high": 2.0309}},
        # q2: cohort 3,3,4,4,5: mean 3.8, s² = 2.8/4 = 0.7, s = 0.8367; others all 4: s = 0; d = −0.2,
        # se = √(0.7/5) = 0.374166, 1.96·se = 0.733365
        {"round": 1, "questionId": "q2", "text": "Do you get feedback soon enough?",
         "cohort": {"respondents": 5, "mean": 3.8, "spread": 0.8367},
         "comparison": {"respondents": 6, "mean": 4.0, "spread": 0.0},
         "difference": {"estimate": -0.2, "low": -0.9334, "high": 0.5334}},
        # round 2: 3 cohort answers (below k = 5) hide the cohort, and with it the comparison group's 6
        {"round": 2, "questionId": "q1", "text": "Is the cadence right for your work?", "cohort": None,
         "comparison": None, "difference": None},
        {"round": 2, "questionId": "q2", "text": "Do you get feedback soon enough?", "cohort": None,
         "comparison": None, "difference": None}]


async def test_round_results_show_only_once_the_round_closed(server: RunningServer,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    cohort = [p for p in members("Data") if p["status"] == "active"]
    others = [p for p in members("Platform") if p["status"] == "active"]
    admin = server.client("hr_admin")
    with on(monkeypatch, START_DAY):
        pilot = await start(server, ends_on="2030-03-31")
        body = await admin.data(SAVE_SURVEY, {"input": {"title": "Rhythm", "pilotId": pilot["id"],
                                                        "questions": ["Right cadence?", "Soon enough?"]}})
        survey = body["saveProcessSurvey"]["survey"]["id"]
        sent = await admin.data(SEND, {"id": survey, "opens": "2030-01-01", "closes": "2030-01-31"})
        round_id = sent["sendProcessSurvey"]["round"]["id"]
        await answer_round(server, round_id, cohort[:5], [(4, 4)] * 5)
        await answer_round(server, round_id, others[:5], [(2, 2)] * 5)
        # while the round is open, scores would move with each answer: nothing shows
        open_now = (await admin.data(COMPARISON, {"id": pilot["id"]}))["pilotComparison"]
    assert open_now["questions"] == []
    with on(monkeypatch, date(2030, 2, 1)):
        closed = (await admin.data(COMPARISON, {"id": pilot["id"]}))["pilotComparison"]
    assert [(q["round"], q["cohort"], q["comparison"]) for q in closed["questions"]] == [
        (1, {"respondents": 5, "mean": 4.0, "spread": 0.0}, {"respondents": 5, "mean": 2.0, "spread": 0.0})] * 2
