"""Free text and the echoes of it: the text rules of models/core/validation.py (search, cursors), and no
error message, in a payload or at the top level, quoting more than a short prefix of what was sent."""

from __future__ import annotations

import base64

from models.core.errors import MESSAGE_MAX
from models.core.validation import CURSOR_MAX, SEARCH_MAX
from tests.conftest import RunningServer
from tests.reviews.support import UPDATE_ANSWER

PEOPLE = "query($after: String, $search: String) { employees(first: 5, after: $after, filter: {search: $search}) " \
         "{ totalCount } }"
ANONYMOUS = "query($period: String) { anonymousFeedback(period: $period) { period } }"


async def test_a_search_longer_than_the_rule_is_refused_and_one_at_the_rule_runs(server: RunningServer) -> None:
    client = server.client("employee")
    # when a search one character over the rule is sent, then it is refused saying so
    body = await client.execute(PEOPLE, {"search": "x" * (SEARCH_MAX + 1)})
    assert [(e["message"], e["extensions"]["code"]) for e in body["errors"]] == [
        (f"search is longer than {SEARCH_MAX} characters", "BAD_USER_INPUT")]
    # and one at the rule runs (and finds nobody)
    assert (await client.data(PEOPLE, {"search": "x" * SEARCH_MAX}))["employees"]["totalCount"] == 0


async def test_a_cursor_longer_than_any_issued_is_refused_before_it_is_decoded(server: RunningServer) -> None:
    # given a cursor that decodes to [key, id] but is longer than any the API issues
    long = base64.urlsafe_b64encode(b'["' + b"a" * CURSOR_MAX + b'", "0"]').decode()
    assert len(long) > CURSOR_MAX
    # when it is sent, then it is refused as not issued here, quoting its first 40 characters only
    body = await server.client("employee").execute(PEOPLE, {"after": long})
    assert [(e["message"], e["extensions"]["code"]) for e in body["errors"]] == [
        (f"not a cursor this API issued: {long[:40]!r}", "BAD_USER_INPUT")]
    assert body["data"] is None


async def test_a_payload_error_quoting_a_long_id_is_cut_short_and_nothing_is_written(server: RunningServer) -> None:
    # given a form id of 9,000 characters (under the argument limit)
    form_id = "f" * 9000
    before = await server.snapshot(("reviewForms",))
    # when an answer is sent for it
    data = await server.client("employee").data(UPDATE_ANSWER, {"form": form_id, "question": "q", "value": 1,
                                                                "base": 0})
    # then the refusal says no such form, in a message of at most MESSAGE_MAX characters, and nothing is written
    (error,) = data["updateReviewAnswer"]["errors"]
    assert (error["field"], error["code"]) == ("formId", "NOT_FOUND")
    assert error["message"] == f"no review form {form_id!r} in your organisation"[:MESSAGE_MAX - 1] + "…"
    assert await server.snapshot(("reviewForms",)) == before


async def test_a_top_level_error_quoting_a_long_value_is_cut_short(server: RunningServer) -> None:
    # when a manager asks for anonymous feedback of a 9,000-character period
    period = "p" * 9000
    body = await server.client("manager").execute(ANONYMOUS, {"period": period})
    # then the error says what a period looks like, in at most MESSAGE_MAX characters
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["message"] == f"period must look like 2026-Q4, not {period!r}"[:MESSAGE_MAX - 1] + "…"
