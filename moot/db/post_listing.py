"""The post listing: one statement, ORDER BY matching an index, built once per variant.

A listing scans one of the indexes declared beside `post` in models.py (featured flag,
sort key, published, id) and stops after `limit` rows; the cursor (`page_cursor`) is a row
comparison on that same tuple, so a deep page costs what the first one does. Filters that
depend on the viewer (blocks, hidden, read, languages) are anti-joins on small per-person
tables, checked row by row as the scan goes.

The statement's text depends only on the filter's flags (sort, listing type, which ids are
given, whether there is a cursor), so it is built and compiled once per such variant
(moot/db/prepared.py); the ids, the viewer, the time, the cursor, limit and offset are its
parameters. The cursor is compared with a subquery on the cursor's post, in the same
statement, except where the order's directions differ (Old) or its keys are not the post's
(saved posts, the per-community arms): there the cursor's row is read first.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY

from moot import ranking
from moot.db import models as m
from moot.db.around import Around, moment_or_column, post_columns
from moot.db.engine import Connection, Row
from moot.db.listings import (
    blocked_instances,
    follows_of,
    given,
    instances_with_blocked_persons,
    ordered,
)
from moot.db.prepared import Prepared
from moot.db.private import content_readable
from moot.db.types import UtcDateTime, utcnow
from moot.errors import ApiError, ErrorCode

p = m.post.c
Order = list[tuple[sa.ColumnElement[object], bool]]

# The values a listing takes as parameters.
_COMMUNITY = sa.bindparam("community_id", type_=sa.Integer)
_FEED = sa.bindparam("multi_community_id", type_=sa.Integer)
_CREATOR = sa.bindparam("creator_id", type_=sa.Integer)
_TAG = sa.bindparam("tag_id", type_=sa.Integer)
_ME = sa.bindparam("me", type_=sa.Integer)
_MY_LOCAL_USER = sa.bindparam("my_local_user", type_=sa.Integer)
_SINCE = sa.bindparam("since", type_=UtcDateTime)
_CURSOR = sa.bindparam("cursor", type_=sa.Integer)
_LIMIT = sa.bindparam("limit", type_=sa.Integer)
_OFFSET = sa.bindparam("offset", type_=sa.Integer)
_WANTED = sa.bindparam("wanted", type_=sa.Integer)  # offset + limit: what each arm yields
_NOW = sa.bindparam("now", type_=UtcDateTime)
# When a saved post was saved: the saved list's order, carried by its rows.
_SAVED_AT = "saved_at"

_POST_SORT_KEYS: dict[str, tuple[sa.ColumnElement[object], ...]] = {
    "Active": (p.hot_rank_active, p.published),
    "Hot": (p.hot_rank, p.published),
    "Scaled": (p.scaled_rank, p.published),
    "Controversial": (p.controversy_rank, p.published),
    "New": (p.published,),
    "Old": (p.published,),
    "NewComments": (p.newest_comment_time,),
    "MostComments": (p.comments, p.published),
}


def post_sort_columns(sort: str) -> tuple[sa.ColumnElement[object], ...]:
    if sort.startswith("Top"):
        return (p.score, p.published)
    return _POST_SORT_KEYS[sort]


@dataclass(frozen=True)
class PostFilter:
    listing_type: str = "All"  # All, Local, Subscribed, ModeratorView
    sort: str = "Active"
    community_id: int | None = None
    # A multi-community feed: its communities' posts (Lemmy 1.0), read as Subscribed is.
    multi_community_id: int | None = None
    creator_id: int | None = None
    # Only posts carrying this (live) community tag; without it the statement has no
    # filter of its own, so the ordinary listing is unchanged.
    tag_id: int | None = None
    viewer_id: int | None = None  # person id
    viewer_local_user_id: int | None = None
    saved_only: bool = False
    liked_only: bool = False
    disliked_only: bool = False
    show_hidden: bool = False
    show_read: bool = True
    show_nsfw: bool = False
    show_bots: bool = True
    featured_first: bool = True
    # Whether the viewer has keyword filters / blocks an instance's persons: each adds its
    # filter only then, so a member without them runs the statement they always ran.
    keyword_filtered: bool = False
    instance_persons_filtered: bool = False


def member_filters(local_user: Mapping[str, Any] | None) -> dict[str, bool]:
    """The PostFilter flags a member's own filters set, from their local_user row (read
    with the viewer: no statement of its own)."""
    if local_user is None:
        return {}
    return {
        "keyword_filtered": bool(local_user.get("keyword_block_count")),
        "instance_persons_filtered": bool(local_user.get("instance_person_block_count")),
    }


@dataclass(frozen=True)
class _After:
    """How a statement says "after the cursor's post": by a subquery on its row
    (`by_row`), or by its values given as parameters `after_<column>`, with its flags
    (featured_local, featured_community), which change the statement's shape, here."""

    by_row: bool
    featured_local: bool = False
    featured_community: bool = False

    def beyond(self, order: Order, tier: int | None = None) -> sa.ColumnElement[bool]:
        """Rows strictly after the cursor in `order` (within age tier `tier`, if given)."""
        if tier is not None:
            # With the tier fixed, (tier, order…) < (tier, cursor…) says what order <
            # cursor says, in the column order of the tier index, so the planner scans that
            # index from the cursor rather than the plain score index with a filter.
            order = [(p.age_tier, True), *order]
        if self.by_row:
            cursor_post = m.post.alias("cursor_post")
            theirs: list[Any] = [
                sa.literal_column(str(tier)) if col is p.age_tier else cursor_post.c[str(col.key)]
                for col, _ in order
            ]
            keys = sa.tuple_(*[col for col, _ in order])
            row = sa.select(*theirs).where(cursor_post.c.id == _CURSOR).scalar_subquery()
            return keys < row if order[0][1] else keys > row
        bound: list[Any] = [
            sa.literal_column(str(tier))
            if col is p.age_tier
            else sa.bindparam(f"after_{col.key}", type_=col.type)
            for col, _ in order
        ]
        flags = {
            "featured_local": self.featured_local,
            "featured_community": self.featured_community,
        }
        return _beyond(order, bound, [flags.get(str(col.key)) for col, _ in order])


