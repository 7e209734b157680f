"""The statements of a new comment (`commenting.create_comment`), per backend, as moot
writes it (moot/actions/comments.py, counters.py `comment_created`, notifications.py)."""

from __future__ import annotations

from functools import cache

from bench.reference import shapes as s
from bench.reference.db import Statement
from bench.reference.write_sql import audience

WIDTH = 10  # of a path's segment (moot/db/paths.py)


@cache
def lock_thread() -> Statement:
    """PostgreSQL: the parent and its ancestors locked in id order (moot's
    `locks.lock_thread`), returned as they are once locked."""
    return Statement(
        "SELECT id, creator_id, post_id, path, ap_id FROM comment WHERE id IN ("
        f"SELECT CAST(substr(r.path, 1 + {WIDTH} * k, {WIDTH}) AS integer) FROM comment r, "
        f"generate_series(0, length(r.path) / {WIDTH} - 1) k WHERE r.id = :parent_id) "
        "ORDER BY id FOR NO KEY UPDATE"
    )


# The target row: the post's, its community's, the checks, the parent (SQLite), whom the
# comment answers, the next id, the audience, the author's flags, then the answer's
# community shape.
POST = (
    "creator_id",
    "score",
    "published",
    "newest_comment_time",
    "newest_comment_time_necro",
    "ap_id",
    "deleted",
    "removed",
    "locked",
)
COMMUNITY = ("id", "local", "actor_id", "deleted", "removed")
CHECKS_AT = len(POST) + len(COMMUNITY)  # banned from the community, moderator
PARENT_AT = CHECKS_AT + 2  # id, creator_id, post_id, path, ap_id (SQLite; else NULLs)
ANSWERED_AT = PARENT_AT + 5  # id, actor_id, name
NEXT_ID_AT = ANSWERED_AT + 3
AUDIENCE_AT = NEXT_ID_AT + 1
FLAGS_AT = AUDIENCE_AT + 3  # is admin, is moderator, banned; pending, blocked, banned
COMMUNITY_SHAPE_AT = FLAGS_AT + 6


@cache
def target(dialect: str, reply: bool) -> Statement:
    """Parameters: post_id, viewer, now, parent_id (a reply), answered (PostgreSQL's reply:
    the parent's creator, read with the thread)."""
    postgresql = dialect == "postgresql"
    parent = ["r.id", "r.creator_id", "r.post_id", "r.path", "r.ap_id"]
    if not reply or postgresql:
        parent = ["NULL"] * 5
    answered = "p.creator_id" if not reply else ":answered" if postgresql else "r.creator_id"
    next_id = (
        "nextval(pg_get_serial_sequence('comment', 'id'))"
        if postgresql
        else "(SELECT coalesce(max(id), 0) + 1 FROM comment)"
    )
    ban = (
        "EXISTS (SELECT 1 FROM community_person_ban b WHERE b.community_id = p.community_id "
        "AND b.person_id = :viewer AND (b.expires IS NULL OR b.expires > :now))"
    )
    columns = [
        *(f"p.{c}" for c in POST),
        *(f"c.{c}" for c in COMMUNITY),
        ban,
        "EXISTS (SELECT 1 FROM community_moderator m WHERE m.community_id = p.community_id "
        "AND m.person_id = :viewer)",
        *parent,
        "a.id",
        "a.actor_id",
        "a.name",
        next_id,
        *audience(dialect, "p.community_id", "a.id"),
        "EXISTS (SELECT 1 FROM local_user lu WHERE lu.person_id = :viewer AND lu.admin)",
        "EXISTS (SELECT 1 FROM community_moderator m WHERE m.community_id = p.community_id "
        "AND m.person_id = :viewer)",
        ban,
        "(SELECT pending FROM community_follower WHERE person_id = :viewer "
        "AND community_id = p.community_id)",
        "EXISTS (SELECT 1 FROM person_block WHERE person_id = :viewer AND target_id = :viewer)",
        ban,
        *s.COMMUNITY.columns("c", dialect),
    ]
    joins = "JOIN community c ON c.id = p.community_id "
    if reply and not postgresql:
        joins += "JOIN comment r ON r.id = :parent_id "
    joins += f"JOIN person a ON a.id = {answered}"
    lock = " FOR NO KEY UPDATE OF p" if postgresql else ""
    return Statement(f"SELECT {', '.join(columns)} FROM post p {joins} WHERE p.id = :post_id{lock}")


