"""Exit checklist items and exit template questions have ids unique across every type (``<parent id>:<key>``,
with the old value in ``key``): the mutations take either, and ``node(id:)`` finds them with the exits domain's
visibility (records: HR admins and the interviewer; template questions: those who read templates, HR admins)."""

from __future__ import annotations

from datetime import timedelta

from models.core import clock
from tests.client import refused
from tests.conftest import GLOBEX, RunningServer
from tests.exits.support import (
    COMPLETE_ITEM,
    EXIT_COLLECTIONS,
    MY_SURVEY,
    REASSIGN_ITEM,
    RECORD_INTERVIEW,
    SAVE_TEMPLATE,
    SCHEDULE,
    SUBMIT_SURVEY,
    TEMPLATE_QUESTIONS,
    active_individual_contributors,
    persona,
    record_of,
    save_reason,
    save_template,
    terminate,
)
from tests.exits.test_survey import leaving_in

CHECKLIST = "query($id: ID!) { exitRecord(id: $id) { checklist { __typename id key done owner { id } } } }"
QUESTIONS = "{ exitInterviewTemplates { id questions { __typename id key kind } } }"
NODE = "query($id: ID!) { node(id: $id) { __typename id ... on ExitChecklistItem { key done } " \
       "... on ExitQuestion { key kind } } }"


async def opened(server: RunningServer) -> dict:
    """The stored exit record of the manager persona, terminated today (their open work on its checklist)."""
    leaver = persona("manager")
    await terminate(server, leaver["_id"])
    record = await record_of(server, leaver["_id"])
    assert len(record["checklist"]) >= 3
    return record


async def test_checklist_items_show_an_id_of_their_record_and_their_key(server: RunningServer) -> None:
    # given an exit record with its checklist
    record = await opened(server)
    # when HR reads the checklist
    items = (await server.client("hr_admin").data(CHECKLIST, {"id": record["_id"]}))["exitRecord"]["checklist"]
    # then each item's id is the record's id, a colon and its key, the stored item's id
    assert [(i["id"], i["key"]) for i in items] == [(f"{record['_id']}:{i['id']}", i["id"])
                                                    for i in record["checklist"]]


async def test_the_checklist_mutations_take_an_items_id_or_its_key(server: RunningServer) -> None:
    # given an exit record's first two items
    record = await opened(server)
    first, second = record["checklist"][0]["id"], record["checklist"][1]["id"]
    hr, new_owner = server.client("hr_admin"), persona("employee")["_id"]
    # when HR ticks the first off by its id and hands the second over by its key
    done = await hr.data(COMPLETE_ITEM, {"id": record["_id"], "item": f"{record['_id']}:{first}"})
    moved = await hr.data(REASSIGN_ITEM, {"id": record["_id"], "item": second, "owner": new_owner})
    # then both are written
    assert done["completeExitChecklistItem"]["errors"] == []
    assert moved["reassignExitChecklistItem"]["errors"] == []
    after = (await record_of(server, record["employeeId"]))["checklist"]
    assert [(i["id"], i["done"], i["ownerId"]) for i in after[:2]] == [
        (first, True, record["checklist"][0]["ownerId"]), (second, False, new_owner)]


async def test_an_item_id_of_another_record_is_refused_and_nothing_is_written(server: RunningServer) -> None:
    # given an exit record, and an id made of another record's id and one of this record's keys
    record = await opened(server)
    other = active_individual_contributors()[0]
    await terminate(server, other["_id"])
    other_record = await record_of(server, other["_id"])
    foreign = f"{other_record['_id']}:{record['checklist'][2]['id']}"
    before = await server.snapshot(EXIT_COLLECTIONS)
    # when HR ticks it off, and hands it over, on this record
    hr = server.client("hr_admin")
    completed = await hr.execute(COMPLETE_ITEM, {"id": record["_id"], "item": foreign})
    reassigned = await hr.execute(REASSIGN_ITEM, {"id": record["_id"], "item": foreign,
                                                  "owner": persona("employee")["_id"]})
    # then both are refused as an unknown item, and nothing changed
    message = f"no checklist item {foreign!r} on this exit record"
    assert refused(completed) == [("itemId", "NOT_FOUND", message)]
    assert refused(reassigned) == [("itemId", "NOT_FOUND", message)]
    assert await server.snapshot(EXIT_COLLECTIONS) == before


async def test_node_finds_a_checklist_item_for_hr_and_the_interviewer_only(server: RunningServer) -> None:
    # given an exit record with an interviewer, and its first item's id
    record = await opened(server)
    interviewer = active_individual_contributors()[1]["_id"]
    on = (clock.today() + timedelta(days=2)).isoformat()
    await server.client("hr_admin").data(SCHEDULE, {"id": record["_id"], "who": interviewer, "on": on})
    item = record["checklist"][0]
    id = f"{record['_id']}:{item['id']}"
    found = {"node": {"__typename": "ExitChecklistItem", "id": id, "key": item["id"], "done": False}}
    # when HR, the interviewer, a peer, the leaver's manager and another organisation's HR admin ask for it
    answers = [await server.client(who).execute(NODE, {"id": id})
               for who in ("hr_admin", interviewer, "employee", persona("manager")["managerId"])]
    foreign = await server.client("hr_admin", GLOBEX).execute(NODE, {"id": id})
    # then HR and the interviewer get the item, everyone else null as for an unknown id, and no error
    assert [a["data"] for a in answers] == [found, found, {"node": None}, {"node": None}]
    assert foreign["data"] == {"node": None} and "errors" not in foreign
    assert not any("errors" in a for a in answers)


