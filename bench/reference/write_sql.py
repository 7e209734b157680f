"""The statements behind the two writes (`POST /post/like`, `POST /comment`), per backend:
the rows moot changes, changed the way moot changes them (moot/actions/votes.py,
comments.py, counters.py, notifications.py, reading.py; the outbox's insert), written by
hand. The post is locked first (PostgreSQL: `FOR NO KEY UPDATE`, and a reply's thread
before it); SQLite's writer runs one transaction at a time (BEGIN IMMEDIATE).
"""

from __future__ import annotations

from functools import cache

from bench.reference import shapes as s
from bench.reference.db import Statement
from bench.reference.sql import _flags


@cache
def viewer(dialect: str) -> Statement:
    """The login token's person, as moot reads it on every request (moot/auth.py: a revoked
    token has no row): id, actor_id, bot, banned now, deleted, then its PERSON shape."""
    return Statement(
        "SELECT u.id, u.actor_id, u.bot_account, "
        "u.banned AND (u.ban_expires IS NULL OR u.ban_expires > :now), u.deleted, "
        + ", ".join(s.PERSON.columns("u", dialect))
        + " FROM login_token t JOIN local_user lu ON lu.id = t.user_id "
        "JOIN person u ON u.id = lu.person_id WHERE t.token = :token"
    )


VIEWER_PERSON_AT = 5


def _audience(community: str, also_to: str | None) -> list[str]:
    """origin, whether the community has remote followers, and the remote inboxes of the
    persons addressed and of the actor's followers, joined by a line break
    (moot/federation/audience.py)."""
    reached = "x.id IN (SELECT follower_id FROM person_follower WHERE person_id = :viewer) "
    reached = f"({reached}AND NOT x.deleted)"
    if also_to is not None:
        reached = f"(x.id = {also_to} OR {reached})"
    return [
        "(SELECT s.actor_id FROM site s JOIN local_site ls ON ls.site_id = s.id LIMIT 1)",
        "EXISTS (SELECT 1 FROM community_follower f JOIN person r ON r.id = f.person_id "
        f"WHERE f.community_id = {community} AND NOT r.local)",
        "(SELECT string_agg(coalesce(nullif(x.shared_inbox_url, ''), x.inbox_url), "
        "chr(10)) FROM person x WHERE NOT x.local AND x.inbox_url IS NOT NULL AND "
        f"{reached})",
    ]


def _sqlite_audience(community: str, also_to: str | None) -> list[str]:
    out = _audience(community, also_to)
    out[2] = out[2].replace("string_agg(", "group_concat(").replace("chr(10)", "char(10)")
    return out


def audience(dialect: str, community: str, also_to: str | None) -> list[str]:
    if dialect == "postgresql":
        return _audience(community, also_to)
    return _sqlite_audience(community, also_to)


def _viewer_marks(community: str, creator: str) -> list[str]:
    """follow_pending, creator_blocked, banned_from_community (moot/db/around.py)."""
    return [
        "(SELECT pending FROM community_follower WHERE person_id = :viewer "
        f"AND community_id = {community})",
        f"EXISTS (SELECT 1 FROM person_block WHERE person_id = :viewer AND target_id = {creator})",
        "EXISTS (SELECT 1 FROM community_person_ban b WHERE b.community_id = "
        f"{community} AND b.person_id = :viewer AND (b.expires IS NULL OR b.expires > :now))",
    ]


# The vote's target row (`vote_target`): the post's counters and times, its community,
# the checks, the audience, then what the answer shows around the post.
VOTE_POST = ("score", "upvotes", "downvotes", "published", "newest_comment_time_necro", "ap_id")
VOTE_COMMUNITY = ("users_active_month", "local", "actor_id")
VOTE_CHECKS_AT = len(VOTE_POST) + len(VOTE_COMMUNITY)  # community banned, old vote
VOTE_AUDIENCE_AT = VOTE_CHECKS_AT + 2
VOTE_CREATOR_AT = VOTE_AUDIENCE_AT + 3
VOTE_COMMUNITY_AT = VOTE_CREATOR_AT + len(s.PERSON)
VOTE_FLAGS_AT = VOTE_COMMUNITY_AT + len(s.COMMUNITY)  # 3 creator flags, 3 marks, 3 more
VOTE_POST_SHAPE_AT = VOTE_FLAGS_AT + 8  # the post as it is, for a vote that changes nothing


