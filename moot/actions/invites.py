"""Invitations to register (Lemmy 1.0): a member makes a token (with, if they like, a
limit of uses and an end), lists and revokes theirs; while the site's registration mode is
RequireInvitation, registering needs a token that is still good, and each registration
uses it once.

A use is counted by one statement that also checks the token (`UPDATE … WHERE uses_count <
max_uses … RETURNING`): two registrations with the last use of a token at the same moment
cannot both have it, whatever else serialises them.
"""

from __future__ import annotations

import secrets
from datetime import datetime

import sqlalchemy as sa

from moot.auth import Viewer
from moot.db import models as m
from moot.db.engine import Connection, Row
from moot.db.types import utcnow
from moot.errors import ApiError, ErrorCode

# How many invitations still good a member may hold (the site's max_invites_per_user_allowed).
MAX_ACTIVE = 20
MAX_USES = 1000


def _good(now: datetime) -> list[sa.ColumnElement[bool]]:
    t = m.local_user_invite
    return [
        sa.or_(t.c.max_uses.is_(None), t.c.uses_count < t.c.max_uses),
        sa.or_(t.c.expires.is_(None), t.c.expires > now),
    ]


async def create(
    conn: Connection, viewer: Viewer, max_uses: int | None, expires: datetime | None
) -> Row:
    now = utcnow()
    if max_uses is not None and not 1 <= max_uses <= MAX_USES:
        raise ApiError(ErrorCode.INVALID_BODY_FIELD, f"max_uses is from 1 to {MAX_USES}")
    if expires is not None and expires <= now:
        raise ApiError(ErrorCode.INVALID_BODY_FIELD, "expires_at is in the past")
    t = m.local_user_invite
    # Locks the member's row: two invitations made at once are counted one after the other.
    await conn.execute(
        sa.update(m.local_user)
        .where(m.local_user.c.id == viewer.local_user_id)
        .values(id=m.local_user.c.id)
    )
    held = await conn.scalar(
        sa.select(sa.func.count())
        .select_from(t)
        .where(t.c.local_user_id == viewer.local_user_id, *_good(now))
    )
    if int(held) >= MAX_ACTIVE:
        raise ApiError(ErrorCode.TOO_MANY_INVITES)
    row = await conn.fetch_one(
        sa.insert(t)
        .values(
            local_user_id=viewer.local_user_id,
            token=secrets.token_urlsafe(24),
            max_uses=max_uses,
            expires=expires,
            published=now,
        )
        .returning(*t.c)
    )
    assert row is not None
    return row


async def list_mine(conn: Connection, viewer: Viewer, offset: int, limit: int) -> list[Row]:
    """The member's invitations, newest first, used up and ended ones too."""
    t = m.local_user_invite
    return await conn.fetch_all(
        sa.select(t)
        .where(t.c.local_user_id == viewer.local_user_id)
        .order_by(t.c.published.desc(), t.c.id.desc())
        .limit(limit)
        .offset(offset)
    )


async def revoke(conn: Connection, viewer: Viewer, token: str) -> None:
    """Only its maker revokes an invitation; an unknown (or already revoked) token is refused."""
    t = m.local_user_invite
    gone = await conn.fetch_all(
        sa.delete(t)
        .where(t.c.token == token, t.c.local_user_id == viewer.local_user_id)
        .returning(t.c.id)
    )
    if not gone:
        raise ApiError(ErrorCode.INVALID_INVITE_TOKEN)


async def check(conn: Connection, token: str | None) -> None:
    """A registration's token is given and still good (read only: `use` counts it)."""
    if not token:
        raise ApiError(ErrorCode.MISSING_INVITE_TOKEN)
    t = m.local_user_invite
    found = await conn.scalar(sa.select(t.c.id).where(t.c.token == token, *_good(utcnow())))
    if found is None:
        raise ApiError(ErrorCode.INVALID_INVITE_TOKEN)


async def use(conn: Connection, token: str) -> None:
    """Count one use of the token, if it is still good; refused otherwise."""
    t = m.local_user_invite
    used = await conn.fetch_all(
        sa.update(t)
        .where(t.c.token == token, *_good(utcnow()))
        .values(uses_count=t.c.uses_count + 1)
        .returning(t.c.id)
    )
    if not used:
        raise ApiError(ErrorCode.INVALID_INVITE_TOKEN)
