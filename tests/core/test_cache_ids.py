"""Every id a normalised client cache (Apollo's InMemoryCache: ``__typename`` + ``id``) keys on is unique:
template sections and questions across templates, check-in questions across check-ins; the id within the
template stays available as ``key``."""

from __future__ import annotations

from collections import Counter

from tests.conftest import RunningServer
from tests.reviews.support import create_template

CHECK_INS = """query($id: ID!) { checkIns(employeeId: $id, past: 5) {
  upcoming { id questions { id key } } past { id questions { id key } } } }"""
TEMPLATE = """query($id: ID!) { reviewTemplate(id: $id) { id sections { __typename id key title
  questions { __typename id key text } } } }"""


async def test_two_templates_with_the_same_section_ids_have_distinct_cache_ids(server: RunningServer) -> None:
    # given two templates whose sections and questions have the same ids within them, with different texts
    def sections(text: str) -> list[dict[str, object]]:
        return [{"id": "impact", "title": f"Impact ({text})", "questions": [
            {"id": "results", "kind": "TEXT", "text": f"Results ({text})"}]}]

    first = await create_template(server, name="First", sections=sections("first"))
    second = await create_template(server, name="Second", sections=sections("second"))
    client = server.client("hr_admin")
    # when both are read
    a = (await client.data(TEMPLATE, {"id": first["_id"]}))["reviewTemplate"]
    b = (await client.data(TEMPLATE, {"id": second["_id"]}))["reviewTemplate"]
    # then each section and question has an id of its own (its template's id, then the key), and the key
    assert [(s["id"], s["key"], s["title"]) for s in (*a["sections"], *b["sections"])] == [
        (f"{first['_id']}:impact", "impact", "Impact (first)"),
        (f"{second['_id']}:impact", "impact", "Impact (second)")]
    questions = [q for s in (*a["sections"], *b["sections"]) for q in s["questions"]]
    assert [(q["id"], q["key"], q["text"]) for q in questions] == [
        (f"{first['_id']}:results", "results", "Results (first)"),
        (f"{second['_id']}:results", "results", "Results (second)")]


async def test_check_in_questions_are_unique_across_check_ins(server: RunningServer) -> None:
    # given an employee's check-ins, all copied from the same template questions
    employee = server.demo.personas["employee"]
    data = (await server.client("employee").data(CHECK_INS, {"id": employee}))["checkIns"]
    check_ins = [*data["upcoming"], *data["past"]]
    questions = [(c["id"], q) for c in check_ins for q in c["questions"]]
    assert len(check_ins) >= 2 and questions
    # then no two questions share an id, each is its check-in's id and the template question's id
    assert [n for n in Counter(q["id"] for _, q in questions).values() if n > 1] == []
    assert all(q["id"] == f"{check_in}:{q['key']}" for check_in, q in questions)