def _beyond(order: Order, bound: list[Any], flags: list[bool | None]) -> sa.ColumnElement[bool]:
    """A row comparison where the directions agree, which is an index range; where they do
    not (Old: featured first, then oldest first), the leading key splits the condition."""
    keys = [col for col, _ in order]
    if all(desc for _, desc in order):
        return sa.tuple_(*keys) < sa.tuple_(*bound)
    if not any(desc for _, desc in order):
        return sa.tuple_(*keys) > sa.tuple_(*bound)
    (lead, desc), flag = order[0], flags[0]
    same_lead = sa.and_(lead == bound[0], _beyond(order[1:], bound[1:], flags[1:]))
    # Nothing sorts past the last value of a flag (false when descending): leave that
    # branch out, so the common deep page is a single index range.
    if flag is not None and flag is not desc:
        return same_lead
    return sa.or_(same_lead, lead < bound[0] if desc else lead > bound[0])


@dataclass(frozen=True)
class _Variant:
    """What a listing's SQL text depends on: the filter with its ids reduced to given (0)
    or not (None), whether it is the viewer's own profile, and how it pages."""

    f: PostFilter
    own_profile: bool
    after: _After | None
    around: Around | None = None


def _visible(v: _Variant) -> list[sa.ColumnElement[bool]]:
    f, c = v.f, m.community.c
    where: list[sa.ColumnElement[bool]] = [~p.removed, ~c.removed, ~c.deleted]
    where.append(content_readable(_ME if f.viewer_id is not None else None))
    if not v.own_profile:  # people see their own deleted posts on their profile
        where.append(~p.deleted)
    if not f.show_nsfw:
        where += [~p.nsfw, ~c.nsfw]
    if f.community_id is not None:
        where.append(p.community_id == _COMMUNITY)
    if f.creator_id is not None:
        where.append(p.creator_id == _CREATOR)
    if f.tag_id is not None:
        # A semi-join on ix_post_tag_tag_id_post_id, checked as the listing's index scan
        # goes (few posts carry a tag: the scan reads past the others).
        pt, tag = m.post_tag, m.community_tag
        carrying = (
            sa.select(pt.c.post_id)
            .join(tag, tag.c.id == pt.c.tag_id)
            .where(pt.c.tag_id == _TAG, ~tag.c.deleted)
        )
        where.append(p.id.in_(carrying))
    if f.listing_type == "Local":
        where.append(c.local)
    if f.multi_community_id is not None and not _per_community(f):
        where.append(p.community_id.in_(_chosen(f)))
    if (
        f.listing_type in ("All", "Local")
        and f.community_id is None
        and f.multi_community_id is None  # a feed names its communities, hidden or not
    ):
        hidden_ok = ~c.hidden
        if f.viewer_id is not None:
            hidden_ok = sa.or_(hidden_ok, c.id.in_(follows_of(_ME)))
        where.append(hidden_ok)
    if ranking.TOP_WINDOWS.get(f.sort) is not None:
        where.append(p.published > _SINCE)
    return where


