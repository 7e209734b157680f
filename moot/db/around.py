"""What a page of posts or comments says around each item — its creator, its community,
the flags about the creator there (admin, moderator, banned) and the viewer's own marks
(follow, block, ban, saved, hidden, vote, read) — in one statement for the whole page.

Each fact is an EXISTS or a scalar subquery on the item's row, answered by the primary key
or unique index of a small table (a page is at most 50 posts or 300 comments), so the
page's items are looked up once instead of once per kind of fact. The person and
community columns come prefixed (`u_`, `c_`; the post's, for a comment, `p_`) and only the
ones the caller names (the JSON shapes' columns: no keys, no rendered HTML).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from moot.db import models as m
from moot.db.engine import Connection, Row
from moot.db.prepared import Prepared, among
from moot.db.types import UtcDateTime, rfc3339_text, utcnow

# The viewer's person id and the time, in the statements built once.
_VIEWER = sa.bindparam("viewer", type_=sa.Integer)
_NOW = sa.bindparam("now", type_=UtcDateTime)


@dataclass(frozen=True)
class Around:
    """The creator's, the community's and the post's columns a caller shows (its JSON
    shapes'): a comment's post, or a listing's own page (all of it when none are named)."""

    person: Sequence[str]
    community: Sequence[str]
    post: Sequence[str] = ()
    # Moments read as the API writes them (`types.rfc3339_text`), written by the database:
    # SQLite keeps them as text, which would otherwise be parsed into datetimes only to be
    # written out again, and asyncpg's decoding of a timestamptz costs more than the text.
    # For the API's JSON only (its shapes pass text through); pages want datetimes.
    moments_as_text: bool = False


def _prefixed(
    table: sa.FromClause, prefix: str, names: Sequence[str], moments_as_text: bool = False
) -> list[Any]:
    return [
        moment_or_column(table.c[name], moments_as_text).label(f"{prefix}{name}") for name in names
    ]


def moment_or_column(column: sa.ColumnElement[Any], as_text: bool) -> sa.ColumnElement[Any]:
    """`column`, or its text (`rfc3339_text`) if it holds a moment and `as_text`."""
    return rfc3339_text(column) if as_text and isinstance(column.type, UtcDateTime) else column


def _flags(
    community_id: sa.ColumnElement[int],
    creator_id: sa.ColumnElement[int],
    viewer: Any | None,
    now: Any = _NOW,
) -> list[Any]:
    """The creator's flags, and with a `viewer` (a parameter or a value) theirs."""
    lu, mod, ban = m.local_user, m.community_moderator, m.community_person_ban
    in_force = sa.or_(ban.c.expires.is_(None), ban.c.expires > now)
    flags: list[Any] = [
        sa.exists().where(lu.c.person_id == creator_id, lu.c.admin).label("creator_is_admin"),
        sa.exists()
        .where(mod.c.community_id == community_id, mod.c.person_id == creator_id)
        .label("creator_is_moderator"),
        sa.exists()
        .where(ban.c.community_id == community_id, ban.c.person_id == creator_id, in_force)
        .label("creator_banned_from_community"),
    ]
    if viewer is None:
        return flags
    follow, block = m.community_follower, m.person_block
    return [
        *flags,
        # v3 has no ApprovalRequired: a follow awaiting approval reads as Pending there.
        sa.select(sa.or_(follow.c.pending, follow.c.approval_required))
        .where(follow.c.person_id == viewer, follow.c.community_id == community_id)
        .scalar_subquery()
        .label("follow_pending"),
        sa.exists()
        .where(block.c.person_id == viewer, block.c.target_id == creator_id)
        .label("creator_blocked"),
        sa.exists()
        .where(ban.c.community_id == community_id, ban.c.person_id == viewer, in_force)
        .label("banned_from_community"),
    ]


def _mark(table: sa.Table, key: str, item_id: Any, viewer: Any, label: str) -> Any:
    return sa.exists().where(table.c.person_id == viewer, table.c[key] == item_id).label(label)


def _value(table: sa.Table, key: str, column: str, item_id: Any, viewer: Any) -> Any:
    return (
        sa.select(table.c[column])
        .where(table.c.person_id == viewer, table.c[key] == item_id)
        .scalar_subquery()
    )


