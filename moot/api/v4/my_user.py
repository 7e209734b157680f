"""API v4's GET /account: the signed-in member's own account (MyUserInfo) — their settings
in v4's words, follows, moderated communities, blocks of every kind, keyword filters and
languages. (v3 gave it inside GET /site.)"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from litestar import Router, get

from moot.actions import instance_blocks, keyword_blocks
from moot.api.v3.shapes import Json
from moot.api.v4 import feeds, forms, shapes
from moot.api.v4.site import sort_of
from moot.db import models as m
from moot.db.engine import Connection, Row
from moot.request_context import AnyRequest, required_viewer, state


def local_user(row: Row) -> Json:
    """LocalUser in v4's words, from the local_user row."""
    keep = (
        "id",
        "person_id",
        "show_nsfw",
        "theme",
        "interface_language",
        "show_avatars",
        "send_notifications_to_email",
        "show_bot_accounts",
        "show_read_posts",
        "email_verified",
        "accepted_application",
        "open_links_in_new_tab",
        "blur_nsfw",
        "infinite_scroll_enabled",
        "admin",
        "totp_2fa_enabled",
        "collapse_bot_comments",
    )
    out: Json = {key: row[key] for key in keep}
    if row.get("email"):
        out["email"] = row["email"]
    out["default_post_sort_type"] = sort_of(str(row["default_sort_type"]))
    window = forms.top_window(str(row["default_sort_type"]))
    if window is not None:
        out["default_post_time_range_seconds"] = window
    out["default_listing_type"] = shapes.snake(str(row["default_listing_type"]))
    out["post_listing_mode"] = shapes.snake(str(row["post_listing_mode"]))
    out["animated_images_enabled"] = row["enable_animated_images"]
    out["last_donation_notification_at"] = shapes.moment(row["last_donation_notification"])
    out["private_messages_enabled"] = True
    out["default_comment_sort_type"] = "hot"
    out["auto_mark_fetched_posts_as_read"] = False
    out["hide_posts_with_media"] = False
    out["show_score"] = row["vote_display_score"]
    out["show_upvotes"] = row["vote_display_upvotes"]
    out["show_downvotes"] = "show" if row["vote_display_downvotes"] else "hide"
    out["show_upvote_percentage"] = row["vote_display_upvote_percentage"]
    out["show_person_votes"] = False
    out["default_items_per_page"] = 20
    out["show_media"] = True
    return out


async def _rows(conn: Connection, statement: Any) -> list[Row]:
    return await conn.fetch_all(statement)


@get("/account")
async def get_my_user(request: AnyRequest) -> Json:
    async with state(request).db.connection() as conn:
        viewer = await required_viewer(conn, request)
        pid = viewer.person_id
        c, follow, block = m.community, m.community_follower, m.community_block
        followed = await _rows(
            conn,
            sa.select(c)
            .join(follow, follow.c.community_id == c.c.id)
            .where(follow.c.person_id == pid),
        )
        moderated = await _rows(
            conn,
            sa.select(c)
            .join(m.community_moderator, m.community_moderator.c.community_id == c.c.id)
            .where(m.community_moderator.c.person_id == pid)
            .order_by(c.c.id),
        )
        blocked_communities = await _rows(
            conn,
            sa.select(c)
            .join(block, block.c.community_id == c.c.id)
            .where(block.c.person_id == pid),
        )
        blocked_persons = await _rows(
            conn,
            sa.select(m.person)
            .join(m.person_block, m.person_block.c.target_id == m.person.c.id)
            .where(m.person_block.c.person_id == pid),
        )
        instances = await instance_blocks.instance_communities_blocks(conn, pid)
        person_instances = await instance_blocks.instance_persons_blocks(conn, pid)
        keywords = await keyword_blocks.keyword_blocks(conn, viewer.local_user_id)
        languages = await _rows(
            conn,
            sa.select(m.local_user_language.c.language_id)
            .where(m.local_user_language.c.local_user_id == viewer.local_user_id)
            .order_by(m.local_user_language.c.language_id),
        )
        me = shapes.person(viewer.person)
        person = viewer.person
        local_user_view: Json = {
            "local_user": local_user(viewer.local_user),
            "person": me,
            "banned": bool(person["banned"]),
        }
        if person.get("ban_expires") is not None:
            local_user_view["ban_expires_at"] = shapes.moment(person["ban_expires"])
        return {
            "local_user_view": local_user_view,
            "follows": [{"community": shapes.community(r), "follower": me} for r in followed],
            "moderates": [{"community": shapes.community(r), "moderator": me} for r in moderated],
            "multi_community_follows": await feeds.feed_views(
                conn,
                await conn.fetch_all(
                    sa.select(m.multi_community)
                    .join(
                        m.multi_community_follow,
                        m.multi_community_follow.c.multi_community_id == m.multi_community.c.id,
                    )
                    .where(m.multi_community_follow.c.person_id == pid)
                    .order_by(m.multi_community.c.id)
                ),
                viewer,
            ),
            "community_blocks": [shapes.community(r) for r in blocked_communities],
            "instance_communities_blocks": [shapes.instance(i) for i in instances],
            "instance_persons_blocks": [shapes.instance(i) for i in person_instances],
            "person_blocks": [shapes.person(p) for p in blocked_persons],
            "keyword_blocks": keywords,
            "discussion_languages": [int(r["language_id"]) for r in languages],
        }


router = Router(path="/", route_handlers=[get_my_user])
