"""Demo growth data: two career tracks per department family (individual contributor and manager),
growth plans for about a third of the people, active mentorships (from the people's mentors, at most the
default capacity per mentor, never in the mentee's reporting line) with a logged session each, succession
plans for the top two levels with readiness assessments of their successors, a pending and a decided
promotion, potential ratings of the people reviewed in the closed cycle.

Deterministic: ids from :func:`stable_id`, dates from :data:`SEED_TODAY`, choices from the people's order.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta

from models.core.documents import Document, stable_id
from models.demo.org import DemoOrganization
from models.demo.org_catalog import LADDERS
from models.demo.reviews import demo_review_documents
from models.growth.promotions import Decision, PromotionChange, ProposalStatus, approvers_for, steps_for
from models.growth.readiness import ReadinessLevel, assessment_id
from models.growth.rules import (
    DEFAULT_MAX_MENTEES,
    ActionKind,
    ActionStatus,
    Horizon,
    MentorshipStatus,
    TrackKind,
    in_reporting_line,
    plan_id,
)
from models.growth.succession import plan_id as succession_plan_id
from models.org.rules import EmployeeStatus

SEED_TODAY = date(2026, 11, 1)
AT = datetime.combine(SEED_TODAY, time(9), tzinfo=UTC)
PLAN_SHARE = 3  # every third person at levels 3-5 has a plan
HORIZONS = (Horizon.WITHIN_A_YEAR, Horizon.ONE_TO_TWO_YEARS, Horizon.THREE_PLUS_YEARS)


def _ladders(demo: DemoOrganization) -> dict[str, tuple[list[str], list[str]]]:
    """Per department family: the individual-contributor and manager track's position ids, lowest first."""
    by_title = {p["title"]: p for p in demo.positions}
    ladders = {}
    for family, (vp, manager, lead, ic) in LADDERS.items():
        ic_titles = [ic, "Senior Software Engineer", lead] if family == "Engineering" else [ic, lead]
        ladders[family] = ([by_title[t]["_id"] for t in ic_titles],
                           [by_title[t]["_id"] for t in (lead, manager, vp)])
    return ladders


def demo_tracks(demo: DemoOrganization) -> list[Document]:
    slug, org_id = demo.organization["slug"], demo.organization["_id"]
    departments = {d["name"]: d["_id"] for d in demo.departments}
    tracks = []
    for family, (ic, manager) in _ladders(demo).items():
        for kind, steps, label in ((TrackKind.INDIVIDUAL_CONTRIBUTOR, ic, "individual contributor"),
                                   (TrackKind.MANAGER, manager, "management")):
            tracks.append({"_id": stable_id(f"{slug}:track:{family}:{kind.value}"), "organizationId": org_id,
                           "name": f"{family} {label}", "kind": kind.value, "departmentId": departments[family],
                           "steps": [{"positionId": p, "order": i + 1} for i, p in enumerate(steps)],
                           "updatedAt": AT})
    return tracks


def _next_rung(position_id: str, ladders: dict[str, tuple[list[str], list[str]]]) -> str | None:
    """The position above ``position_id`` on a track (the manager track from a track's top)."""
    for ic, manager in ladders.values():
        for steps in (ic, manager):
            if position_id in steps[:-1]:
                return steps[steps.index(position_id) + 1]
    return None


def demo_plans(demo: DemoOrganization) -> list[Document]:
    slug, org_id = demo.organization["slug"], demo.organization["_id"]
    ladders = _ladders(demo)
    plans = []
    candidates = [e for e in demo.employees if e["status"] != EmployeeStatus.TERMINATED.value
                  and len(e["managerChain"]) >= 2]
    for n, employee in enumerate(candidates):
        target = _next_rung(employee["positionId"], ladders)
        if n % PLAN_SHARE or target is None:
            continue
        created = AT - timedelta(days=30 + n % 60)
        action = {"_id": stable_id(f"{slug}:growth-action:{employee['_id']}"), "kind": ActionKind.LEARNING.value,
                  "title": "Course on the next role's core skills", "ownerId": employee["_id"],
                  "dueOn": (SEED_TODAY + timedelta(days=60 + n % 90)).isoformat(),
                  "status": (ActionStatus.IN_PROGRESS if n % 2 else ActionStatus.PLANNED).value, "notes": "",
                  "competencyId": None, "goalId": None, "createdAt": created, "createdById": employee["_id"],
                  "updatedAt": created, "updatedById": employee["_id"]}
        plans.append({"_id": plan_id(employee["_id"]), "organizationId": org_id, "employeeId": employee["_id"],
                      "targets": [{"positionId": target, "aspiration": "Grow into the next role on my track",
                                   "horizon": HORIZONS[n % 3].value, "willingToRelocate": n % 4 == 0,
                                   "willingToChangeDepartment": n % 5 == 0}],
                      "actions": [action], "sharedWithMentors": n % 2 == 0, "version": 2, "createdAt": created,
                      "updatedAt": created})
    return plans


