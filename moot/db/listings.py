"""Paging, the comment listing and the orders of communities and comments; the post
listing is moot/db/post_listing.py.

A listing is one query, ORDER BY matching an index, that stops after `limit` rows.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from moot.db import around
from moot.db import models as m
from moot.db.engine import Connection, Row
from moot.db.paths import PATH_WIDTH
from moot.db.prepared import Prepared
from moot.db.private import content_readable
from moot.db.types import UtcDateTime
from moot.errors import ApiError, ErrorCode

PAGE_MAX = 100_000  # pages past this are refused; cursors are for going deep
LIMIT_MAX = 50
LIMIT_DEFAULT = 10
TREE_LIMIT = 300  # a max_depth fetch returns at most this many comments, as Lemmy

p = m.post.c


def check_page(page: int | None, limit: int | None, code: ErrorCode) -> tuple[int, int]:
    page = 1 if page is None else page
    limit = LIMIT_DEFAULT if limit is None else limit
    if not 1 <= page <= PAGE_MAX or not 1 <= limit <= LIMIT_MAX:
        raise ApiError(code, f"page is 1 to {PAGE_MAX}, limit 1 to {LIMIT_MAX}")
    return page, limit


def follows_of(person_id: int | sa.BindParameter[int]) -> sa.Select[tuple[int]]:
    """The communities a person follows."""
    t = m.community_follower
    return sa.select(t.c.community_id).where(t.c.person_id == person_id)


def blocked_instances(person_id: int | sa.BindParameter[int]) -> sa.Select[tuple[int]]:
    """The instances a person blocks: the content of their communities is hidden from them
    (Lemmy 0.19 goes by the community's instance, not the author's)."""
    t = m.instance_block
    return sa.select(t.c.instance_id).where(t.c.person_id == person_id)


def instances_with_blocked_persons(
    person_id: int | sa.BindParameter[int],
) -> sa.Select[tuple[int]]:
    """The instances whose persons a person blocks (Lemmy 1.0): their posts, comments and
    messages are hidden from them, as a person block hides one person's."""
    t = m.instance_person_block
    return sa.select(t.c.instance_id).where(t.c.person_id == person_id)


def blocks_instance_persons(viewer: Any) -> bool:
    """Whether a viewer (an auth.Viewer, or None) blocks some instance's persons: the
    count on their local_user row, read with the viewer."""
    return viewer is not None and bool(viewer.local_user.get("instance_person_block_count"))


def not_by_blocked_instance(
    creator_id: sa.ColumnElement[int], person_id: int | sa.BindParameter[int]
) -> sa.ColumnElement[bool]:
    """The row's creator (`creator_id`) is not of an instance whose persons `person_id`
    blocks: per row, a primary-key look-up of the creator's instance (person has no index
    by instance, and a blocked instance may have thousands of persons here)."""
    creator = m.person.alias("creator_of_row")
    home = sa.select(creator.c.instance_id).where(creator.c.id == creator_id).scalar_subquery()
    return ~home.in_(instances_with_blocked_persons(person_id))


def ordered(
    query: sa.Select[Any], order: list[tuple[sa.ColumnElement[Any], bool]]
) -> sa.Select[Any]:
    return query.order_by(*[col.desc() if desc else col.asc() for col, desc in order])


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
    # API v4's community sorts that have no post sort of the same meaning.
    "NameAsc": "name",
    "NameDesc": "name",
    "Posts": "posts",
    "SubscribersLocal": "subscribers_local",
}


def community_order(sort: str) -> list[sa.UnaryExpression[object]]:
    c = m.community.c
    column = c[COMMUNITY_SORT_COLUMNS[sort]]
    if sort in ("Old", "NameAsc"):
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
    # Only comments newer than this one (a live stream's "since the page was made").
    after_id: int | None = None
    # The viewer blocks some instance's persons (PostFilter.instance_persons_filtered).
    instance_persons_filtered: bool = False


