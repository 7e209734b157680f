"""The one statement behind each answer, per backend, built once per variant and kept.

Every listing selects the page with the creator, community and flags of each item in the
same statement: the page is cut first (an index scan in the listing's order that stops at
the limit), then joined by primary key. Flags are EXISTS subqueries answered by small
indexes. The order keys and indexes are moot's (moot/db/models.py), so the two read the
same rows in the same order; only the statements differ.
"""

from __future__ import annotations

from functools import cache

from bench.reference import members
from bench.reference import shapes as s
from bench.reference.db import Statement
from moot.ranking import TOP_WINDOWS, tiers_within

_SORT_KEYS = {
    "Hot": ("hot_rank", "published"),
    "Active": ("hot_rank_active", "published"),
    "Scaled": ("scaled_rank", "published"),
    "Controversial": ("controversy_rank", "published"),
    "New": ("published",),
    "NewComments": ("newest_comment_time",),
    "MostComments": ("comments", "published"),
}
POST_SORTS = (*_SORT_KEYS, *TOP_WINDOWS)


def _post_keys(sort: str) -> tuple[str, ...]:
    keys = ("score", "published") if sort.startswith("Top") else _SORT_KEYS[sort]
    return ("featured_local", *keys, "id")


def _flags(community: str, creator: str) -> list[str]:
    """creator_banned_from_community, creator_is_moderator, creator_is_admin."""
    return [
        "EXISTS (SELECT 1 FROM community_person_ban b WHERE b.community_id = "
        f"{community} AND b.person_id = {creator} AND (b.expires IS NULL OR b.expires > :now))",
        "EXISTS (SELECT 1 FROM community_moderator m WHERE m.community_id = "
        f"{community} AND m.person_id = {creator})",
        f"EXISTS (SELECT 1 FROM local_user lu WHERE lu.person_id = {creator} AND lu.admin)",
    ]


def _visible(local: bool) -> str:
    """What an anonymous reader of the front page may see (nsfw hidden)."""
    where = (
        "NOT p.removed AND NOT p.deleted AND NOT p.nsfw AND NOT c.removed AND NOT c.deleted"
        " AND NOT c.nsfw AND NOT c.hidden"
    )
    return where + (" AND c.local" if local else "")


def _desc(columns: tuple[str, ...], alias: str) -> str:
    return ", ".join(f"{alias}{col} DESC" for col in columns)


# Where each part of a post row starts, in the select list of `post_list`; a member's
# marks (`MEMBER_MARKS`) follow the flags.
POST_AT = 0
POST_COUNTS_AT = POST_AT + len(s.POST)
POST_PERSON_AT = POST_COUNTS_AT + len(s.POST_COUNTS)
POST_COMMUNITY_AT = POST_PERSON_AT + len(s.PERSON)
POST_FLAGS_AT = POST_COMMUNITY_AT + len(s.COMMUNITY)
POST_MARKS_AT = POST_FLAGS_AT + 3


@cache
def post_list(
    dialect: str, sort: str, local: bool, cursor: bool, member: bool = False
) -> Statement:
    """Parameters: limit, offset, now, [since: a Top window's start], [cursor: a post id],
    [token: a `member`'s login, whose filters and marks the statement applies]."""
    keys = _post_keys(sort)
    window = TOP_WINDOWS.get(sort)
    visible = members.visible(dialect, local) if member else _visible(local)
    where = visible + (" AND p.published > :since" if window is not None else "")
    after = ", ".join(keys)
    if window is None:
        if cursor:
            where += (
                f" AND ({', '.join('p.' + k for k in keys)}) < "
                f"(SELECT {after} FROM post WHERE id = :cursor)"
            )
        page = (
            f"SELECT p.id FROM post p JOIN community c ON c.id = p.community_id WHERE {where} "
            f"ORDER BY {_desc(keys, 'p.')} LIMIT :limit OFFSET :offset"
        )
    else:
        # A windowed Top sort: one arm per age tier, each an index scan of
        # ix_post_site_tier_score that stops after the rows the page needs, merged.
        arms = []
        for tier in tiers_within(window):
            arm_where = f"{where} AND p.age_tier = {tier}"
            if cursor:
                arm_where += (
                    f" AND (p.age_tier, {', '.join('p.' + k for k in keys)}) < "
                    f"(SELECT {tier}, {after} FROM post WHERE id = :cursor)"
                )
            arms.append(
                f"SELECT * FROM (SELECT {', '.join('p.' + k for k in keys)} FROM post p "
                f"JOIN community c ON c.id = p.community_id WHERE {arm_where} "
                f"ORDER BY {_desc(keys, 'p.')} LIMIT :wanted) a{tier}"
            )
        page = (
            f"SELECT id FROM ({' UNION ALL '.join(arms)}) merged "
            f"ORDER BY {_desc(keys, '')} LIMIT :limit OFFSET :offset"
        )
    columns = [
        *s.POST.columns("p", dialect),
        *s.POST_COUNTS.columns("p", dialect),
        *s.PERSON.columns("u", dialect),
        *s.COMMUNITY.columns("c", dialect),
        *_flags("p.community_id", "p.creator_id"),
        *(members.marks() if member else []),
    ]
    return Statement(
        (members.ME if member else "") + f"SELECT {', '.join(columns)} FROM ({page}) page "
        "JOIN post p ON p.id = page.id JOIN community c ON c.id = p.community_id "
        f"JOIN person u ON u.id = p.creator_id ORDER BY {_desc(keys, 'p.')}"
    )


