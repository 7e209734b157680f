"""Posts and comments with what a page shows beside them, loaded for a whole page at once
from the same batch look-ups the API's views use (moot/db/queries.py): never one query per
item."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from moot.auth import Viewer
from moot.db import models as m
from moot.db import queries as q
from moot.db.engine import Connection, Row


@dataclass(frozen=True)
class Byline:
    """Who wrote an item, where, and the viewer's marks on it."""

    creator: Row
    community: Row
    creator_is_admin: bool
    creator_is_mod: bool
    my_vote: int
    saved: bool
    mine: bool


@dataclass(frozen=True)
class PostCard:
    post: Row
    by: Byline


@dataclass(frozen=True)
class CommentItem:
    comment: Row
    post: Row
    by: Byline

    @property
    def gone(self) -> bool:
        return bool(self.comment["deleted"] or self.comment["removed"])


async def _facts(
    conn: Connection, creator_ids: set[int], community_ids: set[int]
) -> tuple[dict[int, Row], dict[int, Row], set[int], set[tuple[int, int]]]:
    return (
        await q.rows_by_id(conn, m.person, creator_ids),
        await q.rows_by_id(conn, m.community, community_ids),
        await q.admin_person_ids(conn, creator_ids),
        await q.moderator_pairs(conn, community_ids, creator_ids),
    )


async def post_cards(
    conn: Connection, posts: Sequence[Row], viewer: Viewer | None
) -> list[PostCard]:
    if not posts:
        return []
    ids = [int(p["id"]) for p in posts]
    persons, communities, admins, mods = await _facts(
        conn, {int(p["creator_id"]) for p in posts}, {int(p["community_id"]) for p in posts}
    )
    saved: set[int] = set()
    my_votes: dict[int, int] = {}
    if viewer is not None:
        saved = await q.person_marks(conn, m.post_saved, "post_id", viewer.person_id, ids)
        my_votes = await q.votes(conn, m.post_like, "post_id", viewer.person_id, ids)
    cards = []
    for p in posts:
        pid, creator, community = int(p["id"]), int(p["creator_id"]), int(p["community_id"])
        by = Byline(
            creator=persons[creator],
            community=communities[community],
            creator_is_admin=creator in admins,
            creator_is_mod=(community, creator) in mods,
            my_vote=my_votes.get(pid, 0),
            saved=pid in saved,
            mine=viewer is not None and viewer.person_id == creator,
        )
        cards.append(PostCard(p, by))
    return cards


async def comment_items(
    conn: Connection, comments: Sequence[Row], viewer: Viewer | None
) -> list[CommentItem]:
    if not comments:
        return []
    ids = [int(c["id"]) for c in comments]
    posts = await q.rows_by_id(conn, m.post, {int(c["post_id"]) for c in comments})
    persons, communities, admins, mods = await _facts(
        conn,
        {int(c["creator_id"]) for c in comments},
        {int(p["community_id"]) for p in posts.values()},
    )
    saved: set[int] = set()
    my_votes: dict[int, int] = {}
    if viewer is not None:
        saved = await q.person_marks(conn, m.comment_saved, "comment_id", viewer.person_id, ids)
        my_votes = await q.votes(conn, m.comment_like, "comment_id", viewer.person_id, ids)
    items = []
    for c in comments:
        cid, creator = int(c["id"]), int(c["creator_id"])
        post = posts[int(c["post_id"])]
        community = int(post["community_id"])
        by = Byline(
            creator=persons[creator],
            community=communities[community],
            creator_is_admin=creator in admins,
            creator_is_mod=(community, creator) in mods,
            my_vote=my_votes.get(cid, 0),
            saved=cid in saved,
            mine=viewer is not None and viewer.person_id == creator,
        )
        items.append(CommentItem(c, post, by))
    return items
