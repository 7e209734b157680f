"""What every front door (the API, the web pages, the federation routes) needs from a
request: the process state, the viewer, the client."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from typing import Any

from litestar import Request

from moot import auth
from moot.actions.site import check_private_instance
from moot.client_address import client_address, trusted_networks
from moot.db.engine import Connection
from moot.db.types import utcnow
from moot.errors import ApiError, ErrorCode
from moot.state import Moot

AnyRequest = Request[Any, Any, Any]


def state(request: AnyRequest) -> Moot:
    moot: Moot = request.app.state.moot
    return moot


def token_of(request: AnyRequest) -> str | None:
    """Lemmy 0.19 reads `Authorization: Bearer` first, then the `jwt` cookie. Read from the
    raw headers: Litestar's `request.headers` and `request.cookies` are built on first use,
    and an anonymous request (most of them) would build both to find neither."""
    authorization: bytes | None = None
    cookies = False
    for name, value in request.scope["headers"]:
        lowered = name.lower()
        if lowered == b"authorization" and authorization is None:
            authorization = value
        elif lowered == b"cookie":
            cookies = True
    header = authorization.decode("latin-1") if authorization is not None else ""
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return (request.cookies.get("jwt") or None) if cookies else None


def listing_connection(request: AnyRequest) -> AbstractAsyncContextManager[Connection]:
    """A connection for a listing that may be a few seconds stale when anonymous: the read
    replica's when there is one within its bound and the request carries no token (a
    logged-in reader must see their own writes), the primary's otherwise."""
    moot = state(request)
    if moot.replica is None or token_of(request) is not None:
        return moot.db.connection()
    return moot.replica.connection()


def client_ip(request: AnyRequest) -> str:
    """The client's address, believing X-Forwarded-For only from trusted proxies."""
    trusted = trusted_networks(state(request).settings.trusted_proxies)
    client = request.scope.get("client")
    peer = client[0] if client else None
    if not trusted:
        return client_address(peer, [], trusted)  # no header believed: not read
    forwarded = [
        value.decode("latin-1")
        for name, value in request.scope["headers"]
        if name.lower() == b"x-forwarded-for"
    ]
    return client_address(peer, forwarded, trusted)


def user_agent(request: AnyRequest) -> str | None:
    return request.headers.get("user-agent")


async def optional_viewer(
    conn: Connection, request: AnyRequest, *, open_to_all: bool = False
) -> auth.Viewer | None:
    """The logged-in viewer; a bad or revoked token reads as anonymous, as in Lemmy. On a
    private instance an anonymous reader is refused (`instance_is_private`), unless the
    route is `open_to_all`: the site itself, and what leads to logging in."""
    token = token_of(request)
    viewer = None if token is None else await auth.viewer_for_token(conn, token)
    if not open_to_all:
        await check_private_instance(conn, viewer)
    return viewer


async def required_viewer(conn: Connection, request: AnyRequest) -> auth.Viewer:
    """The viewer, who must be logged in and allowed to act (not banned, not deleted)."""
    viewer = await optional_viewer(conn, request, open_to_all=True)
    if viewer is None:
        raise ApiError(ErrorCode.INCORRECT_LOGIN)
    person = viewer.person
    if person["banned"] and (person["ban_expires"] is None or person["ban_expires"] > utcnow()):
        raise ApiError(ErrorCode.SITE_BAN)
    if person["deleted"]:
        raise ApiError(ErrorCode.DELETED)
    return viewer
