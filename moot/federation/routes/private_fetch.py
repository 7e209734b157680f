"""Fetches of a private community's content (Lemmy 1.0): its posts, comments, outbox and
featured posts are given only to a signed fetch by an actor whose instance has an approved
follower of the community; anyone else is refused with 403, as Lemmy does. The signature
is verified with the signer's key, fetched if it is not stored yet: unlike a public
object's fetch, the answer depends on who asks."""

from __future__ import annotations

from moot.db import private
from moot.db.engine import Row
from moot.errors import ApiError, ErrorCode
from moot.federation import signatures, urls
from moot.federation.protocol.parse import ParseError
from moot.federation.resolve import Context
from moot.federation.routes.signed_fetch import Refused
from moot.federation.signers import request_target, verified_signer
from moot.request_context import AnyRequest, state


async def require_fetchable(connection: AnyRequest, community: Row) -> None:
    if community["visibility"] != private.PRIVATE:
        return
    moot = state(connection)
    fed = moot.federation
    path, headers = request_target(connection)
    if fed is None or "signature" not in headers:
        raise Refused(
            403, ErrorCode.NOT_FOUND, "a private community's content needs a signed fetch"
        )
    try:
        signer = signatures.key_id_of(headers).split("#", 1)[0]
        domain = urls.domain(signer)
    except (signatures.SignatureError, ParseError) as exc:
        raise Refused(401, ErrorCode.INVALID_SIGNATURE, exc.reason) from exc
    method = str(connection.scope.get("method", "GET"))
    try:
        await verified_signer(Context(fed), method, path, headers, b"", signer)
    except ApiError as exc:
        raise Refused(401, exc.code, exc.message) from exc
    async with moot.db.connection() as conn:
        if not await private.followed_from(conn, int(community["id"]), domain):
            raise Refused(403, ErrorCode.NOT_FOUND, f"no approved follower on {domain}")
