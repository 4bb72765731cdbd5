"""The limits run as validation rules that the validation cache can reuse across requests."""

from __future__ import annotations

from strawberry.extensions.validation_cache import _get_validate_cache

from schema.limits import MAX_DEPTH
from schema.schema import build_schema

QUERY = "{ __typename }"
TOO_DEEP = "query { me {" + " manager {" * MAX_DEPTH + " name" + " }" * MAX_DEPTH + " } }"


async def test_the_same_query_is_validated_once() -> None:
    # given a schema with its caches and limits
    schema = build_schema()
    cache = _get_validate_cache(512)
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