_COMMENT_SORTS = {
    "Hot": "t.hot_rank DESC, t.score DESC, t.id DESC",
    "Top": "t.score DESC, t.id DESC",
    "New": "t.published DESC, t.id DESC",
    "Old": "t.published ASC, t.id ASC",
    "Controversial": "t.controversy_rank DESC, t.id DESC",
}
COMMENT_SORTS = tuple(_COMMENT_SORTS)
TREE_LIMIT = 300  # moot answers a tree fetch with at most this many comments, as Lemmy

COMMENT_AT = 0
COMMENT_PATH_AT = COMMENT_AT + len(s.COMMENT)
COMMENT_COUNTS_AT = COMMENT_PATH_AT + 1
COMMENT_POST_AT = COMMENT_COUNTS_AT + len(s.COMMENT_COUNTS)
COMMENT_PERSON_AT = COMMENT_POST_AT + len(s.POST)
COMMENT_COMMUNITY_AT = COMMENT_PERSON_AT + len(s.PERSON)
COMMENT_FLAGS_AT = COMMENT_COMMUNITY_AT + len(s.COMMUNITY)


@cache
def comment_tree(dialect: str, sort: str, local: bool) -> Statement:
    """A post's comments to a depth, every parent before its replies. Parameters: post_id,
    path_length (depth x 10), now."""
    columns = [
        *s.COMMENT.columns("t", dialect),
        "t.path",
        *s.COMMENT_COUNTS.columns("t", dialect),
        *s.POST.columns("p", dialect),
        *s.PERSON.columns("u", dialect),
        *s.COMMUNITY.columns("c", dialect),
        *_flags("p.community_id", "t.creator_id"),
    ]
    order = (
        f"substr(t.path, 1, length(t.path) - 10) ASC, t.distinguished DESC, {_COMMENT_SORTS[sort]}"
    )
    # The page is cut first, from the comments alone: the columns and flags are then
    # computed for its rows only, not for every comment of the thread before the sort.
    page = (
        "SELECT t.id FROM comment t JOIN post p ON p.id = t.post_id "
        "JOIN community c ON c.id = p.community_id "
        "WHERE t.post_id = :post_id AND length(t.path) <= :path_length AND NOT p.removed "
        f"AND NOT c.removed AND NOT c.deleted{' AND c.local' if local else ''} "
        f"ORDER BY {order} LIMIT {TREE_LIMIT}"
    )
    return Statement(
        f"SELECT {', '.join(columns)} FROM ({page}) page JOIN comment t ON t.id = page.id "
        "JOIN post p ON p.id = t.post_id JOIN community c ON c.id = p.community_id "
        f"JOIN person u ON u.id = t.creator_id ORDER BY {order}"
    )


def _json_list(dialect: str, shape: s.Shape, alias: str, source: str, order: str) -> str:
    """A JSON array of arrays (one per row of `source`, in `order`), or NULL when empty."""
    values = ", ".join(shape.columns(alias, dialect))
    if dialect == "postgresql":
        return f"(SELECT json_agg(json_build_array({values}) ORDER BY {order}) FROM {source})"
    return (
        f"(SELECT json_group_array(json(row)) FROM (SELECT json_array({values}) AS row "
        f"FROM {source} ORDER BY {order}))"
    )


ADMIN = s.Shape(*s.PERSON.fields, *s.PERSON_COUNTS.fields)

SITE_AT = 0
LOCAL_SITE_AT = SITE_AT + len(s.SITE)
RATE_LIMIT_AT = LOCAL_SITE_AT + len(s.LOCAL_SITE)
TOTALS_AT = RATE_LIMIT_AT + len(s.RATE_LIMIT)
SITE_LISTS_AT = TOTALS_AT + len(s.SITE_TOTALS)


@cache
def site(dialect: str) -> Statement:
    """The site, its settings and totals, then as JSON arrays: admins, languages, the
    site's languages, taglines, custom emojis, their keywords, blocked URLs."""
    lists = [
        _json_list(
            dialect,
            ADMIN,
            "u",
            "person u JOIN local_user lu ON lu.person_id = u.id WHERE lu.admin",
            "lu.id",
        ),
        _json_list(dialect, s.LANGUAGE, "", "language", "id"),
        _json_list(
            dialect,
            s.Shape(s.f("language_id")),
            "",
            "site_language WHERE site_id = s.id",
            "language_id",
        ),
        _json_list(dialect, s.TAGLINE, "", "tagline", "id"),
        _json_list(dialect, s.CUSTOM_EMOJI, "", "custom_emoji", "id"),
        _json_list(dialect, s.EMOJI_KEYWORD, "", "custom_emoji_keyword", "custom_emoji_id"),
        _json_list(dialect, s.BLOCKED_URL, "", "local_site_url_blocklist", "id"),
    ]
    columns = [
        *s.SITE.columns("s", dialect),
        *s.LOCAL_SITE.columns("l", dialect),
        *s.RATE_LIMIT.columns("l", dialect),
        *s.SITE_TOTALS.columns("l", dialect),
        *lists,
    ]
    return Statement(
        f"SELECT {', '.join(columns)} FROM (SELECT * FROM local_site ORDER BY id LIMIT 1) l "
        "JOIN site s ON s.id = l.site_id"
    )
