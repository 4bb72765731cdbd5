"""The limits run as validation rules that the validation cache can reuse across requests; what is kept
from one request to the next (page arguments per document) never skips a per-request check."""

from __future__ import annotations

import gc
from typing import Any

import pytest
from graphql import parse
from strawberry.extensions.parser_cache import _get_parse_cache
from strawberry.extensions.validation_cache import _get_validate_cache

from models.core.pagination import MAX_PAGE
from schema.core.limits import CACHE_SIZE, MAX_DEPTH, _page_arguments, page_arguments
from schema.schema import build_schema

QUERY = "{ __typename }"
TOO_DEEP = "query { me {" + " manager {" * MAX_DEPTH + " name" + " }" * MAX_DEPTH + " } }"
PAGE_VARIABLE = "query Page($first: Int!) { employees(first: $first) { totalCount } }"
PAGE_LITERAL = f"{{ employees(first: {MAX_PAGE + 1}) {{ totalCount }} }}"


def limit_errors(result: Any) -> list[str]:
    return [e.message for e in result.errors or () if (e.extensions or {}).get("code") == "LIMIT_EXCEEDED"]


async def test_the_same_query_is_validated_once() -> None:
    # given a schema with its caches and limits
    schema = build_schema()
    cache = _get_validate_cache(CACHE_SIZE)
    # when the same query runs three times
    before = cache.cache_info()
    for _ in range(3):
        assert (await schema.execute(QUERY)).errors is None
    after = cache.cache_info()
    # then validation ran once and was reused twice
    assert (after.misses - before.misses, after.hits - before.hits) == (1, 2)


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
    parses = _get_parse_cache(CACHE_SIZE).cache_info()
    # when the same query runs with a page size over the limit, within it, then under zero
    over = await schema.execute(PAGE_VARIABLE, variable_values={"first": MAX_PAGE + 1})
    within = await schema.execute(PAGE_VARIABLE, variable_values={"first": 5})
    under = await schema.execute(PAGE_VARIABLE, variable_values={"first": -1})
    # then the document was parsed at most once, and each request's own value was checked
    assert _get_parse_cache(CACHE_SIZE).cache_info().hits - parses.hits >= 2
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


def test_the_page_arguments_of_a_document_are_kept_as_long_as_the_document() -> None:
    # given a parsed document with two page arguments
    document = parse("query($n: Int!) { a: employees(first: $n) { totalCount } b: employees(first: 3) { totalCount } }")
    # when its page arguments are asked for twice
    found = page_arguments(document)
    # then they are found once and kept
    assert [node.name.value for node in found] == ["first", "first"]
    assert page_arguments(document) is found
    key = id(document)
    assert key in _page_arguments
    # and forgotten once the document is gone
    del document, found
    gc.collect()
    assert key not in _page_arguments
