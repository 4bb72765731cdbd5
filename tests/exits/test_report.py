"""attritionReport on a worked example in Globex (20 people), every figure computed by hand below; the anonymity
rule (no group below k, none computable by subtraction); managers' scope; CSV; attritionReportChanged.

The example, over the period from 60 days ago (everyone hired before it) to tomorrow, with k = 3. Seven people
leave today, each having answered the candid survey first (reason, manager rating, recommend 0-10):

    Product Engineering (5 people)  Daniel Nguyen   voluntary   regretted  compensation  rating 4  recommend 10
                                    Chen Okafor     voluntary   regretted  growth        rating 2  recommend 9
                                    Ines Novak      involuntary            compensation  rating 1  recommend 3
    Sales (5 people)                Ana Okafor      voluntary   regretted  manager       rating 1  recommend 6
                                    Anders Patel    voluntary              compensation  rating 5  recommend 9
                                    Fatima Moreau   involuntary            (none)        rating 3  recommend 0
    Customer Success (4 people)     Naledi Zulu     voluntary   regretted  growth        rating 2  recommend 10

By department: Customer Success has 1 leaver (< k: hidden); alone it could be computed as the total minus the
others, so the next-smallest group is hidden too: Product Engineering and Sales both have 3, and Product
Engineering's id sorts first. Sales shows: 5 people at the start, 2 at the end, 3 leavers, rate 3 / 3.5 = 0.8571,
voluntary 2/3, regretted 1/3, reasons compensation 1 and manager 1; survey: 3 answers, recommend 6, 9, 0 → one
promoter, two detractors → (1 - 2) / 3 = -33.33; ratings 1, 5, 3 → 3.0.
Total: 20 → 13 people, 7 leavers, 7 / 16.5 = 0.4242; voluntary 5/7 = 0.7143; regretted 4/7 = 0.5714; reasons
compensation 3, growth 2, manager 1; survey: 7 answers, promoters 10, 9, 9, 10 and detractors 3, 6, 0 →
(4 - 3) / 7 = 14.29; ratings 4+2+1+1+5+3+2 = 18 / 7 = 2.5714; last calibrated ratings (seeded reviews) Chen 4 and
Ines 3 → 3.5.

Months since the last promotion or position change: nobody's position ever changed, so whole months since they
were hired (Daniel 2025-12-28, Chen 2022-09-20, Ines 2024-12-01, Ana 2020-12-07, Anders 2024-05-17, Fatima
2026-07-03, Naledi 2024-11-15) to their last day, today. On 2026-12-01: 11, 50, 24, 71, 30, 4, 24 → 214 / 7 =
30.5714, five of them stalled (24 months or more). Chen (voluntary, regretted, rated 4) is stalled: preventable.
When HR moved Daniel to another position and Chen was promoted (approved by the chain and HR, effective today),
both count 0 months: 153 / 7 = 21.8571, three stalled, and Chen is preventable only if their check-ins lapsed.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from typing import Any

from models.core import clock
from store.core.seed import demo_documents
from tests.client import websocket
from tests.conftest import GLOBEX, RunningServer
from tests.exits.support import CLASSIFY, SET_END_DATE, SUBMIT_SURVEY, TERMINATE

ROW = """key label suppressed surveySuppressed headcountStart headcountEnd leavers attritionRate voluntaryShare
regrettedShare topReasons { category count } surveyResponses recommendScore averageRating averageLastRating
lapsedCheckIns averageFeedbackReceived averageMonthsSinceChange stalledInRole preventableRegretted"""
REPORT = """
query($by: AttritionGroupBy!, $period: AttritionPeriodInput, $filter: AttritionFilterInput) {
  attritionReport(groupBy: $by, period: $period, filter: $filter) { k rows { %s } total { %s } csv }
}""" % (ROW, ROW)  # noqa: UP031
CHANGED = """
subscription($by: AttritionGroupBy!, $period: AttritionPeriodInput) {
  attritionReportChanged(groupBy: $by, period: $period) { total { leavers voluntaryShare } }
}"""
SAVE_SETTINGS = """
mutation($k: Int!) { saveExitSettings(input: {k: $k}) { settings { k } errors { field code message } } }"""
SAVE_REASON = """
mutation($code: String!, $category: ExitReasonCategory!) {
  saveExitReason(input: {code: $code, label: $code, category: $category}) { reason { id } errors { code } }
}"""
# (seed index, kind, regretted, reason, manager rating, recommend); terminated in this order (Ana's reports first)
LEAVERS = [(4, "VOLUNTARY", True, "compensation", 4, 10), (5, "VOLUNTARY", True, "growth", 2, 9),
           (6, "INVOLUNTARY", False, "compensation", 1, 3), (14, "VOLUNTARY", False, "compensation", 5, 9),
           (15, "INVOLUNTARY", False, None, 3, 0), (13, "VOLUNTARY", True, "manager", 1, 6),
           (19, "VOLUNTARY", True, "growth", 2, 10)]
DEPARTMENTS = {d["name"]: d["_id"] for d in GLOBEX.departments}


def period() -> dict[str, str]:
    return {"start": (clock.today() - timedelta(days=60)).isoformat(),
            "end": (clock.today() + timedelta(days=1)).isoformat()}


async def worked_example(server: RunningServer, k: int = 3) -> None:
    hr = server.client("hr_admin", GLOBEX)
    assert (await hr.data(SAVE_SETTINGS, {"k": k}))["saveExitSettings"]["errors"] == []
    reasons = {}
    for category in ("compensation", "growth", "manager"):
        body = await hr.data(SAVE_REASON, {"code": category, "category": category.upper()})
        reasons[category] = body["saveExitReason"]["reason"]["id"]
    body = await hr.data("""mutation($input: ExitInterviewTemplateInput!) {
      saveExitInterviewTemplate(input: $input) { errors { code } } }""", {"input": {"name": "Exit", "questions": [
        {"id": "why", "kind": "REASON", "text": "Why?"}, {"id": "manager", "kind": "RATING", "text": "Manager?"},
        {"id": "recommend", "kind": "RECOMMEND", "text": "Recommend us?"}]}})
    assert body["saveExitInterviewTemplate"]["errors"] == []
    tomorrow = (clock.today() + timedelta(days=1)).isoformat()
    for index, kind, regretted, reason, rating, recommend in LEAVERS:
        leaver = GLOBEX.employees[index]
        assert (await hr.data(SET_END_DATE, {"id": leaver["_id"], "end": tomorrow}))["updateEmployee"]["errors"] == []
        answers = [{"questionId": "manager", "value": rating}, {"questionId": "recommend", "value": recommend}]
        if reason:
            answers.append({"questionId": "why", "value": reasons[reason]})
        me = server.client(leaver["_id"], GLOBEX)
        assert (await me.data(SUBMIT_SURVEY, {"answers": answers}))["submitExitSurvey"]["errors"] == []
        assert (await hr.data(TERMINATE, {"id": leaver["_id"]}))["terminateEmployee"]["errors"] == []
        record = await server.database.exitRecords.find_one({"employeeId": leaver["_id"]})
        classification: dict[str, Any] = {"kind": kind, "regretted": regretted}
        if reason:
            classification["primaryReasonId"] = reasons[reason]
        body = await hr.data(CLASSIFY, {"id": record["_id"], "input": classification})
        assert body["classifyExit"]["errors"] == []


def signals() -> tuple[int, float, bool]:
    """Lapsed check-ins (none held in the last 90 days) and the mean feedback received in the last 182 days of the
    seven leavers, and whether Chen's lapsed, from the seeded check-ins and feedback (they move with today's date)."""
    seed = demo_documents(GLOBEX)
    today = clock.today()
    since = datetime.combine(today - timedelta(days=182), datetime.min.time(), tzinfo=UTC)
    lapsed, received, chen = 0, [], False
    for index, *_ in LEAVERS:
        me = GLOBEX.employees[index]["_id"]
        held = [c for c in seed["checkIns"] if c["employeeId"] == me and c["status"] == "completed"
                and (today - timedelta(days=90)).isoformat() <= (c["heldOn"] or "") <= today.isoformat()]
        lapsed += not held
        chen = chen or (index == 5 and not held)
        received.append(sum(1 for f in seed["feedback"] if f["recipientId"] == me and f["retractedAt"] is None
                            and f["createdAt"] >= since))
    return lapsed, round(sum(received) / len(received), 4), chen


def months_in_role(since: date, until: date) -> int:
    """Whole months from ``since`` to ``until``, counted a month at a time (the oracle of the worked example)."""
    months = 0
    while True:
        year, month = divmod(since.month - 1 + months + 1, 12)
        try:
            step = since.replace(year=since.year + year, month=month + 1)
        except ValueError:  # no such day in that month: the month is complete on the next month's first day
            step = date(since.year + year + (month == 11), (month + 1) % 12 + 1, 1)
        if step > until:
            return months
        months += 1


def tenure_months(reset: tuple[int, ...] = ()) -> list[int]:
    """The leavers' months since their last change (the seed indexes of ``reset`` changed today) or hire date."""
    today = clock.today()
    return [0 if index in reset else months_in_role(date.fromisoformat(GLOBEX.employees[index]["hireDate"]), today)
            for index, *_ in LEAVERS]


