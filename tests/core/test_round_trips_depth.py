"""Store round trips of the four representative queries (benchmark 3), in one place: each costs one
store call per level of nesting that reaches a collection, the same for a small and a large organisation,
cycle or form. Without batching (``Loaders.batching`` off, what per-object resolvers would do) the calls
grow with the number of objects instead.

The ``orgChart(depth: 3)`` field itself (one query per level of its subtree, seven calls at depth 3) is covered by
tests/test_round_trips.py; here the same chart is walked through the nested ``reports`` fields."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest

from models.demo.org import DemoOrganization
from models.reviews.rules import questions_for
from store.loaders import Loaders
from tests.conftest import GLOBEX, NORTHWIND, RunningServer
from tests.goals.support import seeded_goals
from tests.reviews.support import (
    MOVE_REVIEW,
    RUNNING,
    SEED,
    TEMPLATE,
    UPDATE_ANSWER,
    create_cycle,
    launch,
    person,
    value_for,
)

Document = dict[str, Any]
# (who: a persona or an employee id of Northwind, query, variables) → data: a request of the tests or the bench
Request = Callable[[str, str, dict[str, Any]], Awaitable[dict[str, Any]]]

ORG_CHART = """
query($id: ID!) { employee(id: $id) {
  name title department { name }
  reports {
    name title department { name }
    reports { name title department { name } reports { name title department { name } } }
  }
} }"""
GOALS = """
query($id: ID!) { employee(id: $id) {
  name goals { title status level progress keyResults { title currentValue targetValue progress } }
} }"""
FORM = """
query($id: ID!) { reviewForm(id: $id) {
  kind state reviewer { name } reviewee { name title }
  questions { id text } answers { questionId value by { name } } score { value provisional }
} }"""
PROGRESS = """
query($id: ID!) { cycleProgress(cycleId: $id) {
  cycle { name }
  phases { phase counts { notStarted inProgress submitted }
           departments { department { name } counts { notStarted inProgress submitted } } }
  reviewStates { state count }
} }"""

# The token check reads the viewer's document once per request (one `employees` call).
SIGN_IN = 1
# Sign-in; the root (the CEO); one batch of reports per level (3); the titles of each of the four levels
# (positions); the departments of each level, but the people of level 3 work only in departments already
# read for levels 0-2 (the loader's cache), so three department batches.
ORG_CHART_CALLS = {"employees": SIGN_IN + 1 + 3, "positions": 4, "departments": 3}
# Sign-in; the employee (the CEO); their goals (key results are embedded); then the rolled-up progress reads
# the aligned goals one tree level per batch: the department goals below the company goals, then the
# individual goals below those (which roll nothing up, so the walk stops). Only the children the viewer may
# see count, so each level's owners are read in one batch too: the department heads (the departments, then
# their heads) and the individual goals' owners.
GOALS_CALLS = {"employees": SIGN_IN + 1 + 2, "goals": 1 + 2, "departments": 1}
# Sign-in; the form; its review; the reviewee and the template version (the permission rules); the reviewer
# and the reviewee's title; then the answers' authors not read yet, in one batch of people.
FORM_CALLS = {"employees": SIGN_IN + 1 + 1 + 1, "reviewForms": 1, "reviews": 1, "reviewTemplates": 1, "positions": 1}
# Sign-in (an HR admin follows every review); the cycle; the form counts of every phase, department and
# state (one aggregation); the review states; the departments of every row in one batch.
PROGRESS_CALLS = {"employees": SIGN_IN, "reviewCycles": 1, "reviewForms": 1, "reviews": 1, "departments": 1}


@dataclass(frozen=True)
class Read:
    """Who runs a query, in which organisation, with which variables."""

    who: str
    org: DemoOrganization
    variables: dict[str, Any]


@dataclass(frozen=True)
class Counted:
    data: dict[str, Any]
    calls: dict[str, int]
    documents: int


async def counted(server: RunningServer, query: str, read: Read) -> Counted:
    server.database.stats.reset()
    data = await server.client(read.who, read.org).data(query, read.variables)
    stats = server.database.stats
    return Counted(data, dict(stats.by_collection), stats.documents)


def ceo(org: DemoOrganization) -> Document:
    [root] = [e for e in org.employees if e["managerId"] is None]
    return root


def level(org: DemoOrganization, depth: int) -> list[Document]:
    """Not-terminated people ``depth`` levels below the CEO."""
    return [e for e in org.employees if e["status"] != "terminated" and len(e["managerChain"]) == depth]


def nested(employee: Document) -> list[Document]:
    return [employee, *(person for report in employee.get("reports", []) for person in nested(report))]


def manager_forms(answers: int) -> list[Document]:
    """The running cycle's manager forms (the reviewer is not the reviewee) with that many answers."""
    return [f for f in SEED["reviewForms"]
            if f["cycleId"] == RUNNING["_id"] and f["kind"] == "manager" and len(f["answers"] or {}) == answers]


