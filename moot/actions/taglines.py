"""The site's taglines one at a time (API v4's /admin/tagline): added, edited and taken
away by admins. EditSite's `taglines` (v3) replaces the whole list in `site.edit_site`;
both take the site's lock, so a list replaced and a tagline edited at once take turns."""

from __future__ import annotations

import sqlalchemy as sa

from moot import validation
from moot.actions import site_state
from moot.actions.actor import Actor
from moot.actions.authority import require_admin
from moot.actions.locks import lock_site
from moot.actions.site import load_site
from moot.db import models as m
from moot.db.engine import Connection, Row
from moot.db.types import utcnow
from moot.errors import ApiError, ErrorCode


async def _checked(conn: Connection, actor: Actor, content: str) -> Row:
    """The admin's text, checked as a sidebar is (under the site's lock, which this takes);
    the local site's row."""
    require_admin(actor)
    await lock_site(conn)
    site_state.invalidate(conn)
    _, local = await load_site(conn)
    if not content.strip():
        raise ApiError(ErrorCode.INVALID_BODY_FIELD, "a tagline says something")
    validation.check_body(content)
    validation.check_slurs(content, validation.compile_slur_filter(local["slur_filter_regex"]))
    return local


async def create(conn: Connection, actor: Actor, content: str) -> Row:
    local = await _checked(conn, actor, content)
    t = m.tagline
    row = await conn.fetch_one(
        sa.insert(t)
        .values(local_site_id=local["id"], content=content, published=utcnow())
        .returning(t)
    )
    if row is None:  # an INSERT … RETURNING answers its row
        raise ApiError(ErrorCode.UNKNOWN, "the tagline was not stored")
    return row


async def edit(conn: Connection, actor: Actor, tagline_id: int, content: str) -> Row:
    await _checked(conn, actor, content)
    t = m.tagline
    row = await conn.fetch_one(
        sa.update(t)
        .where(t.c.id == tagline_id)
        .values(content=content, updated=utcnow())
        .returning(t)
    )
    if row is None:
        raise ApiError(ErrorCode.NOT_FOUND)
    return row


async def delete(conn: Connection, actor: Actor, tagline_id: int) -> None:
    require_admin(actor)
    await lock_site(conn)
    site_state.invalidate(conn)
    t = m.tagline
    if await conn.scalar(sa.delete(t).where(t.c.id == tagline_id).returning(t.c.id)) is None:
        raise ApiError(ErrorCode.NOT_FOUND)
