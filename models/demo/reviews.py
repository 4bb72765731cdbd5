"""Demo review data: a competency framework, expected levels per position, one review template, a
finished cycle (shared and acknowledged reviews, some calibrated) and a running one.

Both cycles cover the department of the demo employee persona (about 25 people in Northwind), so
seeding stays at a few hundred documents. Reviews and forms come from the same launch plan the API
uses (``models.cycles.plan_launch``), so launching the running cycle again creates nothing.
Deterministic: ``random.Random`` seeded per organisation, ids from ``stable_id``, times from
``date(2026, 11, 1)``.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from models.core.documents import Document, stable_id
from models.demo.org import DemoOrganization
from models.reviews.competencies import expectation_id
from models.reviews.cycles import plan_launch
from models.reviews.rules import (
    CycleStatus,
    FormState,
    QuestionKind,
    ReviewState,
    history_entry,
    is_required,
    questions_for,
)
from models.reviews.scores import overall_score, rating_of
from models.reviews.templates import default_labels

TODAY = date(2026, 11, 1)
# (name, category, description, behaviour at levels 1..5)
COMPETENCIES: list[tuple[str, str, str, list[str]]] = [
    ("Communication", "Core", "Shares information clearly and listens to understand.", [
        "Shares updates when asked", "Explains their own work clearly", "Adapts the message to the audience",
        "Leads difficult conversations constructively", "Sets how the organisation communicates"]),
    ("Collaboration", "Core", "Works with others towards shared outcomes.", [
        "Helps teammates when asked", "Seeks input and shares credit", "Builds bridges across teams",
        "Resolves conflicts between groups", "Shapes a collaborative culture"]),
    ("Delivery", "Core", "Turns plans into results, reliably.", [
        "Completes well-defined tasks with guidance", "Delivers own work on time", "Delivers multi-step projects",
        "Delivers outcomes across teams", "Delivers company-level results"]),
    ("Craft", "Expertise", "Depth in the skills of the role.", [
        "Learning the basics", "Independent on routine work", "Expert on the team's work",
        "Recognised expert across teams", "Industry-level expertise"]),
    ("Leadership", "Leadership", "Grows people and sets direction.", [
        "Leads their own work", "Mentors a colleague", "Leads a team", "Leads leaders",
        "Leads the organisation"]),
]
CORE = ("Communication", "Collaboration", "Delivery")


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=UTC)


def _competencies(slug: str, org_id: str) -> list[Document]:
    return [{
        "_id": stable_id(f"{slug}:competency:{i}"), "organizationId": org_id, "name": name, "category": category,
        "description": description, "archived": False,
        "levels": [{"level": n + 1, "description": text} for n, text in enumerate(levels)],
        "createdAt": _at(date(2024, 1, 8)), "updatedAt": _at(date(2024, 1, 8)),
    } for i, (name, category, description, levels) in enumerate(COMPETENCIES)]


def _expectations(demo: DemoOrganization, competency_ids: dict[str, str], org_id: str) -> list[Document]:
    docs = []
    for position in demo.positions:
        grade = position.get("level", 1)
        wanted = {name: min(5, 1 + (grade + 1) // 2) for name in CORE}
        wanted["Craft"] = min(5, 1 + grade // 2)
        if grade >= 4:
            wanted["Leadership"] = min(5, grade - 2)
        for name, level in wanted.items():
            docs.append({"_id": expectation_id(position["_id"], competency_ids[name]), "organizationId": org_id,
                         "positionId": position["_id"], "competencyId": competency_ids[name], "expectedLevel": level,
                         "updatedAt": _at(date(2024, 1, 8))})
    return docs


def _question(qid: str, kind: QuestionKind, text: str, kinds: list[str], *, weight: float = 1, required: bool = True,
              readers: list[str] | None = None, **extra: Any) -> Document:
    return {"id": qid, "kind": kind.value, "text": text, "weight": weight, "required": required,
            "reviewerKinds": kinds, "readers": readers or ["reviewee", "manager"], **extra}


def _template(slug: str, org_id: str, competency_ids: dict[str, str], hr_id: str) -> Document:
    scale = {"min": 1, "max": 5}
    labels = [{"label": text, "value": n + 1} for n, text in enumerate(
        ["Far below expectations", "Below expectations", "Meets expectations", "Exceeds expectations",
         "Far exceeds expectations"])]
    template_id = stable_id(f"{slug}:review-template:0")
    sections = [
        {"id": "results", "title": "Results", "weight": 2.0, "required": True,
         "reviewerKinds": ["self", "manager", "peer"], "questions": [
             _question("impact", QuestionKind.RATING, "How well did the work of the period meet expectations?",
                       ["self", "manager", "peer"], weight=2, labels=labels),
             _question("goals", QuestionKind.GOALS, "How far were the goals of the period achieved?",
                       ["self", "manager"], required=False, labels=default_labels(scale)),
         ]},
        {"id": "competencies", "title": "Competencies", "weight": 2.0, "required": True,
         "reviewerKinds": ["self", "manager", "peer"], "questions": [
             _question(f"competency-{name.lower()}", QuestionKind.COMPETENCY, f"{name}: which level fits best?",
                       ["self", "manager", "peer"] if name != "Delivery" else ["self", "manager"],
                       competencyId=competency_ids[name], expectedLevel=3)
             for name in CORE
         ]},
        {"id": "upward", "title": "Leadership as seen by the team", "weight": 1.0, "required": True,
         "reviewerKinds": ["upward"], "questions": [
             _question("support", QuestionKind.RATING, "How well does this manager support the team?", ["upward"],
                       labels=default_labels(scale)),
             _question("upward-note", QuestionKind.TEXT, "What should they keep doing or change?", ["upward"],
                       required=False),
         ]},
        {"id": "summary", "title": "Summary", "weight": 1.0, "required": True,
         "reviewerKinds": ["self", "manager", "peer"], "questions": [
             _question("strengths", QuestionKind.TEXT, "What went particularly well?", ["self", "manager", "peer"]),
             _question("growth", QuestionKind.TEXT, "What would help most to grow?", ["self", "manager", "peer"],
                       required=False),
             _question("promotion", QuestionKind.CHOICE, "Readiness for promotion", ["manager"],
                       readers=["manager"], options=["Not yet", "Within a year", "Ready now"]),
         ]},
    ]
    return {
        "_id": template_id, "organizationId": org_id, "familyId": template_id, "version": 1,
        "name": "Half-year performance review", "description": "Results, competencies and growth, twice a year.",
        "scale": scale, "kindWeights": {"self": 20.0, "manager": 60.0, "peer": 20.0, "upward": 0.0},
        "peerVisibility": "anonymous", "upwardVisibility": "anonymous", "sections": sections, "locked": True,
        "supersededById": None, "createdAt": _at(date(2025, 12, 1)), "createdById": hr_id,
    }


def _cycle(slug: str, index: int, org_id: str, template_id: str, name: str, period: tuple[date, date],
           deadlines: list[date], cutoff: date, department_id: str | None, status: CycleStatus,
           hr_id: str) -> Document:
    phases = ["self_review", "peer_nomination", "peer_review", "manager_review", "calibration", "sharing"]
    return {
        "_id": stable_id(f"{slug}:review-cycle:{index}"), "organizationId": org_id, "name": name,
        "periodStart": period[0].isoformat(), "periodEnd": period[1].isoformat(), "templateId": template_id,
        "phases": [{"phase": p, "deadline": d.isoformat()} for p, d in zip(phases, deadlines, strict=True)],
        "eligibility": {"hiredBefore": cutoff.isoformat(), "departmentIds": [department_id] if department_id else [],
                        "excludedEmployeeIds": []},
        "peersPerReviewee": 2, "status": status.value, "createdAt": _at(period[0] - timedelta(days=30)),
        "createdById": hr_id, "launchedAt": _at(period[1] - timedelta(days=20)), "launchedById": hr_id,
    }


def _answer(rng: random.Random, question: Document, base: int) -> Any:
    kind = question["kind"]
    if kind in (QuestionKind.RATING, QuestionKind.COMPETENCY):
        return max(1, min(5, base + rng.choice([-1, 0, 0, 1])))
    if kind == QuestionKind.CHOICE:
        return question["options"][min(2, max(0, base - 3))]
    if kind == QuestionKind.TEXT:
        return rng.choice(["Clear ownership of the release work.", "Great collaboration with design.",
                           "More written updates for stakeholders.", "Took on on-call improvements."])
    return None  # goal achievement: the demo does not rate goals


def _fill(rng: random.Random, template: Document, form: Document, base: int, at: datetime, share: float) -> None:
    """Answer about ``share`` of the form's questions (all required ones when share is 1)."""
    for section, question in questions_for(template, form["kind"]):
        if share < 1 and rng.random() > share:
            continue
        value = _answer(rng, question, base)
        if value is None or (not is_required(section, question) and rng.random() < 0.3):
            continue
        previous = form["answers"].get(question["id"])
        form["answers"][question["id"]] = {"value": value, "version": previous["version"] + 1 if previous else 1,
                                           "byId": form["reviewerId"], "at": at}
        form["revision"] += 1


