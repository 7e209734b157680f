"""The profile page, `/u/{name}`: header, Overview / Comments / Posts, sort, pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from litestar import MediaType, Request, get, post
from litestar.response import Redirect, Template

from moot import ranking
from moot.actions import person_notes
from moot.auth import Viewer
from moot.db import models as m
from moot.db.engine import Connection, Row
from moot.db.listings import CommentFilter, comment_sort_for, list_comments
from moot.db.post_listing import PostFilter, list_posts
from moot.db.queries import person_by_name, person_marks, rows_by_id
from moot.errors import ApiError, ErrorCode
from moot.request_context import required_viewer
from moot.state import Moot
from moot.web.admin import profile_tools
from moot.web.format import aware
from moot.web.listings import instance_marks
from moot.web.pages import go, load_page, one_page, render, text

VIEWS = ("Overview", "Comments", "Posts")
OWN_VIEWS = (*VIEWS, "Saved")  # what people see on their own profile
SORTS: dict[str, str] = {
    "New": "New",
    "Old": "Old",
    "Hot": "Hot",
    "Active": "Active",
    "Controversial": "Controversial",
    "TopHour": "Top hour",
    "TopSixHour": "Top six hours",
    "TopTwelveHour": "Top twelve hours",
    "TopDay": "Top day",
    "TopWeek": "Top week",
    "TopMonth": "Top month",
    "TopThreeMonths": "Top three months",
    "TopSixMonths": "Top six months",
    "TopNineMonths": "Top nine months",
    "TopYear": "Top year",
    "TopAll": "Top all time",
}
PAGE_SIZE = 20
PAGE_MAX = 1000
SORT_HELP_URL = "https://join-lemmy.org/docs/users/03-votes-and-ranking.html"


@dataclass(frozen=True)
class Item:
    """One post or comment of the listing, with what it needs to be read in context."""

    kind: str  # "post" or "comment"
    row: Row
    post: Row | None
    community: Row | None

    @property
    def published(self) -> datetime:
        return aware(self.row["published"])

    @property
    def score(self) -> int:
        return int(self.row["score"])


def _page(raw: str | None) -> int:
    try:
        page = int(raw or "1")
    except ValueError:
        return 1
    return min(max(page, 1), PAGE_MAX)


def _order(items: list[Item], sort: str) -> list[Item]:
    if sort == "Old":
        return sorted(items, key=lambda i: i.published)
    if sort.startswith("Top"):
        return sorted(items, key=lambda i: (i.score, i.published), reverse=True)
    return sorted(items, key=lambda i: i.published, reverse=True)


async def _items(
    conn: Connection, person_id: int, view: str, sort: str, page: int
) -> tuple[list[Item], bool]:
    """The page's items, and whether there is a next page."""
    # Overview and Saved merge two listings, so they read the first page*size of each.
    merged = view in ("Overview", "Saved")
    saved = view == "Saved"  # the person's saved items, whoever wrote them
    more = False  # a next page, for the views of one listing
    posts: list[Row] = []
    comments: list[Row] = []
    if view in ("Overview", "Posts", "Saved"):
        post_filter = PostFilter(
            creator_id=None if saved else person_id,
            viewer_id=person_id if saved else None,
            saved_only=saved,
            sort=sort,
            featured_first=False,
            show_nsfw=True,
            show_read=True,
            show_hidden=True,
        )

        async def some_posts(number: int, limit: int) -> list[Row]:
            return await list_posts(conn, post_filter, number, limit)

        if merged:
            posts = await some_posts(1, page * PAGE_SIZE + 1)
        else:
            posts, more = await one_page(some_posts, page, PAGE_SIZE)
    if view in ("Overview", "Comments", "Saved"):
        window = ranking.TOP_WINDOWS.get(sort)
        since = datetime.now(UTC) - window if window is not None else None
        comment_filter = CommentFilter(
            creator_id=None if saved else person_id,
            viewer_id=person_id if saved else None,
            saved_only=saved,
            sort=comment_sort_for(sort),
            top_window_since=since,
        )

        async def some_comments(number: int, limit: int) -> list[Row]:
            return await list_comments(conn, comment_filter, number, limit)

        if merged:
            comments = await some_comments(1, page * PAGE_SIZE + 1)
        else:
            comments, more = await one_page(some_comments, page, PAGE_SIZE)
    post_ids = {int(r["post_id"]) for r in comments} | {int(r["id"]) for r in posts}
    by_post = await rows_by_id(conn, m.post, post_ids)
    by_community = await rows_by_id(
        conn, m.community, {int(r["community_id"]) for r in by_post.values()}
    )

    def context(post_id: int) -> tuple[Row | None, Row | None]:
        post = by_post.get(post_id)
        return post, by_community.get(int(post["community_id"])) if post else None

    items = [Item("post", r, *context(int(r["id"]))) for r in posts]
    items += [Item("comment", r, *context(int(r["post_id"]))) for r in comments]
    if not merged:
        return items, more
    items = _order(items, sort)[(page - 1) * PAGE_SIZE :]
    return items[:PAGE_SIZE], len(items) > PAGE_SIZE


