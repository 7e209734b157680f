"""A community's moderation page, `/c/{name}/moderation`: its team (appoint, dismiss,
transfer), the people banned from it (ban, unban), and for admins hiding, removing and
purging it. Each form calls the action the API calls and comes back to this page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import MediaType, get, post
from litestar.response import Redirect, Template

from moot.actions import admin, bans, moderation, private_communities, purge
from moot.actions.authority import top_moderator
from moot.auth import Viewer
from moot.db import queries
from moot.db.bans import CommunityBan, community_banned
from moot.db.engine import Connection, Row
from moot.db.private import PRIVATE
from moot.db.tags import TAG_COLORS, community_tags
from moot.errors import ApiError, ErrorCode
from moot.request_context import required_viewer
from moot.web.listings import community_facts
from moot.web.moderation import may_moderate
from moot.web.modforms import ban_terms, named_person, outranks_in, purge_unconfirmed
from moot.web.names import handle
from moot.web.pages import (
    AnyRequest,
    back,
    flag,
    go,
    load_page,
    optional_int,
    render,
    state,
    text,
)

# The follows awaiting approval the moderation page lists (the API pages through them all).
PENDING_SHOWN = 50


@dataclass(frozen=True)
class Moderator:
    person: Row
    removable: bool  # the viewer outranks them (or it is the viewer, stepping down)


async def community_named(conn: Connection, name: str) -> Row:
    """The community by name, removed or not: whether anything may be done to it is the
    action's to say (an admin restores a removed one; moderators are told it is gone)."""
    found = await queries.community_by_name(conn, name)
    if found is None:
        raise ApiError(ErrorCode.COULDNT_FIND_COMMUNITY)
    return found


async def _team(conn: Connection, community: Row, viewer: Viewer) -> list[Moderator]:
    facts = await community_facts(conn, community, viewer)
    cid = int(community["id"])
    return [
        Moderator(p, await outranks_in(conn, cid, viewer, int(p["id"]))) for p in facts.moderators
    ]


@get("/c/{name:str}/moderation", media_type=MediaType.HTML, include_in_schema=False)
async def moderation_page(request: AnyRequest, name: str) -> Template:
    async with state(request).db.connection() as conn:
        page = await load_page(conn, request)
        viewer = page.viewer
        if viewer is None:
            raise ApiError(ErrorCode.NOT_LOGGED_IN)
        community = await community_named(conn, name)
        # Admins reach a removed community here to restore it; moderators need it standing.
        if community["deleted"] or (community["removed"] and not viewer.is_admin):
            raise ApiError(ErrorCode.COULDNT_FIND_COMMUNITY)
        if not (viewer.is_admin or await may_moderate(conn, viewer, community)):
            raise ApiError(ErrorCode.NOT_A_MOD_OR_ADMIN)
        team = await _team(conn, community, viewer)
        banned: list[CommunityBan] = await community_banned(conn, int(community["id"]))
        waiting = await private_communities.pending_follows(
            conn,
            viewer,
            all_communities=viewer.is_admin,
            unread_only=True,
            offset=0,
            limit=PENDING_SHOWN,
            community_id=int(community["id"]),
        )
        top = await top_moderator(conn, int(community["id"]))
        tags = await community_tags(conn, [int(community["id"])], with_deleted=True)
    return render(
        "moderation.html",
        page,
        title=f"Moderation: {community['title']}",
        community=community,
        team=team,
        banned=banned,
        can_transfer=viewer.is_admin or top == viewer.person_id,
        waiting=waiting,
        private=community["visibility"] == PRIVATE,
        tags=tags[int(community["id"])],
        tag_colors=TAG_COLORS,
    )


def _here(community: Row) -> str:
    return f"/c/{handle(community)}/moderation"


@post("/c/{name:str}/mod", media_type=MediaType.HTML, include_in_schema=False)
async def set_moderator(request: AnyRequest, name: str) -> Redirect:
    form = await request.form()
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        community = await community_named(tx, name)
        person = await named_person(tx, form)
        await moderation.set_moderator(
            tx, viewer, int(community["id"]), int(person["id"]), flag(form, "added")
        )
    return back(request, _here(community))


@post("/c/{name:str}/pending_follows", media_type=MediaType.HTML, include_in_schema=False)
async def decide_follow(request: AnyRequest, name: str) -> Redirect:
    """Approve or deny a follow of a private community (the API's pending_follows/approve)."""
    form = await request.form()
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        community = await community_named(tx, name)
        await private_communities.decide_follow(
            tx, viewer, int(community["id"]), _person_id(form), flag(form, "approve")
        )
    return back(request, _here(community))


@post("/c/{name:str}/transfer", media_type=MediaType.HTML, include_in_schema=False)
async def transfer(request: AnyRequest, name: str) -> Redirect:
    form = await request.form()
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        community = await community_named(tx, name)
        person = await named_person(tx, form)
        await moderation.transfer_community(tx, viewer, int(community["id"]), int(person["id"]))
    return back(request, _here(community))


@post("/c/{name:str}/ban", media_type=MediaType.HTML, include_in_schema=False)
async def ban(request: AnyRequest, name: str) -> Redirect:
    form = await request.form()
    terms = ban_terms(form)
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        community = await community_named(tx, name)
        person = await named_person(tx, form)
        await bans.ban_from_community(
            tx,
            viewer,
            int(community["id"]),
            int(person["id"]),
            terms.ban,
            remove_data=terms.remove_data,
            reason=terms.reason,
            expires=terms.expires,
        )
    return back(request, _here(community))


@post("/c/{name:str}/hide", media_type=MediaType.HTML, include_in_schema=False)
async def hide(request: AnyRequest, name: str) -> Redirect:
    form = await request.form()
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        community = await community_named(tx, name)
        await admin.hide_community(
            tx, viewer, int(community["id"]), flag(form, "hidden"), text(form, "reason") or None
        )
    return back(request, _here(community))


@post("/c/{name:str}/remove", media_type=MediaType.HTML, include_in_schema=False)
async def remove(request: AnyRequest, name: str) -> Redirect:
    form = await request.form()
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        community = await community_named(tx, name)
        await admin.remove_community(
            tx, viewer, int(community["id"]), flag(form, "removed"), text(form, "reason") or None
        )
    return back(request, _here(community))


@post("/c/{name:str}/purge", media_type=MediaType.HTML, include_in_schema=False)
async def purge_community(request: AnyRequest, name: str) -> Redirect | Template:
    form = await request.form()
    asked = await purge_unconfirmed(request, form, f"the community !{name}", f"/c/{name}")
    if asked is not None:
        return asked
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        community = await community_named(tx, name)
        await purge.purge_community(tx, viewer, int(community["id"]), text(form, "reason") or None)
    return go("/communities")


def _person_id(form: Any) -> int:
    person_id = optional_int(form, "person_id")
    if person_id is None:
        raise ApiError(ErrorCode.COULDNT_FIND_PERSON)
    return person_id


handlers = [
    moderation_page,
    set_moderator,
    decide_follow,
    transfer,
    ban,
    hide,
    remove,
    purge_community,
]
