"""Signing in through an OAuth provider (Lemmy 1.0's /oauth/authenticate), for API v4 and
the web pages alike: the code the provider gave the browser is traded for the person's
claims (`moot.oauth_exchange`), and the claim the provider names (`id_claim`) finds the
account linked to it — or links one, or makes one, as the site and the provider allow.

A new account passes every check of an ordinary registration (`accounts.write_account`:
closed registration, applications, address confirmation, names) and gets a password nobody
knows; the provider's vouching for its address (`auto_verify_email`) stands for the
confirmation mail. Linking an existing account by its address (`account_linking_enabled`)
needs the provider to say the address is verified: an unverified claim would hand the
account to whoever typed its address at the provider.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from typing import Any, Final

import httpx
import sqlalchemy as sa

from moot import auth
from moot.actions import accounts, oauth_providers
from moot.actions.locks import lock_site
from moot.actions.site import load_site
from moot.config import Settings
from moot.db import models as m
from moot.db.engine import Connection, Database, Row
from moot.db.types import utcnow
from moot.db.upsert import insert_if_absent
from moot.errors import ApiError, ErrorCode
from moot.mail import Mail, send
from moot.oauth_exchange import exchange_code, read_userinfo

# Stored as the password of an account made through a provider: not a bcrypt hash, so no
# password ever matches it (the member may set one with a password reset).
NO_PASSWORD: Final = "!oauth"
# RFC 7636 4.1: 43 to 128 characters of the unreserved set.
_VERIFIER = re.compile(r"[A-Za-z0-9\-._~]{43,128}")
_MAX_CODE_CHARS: Final = 2000


@dataclass(frozen=True)
class OAuthSignIn:
    """AuthenticateWithOauth's fields (and the request's languages, for a new account)."""

    code: str
    oauth_provider_id: int
    redirect_uri: str
    pkce_code_verifier: str | None = None
    username: str | None = None
    show_nsfw: bool | None = None
    answer: str | None = None
    accept_language: str | None = None


@dataclass(frozen=True)
class Identity:
    """Who the provider says signed in: its id of the person (`id_claim`) and their address."""

    provider_id: int
    external_id: str
    email: str | None
    email_verified: bool


async def authenticate(
    db: Database,
    settings: Settings,
    client: httpx.AsyncClient,
    form: OAuthSignIn,
    ip: str | None,
    user_agent: str | None,
) -> accounts.LoginResult:
    """The code traded for the person (`identify`), then their account (`sign_in`). A code
    is good once at the provider, so the same code sent twice at once signs in once: the
    other gets `oauth_authorization_invalid`."""
    identity = await identify(db, client, form)
    return await sign_in(db, settings, identity, form, ip, user_agent)


async def identify(db: Database, client: httpx.AsyncClient, form: OAuthSignIn) -> Identity:
    """Ask the provider, with no connection held, who the code's person is."""
    _check_form(form)
    async with db.connection() as conn:
        provider = await _enabled(conn, form.oauth_provider_id)
    verifier = form.pkce_code_verifier if provider["use_pkce"] else None
    if provider["use_pkce"] and verifier is None:
        raise ApiError(ErrorCode.OAUTH_AUTHORIZATION_INVALID)
    token = await exchange_code(client, provider, form.code, form.redirect_uri, verifier)
    claims = await read_userinfo(client, provider, token)
    external_id = _claim(claims, str(provider["id_claim"]))
    if external_id is None:
        raise ApiError(ErrorCode.OAUTH_LOGIN_FAILED)
    return Identity(
        int(provider["id"]),
        external_id,
        _claim(claims, "email"),
        claims.get("email_verified") is True,
    )


async def sign_in(
    db: Database,
    settings: Settings,
    identity: Identity,
    form: OAuthSignIn,
    ip: str | None,
    user_agent: str | None,
) -> accounts.LoginResult:
    """The account linked to `identity`, or one linked now (by its verified address, when
    the provider allows) or made now (with `form`'s name and answer), signed in. The web
    pages call it again with the name a new member chose, for the identity they kept."""
    async with db.transaction() as tx:
        provider = await _enabled(tx, identity.provider_id)
        row = await _linked(tx, identity)
        if row is not None:
            return await _sign_in(tx, settings, row, ip, user_agent)
    # Not linked yet: linking and registering take the site's lock (as registrations do),
    # so two sign-ins of the same person take turns and the second finds the first's link.
    async with db.transaction() as tx:
        await lock_site(tx)
        row = await _linked(tx, identity)
        if row is None and provider["account_linking_enabled"]:
            row = await _link_by_email(tx, identity)
        if row is not None:
            return await _sign_in(tx, settings, row, ip, user_agent)
        result, mail = await _register(tx, settings, provider, identity, form, ip, user_agent)
        assert result.local_user_id is not None  # write_account made the account
        await _link(tx, identity, result.local_user_id)
    if mail is not None:
        await send(settings, mail)
    return result


