"""A signed-in member's post listing, raw: what moot's listing filters out for a member
and marks on each post for them (moot/db/post_listing.py `_visible`, `_viewer_filters`;
moot/db/around.py `post_columns`), written by hand.

The login is read in the listing's own statement: `ME`, a `WITH` over the `login_token`
row (as moot reads it on every request: a revoked token has no row), gives the member's
ids and settings, and every filter and mark reads them from it as uncorrelated scalar
subqueries, each run once per statement (PostgreSQL: InitPlans over the materialized
CTE). The settings that moot turns into a statement's shape (show_nsfw, show_read_posts,
show_bot_accounts) are conditions here, so one statement serves every member. A token
with no row leaves every setting NULL, and the page empty (the language filter matches
nothing): the route then tells an empty page from an unknown token with `VIEWER`.
"""

from __future__ import annotations

from functools import cache

from bench.reference.db import Statement

ME = (
    "WITH me AS (SELECT lu.person_id AS id, lu.id AS local_user_id, lu.show_nsfw, "
    "lu.show_read_posts, lu.show_bot_accounts FROM login_token t "
    "JOIN local_user lu ON lu.id = t.user_id JOIN person u ON u.id = lu.person_id "
    "WHERE t.token = :token) "
)
_ID = "(SELECT id FROM me)"


def _setting(name: str) -> str:
    return f"(SELECT {name} FROM me)"


def _none_of(column: str, table: str, listed: str) -> str:
    return f"{column} NOT IN (SELECT {listed} FROM {table} WHERE person_id = {_ID})"


def visible(dialect: str, local: bool) -> str:
    """What the member may see of the front page (type_ All or Local, no community)."""
    chosen = (
        f"SELECT language_id FROM local_user_language WHERE local_user_id = "
        f"{_setting('local_user_id')}"
    )
    if dialect == "postgresql":
        # An array the scan checks row by row, as moot writes it on PostgreSQL: a
        # semi-join would be costed from local_user_language's statistics.
        languages = (
            "p.language_id = ANY (coalesce((SELECT array_agg(language_id) FROM "
            f"local_user_language WHERE local_user_id = {_setting('local_user_id')}), "
            "'{}'::integer[]))"
        )
    else:
        languages = f"p.language_id IN ({chosen})"
    where = [
        "NOT p.removed AND NOT p.deleted AND NOT c.removed AND NOT c.deleted",
        f"({_setting('show_nsfw')} OR (NOT p.nsfw AND NOT c.nsfw))",
        # A hidden community shows on the front page to its followers only.
        "(NOT c.hidden OR c.id IN (SELECT community_id FROM community_follower "
        f"WHERE person_id = {_ID}))",
        f"({_setting('show_read_posts')} OR {_none_of('p.id', 'post_read', 'post_id')})",
        _none_of("p.id", "post_hide", "post_id"),
        _none_of("p.creator_id", "person_block", "target_id"),
        _none_of("p.community_id", "community_block", "community_id"),
        _none_of("c.instance_id", "instance_block", "instance_id"),
        languages,
        f"({_setting('show_bot_accounts')} OR NOT EXISTS (SELECT 1 FROM person b "
        "WHERE b.id = p.creator_id AND b.bot_account))",
    ]
    if local:
        where.append("c.local")
    return " AND ".join(where)


# The marks `marks` adds after the creator's flags, in this order.
FOLLOW_PENDING, CREATOR_BLOCKED, BANNED, SAVED, HIDDEN, MY_VOTE, READ_COMMENTS = range(7)


def marks() -> list[str]:
    """The member's marks on each post of the page (`p`, its community `c`)."""

    def mine(table: str, what: str, condition: str) -> str:
        return f"(SELECT {what} FROM {table} x WHERE x.person_id = {_ID} AND {condition})"

    return [
        mine("community_follower", "x.pending", "x.community_id = p.community_id"),
        f"EXISTS {mine('person_block', '1', 'x.target_id = p.creator_id')}",
        "EXISTS "
        + mine(
            "community_person_ban",
            "1",
            "x.community_id = p.community_id AND (x.expires IS NULL OR x.expires > :now)",
        ),
        f"EXISTS {mine('post_saved', '1', 'x.post_id = p.id')}",
        f"EXISTS {mine('post_hide', '1', 'x.post_id = p.id')}",
        mine("post_like", "x.score", "x.post_id = p.id"),
        mine("post_read", "x.read_comments", "x.post_id = p.id"),
    ]


@cache
def viewer() -> Statement:
    """The member's own defaults (a listing that names no type_ or sort), and whether the
    token is known at all (no row: it is not)."""
    return Statement(
        "SELECT lu.default_listing_type, lu.default_sort_type FROM login_token t "
        "JOIN local_user lu ON lu.id = t.user_id JOIN person u ON u.id = lu.person_id "
        "WHERE t.token = :token"
    )
