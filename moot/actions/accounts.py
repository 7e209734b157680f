"""Accounts: register, log in and out, settings, password, blocks, deletion."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from moot import auth, validation
from moot.actions import counters, invites, keyword_blocks, mail_links, site_state, two_factor
from moot.actions.locks import lock_site
from moot.actions.signup_languages import EVERY_LANGUAGE, SignupLanguages, signup_languages
from moot.actions.site import load_site, local_instance_id
from moot.config import Settings
from moot.db import models as m
from moot.db import queries
from moot.db.engine import Connection, Database, Row
from moot.db.types import utcnow
from moot.db.upsert import insert_if_absent
from moot.errors import ApiError, ErrorCode
from moot.federation import publish
from moot.login_throttle import LoginThrottle
from moot.mail import Mail, require_mail, send
from moot.text.lookalikes import skeleton

# Failed logins, for the operator (a throttled account is logged by the throttle).
security_log = logging.getLogger("moot.security")


@dataclass(frozen=True)
class Registration:
    username: str
    password: str
    password_verify: str
    email: str | None = None
    show_nsfw: bool | None = None
    honeypot: str | None = None
    answer: str | None = None
    captcha_uuid: str | None = None
    captcha_answer: str | None = None
    accept_language: str | None = None  # the request's header: the account's languages
    invite_token: str | None = None  # an invitation (moot/actions/invites.py)


@dataclass(frozen=True)
class LoginResult:
    jwt: str | None
    registration_created: bool
    verify_email_sent: bool
    local_user_id: int | None = None  # the account written, for a caller that links it


async def create_local_user(
    conn: Connection,
    settings: Settings,
    name: str,
    password_hash: str,
    *,
    email: str | None = None,
    admin: bool = False,
    accepted_application: bool = True,
    show_nsfw: bool = False,
    languages: SignupLanguages = EVERY_LANGUAGE,
) -> tuple[int, int]:
    """Insert the person and local_user rows; returns (person_id, local_user_id).

    The caller hashes the password (`auth.hash_password_off_loop` when serving requests).
    """
    now = utcnow()
    actor_id = f"{settings.origin}/u/{name}"
    person_id = await conn.scalar(
        sa.insert(m.person)
        .values(
            name=name,
            actor_id=actor_id,
            inbox_url=f"{actor_id}/inbox",
            instance_id=await local_instance_id(conn, settings.hostname),
            published=now,
            local=True,
        )
        .returning(m.person.c.id)
    )
    local_user_id = await conn.scalar(
        sa.insert(m.local_user)
        .values(
            person_id=person_id,
            password_encrypted=password_hash,
            email=email,
            admin=admin,
            accepted_application=accepted_application,
            show_nsfw=show_nsfw,
            last_donation_notification=now,
            interface_language=languages.interface_language or "browser",
        )
        .returning(m.local_user.c.id)
    )
    chosen = sa.select(sa.literal(local_user_id), m.language.c.id)
    if languages.language_ids is not None:
        chosen = chosen.where(m.language.c.id.in_(languages.language_ids))
    await conn.execute(
        sa.insert(m.local_user_language).from_select(["local_user_id", "language_id"], chosen)
    )
    await counters.site_counted(conn, "users", +1)
    return int(person_id), int(local_user_id)


async def create_admin(conn: Connection, settings: Settings, name: str, password: str) -> int:
    """An admin account, made by the operator (CLI or first-start environment)."""
    validation.check_actor_name(name)
    validation.check_password(password)
    if await queries.person_by_name(conn, name) is not None:
        raise ApiError(ErrorCode.USER_ALREADY_EXISTS)
    password_hash = auth.hash_password(password)  # before serving: nothing waits on the loop
    person_id, _ = await create_local_user(conn, settings, name, password_hash, admin=True)
    await conn.execute(sa.update(m.local_site).values(site_setup=True))
    site_state.invalidate(conn)
    return person_id


@dataclass(frozen=True)
class Admission:
    """What a registration form that passed every check becomes."""

    first_admin: bool
    needs_application: bool
    needs_verification: bool
    email: str | None
    invited: bool = False  # registering with an invitation, whose use is to be counted


async def register(
    db: Database, settings: Settings, form: Registration, ip: str | None, user_agent: str | None
) -> LoginResult:
    """Checks the form, hashes the password, and writes the account in one transaction.

    The hash runs between two checks of the form with no connection held: a refused form
    costs no hash, and a name taken by someone else while it ran is still refused. The mail
    asking to confirm the address goes after the commit.
    """
    async with db.connection() as conn:
        await admit(conn, settings, form)
    password_hash = await auth.hash_password_off_loop(form.password)
    async with db.transaction() as tx:
        result, mail = await write_account(tx, settings, form, password_hash, ip, user_agent)
    if mail is not None:
        await send(settings, mail)
    return result


async def write_account(
    tx: Connection,
    settings: Settings,
    form: Registration,
    password_hash: str,
    ip: str | None,
    user_agent: str | None,
    *,
    email_verified: bool = False,
) -> tuple[LoginResult, Mail | None]:
    """The registration's checks and rows, in the caller's transaction: the account, its
    application, the mail asking to confirm its address (for the caller to send after the
    commit) and, if it may sign in now, its token. `email_verified`: the address is known
    good already (an OAuth provider vouched for it), so no mail is sent."""
    # Two forms racing for one name (or both to be the first admin) take turns here,
    # and the second is checked against the first's account.
    await lock_site(tx)
    admitted = await admit(tx, settings, form)
    if admitted.invited and form.invite_token:
        await invites.use(tx, form.invite_token)
    languages = await signup_languages(tx, form.accept_language)
    _, local_user_id = await create_local_user(
        tx,
        settings,
        form.username,
        password_hash,
        email=admitted.email,
        admin=admitted.first_admin,
        accepted_application=not admitted.needs_application,
        show_nsfw=bool(form.show_nsfw),
        languages=languages,
    )
    if admitted.needs_application:
        await tx.execute(
            sa.insert(m.registration_application).values(
                local_user_id=local_user_id, answer=form.answer or "", published=utcnow()
            )
        )
    mail: Mail | None = None
    needs_verification = admitted.needs_verification and not email_verified
    if email_verified and admitted.email is not None:
        await tx.execute(
            sa.update(m.local_user)
            .where(m.local_user.c.id == local_user_id)
            .values(email_verified=True)
        )
    elif needs_verification and admitted.email is not None:
        mail = await mail_links.start_verification(
            tx, settings, local_user_id, form.username, admitted.email
        )
    token: str | None = None
    if not admitted.needs_application and not needs_verification:
        token = await auth.issue_token(tx, local_user_id, settings.hostname, ip, user_agent)
    result = LoginResult(
        jwt=token,
        registration_created=admitted.needs_application,
        verify_email_sent=mail is not None,
        local_user_id=local_user_id,
    )
    return result, mail


async def admit(conn: Connection, settings: Settings, form: Registration) -> Admission:
    """Every check of a registration form, in Lemmy's order; raises the first that fails.
    (A sign-up through an OAuth provider is checked here too, with a password of its own
    making that nobody will ever type.)"""
    _, local = await load_site(conn)
    setup = bool(local["site_setup"])
    mode = local["registration_mode"]
    if setup and mode == "Closed":
        raise ApiError(ErrorCode.REGISTRATION_CLOSED)
    invited = setup and mode == "RequireInvitation"
    if invited:
        await invites.check(conn, form.invite_token)
    validation.check_password(form.password)
    if form.honeypot:
        raise ApiError(ErrorCode.HONEYPOT_FAILED)
    if local["require_email_verification"] and not form.email:
        raise ApiError(ErrorCode.EMAIL_REQUIRED)
    # The first account (the admin, before setup) is never asked to confirm its address.
    needs_verification = setup and bool(local["require_email_verification"])
    if needs_verification:
        require_mail(settings)
    needs_application = setup and mode == "RequireApplication"
    if needs_application and not (form.answer or "").strip():
        raise ApiError(ErrorCode.REGISTRATION_APPLICATION_ANSWER_REQUIRED)
    if form.password != form.password_verify:
        raise ApiError(ErrorCode.PASSWORDS_DO_NOT_MATCH)
    slurs = validation.compile_slur_filter(local["slur_filter_regex"])
    validation.check_slurs(form.username, slurs)
    validation.check_actor_name(form.username, local["actor_name_max_length"])
    email = validation.check_email(form.email) if form.email else None
    if email is not None:
        taken = await conn.scalar(
            sa.select(sa.func.count())
            .select_from(m.local_user)
            .where(m.local_user.c.email == email)
        )
        if taken:
            raise ApiError(ErrorCode.EMAIL_ALREADY_EXISTS)
    if await queries.person_by_name(conn, form.username) is not None:
        raise ApiError(ErrorCode.USER_ALREADY_EXISTS)
    first_admin = not setup and not await conn.scalar(
        sa.select(sa.func.count()).select_from(m.local_user).where(m.local_user.c.admin)
    )
    return Admission(first_admin, needs_application, needs_verification, email, invited)


async def _check_not_posing(conn: Connection, person_id: int, display_name: str) -> None:
    """A display name that looks like another local account's name (letters from another
    script, full-width, accents, case) would let its holder pose as that account."""
    other = await conn.scalar(
        sa.select(m.person.c.id)
        .where(
            m.person.c.local,
            sa.func.lower(m.person.c.name) == skeleton(display_name),
            m.person.c.id != person_id,
        )
        .limit(1)
    )
    if other is not None:
        raise ApiError(ErrorCode.INVALID_DISPLAY_NAME, "it looks like another account's name")


def sign_in_query() -> sa.Select[Any]:
    """The local_user rows with what `check_may_sign_in` reads of their person."""
    return sa.select(
        m.local_user, m.person.c.banned, m.person.c.deleted, m.person.c.ban_expires
    ).join(m.person, m.person.c.id == m.local_user.c.person_id)


def _login_query(wanted: str) -> sa.Select[Any]:
    return (
        sign_in_query()
        .where(sa.or_(sa.func.lower(m.person.c.name) == wanted, m.local_user.c.email == wanted))
        .limit(1)
    )


async def login(
    db: Database,
    settings: Settings,
    username_or_email: str,
    password: str,
    ip: str | None,
    user_agent: str | None,
    throttle: LoginThrottle,
    totp_token: str | None = None,
) -> LoginResult:
    """Checks the password with no connection held, then the account and its token in one
    transaction (a ban or a new password that arrived while the hash ran still counts).
    Failures are counted per account (`throttle`), whatever address they come from."""
    wanted = username_or_email.strip().lower()
    async with db.connection() as conn:
        row = await conn.fetch_one(_login_query(wanted))
    account = f"person {row['person_id']}" if row else f"unknown name {wanted[:100]!r}"
    await throttle.attempt(account, ip)
    stored = row["password_encrypted"] if row else None
    if not await auth.verify_password_off_loop(password, stored):
        _log_failure(account, ip, "wrong name or password")
        raise ApiError(ErrorCode.INCORRECT_LOGIN)
    async with db.transaction() as tx:
        row = await tx.fetch_one(_login_query(wanted))
        if row is None or row["password_encrypted"] != stored:
            raise ApiError(ErrorCode.INCORRECT_LOGIN)
        await check_may_sign_in(tx, row)
        if row["totp_2fa_enabled"]:
            try:
                two_factor.check_code(row, totp_token)  # a wrong code is a failed guess too
            except ApiError as refused:
                _log_failure(account, ip, refused.code.value)
                raise
        token = await auth.issue_token(tx, int(row["id"]), settings.hostname, ip, user_agent)
    await throttle.succeeded(account)
    return LoginResult(jwt=token, registration_created=False, verify_email_sent=False)


async def check_may_sign_in(conn: Connection, row: Row) -> None:
    """What refuses a token to an account whose owner proved who they are (a password, or an
    OAuth provider): a ban, deletion, an address not confirmed, an application not accepted.
    `row`: the local_user with its person's `banned`, `deleted` and `ban_expires`."""
    if row["banned"] and (row["ban_expires"] is None or row["ban_expires"] > utcnow()):
        raise ApiError(ErrorCode.SITE_BAN)
    if row["deleted"]:
        raise ApiError(ErrorCode.DELETED)
    _, local = await load_site(conn)
    if not row["admin"]:
        if local["require_email_verification"] and not row["email_verified"]:
            raise ApiError(ErrorCode.EMAIL_NOT_VERIFIED)
        if local["registration_mode"] != "Open" and not row["accepted_application"]:
            await _raise_application_state(conn, int(row["id"]))


