"""The limits run as validation rules that the validation cache can reuse across requests; what is kept
from one request to the next (page arguments per document) never skips a per-request check."""

from __future__ import annotations

import gc
from typing import Any

import pytest
import strawberry.schema.schema as strawberry_schema
from graphql import parse

from models.core.pagination import MAX_PAGE
from schema.core import selection
from schema.core.caches import DOCUMENTS, MAX_ENTRY_CHARS, DocumentCache
from schema.core.cost import _fixed, operation_cost
from schema.core.limits import MAX_DEPTH
from schema.schema import build_schema
from tests.client import websocket
from tests.conftest import RunningServer

QUERY = "{ __typename }"
TOO_DEEP = "query { me {" + " manager {" * MAX_DEPTH + " name" + " }" * MAX_DEPTH + " } }"
PAGE_VARIABLE = "query Page($first: Int!) { employees(first: $first) { totalCount } }"
PAGE_LITERAL = f"{{ employees(first: {MAX_PAGE + 1}) {{ totalCount }} }}"


def limit_errors(result: Any) -> list[str]:
    return [e.message for e in result.errors or () if (e.extensions or {}).get("code") == "LIMIT_EXCEEDED"]


async def test_the_same_query_is_validated_once() -> None:
    # given a schema with its caches and limits
    schema = build_schema()
    DOCUMENTS.clear()
    # when the same query runs three times
    for _ in range(3):
        assert (await schema.execute(QUERY)).errors is None
    # then it was parsed and validated once, and the result reused twice
    assert (DOCUMENTS.misses, DOCUMENTS.hits) == (1, 2)
    (entry,) = DOCUMENTS.entries.values()
    assert entry.errors == []


async def test_a_cached_validation_still_refuses_a_query_too_deep() -> None:
    schema = build_schema()
    for _ in range(2):
        result = await schema.execute(TOO_DEEP)
        assert result.data is None
        assert [e.message for e in result.errors] == [f"'anonymous' exceeds maximum operation depth of {MAX_DEPTH}"]


# --- page size: the arguments are found once per parsed document, their values checked per request ----------

async def test_a_page_size_given_by_a_variable_is_checked_on_every_request() -> None:
    # given a schema whose parser cache hands back the same document for the same query text
    schema = build_schema()
    DOCUMENTS.clear()
    # when the same query runs with a page size over the limit, within it, then under zero
    over = await schema.execute(PAGE_VARIABLE, variable_values={"first": MAX_PAGE + 1})
    within = await schema.execute(PAGE_VARIABLE, variable_values={"first": 5})
    under = await schema.execute(PAGE_VARIABLE, variable_values={"first": -1})
    # then the document was parsed at most once, and each request's own value was checked
    assert DOCUMENTS.hits == 2
    assert limit_errors(over) == [f"first must be between 0 and {MAX_PAGE}, not {MAX_PAGE + 1}"]
    assert over.data is None
    assert limit_errors(within) == []
    assert limit_errors(under) == [f"first must be between 0 and {MAX_PAGE}, not -1"]


async def test_a_page_size_literal_over_the_limit_is_refused_every_time() -> None:
    schema = build_schema()
    for _ in range(2):
        result = await schema.execute(PAGE_LITERAL)
        assert limit_errors(result) == [f"first must be between 0 and {MAX_PAGE}, not {MAX_PAGE + 1}"]


@pytest.mark.parametrize("caches", [True, False])
async def test_the_page_size_is_checked_with_the_caches_on_or_off(caches: bool) -> None:
    schema = build_schema(caches=caches)
    over = await schema.execute(PAGE_VARIABLE, variable_values={"first": MAX_PAGE + 1})
    assert limit_errors(over) == [f"first must be between 0 and {MAX_PAGE}, not {MAX_PAGE + 1}"]


