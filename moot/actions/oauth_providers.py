"""The OAuth providers members may sign in through (Lemmy 1.0's /oauth_provider): admins
add, edit and take them away. The client secret is written here and read only by the
sign-in (`oauth_sign_in`); no view of a provider carries it."""

from __future__ import annotations

from typing import Any, Final

import sqlalchemy as sa

from moot.actions.actor import Actor
from moot.actions.authority import require_admin
from moot.db import models as m
from moot.db.engine import Connection, Row
from moot.db.types import utcnow
from moot.db.upsert import insert_new
from moot.errors import ApiError, ErrorCode

URL_FIELDS: Final = ("issuer", "authorization_endpoint", "token_endpoint", "userinfo_endpoint")
TEXT_FIELDS: Final = ("display_name", "id_claim", "client_id", "client_secret", "scopes")
FLAGS: Final = ("auto_verify_email", "account_linking_enabled", "use_pkce", "enabled")
# What an edit may change (Lemmy 1.0's EditOAuthProvider: not the issuer, not the client id).
EDITABLE: Final = frozenset(
    {
        "display_name",
        "authorization_endpoint",
        "token_endpoint",
        "userinfo_endpoint",
        "id_claim",
        "client_secret",
        "scopes",
        *FLAGS,
    }
)


def _checked(fields: dict[str, Any]) -> dict[str, Any]:
    """The fields given, checked (each within its column's length; URLs http or https)."""
    for key in URL_FIELDS:
        if key in fields:
            value = str(fields[key]).strip()
            if not value.startswith(("https://", "http://")) or len(value) > 2000:
                raise ApiError(ErrorCode.INVALID_URL, f"{key} is not an http(s) URL")
            fields[key] = value
    limits = {"display_name": 200, "id_claim": 200, "client_id": 500, "scopes": 500}
    for key in TEXT_FIELDS:
        if key in fields:
            value = str(fields[key]).strip()
            if not value or len(value) > limits.get(key, 2000):
                raise ApiError(ErrorCode.INVALID_BODY_FIELD, f"{key} is empty or too long")
            fields[key] = value
    return fields


async def create(conn: Connection, actor: Actor, fields: dict[str, Any]) -> Row:
    """A new provider; the same issuer and client id twice is `oauth_provider_already_exists`
    (decided by the database's unique key, so two admins adding it at once get one)."""
    require_admin(actor)
    values = _checked({k: v for k, v in fields.items() if v is not None})
    values["published"] = utcnow()
    p = m.oauth_provider
    new_id = await insert_new(conn, p, ("issuer", "client_id"), values)
    if new_id is None:
        raise ApiError(ErrorCode.OAUTH_PROVIDER_ALREADY_EXISTS)
    return await get(conn, new_id)


async def edit(conn: Connection, actor: Actor, provider_id: int, fields: dict[str, Any]) -> Row:
    require_admin(actor)
    values = _checked({k: v for k, v in fields.items() if v is not None and k in EDITABLE})
    p = m.oauth_provider
    row = await conn.fetch_one(
        sa.update(p).where(p.c.id == provider_id).values(**values, updated=utcnow()).returning(p)
    )
    if row is None:  # never was, or deleted meanwhile
        raise ApiError(ErrorCode.NOT_FOUND)
    return row


async def delete(conn: Connection, actor: Actor, provider_id: int) -> None:
    """The provider and its links to accounts (the accounts stay: a member without a
    password may still set one through a password reset)."""
    require_admin(actor)
    p = m.oauth_provider
    gone = await conn.scalar(sa.delete(p).where(p.c.id == provider_id).returning(p.c.id))
    if gone is None:
        raise ApiError(ErrorCode.NOT_FOUND)


async def get(conn: Connection, provider_id: int) -> Row:
    p = m.oauth_provider
    row = await conn.fetch_one(sa.select(p).where(p.c.id == provider_id))
    if row is None:
        raise ApiError(ErrorCode.NOT_FOUND)
    return row


async def listed(conn: Connection, *, enabled_only: bool) -> list[Row]:
    """Every provider (for admins), or the enabled ones (the login screen's), by id."""
    p = m.oauth_provider
    query = sa.select(p).order_by(p.c.id)
    if enabled_only:
        query = query.where(p.c.enabled)
    return list(await conn.fetch_all(query))