def post_columns(
    creator: sa.FromClause,
    community: sa.FromClause,
    viewer: Any | None,
    person_columns: Sequence[str],
    community_columns: Sequence[str],
    now: Any = None,
    post: sa.FromClause = m.post,
    moments_as_text: bool = False,
) -> list[Any]:
    """The columns `around_posts` reads for each post, for a statement whose FROM has the
    `post` (the table, or a page of its rows), its `creator` and its `community` (a vote
    reads them with the post it locks, a listing with its page).
    `viewer` and `now`: parameters (the statement built once) or values (now by default)."""
    now = utcnow() if now is None else now
    p = post
    columns: list[Any] = [
        *_prefixed(creator, "u_", person_columns, moments_as_text),
        *_prefixed(community, "c_", community_columns, moments_as_text),
        *_flags(p.c.community_id, p.c.creator_id, viewer, now),
    ]
    if viewer is not None:
        columns += [
            _mark(m.post_saved, "post_id", p.c.id, viewer, "saved"),
            _mark(m.post_hide, "post_id", p.c.id, viewer, "hidden"),
            _value(m.post_like, "post_id", "score", p.c.id, viewer).label("my_vote"),
            _value(m.post_read, "post_id", "read_comments", p.c.id, viewer).label("read_comments"),
        ]
    return columns


def new_comment_flags(creator_id: Any, now: Any = None) -> list[Any]:
    """The flags `around_comments` reads, for a comment `creator_id` is about to write
    on the post of the statement's FROM (they view it themselves). `creator_id` and
    `now`: values, or the parameters of a statement built once (`comment_target.TARGET`)."""
    creator = creator_id if isinstance(creator_id, sa.BindParameter) else sa.literal(creator_id)
    return _flags(m.post.c.community_id, creator, creator_id, utcnow() if now is None else now)


def around_params(viewer_id: int | None) -> dict[str, Any]:
    """The values of the viewer and time parameters in the columns made here."""
    return {"viewer": viewer_id, "now": utcnow()}


def _params(ids: Collection[int], viewer_id: int | None) -> dict[str, Any]:
    return {"ids": sorted(set(ids)), **around_params(viewer_id)}


def _posts_statement(dialect: str, variant: tuple[Sequence[str], Sequence[str], bool]) -> Any:
    person_columns, community_columns, signed_in = variant
    p, u, c = m.post, m.person, m.community
    viewer = _VIEWER if signed_in else None
    return (
        sa.select(p.c.id, *post_columns(u, c, viewer, person_columns, community_columns, _NOW))
        .select_from(p)
        .join(u, u.c.id == p.c.creator_id)
        .join(c, c.c.id == p.c.community_id)
        .where(among(p.c.id, "ids", dialect))
    )


_POSTS = Prepared(_posts_statement)


async def around_posts(
    conn: Connection,
    post_ids: Collection[int],
    viewer_id: int | None,
    person_columns: Sequence[str],
    community_columns: Sequence[str],
) -> dict[int, Row]:
    """post id → its creator (`u_…`), community (`c_…`), flags and the viewer's marks
    (`saved`, `hidden`, `my_vote`, `read_comments`: None when not read)."""
    if not post_ids:
        return {}
    variant = (tuple(person_columns), tuple(community_columns), viewer_id is not None)
    rows = await conn.run(_POSTS, _params(post_ids, viewer_id), variant)
    return {int(r["id"]): r for r in rows}


def comment_columns(
    comment: sa.FromClause,
    post: sa.FromClause,
    creator: sa.FromClause,
    person_columns: Sequence[str],
    signed_in: bool,
) -> list[Any]:
    """What `around_comments` reads of each comment apart from its post and community: its
    creator (`u_…`), the flags and, `signed_in`, the viewer's marks; for a statement whose
    FROM has the comment, its post and its `creator`. Parameters: `around_params`."""
    viewer = _VIEWER if signed_in else None
    columns: list[Any] = [
        *_prefixed(creator, "u_", person_columns),
        *_flags(post.c.community_id, comment.c.creator_id, viewer),
    ]
    if signed_in:
        item_id = comment.c.id
        columns += [
            _mark(m.comment_saved, "comment_id", item_id, _VIEWER, "saved"),
            _value(m.comment_like, "comment_id", "score", item_id, _VIEWER).label("my_vote"),
        ]
    return columns


