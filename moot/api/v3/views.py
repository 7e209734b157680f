"""Assemble Lemmy's *View shapes (PostView, CommentView, …) for a viewer, in batches."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import sqlalchemy as sa

from moot.api.v3 import shapes
from moot.api.v3.shapes import Json
from moot.auth import Viewer
from moot.db import models as m
from moot.db import queries as q
from moot.db.around import Around, Once, around_comments, around_posts
from moot.db.around import threads as around_threads
from moot.db.engine import Connection, Row

# The creator, community and (of a comment) post, as moot/db/around.py prefixes them.
_CREATOR = shapes.PERSON.prefixed("u_")
_COMMUNITY = shapes.COMMUNITY.prefixed("c_")
_POST = shapes.POST.prefixed("p_")


class _Surroundings:
    """The creators, communities and posts an answer has shaped."""

    def __init__(self) -> None:
        self.creator = Once(_CREATOR, "u_id")
        self.community = Once(_COMMUNITY, "c_id")
        self.post = Once(_POST, "p_id")


def _subscription(pending: bool | None) -> str:
    """A follow's state, from its `pending` flag (None: no follow)."""
    return "NotSubscribed" if pending is None else "Pending" if pending else "Subscribed"


def _add_around(view: Json, row: Row, viewer: Viewer | None, shaped: _Surroundings) -> None:
    """The keys every post or comment view shares, from its `moot.db.around` row, added to
    `view` in their order (no dict built and copied per item)."""
    pending = row.get("follow_pending")
    view["creator"] = shaped.creator(row)
    view["community"] = shaped.community(row)
    view["creator_banned_from_community"] = bool(row["creator_banned_from_community"])
    view["banned_from_community"] = viewer is not None and bool(row["banned_from_community"])
    view["creator_is_moderator"] = bool(row["creator_is_moderator"])
    view["creator_is_admin"] = bool(row["creator_is_admin"])
    view["subscribed"] = _subscription(pending)
    view["creator_blocked"] = viewer is not None and bool(row["creator_blocked"])


# What a post or comment view shows of its creator and community (`moot.db.around`).
AROUND = Around(
    shapes.PERSON_COLUMNS, shapes.COMMUNITY_COLUMNS, shapes.POST_COLUMNS, moments_as_text=True
)


async def post_views(conn: Connection, posts: Sequence[Row], viewer: Viewer | None) -> list[Json]:
    if not posts:
        return []
    around = await around_posts(
        conn,
        [int(p["id"]) for p in posts],
        viewer.person_id if viewer is not None else None,
        AROUND.person,
        AROUND.community,
    )
    shaped = _Surroundings()
    return [post_view(p, around[int(p["id"])], viewer, shaped) for p in posts]


def listed_post_views(rows: Sequence[Row], viewer: Viewer | None) -> list[Json]:
    """The views of a listing's rows that carry their `around_posts` columns
    (`list_posts(…, around=AROUND)`)."""
    shaped = _Surroundings()
    return [post_view(row, row, viewer, shaped) for row in rows]


def post_view(p: Row, row: Row, viewer: Viewer | None, shaped: _Surroundings | None = None) -> Json:
    """A post's view from its row and its `around_posts` row (or an action's reading of
    the same columns: `votes.Voted`); `shaped`, what the answer has shaped already."""
    shaped = shaped or _Surroundings()
    seen = row.get("read_comments")
    view: Json = {"post": shapes.post(p)}
    _add_around(view, row, viewer, shaped)
    view["counts"] = shapes.post_counts(p)
    view["saved"] = bool(row.get("saved"))
    view["read"] = seen is not None
    view["hidden"] = bool(row.get("hidden"))
    view["unread_comments"] = int(p["comments"]) - int(seen or 0)
    if row.get("my_vote") is not None:
        view["my_vote"] = int(row["my_vote"])
    return view


async def comment_views(
    conn: Connection, comments: Sequence[Row], viewer: Viewer | None
) -> list[Json]:
    if not comments:
        return []
    around = await around_comments(
        conn,
        [int(c["id"]) for c in comments],
        viewer.person_id if viewer is not None else None,
        AROUND.person,
        AROUND.community,
        AROUND.post,
    )
    shaped = _Surroundings()
    return [comment_view(c, around[int(c["id"])], viewer, shaped) for c in comments]