def _log_failure(account: str, ip: str | None, why: str) -> None:
    security_log.info("login failed: %s from %s (%s)", account, ip or "unknown", why)


async def _raise_application_state(conn: Connection, local_user_id: int) -> None:
    application = await conn.fetch_one(
        sa.select(m.registration_application).where(
            m.registration_application.c.local_user_id == local_user_id
        )
    )
    if application is not None and application["admin_id"] is not None:
        raise ApiError(ErrorCode.REGISTRATION_DENIED, application["deny_reason"])
    raise ApiError(ErrorCode.REGISTRATION_APPLICATION_IS_PENDING)


async def change_password(
    conn: Connection,
    settings: Settings,
    viewer: auth.Viewer,
    old_password: str,
    new_password: str,
    new_password_verify: str,
    ip: str | None,
    user_agent: str | None,
) -> str:
    """Sets the new password, revokes every token, and returns a fresh one."""
    validation.check_password(new_password)
    if new_password != new_password_verify:
        raise ApiError(ErrorCode.PASSWORDS_DO_NOT_MATCH)
    stored = viewer.local_user["password_encrypted"]
    if not await auth.verify_password_off_loop(old_password, stored):
        raise ApiError(ErrorCode.INCORRECT_LOGIN)
    password_hash = await auth.hash_password_off_loop(new_password)
    await conn.execute(
        sa.update(m.local_user)
        .where(m.local_user.c.id == viewer.local_user_id)
        .values(password_encrypted=password_hash)
    )
    await auth.revoke_all_tokens(conn, viewer.local_user_id)
    return await auth.issue_token(conn, viewer.local_user_id, settings.hostname, ip, user_agent)


