"""GET /resolve_object and GET /federated_instances."""

from __future__ import annotations

from typing import Any

from litestar import get

from moot.api.v3 import shapes, views
from moot.api.v3.context import AnyRequest, optional_viewer, state
from moot.api.v3.shapes import Json
from moot.auth import Viewer
from moot.db import queries
from moot.db.engine import Connection, Row
from moot.errors import ApiError, ErrorCode
from moot.federation import resolve
from moot.federation.fetch import FetchError
from moot.federation.inbox.ingest import object_by_url
from moot.federation.lag import KnownInstance, known_instances
from moot.federation.protocol.parse import ParseError
from moot.federation.resolve import Context


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


async def _by_name(ctx: Context, query: str, *, may_fetch: bool) -> tuple[str, Row]:
    """`!community@host`, `@person@host` or `name@host`, through WebFinger."""
    wanted = {"!": "community", "@": "person"}.get(query[:1])
    name, _, host = query.lstrip("!@").partition("@")
    if not name or not host:
        raise ApiError(ErrorCode.COULDNT_FIND_OBJECT, "write !community@host or @person@host")
    if host.lower() == ctx.fed.settings.hostname.lower():
        async with ctx.fed.db.connection() as conn:
            for kind, finder in (
                ("community", queries.community_by_name),
                ("person", queries.person_by_name),
            ):
                if wanted in (None, kind) and (row := await finder(conn, name)) is not None:
                    return kind, row
        raise ApiError(ErrorCode.COULDNT_FIND_OBJECT)
    if not may_fetch:
        async with ctx.fed.db.connection() as conn:
            for kind, finder in (
                ("community", queries.community_by_name),
                ("person", queries.person_by_name),
            ):
                if wanted in (None, kind) and (row := await finder(conn, query.lstrip("!@"))):
                    return kind, row
        raise ApiError(ErrorCode.NOT_LOGGED_IN, "log in to look up other servers")
    candidates = await resolve.webfinger(ctx, name, host)
    failure: Exception | None = None
    for url in candidates:
        try:
            kind, row = await resolve.actor(ctx, url)
        except (FetchError, ParseError, ApiError) as exc:
            failure = exc
            continue
        if wanted in (None, kind):
            return kind, row
    raise ApiError(ErrorCode.COULDNT_FIND_OBJECT, str(failure or "no such actor"))


async def _by_url(ctx: Context, url: str) -> tuple[str, Row]:
    async with ctx.fed.db.connection() as conn:
        found = await resolve.find_actor(conn, url)
    if found is not None and found[0] != "site":
        return found
    try:
        return await object_by_url(ctx, url)
    except ParseError:
        pass
    kind, row = await resolve.actor(ctx, url)
    if kind == "site":
        raise ApiError(ErrorCode.COULDNT_FIND_OBJECT, "an instance is not an object to show")
    return kind, row


def _is_local(ctx: Context, url: str) -> bool:
    try:
        return ctx.is_local(url)
    except ParseError:
        return False


@get("/resolve_object")
async def resolve_object(request: AnyRequest, q: str) -> Json:
    moot = state(request)
    assert moot.federation is not None
    ctx = Context(moot.federation)
    query = q.strip()
    async with moot.db.connection() as conn:
        viewer = await optional_viewer(conn, request)
    try:
        if query.startswith(("http://", "https://")):
            if viewer is None and not _is_local(ctx, query):
                raise ApiError(ErrorCode.NOT_LOGGED_IN, "log in to fetch from other servers")
            kind, row = await _by_url(ctx, query)
        else:
            kind, row = await _by_name(ctx, query, may_fetch=viewer is not None)
    except (FetchError, ParseError) as exc:
        raise ApiError(ErrorCode.COULDNT_FIND_OBJECT, exc.reason) from exc
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
