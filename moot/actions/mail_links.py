"""Links mailed to members: a password reset, and the check of an email address.

Each link carries a random secret; the table keeps only its SHA-256. A link works once: it
is claimed by deleting its row (DELETE ... RETURNING), so two uses racing get one success.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import timedelta

import sqlalchemy as sa

from moot import auth, validation
from moot.config import Settings
from moot.db import models as m
from moot.db.engine import Connection, Database
from moot.db.types import utcnow
from moot.errors import ApiError, ErrorCode
from moot.mail import Mail, require_mail, send

RESET_VALID = timedelta(days=1)
# Lemmy keeps the check of an address open for a week.
VERIFICATION_VALID = timedelta(days=7)
# Lemmy refuses a fourth reset request for one account within a day.
RESETS_PER_DAY = 3


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


async def request_password_reset(db: Database, settings: Settings, email: str) -> None:
    """Mails a reset link to the account with this address (`incorrect_login` if none)."""
    wanted = email.strip().lower()
    t = m.password_reset_request
    async with db.transaction() as tx:
        row = await tx.fetch_one(
            sa.select(m.local_user.c.id, m.local_user.c.email, m.person.c.name)
            .join(m.person, m.person.c.id == m.local_user.c.person_id)
            .where(m.local_user.c.email == wanted, sa.not_(m.person.c.deleted))
        )
        if row is None or not wanted:
            raise ApiError(ErrorCode.INCORRECT_LOGIN)
        require_mail(settings)
        await _lock_member(tx, int(row["id"]))
        recent = await tx.scalar(
            sa.select(sa.func.count())
            .select_from(t)
            .where(t.c.local_user_id == row["id"], t.c.published > utcnow() - RESET_VALID)
        )
        if recent >= RESETS_PER_DAY:
            # Lemmy 0.19 has no code of its own for this: its rate limit's.
            raise ApiError(ErrorCode.RATE_LIMIT_ERROR, "too many password resets today")
        secret = str(uuid.uuid4())
        await tx.execute(
            sa.insert(t).values(
                token_digest=_digest(secret), local_user_id=row["id"], published=utcnow()
            )
        )
    await send(
        settings,
        Mail(
            to=str(row["email"]),
            subject=f"Password reset for {row['name']} on {settings.hostname}",
            text=f"Hello {row['name']},\n\nsomeone asked to reset your password on "
            f"{settings.hostname}. To choose a new one, open the link below within a day. "
            "If it was not you, ignore this mail: your password stays as it is.",
            link=f"{settings.origin}/password_change/{secret}",
        ),
    )


async def _reset_owner(conn: Connection, digest: str) -> int | None:
    t = m.password_reset_request
    owner = await conn.scalar(
        sa.select(t.c.local_user_id).where(
            t.c.token_digest == digest, t.c.published > utcnow() - RESET_VALID
        )
    )
    return None if owner is None else int(owner)


async def reset_password(db: Database, token: str, password: str, password_verify: str) -> None:
    """Sets the password a reset link's holder chose; every session of the account ends.

    The link is checked before the hash (a wrong link costs no bcrypt) and claimed after it,
    with no connection held while it runs.
    """
    digest = _digest(token)
    async with db.connection() as conn:
        if await _reset_owner(conn, digest) is None:
            raise ApiError(ErrorCode.TOKEN_NOT_FOUND)
    validation.check_password(password)
    if password != password_verify:
        raise ApiError(ErrorCode.PASSWORDS_DO_NOT_MATCH)
    password_hash = await auth.hash_password_off_loop(password)
    t = m.password_reset_request
    async with db.transaction() as tx:
        owner = await tx.scalar(
            sa.delete(t)
            .where(t.c.token_digest == digest, t.c.published > utcnow() - RESET_VALID)
            .returning(t.c.local_user_id)
        )
        if owner is None:
            raise ApiError(ErrorCode.TOKEN_NOT_FOUND)
        await tx.execute(sa.delete(t).where(t.c.local_user_id == owner))
        await tx.execute(
            sa.update(m.local_user)
            .where(m.local_user.c.id == owner)
            .values(password_encrypted=password_hash)
        )
        await auth.revoke_all_tokens(tx, int(owner))


async def start_verification(
    conn: Connection, settings: Settings, local_user_id: int, name: str, email: str
) -> Mail:
    """Records a check of `email` for the account; the caller sends the mail after commit."""
    require_mail(settings)
    secret = str(uuid.uuid4())
    await conn.execute(
        sa.insert(m.email_verification).values(
            local_user_id=local_user_id,
            email=email,
            code_digest=_digest(secret),
            published=utcnow(),
        )
    )
    return Mail(
        to=email,
        subject=f"Please confirm your email address on {settings.hostname}",
        text=f"Hello {name},\n\nplease open the link below to confirm that this is your "
        f"email address on {settings.hostname}.",
        link=f"{settings.origin}/verify_email/{secret}",
    )


async def _lock_member(tx: Connection, local_user_id: int) -> None:
    """Requests for one member's mails wait for each other here, so a daily limit counts
    what the others sent (counted, then inserted, they would all pass at once)."""
    await tx.scalar(
        sa.select(m.local_user.c.id).where(m.local_user.c.id == local_user_id).with_for_update()
    )


async def resend_verification(db: Database, settings: Settings, email: str) -> None:
    """Mails a new confirmation link for an address waiting to be confirmed (Lemmy 1.0's
    resend): `incorrect_login` when no account waits on it, the reset's daily limit too."""
    wanted = email.strip().lower()
    t = m.email_verification
    async with db.transaction() as tx:
        waiting = await tx.fetch_one(
            sa.select(t.c.local_user_id, m.person.c.name)
            .join(m.local_user, m.local_user.c.id == t.c.local_user_id)
            .join(m.person, m.person.c.id == m.local_user.c.person_id)
            .where(t.c.email == wanted, sa.not_(m.person.c.deleted))
            .order_by(t.c.published.desc())
            .limit(1)
        )
        if waiting is None or not wanted:
            raise ApiError(ErrorCode.INCORRECT_LOGIN)
        await _lock_member(tx, int(waiting["local_user_id"]))
        recent = await tx.scalar(
            sa.select(sa.func.count())
            .select_from(t)
            .where(
                t.c.local_user_id == waiting["local_user_id"],
                t.c.published > utcnow() - RESET_VALID,
            )
        )
        if recent >= RESETS_PER_DAY:
            raise ApiError(ErrorCode.RATE_LIMIT_ERROR, "too many confirmation mails today")
        mail = await start_verification(
            tx, settings, int(waiting["local_user_id"]), str(waiting["name"]), wanted
        )
    await send(settings, mail)


async def verify_email(db: Database, token: str) -> None:
    """The address a verification link was sent to becomes the account's, verified."""
    t = m.email_verification
    async with db.transaction() as tx:
        claimed = await tx.fetch_one(
            sa.delete(t)
            .where(t.c.code_digest == _digest(token), t.c.published > utcnow() - VERIFICATION_VALID)
            .returning(t.c.local_user_id, t.c.email)
        )
        if claimed is None:
            raise ApiError(ErrorCode.TOKEN_NOT_FOUND)
        owner, email = int(claimed["local_user_id"]), str(claimed["email"])
        taken = await tx.scalar(
            sa.select(sa.func.count())
            .select_from(m.local_user)
            .where(m.local_user.c.email == email, m.local_user.c.id != owner)
        )
        if taken:
            raise ApiError(ErrorCode.EMAIL_ALREADY_EXISTS)
        await tx.execute(sa.delete(t).where(t.c.local_user_id == owner))
        await tx.execute(
            sa.update(m.local_user)
            .where(m.local_user.c.id == owner)
            .values(email=email, email_verified=True)
        )
