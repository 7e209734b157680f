"""API v4's account-keeping routes: checking a token, the member's logins, two-factor
sign-in, passwords, email confirmation, deleting the account; and three small reads — a
link's preview, a random community, a thread's comments without their post."""

from __future__ import annotations

import msgspec
import sqlalchemy as sa
from litestar import Response, Router, delete, get, post, put

from moot.actions import accounts, mail_links, reading_pages, two_factor
from moot.actions.communities import shown_to
from moot.api.v3 import forms as v3_forms
from moot.api.v3.forms import Form
from moot.api.v3.shapes import Json
from moot.api.v4 import forms, shapes, views
from moot.auth import tokens_of
from moot.db import models as m
from moot.errors import ApiError, ErrorCode
from moot.media.site_metadata import fetch_site_metadata
from moot.request_context import (
    AnyRequest,
    client_ip,
    listing_connection,
    optional_viewer,
    required_viewer,
    state,
    user_agent,
)

SUCCESS: Json = {"success": True}
# What a CommentSlimView keeps of a CommentView: the thread's post and community are
# the client's already.
_SLIM = (
    "comment",
    "creator",
    "comment_actions",
    "person_actions",
    "creator_is_admin",
    "can_mod",
    "creator_banned",
    "creator_is_moderator",
    "creator_banned_from_community",
)


class EditTotp(Form, kw_only=True):
    totp_token: str
    enabled: bool


class ChangePassword(Form, kw_only=True):
    new_password: str
    new_password_verify: str
    old_password: str
    stay_logged_in: bool | None = None


@get("/account/validate_auth")
async def validate_auth(request: AnyRequest) -> Json:
    async with state(request).db.connection() as conn:
        if await optional_viewer(conn, request, open_to_all=True) is None:
            raise ApiError(ErrorCode.NOT_LOGGED_IN)
    return SUCCESS


@get("/account/login/list")
async def list_logins(request: AnyRequest) -> Json:
    async with state(request).db.connection() as conn:
        viewer = await required_viewer(conn, request)
        logins = []
        for row in await tokens_of(conn, viewer.local_user_id):
            login: Json = {
                "user_id": row["user_id"],
                "published_at": shapes.moment(row["published"]),
            }
            for key in ("ip", "user_agent"):
                if row.get(key):
                    login[key] = row[key]
            logins.append(login)
        return {"logins": logins}


@delete("/account", status_code=200)
async def delete_account(request: AnyRequest, data: v3_forms.DeleteAccount) -> Json:
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        await accounts.delete_account(tx, viewer, data.password, data.delete_content)
    return SUCCESS


@post("/account/donation_dialog_shown", status_code=200)
async def donation_dialog_shown(request: AnyRequest) -> Json:
    async with state(request).db.transaction() as tx:
        await accounts.donation_dialog_shown(tx, await required_viewer(tx, request))
    return SUCCESS


@post("/account/auth/totp/generate", status_code=200)
async def generate_totp_secret(request: AnyRequest) -> Json:
    async with state(request).db.transaction() as tx:
        url = await two_factor.generate(tx, await required_viewer(tx, request))
    return {"totp_secret_url": url}


@post("/account/auth/totp/edit", status_code=200)
async def edit_totp(request: AnyRequest, data: EditTotp) -> Json:
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        enabled = await two_factor.update(tx, viewer, data.totp_token, data.enabled)
    return {"enabled": enabled}


@put("/account/auth/change_password")
async def change_password(request: AnyRequest, data: ChangePassword) -> Json:
    moot = state(request)
    async with moot.db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        token = await accounts.change_password(
            tx,
            moot.settings,
            viewer,
            data.old_password,
            data.new_password,
            data.new_password_verify,
            client_ip(request),
            user_agent(request),
        )
    return {"jwt": token, "registration_created": False, "verify_email_sent": False}


@post("/account/auth/password_reset", status_code=200)
async def password_reset(request: AnyRequest, data: v3_forms.PasswordReset) -> Json:
    moot = state(request)
    await mail_links.request_password_reset(moot.db, moot.settings, data.email)
    return SUCCESS


