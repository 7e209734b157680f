"""The public modlog page, `/modlog`: every moderator and admin action, newest first,
filtered by kind, community, moderator and the person acted on.

Each kind is read by `moot.db.modlog.list_kind` (the API's query) and the kinds merged by
time; moderators' names are left out when `mod_names_hidden` says so (the API's rule), and
then filtering by moderator is ignored, as it would name them as surely.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated

from litestar import MediaType, get
from litestar.params import QueryParameter
from litestar.response import Template

from moot.actions.modlog import Kind, mod_names_hidden
from moot.db import models as m
from moot.db import queries as q
from moot.db.engine import Connection, Row
from moot.db.modlog import ModlogFilter, list_kind
from moot.web.pages import AnyRequest, load_page, render, state

PAGE_SIZE = 30
PAGE_MAX = 20  # each page reads page * size rows of every kind to merge them
KINDS: dict[str, str] = {
    Kind.MOD_REMOVE_POST: "Removed or restored posts",
    Kind.MOD_LOCK_POST: "Locked or unlocked posts",
    Kind.MOD_FEATURE_POST: "Pinned or unpinned posts",
    Kind.MOD_REMOVE_COMMENT: "Removed or restored comments",
    Kind.MOD_LOCK_COMMENT: "Locked or unlocked replies to comments",
    Kind.MOD_WARN_POST: "Warnings about posts",
    Kind.MOD_WARN_COMMENT: "Warnings about comments",
    Kind.MOD_REMOVE_COMMUNITY: "Removed or restored communities",
    Kind.MOD_BAN_FROM_COMMUNITY: "Bans from communities",
    Kind.MOD_ADD_COMMUNITY: "Moderators appointed or dismissed",
    Kind.MOD_TRANSFER_COMMUNITY: "Communities transferred",
    Kind.MOD_ADD: "Admins appointed or dismissed",
    Kind.MOD_BAN: "Bans from the site",
    Kind.MOD_HIDE_COMMUNITY: "Hidden or shown communities",
    Kind.ADMIN_PURGE_PERSON: "Purged persons",
    Kind.ADMIN_PURGE_COMMUNITY: "Purged communities",
    Kind.ADMIN_PURGE_POST: "Purged posts",
    Kind.ADMIN_PURGE_COMMENT: "Purged comments",
}
BY_ADMIN = {
    Kind.MOD_ADD,
    Kind.MOD_BAN,
    Kind.MOD_HIDE_COMMUNITY,
    Kind.MOD_REMOVE_COMMUNITY,
    Kind.ADMIN_PURGE_PERSON,
    Kind.ADMIN_PURGE_COMMUNITY,
    Kind.ADMIN_PURGE_POST,
    Kind.ADMIN_PURGE_COMMENT,
}


@dataclass(frozen=True)
class Entry:
    row: Row
    kind: str
    moderator: Row | None  # None: the site hides moderators' names from this reader
    person: Row | None  # the person acted on
    community: Row | None
    post: Row | None
    comment: Row | None

    @property
    def by_admin(self) -> bool:
        return self.kind in BY_ADMIN


async def _entries(conn: Connection, rows: Sequence[Row], hide: bool) -> list[Entry]:
    comments = await q.rows_by_id(
        conn, m.comment, {r["comment_id"] for r in rows if r["comment_id"]}
    )
    post_ids = {r["post_id"] for r in rows if r["post_id"]}
    posts = await q.rows_by_id(
        conn, m.post, post_ids | {int(c["post_id"]) for c in comments.values()}
    )
    community_ids = {r["community_id"] for r in rows if r["community_id"]}
    communities = await q.rows_by_id(
        conn, m.community, community_ids | {int(p["community_id"]) for p in posts.values()}
    )
    people = {r["other_person_id"] for r in rows if r["other_person_id"]}
    if not hide:
        people |= {r["mod_person_id"] for r in rows}
    persons = await q.rows_by_id(conn, m.person, people)
    out = []
    for r in rows:
        comment = comments.get(r["comment_id"] or 0)
        post = posts.get(int(comment["post_id"]) if comment else r["post_id"] or 0)
        community = communities.get(int(post["community_id"]) if post else r["community_id"] or 0)
        out.append(
            Entry(
                row=r,
                kind=str(r["kind"]),
                moderator=None if hide else persons.get(int(r["mod_person_id"])),
                person=persons.get(r["other_person_id"] or 0),
                community=community,
                post=post,
                comment=comment,
            )
        )
    return out


@dataclass(frozen=True)
class Wanted:
    """The filters as typed, and what they name."""

    kind: str
    community: str
    moderator: str
    person: str


async def _filter(
    conn: Connection, wanted: Wanted, hide: bool
) -> tuple[ModlogFilter | None, str | None]:
    """The query's filter, or None and what was not found."""
    community_id = mod_id = person_id = None
    if wanted.community:
        found = await q.community_by_name(conn, wanted.community)
        if found is None:
            return None, f"There is no community called {wanted.community} here."
        community_id = int(found["id"])
    if wanted.moderator and not hide:
        found = await q.person_by_name(conn, wanted.moderator)
        if found is None:
            return None, f"There is nobody called {wanted.moderator} here."
        mod_id = int(found["id"])
    if wanted.person:
        found = await q.person_by_name(conn, wanted.person)
        if found is None:
            return None, f"There is nobody called {wanted.person} here."
        person_id = int(found["id"])
    return ModlogFilter(
        community_id=community_id, mod_person_id=mod_id, other_person_id=person_id
    ), None


@get("/modlog", media_type=MediaType.HTML, include_in_schema=False)
async def modlog_page(
    request: AnyRequest,
    kind: Annotated[str | None, QueryParameter(name="type")] = None,
    community: str | None = None,
    moderator: str | None = None,
    person: str | None = None,
    page: int = 1,
) -> Template:
    wanted = Wanted(
        kind=kind if kind in KINDS else "All",
        community=(community or "").strip(),
        moderator=(moderator or "").strip(),
        person=(person or "").strip(),
    )
    number = min(max(page, 1), PAGE_MAX)
    async with state(request).db.connection() as conn:
        frame = await load_page(conn, request)
        found = await q.community_by_name(conn, wanted.community) if wanted.community else None
        hide = await mod_names_hidden(
            conn, frame.viewer, int(found["id"]) if found else None, frame.local_site
        )
        f, missing = await _filter(conn, wanted, hide)
        rows: list[Row] = []
        if f is not None:
            for each in KINDS if wanted.kind == "All" else [wanted.kind]:
                rows += await list_kind(conn, each, f, 1, number * PAGE_SIZE + 1)
        rows.sort(key=lambda r: (r["when_"], r["id"]), reverse=True)
        shown = rows[(number - 1) * PAGE_SIZE : number * PAGE_SIZE]
        entries = await _entries(conn, shown, hide)
    return render(
        "modlog.html",
        frame,
        title="Modlog",
        entries=entries,
        kinds=KINDS,
        wanted=wanted,
        missing=missing,
        hidden=hide,
        number=number,
        has_next=len(rows) > number * PAGE_SIZE and number < PAGE_MAX,
    )


handlers = [modlog_page]