_POST = sa.bindparam("post_id", type_=sa.Integer)
_COMMUNITY = sa.bindparam("community_id", type_=sa.Integer)
_CREATOR = sa.bindparam("creator_id", type_=sa.Integer)
_ME = sa.bindparam("me", type_=sa.Integer)
_GIVEN_TIME = datetime.min.replace(tzinfo=UTC)


async def list_comments(conn: Connection, f: CommentFilter, page: int, limit: int) -> list[Row]:
    """The page of comments `f` lists: its statement is built once per variant of the
    filter (which ids are given, the sort…), the values are its parameters."""
    params, variant = _comment_params(f, page, limit)
    return await conn.run(_COMMENTS, params, variant)


async def list_comments_around(
    conn: Connection,
    f: CommentFilter,
    page: int,
    limit: int,
    comment_columns: Sequence[str],
    person_columns: Sequence[str],
) -> list[Row]:
    """The page `list_comments` gives, each row with only the `comment_columns` and what
    `around.comment_columns` reads (creator, flags, the viewer's marks), and the ids of its
    post (`p_id`) and community (`c_id`), whose columns `around.threads` reads once."""
    params, variant = _comment_params(f, page, limit)
    params.update(around.around_params(f.viewer_id))
    return await conn.run(
        _COMMENTS_AROUND, params, (variant, tuple(comment_columns), tuple(person_columns))
    )


def _comment_params(f: CommentFilter, page: int, limit: int) -> tuple[dict[str, Any], Hashable]:
    """The values of a comment listing's statement, and its variant."""
    above = len(f.parent_path) // PATH_WIDTH if f.parent_path is not None else 0
    if f.max_depth is not None:
        # A tree fetch, as Lemmy: one fixed page (see _comments_query).
        limit, page = TREE_LIMIT, 1
    params = {
        "post_id": f.post_id,
        "parent_path": f.parent_path,
        "parent_end": f.parent_path + "~" if f.parent_path is not None else None,
        "community_id": f.community_id,
        "creator_id": f.creator_id,
        "after_id": f.after_id,
        "me": f.viewer_id,
        "since": f.top_window_since,
        "path_length": (above + (f.max_depth or 0)) * PATH_WIDTH,
        "limit": limit,
        "offset": limit * (page - 1),
    }
    variant = replace(
        f,
        post_id=given(f.post_id),
        parent_path="" if f.parent_path is not None else None,
        community_id=given(f.community_id),
        creator_id=given(f.creator_id),
        after_id=given(f.after_id),
        max_depth=given(f.max_depth),
        viewer_id=given(f.viewer_id),
        # Any given window is one variant: the time itself is a parameter.
        top_window_since=_GIVEN_TIME if f.top_window_since is not None else None,
    )
    return params, variant


def given(value: int | None) -> int | None:
    """A filter's id reduced to whether it is given (0) or not (None): the statement's
    text depends on that, the id itself is a parameter."""
    return None if value is None else 0


_Order = list[tuple[sa.ColumnElement[Any], bool]]