def test_the_cost_of_a_document_without_variables_is_kept_as_long_as_the_document() -> None:
    # given a parsed, valid document whose page sizes are literals
    schema = build_schema()._schema
    document = parse("{ a: employees(first: 2) { totalCount } b: employees(first: 3) { totalCount } }")
    # when its cost is asked for twice
    first = operation_cost(schema, document, None, None)
    # then it is computed once and kept
    key = (id(document), None)
    assert key in _fixed
    assert operation_cost(schema, document, None, None) == first
    # and forgotten once the document is gone
    del document
    gc.collect()
    assert key not in _fixed


def test_the_cost_of_a_document_with_variables_is_computed_per_request() -> None:
    schema = build_schema()._schema
    document = parse("query($n: Int!) { employees(first: $n) { edges { node { id } } } }")
    assert [operation_cost(schema, document, None, {"n": n}).requested for n in (1, 10)] == [3, 21]
    assert (id(document), None) not in _fixed


# --- the document cache: bounded in entries and in characters -------------------------------------------

async def test_a_long_text_is_never_kept() -> None:
    schema = build_schema()
    DOCUMENTS.clear()
    padded = "#" * MAX_ENTRY_CHARS + "\n{ __typename }"
    for _ in range(2):
        assert (await schema.execute(padded)).errors is None
    assert (DOCUMENTS.misses, DOCUMENTS.hits, len(DOCUMENTS.entries)) == (2, 0, 0)


def test_the_cache_drops_the_least_recently_used_beyond_its_entries_or_characters() -> None:
    cache = DocumentCache(max_entries=3, max_chars=100, max_entry_chars=60)
    document = parse("{ __typename }")
    for text in ("a" * 10, "b" * 10, "c" * 10):
        cache.put((text, ()), document)
    cache.get(("a" * 10, ()))  # a is now the most recently used
    cache.put(("d" * 10, ()), document)  # a fourth entry: b, the least recently used, goes
    assert [key[0][0] for key in cache.entries] == ["c", "a", "d"]
    cache.put(("e" * 60, ()), document)  # three entries at most: c goes
    assert ([key[0][0] for key in cache.entries], cache.chars) == (["a", "d", "e"], 80)
    cache.put(("f" * 50, ()), document)  # 80 + 50 > 100 characters: a, d and e go, oldest first
    assert ([key[0][0] for key in cache.entries], cache.chars) == (["f"], 50)
    cache.put(("g" * 61, ()), document)  # longer than an entry may be: not kept
    assert [key[0][0] for key in cache.entries] == ["f"]


async def test_distinct_texts_keep_the_cache_within_its_characters() -> None:
    schema = build_schema()
    DOCUMENTS.clear()
    for n in range(300):  # 300 distinct texts of 15,000 characters: 4.5 million in all
        text = "#" + str(n) + "x" * (15_000 - 20) + "\n{ __typename }"
        await schema.execute(text)
    assert DOCUMENTS.chars <= DOCUMENTS.max_chars
    assert len(DOCUMENTS.entries) < 300


# --- a subscription: parsed and validated once when it is opened ------------------------------------------

@pytest.mark.parametrize("query", [
    "subscription($id: ID!) { orgChartChanged(rootId: $id) { kind version } }",  # shared by a group
    "subscription { praisePosted { id message } }",  # one subscriber's own execution
])
async def test_a_subscription_is_parsed_and_validated_once_when_it_is_opened(
        server: RunningServer, monkeypatch: pytest.MonkeyPatch, query: str) -> None:
    # given every validation counted, the plan's (which decides grouping) and the schema's
    validated: list[Any] = []
    for module in (strawberry_schema, selection):
        original = module.validate
        monkeypatch.setattr(module, "validate", lambda *args, _original=original, **kwargs:
                            validated.append(args[1]) or _original(*args, **kwargs))
    DOCUMENTS.clear()
    # when an employee opens a subscription not seen before
    async with websocket(server.ws_url, server.token("employee")) as ws:
        await ws.subscribe(query, {"id": server.demo.personas["employee"]} if "$id" in query else None)
        await server.wait_subscribers(1)
    # then its text was parsed once (the schema found it in the cache) and validated once
    assert (DOCUMENTS.misses, DOCUMENTS.hits) == (1, 1)
    assert len(validated) == 1