def hidden(label: str, key: str) -> dict[str, Any]:
    return {"key": key, "label": label, "suppressed": True, "surveySuppressed": True, "headcountStart": None,
            "headcountEnd": None, "leavers": None, "attritionRate": None, "voluntaryShare": None,
            "regrettedShare": None, "topReasons": [], "surveyResponses": None, "recommendScore": None,
            "averageRating": None, "averageLastRating": None, "lapsedCheckIns": None, "averageFeedbackReceived": None,
            "averageMonthsSinceChange": None, "stalledInRole": None, "preventableRegretted": None}


def nobody_left(label: str, people: int) -> dict[str, Any]:
    return {**hidden(label, DEPARTMENTS[label]), "suppressed": False, "surveySuppressed": False,
            "headcountStart": people, "headcountEnd": people, "leavers": 0, "attritionRate": 0.0,
            "surveyResponses": 0, "lapsedCheckIns": 0, "stalledInRole": 0, "preventableRegretted": 0}


async def test_the_worked_example_by_department(server: RunningServer) -> None:
    await worked_example(server)
    data = await server.client("hr_admin", GLOBEX).data(REPORT, {"by": "DEPARTMENT", "period": period()})
    report = data["attritionReport"]
    assert report["k"] == 3
    sales = {"key": DEPARTMENTS["Sales"], "label": "Sales", "suppressed": False, "surveySuppressed": False,
             "headcountStart": 5, "headcountEnd": 2, "leavers": 3, "attritionRate": 0.8571, "voluntaryShare": 0.6667,
             "regrettedShare": 0.3333, "topReasons": [{"category": "COMPENSATION", "count": 1},
                                                      {"category": "MANAGER", "count": 1}],
             "surveyResponses": 3, "recommendScore": -33.33, "averageRating": 3.0, "averageLastRating": None}
    rows = {row["label"]: row for row in report["rows"]}
    assert list(rows) == ["Customer Success", "Product Engineering", "Sales", "Engineering", "Executive", "People"]
    assert rows["Customer Success"] == hidden("Customer Success", DEPARTMENTS["Customer Success"])
    assert rows["Product Engineering"] == hidden("Product Engineering", DEPARTMENTS["Product Engineering"])
    assert {k: rows["Sales"][k] for k in sales} == sales
    assert rows["Engineering"] == nobody_left("Engineering", 1)
    assert rows["Executive"] == nobody_left("Executive", 1)
    assert rows["People"] == nobody_left("People", 4)
    lapsed, received, _ = signals()
    months = tenure_months()
    assert months[1] >= 24  # Chen, hired in 2022
    assert report["total"] == {
        "key": "total", "label": "Total", "suppressed": False, "surveySuppressed": False, "headcountStart": 20,
        "headcountEnd": 13, "leavers": 7, "attritionRate": 0.4242, "voluntaryShare": 0.7143, "regrettedShare": 0.5714,
        "topReasons": [{"category": "COMPENSATION", "count": 3}, {"category": "GROWTH", "count": 2},
                       {"category": "MANAGER", "count": 1}],
        "surveyResponses": 7, "recommendScore": 14.29, "averageRating": 2.5714, "averageLastRating": 3.5,
        "lapsedCheckIns": lapsed, "averageFeedbackReceived": received,
        "averageMonthsSinceChange": round(sum(months) / 7, 4), "stalledInRole": sum(m >= 24 for m in months),
        # Chen (voluntary, regretted, rated 4) has a seeded growth plan but no promotion since 2022: preventable
        "preventableRegretted": 1}
    # and the CSV says the same, suppressed figures empty
    lines = list(csv.reader(io.StringIO(report["csv"])))
    assert lines[0][:7] == ["group", "label", "suppressed", "headcount_start", "headcount_end", "leavers",
                            "attrition_rate"]
    assert lines[3][:10] == [DEPARTMENTS["Sales"], "Sales", "false", "5", "2", "3", "0.8571", "0.6667", "0.3333",
                             "compensation:1;manager:1"]
    assert lines[2][:6] == [DEPARTMENTS["Product Engineering"], "Product Engineering", "true", "", "", ""]
    assert lines[-1][:6] == ["total", "Total", "false", "20", "13", "7"]


