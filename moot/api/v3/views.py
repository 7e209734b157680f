"""Assemble Lemmy's *View shapes (PostView, CommentView, …) for a viewer, in batches."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from moot.api.v3 import shapes
from moot.api.v3.shapes import Json
from moot.auth import Viewer
from moot.db import models as m
from moot.db import queries as q
from moot.db.engine import Connection, Row


def _subscribed(follows: dict[int, bool], community_id: int) -> str:
    if community_id not in follows:
        return "NotSubscribed"
    return "Pending" if follows[community_id] else "Subscribed"


async def post_views(conn: Connection, posts: Sequence[Row], viewer: Viewer | None) -> list[Json]:
    if not posts:
        return []
    post_ids = [int(p["id"]) for p in posts]
    creator_ids = {int(p["creator_id"]) for p in posts}
    community_ids = {int(p["community_id"]) for p in posts}
    persons = await q.rows_by_id(conn, m.person, creator_ids)
    communities = await q.rows_by_id(conn, m.community, community_ids)
    admins = await q.admin_person_ids(conn, creator_ids)
    mods = await q.moderator_pairs(conn, community_ids, creator_ids)
    banned = await q.banned_pairs(conn, community_ids, creator_ids)
    follows: dict[int, bool] = {}
    saved: set[int] = set()
    hidden: set[int] = set()
    blocked: set[int] = set()
    my_votes: dict[int, int] = {}
    seen: dict[int, int] = {}
    viewer_banned: set[tuple[int, int]] = set()
    if viewer is not None:
        pid = viewer.person_id
        follows = await q.follows(conn, pid, community_ids)
        saved = await q.person_marks(conn, m.post_saved, "post_id", pid, post_ids)
        hidden = await q.person_marks(conn, m.post_hide, "post_id", pid, post_ids)
        blocked = await q.person_marks(conn, m.person_block, "target_id", pid, creator_ids)
        my_votes = await q.votes(conn, m.post_like, "post_id", pid, post_ids)
        seen = await q.read_comments(conn, pid, post_ids)
        viewer_banned = await q.banned_pairs(conn, community_ids, {pid})

    out = []
    for p in posts:
        cid, creator = int(p["community_id"]), int(p["creator_id"])
        view: Json = {
            "post": shapes.post(p),
            "creator": shapes.person(persons[creator]),
            "community": shapes.community(communities[cid]),
            "creator_banned_from_community": (cid, creator) in banned,
            "banned_from_community": bool(viewer_banned),
            "creator_is_moderator": (cid, creator) in mods,
            "creator_is_admin": creator in admins,
            "counts": shapes.post_counts(p),
            "subscribed": _subscribed(follows, cid),
            "saved": int(p["id"]) in saved,
            "read": int(p["id"]) in seen,
            "hidden": int(p["id"]) in hidden,
            "creator_blocked": creator in blocked,
            "unread_comments": int(p["comments"]) - seen.get(int(p["id"]), 0),
        }
        if int(p["id"]) in my_votes:
            view["my_vote"] = my_votes[int(p["id"])]
        out.append(view)
    return out


async def comment_views(
    conn: Connection, comments: Sequence[Row], viewer: Viewer | None
) -> list[Json]:
    if not comments:
        return []
    comment_ids = [int(c["id"]) for c in comments]
    creator_ids = {int(c["creator_id"]) for c in comments}
    posts = await q.rows_by_id(conn, m.post, {int(c["post_id"]) for c in comments})
    community_ids = {int(p["community_id"]) for p in posts.values()}
    persons = await q.rows_by_id(conn, m.person, creator_ids)
    communities = await q.rows_by_id(conn, m.community, community_ids)
    admins = await q.admin_person_ids(conn, creator_ids)
    mods = await q.moderator_pairs(conn, community_ids, creator_ids)
    banned = await q.banned_pairs(conn, community_ids, creator_ids)
    follows: dict[int, bool] = {}
    saved: set[int] = set()
    blocked: set[int] = set()
    my_votes: dict[int, int] = {}
    viewer_banned: set[tuple[int, int]] = set()
    if viewer is not None:
        pid = viewer.person_id
        follows = await q.follows(conn, pid, community_ids)
        saved = await q.person_marks(conn, m.comment_saved, "comment_id", pid, comment_ids)
        blocked = await q.person_marks(conn, m.person_block, "target_id", pid, creator_ids)
        my_votes = await q.votes(conn, m.comment_like, "comment_id", pid, comment_ids)
        viewer_banned = await q.banned_pairs(conn, community_ids, {pid})
    sees_everything = viewer is not None and viewer.is_admin

    out = []
    for c in comments:
        post = posts[int(c["post_id"])]
        cid, creator = int(post["community_id"]), int(c["creator_id"])
        gone = bool(c["deleted"] or c["removed"])
        view: Json = {
            "comment": shapes.comment(c, hide_content=gone and not sees_everything),
            "creator": shapes.person(persons[creator]),
            "post": shapes.post(post),
            "community": shapes.community(communities[cid]),
            "counts": shapes.comment_counts(c),
            "creator_banned_from_community": (cid, creator) in banned,
            "banned_from_community": bool(viewer_banned),
            "creator_is_moderator": (cid, creator) in mods,
            "creator_is_admin": creator in admins,
            "subscribed": _subscribed(follows, cid),
            "saved": int(c["id"]) in saved,
            "creator_blocked": creator in blocked,
        }
        if int(c["id"]) in my_votes:
            view["my_vote"] = my_votes[int(c["id"])]
        out.append(view)
    return out


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


async def moderates(conn: Connection, person_id: int) -> list[Json]:
    rows = await conn.fetch_all(
        sa.select(m.community_moderator.c.community_id)
        .where(m.community_moderator.c.person_id == person_id)
        .order_by(m.community_moderator.c.community_id)
    )
    ids = [int(r["community_id"]) for r in rows]
    persons = await q.rows_by_id(conn, m.person, {person_id})
    communities = await q.rows_by_id(conn, m.community, ids)
    return [
        {
            "community": shapes.community(communities[i]),
            "moderator": shapes.person(persons[person_id]),
        }
        for i in ids
    ]
