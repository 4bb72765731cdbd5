"""Shared pieces of the review tests: the seeded review documents, lookups and mutation helpers."""

from __future__ import annotations

from typing import Any

from models.demo.org import DemoOrganization
from models.demo.reviews import demo_review_documents
from models.reviews.rules import QuestionKind, is_required, questions_for
from tests.conftest import NORTHWIND, RunningServer

Document = dict[str, Any]
SEED: dict[str, list[Document]] = demo_review_documents(NORTHWIND)
TEMPLATE = SEED["reviewTemplates"][0]
FINISHED, RUNNING = SEED["reviewCycles"]
UNKNOWN_ID = "0" * 24
REVIEW_COLLECTIONS = ("competencies", "positionCompetencies", "reviewTemplates", "reviewCycles", "reviews",
                      "reviewForms")

UPDATE_ANSWER = """
mutation Answer($form: ID!, $question: String!, $value: JSON, $base: Int!) {
  updateReviewAnswer(formId: $form, questionId: $question, value: $value, baseVersion: $base) {
    form { id state revision }
    answer { questionId value version byId }
    conflict { questionId value version byId }
    errors { field code message }
  }
}"""
SUBMIT_FORM = """
mutation Submit($form: ID!) {
  submitReviewForm(formId: $form) { form { id state submittedAt history { kind byId } } errors { field code message } }
}"""
REOPEN_FORM = """
mutation Reopen($form: ID!, $reason: String!) {
  reopenReviewForm(formId: $form, reason: $reason) {
    form { id state history { kind byId note } } errors { field code message }
  }
}"""
MOVE_REVIEW = """
mutation Move($review: ID!, $state: ReviewState!, $note: String) {
  moveReview(reviewId: $review, state: $state, note: $note) {
    review { id state history { kind fromState toState byId note } } errors { field code message }
  }
}"""
CALIBRATE = """
mutation Calibrate($review: ID!, $rating: Int!, $why: String!) {
  calibrateReview(reviewId: $review, rating: $rating, justification: $why) {
    review {
      id calibration { rating justification byId }
      calibrationHistory { rating previousRating justification byId }
      finalRating score { rating }
    }
    errors { field code message }
  }
}"""
CREATE_CYCLE = """
mutation Create($input: ReviewCycleInput!) {
  createReviewCycle(input: $input) { cycle { id status } errors { field code message } }
}"""
LAUNCH = """
mutation Launch($cycle: ID!) {
  launchReviewCycle(cycleId: $cycle) {
    cycle { id status }
    launch { eligible reviewsCreated formsCreated reviewsTotal formsTotal skipped { employeeId reason } }
    errors { field code message }
  }
}"""
CREATE_TEMPLATE = """
mutation Create($input: ReviewTemplateInput!) {
  createReviewTemplate(input: $input) {
    template { id familyId version locked latest sections { id: key questions { id: key required } } }
    newVersion errors { field code message }
  }
}"""


def person(id: str, org: DemoOrganization = NORTHWIND) -> Document:
    return next(e for e in org.employees if e["_id"] == id)


def persona(name: str) -> Document:
    return person(NORTHWIND.personas[name])


def department_id(name: str, org: DemoOrganization = NORTHWIND) -> str:
    return next(d["_id"] for d in org.departments if d["name"] == name)


def seeded_review(cycle: Document, employee_id: str) -> Document:
    return next(r for r in SEED["reviews"] if r["cycleId"] == cycle["_id"] and r["employeeId"] == employee_id)


def seeded_forms(review: Document, kind: str | None = None) -> list[Document]:
    return [f for f in SEED["reviewForms"] if f["reviewId"] == review["_id"] and (kind is None or f["kind"] == kind)]


def seeded_form(review: Document, kind: str) -> Document:
    [form] = seeded_forms(review, kind)
    return form


def value_for(question: Document, level: int = 4) -> Any:
    """A valid answer to ``question`` (ratings and levels at ``level``; goals are skipped: None)."""
    kind = question["kind"]
    if kind == QuestionKind.RATING:
        values = [label["value"] for label in question["labels"]]
        return min(values, key=lambda v: abs(v - level))
    if kind == QuestionKind.COMPETENCY:
        return level
    if kind == QuestionKind.CHOICE:
        return question["options"][0]
    if kind == QuestionKind.TEXT:
        return "Written in a test."
    return None


async def answer_required(server: RunningServer, who: str, form: Document, template: Document = TEMPLATE,
                          level: int = 4) -> None:
    """Answer every required question of ``form`` not answered yet, as ``who``."""
    client = server.client(who)
    for section, question in questions_for(template, form["kind"]):
        answered = (form.get("answers") or {}).get(question["id"])
        if not is_required(section, question) or answered:
            continue
        data = await client.data(UPDATE_ANSWER, {"form": form["_id"], "question": question["id"],
                                                 "value": value_for(question, level), "base": 0})
        assert data["updateReviewAnswer"]["errors"] == [], data