async def _blocked(conn: Connection, viewer: Viewer, person: Row) -> bool | None:
    """Whether the viewer blocks the person; None where no block is possible (an admin,
    whom `accounts.block_person` refuses to let anyone block)."""
    pid = int(person["id"])
    if await person_marks(conn, m.person_block, "target_id", viewer.person_id, [pid]):
        return True
    is_admin = await conn.scalar(
        sa.select(m.local_user.c.admin).where(m.local_user.c.person_id == pid)
    )
    return None if is_admin else False


@get("/u/{name:str}", media_type=MediaType.HTML, include_in_schema=False)
async def profile_page(
    request: Request[Any, Any, Any],
    name: str,
    view: str | None = None,
    sort: str | None = None,
    page: str | None = None,
) -> Template:
    moot: Moot = request.app.state.moot
    sort = sort if sort in SORTS else "New"
    page_number = _page(page)
    async with moot.db.connection() as conn:
        frame = await load_page(conn, request)
        person = await person_by_name(conn, name)
        if person is None or person["deleted"]:
            return render(
                "not_found.html",
                frame,
                status=404,
                title="Not found",
                what=f"No person called {name} here.",
            )
        own = frame.viewer is not None and frame.viewer.person_id == person["id"]
        views = OWN_VIEWS if own else VIEWS
        shown = view if view is not None and view in views else "Overview"
        items, has_next = await _items(conn, int(person["id"]), shown, sort, page_number)
        admin_tools = await profile_tools(conn, frame.viewer, person)
        viewer = frame.viewer
        blocked = None if own or viewer is None else await _blocked(conn, viewer, person)
        note = None if own or viewer is None else await _note(conn, viewer, person)
        server = None  # a remote person's instance: (id, domain, communities?, persons?)
        if viewer is not None and not person["local"]:
            iid = int(person["instance_id"])
            server = (iid, *await instance_marks(conn, viewer.person_id, iid))
    return render(
        "profile.html",
        frame,
        title=person["display_name"] or person["name"],
        person=person,
        joined=aware(person["published"]),
        items=items,
        view=shown,
        views=views,
        sort=sort,
        sorts=SORTS,
        page_number=page_number,
        has_next=has_next,
        sort_help_url=SORT_HELP_URL,
        admin_tools=admin_tools,
        blocked=blocked,
        note=note,
        note_max=person_notes.NOTE_MAX_CHARS,
        server=server,
    )


async def _note(conn: Connection, viewer: Viewer, person: Row) -> str:
    """The viewer's private note on the person ("" for none)."""
    t = m.person_note
    found = await conn.scalar(
        sa.select(t.c.note).where(t.c.person_id == viewer.person_id, t.c.target_id == person["id"])
    )
    return str(found or "")


@post("/u/{name:str}/note", media_type=MediaType.HTML, include_in_schema=False)
async def note_person(request: Request[Any, Any, Any], name: str) -> Redirect:
    """Save (or, empty, take back) the viewer's note on the person: the action API v4's
    POST /person/note calls."""
    form = await request.form()
    moot: Moot = request.app.state.moot
    async with moot.db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        person = await person_by_name(tx, name)
        if person is None:
            raise ApiError(ErrorCode.COULDNT_FIND_PERSON)
        await person_notes.note_person(tx, viewer, int(person["id"]), text(form, "note"))
    return go(f"/u/{name}#note")
