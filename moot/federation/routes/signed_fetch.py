"""Signed fetches coming in (docs/decisions.md, "Signed fetch").

A signer on a blocked (or not allowed) instance is refused with 403. Where signatures are
required, a GET's Signature is verified with the key of its keyId's owner, fetched if
unknown, and one that does not verify is refused with 401; elsewhere it is checked only
against a key already stored (no call back to the asker while it waits). Unsigned GETs
are answered unless the operator requires signatures (MOOT_FEDERATION_REQUIRE_SIGNED_FETCH)
or the instance is private (and so does not federate: no signer passes either). The
instance actor and discovery are never guarded: a server that requires signatures must
itself be reachable by whoever checks its own signatures.
"""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from moot.actions.site import load_site
from moot.db.engine import retrying
from moot.errors import ApiError, ErrorCode
from moot.federation import signatures, urls
from moot.federation.protocol.parse import ParseError
from moot.federation.resolve import Context, store_actor
from moot.federation.runtime import Federation
from moot.federation.signers import request_target, stored_key, verified_signer


class Refused(ApiError):
    """An ApiError answered with 401 (not signed as required) or 403 (a blocked signer)."""

    def __init__(self, status: int, code: ErrorCode, message: str | None) -> None:
        super().__init__(code, message)
        self._status = status

    @property
    def status(self) -> int:
        return self._status


async def check_signed_fetch(
    connection: ASGIConnection[Any, Any, Any, Any], _handler: BaseRouteHandler
) -> None:
    fed: Federation = connection.app.state.moot.federation
    path, headers = request_target(connection)
    async with fed.db.connection() as conn:
        _, local = await load_site(conn)
    if "signature" not in headers:
        if local["private_instance"]:
            raise Refused(401, ErrorCode.INSTANCE_IS_PRIVATE, "only allowed instances may read")
        if fed.settings.federation_require_signed_fetch:
            raise Refused(401, ErrorCode.INVALID_SIGNATURE, "only signed fetches are answered")
        return
    try:
        signer = signatures.key_id_of(headers).split("#", 1)[0]
        domain = urls.domain(signer)
    except (signatures.SignatureError, ParseError) as exc:
        raise Refused(401, ErrorCode.INVALID_SIGNATURE, exc.reason) from exc
    # A private instance does not federate (the site refuses both at once), so the policy
    # refuses every signer there too.
    refusal = (await fed.policy.get()).refusal(domain)
    if refusal is not None:
        raise Refused(403, refusal, f"{domain} is not federated with")
    method = str(connection.scope.get("method", "GET"))
    if not fed.settings.federation_require_signed_fetch:
        await _check_against_stored_key(Context(fed), method, path, headers, signer)
        return
    try:
        shape, _ = await verified_signer(Context(fed), method, path, headers, b"", signer)
    except ApiError as exc:
        raise Refused(401, exc.code, exc.message) from exc
    if shape is not None:
        # Kept, so the next fetch by the same signer costs no fetch of ours.
        await retrying(fed.db, lambda tx: store_actor(tx, shape), what=f"storing {signer}")


async def _check_against_stored_key(
    ctx: Context, method: str, path: str, headers: dict[str, str], signer: str
) -> None:
    """Signatures not required: one is checked against the signer's key when it is already
    stored, and a signer not yet known is answered as an unsigned fetch is. Fetching its key
    here would call back the instance that is waiting for this answer, and two instances
    fetching from each other could each hold what the other's call back needs."""
    stored = await stored_key(ctx, signer)
    if stored is None:
        return
    try:
        signatures.verify(method, path, headers, b"", stored[0])
    except signatures.SignatureError as exc:
        raise Refused(401, ErrorCode.INVALID_SIGNATURE, exc.reason) from exc