async def co_write(request: Request, form: Document, authors: list[str], count: int | None = None) -> None:
    """Move the form's review to calibration (as an HR admin), where the reviewee's managers and HR admins may
    answer the manager's form besides its reviewer; then answer ``count`` (default: every) open question, by
    each of ``authors`` in turn."""
    for state in ("MANAGER_REVIEW", "CALIBRATION"):
        moved = await request("hr_admin", MOVE_REVIEW, {"review": form["reviewId"], "state": state})
        assert moved["moveReview"]["errors"] == [], moved
    questions = [q for _, q in questions_for(TEMPLATE, "manager")
                 if q["id"] not in form["answers"] and value_for(q) is not None]
    for n, question in enumerate(questions[:count]):
        written = await request(authors[n % len(authors)], UPDATE_ANSWER, {
            "form": form["_id"], "question": question["id"], "value": value_for(question), "base": 0})
        assert written["updateReviewAnswer"]["errors"] == [], written


async def co_written_forms(request: Request) -> tuple[str, str]:
    """Two manager's forms of the running cycle, each with one answer by its reviewer so far: the first gets
    one more answer by the reviewee's top manager (2 answers by 2 people), the second one answer to each open
    question by every manager above the reviewee and an HR admin in turn (7 answers by 5 people)."""
    few, many = manager_forms(1)[:2]
    await co_write(request, few, person(few["revieweeId"])["managerChain"][:1], 1)
    await co_write(request, many, [*person(many["revieweeId"])["managerChain"], NORTHWIND.personas["hr_admin"]])
    return few["_id"], many["_id"]


async def cycle_over_everyone(server: RunningServer) -> str:
    """A launched cycle reviewing everyone eligible (190 people), beside the seeded one over Data (22)."""
    cycle_id = await create_cycle(server, eligibility={"departmentIds": []})
    assert (await launch(server, cycle_id))["launch"]["reviewsCreated"] == 190
    return cycle_id


async def ceo_reads(server: RunningServer) -> tuple[Read, Read]:
    """An employee reading about their CEO, in the 20-person organisation, then in the 200-person one."""
    small, large = (Read("employee", org, {"id": ceo(org)["_id"]}) for org in (GLOBEX, NORTHWIND))
    return small, large


async def form_reads(server: RunningServer) -> tuple[Read, Read]:
    few, many = await co_written_forms(lambda who, query, variables: server.client(who).data(query, variables))
    return Read("hr_admin", NORTHWIND, {"id": few}), Read("hr_admin", NORTHWIND, {"id": many})


async def progress_reads(server: RunningServer) -> tuple[Read, Read]:
    return (Read("hr_admin", NORTHWIND, {"id": RUNNING["_id"]}),
            Read("hr_admin", NORTHWIND, {"id": await cycle_over_everyone(server)}))


async def test_a_three_level_org_chart_costs_one_batch_per_level_and_collection(server: RunningServer) -> None:
    # given the CEOs of a 20-person and a 200-person organisation
    for read in await ceo_reads(server):
        # when a viewer reads three levels of reports below the CEO with titles and departments
        result = await counted(server, ORG_CHART, read)
        # then every not-terminated person of levels 0-3 came back ...
        org = read.org
        people = [e for depth in range(4) for e in level(org, depth)]
        assert sorted(p["name"] for p in nested(result.data["employee"])) == sorted(e["name"] for e in people)
        # ... level 3 brought no department that levels 0-2 had not (hence three department batches) ...
        above = {e["departmentId"] for depth in range(3) for e in level(org, depth)}
        assert {e["departmentId"] for e in level(org, 3)} <= above
        # ... in the same calls for 13 people as for 50, each document read once
        assert result.calls == ORG_CHART_CALLS, org.organization["slug"]
        positions, departments = {e["positionId"] for e in people}, {e["departmentId"] for e in people}
        assert result.documents == SIGN_IN + len(people) + len(positions) + len(departments)


