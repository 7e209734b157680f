"""The inbox's "From moderators" view: the warnings a member was given and the locks of
their comments' replies (Lemmy 1.0's `mod_action` notifications), each with the
moderator's reason, newest first; marking one read or unread. The list is
moot/db/mod_notices.py, the action moot/actions/mod_notices.py, as API v4's."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from litestar.response import Redirect, Template

from moot.actions import mod_notices
from moot.actions.modlog import mod_names_hidden
from moot.actions.site import load_site
from moot.auth import Viewer
from moot.db import models as m
from moot.db import queries as q
from moot.db.engine import Connection, Row
from moot.db.mod_notices import list_mod_notices, one_mod_notice
from moot.request_context import required_viewer
from moot.web.pages import AnyRequest, back, flag, ident, is_htmx, load_page, render, state

VIEW = "moderators"


@dataclass(frozen=True)
class ModNotice:
    """A moderator's action about the member: the notice, its modlog entry and what the
    entry names (None: purged since, or a moderator the site does not name)."""

    row: Row
    entry: Row
    moderator: Row | None
    community: Row | None
    post: Row | None

    @property
    def anchor(self) -> str:
        return f"o{self.row['id']}"


async def mod_notice_items(
    conn: Connection, pairs: Sequence[tuple[Row, Row]], viewer: Viewer
) -> list[ModNotice]:
    entries = [entry for _, entry in pairs]
    _, local = await load_site(conn)
    posts = await q.rows_by_id(conn, m.post, {e["post_id"] for e in entries if e["post_id"]})
    communities = await q.rows_by_id(
        conn, m.community, {e["community_id"] for e in entries if e["community_id"]}
    )
    named = set()
    for entry in entries:
        if not await mod_names_hidden(conn, viewer, entry["community_id"], local):
            named.add(int(entry["mod_person_id"]))
    persons = await q.rows_by_id(conn, m.person, named)
    return [
        ModNotice(
            row,
            entry,
            persons.get(int(entry["mod_person_id"])),
            communities.get(entry["community_id"] or 0),
            posts.get(entry["post_id"] or 0),
        )
        for row, entry in pairs
    ]


async def page_of(
    conn: Connection, viewer: Viewer, *, unread_only: bool, number: int, size: int
) -> tuple[list[ModNotice], bool]:
    """Page `number` of the member's notices, and whether another follows."""
    pairs = await list_mod_notices(
        conn, viewer.person_id, unread_only=unread_only, offset=(number - 1) * size, limit=size + 1
    )
    return await mod_notice_items(conn, pairs[:size], viewer), len(pairs) > size


async def mark_read(request: AnyRequest, notice_id: int) -> Template | Redirect:
    """One notice read or unread: in place with the script, else back at it."""
    form = await request.form()
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        await mod_notices.mark_read(tx, viewer, ident(notice_id), flag(form, "read"))
    if not is_htmx(request):
        return back(request, f"/messages?view={VIEW}", f"o{notice_id}")
    async with state(request).db.connection() as conn:
        page = await load_page(conn, request)
        assert page.viewer is not None
        pairs = await one_mod_notice(conn, page.viewer.person_id, notice_id)
        item = (await mod_notice_items(conn, pairs, page.viewer))[0]
    return render("fragments/mod_notice.html", page, item=item)
