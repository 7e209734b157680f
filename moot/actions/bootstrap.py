"""First start: the site's rows, and the admin named in the environment."""

from __future__ import annotations

import logging

import sqlalchemy as sa

from moot import auth
from moot.actions import accounts, site_state
from moot.actions.site import local_instance_id
from moot.config import Settings
from moot.db import models as m
from moot.db.engine import Connection, Database
from moot.db.types import utcnow
from moot.federation.keys import generate_keypair

log = logging.getLogger("moot.site")
# An advisory lock key of moot's own ("moot" in ASCII), held while the site is set up.
_BOOTSTRAP_LOCK = 0x6D6F6F74

DEFAULT_APPLICATION_QUESTION = (
    "To keep this instance free of spam, please say in a few words why you want to join."
)


async def _ensure_site_rows(conn: Connection, settings: Settings) -> None:
    if await conn.scalar(sa.select(sa.func.count()).select_from(m.secret)) == 0:
        await conn.execute(sa.insert(m.secret).values(jwt_secret=auth.new_jwt_secret()))
    if await conn.scalar(sa.select(sa.func.count()).select_from(m.local_site)) > 0:
        return
    instance_id = await local_instance_id(conn, settings.hostname)
    private, public = generate_keypair()
    now = utcnow()
    site_id = await conn.scalar(
        sa.insert(m.site)
        .values(
            name="moot",
            published=now,
            actor_id=f"{settings.origin}/",
            last_refreshed_at=now,
            inbox_url=f"{settings.origin}/site_inbox",
            public_key=public,
            private_key=private,
            instance_id=instance_id,
        )
        .returning(m.site.c.id)
    )
    await conn.execute(
        sa.insert(m.local_site).values(
            site_id=site_id,
            published=now,
            rate_limit_published=now,
            # New sites require applications (as Lemmy), so they start with a question.
            application_question=DEFAULT_APPLICATION_QUESTION,
        )
    )
    # Every language is allowed until an admin narrows the list.
    await conn.execute(
        sa.insert(m.site_language).from_select(
            ["site_id", "language_id"],
            sa.select(sa.literal(site_id), m.language.c.id),
        )
    )
    log.info("created the site for %s", settings.hostname)


async def bootstrap(db: Database, settings: Settings) -> None:
    """First start: the site rows, and the admin named in the environment, if any."""
    # The admin is made the same way as any account (accounts.create_admin).
    async with db.transaction() as tx:
        # Processes started together on one database make the site once: the first to
        # take this lock creates the rows, the others find them (SQLite's BEGIN IMMEDIATE
        # already lets one writer in at a time).
        if tx.dialect_name == "postgresql":
            await tx.fetch_all(sa.select(sa.func.pg_advisory_xact_lock(_BOOTSTRAP_LOCK)))
        await _ensure_site_rows(tx, settings)
        site_state.invalidate(tx)
        has_admin = await tx.scalar(
            sa.select(sa.func.count()).select_from(m.local_user).where(m.local_user.c.admin)
        )
        if has_admin:
            return
        if settings.setup_admin_name and settings.setup_admin_password:
            await accounts.create_admin(
                tx, settings, settings.setup_admin_name, settings.setup_admin_password
            )
            log.info("created the admin account %r", settings.setup_admin_name)
        else:
            log.warning(
                "this instance has no admin yet: run `moot admin create NAME`, or set "
                "MOOT_SETUP_ADMIN_NAME and MOOT_SETUP_ADMIN_PASSWORD, or register the first "
                "account (it becomes the admin)"
            )
