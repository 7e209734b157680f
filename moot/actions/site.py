"""The local site: its settings and what reads them."""

from __future__ import annotations

import logging
from typing import Any

import sqlalchemy as sa

from moot import auth, validation
from moot.actions import site_state
from moot.actions.locks import lock_site
from moot.db import models as m
from moot.db.engine import Connection, Row
from moot.db.types import utcnow
from moot.errors import ApiError, ErrorCode
from moot.federation.policy import save_lists
from moot.ratelimit import LEMMY_BUCKETS, BucketConfig, RateLimitBucket

log = logging.getLogger("moot.site")


async def local_instance_id(conn: Connection, hostname: str) -> int:
    found = await conn.scalar(sa.select(m.instance.c.id).where(m.instance.c.domain == hostname))
    if found is not None:
        return int(found)
    return int(
        await conn.scalar(
            sa.insert(m.instance)
            .values(domain=hostname, software="moot", published=utcnow())
            .returning(m.instance.c.id)
        )
    )


async def load_site(conn: Connection) -> tuple[Row, Row]:
    """The local site row and its local_site settings row (without the totals: see
    `site_state.totals`), as this process keeps them."""
    state = await site_state.current(conn)
    return state.site, state.local


async def check_private_instance(conn: Connection, viewer: auth.Viewer | None) -> None:
    """A private instance shows nothing to anonymous readers (Lemmy 0.19's
    `check_private_instance`): every read that may be anonymous goes through this."""
    if viewer is not None:
        return
    if (await site_state.current(conn)).local["private_instance"]:
        raise ApiError(ErrorCode.INSTANCE_IS_PRIVATE)


def site_counts(totals: Row) -> dict[str, int]:
    """SiteAggregates, from the totals on the local_site row (`site_state.totals`)."""
    return {
        "users": int(totals["users"]),
        "posts": int(totals["posts"]),
        "comments": int(totals["comments"]),
        "communities": int(totals["communities"]),
        "users_active_day": 0,
        "users_active_week": 0,
        "users_active_month": 0,
        "users_active_half_year": 0,
    }


async def custom_emoji_views(conn: Connection) -> list[dict[str, object]]:
    from moot.api.v3 import shapes

    state = await site_state.current(conn)
    return [
        {
            "custom_emoji": shapes.custom_emoji(e),
            "keywords": [
                {"custom_emoji_id": k["custom_emoji_id"], "keyword": k["keyword"]}
                for k in state.emoji_keywords
                if k["custom_emoji_id"] == e["id"]
            ],
        }
        for e in state.custom_emojis
    ]


def rate_limits(local: Row) -> dict[RateLimitBucket, BucketConfig]:
    return {
        bucket: BucketConfig(
            capacity=int(local[f"rate_limit_{bucket.value}"]),
            interval_seconds=int(local[f"rate_limit_{bucket.value}_per_second"]),
        )
        for bucket in LEMMY_BUCKETS
    }


# EditSite keys stored on the site row and on the local_site row; the rest is handled below.
_SITE_KEYS = ("name", "sidebar", "description", "icon", "banner", "content_warning")
_LOCAL_SITE_KEYS = (
    "enable_downvotes",
    "enable_nsfw",
    "community_creation_admin_only",
    "require_email_verification",
    "application_question",
    "private_instance",
    "default_theme",
    "default_post_listing_type",
    "default_sort_type",
    "legal_information",
    "application_email_admins",
    "hide_modlog_mod_names",
    "slur_filter_regex",
    "actor_name_max_length",
    "federation_enabled",
    "captcha_enabled",
    "captcha_difficulty",
    "registration_mode",
    "reports_email_admins",
    "default_post_listing_mode",
    "oauth_registration",
)