@post("/account/auth/password_change", status_code=200)
async def password_change_after_reset(
    request: AnyRequest, data: v3_forms.PasswordChangeAfterReset
) -> Json:
    await mail_links.reset_password(
        state(request).db, data.token, data.password, data.password_verify
    )
    return SUCCESS


@post("/account/auth/verify_email", status_code=200)
async def verify_email(request: AnyRequest, data: v3_forms.VerifyEmail) -> Json:
    await mail_links.verify_email(state(request).db, data.token)
    return SUCCESS


class ResendVerificationEmail(Form, kw_only=True):
    email: str


@post("/account/auth/resend_verification_email", status_code=200)
async def resend_verification_email(request: AnyRequest, data: ResendVerificationEmail) -> Json:
    moot = state(request)
    await mail_links.resend_verification(moot.db, moot.settings, data.email)
    return SUCCESS


@get("/account/auth/get_captcha")
async def get_captcha() -> Response[Json]:
    # Captcha is off on moot instances; Lemmy answers an empty object then.
    return Response({}, headers={"Cache-Control": "no-store"})


@get("/post/site_metadata")
async def site_metadata(request: AnyRequest, url: str) -> Json:
    moot = state(request)
    async with moot.db.connection() as conn:
        await required_viewer(conn, request)
    assert moot.http is not None
    metadata = await fetch_site_metadata(url, moot.http)
    return {"metadata": msgspec.to_builtins(metadata)}


@get("/community/random")
async def random_community(
    request: AnyRequest, type_: forms.ListingType | None = None, show_nsfw: bool | None = None
) -> Json:
    """A community picked at random among those listed to the reader (local ones for
    `local`; NSFW ones only when asked)."""
    c = m.community.c
    async with state(request).db.connection() as conn:
        viewer = await optional_viewer(conn, request)
        query = sa.select(m.community).where(~c.removed, ~c.deleted, ~c.hidden)
        if type_ == "local":
            query = query.where(c.local)
        if not show_nsfw:
            query = query.where(~c.nsfw)
        for _ in range(3):  # a pick the reader may not see is picked again
            row = await conn.fetch_one(query.order_by(sa.func.random()).limit(1))
            if row is None:
                break
            if await shown_to(conn, row, viewer):
                return {
                    "community_view": (await views.community_views(conn, [row], viewer))[0],
                    "discussion_languages": [],
                }
    raise ApiError(ErrorCode.COULDNT_FIND_COMMUNITY)


@get("/comment/list/slim")
async def list_comments_slim(
    request: AnyRequest,
    type_: forms.ListingType | None = None,
    sort: forms.CommentSortType | None = None,
    max_depth: v3_forms.OptionalQueryInt32 = None,
    community_id: v3_forms.OptionalQueryInt32 = None,
    post_id: v3_forms.OptionalQueryInt32 = None,
    parent_id: v3_forms.OptionalQueryInt32 = None,
    limit: v3_forms.OptionalQueryInt32 = None,
) -> Json:
    asked = reading_pages.CommentsAsked(
        listing_type=forms.listing_type(type_),
        sort=forms.comment_sort(sort),
        max_depth=max_depth,
        limit=limit,
        community_id=community_id,
        post_id=post_id,
        parent_id=parent_id,
    )
    async with listing_connection(request) as conn:
        viewer = await optional_viewer(conn, request)
        rows = await reading_pages.comment_page(
            conn, viewer, asked, shapes.COMMENT_COLUMNS, shapes.PERSON_COLUMNS
        )
        full = await views.listed_comment_views(conn, rows, viewer)
        return {"items": [{k: view[k] for k in _SLIM if k in view} for view in full]}


router = Router(
    path="/",
    route_handlers=[
        validate_auth,
        list_logins,
        delete_account,
        donation_dialog_shown,
        generate_totp_secret,
        edit_totp,
        change_password,
        password_reset,
        password_change_after_reset,
        verify_email,
        resend_verification_email,
        get_captcha,
        site_metadata,
        random_community,
        list_comments_slim,
    ],
)
