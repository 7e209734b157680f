"""GET /resolve_object and GET /federated_instances."""

from __future__ import annotations

from typing import Any

from litestar import get

from moot.api.v3 import shapes, views
from moot.api.v3.shapes import Json
from moot.auth import Viewer
from moot.db.engine import Connection, Row
from moot.errors import ApiError, ErrorCode
from moot.federation.lag import KnownInstance, known_instances
from moot.federation.lookup import look_up
from moot.request_context import AnyRequest, optional_viewer, state


async def _found(conn: Connection, kind: str, row: Row, viewer: Viewer | None) -> Json:
    if kind == "post":
        return {"post": (await views.post_views(conn, [row], viewer))[0]}
    if kind == "comment":
        return {"comment": (await views.comment_views(conn, [row], viewer))[0]}
    if kind == "community":
        return {"community": await views.community_view(conn, row, viewer)}
    if kind == "person":
        return {"person": (await views.person_views(conn, [row]))[0]}
    raise ApiError(ErrorCode.COULDNT_FIND_OBJECT)


@get("/resolve_object")
async def resolve_object(request: AnyRequest, q: str) -> Json:
    moot = state(request)
    assert moot.federation is not None
    async with moot.db.connection() as conn:
        viewer = await optional_viewer(conn, request)
    kind, row = await look_up(moot.federation, q, signed_in=viewer is not None)
    async with moot.db.connection() as conn:
        return await _found(conn, kind, row, viewer)


def _instance_views(instances: list[KnownInstance]) -> list[Json]:
    out = []
    for known in instances:
        view: dict[str, Any] = shapes.instance(known.row)
        queue = known.queue
        if queue is not None:
            view["federation_state"] = {
                "instance_id": queue.instance_id,
                "fail_count": queue.fail_count,
                "last_successful_id": queue.last_successful_id,
                **{
                    k: shapes.stamp(getattr(queue, k))
                    for k in ("last_successful_published_time", "last_retry", "next_retry")
                    if getattr(queue, k) is not None
                },
            }
        out.append(view)
    return out


@get("/federated_instances")
async def federated_instances(request: AnyRequest) -> Json:
    """Every instance moot knows, with its delivery state: how far behind it is, how often
    delivery failed, when the next attempt is."""
    moot = state(request)
    async with moot.db.connection() as conn:
        known = await known_instances(conn, moot.settings.hostname)
    return {
        "federated_instances": {
            "linked": _instance_views(known),
            "allowed": _instance_views([k for k in known if k.allowed]),
            "blocked": _instance_views([k for k in known if k.blocked]),
        }
    }


HANDLERS = [resolve_object, federated_instances]