async def donation_dialog_shown(conn: Connection, viewer: auth.Viewer) -> None:
    """The client showed the yearly request for donations; it waits a year for the next."""
    await conn.execute(
        sa.update(m.local_user)
        .where(m.local_user.c.id == viewer.local_user_id)
        .values(last_donation_notification=utcnow())
    )


async def set_password(conn: Connection, name: str, password: str) -> None:
    """The operator's reset: a new password for a local account, and every token revoked."""
    validation.check_password(password)
    row = await conn.fetch_one(
        sa.select(m.local_user.c.id)
        .join(m.person, m.person.c.id == m.local_user.c.person_id)
        .where(sa.func.lower(m.person.c.name) == name.lower(), m.person.c.local)
    )
    if row is None:
        raise ApiError(ErrorCode.COULDNT_FIND_PERSON)
    await conn.execute(
        sa.update(m.local_user)
        .where(m.local_user.c.id == row["id"])
        .values(password_encrypted=auth.hash_password(password))
    )
    await auth.revoke_all_tokens(conn, int(row["id"]))


async def delete_account(
    conn: Connection, viewer: auth.Viewer, password: str, delete_content: bool
) -> None:
    if not await auth.verify_password_off_loop(password, viewer.local_user["password_encrypted"]):
        raise ApiError(ErrorCode.INCORRECT_LOGIN)
    await delete_person(conn, viewer.person, delete_content)
    await conn.execute(
        sa.update(m.local_user).where(m.local_user.c.id == viewer.local_user_id).values(email=None)
    )
    await auth.revoke_all_tokens(conn, viewer.local_user_id)


