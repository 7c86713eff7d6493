"""Opaque keyset cursors: the last row's sort value and id, bound to the query that produced them."""

from __future__ import annotations

import base64
import json
from datetime import datetime
from typing import Any
from uuid import UUID

from functions.shared.rest import ApiError


def encode(value: Any, row_id: UUID, bound_to: dict[str, Any]) -> str:
    kind = "t" if isinstance(value, datetime) else "v"
    raw = {"k": kind, "v": value.isoformat() if kind == "t" else value, "id": str(row_id), "q": bound_to}
    return base64.urlsafe_b64encode(json.dumps(raw, separators=(",", ":")).encode()).decode().rstrip("=")


def decode(cursor: str, bound_to: dict[str, Any]) -> tuple[Any, UUID]:
    """(sort value, id) of a cursor; 422 when it is malformed or belongs to another query."""
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if raw["q"] != bound_to:
            raise ValueError("cursor of another query")
        value = datetime.fromisoformat(raw["v"]) if raw["k"] == "t" and raw["v"] is not None else raw["v"]
        return value, UUID(raw["id"])
    except (ValueError, KeyError, TypeError) as e:
        raise ApiError(422, "invalid query", [{"loc": ["query", "cursor"], "msg": str(e)}]) from None