def _score(template: Document, review: Document, forms: list[Document]) -> None:
    mine = [f for f in forms if f["reviewId"] == review["_id"]]
    review["score"] = overall_score(template, mine).document()
    review["scoreBasis"] = sum(f["revision"] for f in mine)


def demo_review_documents(demo: DemoOrganization) -> dict[str, list[Document]]:
    org_id, slug = demo.organization["_id"], demo.organization["slug"]
    rng = random.Random(f"{slug}:reviews")
    hr_id = demo.personas["hr_admin"]
    competencies = _competencies(slug, org_id)
    competency_ids = {c["name"]: c["_id"] for c in competencies}
    template = _template(slug, org_id, competency_ids, hr_id)
    persona = next(e for e in demo.employees if e["_id"] == demo.personas["employee"])
    department = persona.get("departmentId")
    finished = _cycle(slug, 0, org_id, template["_id"], "H1 2026 performance review",
                      (date(2026, 1, 1), date(2026, 6, 30)),
                      [date(2026, 7, d) for d in (6, 8, 15, 22, 29)] + [date(2026, 8, 5)],
                      date(2026, 1, 1), department, CycleStatus.CLOSED, hr_id)
    running = _cycle(slug, 1, org_id, template["_id"], "H2 2026 performance review",
                     (date(2026, 7, 1), date(2026, 12, 31)),
                     [date(2026, 11, d) for d in (6, 8, 15, 22)] + [date(2026, 12, 1), date(2026, 12, 10)],
                     date(2026, 10, 1), department, CycleStatus.ACTIVE, hr_id)
    reviews: list[Document] = []
    forms: list[Document] = []
    for cycle, done in ((finished, True), (running, False)):
        launched = _at(date.fromisoformat(cycle["periodEnd"]) - timedelta(days=20))
        plan = plan_launch(cycle, template, demo.employees, demo.departments, {}, launched)
        for review in plan.reviews:
            base = rng.choice([2, 3, 3, 4, 4, 5])
            mine = [f for f in plan.forms if f["reviewId"] == review["_id"]]
            if done:
                _finish(rng, template, cycle, review, mine, base)
            else:
                _progress(rng, template, review, mine, base, persona["_id"])
            _score(template, review, mine)
            review["organizationId"] = org_id
            for form in mine:
                form["organizationId"] = org_id
        reviews += plan.reviews
        forms += plan.forms
    return {
        "competencies": competencies, "positionCompetencies": _expectations(demo, competency_ids, org_id),
        "reviewTemplates": [template], "reviewCycles": [finished, running], "reviews": reviews,
        "reviewForms": forms,
    }


