"""Review templates: reading, creating with validation, and versioning: a template used by a launched cycle
is never changed; editing it creates the next version and forms already issued keep theirs."""

from __future__ import annotations

from typing import Any

import pytest

from tests.client import refused_codes
from tests.conftest import RunningServer
from tests.reviews.support import (
    CREATE_TEMPLATE,
    REVIEW_COLLECTIONS,
    RUNNING,
    SEED,
    TEMPLATE,
    create_cycle,
    create_template,
    cycle_documents,
    launch,
    persona,
    seeded_form,
    seeded_review,
    stored,
    template_input,
)

TEMPLATES = """
query($old: Boolean!) {
  reviewTemplates(includeOldVersions: $old) {
    id familyId version name latest locked scaleMin scaleMax peerVisibility weights { self manager peer upward }
    sections { id: key title weight required reviewerKinds
      questions { id: key kind text required readers competency { name } } }
  }
}"""
UPDATE_TEMPLATE = """
mutation($id: ID!, $input: ReviewTemplateInput!) {
  updateReviewTemplate(id: $id, input: $input) {
    template { id familyId version locked latest name sections { questions { id: key text } } versions { id version } }
    newVersion errors { field code message }
  }
}"""
FORM_TEMPLATE = """
query($id: ID!) { reviewForm(id: $id) { template { id version } questions { id: key text } } }"""


def renamed_first_question(template: dict[str, Any], text: str) -> dict[str, Any]:
    sections = template_input(template)["sections"]
    sections[0]["questions"][0]["text"] = text
    return {"sections": sections}


async def test_everyone_reads_the_templates(server: RunningServer) -> None:
    # given the seeded template / when an employee lists the templates
    data = await server.client("employee").data(TEMPLATES, {"old": False})
    # then they see it, sections and questions in order
    [template] = data["reviewTemplates"]
    assert (template["id"], template["version"], template["locked"], template["latest"]) == (TEMPLATE["_id"], 1,
                                                                                             True, True)
    assert template["weights"] == {"self": 20.0, "manager": 60.0, "peer": 20.0, "upward": 0.0}
    assert [[q["id"] for q in s["questions"]] for s in template["sections"]] == [
        [q["id"] for q in s["questions"]] for s in TEMPLATE["sections"]]
    names = {c["_id"]: c["name"] for c in SEED["competencies"]}
    competency = template["sections"][1]["questions"][0]["competency"]
    assert competency == {"name": names[TEMPLATE["sections"][1]["questions"][0]["competencyId"]]}


async def test_hr_admins_create_templates(server: RunningServer) -> None:
    # given a template input without ids for a new question / when HR creates it
    input = template_input(name="Quarterly check")
    input["sections"][0]["questions"].append({"kind": "TEXT", "text": "Anything else?", "required": False})
    data = await server.client("hr_admin").data(CREATE_TEMPLATE, {"input": input})
    result = data["createReviewTemplate"]
    # then it is version 1 of a new family, unlocked, with the ids given and a generated one
    template = result["template"]
    assert result["errors"] == [] and template["familyId"] == template["id"]
    assert (template["version"], template["locked"], template["latest"]) == (1, False, True)
    ids = [q["id"] for q in template["sections"][0]["questions"]]
    assert ids[:-1] == [q["id"] for q in TEMPLATE["sections"][0]["questions"]] and len(ids[-1]) == 12


def _refusals() -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
    base = template_input()
    sections = base["sections"]

    def with_question(**question: Any) -> dict[str, Any]:
        changed = [dict(s) for s in sections]
        changed[0] = {**changed[0], "questions": [{**changed[0]["questions"][0], **question}]}
        return {"sections": changed}

    return {
        "no sections": ({"sections": []}, {"field": "sections", "code": "REQUIRED",
                                           "message": "a template needs 1 to 20 sections"}),
        "duplicate label values": (with_question(labels=[{"label": "a", "value": 1}, {"label": "b", "value": 1}]), {
            "field": "sections[0].questions[0].labels", "code": "DUPLICATE",
            "message": "sections[0].questions[0].labels values must be distinct"}),
        "one option": (with_question(kind="CHOICE", options=["only"]), {
            "field": "sections[0].questions[0].options", "code": "INVALID",
            "message": "sections[0].questions[0].options needs 2 to 20 distinct options of 1 to 100 characters"}),
        "unknown competency": (with_question(kind="COMPETENCY", competencyId="0" * 24, expectedLevel=3), {
            "field": "sections[0].questions[0].competencyId", "code": "NOT_FOUND",
            "message": f"no competency {'0' * 24!r} in your organisation"}),
        "expected level 7": (with_question(kind="COMPETENCY", competencyId=SEED["competencies"][0]["_id"],
                                           expectedLevel=7), {
            "field": "sections[0].questions[0].expectedLevel", "code": "INVALID",
            "message": "the expected level must be an integer from 1 to 5"}),
        "kind outside the section": (with_question(reviewerKinds=["UPWARD"]), {
            "field": "sections[0].questions[0].reviewerKinds", "code": "INVALID",
            "message": "sections[0].questions[0].reviewerKinds must be among ['self', 'manager', 'peer']"}),
        "bad question id": (with_question(id="a.b"), {
            "field": "sections[0].questions[0].id", "code": "INVALID",
            "message": "sections[0].questions[0].id must be 1-40 letters, digits, '-' or '_'"}),
        "scale upside down": ({"scaleMin": 5, "scaleMax": 1}, {
            "field": "scale", "code": "INVALID", "message": "the scale needs integers min < max, at most 100 apart"}),
        "no weight": ({"weights": {"self": 0, "manager": 0, "peer": 0, "upward": 0}}, {
            "field": "weights", "code": "INVALID",
            "message": "at least one reviewer kind with questions needs a weight above 0"}),
    }


