"""Who hears of a comment: the local people it mentions as `@name@host`, and the author it
answers (as a reply, unless they were mentioned already, or block the community or its
instance); and marking those notices read.

Comments arrive here the same way whether written on this instance or received from
another, so a remote comment that mentions a local person notifies them too.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from moot.actions.actor import Actor
from moot.db import models as m
from moot.db.engine import Connection, Row
from moot.db.mentions import mentioned_persons
from moot.db.paths import ancestor_ids
from moot.db.prepared import Prepared
from moot.db.private import content_readable
from moot.db.types import UtcDateTime, utcnow
from moot.errors import ApiError, ErrorCode


async def comment_saved(
    conn: Connection,
    comment: Row,
    post: Row,
    *,
    is_new: bool,
    mentioned: list[Row] | None = None,
    parent: Row | None = None,
) -> None:
    """Notices for a new or edited comment; an edit notifies only those newly mentioned.
    `mentioned` (`mentioned_persons` of its text) and `parent` (the comment it answers),
    when the caller has them already. Each kind of notice is judged as it is written
    (`_chosen`), and a new comment writes all its kinds in one statement: its mentions, its
    reply and its subscribers' notices (a CTE on PostgreSQL, a view on SQLite). Whoever a
    mention or the reply names hears of it that way only, not also as a subscriber."""
    author = int(comment["creator_id"])
    if mentioned is None:
        mentioned = await mentioned_persons(conn, str(comment["content"]))
    named = {int(p["id"]) for p in mentioned} - {author}
    mentions = _chosen(m.person_mention, named, author, comment, post)
    if not is_new:
        if mentions is not None:
            await conn.execute(_insert(m.person_mention, mentions))
        return
    # Whom the comment answers, who may hear of it (not the author).
    parents = ancestor_ids(comment["path"])
    if parents and parent is None:
        parent = await conn.fetch_one(sa.select(m.comment).where(m.comment.c.id == parents[-1]))
    replied: int | None
    if parents:
        replied = int(parent["creator_id"]) if parent is not None else None
    else:
        replied = int(post["creator_id"])
    if replied == author:
        replied = None
    if mentions is None:
        params = {
            "recipient": replied if replied is not None else author,
            "author": author,
            "comment_id": int(comment["id"]),
            "post_id": int(post["id"]),
            "published": utcnow(),
            "community_id": int(post["community_id"]),
        }
        await conn.run(_SUBSCRIBED if replied is None else _REPLY, params)
        return
    reply = _chosen(
        m.comment_reply, {replied} if replied is not None else set(), author, comment, post
    )
    subscribed = _judged(
        m.comment_subscribed,
        _subscriber(sa.literal(int(post["id"])), sa.literal(int(post["community_id"])))
        & m.person.c.id.not_in(sorted(named | {author, replied or author})),
        sa.literal(author),
        sa.literal(int(comment["id"])),
        sa.literal(int(post["id"])),
        sa.literal(utcnow(), UtcDateTime()),
        sa.literal(int(post["community_id"])),
    )
    await _all_at_once(conn, mentions, reply, subscribed)


async def _all_at_once(
    conn: Connection,
    mentions: sa.Select[Any],
    reply: sa.Select[Any] | None,
    subscribed: sa.Select[Any],
) -> None:
    """A new comment's mentions, its reply notice and its subscribers' notices, in one
    statement; the reply passes over whoever a mention told already."""
    if conn.dialect_name == "postgresql":
        # Data-modifying CTEs; the reply's reads the mentions' RETURNING.
        told = _insert(m.person_mention, mentions).cte("told")
        ctes = [told]
        if reply is not None:
            chosen = reply.where(m.person.c.id.not_in(sa.select(told.c.recipient_id)))
            ctes.append(_insert(m.comment_reply, chosen).cte("replied"))
        await conn.execute(_insert(m.comment_subscribed, subscribed).add_cte(*ctes))
        return
    # SQLite: every kind goes into the view whose trigger puts each row in its table
    # (migrations 0014, 0021). The comment is new, so whom the mentions choose is whom
    # they tell: the reply passes over them.
    parts = [mentions.add_columns(sa.literal("mention"))]
    if reply is not None:
        chosen = reply.where(m.person.c.id.not_in(sa.select(mentions.subquery().c.id)))
        parts.append(chosen.add_columns(sa.literal("reply")))
    parts.append(subscribed.add_columns(sa.literal("subscribed")))
    await conn.execute(
        sa.insert(_NOTICE).from_select(
            ["recipient_id", "comment_id", "published", "kind"], sa.union_all(*parts)
        )
    )


# SQLite's view that writes any kind of notice (migrations 0014, 0021); never read.
_NOTICE = sa.table(
    "comment_notice",
    sa.column("kind"),
    sa.column("recipient_id"),
    sa.column("comment_id"),
    sa.column("published"),
)


def _chosen(
    table: sa.Table, recipients: set[int], author: int, comment: Row, post: Row
) -> sa.Select[Any] | None:
    """The notices of `table` (one per recipient and comment, however often the comment is
    saved) to those `recipients` who may have it: only people with an account here, never
    from someone they block, nor from a post or community they muted, and (a reply) not in
    a community they block, or on an instance they block (Lemmy 0.19 goes by the
    community's instance, as listings do, not the author's); None for no recipients.
    Judged and written in one statement (`_insert`), which returns whom it notified (for
    the first time)."""
    if not recipients:
        return None
    return _judged(
        table,
        m.person.c.id.in_(sorted(recipients)),
        sa.literal(author),
        sa.literal(int(comment["id"])),
        sa.literal(int(post["id"])),
        sa.literal(utcnow(), UtcDateTime()),
        sa.literal(int(post["community_id"])),
    )


def _judged(
    table: sa.Table,
    recipients: sa.ColumnElement[bool],
    author: sa.ColumnElement[Any],
    comment_id: sa.ColumnElement[Any],
    post_id: sa.ColumnElement[Any],
    published: sa.ColumnElement[Any],
    community_id: sa.ColumnElement[Any],
) -> sa.Select[Any]:
    """`_chosen`, its values given as expressions (literals, or a `Prepared`'s parameters)."""
    p, lu, pb = m.person, m.local_user, m.person_block
    judged = [
        recipients,
        sa.exists().where(lu.c.person_id == p.c.id),
        ~sa.exists().where(pb.c.person_id == p.c.id, pb.c.target_id == author),
        ~muted(p.c.id, post_id, community_id),
    ]
    if table is not m.person_mention:
        judged.append(~blocks_community(p.c.id, community_id))
    # A private community's comments reach only those who may read them (moot/db/private.py).
    c = m.community
    judged.append(sa.exists().where(c.c.id == community_id, content_readable(p.c.id)))
    return sa.select(p.c.id, comment_id, published).where(*judged)


def muted(
    person_id: sa.ColumnElement[Any],
    post_id: sa.ColumnElement[Any],
    community_id: sa.ColumnElement[Any],
) -> sa.ColumnElement[bool]:
    """The person set the post, or its community, to 'mute' (moot/actions/subscriptions.py)."""
    pn, cn = m.post_notify, m.community_notify
    return sa.or_(
        sa.exists().where(
            pn.c.person_id == person_id, pn.c.post_id == post_id, pn.c.mode == "mute"
        ),
        sa.exists().where(
            cn.c.person_id == person_id, cn.c.community_id == community_id, cn.c.mode == "mute"
        ),
    )


def _subscriber(
    post_id: sa.ColumnElement[Any], community_id: sa.ColumnElement[Any]
) -> sa.ColumnElement[bool]:
    """The person asked to hear of every comment on the post, or in its community."""
    pn, cn = m.post_notify, m.community_notify
    return m.person.c.id.in_(
        sa.union(
            sa.select(pn.c.person_id).where(pn.c.post_id == post_id, pn.c.mode == "all_comments"),
            sa.select(cn.c.person_id).where(
                cn.c.community_id == community_id, cn.c.mode == "all_posts_and_comments"
            ),
        )
    )


def _params() -> dict[str, sa.ColumnElement[Any]]:
    return {
        "author": sa.bindparam("author", type_=sa.Integer),
        "comment_id": sa.bindparam("comment_id", type_=sa.Integer),
        "post_id": sa.bindparam("post_id", type_=sa.Integer),
        "published": sa.bindparam("published", type_=UtcDateTime()),
        "community_id": sa.bindparam("community_id", type_=sa.Integer),
    }


def _subscribers_of(p: dict[str, sa.ColumnElement[Any]]) -> sa.Select[Any]:
    """A new comment's subscribers' notices, but none to `recipient` (whom it answers) or
    its author."""
    recipient = sa.bindparam("recipient", type_=sa.Integer)
    return _judged(
        m.comment_subscribed,
        _subscriber(p["post_id"], p["community_id"])
        & (m.person.c.id != recipient)
        & (m.person.c.id != p["author"]),
        **p,
    )


def _subscribed_statement(dialect: str, variant: None) -> sa.Insert:
    """The subscribers' notices of a new comment that mentions nobody and answers nobody
    but its author (`comment_saved`), built once; `recipient` is the author."""
    return _insert(m.comment_subscribed, _subscribers_of(_params()))


def _reply_statement(dialect: str, variant: None) -> sa.Insert:
    """The one reply notice of a comment that mentions nobody, and its subscribers'
    notices (`comment_saved`), in one statement built once: recipient, author,
    comment_id, post_id, published and community_id are parameters."""
    p = _params()
    recipient = sa.bindparam("recipient", type_=sa.Integer)
    reply = _judged(m.comment_reply, m.person.c.id == recipient, **p)
    subscribed = _subscribers_of(p)
    if dialect == "postgresql":
        replied = _insert(m.comment_reply, reply).cte("replied")
        return _insert(m.comment_subscribed, subscribed).add_cte(replied)
    both = sa.union_all(
        reply.add_columns(sa.literal("reply")), subscribed.add_columns(sa.literal("subscribed"))
    )
    return sa.insert(_NOTICE).from_select(["recipient_id", "comment_id", "published", "kind"], both)


_REPLY = Prepared(_reply_statement)
_SUBSCRIBED = Prepared(_subscribed_statement)


def _insert(table: sa.Table, chosen: sa.Select[Any]) -> sa.Insert:
    return (
        insert(table)
        .from_select(["recipient_id", "comment_id", "published"], chosen)
        .on_conflict_do_nothing(index_elements=[table.c.recipient_id, table.c.comment_id])
        .returning(table.c.recipient_id)
    )


def blocks_community(
    person_id: sa.ColumnElement[int], community_id: sa.ColumnElement[Any]
) -> sa.ColumnElement[bool]:
    cb, ib, c = m.community_block, m.instance_block, m.community
    return sa.or_(
        sa.exists().where(cb.c.person_id == person_id, cb.c.community_id == community_id),
        sa.exists().where(
            ib.c.person_id == person_id,
            ib.c.instance_id
            == sa.select(c.c.instance_id).where(c.c.id == community_id).scalar_subquery(),
        ),
    )


async def mark_read(
    conn: Connection, viewer: Actor, table: sa.Table, notice_id: int, read: bool
) -> Row:
    """Mark one reply or mention read (or unread again); only its recipient may."""
    missing = (
        ErrorCode.COULDNT_FIND_COMMENT_REPLY
        if table is m.comment_reply
        else ErrorCode.COULDNT_FIND_PERSON_MENTION
    )
    notice = await conn.fetch_one(sa.select(table).where(table.c.id == notice_id))
    if notice is None:
        raise ApiError(missing)
    if int(notice["recipient_id"]) != viewer.person_id:
        raise ApiError(ErrorCode.COULDNT_UPDATE_COMMENT, "it is somebody else's notice")
    await conn.execute(sa.update(table).where(table.c.id == notice_id).values(read=read))
    found = await conn.fetch_one(sa.select(table).where(table.c.id == notice_id))
    assert found is not None
    return found


async def mark_all_read(conn: Connection, viewer: Actor) -> None:
    """Every reply, mention, moderator's notice and private message the viewer received,
    read."""
    me = viewer.person_id
    for table in (
        m.comment_reply,
        m.person_mention,
        m.mod_action_notice,
        m.comment_subscribed,
        m.post_subscribed,
    ):
        await conn.execute(
            sa.update(table).where(table.c.recipient_id == me, ~table.c.read).values(read=True)
        )
    pm = m.private_message
    await conn.execute(sa.update(pm).where(pm.c.recipient_id == me, ~pm.c.read).values(read=True))
