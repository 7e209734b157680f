"""GET /resolve_object and GET /federated_instances."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from litestar import get

from moot.api.v3 import shapes, views
from moot.api.v3.context import AnyRequest, optional_viewer, state
from moot.api.v3.shapes import Json
from moot.auth import Viewer
from moot.db import models as m
from moot.db.engine import Connection, Row
from moot.errors import ApiError, ErrorCode
from moot.federation.lookup import look_up


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


async def _instance_views(conn: Connection, rows: list[Row]) -> list[Json]:
    q = m.federation_queue_state
    states = {
        int(r["instance_id"]): r
        for r in await conn.fetch_all(
            sa.select(q).where(q.c.instance_id.in_([int(r["id"]) for r in rows]))
        )
    }
    out = []
    for row in rows:
        view: dict[str, Any] = shapes.instance(row)
        found = states.get(int(row["id"]))
        if found is not None:
            view["federation_state"] = {
                "instance_id": int(row["id"]),
                "fail_count": int(found["fail_count"]),
                **{
                    k: shapes.stamp(found[k]) if k != "last_successful_id" else found[k]
                    for k in (
                        "last_successful_id",
                        "last_successful_published_time",
                        "last_retry",
                        "next_retry",
                    )
                    if found[k] is not None
                },
            }
        out.append(view)
    return out


@get("/federated_instances")
async def federated_instances(request: AnyRequest) -> Json:
    """Every instance moot knows, with its delivery state: how far behind it is, how often
    delivery failed, when the next attempt is."""
    moot = state(request)
    local = moot.settings.hostname.lower()
    async with moot.db.connection() as conn:
        known = await conn.fetch_all(
            sa.select(m.instance).where(m.instance.c.domain != local).order_by(m.instance.c.id)
        )

        async def listed(table: sa.Table) -> list[Row]:
            ids = {int(r["instance_id"]) for r in await conn.fetch_all(sa.select(table))}
            return [r for r in known if int(r["id"]) in ids]

        return {
            "federated_instances": {
                "linked": await _instance_views(conn, known),
                "allowed": await _instance_views(conn, await listed(m.federation_allowlist)),
                "blocked": await _instance_views(conn, await listed(m.federation_blocklist)),
            }
        }


HANDLERS = [resolve_object, federated_instances]
