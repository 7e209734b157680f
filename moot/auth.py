"""Passwords and login tokens, as Lemmy 0.19 makes and checks them.

A token is an HS256 JWT {sub: local_user_id, iss: hostname, iat} with no expiry; it is valid
only while its row is in `login_token`, so logout and password changes revoke it.
"""

from __future__ import annotations

import asyncio
import functools
import os
import secrets
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import bcrypt
import jwt
import sqlalchemy as sa

from moot.db import models as m
from moot.db.engine import Connection, Row
from moot.db.prepared import Prepared
from moot.db.types import utcnow
from moot.thread_priority import lower_priority

# Lemmy's DEFAULT_COST: accounts can move between the two with their hash. A process
# serving an instance uses the instance's setting (`use_hash_cost`, MOOT_PASSWORD_HASH_COST).
_cost = 12


def use_hash_cost(cost: int) -> None:
    global _cost
    _cost = cost


@functools.cache
def _dummy_hash(cost: int) -> bytes:
    """Checked against when the name is unknown, so a miss costs the same time as a wrong
    password. Made on first use: it costs as much as a login, and most commands never need
    it."""
    return bcrypt.hashpw(b"not a real password", bcrypt.gensalt(rounds=cost))


# A bcrypt hash costs a few hundred milliseconds of CPU. On the event loop it would stall
# every request of the process meanwhile (a burst of sign-ups froze the instance for
# seconds); bcrypt releases the GIL, so these threads hash while the loop serves. At most
# half the cores, so a flood of log-ins queues here instead of taking every core.
# The threads run at a lower priority (`moot.thread_priority`): a login waits, not readers.
_HASHERS = ThreadPoolExecutor(
    max_workers=max(1, (os.cpu_count() or 2) // 2),
    thread_name_prefix="bcrypt",
    initializer=lower_priority,
)


def _secret(password: str) -> bytes:
    # bcrypt reads 72 bytes; bcrypt 5 raises on longer input (60 characters of UTF-8 can be
    # 240 bytes), and Lemmy's bcrypt cuts there too, so hashes carry over between the two.
    return password.encode()[:72]


def hash_password(password: str) -> str:
    return bcrypt.hashpw(_secret(password), bcrypt.gensalt(rounds=_cost)).decode()


def verify_password(password: str, hashed: str | None) -> bool:
    candidate = _secret(password)
    if hashed is None:
        bcrypt.checkpw(candidate, _dummy_hash(_cost))
        return False
    try:
        return bcrypt.checkpw(candidate, hashed.encode())
    except ValueError:
        return False


async def hash_password_off_loop(password: str) -> str:
    """`hash_password` in a hashing thread; call it with no connection held."""
    return await asyncio.get_running_loop().run_in_executor(_HASHERS, hash_password, password)


async def verify_password_off_loop(password: str, hashed: str | None) -> bool:
    """`verify_password` in a hashing thread; call it with no connection held."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_HASHERS, verify_password, password, hashed)


@dataclass(frozen=True)
class Viewer:
    """The logged-in person making a request."""

    local_user: Row
    person: Row
    token: str

    @property
    def person_id(self) -> int:
        return int(self.person["id"])

    @property
    def local_user_id(self) -> int:
        return int(self.local_user["id"])

    @property
    def is_admin(self) -> bool:
        return bool(self.local_user["admin"])


async def jwt_secret(conn: Connection) -> str:
    """The key tokens are signed with: made once at bootstrap and never changed, so each
    process reads it once."""
    value = conn.cache.get("jwt_secret")
    if value is None:
        value = await conn.scalar(sa.select(m.secret.c.jwt_secret).limit(1))
        if value is None:
            raise RuntimeError("no jwt secret: the site was not bootstrapped")
        conn.cache["jwt_secret"] = value
    return str(value)


async def issue_token(
    conn: Connection, local_user_id: int, hostname: str, ip: str | None, user_agent: str | None
) -> str:
    # Lemmy's claims, plus a nonce: two logins in the same second must not share a token.
    claims = {
        "sub": str(local_user_id),
        "iss": hostname,
        "iat": int(time.time()),
        "jti": secrets.token_hex(8),
    }
    token = jwt.encode(claims, await jwt_secret(conn), algorithm="HS256")
    await conn.execute(
        sa.insert(m.login_token).values(
            token=token,
            user_id=local_user_id,
            published=utcnow(),
            ip=ip,
            user_agent=(user_agent or "")[:1000] or None,
        )
    )
    return token


@functools.lru_cache(maxsize=4096)
def _claims(token: str, secret: str) -> dict[str, Any] | None:
    # Kept per token (and secret): checking the signature again on every request of a
    # signed-in client cost as much as reading the viewer. Whether the token is still
    # valid is the login_token row's to say, read on every request.
    try:
        return jwt.decode(
            token, secret, algorithms=["HS256"], options={"verify_exp": False, "verify_iss": False}
        )
    except jwt.PyJWTError:
        return None


def _token_statement(dialect: str, variant: None) -> sa.Select[Any]:
    """The token's account and person, their columns told apart by prefix."""
    user, person, token = m.local_user, m.person, m.login_token
    return (
        sa.select(
            *[c.label(f"u_{c.name}") for c in user.c],
            *[c.label(f"p_{c.name}") for c in person.c],
        )
        .select_from(token)
        .join(user, user.c.id == token.c.user_id)
        .join(person, person.c.id == user.c.person_id)
        .where(
            token.c.token == sa.bindparam("token", type_=sa.String),
            token.c.user_id == sa.bindparam("user_id", type_=sa.Integer),
        )
    )


_TOKEN = Prepared(_token_statement)
_USER_COLUMNS = [(f"u_{c.name}", c.name) for c in m.local_user.c]
_PERSON_COLUMNS = [(f"p_{c.name}", c.name) for c in m.person.c]


async def viewer_for_token(conn: Connection, token: str) -> Viewer | None:
    """The viewer a token belongs to, or None if it is malformed, forged or revoked."""
    claims = _claims(token, await jwt_secret(conn))
    if claims is None or not str(claims.get("sub", "")).isdigit():
        return None
    rows = await conn.run(_TOKEN, {"token": token, "user_id": int(claims["sub"])})
    if not rows:
        return None
    row = rows[0]
    local_user = {name: row[label] for label, name in _USER_COLUMNS}
    person_row = {name: row[label] for label, name in _PERSON_COLUMNS}
    return Viewer(local_user=local_user, person=person_row, token=token)


async def tokens_of(conn: Connection, local_user_id: int) -> list[Row]:
    """The account's live tokens, oldest first."""
    return await conn.fetch_all(
        sa.select(m.login_token)
        .where(m.login_token.c.user_id == local_user_id)
        .order_by(m.login_token.c.published, m.login_token.c.token)
    )


async def revoke_token(conn: Connection, token: str) -> None:
    await conn.execute(sa.delete(m.login_token).where(m.login_token.c.token == token))


async def revoke_all_tokens(conn: Connection, local_user_id: int) -> None:
    await conn.execute(sa.delete(m.login_token).where(m.login_token.c.user_id == local_user_id))


def new_jwt_secret() -> str:
    return secrets.token_urlsafe(48)
