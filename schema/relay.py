"""Relay building blocks: the Node interface, global IDs, cursors, connections."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

import strawberry

T = TypeVar("T")


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


def _b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _unb64(value: str) -> str | None:
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None


def to_global_id(type_name: str, pk: int) -> strawberry.ID:
    return strawberry.ID(_b64(f"{type_name}:{pk}"))


def from_global_id(global_id: str) -> tuple[str, int] | None:
    decoded = _unb64(global_id)
    if decoded is None or ":" not in decoded:
        return None
    type_name, _, raw = decoded.partition(":")
    if not raw.isdigit():
        return None
    return type_name, int(raw)


def encode_cursor(position: int) -> str:
    return _b64(f"c:{position}")


def decode_cursor(cursor: str) -> int | None:
    decoded = _unb64(cursor)
    if decoded is None or not decoded.startswith("c:") or not decoded[2:].isdigit():
        return None
    return int(decoded[2:])


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