async def delete_person(conn: Connection, person: Row, delete_content: bool) -> None:
    """A person's account goes: by their own request here, or by a Delete from their home."""
    from moot.actions import content  # deletion of content goes through its own counters

    if delete_content:
        await content.delete_all_by(conn, int(person["id"]))
    await conn.execute(
        sa.update(m.person)
        .where(m.person.c.id == person["id"])
        .values(
            deleted=True,
            bio=None,
            bio_html=None,
            avatar=None,
            banner=None,
            display_name=None,
            updated=utcnow(),
        )
    )
    await publish.person_deleted(conn, person, delete_content)


# Settings that map one-to-one onto local_user columns, each the member's own choice.
SELF_SET_SETTINGS = (
    "show_nsfw",
    "blur_nsfw",
    "auto_expand",
    "theme",
    "default_sort_type",
    "default_listing_type",
    "interface_language",
    "show_avatars",
    "send_notifications_to_email",
    "show_bot_accounts",
    "show_read_posts",
    "open_links_in_new_tab",
    "infinite_scroll_enabled",
    "post_listing_mode",
    "enable_keyboard_navigation",
    "enable_animated_images",
    "collapse_bot_comments",
    "show_scores",
)
_VOTE_DISPLAY = {
    "show_upvotes": "vote_display_upvotes",
    "show_downvotes": "vote_display_downvotes",
    "show_upvote_percentage": "vote_display_upvote_percentage",
    "show_scores": "vote_display_score",
}


