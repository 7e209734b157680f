"""Site routes: GET/POST/PUT /site."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import sqlalchemy as sa
from litestar import Router, get, post, put

from moot import LEMMY_API_VERSION, auth
from moot.actions import instance_blocks, site_state
from moot.actions import site as site_actions
from moot.api.v3 import forms, shapes, views
from moot.api.v3.shapes import Json
from moot.db import models as m
from moot.db.engine import Connection, Row
from moot.db.prepared import Prepared
from moot.request_context import AnyRequest, optional_viewer, required_viewer, state


async def _site_view(conn: Connection) -> Json:
    site, local = await site_actions.load_site(conn)
    counts = site_actions.site_counts(await site_state.totals(conn))
    return {
        "site": shapes.site(site),
        "local_site": shapes.local_site(local),
        "local_site_rate_limit": shapes.local_site_rate_limit(local),
        "counts": {"site_id": site["id"], **counts},
    }


async def _my_user(conn: Connection, viewer: auth.Viewer) -> Json:
    pid = viewer.person_id
    t = m.community_follower
    followed = await conn.fetch_all(
        sa.select(m.community)
        .join(t, t.c.community_id == m.community.c.id)
        .where(t.c.person_id == pid)
    )
    blocked_communities = await conn.fetch_all(
        sa.select(m.community)
        .join(m.community_block, m.community_block.c.community_id == m.community.c.id)
        .where(m.community_block.c.person_id == pid)
    )
    blocked_persons = await conn.fetch_all(
        sa.select(m.person)
        .join(m.person_block, m.person_block.c.target_id == m.person.c.id)
        .where(m.person_block.c.person_id == pid)
    )
    blocked_instances = await instance_blocks.instance_communities_blocks(conn, pid)
    sites = {
        int(s["instance_id"]): s
        for s in await conn.fetch_all(
            sa.select(m.site).where(
                m.site.c.instance_id.in_([int(i["id"]) for i in blocked_instances])
            )
        )
    }
    languages = await conn.fetch_all(
        sa.select(m.local_user_language.c.language_id)
        .where(m.local_user_language.c.local_user_id == viewer.local_user_id)
        .order_by(m.local_user_language.c.language_id)
    )
    me = shapes.person(viewer.person)
    return {
        "local_user_view": {
            "local_user": shapes.local_user(viewer.local_user),
            "local_user_vote_display_mode": shapes.vote_display_mode(viewer.local_user),
            "person": me,
            "counts": shapes.person_counts(viewer.person),
        },
        "follows": [{"community": shapes.community(c), "follower": me} for c in followed],
        "moderates": await views.moderates(conn, viewer.person),
        "community_blocks": [
            {"person": me, "community": shapes.community(c)} for c in blocked_communities
        ],
        "instance_blocks": [
            _instance_block(me, i, sites.get(int(i["id"]))) for i in blocked_instances
        ],
        "person_blocks": [{"person": me, "target": shapes.person(p)} for p in blocked_persons],
        "discussion_languages": [int(r["language_id"]) for r in languages],
    }


def _instance_block(me: Json, instance: Row, site: Row | None) -> Json:
    """An InstanceBlockView; `site` only when that instance's Site actor is known here."""
    out: Json = {"person": me, "instance": shapes.instance(instance)}
    if site is not None:
        out["site"] = shapes.site(site)
    return out


# The admins with the columns their PersonView shows (not their keys), by seniority.
_ADMINS = Prepared(
    lambda dialect, variant: (
        sa.select(
            *[m.person.c[name] for name in (*shapes.PERSON_COLUMNS, "post_count", "comment_count")]
        )
        .join(m.local_user, m.local_user.c.person_id == m.person.c.id)
        .where(m.local_user.c.admin)
        .order_by(m.local_user.c.id)
    )
)


async def _kept_lists(conn: Connection, state: site_state.SiteState) -> Json:
    """The lists of GET /site that come from the site's state, shaped once per state."""
    lists: Json | None = state.shaped.get("api_v3")
    if lists is None:
        lists = state.shaped["api_v3"] = {
            "all_languages": [
                {"id": r["id"], "code": r["code"], "name": r["name"]} for r in state.languages
            ],
            "discussion_languages": state.discussion_languages,
            "taglines": [shapes.tagline(t) for t in state.taglines],
            "custom_emojis": await site_actions.custom_emoji_views(conn),
            "blocked_urls": [shapes.blocked_url(r) for r in state.blocked_urls],
        }
    return lists


async def site_response(conn: Connection, viewer: auth.Viewer | None) -> Json:
    state = await site_state.current(conn)
    admins = await conn.run(_ADMINS, {})
    lists = await _kept_lists(conn, state)
    out: Json = {
        "site_view": await _site_view(conn),
        "admins": [shapes.person_view(p, True) for p in admins],
        "version": LEMMY_API_VERSION,
        "all_languages": lists["all_languages"],
        "discussion_languages": lists["discussion_languages"],
        "taglines": lists["taglines"],
        "custom_emojis": lists["custom_emojis"],
        "blocked_urls": lists["blocked_urls"],
    }
    if viewer is not None:
        out["my_user"] = await _my_user(conn, viewer)
    return out


@get("/site")
async def get_site(request: AnyRequest) -> Json:
    async with state(request).db.connection() as conn:
        # Apps read the site to show its login screen, private or not.
        viewer = await optional_viewer(conn, request, open_to_all=True)
        return await site_response(conn, viewer)


async def save_site(
    request: AnyRequest,
    changes: dict[str, Any],
    answer: Callable[[Connection], Awaitable[Json]],
    *,
    creating: bool,
) -> Json:
    """Create or edit the site with EditSite's `changes` (v3's names), answer with what
    `answer` reads in the same transaction, and apply the new limits and lists at once.
    Both API versions' POST and PUT /site come here."""
    moot = state(request)
    async with moot.db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        await site_actions.edit_site(tx, viewer, changes, creating=creating)
        _, local = await site_actions.load_site(tx)
        response = await answer(tx)
    moot.limiter.set_limits(site_actions.rate_limits(local))
    if moot.federation is not None:
        moot.federation.policy.forget()  # allow and block lists apply at once
    return response


async def _saved_site(tx: Connection) -> Json:
    return {
        "site_view": await _site_view(tx),
        "taglines": [shapes.tagline(t) for t in (await site_state.current(tx)).taglines],
    }


async def _save_site(request: AnyRequest, data: forms.EditSite, *, creating: bool) -> Json:
    changes: dict[str, Any] = {
        key: getattr(data, key) for key in data.__struct_fields__ if getattr(data, key) is not None
    }
    return await save_site(request, changes, _saved_site, creating=creating)


@post("/site", status_code=200)
async def create_site(request: AnyRequest, data: forms.CreateSite) -> Json:
    return await _save_site(request, data, creating=True)


@put("/site")
async def edit_site(request: AnyRequest, data: forms.EditSite) -> Json:
    return await _save_site(request, data, creating=False)


@post("/site/block", status_code=200)
async def block_instance(request: AnyRequest, data: forms.BlockInstance) -> Json:
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        await instance_blocks.block_instance_communities(tx, viewer, data.instance_id, data.block)
    return {"blocked": data.block}


router = Router(path="/", route_handlers=[get_site, create_site, edit_site, block_instance])
