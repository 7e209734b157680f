"""`moot admin recount`: every counter rebuilt from the rows it counts.

The actions keep counters right as they go (moot/actions/counters.py); this is the
independent second computation that proves it, and repairs a database edited by hand.
"""

from __future__ import annotations

import sqlalchemy as sa

from moot.db import models as m
from moot.db.engine import Connection, Database


def _count(table: sa.FromClause, *where: sa.ColumnElement[bool]) -> sa.ScalarSelect[int]:
    return sa.select(sa.func.count()).select_from(table).where(*where).scalar_subquery()


def _sum(column: sa.ColumnElement[int], *where: sa.ColumnElement[bool]) -> sa.ScalarSelect[int]:
    return sa.select(sa.func.coalesce(sa.func.sum(column), 0)).where(*where).scalar_subquery()


def _counted(table: sa.Table) -> tuple[sa.ColumnElement[bool], sa.ColumnElement[bool]]:
    return ~table.c.deleted, ~table.c.removed


def expected_counters() -> dict[sa.Table, dict[str, sa.ColumnElement[int]]]:
    """For each table, each counter column and the subquery that computes it from scratch."""
    post, comment, person, community = m.post, m.comment, m.person, m.community
    pl, cl = m.post_like, m.comment_like
    child = comment.alias("child")
    return {
        post: {
            "score": _sum(pl.c.score, pl.c.post_id == post.c.id),
            "upvotes": _count(pl, pl.c.post_id == post.c.id, pl.c.score == 1),
            "downvotes": _count(pl, pl.c.post_id == post.c.id, pl.c.score == -1),
            "comments": _count(comment, comment.c.post_id == post.c.id, *_counted(comment)),
        },
        comment: {
            "score": _sum(cl.c.score, cl.c.comment_id == comment.c.id),
            "upvotes": _count(cl, cl.c.comment_id == comment.c.id, cl.c.score == 1),
            "downvotes": _count(cl, cl.c.comment_id == comment.c.id, cl.c.score == -1),
            "child_count": _count(
                child,
                child.c.post_id == comment.c.post_id,
                child.c.path > comment.c.path,
                child.c.path < comment.c.path + "~",
                ~child.c.deleted,
                ~child.c.removed,
            ),
        },
        person: {
            "post_count": _count(post, post.c.creator_id == person.c.id, *_counted(post)),
            "comment_count": _count(
                comment, comment.c.creator_id == person.c.id, *_counted(comment)
            ),
            "post_score": _sum(
                pl.c.score, pl.c.post_id == post.c.id, post.c.creator_id == person.c.id
            ),
            "comment_score": _sum(
                cl.c.score, cl.c.comment_id == comment.c.id, comment.c.creator_id == person.c.id
            ),
        },
        # Whether a listing filters for the member (moot/db/post_listing.py).
        m.local_user: {
            "keyword_block_count": _count(
                m.local_user_keyword_block,
                m.local_user_keyword_block.c.local_user_id == m.local_user.c.id,
            ),
            "instance_person_block_count": _count(
                m.instance_person_block,
                m.instance_person_block.c.person_id == m.local_user.c.person_id,
            ),
        },
        m.local_site: {
            "users": _count(m.local_user),
            "posts": _count(post, post.c.local, *_counted(post)),
            "comments": _count(comment, comment.c.local, *_counted(comment)),
            "communities": _count(community, community.c.local, ~community.c.deleted),
        },
        m.multi_community: {
            "communities": _count(
                m.multi_community_entry,
                m.multi_community_entry.c.multi_community_id == m.multi_community.c.id,
            ),
            # Only members here follow a feed (its home knows no follows from elsewhere).
            "subscribers": _count(
                m.multi_community_follow,
                m.multi_community_follow.c.multi_community_id == m.multi_community.c.id,
            ),
            "subscribers_local": _count(
                m.multi_community_follow.join(
                    person, person.c.id == m.multi_community_follow.c.person_id
                ),
                m.multi_community_follow.c.multi_community_id == m.multi_community.c.id,
                person.c.local,
            ),
        },
        community: {
            "posts": _count(post, post.c.community_id == community.c.id, *_counted(post)),
            "comments": _sum(
                sa.literal(1),
                comment.c.post_id == post.c.id,
                post.c.community_id == community.c.id,
                *_counted(comment),
            ),
            # A remote community's total is its home's, read from its followers collection
            # (moot/federation/group_collections.py): most of its followers are not here.
            "subscribers": sa.case(
                (
                    community.c.local,
                    _count(
                        m.community_follower,
                        m.community_follower.c.community_id == community.c.id,
                        ~m.community_follower.c.approval_required,
                    ),
                ),
                else_=community.c.subscribers,
            ),
            "subscribers_local": _count(
                m.community_follower.join(person, person.c.id == m.community_follower.c.person_id),
                m.community_follower.c.community_id == community.c.id,
                person.c.local,
                # A follow awaiting a moderator's approval is not a subscriber yet.
                ~m.community_follower.c.approval_required,
            ),
        },
    }


async def recount_rows(conn: Connection) -> int:
    """Correct every counter that differs from its recomputation; returns rows changed."""
    changed = 0
    for table, counters in expected_counters().items():
        differs = sa.or_(*[table.c[name] != expr for name, expr in counters.items()])
        changed += await conn.execute(sa.update(table).where(differs).values(**counters))
    return changed


async def recount(db: Database) -> int:
    """`recount_rows` in a transaction of its own (`moot admin recount`)."""
    async with db.transaction() as tx:
        return await recount_rows(tx)
