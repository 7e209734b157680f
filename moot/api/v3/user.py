"""Account routes under /user."""

from __future__ import annotations

from typing import Any

import msgspec
import sqlalchemy as sa
from litestar import Response, Router, get, post, put

from moot.actions import accounts, mail_links, two_factor
from moot.api import sessions
from moot.api.v3 import backup, forms, shapes, views
from moot.api.v3.shapes import Json
from moot.auth import tokens_of
from moot.db import models as m
from moot.db import queries
from moot.db.around import Unprefixed
from moot.db.engine import Connection, Row
from moot.db.listings import CommentFilter, check_page, comment_sort_for, list_comments
from moot.db.post_listing import PostFilter, list_posts
from moot.errors import ApiError, ErrorCode
from moot.mail import send
from moot.request_context import (
    AnyRequest,
    client_ip,
    optional_viewer,
    required_viewer,
    state,
    user_agent,
)

SUCCESS: Json = {"success": True}


@post("/register", status_code=200)
async def register(request: AnyRequest, data: forms.Register) -> Json:
    return await sessions.register(request, msgspec.structs.asdict(data))


@post("/login", status_code=200)
async def login(request: AnyRequest, data: forms.Login) -> Json:
    return await sessions.log_in(
        request, data.username_or_email, data.password, data.totp_2fa_token
    )


@post("/logout", status_code=200)
async def logout(request: AnyRequest) -> Response[Json]:
    return await sessions.log_out(request)


@get("/validate_auth")
async def validate_auth(request: AnyRequest) -> Json:
    async with state(request).db.connection() as conn:
        if await optional_viewer(conn, request, open_to_all=True) is None:
            raise ApiError(ErrorCode.NOT_LOGGED_IN)
    return SUCCESS


@put("/change_password")
async def change_password(request: AnyRequest, data: forms.ChangePassword) -> Json:
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


@put("/save_user_settings")
async def save_user_settings(request: AnyRequest, data: forms.SaveUserSettings) -> Json:
    moot = state(request)
    async with moot.db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        mail = await accounts.save_settings(tx, moot.settings, viewer, msgspec.structs.asdict(data))
    if mail is not None:
        await send(moot.settings, mail)
    return SUCCESS


@post("/password_reset", status_code=200)
async def password_reset(request: AnyRequest, data: forms.PasswordReset) -> Json:
    moot = state(request)
    await mail_links.request_password_reset(moot.db, moot.settings, data.email)
    return SUCCESS


@post("/password_change", status_code=200)
async def password_change_after_reset(
    request: AnyRequest, data: forms.PasswordChangeAfterReset
) -> Json:
    await mail_links.reset_password(
        state(request).db, data.token, data.password, data.password_verify
    )
    return SUCCESS


@post("/verify_email", status_code=200)
async def verify_email(request: AnyRequest, data: forms.VerifyEmail) -> Json:
    await mail_links.verify_email(state(request).db, data.token)
    return SUCCESS


@post("/delete_account", status_code=200)
async def delete_account(request: AnyRequest, data: forms.DeleteAccount) -> Json:
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        await accounts.delete_account(tx, viewer, data.password, data.delete_content)
    return SUCCESS


@post("/block", status_code=200)
async def block_person(request: AnyRequest, data: forms.BlockPerson) -> Json:
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        target = await accounts.block_person(tx, viewer, data.person_id, data.block)
        person_view = (await views.person_views(tx, [target]))[0]
    return {"person_view": person_view, "blocked": data.block}


@post("/totp/generate", status_code=200)
async def generate_totp_secret(request: AnyRequest) -> Json:
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        url = await two_factor.generate(tx, viewer)
    return {"totp_secret_url": url}


@post("/totp/update", status_code=200)
async def update_totp(request: AnyRequest, data: forms.UpdateTotp) -> Json:
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        enabled = await two_factor.update(tx, viewer, data.totp_token, data.enabled)
    return {"enabled": enabled}


@get("/list_logins")
async def list_logins(request: AnyRequest) -> list[Json]:
    async with state(request).db.connection() as conn:
        viewer = await required_viewer(conn, request)
        return [shapes.login_token(row) for row in await tokens_of(conn, viewer.local_user_id)]


@post("/donation_dialog_shown", status_code=200)
async def donation_dialog_shown(request: AnyRequest) -> Json:
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        await accounts.donation_dialog_shown(tx, viewer)
    return SUCCESS