def _viewer_filters(f: PostFilter, dialect: str) -> list[sa.ColumnElement[bool]]:
    if f.viewer_id is None:
        return []
    where: list[sa.ColumnElement[bool]] = []
    # PostgreSQL costs each `NOT IN (subquery)` as keeping half the rows; in a community's
    # LATERAL arm four of them made it expect fewer rows than the page and read the whole
    # community by bitmap and sort it (16,715 rows for five big ones). `<> ALL (array)` is
    # costed as keeping nearly all, and it scans the community index to the LIMIT.
    as_array = dialect == "postgresql" and _per_community(f)

    def none_of(col: sa.ColumnElement[Any], sel: sa.Select[Any]) -> sa.ColumnElement[bool]:
        if not as_array:
            return ~col.in_(sel)
        listed = sel.with_only_columns(sa.func.array_agg(sel.selected_columns[0]))
        empty = sa.literal_column("'{}'", ARRAY(sa.Integer))
        return col != sa.all_(sa.func.coalesce(listed.scalar_subquery(), empty))

    if f.listing_type == "Subscribed" and f.multi_community_id is None and not _per_community(f):
        where.append(p.community_id.in_(follows_of(_ME)))
    if f.listing_type == "ModeratorView":
        t = m.community_moderator
        where.append(p.community_id.in_(sa.select(t.c.community_id).where(t.c.person_id == _ME)))
        return where  # moderators see everything in their communities
    if f.liked_only or f.disliked_only:
        t = m.post_like
        score: sa.ColumnElement[int] = sa.literal_column("1" if f.liked_only else "-1")
        where.append(
            p.id.in_(sa.select(t.c.post_id).where(t.c.person_id == _ME, t.c.score == score))
        )
    if not f.show_hidden:
        t = m.post_hide
        where.append(none_of(p.id, sa.select(t.c.post_id).where(t.c.person_id == _ME)))
    if not f.show_read:
        t = m.post_read
        where.append(none_of(p.id, sa.select(t.c.post_id).where(t.c.person_id == _ME)))
    if f.creator_id is None:
        blocks = m.person_block
        where.append(
            none_of(p.creator_id, sa.select(blocks.c.target_id).where(blocks.c.person_id == _ME))
        )
        cb = m.community_block
        where.append(
            none_of(p.community_id, sa.select(cb.c.community_id).where(cb.c.person_id == _ME))
        )
        where.append(none_of(m.community.c.instance_id, blocked_instances(_ME)))
        if f.instance_persons_filtered:
            # A post's instance_id is its creator's instance. On PostgreSQL as `+ 0`, an
            # expression without statistics: where most posts come from one instance (a
            # small site: all of them), the column's statistics make `<> ALL (…)` look as
            # if it kept no row, and a community's LATERAL arm read its every post by
            # bitmap and sorted them (tests/reads/test_member_filter_plans.py).
            author_home: sa.ColumnElement[int] = p.instance_id
            if dialect == "postgresql":
                author_home = p.instance_id + sa.literal_column("0")
            where.append(none_of(author_home, instances_with_blocked_persons(_ME)))
        if f.keyword_filtered and f.viewer_local_user_id is not None and not f.saved_only:
            where.append(_no_blocked_keyword(dialect))
        if f.viewer_local_user_id is not None:
            lang = m.local_user_language
            chosen = sa.select(lang.c.language_id).where(lang.c.local_user_id == _MY_LOCAL_USER)
            if dialect == "postgresql":
                # As `IN (subquery)` this was a semi-join costed from the statistics of
                # local_user_language; for a member created after the last ANALYZE they
                # know no rows, and PostgreSQL read and sorted every post (245 ms at 100k
                # posts). `= ANY (array)` is a filter checked as the index scan goes, and
                # the scan stops after the page (tests/reads/test_stale_statistics.py).
                listed = chosen.with_only_columns(sa.func.array_agg(lang.c.language_id))
                empty = sa.literal_column("'{}'", ARRAY(sa.Integer))
                where.append(
                    p.language_id == sa.any_(sa.func.coalesce(listed.scalar_subquery(), empty))
                )
            else:
                where.append(p.language_id.in_(chosen))
    return where


