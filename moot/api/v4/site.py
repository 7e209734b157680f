"""API v4's site, account and person routes: GET /site (without the member, who moved to
GET /account), the account's sign-in and sign-out, GET /person, GET /community and
following one."""

from __future__ import annotations

import msgspec
import sqlalchemy as sa
from litestar import Response, Router, get, post

from moot import LEMMY_API_VERSION
from moot.actions import (
    communities,
    invites,
    lookups,
    oauth_providers,
    reading_pages,
    site_state,
)
from moot.actions import site as site_actions
from moot.api import sessions
from moot.api.v3 import forms as v3_forms
from moot.api.v3.shapes import Json
from moot.api.v4 import feeds, forms, oauth, shapes, views
from moot.db import models as m
from moot.db import queries
from moot.db.engine import Connection, Row
from moot.errors import ApiError, ErrorCode
from moot.request_context import (
    AnyRequest,
    optional_viewer,
    required_viewer,
    state,
)

SUCCESS: Json = {"success": True}
_MOMENTS = ("published", "updated")


def _site(row: Row) -> Json:
    out: Json = {
        "id": row["id"],
        "name": row["name"],
        "published_at": shapes.moment(row["published"]),
        "ap_id": row["actor_id"],
        "last_refreshed_at": shapes.moment(row["last_refreshed_at"]),
        "inbox_url": row["inbox_url"],
        "instance_id": row["instance_id"],
    }
    for key, column in (
        ("sidebar", "sidebar"),
        ("updated_at", "updated"),
        ("icon", "icon"),
        ("banner", "banner"),
        ("summary", "description"),
        ("content_warning", "content_warning"),
    ):
        if row.get(column) not in (None, ""):
            out[key] = shapes.moment(row[column])
    return out


def _local_site(local: Row, totals: dict[str, int], max_bytes: int) -> Json:
    downvotes = "all" if local["enable_downvotes"] else "disable"
    out: Json = {
        "id": local["id"],
        "site_id": local["site_id"],
        "site_setup": local["site_setup"],
        "community_creation_admin_only": local["community_creation_admin_only"],
        "email_verification_required": local["require_email_verification"],
        "private_instance": local["private_instance"],
        "default_theme": local["default_theme"],
        "default_post_listing_type": shapes.snake(str(local["default_post_listing_type"])),
        "application_email_admins": local["application_email_admins"],
        "federation_enabled": local["federation_enabled"],
        "published_at": shapes.moment(local["published"]),
        "registration_mode": shapes.snake(str(local["registration_mode"])),
        "reports_email_admins": local["reports_email_admins"],
        "federation_signed_fetch": local["federation_signed_fetch"],
        "default_post_listing_mode": shapes.snake(str(local["default_post_listing_mode"])),
        "default_post_sort_type": sort_of(str(local["default_sort_type"])),
        "default_comment_sort_type": "hot",
        "oauth_registration": local["oauth_registration"],
        "post_upvotes": "all",
        "post_downvotes": downvotes,
        "comment_upvotes": "all",
        "comment_downvotes": downvotes,
        "nsfw_content_disallowed": not local["enable_nsfw"],
        **totals,
        "email_notifications_disabled": False,
        "default_items_per_page": 20,
        "image_mode": "store_link_previews",
        "image_upload_timeout_seconds": 30,
        "image_max_thumbnail_size": 512,
        "image_max_avatar_size": 512,
        "image_max_banner_size": 1024,
        "image_max_upload_size": max_bytes,
        "image_allow_video_uploads": False,
        "image_upload_disabled": False,
        "max_invites_per_user_allowed": invites.MAX_ACTIVE,
    }
    window = forms.top_window(str(local["default_sort_type"]))
    if window is not None:
        out["default_post_time_range_seconds"] = window
    for key, column in (
        ("application_question", "application_question"),
        ("legal_information", "legal_information"),
        ("slur_filter_regex", "slur_filter_regex"),
        ("updated_at", "updated"),
    ):
        if local.get(column) not in (None, ""):
            out[key] = shapes.moment(local[column])
    return out


def sort_of(v3_sort: str) -> str:
    """A v3 sort in v4's words: the Top windows are all `top` (the window is apart)."""
    return "top" if v3_sort.startswith("Top") else shapes.snake(v3_sort)


def _rate_limits(local: Row) -> Json:
    out: Json = {"local_site_id": local["id"]}
    for bucket in ("message", "post", "register", "image", "comment", "search"):
        out[f"{bucket}_max_requests"] = local[f"rate_limit_{bucket}"]
        out[f"{bucket}_interval_seconds"] = local[f"rate_limit_{bucket}_per_second"]
    out["import_user_settings_max_requests"] = local["rate_limit_import_user_settings"]
    out["import_user_settings_interval_seconds"] = local[
        "rate_limit_import_user_settings_per_second"
    ]
    out["published_at"] = shapes.moment(local["rate_limit_published"])
    if local.get("rate_limit_updated") is not None:
        out["updated_at"] = shapes.moment(local["rate_limit_updated"])
    return out


async def site_view(conn: Connection, max_bytes: int) -> Json:
    """SiteView: the site, its settings, rate limits and instance."""
    current = await site_state.current(conn)
    totals = site_actions.site_counts(await site_state.totals(conn))
    instance = await lookups.get_instance(conn, int(current.site["instance_id"]))
    return {
        "site": _site(current.site),
        "local_site": _local_site(current.local, totals, max_bytes),
        "local_site_rate_limit": _rate_limits(current.local),
        "instance": shapes.instance(instance),
    }