@get("/export_settings")
async def export_settings(request: AnyRequest) -> Json:
    async with state(request).db.connection() as conn:
        return await backup.export(conn, await required_viewer(conn, request))


@post("/import_settings", status_code=200)
async def import_settings(request: AnyRequest, data: forms.UserSettingsBackup) -> Json:
    moot = state(request)
    async with moot.db.connection() as conn:
        viewer = await required_viewer(conn, request)
    await backup.apply(moot, viewer, data)
    return SUCCESS


@get("/get_captcha")
async def get_captcha() -> Response[Json]:
    # Captcha is off on moot instances for now; Lemmy answers an empty object then.
    return Response({}, headers={"Cache-Control": "no-store"})


async def _profile(conn: Connection, chosen: sa.Select[Any]) -> tuple[Row, bool, list[Row]]:
    """The person `chosen` selects, whether they are an admin, and the communities they
    moderate (by id): one statement, a row per community (or one with none)."""
    found = chosen.limit(1).subquery()
    mod, community = m.community_moderator, m.community
    rows = await conn.fetch_all(
        sa.select(
            found,
            sa.exists()
            .where(m.local_user.c.person_id == found.c.id, m.local_user.c.admin)
            .label("is_admin"),
            *[community.c[name].label(f"c_{name}") for name in shapes.COMMUNITY_COLUMNS],
        )
        .select_from(found)
        .outerjoin(mod, mod.c.person_id == found.c.id)
        .outerjoin(community, community.c.id == mod.c.community_id)
        .order_by(mod.c.community_id)
    )
    if not rows:
        raise ApiError(ErrorCode.COULDNT_FIND_PERSON)
    person = {c.name: rows[0][c.name] for c in m.person.c}
    moderated = [_MODERATED(r) for r in rows if r["c_id"] is not None]
    return person, bool(rows[0]["is_admin"]), moderated


_MODERATED = Unprefixed("c_", shapes.COMMUNITY_COLUMNS)


@get("/")
async def get_person_details(
    request: AnyRequest,
    person_id: forms.OptionalQueryInt32 = None,
    username: str | None = None,
    sort: forms.SortType | None = None,
    page: forms.OptionalQueryInt32 = None,
    limit: forms.OptionalQueryInt32 = None,
    community_id: forms.OptionalQueryInt32 = None,
    saved_only: bool | None = None,
) -> Json:
    page_no, page_size = check_page(page, limit, ErrorCode.COULDNT_FIND_PERSON)
    async with state(request).db.connection() as conn:
        viewer = await optional_viewer(conn, request)
        if person_id is not None:
            chosen_person = sa.select(m.person).where(m.person.c.id == person_id)
        elif username is not None:
            chosen_person = queries.actor_by_name(m.person, username)
        else:
            raise ApiError(ErrorCode.NO_ID_GIVEN)
        person, is_admin, moderated = await _profile(conn, chosen_person)
        pid = int(person["id"])
        chosen = sort or "New"
        own_saved = bool(saved_only) and viewer is not None and viewer.person_id == pid
        post_rows = await list_posts(
            conn,
            PostFilter(
                sort=chosen,
                creator_id=None if own_saved else pid,
                community_id=community_id,
                viewer_id=viewer.person_id if viewer else None,
                saved_only=own_saved,
                show_nsfw=True,
                featured_first=False,
                show_read=True,
                show_hidden=True,
            ),
            page_no,
            page_size,
        )
        comment_rows = await list_comments(
            conn,
            CommentFilter(
                sort=comment_sort_for(chosen),
                creator_id=None if own_saved else pid,
                community_id=community_id,
                viewer_id=viewer.person_id if viewer else None,
                saved_only=own_saved,
            ),
            page_no,
            page_size,
        )
        return {
            "person_view": shapes.person_view(person, is_admin),
            "comments": await views.comment_views(conn, comment_rows, viewer),
            "posts": await views.post_views(conn, post_rows, viewer),
            "moderates": views.moderates_of(person, moderated),
        }


router = Router(
    path="/user",
    route_handlers=[
        register,
        login,
        logout,
        validate_auth,
        change_password,
        save_user_settings,
        password_reset,
        password_change_after_reset,
        verify_email,
        delete_account,
        block_person,
        generate_totp_secret,
        update_totp,
        list_logins,
        donation_dialog_shown,
        export_settings,
        import_settings,
        get_captcha,
        get_person_details,
    ],
)