async def submit(server: RunningServer, who: str, form_id: str) -> None:
    data = await server.client(who).data(SUBMIT_FORM, {"form": form_id})
    assert data["submitReviewForm"]["errors"] == [], data


async def move(server: RunningServer, who: str, review_id: str, state: str) -> dict[str, Any]:
    data = await server.client(who).data(MOVE_REVIEW, {"review": review_id, "state": state})
    return data["moveReview"]


async def stored(server: RunningServer, collection: str, id: str) -> Document:
    doc = await getattr(server.database, collection).find_one({"_id": id})
    assert doc is not None
    return doc


def cycle_input(template_id: str, **overrides: Any) -> dict[str, Any]:
    phases = [("SELF_REVIEW", "2027-01-10"), ("PEER_NOMINATION", "2027-01-12"), ("PEER_REVIEW", "2027-01-20"),
              ("MANAGER_REVIEW", "2027-01-27"), ("CALIBRATION", "2027-02-03"), ("SHARING", "2027-02-10")]
    eligibility = {"hiredBefore": "2026-10-01", "departmentIds": [department_id("Data")], "excludedEmployeeIds": [],
                   **overrides.pop("eligibility", {})}
    return {"name": "2027 winter review", "periodStart": "2026-07-01", "periodEnd": "2026-12-31",
            "templateId": template_id, "phases": [{"phase": p, "deadline": d} for p, d in phases],
            "eligibility": eligibility, "peersPerReviewee": 2, **overrides}


async def create_cycle(server: RunningServer, template_id: str = TEMPLATE["_id"], **overrides: Any) -> str:
    data = await server.client("hr_admin").data(CREATE_CYCLE, {"input": cycle_input(template_id, **overrides)})
    assert data["createReviewCycle"]["errors"] == [], data
    return data["createReviewCycle"]["cycle"]["id"]


async def launch(server: RunningServer, cycle_id: str) -> dict[str, Any]:
    data = await server.client("hr_admin").data(LAUNCH, {"cycle": cycle_id})
    assert data["launchReviewCycle"]["errors"] == [], data
    return data["launchReviewCycle"]


async def cycle_documents(server: RunningServer, cycle_id: str) -> tuple[list[Document], list[Document]]:
    reviews = await server.database.reviews.find({"cycleId": cycle_id}).to_list(None)
    forms = await server.database.reviewForms.find({"cycleId": cycle_id}).to_list(None)
    return reviews, forms


def template_input(template: Document = TEMPLATE, **overrides: Any) -> dict[str, Any]:
    """A ReviewTemplateInput for ``template`` (the seeded one by default), with top-level overrides."""
    def question(q: Document) -> dict[str, Any]:
        data = {"id": q["id"], "kind": q["kind"].upper(), "text": q["text"], "weight": q["weight"],
                "required": q["required"], "reviewerKinds": [k.upper() for k in q["reviewerKinds"]],
                "readers": [r.upper() for r in q["readers"]]}
        for key in ("labels", "options", "competencyId", "expectedLevel"):
            if key in q:
                data[key] = q[key]
        return data

    weights = template["kindWeights"]
    return {"name": template["name"], "description": template["description"], "scaleMin": template["scale"]["min"],
            "scaleMax": template["scale"]["max"], "weights": dict(weights),
            "peerVisibility": template["peerVisibility"].upper(),
            "upwardVisibility": template["upwardVisibility"].upper(),
            "sections": [{"id": s["id"], "title": s["title"], "weight": s["weight"], "required": s["required"],
                          "reviewerKinds": [k.upper() for k in s["reviewerKinds"]],
                          "questions": [question(q) for q in s["questions"]]} for s in template["sections"]],
            **overrides}


async def create_template(server: RunningServer, **overrides: Any) -> Document:
    data = await server.client("hr_admin").data(CREATE_TEMPLATE, {"input": template_input(**overrides)})
    assert data["createReviewTemplate"]["errors"] == [], data
    return await stored(server, "reviewTemplates", data["createReviewTemplate"]["template"]["id"])


def teams(org: DemoOrganization = NORTHWIND, department: str = "Data",
          cutoff: str = "2026-10-01") -> dict[str, list[str]]:
    """Manager id → active teammates eligible in ``department`` (hired before ``cutoff``), by id."""
    dept = department_id(department, org)
    grouped: dict[str, list[str]] = {}
    for e in sorted(org.employees, key=lambda e: e["_id"]):
        if e["departmentId"] == dept and e["status"] == "active" and e["hireDate"] < cutoff and e["managerId"]:
            grouped.setdefault(e["managerId"], []).append(e["_id"])
    return grouped
