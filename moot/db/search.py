"""Search: Lemmy's case-insensitive substring match over posts, comments and people, each
kept to what its listing would show the viewer (communities: moot/db/community_list.py).

A substring match cannot use a B-tree index: each search scans its table in the sort's order
and stops after the page. That is fine at a community's size; a full-text index (PostgreSQL
`pg_trgm`, SQLite FTS5) is what would replace it.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from moot.db import models as m
from moot.db.engine import Connection, Row
from moot.db.listings import blocked_instances, comment_order, not_by_blocked_instance
from moot.db.post_listing import PostFilter, list_posts
from moot.db.private import content_readable

p, cm, c, pe = m.post.c, m.comment.c, m.community.c, m.person.c


def like_pattern(q: str) -> str:
    """Lemmy's `fuzzy_search`: LIKE wildcards taken literally, and a space matches any run
    of characters, so `red fox` finds "red arctic fox"."""
    escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_").replace(" ", "%")
    return f"%{escaped}%"


def contains(column: sa.ColumnElement[str], q: str) -> sa.ColumnElement[bool]:
    """`column` holds `q` as Lemmy's search matches it (`like_pattern`)."""
    # ILIKE on PostgreSQL; lower(…) LIKE lower(…) on SQLite (whose LIKE folds ASCII only).
    return column.ilike(like_pattern(q), escape="\\")


async def search_posts(
    conn: Connection, f: PostFilter, q: str, *, title_only: bool, page: int, limit: int
) -> list[Row]:
    """Posts the listing `f` shows whose title (or body, unless `title_only`) contains `q`."""
    matching = contains(p.name, q)
    if not title_only:
        matching = sa.or_(matching, contains(p.body, q))
    # Not even their authors find deleted posts (a profile would show them their own).
    return await list_posts(conn, f, page, limit, matching=sa.and_(matching, ~p.deleted))


async def search_post_urls(
    conn: Connection, f: PostFilter, url: str, *, page: int, limit: int
) -> list[Row]:
    """Posts linking exactly `url` (Lemmy's Url search is an equality, not a substring)."""
    return await list_posts(conn, f, page, limit, matching=sa.and_(p.url == url, ~p.deleted))


@dataclass(frozen=True)
class Scope:
    """Who searches, and where: the filters communities and comments share with posts."""

    listing_type: str = "All"  # All, Local, Subscribed, ModeratorView
    viewer_id: int | None = None
    viewer_local_user_id: int | None = None
    show_nsfw: bool = False
    show_bots: bool = True


def _follows(person_id: int) -> sa.Select[tuple[int]]:
    t = m.community_follower
    return sa.select(t.c.community_id).where(t.c.person_id == person_id)


def _moderated(person_id: int) -> sa.Select[tuple[int]]:
    t = m.community_moderator
    return sa.select(t.c.community_id).where(t.c.person_id == person_id)


def _blocked_communities(person_id: int) -> sa.Select[tuple[int]]:
    t = m.community_block
    return sa.select(t.c.community_id).where(t.c.person_id == person_id)


def _community_scope(s: Scope) -> list[sa.ColumnElement[bool]]:
    """Which communities' content is in scope: the listing type, hidden communities only
    for their followers."""
    where: list[sa.ColumnElement[bool]] = []
    if s.listing_type == "Local":
        where.append(c.local)
    if s.viewer_id is None:
        return [*where, ~c.hidden]
    if s.listing_type == "Subscribed":
        where.append(c.id.in_(_follows(s.viewer_id)))
    elif s.listing_type == "ModeratorView":
        where.append(c.id.in_(_moderated(s.viewer_id)))
    where.append(sa.or_(~c.hidden, c.id.in_(_follows(s.viewer_id))))
    return where


async def search_comments(
    conn: Connection,
    s: Scope,
    q: str,
    *,
    sort: str,
    community_id: int | None,
    creator_id: int | None,
    page: int,
    limit: int,
) -> list[Row]:
    """Comments containing `q`, in the comment sort `sort`; none deleted or removed, none
    under a post or community the viewer could not list."""
    query = (
        sa.select(m.comment)
        .join(m.post, p.id == cm.post_id)
        .join(m.community, c.id == p.community_id)
        .where(
            contains(cm.content, q),
            ~cm.deleted,
            ~cm.removed,
            ~p.deleted,
            ~p.removed,
            ~c.deleted,
            ~c.removed,
            *_community_scope(s),
            content_readable(s.viewer_id),
        )
    )
    if not s.show_nsfw:
        query = query.where(~p.nsfw, ~c.nsfw)
    if not s.show_bots:
        query = query.join(m.person, pe.id == cm.creator_id).where(~pe.bot_account)
    if community_id is not None:
        query = query.where(p.community_id == community_id)
    if creator_id is not None:
        query = query.where(cm.creator_id == creator_id)
    me = s.viewer_id
    if me is not None and s.listing_type != "ModeratorView":
        blocks = m.person_block
        lang = m.local_user_language
        query = query.where(
            ~cm.creator_id.in_(sa.select(blocks.c.target_id).where(blocks.c.person_id == me)),
            ~p.community_id.in_(_blocked_communities(me)),
            ~c.instance_id.in_(blocked_instances(me)),
            not_by_blocked_instance(cm.creator_id, me),
            cm.language_id.in_(
                sa.select(lang.c.language_id).where(lang.c.local_user_id == s.viewer_local_user_id)
            ),
        )
    order = comment_order(sort)
    return await conn.fetch_all(query.order_by(*order).limit(limit).offset(limit * (page - 1)))


def person_sort_for(post_sort: str) -> str:
    """Lemmy's person sort for a post sort: New, Old, MostComments or CommentScore."""
    if post_sort in ("New", "NewComments"):
        return "New"
    if post_sort in ("Old", "MostComments"):
        return post_sort
    return "CommentScore"  # Active, Hot, Scaled, Controversial and every Top*


_PERSON_ORDER: dict[str, list[sa.UnaryExpression[object]]] = {
    "New": [pe.published.desc(), pe.id.desc()],
    "Old": [pe.published.asc(), pe.id.asc()],
    "MostComments": [pe.comment_count.desc(), pe.id.desc()],
    "CommentScore": [pe.comment_score.desc(), pe.id.desc()],
}


async def search_persons(
    conn: Connection, q: str, *, sort: str, listing_type: str, page: int, limit: int
) -> list[Row]:
    """People whose name or display name contains `q`; deleted accounts are not found."""
    query = sa.select(m.person).where(
        sa.or_(contains(pe.name, q), contains(pe.display_name, q)), ~pe.deleted
    )
    if listing_type == "Local":
        query = query.where(pe.local)
    query = query.order_by(*_PERSON_ORDER[person_sort_for(sort)])
    return await conn.fetch_all(query.limit(limit).offset(limit * (page - 1)))