def _no_blocked_keyword(dialect: str) -> sa.ColumnElement[bool]:
    """The post's title, body and link contain none of the viewer's keywords (patterns
    `%keyword%`, lower-cased: moot/actions/keyword_blocks.py), in any case.

    Checked on each row the scan reads, as the other filters here, so the listing stays
    the same index scan. PostgreSQL: the patterns are read once into an array (an
    InitPlan) and `ILIKE ANY` tests each column against them. SQLite: a correlated
    `NOT EXISTS` over the member's few keyword rows (its LIKE folds ASCII letters only,
    as search's does)."""
    k = m.local_user_keyword_block
    mine = sa.select(k.c.pattern).where(k.c.local_user_id == _MY_LOCAL_USER)
    if dialect == "postgresql":
        listed = mine.with_only_columns(sa.func.array_agg(k.c.pattern)).scalar_subquery()
        patterns = sa.func.coalesce(listed, sa.literal_column("'{}'", ARRAY(sa.Text)))
        columns = (p.name, sa.func.coalesce(p.body, ""), sa.func.coalesce(p.url, ""))
        return sa.not_(sa.or_(*[col.op("ILIKE")(sa.any_(patterns)) for col in columns]))
    found = sa.or_(*[col.like(k.c.pattern, escape="\\") for col in (p.name, p.body, p.url)])
    return ~sa.exists(mine.with_only_columns(sa.literal_column("1")).where(found))


def _order(f: PostFilter) -> Order:
    """(column, descending) pairs, most significant first."""
    order: Order = []
    if f.saved_only and f.viewer_id is not None:
        order.append((m.post_saved.c.published, True))
    if f.featured_first and f.creator_id is None:
        order.append(
            (p.featured_community if f.community_id is not None else p.featured_local, True)
        )
    descending = f.sort != "Old"
    order += [(col, descending) for col in post_sort_columns(f.sort)]
    order.append((p.id, descending))
    return order


def encode_cursor(post_id: int) -> str:
    return f"P{post_id:x}"


def decode_cursor(cursor: str) -> int:
    """The post id a `page_cursor` stands for (the last post of the page before)."""
    if not cursor.startswith("P") or len(cursor) > 17:
        raise ApiError(ErrorCode.UNKNOWN, "Could not parse pagination token")
    try:
        return int(cursor[1:], 16)
    except ValueError:
        raise ApiError(ErrorCode.UNKNOWN, "Could not parse pagination token") from None


def _tiers(f: PostFilter) -> range | None:
    """The age tiers to read one by one, for a windowed Top sort of a feed; else None.

    A profile (creator_id) or saved list is ordered by its own index and is small, so it
    reads the plain way; TopAll has no window and reads the score index.
    """
    window = ranking.TOP_WINDOWS.get(f.sort)
    if window is None or f.creator_id is not None or f.saved_only:
        return None
    return ranking.tiers_within(window)