def _clearable(value: str | None) -> str | None:
    """Lemmy's convention: an empty string clears an optional text setting."""
    return None if value is None else (value.strip() or None)


async def save_settings(
    conn: Connection, settings: Settings, viewer: auth.Viewer, changes: dict[str, Any]
) -> Mail | None:
    """Apply the settings a client sent; keys it left out stay as they are.

    Where addresses must be confirmed, a new email address is only recorded with a check:
    the caller sends the returned mail after commit, and the address counts once confirmed.
    """
    from moot.text.markdown import render_markdown_aside

    _, local = await load_site(conn)
    person_values: dict[str, Any] = {}
    if "display_name" in changes and changes["display_name"] is not None:
        name = _clearable(changes["display_name"])
        if name is not None:
            validation.check_display_name(name, local["actor_name_max_length"])
            await _check_not_posing(conn, viewer.person_id, name)
        person_values["display_name"] = name
    if "bio" in changes and changes["bio"] is not None:
        bio = _clearable(changes["bio"])
        if bio is not None:
            validation.check_bio(bio)
        person_values["bio"] = bio
        person_values["bio_html"] = await render_markdown_aside(bio) if bio else None
    for key in ("avatar", "banner"):
        if changes.get(key) is not None:
            url = _clearable(changes[key])
            person_values[key] = validation.clean_url(url) if url else None
    if changes.get("matrix_user_id") is not None:
        matrix = _clearable(changes["matrix_user_id"])
        if matrix is not None:
            validation.check_matrix_id(matrix)
        person_values["matrix_user_id"] = matrix
    if changes.get("pronouns") is not None:
        pronouns = _clearable(changes["pronouns"])
        if pronouns is not None and (len(pronouns) > 50 or "\n" in pronouns):
            raise ApiError(ErrorCode.INVALID_DISPLAY_NAME, "pronouns are at most 50 characters")
        person_values["pronouns"] = pronouns
    if changes.get("bot_account") is not None:
        person_values["bot_account"] = bool(changes["bot_account"])

    user_values: dict[str, Any] = {
        key: changes[key] for key in SELF_SET_SETTINGS if changes.get(key) is not None
    }
    for key, column in _VOTE_DISPLAY.items():
        if changes.get(key) is not None:
            user_values[column] = bool(changes[key])
    new_email: str | None = None  # an address to confirm before it counts
    if changes.get("email") is not None:
        email = _clearable(changes["email"])
        address = validation.check_email(email) if email else None
        if address is None and local["require_email_verification"]:
            raise ApiError(ErrorCode.EMAIL_REQUIRED)
        if address and await conn.scalar(
            sa.select(sa.func.count())
            .select_from(m.local_user)
            .where(m.local_user.c.email == address, m.local_user.c.id != viewer.local_user_id)
        ):
            raise ApiError(ErrorCode.EMAIL_ALREADY_EXISTS)
        if (
            address is not None
            and local["require_email_verification"]
            and address != viewer.local_user["email"]
        ):
            require_mail(settings)
            new_email = address
        else:
            user_values["email"] = address
    if user_values.get("default_listing_type") == "ModeratorView":
        raise ApiError(ErrorCode.INVALID_DEFAULT_POST_LISTING_TYPE)

    if person_values:
        person_values["updated"] = utcnow()
        await conn.execute(
            sa.update(m.person).where(m.person.c.id == viewer.person_id).values(**person_values)
        )
    if user_values:
        await conn.execute(
            sa.update(m.local_user)
            .where(m.local_user.c.id == viewer.local_user_id)
            .values(**user_values)
        )
    if changes.get("discussion_languages") is not None:
        await set_user_languages(conn, viewer.local_user_id, changes["discussion_languages"])
    if changes.get("blocking_keywords") is not None:
        await keyword_blocks.set_keyword_blocks(conn, viewer, changes["blocking_keywords"])
    if new_email is None:
        return None
    return await mail_links.start_verification(
        conn, settings, viewer.local_user_id, str(viewer.person["name"]), new_email
    )