async def test_node_finds_a_template_question_for_template_readers_only(server: RunningServer) -> None:
    # given an exit interview template, as HR lists it
    template = await save_template(server)
    listed = (await server.client("hr_admin").data(QUESTIONS))["exitInterviewTemplates"]
    questions = next(t["questions"] for t in listed if t["id"] == template)
    assert [(q["id"], q["key"]) for q in questions] == [(f"{template}:{q['id']}", q["id"]) for q in TEMPLATE_QUESTIONS]
    # when HR, a manager and an employee ask for its second question by id alone
    id = questions[1]["id"]
    answers = [(await server.client(who).execute(NODE, {"id": id}))["data"] for who in ("hr_admin", "manager",
                                                                                          "employee")]
    # then HR gets it as listed, the others null (as the template itself), and another template's key is unknown
    assert answers == [{"node": questions[1]}, {"node": None}, {"node": None}]
    other = await server.client("hr_admin").data(NODE, {"id": f"{'0' * 24}:{questions[1]['key']}"})
    assert other == {"node": None}


async def test_interview_answers_name_questions_by_id_or_key(server: RunningServer) -> None:
    # given a template, an exit record using it and its interviewer
    reason = await save_reason(server, "pay", "COMPENSATION")
    template = await save_template(server)
    leaver = active_individual_contributors()[0]
    await terminate(server, leaver["_id"])
    record = await record_of(server, leaver["_id"])
    interviewer = persona("manager")["_id"]
    await server.client("hr_admin").data(SCHEDULE, {"id": record["_id"], "who": interviewer, "on": record["lastDay"]})
    # when the interviewer names one question by its id and one by its key
    answers = [{"questionId": f"{template}:why", "value": reason}, {"questionId": "recommend", "value": 9}]
    body = await server.client(interviewer).data(RECORD_INTERVIEW, {"id": record["_id"], "answers": answers})
    # then both answers are stored under the questions' keys
    interview = body["recordExitInterview"]["exitRecord"]["interview"]
    assert body["recordExitInterview"]["errors"] == []
    assert interview["answers"] == [{"questionId": "why", "value": reason}, {"questionId": "recommend", "value": 9}]


async def test_an_answer_naming_another_templates_question_is_refused(server: RunningServer) -> None:
    # given an exit record with its interviewer, and an id of a question of another template
    await save_template(server)
    leaver = active_individual_contributors()[0]
    await terminate(server, leaver["_id"])
    record = await record_of(server, leaver["_id"])
    interviewer = persona("manager")["_id"]
    await server.client("hr_admin").data(SCHEDULE, {"id": record["_id"], "who": interviewer, "on": record["lastDay"]})
    before = await server.snapshot(EXIT_COLLECTIONS)
    # when the interviewer answers it
    answers = [{"questionId": f"{'0' * 24}:recommend", "value": 9}]
    body = await server.client(interviewer).execute(RECORD_INTERVIEW, {"id": record["_id"], "answers": answers})
    # then it is refused as no question of the template, and nothing was written
    assert refused(body) == [("answers[0].questionId", "NOT_FOUND", "no such question in the template"),
                             ("answers", "REQUIRED", "question 'why' must be answered")]
    assert await server.snapshot(EXIT_COLLECTIONS) == before


async def test_editing_a_template_takes_its_questions_ids_for_their_keys(server: RunningServer) -> None:
    # given a template, its questions sent back as read (their ids, the scoped ones)
    template = await save_template(server)
    sent = [{**q, "id": f"{template}:{q['id']}", "text": q["text"] + "?"} for q in TEMPLATE_QUESTIONS]
    # when HR saves them on the same template
    body = await server.client("hr_admin").data(SAVE_TEMPLATE, {"id": template, "input": {
        "name": "Exit interview", "questions": sent}})
    # then the keys stay the old ones, and the ids are scoped once
    saved = body["saveExitInterviewTemplate"]
    assert saved["errors"] == []
    assert [q["id"] for q in saved["template"]["questions"]] == [f"{template}:{q['id']}" for q in TEMPLATE_QUESTIONS]
    stored = await server.database.exitTemplates.find_one({"_id": template})
    assert [q["id"] for q in stored["questions"]] == [q["id"] for q in TEMPLATE_QUESTIONS]


async def test_the_survey_takes_the_questions_ids_as_shown(server: RunningServer) -> None:
    # given a leaver whose survey is open, its questions as they read them
    leaver, reason = await leaving_in(server, 5)
    me = server.client(leaver["_id"])
    questions = (await me.data(MY_SURVEY))["myExitSurvey"]["questions"]
    values = {"why": reason, "manager": 2, "recommend": 4, "next": "Competitor", "words": "Thanks"}
    # when they answer each by the id they were shown
    body = await me.data(SUBMIT_SURVEY, {"answers": [{"questionId": q["id"], "value": values[q["key"]]}
                                                     for q in questions]})
    # then the survey is taken, each answer counted as its question's
    assert body["submitExitSurvey"] == {"submitted": True, "errors": []}
    (stored,) = await server.database.exitSurveyResponses.find({}).to_list(None)
    assert ({k: stored[k] for k in ("recommend", "ratings", "choices", "texts")}
            == {"recommend": 4, "ratings": [2], "choices": ["Competitor"], "texts": ["Thanks"]})