def _finish(rng: random.Random, template: Document, cycle: Document, review: Document, forms: list[Document],
            base: int) -> None:
    """A finished review: every form submitted, shared, mostly acknowledged, some calibrated."""
    deadlines = {p["phase"]: date.fromisoformat(p["deadline"]) for p in cycle["phases"]}
    for form in forms:
        submitted = _at(deadlines["manager_review" if form["kind"] == "manager" else "self_review"], 15)
        _fill(rng, template, form, base, submitted - timedelta(hours=3), 1.0)
        form["state"] = FormState.SUBMITTED.value
        form["submittedAt"] = submitted
        form["history"] = [history_entry("submitted", submitted, form["reviewerId"])]
    shared_at = _at(deadlines["sharing"])
    moves = [("self_review", "manager_review", deadlines["self_review"], review["employeeId"]),
             ("manager_review", "calibration", deadlines["manager_review"], review.get("managerId")),
             ("calibration", "shared", deadlines["sharing"], review.get("managerId"))]
    acknowledged = rng.random() < 0.8
    if acknowledged:
        moves.append(("shared", "acknowledged", deadlines["sharing"] + timedelta(days=3), review["employeeId"]))
    review["history"] = [history_entry("moved", _at(day, 16), by, **{"from": a, "to": b}) for a, b, day, by in moves]
    review["state"] = ReviewState.ACKNOWLEDGED.value if acknowledged else ReviewState.SHARED.value
    review["sharedAt"] = shared_at
    if rng.random() < 0.25:
        _score(template, review, forms)
        computed = review["score"]["rating"] or rating_of(3, template["scale"])
        calibrated = max(1, min(5, computed + rng.choice([-1, 1])))
        entry = {"rating": calibrated, "previousRating": None, "justification": "Aligned with the department's "
                 "calibration session.", "byId": review.get("managerId"), "at": _at(deadlines["calibration"], 11)}
        review["calibration"] = {k: entry[k] for k in ("rating", "justification", "byId", "at")}
        review["calibrationHistory"] = [entry]


def _progress(rng: random.Random, template: Document, review: Document, forms: list[Document], base: int,
              persona: str) -> None:
    """A running review: some forms started, a few self reviews submitted and moved on."""
    answered_at = _at(TODAY - timedelta(days=rng.randint(1, 6)))
    for form in forms:
        if form["kind"] == "self" and review["employeeId"] == persona:
            _fill(random.Random(f"persona:{form['_id']}"), template, form, base, answered_at, 0.4)
        elif rng.random() < 0.35:
            _fill(rng, template, form, base, answered_at, 0.5)
        if form["answers"]:
            form["state"] = FormState.IN_PROGRESS.value
    self_form = next((f for f in forms if f["kind"] == "self"), None)
    if self_form is not None and review["employeeId"] != persona and rng.random() < 0.2:
        _fill(rng, template, self_form, base, answered_at, 1.0)
        submitted = answered_at + timedelta(hours=2)
        self_form.update(state=FormState.SUBMITTED.value, submittedAt=submitted,
                         history=[history_entry("submitted", submitted, self_form["reviewerId"])])
        review["state"] = ReviewState.MANAGER_REVIEW.value
        review["history"] = [history_entry("moved", submitted, review["employeeId"],
                                           **{"from": "self_review", "to": "manager_review"})]
