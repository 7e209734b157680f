"""The post and comment listings: one query each, ORDER BY matching an index.

Post listings scan one of the indexes declared beside `post` in models.py (featured flag,
sort key, published, id) and stop after `limit` rows; the cursor (`page_cursor`) is a row
comparison on that same tuple, so a deep page costs what the first one does. Filters that
depend on the viewer (blocks, hidden, read, languages) are anti-joins on small per-person
tables, checked row by row as the scan goes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY

from moot import ranking
from moot.db import models as m
from moot.db.engine import Connection, Row
from moot.db.paths import PATH_WIDTH
from moot.db.types import utcnow
from moot.errors import ApiError, ErrorCode

PAGE_MAX = 100_000  # pages past this are refused; cursors are for going deep
LIMIT_MAX = 50
LIMIT_DEFAULT = 10
TREE_LIMIT = 300  # a max_depth fetch returns at most this many comments, as Lemmy

p = m.post.c

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


def check_page(page: int | None, limit: int | None, code: ErrorCode) -> tuple[int, int]:
    page = 1 if page is None else page
    limit = LIMIT_DEFAULT if limit is None else limit
    if not 1 <= page <= PAGE_MAX or not 1 <= limit <= LIMIT_MAX:
        raise ApiError(code)
    return page, limit


@dataclass(frozen=True)
class PostFilter:
    listing_type: str = "All"  # All, Local, Subscribed, ModeratorView
    sort: str = "Active"
    community_id: int | None = None
    creator_id: int | None = None
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


def _visible(f: PostFilter) -> list[sa.ColumnElement[bool]]:
    c = m.community.c
    where: list[sa.ColumnElement[bool]] = [~p.removed, ~c.removed, ~c.deleted]
    own_profile = f.creator_id is not None and f.creator_id == f.viewer_id
    if not own_profile:  # people see their own deleted posts on their profile
        where.append(~p.deleted)
    if not f.show_nsfw:
        where += [~p.nsfw, ~c.nsfw]
    if f.community_id is not None:
        where.append(p.community_id == f.community_id)
    if f.creator_id is not None:
        where.append(p.creator_id == f.creator_id)
    if f.listing_type == "Local":
        where.append(c.local)
    if f.listing_type in ("All", "Local") and f.community_id is None:
        hidden_ok = ~c.hidden
        if f.viewer_id is not None:
            hidden_ok = sa.or_(hidden_ok, c.id.in_(_follows(f.viewer_id)))
        where.append(hidden_ok)
    if f.sort.startswith("Top"):
        window = ranking.TOP_WINDOWS.get(f.sort)
        if window is not None:
            where.append(p.published > utcnow() - window)
    return where


def _follows(person_id: int) -> sa.Select[tuple[int]]:
    t = m.community_follower
    return sa.select(t.c.community_id).where(t.c.person_id == person_id)


def blocked_instances(person_id: int) -> sa.Select[tuple[int]]:
    """The instances a person blocks: the content of their communities is hidden from them
    (Lemmy 0.19 goes by the community's instance, not the author's)."""
    t = m.instance_block
    return sa.select(t.c.instance_id).where(t.c.person_id == person_id)


def _viewer_filters(f: PostFilter, dialect: str) -> list[sa.ColumnElement[bool]]:
    if f.viewer_id is None:
        return []
    me = f.viewer_id
    where: list[sa.ColumnElement[bool]] = []
    # PostgreSQL costs each `NOT IN (subquery)` as keeping half the rows; in a community's
    # LATERAL arm four of them made it expect fewer rows than the page and read the whole
    # community by bitmap and sort it (16,715 rows for five big ones). `<> ALL (array)` is
    # costed as keeping nearly all, and it scans the community index to the LIMIT.
    as_array = dialect == "postgresql" and _per_community(f, dialect)

    def none_of(col: sa.ColumnElement[Any], sel: sa.Select[Any]) -> sa.ColumnElement[bool]:
        if not as_array:
            return ~col.in_(sel)
        listed = sel.with_only_columns(sa.func.array_agg(sel.selected_columns[0]))
        empty = sa.literal_column("'{}'", ARRAY(sa.Integer))
        return col != sa.all_(sa.func.coalesce(listed.scalar_subquery(), empty))

    if f.listing_type == "Subscribed" and not _per_community(f, dialect):
        where.append(p.community_id.in_(_follows(me)))
    if f.listing_type == "ModeratorView":
        t = m.community_moderator
        where.append(p.community_id.in_(sa.select(t.c.community_id).where(t.c.person_id == me)))
        return where  # moderators see everything in their communities
    if f.liked_only or f.disliked_only:
        t = m.post_like
        where.append(
            p.id.in_(
                sa.select(t.c.post_id).where(
                    t.c.person_id == me, t.c.score == (1 if f.liked_only else -1)
                )
            )
        )
    if not f.show_hidden:
        t = m.post_hide
        where.append(none_of(p.id, sa.select(t.c.post_id).where(t.c.person_id == me)))
    if not f.show_read:
        t = m.post_read
        where.append(none_of(p.id, sa.select(t.c.post_id).where(t.c.person_id == me)))
    if f.creator_id is None:
        blocks = m.person_block
        where.append(
            none_of(p.creator_id, sa.select(blocks.c.target_id).where(blocks.c.person_id == me))
        )
        cb = m.community_block
        where.append(
            none_of(p.community_id, sa.select(cb.c.community_id).where(cb.c.person_id == me))
        )
        where.append(none_of(m.community.c.instance_id, blocked_instances(me)))
        if f.viewer_local_user_id is not None:
            lang = m.local_user_language
            chosen = sa.select(lang.c.language_id).where(
                lang.c.local_user_id == f.viewer_local_user_id
            )
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


def _order(f: PostFilter) -> list[tuple[sa.ColumnElement[object], bool]]:
    """(column, descending) pairs, most significant first."""
    order: list[tuple[sa.ColumnElement[object], bool]] = []
    if f.featured_first and f.creator_id is None:
        order.append(
            (p.featured_community if f.community_id is not None else p.featured_local, True)
        )
    descending = f.sort != "Old"
    order += [(col, descending) for col in post_sort_columns(f.sort)]
    order.append((p.id, descending))
    return order


def _after(order: list[tuple[sa.ColumnElement[object], bool]], row: Row) -> sa.ColumnElement[bool]:
    """Rows strictly after `row` in `order`."""
    # Bound as literals of each column's type, so they are stored-format values (dates) and
    # SQLAlchemy accepts `<` against booleans.
    bound = [sa.literal(row[str(col.key)], type_=col.type) for col, _ in order]
    return _beyond(order, bound, [row[str(col.key)] for col, _ in order])


def _beyond(
    order: list[tuple[sa.ColumnElement[object], bool]],
    bound: list[sa.BindParameter[object]],
    values: list[object],
) -> sa.ColumnElement[bool]:
    """A row comparison where the directions agree, which is an index range; where they do
    not (Old: featured first, then oldest first), the leading key splits the condition."""
    keys = [col for col, _ in order]
    if all(desc for _, desc in order):
        return sa.tuple_(*keys) < sa.tuple_(*bound)
    if not any(desc for _, desc in order):
        return sa.tuple_(*keys) > sa.tuple_(*bound)
    (lead, desc), value = order[0], values[0]
    same_lead = sa.and_(lead == bound[0], _beyond(order[1:], bound[1:], values[1:]))
    # Nothing sorts past the last value of a flag (false when descending): leave that
    # branch out, so the common deep page is a single index range.
    if isinstance(value, bool) and value is not desc:
        return same_lead
    return sa.or_(same_lead, lead < bound[0] if desc else lead > bound[0])


def encode_cursor(post_id: int) -> str:
    return f"P{post_id:x}"


async def decode_cursor(conn: Connection, cursor: str) -> Row:
    if not cursor.startswith("P") or len(cursor) > 17:
        raise ApiError(ErrorCode.UNKNOWN, "Could not parse pagination token")
    try:
        post_id = int(cursor[1:], 16)
    except ValueError:
        raise ApiError(ErrorCode.UNKNOWN, "Could not parse pagination token") from None
    row = await conn.fetch_one(sa.select(m.post).where(p.id == post_id))
    if row is None:
        raise ApiError(ErrorCode.UNKNOWN, "Could not parse pagination token")
    return row


def _tiers(f: PostFilter) -> range | None:
    """The age tiers to read one by one, for a windowed Top sort of a feed; else None.

    A profile (creator_id) or saved list is ordered by its own index and is small, so it
    reads the plain way; TopAll has no window and reads the score index.
    """
    window = ranking.TOP_WINDOWS.get(f.sort)
    if window is None or f.creator_id is not None or f.saved_only:
        return None
    return ranking.tiers_within(window)


def _ordered(
    query: sa.Select[Any], order: list[tuple[sa.ColumnElement[object], bool]]
) -> sa.Select[Any]:
    return query.order_by(*[col.desc() if desc else col.asc() for col, desc in order])


async def list_posts(
    conn: Connection,
    f: PostFilter,
    page: int,
    limit: int,
    cursor: Row | None = None,
    *,
    matching: sa.ColumnElement[bool] | None = None,
) -> list[Row]:
    """The page of posts `f` lists; `matching` narrows it further (a search's text match),
    with every other rule of the listing kept."""
    order = _order(f)
    query = (
        sa.select(m.post)
        .join(m.community, m.community.c.id == p.community_id)
        .where(*_visible(f), *_viewer_filters(f, conn.dialect_name))
    )
    if matching is not None:
        query = query.where(matching)
    if not f.show_bots:
        query = query.join(m.person, m.person.c.id == p.creator_id).where(~m.person.c.bot_account)
    if f.saved_only and f.viewer_id is not None:
        saved = m.post_saved
        query = query.join(
            saved, sa.and_(saved.c.post_id == p.id, saved.c.person_id == f.viewer_id)
        )
        order = [(saved.c.published, True), *order]
    offset = limit * (page - 1)
    tiers = _tiers(f)
    if _per_community(f, conn.dialect_name):
        return await conn.fetch_all(
            _merged_page(
                _community_arms(conn.dialect_name, f, query, order, cursor, offset + limit),
                order,
                limit,
                offset,
            )
        )
    if tiers is None:
        if cursor is not None:
            query = query.where(_after(order, cursor))
        return await conn.fetch_all(_ordered(query, order).limit(limit).offset(offset))
    # A windowed Top sort: the same query once per age tier, each an index scan of
    # ix_post_*_tier_score in the listing's order that stops after the rows the page needs;
    # the arms are merged in that order (PostgreSQL: Merge Append). So the rows read are at
    # most tiers x (offset + limit), whatever the size of the table or of the window.
    # Each arm carries only the order's keys, the id last (planning cost grows with every
    # column of every arm); the page's rows are then joined by primary key.
    keys: list[Any] = [col for col, _ in order]
    arms: list[sa.Select[Any]] = []
    for tier in tiers:
        arm: sa.Select[Any] = query.with_only_columns(*keys).where(p.age_tier == tier)
        if cursor is not None:
            # With the tier fixed, (tier, order…) < (tier, cursor…) says what order < cursor
            # says, in the column order of the tier index, so the planner scans that index
            # from the cursor rather than the plain score index with the tier as a filter.
            arm = arm.where(_after([(p.age_tier, True), *order], {**cursor, "age_tier": tier}))
        arms.append(sa.select(_ordered(arm, order).limit(offset + limit).subquery()))
    return await conn.fetch_all(_merged_page(arms, order, limit, offset))


def _merged_page(
    arms: list[sa.Select[Any]],
    order: list[tuple[sa.ColumnElement[object], bool]],
    limit: int,
    offset: int,
) -> sa.Select[Any]:
    """The page of the arms' union in `order`; each arm yields the order's keys."""
    merged = sa.union_all(*arms).subquery() if len(arms) > 1 else arms[0].subquery()
    page_order: list[tuple[sa.ColumnElement[object], bool]] = [
        (merged.c[str(col.key)], desc) for col, desc in order
    ]
    chosen = _ordered(sa.select(merged), page_order).limit(limit).offset(offset).subquery()
    rows_order: list[tuple[sa.ColumnElement[object], bool]] = [
        (chosen.c[str(col.key)], desc) for col, desc in order
    ]
    return _ordered(sa.select(m.post).join(chosen, chosen.c.id == p.id), rows_order)


def _per_community(f: PostFilter, dialect: str) -> bool:
    """Whether the listing is read community by community: a person's Subscribed feed.

    Not a windowed Top sort: split per tier as well, PostgreSQL spent more planning the
    arms than it saved and SQLite (no ANALYZE) read each arm by `published > window` and
    sorted it, so those keep the site's tier index (docs/decisions.md, "Subscribed feeds").
    """
    if _tiers(f) is not None:
        return False
    return (
        f.listing_type == "Subscribed"
        and f.viewer_id is not None
        and f.community_id is None
        and f.creator_id is None
        and not f.saved_only
    )


def _community_arms(
    dialect: str,
    f: PostFilter,
    query: sa.Select[Any],
    order: list[tuple[sa.ColumnElement[object], bool]],
    cursor: Row | None,
    wanted: int,
) -> list[sa.Select[Any]]:
    """The Subscribed feed as arms to merge: per followed community, its own best rows.

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
    assert f.viewer_id is not None
    featured = bool(order) and order[0][0] is p.featured_local
    rest = order[1:] if featured else order
    keys: list[Any] = [col for col, _ in order]
    arms: list[sa.Select[Any]] = []
    # Past a cursor that is not featured, no featured post is left to show: the arm would
    # only walk the site index (45,000 rows for MostComments page 50) to find none.
    if featured and (cursor is None or cursor["featured_local"]):
        top = query.with_only_columns(*keys).where(
            p.featured_local, p.community_id.in_(_follows(f.viewer_id))
        )
        if cursor is not None:
            top = top.where(_after(order, cursor))
        arms.append(sa.select(_ordered(top, order).limit(wanted).subquery()))
    # One arm per featured_community value, each over the followed communities.
    follows = _follows(f.viewer_id).subquery("follows")
    for flag in (True, False):
        arm = query.where(p.community_id == follows.c.community_id, p.featured_community.is_(flag))
        if featured:
            # `IS NOT true`, not `= false`: as an equality it is the first column of the
            # site indexes, and with the cursor's `(keys…) < (…)` after it a planner may
            # read ix_post_site_* filtering by community (PostgreSQL did: 9,000 rows per
            # community for MostComments page 50) instead of the community's own index.
            arm = arm.where(p.featured_local.is_not(True))
        if cursor is not None and not (featured and cursor["featured_local"]):
            arm = arm.where(_after(rest, cursor))
        arms.append(_per_followed(dialect, _ordered(arm, rest).limit(wanted), follows, keys))
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


# Communities ---------------------------------------------------------------------------

# The community column a post sort orders communities by (DESC, but ASC for Old).
COMMUNITY_SORT_COLUMNS = {
    "Hot": "hot_rank",
    "Active": "hot_rank",
    "Scaled": "hot_rank",
    "New": "published",
    "Old": "published",
    "NewComments": "users_active_day",
    "TopDay": "users_active_day",
    "TopTwelveHour": "users_active_day",
    "TopSixHour": "users_active_day",
    "TopHour": "users_active_day",
    "MostComments": "comments",
    "Controversial": "comments",
    "TopAll": "subscribers",
    "TopYear": "subscribers",
    "TopNineMonths": "subscribers",
    "TopSixMonths": "users_active_half_year",
    "TopThreeMonths": "users_active_half_year",
    "TopMonth": "users_active_month",
    "TopWeek": "users_active_week",
}


def community_order(sort: str) -> list[sa.UnaryExpression[object]]:
    c = m.community.c
    column = c[COMMUNITY_SORT_COLUMNS[sort]]
    if sort == "Old":
        return [column.asc(), c.id.asc()]
    return [column.desc(), c.id.desc()]


# Comments ------------------------------------------------------------------------------

cm = m.comment.c

_COMMENT_SORTS: dict[str, list[tuple[sa.ColumnElement[object], bool]]] = {
    "Hot": [(cm.hot_rank, True), (cm.score, True)],
    "Top": [(cm.score, True)],
    "New": [(cm.published, True)],
    "Old": [(cm.published, False)],
    "Controversial": [(cm.controversy_rank, True)],
}


def comment_order(sort: str) -> list[sa.UnaryExpression[object]]:
    """ORDER BY of a flat comment list (search, profile) in a comment sort."""
    order = _COMMENT_SORTS[sort]
    last = cm.id.desc() if order[-1][1] else cm.id.asc()
    return [*(col.desc() if desc else col.asc() for col, desc in order), last]


def comment_sort_for(post_sort: str) -> str:
    """The comment sort a profile or search uses for a post sort."""
    if post_sort in ("Active", "Hot", "Scaled"):
        return "Hot"
    if post_sort in ("New", "NewComments", "MostComments"):
        return "New"
    if post_sort.startswith("Top"):
        return "Top"
    return post_sort  # Old, Controversial


@dataclass(frozen=True)
class CommentFilter:
    sort: str = "Hot"
    listing_type: str = "All"
    post_id: int | None = None
    parent_path: str | None = None
    community_id: int | None = None
    creator_id: int | None = None
    max_depth: int | None = None
    viewer_id: int | None = None
    saved_only: bool = False
    liked_only: bool = False
    disliked_only: bool = False
    top_window_since: datetime | None = None


async def list_comments(conn: Connection, f: CommentFilter, page: int, limit: int) -> list[Row]:
    c = m.community.c
    query = (
        sa.select(m.comment)
        .join(m.post, p.id == cm.post_id)
        .join(m.community, c.id == p.community_id)
        .where(~c.removed, ~c.deleted, ~p.removed)
    )
    if f.post_id is not None:
        query = query.where(cm.post_id == f.post_id)
    if f.parent_path is not None:
        query = query.where(cm.path >= f.parent_path, cm.path < f.parent_path + "~")
    if f.community_id is not None:
        query = query.where(p.community_id == f.community_id)
    if f.creator_id is not None:
        query = query.where(cm.creator_id == f.creator_id)
    if f.listing_type == "Local":
        query = query.where(c.local)
    if f.top_window_since is not None:
        query = query.where(cm.published > f.top_window_since)
    moderator_view = f.listing_type == "ModeratorView"
    if f.viewer_id is not None:
        me = f.viewer_id
        if f.listing_type == "Subscribed":
            query = query.where(p.community_id.in_(_follows(me)))
        if moderator_view:
            t = m.community_moderator
            query = query.where(
                p.community_id.in_(sa.select(t.c.community_id).where(t.c.person_id == me))
            )
        if f.liked_only or f.disliked_only:
            t = m.comment_like
            query = query.where(
                cm.id.in_(
                    sa.select(t.c.comment_id).where(
                        t.c.person_id == me, t.c.score == (1 if f.liked_only else -1)
                    )
                )
            )
        # Moderators see everything in their communities, blocked authors too (as posts).
        if f.creator_id is None and not moderator_view:
            b = m.person_block
            query = query.where(
                ~cm.creator_id.in_(sa.select(b.c.target_id).where(b.c.person_id == me)),
                ~c.instance_id.in_(blocked_instances(me)),
            )
        if (
            f.creator_id is None
            and f.post_id is None
            and f.community_id is None
            and not moderator_view
        ):
            # Across communities, a blocked one's comments are gone as its posts are; a
            # thread or community opened on purpose still shows them.
            cb = m.community_block
            query = query.where(
                ~p.community_id.in_(sa.select(cb.c.community_id).where(cb.c.person_id == me))
            )
    order = list(_COMMENT_SORTS[f.sort])
    if f.saved_only and f.viewer_id is not None:
        saved = m.comment_saved
        query = query.join(
            saved, sa.and_(saved.c.comment_id == cm.id, saved.c.person_id == f.viewer_id)
        )
        order = [(saved.c.published, True), *order]
    in_thread = f.post_id is not None or f.parent_path is not None
    if in_thread:  # a thread shows its distinguished comments first
        order = [(cm.distinguished, True), *order]
    if f.max_depth is not None:
        # A tree fetch, as Lemmy: max_depth levels below the parent (or below the post, for
        # the whole thread), one fixed page, and in a thread every parent before its
        # replies. Without max_depth a thread is a plain page in the sort asked for.
        above = len(f.parent_path) // PATH_WIDTH if f.parent_path is not None else 0
        query = query.where(sa.func.length(cm.path) <= (above + f.max_depth) * PATH_WIDTH)
        limit, page = TREE_LIMIT, 1
        if in_thread:
            parent_of = sa.func.substr(cm.path, 1, sa.func.length(cm.path) - PATH_WIDTH)
            order = [(parent_of, False), *order]
    order.append((cm.id, order[-1][1]))
    return await conn.fetch_all(_ordered(query, order).limit(limit).offset(limit * (page - 1)))
