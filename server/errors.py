"""Masking of unexpected errors: the client gets a request id, the log gets the traceback.

Expected errors (domain refusals mapped to GraphQL errors with a code, validation and
parse errors) pass through unchanged.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

log = logging.getLogger("seatgraph.errors")


class MaskUnexpectedErrors(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is None or not result.errors:
            return
        request_id = getattr(self.execution_context.context, "request_id", "-")
        masked = []
        for error in result.errors:
            original = error.original_error
            if original is None or isinstance(original, GraphQLError):
                masked.append(error)
                continue
            log.error(
                "request %s: unexpected error at %s: %s",
                request_id,
                ".".join(map(str, error.path or [])),
                original,
                exc_info=(type(original), original, original.__traceback__),
            )
            masked.append(
                GraphQLError(
                    f"Internal server error. Quote request id {request_id} to support.",
                    nodes=error.nodes,
                    path=error.path,
                    extensions={"code": "INTERNAL_SERVER_ERROR", "requestId": request_id},
                )
            )
        result.errors = masked
