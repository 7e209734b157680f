"""Posts and comments with what a page shows beside them, loaded for a whole page at once
by the statement the API's views use (moot/db/around.py): never one query per item."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from moot.auth import Viewer
from moot.db import around as around_db
from moot.db import models as m
from moot.db.around import Around, Once, Unprefixed, around_comments, around_posts
from moot.db.engine import Connection, Row
from moot.db.listings import TREE_LIMIT, CommentFilter, list_comments_around
from moot.db.tags import post_tags, tagged_ids


# Plain slotted dataclasses, not frozen ones: a thread's page makes 300 of each, and a
# frozen dataclass sets each field through object.__setattr__ (a byline cost 1.9 µs to
# make, 0.3 µs now). Nothing changes them once made.
@dataclass(slots=True)
class Byline:
    """Who wrote an item, where, and the viewer's marks on it."""

    creator: Row
    community: Row
    creator_is_admin: bool
    creator_is_mod: bool
    my_vote: int
    saved: bool
    mine: bool


@dataclass(slots=True)
class PostCard:
    post: Row
    by: Byline
    tags: Sequence[Row] = ()  # its community tags (live ones), shown as chips


@dataclass(slots=True)
class CommentItem:
    comment: Row
    post: Row
    by: Byline

    @property
    def gone(self) -> bool:
        return bool(self.comment["deleted"] or self.comment["removed"])


# What the pages show of a byline's person and community: their names, how they are
# labelled and linked (moot/web/names.py), and their flags.
_PERSON = (
    "id",
    "name",
    "display_name",
    "local",
    "actor_id",
    "avatar",
    "bot_account",
    "deleted",
    "banned",
    "published",
)
_COMMUNITY = (
    "id",
    "name",
    "title",
    "local",
    "actor_id",
    "icon",
    "nsfw",
    "deleted",
    "removed",
    "hidden",
)
_POST = tuple(c.name for c in m.post.c)
# What a thread's page shows of each of its comments (moot/web/cards.py).
_COMMENT = (
    "id",
    "creator_id",
    "post_id",
    "path",
    "published",
    "updated",
    "distinguished",
    "deleted",
    "removed",
    "content_html",
    "score",
    "child_count",
    "locked",
)
# What a listing reads around each post for its cards (`list_posts(…, around=AROUND)`).
AROUND = Around(_PERSON, _COMMUNITY)
_CREATOR_OF = Unprefixed("u_", _PERSON)
_COMMUNITY_OF = Unprefixed("c_", _COMMUNITY)
_POST_OF = Unprefixed("p_", _POST)


class _Page:
    def __init__(self) -> None:
        self.creator = Once(_CREATOR_OF, "u_id")
        self.community = Once(_COMMUNITY_OF, "c_id")
        self.post = Once(_POST_OF, "p_id")


def _byline(row: Row, creator: int, viewer: Viewer | None, page: _Page) -> Byline:
    return Byline(
        creator=page.creator(row),
        community=page.community(row),
        creator_is_admin=bool(row["creator_is_admin"]),
        creator_is_mod=bool(row["creator_is_moderator"]),
        my_vote=int(row.get("my_vote") or 0),
        saved=bool(row.get("saved")),
        mine=viewer is not None and viewer.person_id == creator,
    )


def _viewer_id(viewer: Viewer | None) -> int | None:
    return viewer.person_id if viewer is not None else None


async def post_cards(
    conn: Connection, posts: Sequence[Row], viewer: Viewer | None
) -> list[PostCard]:
    if not posts:
        return []
    ids = [int(p["id"]) for p in posts]
    around = await around_posts(conn, ids, _viewer_id(viewer), _PERSON, _COMMUNITY)
    tags = await post_tags(conn, tagged_ids(posts))
    page = _Page()
    return [
        PostCard(
            p,
            _byline(around[int(p["id"])], int(p["creator_id"]), viewer, page),
            tags.get(int(p["id"]), ()),
        )
        for p in posts
    ]


async def listed_post_cards(
    conn: Connection, rows: Sequence[Row], viewer: Viewer | None
) -> list[PostCard]:
    """The cards of a listing's rows that carry their `around_posts` columns; their tags
    are read only when one of them has some (moot/db/tags.py)."""
    tags = await post_tags(conn, tagged_ids(rows))
    page = _Page()
    return [
        PostCard(
            row, _byline(row, int(row["creator_id"]), viewer, page), tags.get(int(row["id"]), ())
        )
        for row in rows
    ]


async def comment_items(
    conn: Connection, comments: Sequence[Row], viewer: Viewer | None
) -> list[CommentItem]:
    if not comments:
        return []
    ids = [int(c["id"]) for c in comments]
    around = await around_comments(conn, ids, _viewer_id(viewer), _PERSON, _COMMUNITY, _POST)
    items, page = [], _Page()
    for c in comments:
        row = around[int(c["id"])]
        byline = _byline(row, int(c["creator_id"]), viewer, page)
        items.append(CommentItem(c, page.post(row), byline))
    return items


async def thread_comment_items(
    conn: Connection, f: CommentFilter, viewer: Viewer | None
) -> list[CommentItem]:
    """The comments of a tree fetch (`f.max_depth`), read as the API's comment tree reads
    them (`list_comments_around`): each row carries its creator and marks, and the thread's
    post and community are read once, not once per comment (`around.threads`)."""
    rows = await list_comments_around(conn, f, 1, TREE_LIMIT, _COMMENT, _PERSON)
    if not rows:
        return []
    threads = await around_db.threads(conn, {int(r["p_id"]) for r in rows}, _POST, _COMMUNITY)
    page = _Page()
    posts = {int(t["p_id"]): t for t in threads}
    items = []
    for row in rows:
        thread = posts[int(row["p_id"])]
        byline = Byline(
            creator=page.creator(row),
            community=page.community(thread),
            creator_is_admin=bool(row["creator_is_admin"]),
            creator_is_mod=bool(row["creator_is_moderator"]),
            my_vote=int(row.get("my_vote") or 0),
            saved=bool(row.get("saved")),
            mine=viewer is not None and viewer.person_id == int(row["creator_id"]),
        )
        items.append(CommentItem(row, page.post(thread), byline))
    return items
