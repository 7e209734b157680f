"""Assemble Lemmy's *View shapes (PostView, CommentView, …) for a viewer, in batches."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

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


@dataclass(frozen=True)
class _Around:
    """What every post or comment view says about its creator and community, loaded once
    for a whole page."""

    persons: dict[int, Row]
    communities: dict[int, Row]
    admins: set[int]
    moderators: set[tuple[int, int]]
    creator_bans: set[tuple[int, int]]
    follows: dict[int, bool]
    blocked: set[int]
    viewer_bans: set[tuple[int, int]]
    viewer_id: int | None

    def view(self, community_id: int, creator_id: int) -> Json:
        return {
            "creator": shapes.person(self.persons[creator_id]),
            "community": shapes.community(self.communities[community_id]),
            "creator_banned_from_community": (community_id, creator_id) in self.creator_bans,
            "banned_from_community": (community_id, self.viewer_id) in self.viewer_bans,
            "creator_is_moderator": (community_id, creator_id) in self.moderators,
            "creator_is_admin": creator_id in self.admins,
            "subscribed": _subscribed(self.follows, community_id),
            "creator_blocked": creator_id in self.blocked,
        }


async def _around(
    conn: Connection, viewer: Viewer | None, creator_ids: set[int], community_ids: set[int]
) -> _Around:
    follows: dict[int, bool] = {}
    blocked: set[int] = set()
    viewer_bans: set[tuple[int, int]] = set()
    if viewer is not None:
        pid = viewer.person_id
        follows = await q.follows(conn, pid, community_ids)
        blocked = await q.person_marks(conn, m.person_block, "target_id", pid, creator_ids)
        viewer_bans = await q.banned_pairs(conn, community_ids, {pid})
    return _Around(
        persons=await q.rows_by_id(conn, m.person, creator_ids),
        communities=await q.rows_by_id(conn, m.community, community_ids),
        admins=await q.admin_person_ids(conn, creator_ids),
        moderators=await q.moderator_pairs(conn, community_ids, creator_ids),
        creator_bans=await q.banned_pairs(conn, community_ids, creator_ids),
        follows=follows,
        blocked=blocked,
        viewer_bans=viewer_bans,
        viewer_id=viewer.person_id if viewer is not None else None,
    )


async def post_views(conn: Connection, posts: Sequence[Row], viewer: Viewer | None) -> list[Json]:
    if not posts:
        return []
    post_ids = [int(p["id"]) for p in posts]
    around = await _around(
        conn, viewer, {int(p["creator_id"]) for p in posts}, {int(p["community_id"]) for p in posts}
    )
    saved: set[int] = set()
    hidden: set[int] = set()
    my_votes: dict[int, int] = {}
    seen: dict[int, int] = {}
    if viewer is not None:
        pid = viewer.person_id
        saved = await q.person_marks(conn, m.post_saved, "post_id", pid, post_ids)
        hidden = await q.person_marks(conn, m.post_hide, "post_id", pid, post_ids)
        my_votes = await q.votes(conn, m.post_like, "post_id", pid, post_ids)
        seen = await q.read_comments(conn, pid, post_ids)

    out = []
    for p in posts:
        post_id = int(p["id"])
        view: Json = {
            "post": shapes.post(p),
            **around.view(int(p["community_id"]), int(p["creator_id"])),
            "counts": shapes.post_counts(p),
            "saved": post_id in saved,
            "read": post_id in seen,
            "hidden": post_id in hidden,
            "unread_comments": int(p["comments"]) - seen.get(post_id, 0),
        }
        if post_id in my_votes:
            view["my_vote"] = my_votes[post_id]
        out.append(view)
    return out


async def comment_views(
    conn: Connection, comments: Sequence[Row], viewer: Viewer | None
) -> list[Json]:
    if not comments:
        return []
    comment_ids = [int(c["id"]) for c in comments]
    posts = await q.rows_by_id(conn, m.post, {int(c["post_id"]) for c in comments})
    around = await _around(
        conn,
        viewer,
        {int(c["creator_id"]) for c in comments},
        {int(p["community_id"]) for p in posts.values()},
    )
    saved: set[int] = set()
    my_votes: dict[int, int] = {}
    if viewer is not None:
        pid = viewer.person_id
        saved = await q.person_marks(conn, m.comment_saved, "comment_id", pid, comment_ids)
        my_votes = await q.votes(conn, m.comment_like, "comment_id", pid, comment_ids)
    sees_everything = viewer is not None and viewer.is_admin

    out = []
    for c in comments:
        comment_id = int(c["id"])
        post = posts[int(c["post_id"])]
        gone = bool(c["deleted"] or c["removed"])
        view: Json = {
            "comment": shapes.comment(c, hide_content=gone and not sees_everything),
            **around.view(int(post["community_id"]), int(c["creator_id"])),
            "post": shapes.post(post),
            "counts": shapes.comment_counts(c),
            "saved": comment_id in saved,
        }
        if comment_id in my_votes:
            view["my_vote"] = my_votes[comment_id]
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
