"""The opaque global IDs and cursors of the API (base64url of "Type:pk" / "c:position").

Pure functions, shared by the GraphQL layer and the outbound channels."""

from __future__ import annotations

import base64
import binascii


def _b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _unb64(value: str) -> str | None:
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None


def to_global_id(type_name: str, pk: int) -> str:
    return _b64(f"{type_name}:{pk}")


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