def _comments_statement(
    dialect: str, variant: tuple[Sequence[str], Sequence[str], Sequence[str], bool]
) -> Any:
    person_columns, community_columns, post_columns, signed_in = variant
    t, p, u, c = m.comment, m.post, m.person, m.community
    columns: list[Any] = [
        t.c.id,
        *_prefixed(p, "p_", post_columns),
        *_prefixed(c, "c_", community_columns),
        *comment_columns(t, p, u, person_columns, signed_in),
    ]
    return (
        sa.select(*columns)
        .select_from(t)
        .join(p, p.c.id == t.c.post_id)
        .join(u, u.c.id == t.c.creator_id)
        .join(c, c.c.id == p.c.community_id)
        .where(among(t.c.id, "ids", dialect))
    )


_COMMENTS = Prepared(_comments_statement)


async def around_comments(
    conn: Connection,
    comment_ids: Collection[int],
    viewer_id: int | None,
    person_columns: Sequence[str],
    community_columns: Sequence[str],
    post_columns: Sequence[str],
) -> dict[int, Row]:
    """comment id → its post (`p_…`), creator (`u_…`), the post's community (`c_…`),
    flags and the viewer's marks (`saved`, `my_vote`)."""
    if not comment_ids:
        return {}
    variant = (
        tuple(person_columns),
        tuple(community_columns),
        tuple(post_columns),
        viewer_id is not None,
    )
    rows = await conn.run(_COMMENTS, _params(comment_ids, viewer_id), variant)
    return {int(r["id"]): r for r in rows}


def _threads_statement(dialect: str, variant: tuple[Sequence[str], Sequence[str]]) -> Any:
    post_columns, community_columns = variant
    p, c = m.post, m.community
    return (
        sa.select(*_prefixed(p, "p_", post_columns), *_prefixed(c, "c_", community_columns))
        .select_from(p)
        .join(c, c.c.id == p.c.community_id)
        .where(among(p.c.id, "ids", dialect))
    )


_THREADS = Prepared(_threads_statement)


async def threads(
    conn: Connection,
    post_ids: Collection[int],
    post_columns: Sequence[str],
    community_columns: Sequence[str],
) -> list[Row]:
    """The posts (`p_…`) and their communities (`c_…`) of a page of comments whose rows
    carry only their own surroundings (`comment_columns`): a thread's 300 comments read
    their post and community once, not 300 times."""
    if not post_ids:
        return []
    params = {"ids": sorted(set(post_ids))}
    return await conn.run(_THREADS, params, (tuple(post_columns), tuple(community_columns)))


def unprefixed(row: Row, prefix: str) -> Row:
    """The columns of `row` that start with `prefix`, without it (see `Unprefixed`, for
    a page's rows)."""
    cut = len(prefix)
    return {key[cut:]: value for key, value in row.items() if key.startswith(prefix)}


class Once:
    """`make(row)` once per value of `row[key]` (a creator's, community's or post's id):
    a page's items share them (a thread's 300 comments have one post and one community),
    and what is made of one is the same wherever it appears."""

    def __init__(self, make: Callable[[Row], Row], key: str) -> None:
        self._make, self._key = make, key
        self._done: dict[Any, Row] = {}

    def __call__(self, row: Row) -> Row:
        key = row[self._key]
        found = self._done.get(key)
        if found is None:
            found = self._done[key] = self._make(row)
        return found


class Unprefixed:
    """The columns `names` of a row that come as `prefix` + name, without the prefix.
    Made once per (prefix, names): a page reads it for every item (a thread's 300
    comments, each with its creator), so it is a function generated once that reads each
    column by name into a dict display, as `shapes.Shape` is (a quarter of the time of
    `dict(zip(names, itemgetter(…)(row)))`)."""

    def __init__(self, prefix: str, names: Sequence[str]) -> None:
        self._names = tuple(names)
        # moot's own column names, never input, written as literals (`repr`).
        pairs = ", ".join(f"{name!r}: row[{prefix + name!r}]" for name in self._names)
        scope: dict[str, Any] = {}
        exec(f"def read(row):\n    return {{{pairs}}}", scope)  # the text above
        self._read: Callable[[Row], Row] = scope["read"]

    def __call__(self, row: Row) -> Row:
        return self._read(row)