@pytest.mark.parametrize("case", list(_refusals()))
async def test_template_refusals_write_nothing(server: RunningServer, case: str) -> None:
    overrides, error = _refusals()[case]
    before = await server.snapshot(REVIEW_COLLECTIONS)
    data = await server.client("hr_admin").data(CREATE_TEMPLATE, {"input": template_input(**overrides)})
    assert data["createReviewTemplate"] == {"template": None, "newVersion": False, "errors": [error]}
    assert await server.snapshot(REVIEW_COLLECTIONS) == before


async def test_only_hr_admins_write_templates(server: RunningServer) -> None:
    body = await server.client("manager").execute(CREATE_TEMPLATE, {"input": template_input()})
    assert refused_codes(body) == ["FORBIDDEN"]


async def test_an_unlaunched_template_is_edited_in_place(server: RunningServer) -> None:
    # given a new template nobody launched / when HR renames it
    template = await create_template(server, name="Draft")
    data = await server.client("hr_admin").data(UPDATE_TEMPLATE, {"id": template["_id"], "input": {"name": "Final"}})
    # then the same version changed
    result = data["updateReviewTemplate"]
    assert result["newVersion"] is False
    assert (result["template"]["id"], result["template"]["version"], result["template"]["name"]) == (
        template["_id"], 1, "Final")


async def test_a_launched_template_gets_a_new_version_and_issued_forms_keep_theirs(server: RunningServer) -> None:
    # given a template used by a launched cycle
    template = await create_template(server, name="Versioned")
    cycle_id = await create_cycle(server, template["_id"])
    await launch(server, cycle_id)
    assert (await stored(server, "reviewTemplates", template["_id"]))["locked"] is True
    old_text = template["sections"][0]["questions"][0]["text"]
    # when HR rewords its first question
    data = await server.client("hr_admin").data(UPDATE_TEMPLATE, {
        "id": template["_id"], "input": renamed_first_question(template, "What changed for customers?")})
    # then version 2 of the family holds the change, version 1 is no longer the latest
    result = data["updateReviewTemplate"]
    new = result["template"]
    assert result["errors"] == [] and result["newVersion"] is True
    assert (new["familyId"], new["version"], new["locked"], new["latest"]) == (template["_id"], 2, False, True)
    assert new["sections"][0]["questions"][0]["text"] == "What changed for customers?"
    assert new["versions"] == [{"id": template["_id"], "version": 1}, {"id": new["id"], "version": 2}]
    old = await stored(server, "reviewTemplates", template["_id"])
    assert (old["supersededById"], old["sections"][0]["questions"][0]["text"]) == (new["id"], old_text)
    # and every form already issued still shows version 1's questions
    _, forms = await cycle_documents(server, cycle_id)
    assert {f["templateId"] for f in forms} == {template["_id"]}
    form = next(f for f in forms if f["kind"] == "self")
    view = await server.client("hr_admin").data(FORM_TEMPLATE, {"id": form["_id"]})
    assert view["reviewForm"]["template"] == {"id": template["_id"], "version": 1}
    assert view["reviewForm"]["questions"][0]["text"] == old_text
    # and the list shows the latest version unless old ones are asked for
    latest = (await server.client("hr_admin").data(TEMPLATES, {"old": False}))["reviewTemplates"]
    every = (await server.client("hr_admin").data(TEMPLATES, {"old": True}))["reviewTemplates"]
    assert template["_id"] not in [t["id"] for t in latest] and new["id"] in [t["id"] for t in latest]
    assert {template["_id"], new["id"]} <= {t["id"] for t in every}
    # and editing the old version is refused, pointing at the new one
    again = await server.client("hr_admin").data(UPDATE_TEMPLATE, {"id": template["_id"], "input": {"name": "x"}})
    assert again["updateReviewTemplate"]["errors"] == [{
        "field": "id", "code": "CONFLICT", "message": f"version 1 has a newer version ({new['id']}): edit that one"}]


async def test_editing_the_seeded_template_leaves_the_running_forms_alone(server: RunningServer) -> None:
    # given the seeded template, locked by its cycles / when HR rewords a question
    data = await server.client("hr_admin").data(UPDATE_TEMPLATE, {
        "id": TEMPLATE["_id"], "input": renamed_first_question(TEMPLATE, "Reworded")})
    assert data["updateReviewTemplate"]["template"]["version"] == 2
    # then the running cycle's forms still read the original wording
    form = seeded_form(seeded_review(RUNNING, persona("employee")["_id"]), "self")
    view = await server.client("employee").data(FORM_TEMPLATE, {"id": form["_id"]})
    assert view["reviewForm"]["questions"][0]["text"] == TEMPLATE["sections"][0]["questions"][0]["text"]
    # and a cycle launched on version 2 issues forms with the new wording
    cycle_id = await create_cycle(server, data["updateReviewTemplate"]["template"]["id"])
    await launch(server, cycle_id)
    _, forms = await cycle_documents(server, cycle_id)
    view = await server.client("hr_admin").data(FORM_TEMPLATE, {"id": forms[0]["_id"]})
    assert view["reviewForm"]["template"]["version"] == 2
    assert view["reviewForm"]["questions"][0]["text"] == "Reworded"