async def site_response(conn: Connection, max_bytes: int, *, for_admin: bool = False) -> Json:
    """GetSiteResponse (the member is under /account; an admin also reads the providers'
    settings, `admin_oauth_providers`)."""
    current = await site_state.current(conn)
    providers = await oauth_providers.listed(conn, enabled_only=not for_admin)
    admins = await conn.fetch_all(
        sa.select(m.person)
        .join(m.local_user, m.local_user.c.person_id == m.person.c.id)
        .where(m.local_user.c.admin)
        .order_by(m.local_user.c.id)
    )
    out: Json = {
        "site_view": await site_view(conn, max_bytes),
        "admins": await views.person_views(conn, admins, None),
        "version": LEMMY_API_VERSION,
        "all_languages": [
            {"id": r["id"], "code": r["code"], "name": r["name"]} for r in current.languages
        ],
        "discussion_languages": current.discussion_languages,
        "oauth_providers": [oauth.public_provider(p) for p in providers if p["enabled"]],
        "admin_oauth_providers": [oauth.admin_provider(p) for p in providers] if for_admin else [],
        "blocked_urls": [
            {"id": r["id"], "url": r["url"], "published_at": shapes.moment(r["published"])}
            for r in current.blocked_urls
        ],
        "active_plugins": [],
        "captcha_enabled": bool(current.local["captcha_enabled"]),
    }
    if current.taglines:
        tagline = current.taglines[0]
        out["tagline"] = {
            "id": tagline["id"],
            "content": tagline["content"],
            "published_at": shapes.moment(tagline["published"]),
        }
    return out


@get("/site")
async def get_site(request: AnyRequest) -> Json:
    moot = state(request)
    async with moot.db.connection() as conn:
        # Apps read the site to show its login screen, private or not.
        viewer = await optional_viewer(conn, request, open_to_all=True)
        return await site_response(
            conn, moot.settings.image_max_bytes, for_admin=viewer is not None and viewer.is_admin
        )


class Register(v3_forms.Register, kw_only=True):
    token: str | None = None  # an invitation
    stay_logged_in: bool | None = None


@post("/account/auth/register", status_code=200)
async def register(request: AnyRequest, data: Register) -> Json:
    fields = msgspec.structs.asdict(data)
    fields["invite_token"] = fields.pop("token")
    del fields["stay_logged_in"]  # moot's tokens do not expire
    return await sessions.register(request, fields)


@post("/account/auth/login", status_code=200)
async def login(request: AnyRequest, data: forms.Login) -> Json:
    return await sessions.log_in(
        request, data.username_or_email, data.password, data.totp_2fa_token
    )


@post("/account/auth/logout", status_code=200)
async def logout(request: AnyRequest) -> Response[Json]:
    return await sessions.log_out(request)


@get("/person")
async def get_person(
    request: AnyRequest,
    person_id: v3_forms.OptionalQueryInt32 = None,
    username: str | None = None,
) -> Json:
    async with state(request).db.connection() as conn:
        viewer = await optional_viewer(conn, request)
        if person_id is not None:
            chosen = sa.select(m.person).where(m.person.c.id == person_id)
        elif username is not None:
            chosen = queries.actor_by_name(m.person, username)
        else:
            raise ApiError(ErrorCode.NO_ID_GIVEN)
        person = await conn.fetch_one(chosen.limit(1))
        if person is None:
            raise ApiError(ErrorCode.COULDNT_FIND_PERSON)
        moderated = await conn.fetch_all(
            sa.select(m.community)
            .join(m.community_moderator, m.community_moderator.c.community_id == m.community.c.id)
            .where(m.community_moderator.c.person_id == person["id"])
            .order_by(m.community.c.id),
        )
        me = shapes.person(person)
        return {
            "person_view": (await views.person_views(conn, [person], viewer))[0],
            "moderates": [{"community": shapes.community(r), "moderator": me} for r in moderated],
            "multi_communities_created": await feeds.feed_views(
                conn,
                await conn.fetch_all(
                    sa.select(m.multi_community)
                    .where(
                        m.multi_community.c.creator_id == person["id"],
                        ~m.multi_community.c.deleted,
                    )
                    .order_by(m.multi_community.c.id)
                ),
                viewer,
            ),
        }


@get("/community")
async def get_community(
    request: AnyRequest, id: v3_forms.OptionalQueryInt32 = None, name: str | None = None
) -> Json:
    moot = state(request)
    async with moot.db.connection() as conn:
        viewer = await optional_viewer(conn, request)
    row = await reading_pages.community_to_open(moot, viewer, id, name)
    async with moot.db.connection() as conn:
        return {
            "community_view": (await views.community_views(conn, [row], viewer))[0],
            "moderators": await views.moderator_views(conn, [int(row["id"])]),
            "discussion_languages": await queries.community_languages(conn, int(row["id"])),
        }


@post("/community/follow", status_code=200)
async def follow_community(request: AnyRequest, data: v3_forms.FollowCommunity) -> Json:
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        row = await communities.follow(tx, viewer, data.community_id, data.follow)
        return {
            "community_view": (await views.community_views(tx, [row], viewer))[0],
            "discussion_languages": await queries.community_languages(tx, int(row["id"])),
        }


router = Router(
    path="/",
    route_handlers=[
        get_site,
        register,
        login,
        logout,
        get_person,
        get_community,
        follow_community,
    ],
)
