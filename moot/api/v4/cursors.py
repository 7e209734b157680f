"""API v4's cursors for lists read by offset (communities): opaque to clients, refused
clearly when they are not one of ours."""

from __future__ import annotations

from typing import Any

from moot.db.listings import PAGE_MAX
from moot.errors import ApiError, ErrorCode

_PREFIX = "O"


def after_offset(offset: int) -> str:
    return f"{_PREFIX}{offset:x}"


def offset_of(cursor: str | None) -> int:
    """The offset a cursor stands for (0 without one)."""
    if cursor is None:
        return 0
    try:
        if not cursor.startswith(_PREFIX) or len(cursor) > 9:
            raise ValueError(cursor)
        offset = int(cursor[1:], 16)
    except ValueError:
        raise ApiError(ErrorCode.UNKNOWN, "Could not parse pagination token") from None
    if not 0 <= offset <= PAGE_MAX * 50:
        raise ApiError(ErrorCode.UNKNOWN, "Could not parse pagination token")
    return offset


def page_of(items: list[Any], offset: int, size: int) -> dict[str, Any]:
    """PagedResponse of one page read by offset: `items`, the cursor to the next page
    when this one is full, and to the previous one when this is not the first."""
    out: dict[str, Any] = {"items": items}
    if len(items) == size:
        out["next_page"] = after_offset(offset + size)
    if offset:
        out["prev_page"] = after_offset(max(0, offset - size))
    return out