def _chosen(f: PostFilter) -> sa.Select[tuple[int]]:
    """The communities a per-community listing reads: a feed's entries, or the viewer's
    follows (Subscribed)."""
    if f.multi_community_id is not None:
        e = m.multi_community_entry
        return sa.select(e.c.community_id).where(e.c.multi_community_id == _FEED)
    return follows_of(_ME)


def _per_community(f: PostFilter) -> bool:
    """Whether the listing is read community by community: a person's Subscribed feed, or
    a multi-community feed (whoever reads it).

    Not a windowed Top sort: split per tier as well, PostgreSQL spent more planning the
    arms than it saved and SQLite (no ANALYZE) read each arm by `published > window` and
    sorted it, so those keep the site's tier index (docs/decisions.md, "Subscribed feeds").
    """
    if _tiers(f) is not None:
        return False
    return (
        (
            f.multi_community_id is not None
            or (f.listing_type == "Subscribed" and f.viewer_id is not None)
        )
        and f.community_id is None
        and f.creator_id is None
        and not f.saved_only
    )


def _by_row(f: PostFilter, order: Order) -> bool:
    """Whether the cursor can be compared by a subquery on its post (see `_After`)."""
    directions = {desc for _, desc in order}
    return len(directions) == 1 and not f.saved_only and not _per_community(f)


async def list_posts(
    conn: Connection,
    f: PostFilter,
    page: int,
    limit: int,
    after: int | None = None,
    *,
    matching: sa.ColumnElement[bool] | None = None,
    around: Around | None = None,
) -> list[Row]:
    """The page of posts `f` lists, after the post `after` (a cursor's) if given;
    `matching` narrows it further (a search's text match), with every rule kept.
    `around`: each row also carries what `around_posts` reads for the post, for `f`'s
    viewer, in the same statement."""
    window = ranking.TOP_WINDOWS.get(f.sort)
    params: dict[str, Any] = {
        "community_id": f.community_id,
        "multi_community_id": f.multi_community_id,
        "creator_id": f.creator_id,
        "tag_id": f.tag_id,
        "me": f.viewer_id,
        "my_local_user": f.viewer_local_user_id,
        "since": utcnow() - window if window is not None else None,
        "cursor": after,
        "limit": limit,
        "offset": limit * (page - 1),
        "wanted": limit * page,
        "now": utcnow() if around is not None else None,
    }
    how: _After | None = None
    if after is not None:
        if _by_row(f, _order(f)):
            how = _After(by_row=True)
        else:
            cursor = await conn.fetch_one(sa.select(m.post).where(p.id == after))
            if cursor is None:
                raise ApiError(ErrorCode.UNKNOWN, "Could not parse pagination token")
            params.update({f"after_{key}": value for key, value in cursor.items()})
            flags = bool(cursor["featured_local"]), bool(cursor["featured_community"])
            how = _After(False, *flags)
    variant = _Variant(
        replace(
            f,
            community_id=given(f.community_id),
            multi_community_id=given(f.multi_community_id),
            creator_id=given(f.creator_id),
            tag_id=given(f.tag_id),
            viewer_id=given(f.viewer_id),
            viewer_local_user_id=given(f.viewer_local_user_id),
        ),
        own_profile=f.creator_id is not None and f.creator_id == f.viewer_id,
        after=how,
        around=around,
    )
    if matching is None:
        rows = await conn.run(_LISTING, params, variant)
    else:
        rows = await conn.fetch_all(_listing(conn.dialect_name, variant, matching), params)
    # An empty page after a cursor whose post is gone (purged): say so, as when the
    # cursor's row is read first.
    if (
        not rows
        and how is not None
        and how.by_row
        and await conn.fetch_one(sa.select(p.id).where(p.id == after)) is None
    ):
        raise ApiError(ErrorCode.UNKNOWN, "Could not parse pagination token")
    return rows