async def edit_site(
    conn: Connection, viewer: auth.Viewer, changes: dict[str, Any], *, creating: bool
) -> Row:
    """Create (first setup) or edit the site; admins only. Returns the site's row as this
    edit found it (read under the lock: what it replaced, whatever edit came just before)."""
    if not viewer.is_admin:
        raise ApiError(ErrorCode.NOT_AN_ADMIN)
    # Two edits (or two first setups) take turns, each checked against the other's result.
    await lock_site(conn)
    site_state.invalidate(conn)  # and read it as the edit before this one left it
    site, local = await load_site(conn)
    if creating and local["site_setup"]:
        raise ApiError(ErrorCode.SITE_ALREADY_EXISTS)
    _validate_site_changes(changes, local)
    now = utcnow()
    site_values = {k: changes[k] for k in _SITE_KEYS if k in changes}
    local_values = {k: changes[k] for k in _LOCAL_SITE_KEYS if k in changes}
    local_values.update({k: v for k, v in changes.items() if k.startswith("rate_limit_")})
    if any(k.startswith("rate_limit_") for k in changes):
        local_values["rate_limit_updated"] = now
    for key in ("sidebar", "description", "icon", "banner", "content_warning"):
        if site_values.get(key) == "":
            site_values[key] = None
    await conn.execute(
        sa.update(m.site).where(m.site.c.id == site["id"]).values(**site_values, updated=now)
    )
    await conn.execute(
        sa.update(m.local_site)
        .where(m.local_site.c.id == local["id"])
        .values(**local_values, site_setup=True, updated=now)
    )
    if "taglines" in changes:
        await conn.execute(sa.delete(m.tagline))
        for content in changes["taglines"]:
            await conn.execute(
                sa.insert(m.tagline).values(
                    local_site_id=local["id"], content=content, published=now
                )
            )
    if "blocked_urls" in changes:
        await conn.execute(sa.delete(m.url_blocklist))
        for url in dict.fromkeys(changes["blocked_urls"]):
            await conn.execute(sa.insert(m.url_blocklist).values(url=url, published=now))
    if "allowed_instances" in changes or "blocked_instances" in changes:
        await save_lists(conn, changes.get("allowed_instances"), changes.get("blocked_instances"))
    if "discussion_languages" in changes:
        wanted = set(changes["discussion_languages"])
        known = await conn.fetch_all(sa.select(m.language.c.id).where(m.language.c.id.in_(wanted)))
        if len(known) != len(wanted):
            raise ApiError(ErrorCode.LANGUAGE_NOT_ALLOWED)
        await conn.execute(
            sa.delete(m.site_language).where(m.site_language.c.site_id == site["id"])
        )
        for language_id in sorted(wanted):
            await conn.execute(
                sa.insert(m.site_language).values(site_id=site["id"], language_id=language_id)
            )
    return site


def _validate_site_changes(changes: dict[str, Any], local: Row) -> None:
    if "name" in changes:
        validation.check_site_name(changes["name"])
    if changes.get("description"):
        validation.check_site_description(changes["description"])
    if changes.get("sidebar"):
        validation.check_body(
            changes["sidebar"], validation.BODY_MAX_LENGTH, ErrorCode.INVALID_BODY_FIELD
        )
    if "slur_filter_regex" in changes:
        changes["slur_filter_regex"] = changes["slur_filter_regex"] or None
        validation.compile_slur_filter(changes["slur_filter_regex"])
    private = changes.get("private_instance", local["private_instance"])
    if private and changes.get("federation_enabled", local["federation_enabled"]):
        # A private instance would hide its content from the servers it federates with.
        raise ApiError(ErrorCode.CANT_ENABLE_PRIVATE_INSTANCE_AND_FEDERATION_TOGETHER)
    if changes.get("default_post_listing_type") not in (None, "All", "Local"):
        raise ApiError(ErrorCode.INVALID_DEFAULT_POST_LISTING_TYPE)
    mode = changes.get("registration_mode", local["registration_mode"])
    question = changes.get("application_question", local["application_question"])
    if mode == "RequireApplication" and not question:
        raise ApiError(ErrorCode.APPLICATION_QUESTION_REQUIRED)
    for key, value in changes.items():
        if key.startswith("rate_limit_") and value < (1 if key.endswith("_per_second") else 0):
            raise ApiError(ErrorCode.INVALID_QUERY, f"{key} is out of range")
    for url in changes.get("blocked_urls", []):
        validation.clean_url(url if "://" in url else f"https://{url}")