@cache
def vote_target(dialect: str) -> Statement:
    """The post, locked, with everything the vote and its answer need (`targets.post_target`
    and `around.post_columns` in moot). Parameters: post_id, viewer, now."""
    columns = [
        *(f"p.{c}" for c in VOTE_POST),
        *(f"c.{c}" for c in VOTE_COMMUNITY),
        "EXISTS (SELECT 1 FROM community_person_ban b WHERE b.community_id = p.community_id "
        "AND b.person_id = :viewer AND (b.expires IS NULL OR b.expires > :now))",
        "(SELECT score FROM post_like WHERE post_id = p.id AND person_id = :viewer)",
        *audience(dialect, "p.community_id", None),
        *s.PERSON.columns("u", dialect),
        *s.COMMUNITY.columns("c", dialect),
        *_flags("p.community_id", "p.creator_id"),
        *_viewer_marks("p.community_id", "p.creator_id"),
        "EXISTS (SELECT 1 FROM post_saved WHERE person_id = :viewer AND post_id = p.id)",
        "EXISTS (SELECT 1 FROM post_hide WHERE person_id = :viewer AND post_id = p.id)",
        *s.POST.columns("p", dialect),
        *s.POST_COUNTS.columns("p", dialect),
    ]
    lock = " FOR NO KEY UPDATE OF p" if dialect == "postgresql" else ""
    return Statement(
        f"SELECT {', '.join(columns)} FROM post p JOIN community c ON c.id = p.community_id "
        f"JOIN person u ON u.id = p.creator_id WHERE p.id = :post_id{lock}"
    )


@cache
def vote_store(dialect: str) -> Statement:
    """The vote, upserted; PostgreSQL returns the old one read in the statement's snapshot
    (after the lock), as moot's `votes._store`."""
    returning = (
        " RETURNING (SELECT b.score FROM post_like b WHERE b.post_id = :post_id "
        "AND b.person_id = :viewer)"
        if dialect == "postgresql"
        else ""
    )
    return Statement(
        "INSERT INTO post_like (post_id, person_id, score, published) "
        "VALUES (:post_id, :viewer, :score, :now) "
        "ON CONFLICT (post_id, person_id) DO UPDATE SET score = excluded.score, "
        "published = excluded.published WHERE post_like.score <> excluded.score" + returning
    )


@cache
def vote_delete(dialect: str) -> Statement:
    return Statement(
        "DELETE FROM post_like WHERE post_id = :post_id AND person_id = :viewer RETURNING score"
    )


# The post as the update returns it: its shape, its counts, its comments.
POST_RETURNED_COUNTS_AT = len(s.POST)


@cache
def post_moved_by_vote(dialect: str) -> Statement:
    """Its counters and ranks; the creator's score follows by trigger (migration 0013)."""
    return Statement(
        "UPDATE post SET score = score + :d_score, upvotes = upvotes + :d_up, "
        "downvotes = downvotes + :d_down, hot_rank = :hot_rank, "
        "hot_rank_active = :hot_rank_active, scaled_rank = :scaled_rank, "
        "controversy_rank = :controversy_rank WHERE id = :post_id RETURNING "
        + ", ".join([*s.POST.columns("", dialect), *s.POST_COUNTS.columns("", dialect)])
    )


@cache
def mark_read(dialect: str) -> Statement:
    """The post read, with how many comments it had (moot/actions/reading.py)."""
    return Statement(
        "INSERT INTO post_read (post_id, person_id, published, read_comments) "
        "VALUES (:post_id, :viewer, :now, :comments) "
        "ON CONFLICT (person_id, post_id) DO UPDATE SET published = excluded.published, "
        "read_comments = excluded.read_comments"
    )


@cache
def outbox(rows: int) -> Statement:
    """`rows` outbox rows in one insert (moot/federation/outbox.py)."""
    values = ", ".join(
        f"(:ap_id{i}, :data{i}, :signer{i}, false, :inboxes{i}, :followers_of{i}, false, :now)"
        for i in range(rows)
    )
    return Statement(
        "INSERT INTO sent_activity (ap_id, data, actor_apub_id, sensitive, send_inboxes, "
        f"send_community_followers_of, send_all_instances, published) VALUES {values}"
    )
