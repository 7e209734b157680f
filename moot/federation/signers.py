"""Who signed a request: the signer's key from the database, or fetched from its home, and
fetched once more when the kept key no longer verifies (it may have been rotated).

Used by the inbox (the signer is the activity's actor, reference §5) and by signed fetches
(the signer is the owner of the Signature's keyId).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from litestar.connection import ASGIConnection

from moot.errors import ApiError, ErrorCode
from moot.federation import signatures
from moot.federation.fetch import FetchError
from moot.federation.protocol.actors import Person
from moot.federation.protocol.parse import ParseError
from moot.federation.resolve import ActorShape, Context, fetch_actor, find_actor


def request_target(connection: ASGIConnection[Any, Any, Any, Any]) -> tuple[str, dict[str, str]]:
    """(path and query as the client sent them, headers with lower-case names).

    Content negotiation moves ActivityPub GETs under a prefix; it keeps the path it was
    sent in the scope for this."""
    scope = connection.scope
    raw: bytes = scope.get("moot.raw_path") or scope.get("raw_path") or b""  # type: ignore[assignment]
    path = raw.decode("latin-1") or connection.url.path
    if connection.url.query:
        path += f"?{connection.url.query}"
    return path, {k.lower(): v for k, v in connection.headers.items()}


async def stored_key(ctx: Context, actor: str) -> tuple[str, str] | None:
    """(public key PEM, the actor's kind) of an actor already stored, without a fetch."""
    async with ctx.fed.db.connection() as conn:
        found = await find_actor(conn, actor)
    if found is not None and found[1].get("public_key"):
        return str(found[1]["public_key"]), found[0]
    return None


async def _key(ctx: Context, actor: str, *, fresh: bool) -> tuple[str, ActorShape | None, str]:
    """(public key PEM, the actor's JSON if fetched now, the actor's kind)."""
    if not fresh and (stored := await stored_key(ctx, actor)) is not None:
        return stored[0], None, stored[1]
    try:
        shape = await fetch_actor(ctx, actor)
    except (FetchError, ParseError) as exc:
        raise ApiError(ErrorCode.COULDNT_FETCH_ACTOR, getattr(exc, "reason", str(exc))) from exc
    kind = "person" if isinstance(shape, Person) else type(shape).__name__.lower()
    return shape.public_key.public_key_pem, shape, kind


async def verified_signer(
    ctx: Context,
    method: str,
    path: str,
    headers: Mapping[str, str],
    body: bytes,
    actor: str,
) -> tuple[ActorShape | None, str]:
    """(the actor's JSON if it was fetched now, its kind), once `actor`'s key verifies the
    request; ApiError `invalid_signature` otherwise."""
    pem, shape, kind = await _key(ctx, actor, fresh=False)
    try:
        signatures.verify(method, path, headers, body, pem)
        return shape, kind
    except signatures.SignatureError as first:
        if shape is not None:
            raise ApiError(ErrorCode.INVALID_SIGNATURE, first.reason) from first
    pem, shape, kind = await _key(ctx, actor, fresh=True)
    try:
        signatures.verify(method, path, headers, body, pem)
    except signatures.SignatureError as exc:
        raise ApiError(ErrorCode.INVALID_SIGNATURE, exc.reason) from exc
    return shape, kind