def _listing(
    dialect: str, v: _Variant, matching: sa.ColumnElement[bool] | None = None
) -> sa.Select[Any]:
    page = _page(dialect, v, matching)
    if v.around is None:
        return page
    signed_in = v.f.viewer_id is not None
    return _with_around(
        page, _order(v.f), v.around, signed_in=signed_in, moments_as_text=v.around.moments_as_text
    )


def _with_around(
    page_query: sa.Select[Any],
    order: Order,
    around: Around,
    *,
    signed_in: bool,
    moments_as_text: bool,
) -> sa.Select[Any]:
    """The page's rows, each with its creator, community, flags and the viewer's marks
    (`around_posts`' columns): the page is cut first, as without them, then its few rows
    are joined by primary key and put back in the listing's order."""
    page = page_query.subquery("page")
    u, c = m.person, m.community
    viewer = _ME if signed_in else None
    columns = post_columns(
        u, c, viewer, around.person, around.community, _NOW, page, moments_as_text
    )
    # Of the page's own columns, those the caller shows (`around.post`; all if it names
    # none): the ranks, `body_html` and the rest are only read to be dropped.
    shown = set(around.post)
    own = [
        moment_or_column(col, moments_as_text).label(col.key)
        for col in page.c
        if not shown or col.key in shown or col.key == _SAVED_AT
    ]
    query = (
        sa.select(*own, *columns)
        .select_from(page)
        .join(u, u.c.id == page.c.creator_id)
        .join(c, c.c.id == page.c.community_id)
    )
    return ordered(query, [(page.c[_key(col)], desc) for col, desc in order])


def _key(col: sa.ColumnElement[object]) -> str:
    """An order column's name in a page's rows."""
    return _SAVED_AT if col is m.post_saved.c.published else str(col.key)


def _page(
    dialect: str, v: _Variant, matching: sa.ColumnElement[bool] | None = None
) -> sa.Select[Any]:
    f, order = v.f, _order(v.f)
    query = (
        sa.select(m.post)
        .join(m.community, m.community.c.id == p.community_id)
        .where(*_visible(v), *_viewer_filters(f, dialect))
    )
    if matching is not None:
        query = query.where(matching)
    if not f.show_bots:
        query = query.join(m.person, m.person.c.id == p.creator_id).where(~m.person.c.bot_account)
    if f.saved_only and f.viewer_id is not None:
        saved = m.post_saved
        query = query.join(
            saved, sa.and_(saved.c.post_id == p.id, saved.c.person_id == _ME)
        ).add_columns(saved.c.published.label(_SAVED_AT))
    tiers = _tiers(f)
    if _per_community(f):
        return _merged_page(_community_arms(dialect, f, query, order, v.after), order)
    if tiers is None:
        if v.after is not None:
            query = query.where(v.after.beyond(order))
        return ordered(query, order).limit(_LIMIT).offset(_OFFSET)
    # A windowed Top sort: the same query once per age tier, each an index scan of
    # ix_post_*_tier_score in the listing's order that stops after the rows the page needs;
    # the arms are merged in that order (PostgreSQL: Merge Append). So the rows read are at
    # most tiers x (offset + limit), whatever the size of the table or of the window.
    # Each arm carries only the order's keys, the id last (planning cost grows with every
    # column of every arm); the page's rows are then joined by primary key.
    # Each arm's tier is written into the SQL, not bound: PostgreSQL costs a generic plan
    # of `age_tier = $n` above the custom plans, so a prepared TopDay statement was planned
    # again on every run (5 ms for a member at 100k posts), each time from the estimate of
    # the window's rows (23 for the 731 of a tier), and it read and sorted each tier (3,183
    # rows for TopDay page 1); with the tiers known, the generic plan (ordered index scans
    # that stop at the page) is taken after the first five runs, as for the other sorts.
    keys: list[Any] = [col for col, _ in order]
    arms: list[sa.Select[Any]] = []
    for tier in tiers:
        tier_sql: sa.ColumnElement[int] = sa.literal_column(str(tier))
        arm: sa.Select[Any] = query.with_only_columns(*keys).where(p.age_tier == tier_sql)
        if v.after is not None:
            arm = arm.where(v.after.beyond(order, tier))
        arms.append(sa.select(ordered(arm, order).limit(_WANTED).subquery()))
    return _merged_page(arms, order)


