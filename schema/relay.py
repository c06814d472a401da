"""Relay building blocks: the Node interface, global IDs, cursors, connections."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar

import strawberry

from models import globalids
from models.globalids import decode_cursor, encode_cursor, from_global_id
from models.queries import Page

T = TypeVar("T")
__all__ = ["decode_cursor", "encode_cursor", "from_global_id", "to_global_id"]


@strawberry.interface
class Node:
    id: strawberry.ID


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[T]):
    cursor: str
    node: T


@strawberry.type
class Connection(Generic[T]):
    edges: list[Edge[T]]
    nodes: list[T]
    page_info: PageInfo
    count: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field
    async def total_count(self) -> int:
        """Counted only when asked for."""
        return await self.count()


def to_global_id(type_name: str, pk: int) -> strawberry.ID:
    return strawberry.ID(globalids.to_global_id(type_name, pk))


def from_page(page: Page[Any], build: Callable[[Any], T]) -> Connection[T]:
    """A Relay connection of ``build(row)`` for every row of a keyset page."""
    return connection(
        [build(r) for r in page.rows],
        page.positions,
        has_next=page.has_next,
        has_previous=page.has_previous,
        count=page.count,
    )


def connection(
    nodes: list[T],
    positions: list[int],
    *,
    has_next: bool,
    has_previous: bool,
    count: Callable[[], Awaitable[int]],
) -> Connection[T]:
    cursors = [encode_cursor(p) for p in positions]
    return Connection(
        edges=[Edge(cursor=c, node=n) for c, n in zip(cursors, nodes, strict=True)],
        nodes=nodes,
        page_info=PageInfo(
            has_next_page=has_next,
            has_previous_page=has_previous,
            start_cursor=cursors[0] if cursors else None,
            end_cursor=cursors[-1] if cursors else None,
        ),
        count=count,
    )
