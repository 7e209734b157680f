"""API v4's lists of a person's own things: their posts and comments together
(`/person/content`), and a member's saved, liked, read and hidden lists (`/account/…`).

v4 lists posts and comments in one list, newest first. moot keeps them apart, so a page
merges the newest of each up to its end (a cursor says how far in); pages deeper than
`DEEPEST` items are refused rather than read at a growing cost."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import sqlalchemy as sa
from litestar import Router, get

from moot.api.v3 import forms as v3_forms
from moot.api.v3.shapes import Json
from moot.api.v4 import cursors, views
from moot.auth import Viewer
from moot.db import models as m
from moot.db import person_list, queries
from moot.db.engine import Connection, Row
from moot.db.listings import LIMIT_DEFAULT, CommentFilter, check_page, list_comments
from moot.db.post_listing import PostFilter, list_posts
from moot.errors import ApiError, ErrorCode
from moot.request_context import AnyRequest, optional_viewer, required_viewer, state

ContentType = Literal["all", "comments", "posts"]
LikeType = Literal["all", "liked_only", "disliked_only"]
DEEPEST = 1000


@dataclass(frozen=True)
class Mark:
    """Which of the member's marks a list shows."""

    saved: bool = False
    liked: bool = False
    disliked: bool = False


def _window(page_cursor: str | None, limit: int | None) -> tuple[int, int]:
    """The offset and size of the page asked for."""
    _, size = check_page(None, limit, ErrorCode.COULDNT_FIND_PERSON)
    offset = cursors.offset_of(page_cursor)
    if offset + size > DEEPEST:
        raise ApiError(ErrorCode.UNKNOWN, f"lists end after {DEEPEST} items")
    return offset, size


async def _combined(
    conn: Connection,
    viewer: Viewer | None,
    kind: str,
    posts: Sequence[PostFilter],
    comments: Sequence[CommentFilter],
    offset: int,
    size: int,
) -> Json:
    """A PagedResponse of the posts and comments the filters list, newest first."""
    wanted = offset + size
    post_rows: list[Row] = []
    comment_rows: list[Row] = []
    if kind != "comments":
        for post_filter in posts:
            post_rows += await list_posts(conn, post_filter, 1, wanted)
    if kind != "posts":
        for comment_filter in comments:
            comment_rows += await list_comments(conn, comment_filter, 1, wanted)
    merged = sorted(
        [("post", r) for r in post_rows] + [("comment", r) for r in comment_rows],
        key=lambda item: (item[1]["published"], item[1]["id"]),
        reverse=True,
    )[offset:wanted]
    post_views = await views.post_views(conn, [r for k, r in merged if k == "post"], viewer)
    comment_views = await views.comment_views(
        conn, [r for k, r in merged if k == "comment"], viewer
    )
    shaped = {"post": iter(post_views), "comment": iter(comment_views)}
    items = [{"type_": k, **next(shaped[k])} for k, _ in merged]
    return _paged(items, offset, size, len(post_rows) + len(comment_rows) > wanted)


def _paged(items: Sequence[Json], offset: int, size: int, more: bool) -> Json:
    out: Json = {"items": list(items)}
    if more or len(items) == size:
        out["next_page"] = cursors.after_offset(offset + size)
    if offset:
        out["prev_page"] = cursors.after_offset(max(0, offset - size))
    return out


@get("/person/content")
async def person_content(
    request: AnyRequest,
    type_: ContentType = "all",
    person_id: v3_forms.OptionalQueryInt32 = None,
    username: str | None = None,
    community_id: v3_forms.OptionalQueryInt32 = None,
    page_cursor: str | None = None,
    limit: v3_forms.OptionalQueryInt32 = None,
) -> Json:
    offset, size = _window(page_cursor, limit)
    async with state(request).db.connection() as conn:
        viewer = await optional_viewer(conn, request)
        if person_id is None and username is not None:
            found = await queries.person_by_name(conn, username)
            if found is None:
                raise ApiError(ErrorCode.COULDNT_FIND_PERSON)
            person_id = int(found["id"])
        if person_id is None:
            raise ApiError(ErrorCode.NO_ID_GIVEN)
        me = viewer.person_id if viewer else None
        posts = PostFilter(
            sort="New",
            creator_id=person_id,
            community_id=community_id,
            viewer_id=me,
            show_nsfw=True,
            featured_first=False,
            show_hidden=True,
        )
        comments = CommentFilter(
            sort="New", creator_id=person_id, community_id=community_id, viewer_id=me
        )
        return await _combined(conn, viewer, type_, [posts], [comments], offset, size)