_LISTING = Prepared(_listing)


def _merged_page(arms: list[sa.Select[Any]], order: Order) -> sa.Select[Any]:
    """The page of the arms' union in `order`; each arm yields the order's keys."""
    merged = sa.union_all(*arms).subquery() if len(arms) > 1 else arms[0].subquery()
    page_order: Order = [(merged.c[str(col.key)], desc) for col, desc in order]
    chosen = ordered(sa.select(merged), page_order).limit(_LIMIT).offset(_OFFSET).subquery()
    rows_order: Order = [(chosen.c[str(col.key)], desc) for col, desc in order]
    return ordered(sa.select(m.post).join(chosen, chosen.c.id == p.id), rows_order)


def _community_arms(
    dialect: str, f: PostFilter, query: sa.Select[Any], order: Order, after: _After | None
) -> list[sa.Select[Any]]:
    """The Subscribed feed (or a multi-community feed: its entries take the follows' place)
    as arms to merge: per followed community, its own best rows.

    With `community_id IN (follows)` both backends read every post of the followed
    communities and sort them (or walk the site index past the posts of all the others).
    Instead each followed community is read from its own index
    (ix_post_community_*: community_id, featured_community, keys, id), one scan per
    (community, featured_community) that stops after `wanted` rows, so the rows read are
    bounded by follows x 2 x wanted, whatever the communities' sizes.

    The feed puts featured_local first, which the community indexes do not hold: the
    featured_local posts (a handful on a site) come from the site index in one more arm, and
    the per-community arms keep to the rest.
    """
    featured = bool(order) and order[0][0] is p.featured_local
    rest = order[1:] if featured else order
    keys: list[Any] = [col for col, _ in order]
    arms: list[sa.Select[Any]] = []
    # Past a cursor that is not featured, no featured post is left to show: the arm would
    # only walk the site index (45,000 rows for MostComments page 50) to find none.
    if featured and (after is None or after.featured_local):
        top = query.with_only_columns(*keys).where(p.featured_local, p.community_id.in_(_chosen(f)))
        if after is not None:
            top = top.where(after.beyond(order))
        arms.append(sa.select(ordered(top, order).limit(_WANTED).subquery()))
    # One arm per featured_community value, each over the followed communities.
    follows = _chosen(f).subquery("follows")
    for flag in (True, False):
        arm = query.where(p.community_id == follows.c.community_id, p.featured_community.is_(flag))
        if featured:
            # `IS NOT true`, not `= false`: as an equality it is the first column of the
            # site indexes, and with the cursor's `(keys…) < (…)` after it a planner may
            # read ix_post_site_* filtering by community (PostgreSQL did: 9,000 rows per
            # community for MostComments page 50) instead of the community's own index.
            arm = arm.where(p.featured_local.is_not(True))
        if after is not None and not (featured and after.featured_local):
            arm = arm.where(after.beyond(rest))
        arms.append(_per_followed(dialect, ordered(arm, rest).limit(_WANTED), follows, keys))
    return arms


def _per_followed(
    dialect: str, arm: sa.Select[Any], follows: sa.Subquery, keys: list[Any]
) -> sa.Select[Any]:
    """`arm` (correlated to `follows`) run once per followed community, yielding `keys`."""
    if dialect == "postgresql":
        lateral = arm.with_only_columns(*keys).lateral()
        return (
            sa.select(*[lateral.c[str(k.key)] for k in keys])
            .select_from(follows)
            .join(lateral, sa.true())
        )
    # SQLite has no LATERAL, but evaluates a correlated `IN (… LIMIT n)` once per followed
    # community, each a scan of that community's index, and reads the rows found by rowid.
    found = sa.alias(m.post, "found")
    return (
        sa.select(*[found.c[str(k.key)] for k in keys])
        .select_from(follows)
        .join(found, found.c.id.in_(arm.with_only_columns(p.id).correlate(follows)))
    )