def demo_mentorships(demo: DemoOrganization) -> dict[str, list[Document]]:
    slug, org_id = demo.organization["slug"], demo.organization["_id"]
    people = {e["_id"]: e for e in demo.employees}
    load: Counter[str] = Counter()
    mentorships, sessions = [], []
    for mentee in demo.employees:
        mentor = people.get(mentee.get("mentorId") or "")
        if mentor is None or EmployeeStatus.TERMINATED.value in (mentor["status"], mentee["status"]) \
                or in_reporting_line(mentor, mentee) or load[mentor["_id"]] >= DEFAULT_MAX_MENTEES:
            continue
        load[mentor["_id"]] += 1
        starts = max(date(2026, 3, 1), date.fromisoformat(mentee["hireDate"]), date.fromisoformat(mentor["hireDate"]))
        id = stable_id(f"{slug}:mentorship:{mentee['_id']}")
        mentorships.append({"_id": id, "organizationId": org_id, "mentorId": mentor["_id"], "menteeId": mentee["_id"],
                            "goals": "Widen my view beyond my team", "startsOn": starts.isoformat(), "endsOn": None,
                            "status": MentorshipStatus.ACTIVE.value, "startedById": mentee["_id"], "sessionCount": 1,
                            "createdAt": datetime.combine(starts, time(9), tzinfo=UTC)})
        held = min(starts + timedelta(days=14), SEED_TODAY)
        sessions.append({"_id": stable_id(f"{slug}:mentoring-session:{mentee['_id']}"), "organizationId": org_id,
                         "mentorshipId": id, "heldOn": held.isoformat(), "notes": "Talked through the first goals",
                         "loggedById": mentor["_id"], "createdAt": datetime.combine(held, time(17), tzinfo=UTC)})
    loads = [{"_id": mentor_id, "organizationId": org_id, "active": count} for mentor_id, count in sorted(load.items())]
    return {"mentorships": mentorships, "mentoringSessions": sessions, "mentorLoads": loads}


def demo_succession(demo: DemoOrganization) -> dict[str, list[Document]]:
    """Succession plans for the top two levels (the chief executive and each department's head): the people
    in the position just below on its ladder as successors, the first of every other plan assessed ready now
    by their manager, the others ready in 1–2 years, so half the key positions are risks."""
    org_id = demo.organization["_id"]
    positions = sorted((p for p in demo.positions if p["level"] >= 6), key=lambda p: (-p["level"], p["title"]))
    by_title = {p["title"]: p for p in demo.positions}
    below = {vp: by_title[manager]["_id"] for vp, manager, _, _ in LADDERS.values()}
    people = [e for e in demo.employees if e["status"] != EmployeeStatus.TERMINATED.value]
    plans, assessments = [], []
    for n, position in enumerate(positions):
        feeder = [p["_id"] for p in demo.positions if p["level"] == 6] if position["level"] == 7 else \
            [below.get(position["title"])]
        successors = [e for e in people if e["positionId"] in feeder][:2]
        if not successors:
            continue
        slots = [{"_id": stable_id(f"{org_id}:successor:{position['_id']}:{e['_id']}"), "employeeId": e["_id"],
                  "externalName": None, "externalReadiness": None, "rank": i + 1, "emergency": i == 0,
                  "status": "confirmed" if i == 0 else "proposed", "addedById": e["managerId"], "addedAt": AT}
                 for i, e in enumerate(successors)]
        plans.append({"_id": succession_plan_id(position["_id"]), "organizationId": org_id,
                      "positionId": position["_id"], "successors": slots, "version": 1, "updatedAt": AT,
                      "updatedById": successors[0]["managerId"]})
        for i, e in enumerate(successors):
            level = ReadinessLevel.READY_NOW if i == 0 and n % 2 == 0 else ReadinessLevel.READY_IN_1_2_YEARS
            assessments.append({"_id": assessment_id(e["_id"], position["_id"]), "organizationId": org_id,
                                "employeeId": e["_id"], "positionId": position["_id"], "level": level.value,
                                "note": "From the talent review", "assessedById": e["managerId"], "assessedAt": AT})
    return {"successionPlans": plans, "readinessAssessments": assessments}


