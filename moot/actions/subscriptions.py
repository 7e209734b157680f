"""Lemmy 1.0's notification settings: a member's choice, per post and per community, of
what they hear of it, and the notices a new post writes for its community's subscribers
(a new comment's are written with its other notices: moot/actions/notifications.py).

A post's modes: 'all_comments' (a notice for every new comment), 'replies_and_mentions'
(the default: only what names the member) or 'mute' (not even that). A community's:
'all_posts_and_comments', 'all_posts', 'replies_and_mentions' or 'mute'. One row per
member and post (community), written as an upsert on the pair, so settings sent at the
same moment land on one row and the last one written wins.
"""

from __future__ import annotations

from typing import Literal, get_args

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from moot.actions.actor import Actor
from moot.actions.lookups import get_community, get_post
from moot.actions.notifications import blocks_community
from moot.db import models as m
from moot.db.engine import Connection, Row
from moot.db.private import content_readable
from moot.db.types import UtcDateTime, utcnow

PostMode = Literal["all_comments", "replies_and_mentions", "mute"]
CommunityMode = Literal["all_posts_and_comments", "all_posts", "replies_and_mentions", "mute"]
POST_MODES: tuple[str, ...] = get_args(PostMode)
COMMUNITY_MODES: tuple[str, ...] = get_args(CommunityMode)


async def set_post_mode(conn: Connection, viewer: Actor, post_id: int, mode: PostMode) -> None:
    await get_post(conn, post_id)
    await _upsert(conn, m.post_notify, "post_id", viewer.person_id, post_id, mode)


async def set_community_mode(
    conn: Connection, viewer: Actor, community_id: int, mode: CommunityMode
) -> None:
    await get_community(conn, community_id)
    await _upsert(conn, m.community_notify, "community_id", viewer.person_id, community_id, mode)


async def _upsert(
    conn: Connection, table: sa.Table, key: str, person_id: int, target_id: int, mode: str
) -> None:
    stmt = insert(table).values(
        {"person_id": person_id, key: target_id, "mode": mode, "published": utcnow()}
    )
    await conn.execute(
        stmt.on_conflict_do_update(
            index_elements=[table.c.person_id, table.c[key]],
            set_={"mode": stmt.excluded.mode, "published": stmt.excluded.published},
        )
    )


async def post_mode(conn: Connection, person_id: int, post_id: int) -> str | None:
    t = m.post_notify
    found = await conn.scalar(
        sa.select(t.c.mode).where(t.c.person_id == person_id, t.c.post_id == post_id)
    )
    return None if found is None else str(found)


async def community_mode(conn: Connection, person_id: int, community_id: int) -> str | None:
    t = m.community_notify
    found = await conn.scalar(
        sa.select(t.c.mode).where(t.c.person_id == person_id, t.c.community_id == community_id)
    )
    return None if found is None else str(found)


async def post_created(conn: Connection, post: Row) -> None:
    """A notice of the new post to each member who follows its community's posts: one
    statement that chooses them as it writes (members with an account here who may read
    the community, not the author, not blocking the author, the community or its
    instance)."""
    cn, lu, pb = m.community_notify, m.local_user, m.person_block
    author, community_id = int(post["creator_id"]), int(post["community_id"])
    chosen = sa.select(
        cn.c.person_id, sa.literal(int(post["id"])), sa.literal(utcnow(), UtcDateTime())
    ).where(
        cn.c.community_id == community_id,
        cn.c.mode.in_(["all_posts", "all_posts_and_comments"]),
        cn.c.person_id != author,
        sa.exists().where(lu.c.person_id == cn.c.person_id),
        ~sa.exists().where(pb.c.person_id == cn.c.person_id, pb.c.target_id == author),
        ~blocks_community(cn.c.person_id, sa.literal(community_id)),
        # A private community's posts reach only those who may read them.
        sa.exists().where(m.community.c.id == community_id, content_readable(cn.c.person_id)),
    )
    t = m.post_subscribed
    await conn.execute(
        insert(t)
        .from_select(["recipient_id", "post_id", "published"], chosen)
        .on_conflict_do_nothing(index_elements=[t.c.recipient_id, t.c.post_id])
    )