PROPOSE_PROMOTION = """
mutation($e: ID!, $p: ID!, $on: Date!) {
  proposePromotion(employeeId: $e, positionId: $p, effectiveOn: $on, justification: "Leads the platform",
                   evidence: []) { proposal { id } errors { field code message } } }"""
DECIDE_PROMOTION = """
mutation($id: ID!) { decidePromotion(proposalId: $id, decision: APPROVE) { proposal { status } errors { code } } }"""
MOVE = """
mutation($id: ID!, $p: ID!) { updateEmployee(id: $id, input: {positionId: $p}) { errors { field code message } } }"""
POSITIONS = {p["title"]: p["_id"] for p in GLOBEX.positions}


async def test_a_promotion_or_a_position_change_resets_the_months_in_role(server: RunningServer) -> None:
    # given HR moved Daniel to another position, and Chen was promoted to tech lead today (the chain, then HR)
    hr = server.client("hr_admin", GLOBEX)
    daniel, chen = GLOBEX.employees[4]["_id"], GLOBEX.employees[5]["_id"]
    moved = await hr.data(MOVE, {"id": daniel, "p": POSITIONS["Data Analyst"]})
    assert moved["updateEmployee"]["errors"] == []
    proposed = await hr.data(PROPOSE_PROMOTION, {"e": chen, "p": POSITIONS["Tech Lead"],
                                                 "on": clock.today().isoformat()})
    assert proposed["proposePromotion"]["errors"] == []
    proposal = proposed["proposePromotion"]["proposal"]["id"]
    steps = (await server.database.promotionProposals.find_one({"_id": proposal}))["steps"]
    for step in steps:
        approver = server.client("hr_admin" if step["approverId"] == "hr_admin" else step["approverId"], GLOBEX)
        decided = await approver.data(DECIDE_PROMOTION, {"id": proposal})
        assert decided["decidePromotion"]["errors"] == []
    assert decided["decidePromotion"]["proposal"]["status"] == "APPLIED"
    # when they and the others of the worked example leave
    await worked_example(server)
    # then both count 0 months since their last change, and Chen is no longer stalled in the role
    report = (await hr.data(REPORT, {"by": "DEPARTMENT", "period": period()}))["attritionReport"]
    months = tenure_months(reset=(4, 5))
    _, _, chen_lapsed = signals()
    total = report["total"]
    assert (total["averageMonthsSinceChange"], total["stalledInRole"], total["preventableRegretted"]) == (
        round(sum(months) / 7, 4), sum(m >= 24 for m in months), int(chen_lapsed))
    assert months[:2] == [0, 0]
    # and the CSV carries the same figures
    last = list(csv.reader(io.StringIO(report["csv"])))[-1]
    assert last[-3:] == [str(round(sum(months) / 7, 4)), str(sum(m >= 24 for m in months)), str(int(chen_lapsed))]