async def _mine(
    request: AnyRequest,
    kind: str,
    page_cursor: str | None,
    limit: int | None,
    marks: Sequence[Mark],
) -> Json:
    """The member's own marked posts and comments: one list per set of `marks` (the
    filters' `saved_only`, `liked_only`, `disliked_only`), merged."""
    offset, size = _window(page_cursor, limit)
    async with state(request).db.connection() as conn:
        viewer = await required_viewer(conn, request)
        me = viewer.person_id
        posts = [
            PostFilter(
                sort="New",
                viewer_id=me,
                saved_only=mark.saved,
                liked_only=mark.liked,
                disliked_only=mark.disliked,
                show_nsfw=True,
                featured_first=False,
                show_hidden=True,
            )
            for mark in marks
        ]
        comments = [
            CommentFilter(
                sort="New",
                viewer_id=me,
                saved_only=mark.saved,
                liked_only=mark.liked,
                disliked_only=mark.disliked,
            )
            for mark in marks
        ]
        return await _combined(conn, viewer, kind, posts, comments, offset, size)


@get("/account/saved")
async def saved(
    request: AnyRequest,
    type_: ContentType = "all",
    page_cursor: str | None = None,
    limit: v3_forms.OptionalQueryInt32 = None,
) -> Json:
    return await _mine(request, type_, page_cursor, limit, [Mark(saved=True)])


@get("/account/liked")
async def liked(
    request: AnyRequest,
    type_: ContentType = "all",
    like_type: LikeType = "all",
    page_cursor: str | None = None,
    limit: v3_forms.OptionalQueryInt32 = None,
) -> Json:
    marks = {
        "all": [Mark(liked=True), Mark(disliked=True)],
        "liked_only": [Mark(liked=True)],
        "disliked_only": [Mark(disliked=True)],
    }[like_type]
    return await _mine(request, type_, page_cursor, limit, marks)


async def _marked(
    request: AnyRequest, table: sa.Table, page_cursor: str | None, limit: int | None
) -> Json:
    """The posts the member marked in `table` (read, hidden), the latest marked first."""
    offset, size = _window(page_cursor, limit or LIMIT_DEFAULT)
    async with state(request).db.connection() as conn:
        viewer = await required_viewer(conn, request)
        rows: list[Row] = await conn.fetch_all(
            sa.select(m.post)
            .join(table, table.c.post_id == m.post.c.id)
            .where(table.c.person_id == viewer.person_id)
            .order_by(table.c.published.desc(), m.post.c.id.desc())
            .offset(offset)
            .limit(size)
        )
        return _paged(await views.post_views(conn, rows, viewer), offset, size, False)


@get("/account/read")
async def read(
    request: AnyRequest, page_cursor: str | None = None, limit: v3_forms.OptionalQueryInt32 = None
) -> Json:
    return await _marked(request, m.post_read, page_cursor, limit)


@get("/account/hidden")
async def hidden(
    request: AnyRequest, page_cursor: str | None = None, limit: v3_forms.OptionalQueryInt32 = None
) -> Json:
    return await _marked(request, m.post_hide, page_cursor, limit)


@get("/person/list")
async def list_persons(
    request: AnyRequest,
    type_: Literal["all", "local"] = "all",
    sort: Literal["new", "old", "post_score", "comment_score"] = "new",
    search_term: str | None = None,
    community_id: v3_forms.OptionalQueryInt32 = None,
    page_cursor: str | None = None,
    limit: v3_forms.OptionalQueryInt32 = None,
) -> Json:
    """The person directory (`moot.db.person_list`)."""
    offset, size = _window(page_cursor, limit)
    f = person_list.PersonFilter(
        local_only=type_ == "local", sort=sort, words=search_term, community_id=community_id
    )
    async with state(request).db.connection() as conn:
        viewer = await optional_viewer(conn, request)
        rows = await person_list.list_persons(conn, f, offset, size)
        return _paged(await views.person_views(conn, rows, viewer), offset, size, False)


router = Router(path="/", route_handlers=[person_content, saved, liked, read, hidden, list_persons])
