"""cycleProgress (per phase and department, for managers and HR admins) and overdueForms."""

from __future__ import annotations

from typing import Any

from models.reviews.rules import PHASE_OF_KIND
from tests.conftest import NORTHWIND, RunningServer
from tests.reviews.support import RUNNING, SEED, persona

PROGRESS = """
query($id: ID!) {
  cycleProgress(cycleId: $id) {
    cycle { id }
    phases { phase deadline counts { notStarted inProgress submitted }
             departments { departmentId counts { notStarted inProgress submitted } } }
    reviewStates { state count }
  }
}"""
OVERDUE = "query($id: ID!, $asOf: Date) { overdueForms(cycleId: $id, asOf: $asOf) { id kind state } }"
STATES = ["self_review", "manager_review", "calibration", "shared", "acknowledged"]


def expected_progress(reviewees: set[str] | None) -> dict[str, Any]:
    """Counts worked out from the seeded running cycle, for everyone or for ``reviewees``."""
    forms = [f for f in SEED["reviewForms"] if f["cycleId"] == RUNNING["_id"]
             and (reviewees is None or f["revieweeId"] in reviewees)]
    reviews = [r for r in SEED["reviews"] if r["cycleId"] == RUNNING["_id"]
               and (reviewees is None or r["employeeId"] in reviewees)]
    deadlines = {p["phase"]: p["deadline"] for p in RUNNING["phases"]}

    def counts(group: list[dict[str, Any]]) -> dict[str, int]:
        return {"notStarted": sum(f["state"] == "not_started" for f in group),
                "inProgress": sum(f["state"] == "in_progress" for f in group),
                "submitted": sum(f["state"] == "submitted" for f in group)}

    phases = []
    for phase in ("self_review", "peer_review", "manager_review"):
        mine = [f for f in forms if PHASE_OF_KIND[f["kind"]] == phase]
        departments = sorted({f["departmentId"] for f in mine})
        by_department = [{"departmentId": d, "counts": counts([f for f in mine if f["departmentId"] == d])}
                         for d in departments]
        phases.append({"phase": phase.upper(), "deadline": deadlines[phase], "counts": counts(mine),
                       "departments": by_department})
    return {"cycle": {"id": RUNNING["_id"]}, "phases": phases,
            "reviewStates": [{"state": s.upper(), "count": sum(r["state"] == s for r in reviews)} for s in STATES]}


def below(manager_id: str) -> set[str]:
    return {e["_id"] for e in NORTHWIND.employees if manager_id in e["managerChain"]}


async def test_hr_admins_follow_the_whole_cycle(server: RunningServer) -> None:
    data = await server.client("hr_admin").data(PROGRESS, {"id": RUNNING["_id"]})
    assert data["cycleProgress"] == expected_progress(None)


async def test_managers_follow_the_people_below_them(server: RunningServer) -> None:
    # given the manager persona / then the counts cover only reviews of the people below them
    manager = persona("manager")["_id"]
    data = await server.client("manager").data(PROGRESS, {"id": RUNNING["_id"]})
    expected = expected_progress(below(manager))
    assert data["cycleProgress"] == expected
    assert expected != expected_progress(None)


async def test_employees_do_not_follow_cycles(server: RunningServer) -> None:
    for query, variables in ((PROGRESS, {"id": RUNNING["_id"]}), (OVERDUE, {"id": RUNNING["_id"], "asOf": None})):
        body = await server.client("employee").execute(query, variables)
        assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]


async def test_overdue_forms_are_those_past_their_phase_deadline(server: RunningServer) -> None:
    deadlines = {p["phase"]: p["deadline"] for p in RUNNING["phases"]}
    forms = [f for f in SEED["reviewForms"] if f["cycleId"] == RUNNING["_id"]]

    def overdue(as_of: str, reviewees: set[str] | None = None) -> list[dict[str, Any]]:
        due = [f for f in forms if f["state"] != "submitted" and deadlines[PHASE_OF_KIND[f["kind"]]] < as_of
               and (reviewees is None or f["revieweeId"] in reviewees)]
        return [{"id": f["_id"], "kind": f["kind"].upper(), "state": f["state"].upper()}
                for f in sorted(due, key=lambda f: (f["kind"], f["revieweeId"], f["_id"]))]

    hr = server.client("hr_admin")
    # on the self-review deadline nothing is overdue yet; the day after, unsubmitted self forms are
    assert (await hr.data(OVERDUE, {"id": RUNNING["_id"], "asOf": deadlines["self_review"]}))["overdueForms"] == []
    day_after = "2026-11-07"
    data = await hr.data(OVERDUE, {"id": RUNNING["_id"], "asOf": day_after})
    assert data["overdueForms"] == overdue(day_after) and {f["kind"] for f in data["overdueForms"]} == {"SELF"}
    # after the peer and manager deadlines, those forms too; a manager sees only their people's
    late = "2026-11-23"
    assert (await hr.data(OVERDUE, {"id": RUNNING["_id"], "asOf": late}))["overdueForms"] == overdue(late)
    manager = persona("manager")["_id"]
    data = await server.client("manager").data(OVERDUE, {"id": RUNNING["_id"], "asOf": late})
    assert data["overdueForms"] == overdue(late, below(manager))


CYCLE_REVIEWS = """
query($id: ID!, $first: Int!, $after: String) {
  reviewCycle(id: $id) {
    reviews(first: $first, after: $after) {
      totalCount edges { cursor node { id } } pageInfo { hasNextPage hasPreviousPage endCursor }
    }
  }
}"""


async def test_a_cycles_reviews_come_in_keyset_pages_by_id(server: RunningServer) -> None:
    # given the running cycle's reviews, all of which an HR admin sees
    ids = sorted(r["_id"] for r in SEED["reviews"] if r["cycleId"] == RUNNING["_id"])
    hr = server.client("hr_admin")
    seen: list[str] = []
    after: str | None = None
    # when they read them ten at a time, each page after the last one's end cursor
    for _ in range(len(ids)):
        data = await hr.data(CYCLE_REVIEWS, {"id": RUNNING["_id"], "first": 10, "after": after})
        page = data["reviewCycle"]["reviews"]
        # then every page counts them all, says whether one came before and ends on its last edge's cursor
        assert page["totalCount"] == len(ids)
        assert page["pageInfo"]["hasPreviousPage"] == (after is not None)
        assert page["pageInfo"]["endCursor"] == page["edges"][-1]["cursor"]
        seen += [edge["node"]["id"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    # and together the pages hold each review once, by id
    assert seen == ids


async def test_a_cursor_the_api_did_not_issue_is_refused(server: RunningServer) -> None:
    # given a review's raw id (not a cursor) / when it is sent as the cursor of a cycle's reviews
    review_id = next(r["_id"] for r in SEED["reviews"] if r["cycleId"] == RUNNING["_id"])
    body = await server.client("hr_admin").execute(CYCLE_REVIEWS, {"id": RUNNING["_id"], "first": 5,
                                                                   "after": review_id})
    # then the query is refused as bad input
    assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_USER_INPUT"]