async def listed_comment_views(
    conn: Connection, rows: Sequence[Row], viewer: Viewer | None
) -> list[Json]:
    """The views of a page `listings.list_comments_around` read: each row holds the
    comment and its own surroundings; the posts and communities are read here, once."""
    if not rows:
        return []
    shaped = _Surroundings()
    threads = await around_threads(
        conn, {int(r["p_id"]) for r in rows}, AROUND.post, AROUND.community
    )
    for thread in threads:  # shaped now, found by id for each comment
        shaped.post(thread)
        shaped.community(thread)
    return [comment_view(c, c, viewer, shaped) for c in rows]


def comment_view(
    c: Row, row: Row, viewer: Viewer | None, shaped: _Surroundings | None = None
) -> Json:
    """A comment's view from its row and its `around_comments` row (or an action's
    reading of the same columns: `comments.Created`); `shaped`, what the answer has
    shaped already."""
    shaped = shaped or _Surroundings()
    sees_everything = viewer is not None and viewer.is_admin
    gone = bool(c["deleted"] or c["removed"])
    comment = shapes.comment(c, hide_content=gone and not sees_everything)
    view: Json = {"comment": comment}
    _add_around(view, row, viewer, shaped)
    view["post"] = shaped.post(row)
    view["counts"] = shapes.comment_counts(c, comment["published"])
    view["saved"] = bool(row.get("saved"))
    if row.get("my_vote") is not None:
        view["my_vote"] = int(row["my_vote"])
    return view


async def community_views(
    conn: Connection, communities: Sequence[Row], viewer: Viewer | None
) -> list[Json]:
    ids = {int(c["id"]) for c in communities}
    follows: dict[int, bool] = {}
    blocked: set[int] = set()
    banned: set[tuple[int, int]] = set()
    if viewer is not None:
        follows = await q.follows(conn, viewer.person_id, ids)
        blocked = await q.person_marks(
            conn, m.community_block, "community_id", viewer.person_id, ids
        )
        banned = await q.banned_pairs(conn, ids, {viewer.person_id})
    return [
        {
            "community": shapes.community(c),
            "subscribed": _subscription(follows.get(int(c["id"]))),
            "blocked": int(c["id"]) in blocked,
            "counts": shapes.community_counts(c),
            "banned_from_community": any(pair[0] == int(c["id"]) for pair in banned),
        }
        for c in communities
    ]


async def community_view(conn: Connection, community: Row, viewer: Viewer | None) -> Json:
    return (await community_views(conn, [community], viewer))[0]


async def person_views(conn: Connection, persons: Sequence[Row]) -> list[Json]:
    admins = await q.admin_person_ids(conn, {int(p["id"]) for p in persons})
    return [shapes.person_view(p, int(p["id"]) in admins) for p in persons]


async def moderator_views(
    conn: Connection,
    community_ids: Sequence[int],
    community: Callable[[Row], Json] = shapes.community,
    person: Callable[[Row], Json] = shapes.person,
) -> list[Json]:
    """CommunityModeratorView list, top moderator first, its community and person in the
    shapes given (API v4 passes its own)."""
    rows = await q.community_moderators(conn, community_ids)
    communities = await q.rows_by_id(conn, m.community, {int(r["community_id"]) for r in rows})
    persons = await q.rows_by_id(conn, m.person, {int(r["person_id"]) for r in rows})
    return [
        {
            "community": community(communities[int(r["community_id"])]),
            "moderator": person(persons[int(r["person_id"])]),
        }
        for r in rows
    ]


def moderates_of(person: Row, communities: Sequence[Row]) -> list[Json]:
    """CommunityModeratorView list of one moderator."""
    me = shapes.person(person)
    return [{"community": shapes.community(c), "moderator": me} for c in communities]


async def moderates(conn: Connection, person: Row) -> list[Json]:
    """CommunityModeratorView list of the communities `person` moderates, by id."""
    mod = m.community_moderator
    communities = await conn.fetch_all(
        sa.select(*[m.community.c[name] for name in shapes.COMMUNITY_COLUMNS])
        .join(mod, mod.c.community_id == m.community.c.id)
        .where(mod.c.person_id == person["id"])
        .order_by(mod.c.community_id)
    )
    return moderates_of(person, communities)