async def set_user_languages(conn: Connection, local_user_id: int, ids: list[int]) -> None:
    known = {
        int(r["id"])
        for r in await conn.fetch_all(sa.select(m.language.c.id).where(m.language.c.id.in_(ids)))
    }
    if len(known) != len(set(ids)):
        raise ApiError(ErrorCode.LANGUAGE_NOT_ALLOWED)
    await conn.execute(
        sa.delete(m.local_user_language).where(
            m.local_user_language.c.local_user_id == local_user_id
        )
    )
    for language_id in sorted(known):
        await conn.execute(
            sa.insert(m.local_user_language).values(
                local_user_id=local_user_id, language_id=language_id
            )
        )


async def block_person(conn: Connection, viewer: auth.Viewer, target_id: int, block: bool) -> Row:
    if target_id == viewer.person_id:
        raise ApiError(ErrorCode.CANT_BLOCK_YOURSELF)
    target = await conn.fetch_one(sa.select(m.person).where(m.person.c.id == target_id))
    if target is None:
        raise ApiError(ErrorCode.COULDNT_FIND_PERSON)
    if block:
        is_admin = await conn.scalar(
            sa.select(sa.func.count())
            .select_from(m.local_user)
            .where(m.local_user.c.person_id == target_id, m.local_user.c.admin)
        )
        if is_admin:
            raise ApiError(ErrorCode.CANT_BLOCK_ADMIN)
        await insert_if_absent(
            conn,
            m.person_block,
            ("person_id", "target_id"),
            person_id=viewer.person_id,
            target_id=target_id,
            published=utcnow(),
        )
    else:
        await conn.execute(
            sa.delete(m.person_block).where(
                m.person_block.c.person_id == viewer.person_id,
                m.person_block.c.target_id == target_id,
            )
        )
    return target
