"""Exit interview templates (versioned, per department) and the named interview recorded against them."""

from __future__ import annotations

import asyncio

from tests.client import refused
from tests.conftest import RunningServer
from tests.exits.support import (
    EXIT_COLLECTIONS,
    RECORD_INTERVIEW,
    SAVE_TEMPLATE,
    SCHEDULE,
    TEMPLATE_QUESTIONS,
    active_individual_contributors,
    persona,
    record_of,
    save_reason,
    save_template,
    terminate,
)
from tests.interleave import hold

TEMPLATES = "query($old: Boolean!) { exitInterviewTemplates(includeOldVersions: $old) { id version latest } }"


async def test_a_department_template_is_chosen_over_the_default(server: RunningServer) -> None:
    leaver = active_individual_contributors()[0]
    default = await save_template(server)
    own = await save_template(server, [{"id": "team", "kind": "RATING", "text": "How was your team?"}],
                              department_id=leaver["departmentId"])
    await terminate(server, leaver["_id"])
    assert (await record_of(server, leaver["_id"]))["surveyTemplateId"] == own
    other = next(e for e in active_individual_contributors() if e["departmentId"] != leaver["departmentId"])
    await terminate(server, other["_id"])
    assert (await record_of(server, other["_id"]))["surveyTemplateId"] == default


async def test_editing_a_template_in_use_creates_the_next_version(server: RunningServer) -> None:
    template = await save_template(server)
    hr = server.client("hr_admin")
    # an unused template is edited in place
    edit = {"name": "Exit talk", "questions": TEMPLATE_QUESTIONS}
    body = await hr.data(SAVE_TEMPLATE, {"id": template, "input": edit})
    assert (body["saveExitInterviewTemplate"]["template"]["id"], body["saveExitInterviewTemplate"]["newVersion"]) == (
        template, False)
    # once an exit record uses it, an edit makes version 2 and the record keeps version 1
    leaver = active_individual_contributors()[0]
    await terminate(server, leaver["_id"])
    body = await hr.data(SAVE_TEMPLATE, {"id": template, "input": {"name": "Exit talk",
                                                                   "questions": TEMPLATE_QUESTIONS[:2]}})
    saved = body["saveExitInterviewTemplate"]
    assert (saved["newVersion"], saved["template"]["version"], saved["template"]["familyId"]) == (True, 2, template)
    assert (await record_of(server, leaver["_id"]))["surveyTemplateId"] == template
    listed = await hr.data(TEMPLATES, {"old": True})
    assert [(t["id"], t["version"], t["latest"]) for t in listed["exitInterviewTemplates"]] == [
        (template, 1, False), (saved["template"]["id"], 2, True)]
    assert [t["id"] for t in (await hr.data(TEMPLATES, {"old": False}))["exitInterviewTemplates"]] == [
        saved["template"]["id"]]


async def test_of_two_concurrent_edits_of_a_used_version_one_makes_the_next(server: RunningServer) -> None:
    template = await save_template(server)
    await terminate(server, active_individual_contributors()[0]["_id"])
    hr = server.client("hr_admin")
    edit = {"id": template, "input": {"name": "Exit talk", "questions": TEMPLATE_QUESTIONS[:1]}}
    async with hold(server.database, "exitTemplates", "insert_one") as held:
        first = asyncio.create_task(hr.execute(SAVE_TEMPLATE, edit))
        await held.reached.wait()
        second = await hr.execute(SAVE_TEMPLATE, edit)
    late = await first
    assert second["data"]["saveExitInterviewTemplate"]["newVersion"] is True
    assert [e["code"] for e in late["data"]["saveExitInterviewTemplate"]["errors"]] == ["CONFLICT"]
    org = server.demo.organization["_id"]
    assert await server.database.exitTemplates.count_documents({"organizationId": org}) == 2


async def test_bad_templates_are_refused_and_nothing_is_written(server: RunningServer) -> None:
    before = await server.snapshot(EXIT_COLLECTIONS)
    hr = server.client("hr_admin")
    body = await hr.execute(SAVE_TEMPLATE, {"input": {"name": " ", "questions": [
        {"id": "a", "kind": "CHOICE", "text": "Pick", "options": ["only"]}, {"id": "a", "kind": "TEXT", "text": ""}]}})
    assert refused(body) == [
        ("name", "REQUIRED", "name must not be empty"),
        ("questions[0].options", "INVALID", "a choice needs 2 to 20 distinct options of 1 to 100 characters"),
        ("questions[1].id", "DUPLICATE", "question id 'a' is used twice"),
        ("questions[1].text", "REQUIRED", "questions[1].text is required")]
    body = await server.client("manager").execute(SAVE_TEMPLATE, {"input": {"name": "Mine",
                                                                            "questions": TEMPLATE_QUESTIONS}})
    assert refused(body) == [(None, "FORBIDDEN", "only HR admins manage exit interview templates")]
    assert await server.snapshot(EXIT_COLLECTIONS) == before


async def test_the_interviewer_records_the_named_interview_once(server: RunningServer) -> None:
    reason = await save_reason(server, "pay", "COMPENSATION")
    await save_template(server)
    leaver = active_individual_contributors()[0]
    await terminate(server, leaver["_id"])
    record = await record_of(server, leaver["_id"])
    interviewer = persona("manager")["_id"]
    await server.client("hr_admin").data(SCHEDULE, {"id": record["_id"], "who": interviewer, "on": record["lastDay"]})
    answers = [{"questionId": "why", "value": reason}, {"questionId": "recommend", "value": 9}]
    body = await server.client(interviewer).data(RECORD_INTERVIEW, {"id": record["_id"], "answers": answers})
    assert body["recordExitInterview"] == {"exitRecord": {
        "id": record["_id"], "status": "COMPLETED", "interview": {
            "answers": [{"questionId": "why", "value": reason}, {"questionId": "recommend", "value": 9}],
            "recordedBy": {"id": interviewer}}}, "errors": []}
    before = await server.snapshot(EXIT_COLLECTIONS)
    again = await server.client(interviewer).execute(RECORD_INTERVIEW, {"id": record["_id"], "answers": answers})
    assert refused(again) == [("exitId", "INVALID_TRANSITION", "this exit is completed or cancelled")]
    outsider = await server.client("employee").execute(RECORD_INTERVIEW, {"id": record["_id"], "answers": answers})
    assert refused(outsider) == [(None, "FORBIDDEN",
                                  "only HR admins and the assigned interviewer record an exit interview")]
    assert await server.snapshot(EXIT_COLLECTIONS) == before
