"""The admin page of OAuth sign-in (`/admin/oauth`): whether signing in through a provider
may make an account, and the providers, added, edited and deleted by the actions API v4's
/oauth_provider calls (which check the admin themselves). The client secret is never shown:
a blank secret in the edit form keeps the one stored."""

from __future__ import annotations

from typing import Any

from litestar import MediaType, get, post
from litestar.datastructures import FormMultiDict
from litestar.response import Redirect, Template

from moot.actions import oauth_providers
from moot.actions import site as site_actions
from moot.errors import ApiError, ErrorCode
from moot.request_context import required_viewer
from moot.web.errors import words
from moot.web.oauth_pages import callback_url
from moot.web.pages import AnyRequest, flag, go, load_page, render, state, text

_TEXTS = (
    "display_name",
    "issuer",
    "authorization_endpoint",
    "token_endpoint",
    "userinfo_endpoint",
    "id_claim",
    "client_id",
    "client_secret",
    "scopes",
)


def _fields(form: FormMultiDict, *, editing: bool) -> dict[str, Any]:
    """The form's fields; in an edit, a field left blank (the secret) keeps its value."""
    fields: dict[str, Any] = {key: text(form, key).strip() for key in _TEXTS}
    if editing:
        fields = {k: v for k, v in fields.items() if v}
    for key in oauth_providers.FLAGS:
        fields[key] = flag(form, key)
    return fields


async def _page(request: AnyRequest, status: int = 200, **context: Any) -> Template:
    async with state(request).db.connection() as conn:
        page = await load_page(conn, request)
        if page.viewer is None:
            raise ApiError(ErrorCode.NOT_LOGGED_IN)
        if not page.viewer.is_admin:
            raise ApiError(ErrorCode.NOT_AN_ADMIN)
        providers = await oauth_providers.listed(conn, enabled_only=False)
    return render(
        "admin_oauth.html",
        page,
        status=status,
        title="OAuth sign-in",
        providers=providers,
        callback=callback_url(request),
        **{"error": None, "saved": False, "new": {}, **context},
    )


@get("/admin/oauth", media_type=MediaType.HTML, include_in_schema=False)
async def oauth_page(request: AnyRequest, saved: str | None = None) -> Template:
    return await _page(request, saved=saved == "1")


@post("/admin/oauth/registration", media_type=MediaType.HTML, include_in_schema=False)
async def set_registration(request: AnyRequest) -> Redirect:
    form = await request.form()
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        changes = {"oauth_registration": flag(form, "oauth_registration")}
        await site_actions.edit_site(tx, viewer, changes, creating=False)
    return go("/admin/oauth?saved=1")


@post("/admin/oauth", media_type=MediaType.HTML, include_in_schema=False)
async def create(request: AnyRequest) -> Template | Redirect:
    form = await request.form()
    fields = _fields(form, editing=False)
    try:
        async with state(request).db.transaction() as tx:
            viewer = await required_viewer(tx, request)
            await oauth_providers.create(tx, viewer, dict(fields))
    except ApiError as exc:
        fields.pop("client_secret", None)
        return await _page(request, exc.status, error=words(exc), new=fields)
    return go("/admin/oauth?saved=1")


@post("/admin/oauth/{provider_id:int}", media_type=MediaType.HTML, include_in_schema=False)
async def edit(request: AnyRequest, provider_id: int) -> Template | Redirect:
    form = await request.form()
    try:
        async with state(request).db.transaction() as tx:
            viewer = await required_viewer(tx, request)
            await oauth_providers.edit(tx, viewer, provider_id, _fields(form, editing=True))
    except ApiError as exc:
        return await _page(request, exc.status, error=words(exc))
    return go(f"/admin/oauth?saved=1#p{provider_id}")


@post("/admin/oauth/{provider_id:int}/delete", media_type=MediaType.HTML, include_in_schema=False)
async def delete(request: AnyRequest, provider_id: int) -> Template | Redirect:
    try:
        async with state(request).db.transaction() as tx:
            viewer = await required_viewer(tx, request)
            await oauth_providers.delete(tx, viewer, provider_id)
    except ApiError as exc:
        return await _page(request, exc.status, error=words(exc))
    return go("/admin/oauth?saved=1")


handlers = [oauth_page, set_registration, create, edit, delete]