def assert_nothing_below_k(report: dict[str, Any], k: int) -> None:
    """No group shown below k, and the hidden ones (the total minus the groups shown) are none, or more than one
    group holding at least k together: nothing is computable by subtraction, for leavers and survey answers."""
    for count_field, flag in (("leavers", "suppressed"), ("surveyResponses", "surveySuppressed")):
        shown = [row[count_field] for row in report["rows"] if not row[flag]]
        assert all(count == 0 or count >= k for count in shown)
        hidden_rows = [row for row in report["rows"] if row[flag]]
        remainder = (report["total"][count_field] or 0) - sum(shown)
        if report["total"][count_field] is not None:
            assert remainder == 0 or (len(hidden_rows) >= 2 and remainder >= k)


async def test_no_group_below_k_is_shown_or_computable_by_subtraction(server: RunningServer) -> None:
    await worked_example(server)
    hr = server.client("hr_admin", GLOBEX)
    for k in (3, 4, 5):
        await hr.data(SAVE_SETTINGS, {"k": k})
        for by in ("DEPARTMENT", "MANAGER", "POSITION_LEVEL", "TENURE_BAND", "MONTH"):
            report = (await hr.data(REPORT, {"by": by, "period": period()}))["attritionReport"]
            assert report["k"] == k
            assert_nothing_below_k(report, k)
    # with the default k of 5 every department is hidden (3, 3 and 1 leavers), the total (7) shows
    await hr.data(SAVE_SETTINGS, {"k": 5})
    report = (await hr.data(REPORT, {"by": "DEPARTMENT", "period": period()}))["attritionReport"]
    assert [r["label"] for r in report["rows"] if r["suppressed"]] == ["Customer Success", "Product Engineering",
                                                                       "Sales"]
    assert report["total"]["leavers"] == 7