def demo_promotions(demo: DemoOrganization) -> list[Document]:
    """A pending promotion (in Sales, waiting for the manager above the proposer) and a decided one (in
    Customer Success, rejected by HR with a reason); neither changes anyone's position."""
    org_id = demo.organization["_id"]
    by_title = {p["title"]: p for p in demo.positions}
    proposals = []
    for n, (family, rejected) in enumerate((("Sales", False), ("Customer Success", True))):
        _, _, lead, ic = LADDERS[family]
        employee = next((e for e in demo.employees if e["positionId"] == by_title[ic]["_id"]
                         and e["status"] != EmployeeStatus.TERMINATED.value and len(e["managerChain"]) >= 3), None)
        if employee is None:
            continue
        proposer = employee["managerId"]
        steps = steps_for(approvers_for(employee, proposer))
        at = AT - timedelta(days=10 + n)
        history = [{"kind": PromotionChange.PROPOSED.value, "byId": proposer, "at": at, "reason": None}]
        status = ProposalStatus.PENDING
        if rejected:
            hr = next(e["_id"] for e in demo.employees if "hr_admin" in e["roles"] and e["_id"] != employee["_id"])
            for step in steps[:-1]:
                step.update(decision=Decision.APPROVE.value, decidedById=step["approverId"], decidedAt=at, reason=None)
                history.append({"kind": Decision.APPROVE.value, "byId": step["approverId"], "at": at, "reason": None})
            steps[-1].update(decision=Decision.REJECT.value, decidedById=hr, decidedAt=at, reason="Budget next year")
            history.append({"kind": Decision.REJECT.value, "byId": hr, "at": at, "reason": "Budget next year"})
            status = ProposalStatus.REJECTED
        proposals.append({"_id": stable_id(f"{org_id}:promotion:{employee['_id']}"), "organizationId": org_id,
                          "employeeId": employee["_id"], "fromPositionId": employee["positionId"],
                          "toPositionId": by_title[lead]["_id"],
                          "effectiveOn": (SEED_TODAY + timedelta(days=60)).isoformat(),
                          "justification": "Runs the team's weekly pipeline review", "evidence": [],
                          "proposedById": proposer, "steps": steps, "status": status.value,
                          "open": status is ProposalStatus.PENDING, "version": len(history), "createdAt": at,
                          "history": history})
    return proposals


def demo_talent_ratings(demo: DemoOrganization) -> list[Document]:
    """A potential rating (1, 2, 3 in turn) by their manager, before the first cycle's period ended, for
    everyone reviewed in the closed cycle: its 9-box grid places them all."""
    org_id = demo.organization["_id"]
    reviews = demo_review_documents(demo)
    closed = {c["_id"] for c in reviews["reviewCycles"] if c["status"] == "closed"}
    people = {e["_id"]: e for e in demo.employees}
    at = datetime(2026, 6, 20, 9, tzinfo=UTC)
    ratings = []
    for n, review in enumerate(sorted((r for r in reviews["reviews"] if r["cycleId"] in closed),
                                      key=lambda r: r["employeeId"])):
        employee = people[review["employeeId"]]
        by, potential = employee["managerId"], 1 + n % 3
        ratings.append({"_id": f"talent-{employee['_id']}", "organizationId": org_id, "employeeId": employee["_id"],
                        "potential": potential, "ratedById": by, "ratedAt": at, "note": "",
                        "history": [{"potential": potential, "byId": by, "at": at, "note": ""}]})
    return ratings


def demo_growth(demo: DemoOrganization) -> dict[str, list[Document]]:
    return {"careerTracks": demo_tracks(demo), "growthPlans": demo_plans(demo), **demo_mentorships(demo),
            **demo_succession(demo), "promotionProposals": demo_promotions(demo),
            "talentRatings": demo_talent_ratings(demo)}
