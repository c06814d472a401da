"""The shared parse/validation cache: one parse and one validation per distinct text."""

from __future__ import annotations

from graphql import specified_rules

from schema import build_schema
from schema.prepared import DocumentCache

SUMMARY = "{ viewer { tenant { seatPools { capacity assigned available } } } }"


def test_same_text_is_parsed_and_validated_once() -> None:
    schema = build_schema()._schema
    cache = DocumentCache(max_depth=12, max_aliases=30, max_tokens=5000)
    rules = tuple(specified_rules)
    first = cache.document(SUMMARY)
    assert cache.errors(schema, SUMMARY, first, rules) == []
    again = cache.document(SUMMARY)
    assert again is first
    assert (cache.hits, cache.misses) == (1, 1)
    # the limit rules are built once, so the cached verdict is reused, not recomputed
    assert cache.errors(schema, SUMMARY, again, rules) is cache.errors(
        schema, SUMMARY, again, rules
    )


def test_limits_still_apply_through_the_cache() -> None:
    schema = build_schema()._schema
    cache = DocumentCache(max_depth=2, max_aliases=1, max_tokens=5000)
    rules = tuple(specified_rules)
    deep = "{ viewer { tenant { seatPools { capacity } } } }"
    errors = cache.errors(schema, deep, cache.document(deep), rules)
    assert any("exceeds maximum operation depth" in e.message for e in errors)
    aliased = "{ a: viewer { isOperator } b: viewer { isOperator } }"
    errors = cache.errors(schema, aliased, cache.document(aliased), rules)
    assert errors and "aliases" in errors[0].message.lower()


def test_bounded() -> None:
    cache = DocumentCache(max_depth=12, max_aliases=30, max_tokens=5000, maxsize=3)
    for i in range(10):
        cache.document(f"{{ a{i}: viewer {{ isOperator }} }}")
    assert len(cache.entries) == 3