async def test_k_below_three_is_refused(server: RunningServer) -> None:
    body = await server.client("hr_admin", GLOBEX).execute(SAVE_SETTINGS, {"k": 2})
    assert body["data"]["saveExitSettings"] == {"settings": None, "errors": [
        {"field": "k", "code": "INVALID", "message": "k must be between 3 and 50"}]}


async def test_a_manager_reports_only_below_them_and_a_small_team_shows_nothing(server: RunningServer) -> None:
    await worked_example(server, k=5)
    # Wei Cohen manages Product Engineering: 3 of their people left, fewer than k = 5
    manager = server.client(GLOBEX.personas["manager"], GLOBEX)
    report = (await manager.data(REPORT, {"by": "DEPARTMENT", "period": period()}))["attritionReport"]
    assert report["total"]["suppressed"] is True and report["total"]["leavers"] is None
    assert all(row["suppressed"] or row["leavers"] == 0 for row in report["rows"])
    # with k = 3 they see their own people only: 4 below them at the start, 1 at the end, 3 leavers
    await server.client("hr_admin", GLOBEX).data(SAVE_SETTINGS, {"k": 3})
    report = (await manager.data(REPORT, {"by": "DEPARTMENT", "period": period()}))["attritionReport"]
    assert (report["total"]["headcountStart"], report["total"]["headcountEnd"], report["total"]["leavers"]) == (4, 1, 3)
    # someone who manages nobody (Omar Fernandes, still employed) may not run it
    body = await server.client(GLOBEX.employees[10]["_id"], GLOBEX).execute(REPORT, {"by": "MONTH"})
    assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]


async def test_attrition_report_changed_pushes_the_figures_when_an_exit_is_classified(server: RunningServer) -> None:
    await worked_example(server)
    hr = server.client("hr_admin", GLOBEX)
    record = await server.database.exitRecords.find_one({"employeeId": GLOBEX.employees[15]["_id"]})
    async with websocket(server.ws_url, server.token("hr_admin", GLOBEX)) as subscriber:
        await subscriber.subscribe(CHANGED, {"by": "MONTH", "period": period()})
        await server.wait_subscribers(1)
        # when HR reclassifies Fatima's exit as voluntary
        await hr.data(CLASSIFY, {"id": record["_id"], "input": {"kind": "VOLUNTARY"}})
        payload = await subscriber.next_payload()
    # then the total moves to 6 voluntary of 7
    assert payload["data"]["attritionReportChanged"]["total"] == {"leavers": 7, "voluntaryShare": 0.8571}
