"""Cursor pagination for every list of the API: ``limit`` items and an opaque ``next_cursor``.

A cursor is the sort key of the last item sent (keyset pagination), base64 of a small JSON list: pages
stay stable while rows are added, and reading page 1,000 costs what page 1 does.
"""

from __future__ import annotations

import base64
import binascii
import json

from api.errors import ApiError

DEFAULT_LIMIT = 100
MAX_LIMIT = 500


def cursor_encode(*parts) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(parts), separators=(",", ":")).encode()).decode().rstrip("=")


def cursor_decode(cursor: str, kinds: tuple[type, ...]) -> list:
    """The parts of a cursor, each of the given type; ApiError("invalid_cursor") for anything else."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        parts = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise ApiError("invalid_cursor") from None
    if (not isinstance(parts, list) or len(parts) != len(kinds)
            or not all(isinstance(p, k) and not isinstance(p, bool) for p, k in zip(parts, kinds, strict=True))):
        raise ApiError("invalid_cursor")
    return parts


def page_by_id(queryset, *, cursor: str | None, limit: int):
    """(rows, next cursor) of a queryset in primary-key order."""
    if cursor:
        (last,) = cursor_decode(cursor, (int,))
        queryset = queryset.filter(pk__gt=last)
    rows = list(queryset.order_by("pk")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (cursor_encode(rows[-1].pk) if more else None)


def page_of_list(rows: list, *, cursor: str | None, limit: int):
    """(rows, next cursor) of a list already computed (the national results): the cursor is an offset."""
    start = cursor_decode(cursor, (int,))[0] if cursor else 0
    if start < 0:
        raise ApiError("invalid_cursor")
    end = start + limit
    return rows[start:end], (cursor_encode(end) if end < len(rows) else None)
