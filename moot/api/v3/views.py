"""Assemble Lemmy's *View shapes (PostView, CommentView, …) for a viewer, in batches."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from moot.api.v3 import shapes
from moot.api.v3.shapes import Json
from moot.auth import Viewer
from moot.db import models as m
from moot.db import queries as q
from moot.db.around import Around, around_comments, around_posts, unprefixed
from moot.db.engine import Connection, Row


def _subscribed(follows: dict[int, bool], community_id: int) -> str:
    if community_id not in follows:
        return "NotSubscribed"
    return "Pending" if follows[community_id] else "Subscribed"


def _around_view(row: Row, viewer: Viewer | None) -> Json:
    """The keys every post or comment view shares, from its `moot.db.around` row."""
    pending = row.get("follow_pending")
    return {
        "creator": shapes.person(unprefixed(row, "u_")),
        "community": shapes.community(unprefixed(row, "c_")),
        "creator_banned_from_community": bool(row["creator_banned_from_community"]),
        "banned_from_community": viewer is not None and bool(row["banned_from_community"]),
        "creator_is_moderator": bool(row["creator_is_moderator"]),
        "creator_is_admin": bool(row["creator_is_admin"]),
        "subscribed": (
            "NotSubscribed" if pending is None else "Pending" if pending else "Subscribed"
        ),
        "creator_blocked": viewer is not None and bool(row["creator_blocked"]),
    }


# What a post or comment view shows of its creator and community (`moot.db.around`).
AROUND = Around(shapes.PERSON_COLUMNS, shapes.COMMUNITY_COLUMNS, shapes.POST_COLUMNS)


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
    return [post_view(p, around[int(p["id"])], viewer) for p in posts]


def post_view(p: Row, row: Row, viewer: Viewer | None) -> Json:
    """A post's view from its row and its `around_posts` row (or an action's reading of
    the same columns: `votes.Voted`)."""
    seen = row.get("read_comments")
    view: Json = {
        "post": shapes.post(p),
        **_around_view(row, viewer),
        "counts": shapes.post_counts(p),
        "saved": bool(row.get("saved")),
        "read": seen is not None,
        "hidden": bool(row.get("hidden")),
        "unread_comments": int(p["comments"]) - int(seen or 0),
    }
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
        shapes.PERSON_COLUMNS,
        shapes.COMMUNITY_COLUMNS,
        shapes.POST_COLUMNS,
    )
    return [comment_view(c, around[int(c["id"])], viewer) for c in comments]


def comment_view(c: Row, row: Row, viewer: Viewer | None) -> Json:
    """A comment's view from its row and its `around_comments` row (or an action's
    reading of the same columns: `comments.Created`)."""
    sees_everything = viewer is not None and viewer.is_admin
    gone = bool(c["deleted"] or c["removed"])
    view: Json = {
        "comment": shapes.comment(c, hide_content=gone and not sees_everything),
        **_around_view(row, viewer),
        "post": shapes.post(unprefixed(row, "p_")),
        "counts": shapes.comment_counts(c),
        "saved": bool(row.get("saved")),
    }
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
            "subscribed": _subscribed(follows, int(c["id"])),
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


async def moderator_views(conn: Connection, community_ids: Sequence[int]) -> list[Json]:
    """CommunityModeratorView list, top moderator first."""
    rows = await q.community_moderators(conn, community_ids)
    communities = await q.rows_by_id(conn, m.community, {int(r["community_id"]) for r in rows})
    persons = await q.rows_by_id(conn, m.person, {int(r["person_id"]) for r in rows})
    return [
        {
            "community": shapes.community(communities[int(r["community_id"])]),
            "moderator": shapes.person(persons[int(r["person_id"])]),
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
