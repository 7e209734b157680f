"""POST to an inbox: verify, store, answer (reference §5). Processing happens later, in the
inbox worker, so a sender waits for one insert, not for our fetches and actions.

In order: Digest, then the JSON and the activity's own checks (domains, shapes), then the
allow and block lists, then the signature, made by the activity's actor (the key is fetched
if unknown, refetched once if it no longer verifies). What fails is refused with a 4xx and
leaves nothing behind.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import sqlalchemy as sa
from litestar import Request, Response, post

from moot.db import models as m
from moot.db.types import utcnow
from moot.errors import ApiError, ErrorCode
from moot.federation import signatures, urls
from moot.federation.checks import check_activity
from moot.federation.inbox import store
from moot.federation.protocol.parse import MAX_BODY, ParseError, decode, parse_activity
from moot.federation.resolve import Context, remember_instance, store_actor
from moot.federation.runtime import Federation
from moot.federation.signers import request_target, verified_signer

log = logging.getLogger("moot.federation")

INBOXES = ["/inbox", "/site_inbox", "/u/{name:str}/inbox", "/c/{name:str}/inbox"]
_alive: dict[str, float] = {}


def _refused(code: ErrorCode, reason: str) -> ApiError:
    return ApiError(code, reason)


@post(INBOXES, status_code=200)
async def inbox(request: Request[Any, Any, Any]) -> Response[bytes]:
    try:
        return await _receive(request)
    except ApiError as refused:
        # A security event as much as a federation one: forged or malformed activities, or
        # a blocked instance's (a duplicate is only a retry, and not worth a line).
        if refused.code is not ErrorCode.DUPLICATE_ACTIVITY:
            log.info("inbox %s refused an activity: %s", request.url.path, refused)
        raise


async def _receive(request: Request[Any, Any, Any]) -> Response[bytes]:
    fed: Federation = request.app.state.moot.federation
    if not request.headers.get("content-type", "").lower().startswith("application/"):
        raise _refused(ErrorCode.INVALID_ACTIVITY, "the body must be application/activity+json")
    body = await request.body()
    if len(body) > MAX_BODY:
        raise _refused(ErrorCode.ACTIVITY_TOO_LARGE, f"activities are at most {MAX_BODY} bytes")
    headers = {k.lower(): v for k, v in request.headers.items()}
    try:
        signatures.check_digest(headers, body)
        signatures.key_id_of(headers)
    except signatures.SignatureError as exc:
        raise _refused(ErrorCode.INVALID_SIGNATURE, exc.reason) from exc
    try:
        doc = decode(body)
        activity = parse_activity(doc)
        check_activity(activity, fed.rules)
    except ParseError as exc:
        raise _refused(ErrorCode.INVALID_ACTIVITY, exc.reason) from exc
    policy = await fed.policy.get()
    policy.check(activity.id)
    policy.check(activity.actor)
    ctx = Context(fed)
    path, _ = request_target(request)
    shape, kind = await verified_signer(ctx, "POST", path, headers, body, activity.actor)
    if request.url.path.startswith("/c/") and kind != "person":
        raise _refused(ErrorCode.INVALID_ACTIVITY, "a community inbox takes only persons")
    async with fed.db.transaction() as tx:
        if shape is not None:
            await store_actor(tx, shape)
        if not await store.insert(tx, activity.id, activity.actor, doc):
            raise _refused(ErrorCode.DUPLICATE_ACTIVITY, f"{activity.id} was received before")
        await _mark_alive(tx, urls.domain(activity.actor))
    fed.inbox_stored.set()
    if shape is not None:
        await remember_instance(ctx, activity.actor)
    return Response(b"", status_code=200)


async def _mark_alive(tx: Any, domain: str) -> None:
    """An instance that sends us activities is not dead (checked at most once a minute)."""
    if time.monotonic() - _alive.get(domain, -1e9) < 60:
        return
    _alive[domain] = time.monotonic()
    await tx.execute(
        sa.update(m.instance).where(m.instance.c.domain == domain).values(updated=utcnow())
    )
