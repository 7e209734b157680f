"""Responses as Lemmy gives them: activity+json bodies, 410 Tombstones, JSON errors."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Response

from moot.federation.compose import Json, document
from moot.federation.protocol.common import ACTIVITY_JSON


def activity_json(
    body: Json, status: int = 200, headers: dict[str, str] | None = None
) -> Response[bytes]:
    return Response(
        msgspec.json.encode(document(body)),
        status_code=status,
        media_type=ACTIVITY_JSON,
        headers=headers,
    )


def gone(ap_id: str) -> Response[bytes]:
    """What was deleted or removed is a 410 with a Tombstone body."""
    return activity_json({"id": ap_id, "type": "Tombstone"}, status=410)


def redirect(url: str) -> Response[Any]:
    """A remote object asked for at its local URL: its home is elsewhere."""
    return Response(b"", status_code=308, headers={"Location": url})