def _comments_query(dialect: str, f: CommentFilter) -> tuple[sa.Select[Any], _Order]:
    """Every column of the comments `f` lists, and their order."""
    c = m.community.c
    query = (
        sa.select(m.comment)
        .join(m.post, p.id == cm.post_id)
        .join(m.community, c.id == p.community_id)
        .where(~c.removed, ~c.deleted, ~p.removed)
        .where(content_readable(_ME if f.viewer_id is not None else None))
    )
    if f.post_id is not None:
        query = query.where(cm.post_id == _POST)
    if f.parent_path is not None:
        query = query.where(
            cm.path >= sa.bindparam("parent_path", type_=sa.String),
            cm.path < sa.bindparam("parent_end", type_=sa.String),
        )
    if f.community_id is not None:
        query = query.where(p.community_id == _COMMUNITY)
    if f.creator_id is not None:
        query = query.where(cm.creator_id == _CREATOR)
    if f.after_id is not None:
        query = query.where(cm.id > sa.bindparam("after_id", type_=sa.Integer))
    if f.listing_type == "Local":
        query = query.where(c.local)
    if f.top_window_since is not None:
        query = query.where(cm.published > sa.bindparam("since", type_=UtcDateTime))
    moderator_view = f.listing_type == "ModeratorView"
    if f.viewer_id is not None:
        me = _ME
        if f.listing_type == "Subscribed":
            query = query.where(p.community_id.in_(follows_of(me)))
        if moderator_view:
            t = m.community_moderator
            query = query.where(
                p.community_id.in_(sa.select(t.c.community_id).where(t.c.person_id == me))
            )
        if f.liked_only or f.disliked_only:
            t = m.comment_like
            score: sa.ColumnElement[int] = sa.literal_column("1" if f.liked_only else "-1")
            query = query.where(
                cm.id.in_(sa.select(t.c.comment_id).where(t.c.person_id == me, t.c.score == score))
            )
        # Moderators see everything in their communities, blocked authors too (as posts).
        if f.creator_id is None and not moderator_view:
            b = m.person_block
            query = query.where(
                ~cm.creator_id.in_(sa.select(b.c.target_id).where(b.c.person_id == me)),
                ~c.instance_id.in_(blocked_instances(me)),
            )
            if f.instance_persons_filtered:
                query = query.where(not_by_blocked_instance(cm.creator_id, me))
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
        query = query.join(saved, sa.and_(saved.c.comment_id == cm.id, saved.c.person_id == _ME))
        order = [(saved.c.published, True), *order]
    in_thread = f.post_id is not None or f.parent_path is not None
    if in_thread:  # a thread shows its distinguished comments first
        order = [(cm.distinguished, True), *order]
    if f.max_depth is not None:
        # A tree fetch, as Lemmy: max_depth levels below the parent (or below the post, for
        # the whole thread), one fixed page, and in a thread every parent before its
        # replies. Without max_depth a thread is a plain page in the sort asked for.
        path_length = sa.bindparam("path_length", type_=sa.Integer)
        query = query.where(sa.func.length(cm.path) <= path_length)
        if in_thread:
            parent_of = sa.func.substr(cm.path, 1, sa.func.length(cm.path) - PATH_WIDTH)
            order = [(parent_of, False), *order]
    order.append((cm.id, order[-1][1]))
    return query, order


def _paged(query: sa.Select[Any], order: _Order) -> sa.Select[Any]:
    limit = sa.bindparam("limit", type_=sa.Integer)
    return ordered(query, order).limit(limit).offset(sa.bindparam("offset", type_=sa.Integer))


def _comments_statement(dialect: str, f: CommentFilter) -> sa.Select[Any]:
    return _paged(*_comments_query(dialect, f))


_COMMENTS = Prepared(_comments_statement)


def _comments_around_statement(
    dialect: str, variant: tuple[CommentFilter, tuple[str, ...], tuple[str, ...]]
) -> sa.Select[Any]:
    """The page is cut from the comments alone, carrying its order's keys; the columns
    and flags are then read for its rows only, and the page sorted again by those keys
    (the last is the id: no ties)."""
    f, comment_columns, person_columns = variant
    query, order = _comments_query(dialect, f)
    keys = [column.label(f"key{i}") for i, (column, _) in enumerate(order)]
    page = _paged(query.with_only_columns(cm.id, *keys), order).subquery("page")
    comment, post, creator = m.comment, m.post, m.person
    signed_in = f.viewer_id is not None
    return ordered(
        sa.select(
            *[comment.c[name] for name in comment_columns],
            post.c.id.label("p_id"),
            post.c.community_id.label("c_id"),
            *around.comment_columns(comment, post, creator, person_columns, signed_in),
        )
        .select_from(page)
        .join(comment, comment.c.id == page.c.id)
        .join(post, post.c.id == comment.c.post_id)
        .join(creator, creator.c.id == comment.c.creator_id),
        [(page.c[f"key{i}"], desc) for i, (_, desc) in enumerate(order)],
    )


_COMMENTS_AROUND = Prepared(_comments_around_statement)
