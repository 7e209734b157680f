"""API v4's OAuth sign-in: admins keep the providers (`/oauth_provider`), and an app that
brought the browser back from a provider with a code trades it for a login
(`/oauth/authenticate`). GET /site lists the providers (`oauth_providers`, and for admins
`admin_oauth_providers`)."""

from __future__ import annotations

import msgspec
from litestar import Router, delete, post, put

from moot.actions import oauth_providers, oauth_sign_in
from moot.api.sessions import login_json
from moot.api.v3.forms import Form, Int32
from moot.api.v3.shapes import Json
from moot.api.v4 import shapes
from moot.db.engine import Row
from moot.request_context import AnyRequest, client_ip, required_viewer, state, user_agent

_PUBLIC = ("id", "display_name", "authorization_endpoint", "client_id", "scopes", "use_pkce")
_ADMIN = (
    *_PUBLIC,
    "issuer",
    "token_endpoint",
    "userinfo_endpoint",
    "id_claim",
    "auto_verify_email",
    "account_linking_enabled",
    "enabled",
)


class CreateOAuthProvider(Form, kw_only=True):
    display_name: str
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    userinfo_endpoint: str
    id_claim: str
    client_id: str
    client_secret: str
    scopes: str
    auto_verify_email: bool | None = None
    account_linking_enabled: bool | None = None
    use_pkce: bool | None = None
    enabled: bool | None = None


class EditOAuthProvider(Form, kw_only=True):
    id: Int32
    display_name: str | None = None
    authorization_endpoint: str | None = None
    token_endpoint: str | None = None
    userinfo_endpoint: str | None = None
    id_claim: str | None = None
    client_secret: str | None = None
    scopes: str | None = None
    auto_verify_email: bool | None = None
    account_linking_enabled: bool | None = None
    use_pkce: bool | None = None
    enabled: bool | None = None


class DeleteOAuthProvider(Form, kw_only=True):
    id: Int32


class AuthenticateWithOauth(Form, kw_only=True):
    code: str
    oauth_provider_id: Int32
    redirect_uri: str
    show_nsfw: bool | None = None
    username: str | None = None
    answer: str | None = None
    pkce_code_verifier: str | None = None
    stay_logged_in: bool | None = None


def public_provider(row: Row) -> Json:
    """PublicOAuthProvider: what a login screen needs to send the browser to the provider."""
    return {key: row[key] for key in _PUBLIC}


def admin_provider(row: Row) -> Json:
    """AdminOAuthProvider: every setting but the client secret."""
    out: Json = {key: row[key] for key in _ADMIN}
    out["published_at"] = shapes.moment(row["published"])
    if row["updated"] is not None:
        out["updated_at"] = shapes.moment(row["updated"])
    return out


@post("/oauth_provider", status_code=200)
async def create_provider(request: AnyRequest, data: CreateOAuthProvider) -> Json:
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        row = await oauth_providers.create(tx, viewer, msgspec.structs.asdict(data))
        return admin_provider(row)


@put("/oauth_provider")
async def edit_provider(request: AnyRequest, data: EditOAuthProvider) -> Json:
    fields = msgspec.structs.asdict(data)
    provider_id = fields.pop("id")
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        return admin_provider(await oauth_providers.edit(tx, viewer, provider_id, fields))


@delete("/oauth_provider", status_code=200)
async def delete_provider(request: AnyRequest, data: DeleteOAuthProvider) -> Json:
    async with state(request).db.transaction() as tx:
        await oauth_providers.delete(tx, await required_viewer(tx, request), data.id)
    return {"success": True}


@post("/oauth/authenticate", status_code=200)
async def authenticate(request: AnyRequest, data: AuthenticateWithOauth) -> Json:
    moot = state(request)
    assert moot.http is not None
    form = oauth_sign_in.OAuthSignIn(
        code=data.code,
        oauth_provider_id=data.oauth_provider_id,
        redirect_uri=data.redirect_uri,
        pkce_code_verifier=data.pkce_code_verifier,
        username=data.username,
        show_nsfw=data.show_nsfw,
        answer=data.answer,
        accept_language=request.headers.get("accept-language"),
    )
    result = await oauth_sign_in.authenticate(
        moot.db, moot.settings, moot.http, form, client_ip(request), user_agent(request)
    )
    return login_json(result)


router = Router(
    path="/", route_handlers=[create_provider, edit_provider, delete_provider, authenticate]
)
