"""Two-factor login with an authenticator app (TOTP), switched on and off by its owner.

A new secret is stored at once but asked for only after the owner proves, with a code
from their app, that the app holds it; switching off takes a code too and forgets it.
"""

from __future__ import annotations

import sqlalchemy as sa

from moot import auth, totp
from moot.actions.site import load_site
from moot.db import models as m
from moot.db.engine import Connection, Row
from moot.errors import ApiError, ErrorCode


def check_code(local_user: Row, token: str | None) -> None:
    """Raises Lemmy's error unless `token` is a current code of the account's secret."""
    if not token:
        raise ApiError(ErrorCode.MISSING_TOTP_TOKEN)
    secret = local_user["totp_2fa_secret"]
    if not secret:
        raise ApiError(ErrorCode.MISSING_TOTP_SECRET)
    if not totp.verify(secret, token):
        raise ApiError(ErrorCode.INCORRECT_TOTP_TOKEN)


async def generate(conn: Connection, viewer: auth.Viewer) -> str:
    """Stores a new secret and returns its otpauth:// URL for the owner's app."""
    if viewer.local_user["totp_2fa_enabled"]:
        raise ApiError(ErrorCode.TOTP_ALREADY_ENABLED)
    site, _ = await load_site(conn)
    secret = totp.new_secret()
    await conn.execute(
        sa.update(m.local_user)
        .where(m.local_user.c.id == viewer.local_user_id)
        .values(totp_2fa_secret=secret)
    )
    return totp.provisioning_url(secret, str(site["name"]), str(viewer.person["name"]))


async def update(conn: Connection, viewer: auth.Viewer, token: str, enabled: bool) -> bool:
    """Turns 2FA on (keeping the secret) or off (forgetting it), given a valid code."""
    check_code(viewer.local_user, token)
    values: dict[str, object] = {"totp_2fa_enabled": enabled}
    if not enabled:
        values["totp_2fa_secret"] = None
    await conn.execute(
        sa.update(m.local_user).where(m.local_user.c.id == viewer.local_user_id).values(**values)
    )
    return enabled