async def _enabled(conn: Connection, provider_id: int) -> Row:
    provider = await oauth_providers.get(conn, provider_id)
    if not provider["enabled"]:
        raise ApiError(ErrorCode.OAUTH_AUTHORIZATION_INVALID)
    return provider


def _check_form(form: OAuthSignIn) -> None:
    if not form.code or len(form.code) > _MAX_CODE_CHARS:
        raise ApiError(ErrorCode.OAUTH_AUTHORIZATION_INVALID)
    if not form.redirect_uri.startswith(("https://", "http://")) or len(form.redirect_uri) > 2000:
        raise ApiError(ErrorCode.INVALID_URL, "redirect_uri is not an http(s) URL")
    verifier = form.pkce_code_verifier
    if verifier is not None and not _VERIFIER.fullmatch(verifier):
        raise ApiError(ErrorCode.OAUTH_AUTHORIZATION_INVALID)


def _claim(claims: dict[str, Any], name: str) -> str | None:
    """A claim as text (an id may be a number); None when absent, empty or structured."""
    value = claims.get(name)
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return None
    text = str(value).strip()
    return text[:500] if text else None


async def _linked(conn: Connection, identity: Identity) -> Row | None:
    a = m.oauth_account
    return await conn.fetch_one(
        accounts.sign_in_query()
        .join(a, a.c.local_user_id == m.local_user.c.id)
        .where(
            a.c.oauth_provider_id == identity.provider_id,
            a.c.oauth_user_id == identity.external_id,
        )
    )


async def _link(conn: Connection, identity: Identity, local_user_id: int) -> None:
    await insert_if_absent(
        conn,
        m.oauth_account,
        ("oauth_provider_id", "oauth_user_id"),
        oauth_provider_id=identity.provider_id,
        oauth_user_id=identity.external_id,
        local_user_id=local_user_id,
        published=utcnow(),
    )


async def _link_by_email(conn: Connection, identity: Identity) -> Row | None:
    """The account whose address the provider vouches for, linked to the provider."""
    if identity.email is None or not identity.email_verified:
        return None
    row = await conn.fetch_one(
        accounts.sign_in_query().where(
            sa.func.lower(m.local_user.c.email) == identity.email.lower()
        )
    )
    if row is not None:
        await _link(conn, identity, int(row["id"]))
    return row


async def _sign_in(
    conn: Connection, settings: Settings, row: Row, ip: str | None, user_agent: str | None
) -> accounts.LoginResult:
    await accounts.check_may_sign_in(conn, row)
    token = await auth.issue_token(conn, int(row["id"]), settings.hostname, ip, user_agent)
    return accounts.LoginResult(jwt=token, registration_created=False, verify_email_sent=False)


async def _register(
    conn: Connection,
    settings: Settings,
    provider: Row,
    identity: Identity,
    form: OAuthSignIn,
    ip: str | None,
    user_agent: str | None,
) -> tuple[accounts.LoginResult, Mail | None]:
    _, local = await load_site(conn)
    if not local["oauth_registration"]:
        raise ApiError(ErrorCode.OAUTH_REGISTRATION_CLOSED)
    if not form.username:
        raise ApiError(ErrorCode.REGISTRATION_USERNAME_REQUIRED)
    # A password only to pass the form's checks: the account stores NO_PASSWORD.
    unused = secrets.token_urlsafe(24)
    registration = accounts.Registration(
        username=form.username,
        password=unused,
        password_verify=unused,
        email=identity.email,
        show_nsfw=form.show_nsfw,
        answer=form.answer,
        accept_language=form.accept_language,
    )
    return await accounts.write_account(
        conn,
        settings,
        registration,
        NO_PASSWORD,
        ip,
        user_agent,
        email_verified=bool(provider["auto_verify_email"]) and identity.email is not None,
    )
