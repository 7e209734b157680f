"""Custom emoji: admins add, change and remove the site's `:shortcode:` images."""

from __future__ import annotations

import sqlalchemy as sa

from moot import validation
from moot.actions import site_state
from moot.actions.actor import Actor
from moot.actions.authority import require_admin
from moot.actions.site import load_site
from moot.db import models as m
from moot.db.engine import Connection
from moot.db.types import utcnow
from moot.errors import ApiError, ErrorCode
from moot.text.markdown import Emoji

SHORTCODE_MAX_LENGTH = 128


async def for_rendering(conn: Connection) -> dict[str, Emoji]:
    """The site's custom emoji as the Markdown renderer takes them (`:shortcode:` in a
    text becomes the picture, as lemmy-ui shows it), built once per state of the site."""
    state = await site_state.current(conn)
    kept: dict[str, Emoji] | None = state.shaped.get("emoji_for_rendering")
    if kept is None:
        kept = {
            str(e["shortcode"]): Emoji(str(e["shortcode"]), str(e["image_url"]), str(e["alt_text"]))
            for e in state.custom_emojis
        }
        state.shaped["emoji_for_rendering"] = kept
    return kept


def _keywords(keywords: list[str]) -> list[str]:
    cleaned = dict.fromkeys(k.strip().lower() for k in keywords)
    return [k[:SHORTCODE_MAX_LENGTH] for k in cleaned if k]


async def _set_keywords(conn: Connection, emoji_id: int, keywords: list[str]) -> None:
    t = m.custom_emoji_keyword
    await conn.execute(sa.delete(t).where(t.c.custom_emoji_id == emoji_id))
    for keyword in _keywords(keywords):
        await conn.execute(sa.insert(t).values(custom_emoji_id=emoji_id, keyword=keyword))


async def _exists(conn: Connection, emoji_id: int) -> None:
    t = m.custom_emoji
    if not await conn.scalar(sa.select(sa.func.count()).select_from(t).where(t.c.id == emoji_id)):
        raise ApiError(ErrorCode.COULDNT_FIND_OBJECT, "no custom emoji with this id")


async def create(
    conn: Connection,
    actor: Actor,
    shortcode: str,
    image_url: str,
    alt_text: str,
    category: str,
    keywords: list[str],
) -> int:
    require_admin(actor)
    code = shortcode.strip().lower()
    if (
        not code
        or len(code) > SHORTCODE_MAX_LENGTH
        or ":" in code
        or any(c.isspace() for c in code)
    ):
        raise ApiError(ErrorCode.INVALID_NAME, "a shortcode is 1 to 128 characters, no spaces")
    t = m.custom_emoji
    if await conn.scalar(sa.select(sa.func.count()).select_from(t).where(t.c.shortcode == code)):
        raise ApiError(ErrorCode.UNKNOWN, "a custom emoji with this shortcode exists")
    _, local = await load_site(conn)
    emoji_id = int(
        await conn.scalar(
            sa.insert(t)
            .values(
                local_site_id=local["id"],
                shortcode=code,
                image_url=validation.clean_url(image_url.strip()),
                alt_text=alt_text,
                category=category,
                published=utcnow(),
            )
            .returning(t.c.id)
        )
    )
    await _set_keywords(conn, emoji_id, keywords)
    site_state.invalidate(conn)
    return emoji_id


async def edit(
    conn: Connection,
    actor: Actor,
    emoji_id: int,
    image_url: str,
    alt_text: str,
    category: str,
    keywords: list[str],
) -> None:
    require_admin(actor)
    await _exists(conn, emoji_id)
    await conn.execute(
        sa.update(m.custom_emoji)
        .where(m.custom_emoji.c.id == emoji_id)
        .values(
            image_url=validation.clean_url(image_url.strip()),
            alt_text=alt_text,
            category=category,
            updated=utcnow(),
        )
    )
    await _set_keywords(conn, emoji_id, keywords)
    site_state.invalidate(conn)


async def delete(conn: Connection, actor: Actor, emoji_id: int) -> None:
    require_admin(actor)
    t = m.custom_emoji
    # Whether this statement deleted it says if it was there: two deletes at once both see
    # the row before either commits, and only one of them takes it away.
    if await conn.scalar(sa.delete(t).where(t.c.id == emoji_id).returning(t.c.id)) is None:
        raise ApiError(ErrorCode.COULDNT_FIND_OBJECT, "no custom emoji with this id")
    site_state.invalidate(conn)