_INSERTED = (
    "id, creator_id, post_id, content, content_html, published, language_id, local, score, "
    "upvotes, downvotes, hot_rank, controversy_rank, path, depth, ap_id"
)
_VALUES = (
    ":id, :viewer, :post_id, :content, :content_html, :now, 0, true, 1, 1, 0, :hot_rank, "
    "0, :path, :depth, :ap_id"
)


def _returned(dialect: str, alias: str) -> str:
    return ", ".join(
        [
            *s.COMMENT.columns(alias, dialect),
            f"{alias}.path" if alias else "path",
            *s.COMMENT_COUNTS.columns(alias, dialect),
        ]
    )


@cache
def insert(dialect: str) -> Statement:
    """The comment with its id, ap_id and path; on PostgreSQL with its author's upvote
    (a data-modifying CTE), as moot's `_insert_with_own_vote`."""
    stored = (
        f"INSERT INTO comment ({_INSERTED}) VALUES ({_VALUES}) "
        "ON CONFLICT (ap_id) DO NOTHING RETURNING "
    )
    if dialect == "postgresql":
        return Statement(
            f"WITH stored AS ({stored}*), own AS (INSERT INTO comment_like "
            "(comment_id, post_id, person_id, score, published) "
            "SELECT id, post_id, creator_id, 1, :now FROM stored) "
            f"SELECT {_returned(dialect, 'stored')} FROM stored"
        )
    return Statement(stored + _returned(dialect, ""))


@cache
def own_vote() -> Statement:
    """SQLite: the author's upvote, apart."""
    return Statement(
        "INSERT INTO comment_like (comment_id, post_id, person_id, score, published) "
        "VALUES (:id, :post_id, :viewer, 1, :now)"
    )


@cache
def child_counts(ancestors: int) -> Statement:
    ids = ", ".join(f":a{i}" for i in range(ancestors))
    return Statement(f"UPDATE comment SET child_count = child_count + 1 WHERE id IN ({ids})")


@cache
def post_moved(dialect: str) -> Statement:
    """Its count, activity times and Active rank, returning its shape and comments."""
    return Statement(
        "UPDATE post SET comments = comments + 1, newest_comment_time = :newest, "
        "newest_comment_time_necro = :necro, hot_rank_active = :hot_rank_active "
        f"WHERE id = :post_id RETURNING {', '.join(s.POST.columns('', dialect))}, comments"
    )


COMMUNITY_COUNTED = Statement(
    "UPDATE community SET comments = comments + 1 WHERE id = :community_id"
)
PERSON_COUNTED = Statement(
    "UPDATE person SET comment_count = comment_count + 1, comment_score = comment_score + 1 "
    "WHERE id = :viewer"
)
SITE_COUNTED = Statement("UPDATE local_site SET comments = comments + 1")


@cache
def reply_notice() -> Statement:
    """The notice to whom the comment answers, if they may have it (moot's
    `notifications._chosen`: an account here, not blocking the author, the community or
    its instance)."""
    return Statement(
        "INSERT INTO comment_reply (recipient_id, comment_id, published) "
        "SELECT p.id, :id, :now FROM person p WHERE p.id = :recipient "
        "AND EXISTS (SELECT 1 FROM local_user lu WHERE lu.person_id = p.id) "
        "AND NOT EXISTS (SELECT 1 FROM person_block pb WHERE pb.person_id = p.id "
        "AND pb.target_id = :viewer) "
        "AND NOT (EXISTS (SELECT 1 FROM community_block cb WHERE cb.person_id = p.id "
        "AND cb.community_id = :community_id) OR EXISTS (SELECT 1 FROM instance_block ib "
        "WHERE ib.person_id = p.id AND ib.instance_id = "
        "(SELECT instance_id FROM community WHERE id = :community_id))) "
        "ON CONFLICT (recipient_id, comment_id) DO NOTHING"
    )
