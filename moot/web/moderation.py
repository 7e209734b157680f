"""Moderator controls on posts and comments: remove and restore with a reason, lock (a post,
or a comment's replies), pin, distinguish, warn the author, ban the author from the
community, and (admins) pin on the front page and purge.

What a page offers is decided here from the viewer's standing (`ModTools`, asked of the
actions' own checks); whether anything happens is decided by the action (moot/actions/
moderation.py, bans.py, purge.py), so a forged form is refused with the action's error.
With the script each control answers with the refreshed tools in place; without it, the
form posts and the page comes back.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from litestar import MediaType, Response, get, post
from litestar.response import Redirect, Template

from moot.actions import bans, comment_locks, mod_warnings, moderation, purge
from moot.actions.authority import require_mod_action
from moot.actions.communities import is_banned_from
from moot.actions.lookups import get_comment, get_community, get_person, get_post
from moot.actions.moderation import FeatureType
from moot.auth import Viewer
from moot.db.engine import Connection, Row
from moot.errors import ApiError, ErrorCode
from moot.request_context import required_viewer
from moot.web.modforms import ban_terms, outranks_in, purge_unconfirmed
from moot.web.names import handle
from moot.web.pages import (
    AnyRequest,
    back,
    flag,
    go,
    ident,
    is_htmx,
    load_page,
    render,
    state,
    text,
)
from moot.web.views import comment_items


@dataclass(frozen=True)
class ModTools:
    """A post or comment with the moderator controls the viewer is offered on it."""

    kind: str  # "post" or "comment"
    item: Row
    post: Row
    community: Row
    author: Row
    is_admin: bool
    may_remove: bool  # the viewer outranks the author
    may_ban: bool  # ... and is not the author
    author_banned: bool
    own: bool

    @property
    def key(self) -> str:
        return f"m{self.kind[0]}{self.item['id']}"


async def may_moderate(conn: Connection, viewer: Viewer | None, community: Row) -> bool:
    """Whether moderator actions in `community` are the viewer's to take (the actions' rule)."""
    if viewer is None:
        return False
    try:
        await require_mod_action(conn, viewer, community)
    except ApiError:
        return False
    return True


async def tools_for(
    conn: Connection, viewer: Viewer | None, kind: str, item: Row
) -> ModTools | None:
    """The controls for one post or comment, or None when the viewer moderates nothing there."""
    parent = item if kind == "post" else await get_post(conn, int(item["post_id"]))
    community = await get_community(conn, int(parent["community_id"]))
    if viewer is None or not await may_moderate(conn, viewer, community):
        return None
    author_id = int(item["creator_id"])
    cid = int(community["id"])
    higher = await outranks_in(conn, cid, viewer, author_id)
    own = author_id == viewer.person_id
    return ModTools(
        kind=kind,
        item=item,
        post=parent,
        community=community,
        author=await get_person(conn, author_id),
        is_admin=viewer.is_admin,
        # A comment its author deleted cannot be removed (the action refuses it).
        may_remove=higher and not (kind == "comment" and item["deleted"]),
        may_ban=higher and not own,
        author_banned=await is_banned_from(conn, cid, author_id),
        own=own,
    )


Act = Callable[[Connection, Viewer], Awaitable[object]]
Answer = Response[str] | Template | Redirect


async def _acted(request: AnyRequest, kind: str, item_id: int, act: Act) -> Answer:
    """Do one moderator action, then answer with the tools in place or go back."""
    moot = state(request)
    async with moot.db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        await act(tx, viewer)
    if not is_htmx(request):
        # At the tools, which the browser opens for an anchor inside them.
        return back(request, f"/{kind}/{item_id}", f"m{kind[0]}{item_id}-forms")
    async with moot.db.connection() as conn:
        page = await load_page(conn, request)
        row = await (get_post(conn, item_id) if kind == "post" else get_comment(conn, item_id))
        tools = await tools_for(conn, page.viewer, kind, row)
    if tools is None:
        return Response("", media_type=MediaType.HTML)
    return render("fragments/mod_tools.html", page, t=tools, open=True)


@post("/post/{post_id:int}/remove", media_type=MediaType.HTML, include_in_schema=False)
async def remove_post(request: AnyRequest, post_id: int) -> Answer:
    form = await request.form()

    async def act(tx: Connection, viewer: Viewer) -> object:
        return await moderation.remove_post(
            tx, viewer, ident(post_id), flag(form, "removed"), text(form, "reason") or None
        )

    return await _acted(request, "post", post_id, act)


@post("/post/{post_id:int}/lock", media_type=MediaType.HTML, include_in_schema=False)
async def lock_post(request: AnyRequest, post_id: int) -> Answer:
    form = await request.form()

    async def act(tx: Connection, viewer: Viewer) -> object:
        return await moderation.lock_post(tx, viewer, ident(post_id), flag(form, "locked"))

    return await _acted(request, "post", post_id, act)


@post("/post/{post_id:int}/feature", media_type=MediaType.HTML, include_in_schema=False)
async def feature_post(request: AnyRequest, post_id: int) -> Answer:
    form = await request.form()
    where: FeatureType = "Local" if text(form, "feature_type") == "Local" else "Community"

    async def act(tx: Connection, viewer: Viewer) -> object:
        return await moderation.feature_post(
            tx, viewer, ident(post_id), flag(form, "featured"), where
        )

    return await _acted(request, "post", post_id, act)


@post("/comment/{comment_id:int}/remove", media_type=MediaType.HTML, include_in_schema=False)
async def remove_comment(request: AnyRequest, comment_id: int) -> Answer:
    form = await request.form()

    async def act(tx: Connection, viewer: Viewer) -> object:
        return await moderation.remove_comment(
            tx, viewer, ident(comment_id), flag(form, "removed"), text(form, "reason") or None
        )

    return await _acted(request, "comment", comment_id, act)


@post("/comment/{comment_id:int}/lock", media_type=MediaType.HTML, include_in_schema=False)
async def lock_comment(request: AnyRequest, comment_id: int) -> Answer:
    form = await request.form()

    async def act(tx: Connection, viewer: Viewer) -> object:
        return await comment_locks.lock_comment(
            tx, viewer, ident(comment_id), flag(form, "locked"), text(form, "reason") or None
        )

    return await _acted(request, "comment", comment_id, act)


@post("/post/{post_id:int}/warn", media_type=MediaType.HTML, include_in_schema=False)
async def warn_post(request: AnyRequest, post_id: int) -> Answer:
    form = await request.form()

    async def act(tx: Connection, viewer: Viewer) -> object:
        return await mod_warnings.warn_post(tx, viewer, ident(post_id), text(form, "reason"))

    return await _acted(request, "post", post_id, act)


@post("/comment/{comment_id:int}/warn", media_type=MediaType.HTML, include_in_schema=False)
async def warn_comment(request: AnyRequest, comment_id: int) -> Answer:
    form = await request.form()

    async def act(tx: Connection, viewer: Viewer) -> object:
        return await mod_warnings.warn_comment(tx, viewer, ident(comment_id), text(form, "reason"))

    return await _acted(request, "comment", comment_id, act)


@post("/comment/{comment_id:int}/distinguish", media_type=MediaType.HTML, include_in_schema=False)
async def distinguish_comment(request: AnyRequest, comment_id: int) -> Answer:
    form = await request.form()

    async def act(tx: Connection, viewer: Viewer) -> object:
        return await moderation.distinguish_comment(
            tx, viewer, ident(comment_id), flag(form, "distinguished")
        )

    return await _acted(request, "comment", comment_id, act)


async def _ban_author(request: AnyRequest, kind: str, item_id: int) -> Answer:
    form = await request.form()
    terms = ban_terms(form)

    async def act(tx: Connection, viewer: Viewer) -> object:
        item = await (get_post(tx, item_id) if kind == "post" else get_comment(tx, item_id))
        parent = item if kind == "post" else await get_post(tx, int(item["post_id"]))
        return await bans.ban_from_community(
            tx,
            viewer,
            int(parent["community_id"]),
            int(item["creator_id"]),
            terms.ban,
            remove_data=terms.remove_data,
            reason=terms.reason,
            expires=terms.expires,
        )

    return await _acted(request, kind, item_id, act)


@post("/post/{post_id:int}/ban_author", media_type=MediaType.HTML, include_in_schema=False)
async def ban_post_author(request: AnyRequest, post_id: int) -> Answer:
    return await _ban_author(request, "post", ident(post_id))


@post("/comment/{comment_id:int}/ban_author", media_type=MediaType.HTML, include_in_schema=False)
async def ban_comment_author(request: AnyRequest, comment_id: int) -> Answer:
    return await _ban_author(request, "comment", ident(comment_id))


@post("/post/{post_id:int}/purge", media_type=MediaType.HTML, include_in_schema=False)
async def purge_post(request: AnyRequest, post_id: int) -> Redirect | Template:
    form = await request.form()
    asked = await purge_unconfirmed(request, form, "this post", f"/post/{ident(post_id)}")
    if asked is not None:
        return asked
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        row = await get_post(tx, ident(post_id))
        community = await get_community(tx, int(row["community_id"]))
        await purge.purge_post(tx, viewer, post_id, text(form, "reason") or None)
    return go(f"/c/{handle(community)}")


@post("/comment/{comment_id:int}/purge", media_type=MediaType.HTML, include_in_schema=False)
async def purge_comment(request: AnyRequest, comment_id: int) -> Redirect | Template:
    form = await request.form()
    here = f"/comment/{ident(comment_id)}"
    asked = await purge_unconfirmed(request, form, "this comment", here)
    if asked is not None:
        return asked
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        row = await get_comment(tx, ident(comment_id))
        await purge.purge_comment(tx, viewer, comment_id, text(form, "reason") or None)
    return go(f"/post/{row['post_id']}")


@get("/comment/{comment_id:int}/moderate", media_type=MediaType.HTML, include_in_schema=False)
async def moderate_comment_page(request: AnyRequest, comment_id: int) -> Template:
    """A comment's moderator controls: its own page, or (with the script) in place of the
    comment's "Moderate" link."""
    async with state(request).db.connection() as conn:
        page = await load_page(conn, request)
        if page.viewer is None:
            raise ApiError(ErrorCode.NOT_LOGGED_IN)
        row = await get_comment(conn, ident(comment_id))
        tools = await tools_for(conn, page.viewer, "comment", row)
        if tools is None:
            raise ApiError(ErrorCode.NOT_A_MOD_OR_ADMIN)
        item = (await comment_items(conn, [row], page.viewer))[0]
    if is_htmx(request):
        return render("fragments/mod_tools.html", page, t=tools, open=True)
    return render("moderate.html", page, title="Moderate comment", t=tools, item=item)


handlers = [
    remove_post,
    lock_post,
    feature_post,
    remove_comment,
    lock_comment,
    warn_post,
    warn_comment,
    distinguish_comment,
    ban_post_author,
    ban_comment_author,
    purge_post,
    purge_comment,
    moderate_comment_page,
]