async def test_an_employees_goals_with_rolled_up_progress_cost_one_batch_per_tree_level(server: RunningServer) -> None:
    documents: dict[str, int] = {}
    for read in await ceo_reads(server):
        # given the CEO of a 20-person and of a 200-person organisation, whose company goals roll up the
        # department goals aligned to them, which roll up individual goals
        org = read.org
        mine = [g for g in seeded_goals(org) if g["ownerEmployeeId"] == read.variables["id"] and not g["archived"]]
        assert {g["level"] for g in mine} == {"company"} and all(g["rollUpChildren"] for g in mine)
        # when a viewer reads the CEO's goals with key results and progress
        result = await counted(server, GOALS, read)
        # then the goals came back with their key results ...
        goals = result.data["employee"]["goals"]
        assert sorted(g["title"] for g in goals) == sorted(g["title"] for g in mine)
        assert sum(len(g["keyResults"]) for g in goals) == sum(len(g["keyResults"]) for g in mine)
        # ... in one goals call per level of the alignment tree, whatever its size
        assert result.calls == GOALS_CALLS, org.organization["slug"]
        documents[org.organization["slug"]] = result.documents
    assert documents["northwind"] > 3 * documents["globex"]


async def test_a_review_form_costs_the_same_with_two_answers_or_seven_by_five_people(server: RunningServer) -> None:
    answers: list[tuple[int, int]] = []
    for read in await form_reads(server):
        # given a manager's form answered in calibration by two people, then one answered by five
        # when an HR admin reads it with its reviewer, reviewee, questions, answers with their authors, score
        result = await counted(server, FORM, read)
        form = result.data["reviewForm"]
        answers.append((len(form["answers"]), len({a["by"]["name"] for a in form["answers"]})))
        # then the calls are the same
        assert result.calls == FORM_CALLS, read.variables
    assert answers == [(2, 2), (7, 5)]


async def test_cycle_progress_costs_the_same_for_a_department_or_the_whole_organisation(
        server: RunningServer) -> None:
    reviewed: list[int] = []
    rows: list[list[str]] = []
    for read in await progress_reads(server):
        # given the seeded cycle over one department (22 reviews) and a cycle launched over everyone (190)
        # when an HR admin reads its progress per phase and department, with department names
        result = await counted(server, PROGRESS, read)
        progress = result.data["cycleProgress"]
        reviewed.append(sum(s["count"] for s in progress["reviewStates"]))
        rows.append([row["department"]["name"] for p in progress["phases"] for row in p["departments"]])
        # then the calls are the same
        assert result.calls == PROGRESS_CALLS, read.variables
    assert reviewed == [sum(r["cycleId"] == RUNNING["_id"] for r in SEED["reviews"]), 190]
    assert len(set(rows[0])) == 1 and len(set(rows[1])) > 5


Reads = Callable[[RunningServer], Awaitable[tuple[Read, Read]]]
CASES: dict[str, tuple[str, Reads, dict[str, int]]] = {
    "org chart": (ORG_CHART, ceo_reads, ORG_CHART_CALLS), "goals": (GOALS, ceo_reads, GOALS_CALLS),
    "review form": (FORM, form_reads, FORM_CALLS), "cycle progress": (PROGRESS, progress_reads, PROGRESS_CALLS)}


@pytest.mark.parametrize("name", list(CASES))
async def test_without_batching_the_calls_grow_with_the_objects(server: RunningServer, name: str,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    # given the loaders' batching (and per-request cache) turned off, as bench/round_trips.py does
    query, reads, batched = CASES[name]
    small, large = await reads(server)
    monkeypatch.setattr(Loaders, "batching", False)
    # when the small and the large variant are read
    few, many = [await counted(server, query, read) for read in (small, large)]
    # then each costs more calls than batched, and the large one more than the small one: about one per object
    assert sum(batched.values()) < sum(few.calls.values()) < sum(many.calls.values())
