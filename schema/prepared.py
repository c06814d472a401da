"""Parse and validate each distinct query text once.

Strawberry's ``QueryDepthLimiter`` and ``MaxAliasesLimiter`` build a new validation-rule
class per instance, and a factory makes a new instance per request, so the rule tuple in
``ValidationCache``'s key differs on every request and the cache never hits (measured:
validation was a quarter of the seat summary's CPU). Here the limit rules are built once
per schema, and one bounded LRU keyed by the query text holds the parsed document and its
validation errors together; hashing the text is cheaper than hashing the document tree.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator, Sequence
from typing import Any

from graphql import ASTValidationRule, DocumentNode, GraphQLError, parse
from strawberry.extensions import MaxAliasesLimiter, QueryDepthLimiter, SchemaExtension
from strawberry.schema.schema import validate_document


class DocumentCache:
    """A bounded LRU of query text -> (document, validation errors or None)."""

    def __init__(
        self,
        *,
        max_depth: int,
        max_aliases: int,
        max_tokens: int,
        extra_rules: Sequence[type[ASTValidationRule]] = (),
        maxsize: int = 512,
    ) -> None:
        self.rules: tuple[type[ASTValidationRule], ...] = (
            *QueryDepthLimiter(max_depth=max_depth).validation_rules,
            *MaxAliasesLimiter(max_alias_count=max_aliases).validation_rules,
            *extra_rules,
        )
        self.max_tokens = max_tokens
        self.maxsize = maxsize
        self.entries: OrderedDict[str, list[Any]] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def document(self, query: str) -> DocumentNode:
        entry = self.entries.get(query)
        if entry is not None:
            self.entries.move_to_end(query)
            self.hits += 1
            return entry[0]  # type: ignore[no-any-return]
        self.misses += 1
        document = parse(query, max_tokens=self.max_tokens)  # raises GraphQLError
        self.entries[query] = [document, None]
        if len(self.entries) > self.maxsize:
            self.entries.popitem(last=False)
        return document

    def errors(
        self,
        schema: Any,
        query: str,
        document: DocumentNode,
        rules: tuple[type[ASTValidationRule], ...],
    ) -> list[GraphQLError]:
        entry = self.entries.get(query)
        if entry is not None and entry[0] is document and entry[1] is not None:
            return entry[1]  # type: ignore[no-any-return]
        errors = validate_document(schema, document, (*rules, *self.rules))
        if entry is not None and entry[0] is document:
            entry[1] = errors
        return errors


class PreparedDocuments(SchemaExtension):
    """Serve parse and validation from a shared :class:`DocumentCache`."""

    def __init__(self, cache: DocumentCache) -> None:
        super().__init__()
        self.cache = cache

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        if context.graphql_document is None and context.query:
            try:
                context.graphql_document = self.cache.document(context.query)
            except GraphQLError:
                # leave it to Strawberry's own parse, which reports the error
                context.parse_options["max_tokens"] = self.cache.max_tokens
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if document is not None and context.query and context.pre_execution_errors is None:
            context.pre_execution_errors = self.cache.errors(
                context.schema._schema, context.query, document, context.validation_rules
            )
        yield
