"""Demo pilot: the monthly check-in cadence Customer Success has been piloting since the check-in history began
(``models/demo/checkins.py``), compared with Sales (weekly), with a process survey in two closed rounds.

Deterministic (ids from :func:`stable_id`, scores from a seeded ``random.Random``). The answers carry no author and
no time, like every process-survey answer; the demo writes no "has answered" markers (they need the server's key,
and both rounds are closed: nobody can answer them any more). The cohort finds the rhythm fine but waits too long
for feedback on urgent work, which is what the founding texts warn of.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime

from models.core.documents import Document, stable_id
from models.demo.checkins import COMPARISON_DEPARTMENT, HISTORY_START, PILOT_DEPARTMENT
from models.demo.org import DemoOrganization
from models.pilots.rules import PilotAction, PilotStatus, Practice, decision, overlap_keys

QUESTIONS = ["Is the check-in cadence right for your work?", "Do you get feedback soon enough on urgent work?"]
ROUNDS = [("2026-09-01", "2026-09-14"), ("2026-10-15", "2026-10-28")]
# (mean score of q1, of q2) per group and round
MEANS = {"cohort": [(3.9, 2.6), (4.1, 2.4)], "comparison": [(3.2, 3.9), (3.3, 4.0)]}
ANSWER_SHARE = 0.7


def _people(demo: DemoOrganization, department_name: str) -> list[str]:
    department = next(d for d in demo.departments if d["name"] == department_name)
    return sorted(e["_id"] for e in demo.employees
                  if e.get("departmentId") == department["_id"] and e["status"] != "terminated")


def demo_pilots(demo: DemoOrganization) -> dict[str, list[Document]]:
    slug, org_id = demo.organization["slug"], demo.organization["_id"]
    cohort_department = next(d for d in demo.departments if d["name"] == PILOT_DEPARTMENT)
    comparison_department = next(d for d in demo.departments if d["name"] == COMPARISON_DEPARTMENT)
    cohort, comparison = _people(demo, PILOT_DEPARTMENT), _people(demo, COMPARISON_DEPARTMENT)
    hr = next(e["_id"] for e in demo.employees if "hr_admin" in e.get("roles", []))
    pilot_id = stable_id(f"{slug}:pilot:monthly-check-ins")
    started = datetime.combine(HISTORY_START, datetime.min.time(), UTC).replace(hour=9)
    pilot = {
        "_id": pilot_id, "organizationId": org_id, "name": "Monthly check-ins in Customer Success",
        "practice": Practice.CHECK_IN_CADENCE.value, "value": "monthly",
        "cohort": {"departmentIds": [cohort_department["_id"]], "employeeIds": []}, "affectedIds": cohort,
        "overlapKeys": overlap_keys([cohort_department["_id"]], cohort),
        "comparison": {"departmentIds": [comparison_department["_id"]]},
        "startsOn": HISTORY_START.isoformat(), "endsOn": "2027-01-31", "status": PilotStatus.RUNNING.value,
        "earlier": {"departments": {cohort_department["_id"]: "weekly"}, "series": {}}, "adopted": {},
        "decisions": [decision(PilotAction.START, hr, started, "Does a monthly rhythm give account managers more "
                                                               "time with customers without slowing feedback?")],
        "createdAt": started}
    survey_id = stable_id(f"{slug}:process-survey:monthly-check-ins")
    rounds, answers = [], []
    rng = random.Random(f"{slug}:pilots")
    for number, (opens, closes) in enumerate(ROUNDS, start=1):
        round_id = stable_id(f"{slug}:process-survey-round:{number}")
        rounds.append({"_id": round_id, "organizationId": org_id, "surveyId": survey_id, "number": number,
                       "opensOn": opens, "closesOn": closes, "recipients": {"cohort": cohort,
                                                                            "comparison": comparison}})
        for group, people in (("cohort", cohort), ("comparison", comparison)):
            means = MEANS[group][number - 1]
            for _ in range(round(len(people) * ANSWER_SHARE)):
                scores = {f"q{i}": min(5, max(1, round(rng.gauss(mean, 0.8)))) for i, mean in enumerate(means, 1)}
                answers.append({"_id": stable_id(f"{slug}:process-answer:{rng.random()}"), "organizationId": org_id,
                                "roundId": round_id, "surveyId": survey_id, "group": group, "scores": scores,
                                "comments": {}})
    answers.sort(key=lambda a: a["_id"])  # stored in no order that follows anyone
    survey = {"_id": survey_id, "organizationId": org_id, "title": "The monthly check-in rhythm",
              "pilotId": pilot_id, "questions": [{"id": f"q{i}", "text": t} for i, t in enumerate(QUESTIONS, 1)],
              "rounds": [{"number": r["number"], "opensOn": r["opensOn"], "closesOn": r["closesOn"],
                          "roundId": r["_id"]} for r in rounds], "createdAt": started, "updatedAt": started}
    return {"pilots": [pilot], "processSurveys": [survey], "processSurveyRounds": rounds,
            "processSurveyAnswers": answers}
